"""Options fluxd knows; anything else is accepted with a warning (never fatal), as operators expect."""

from __future__ import annotations

KNOWN_OPTIONS = frozenset(
    """
    ? h help version conf datadir daemon regtest testnet nuparams regtestbenchmarkpubkey printtoconsole debug loglevel logjson
    logtimestamps shrinkdebugfile rpcuser rpcpassword rpcauth rpcport rpcbind rpcallowip rpcthreads rpcworkqueue
    rpcservertimeout rpccookiefile rest server listen port bind externalip connect addnode seednode dnsseed
    discover maxconnections timeout proxy onlynet whitebind whitelist banscore bantime txindex addressindex
    timestampindex spentindex insightexplorer reindex reindex-chainstate loadblock dbcache par prune
    checkblocks checklevel mineraddress gen genproclimit equihashsolver minrelaytxfee mempooltxcostlimit
    mempoolevictionmemoryminutes maxtxfee paytxfee blockmaxsize blockprioritysize blockminsize datacarrier
    datacarriersize fluxnode zelnode fluxnodeprivkey zelnodeprivkey fluxnodeoutpoint zelnodeoutpoint
    fluxnodeindex zelnodeindex benchmarking testnetbenchbypass alertnotify blocknotify walletnotify
    disablewallet wallet keypool upgradewallet rescan zapwallettxes exportdir sysperms pid
    migratetoflux maxreorg checkpoints uacomment maxuploadtarget peerbloomfilters enforcenodebloom
    stopafterblockimport mocktime maxorphantx limitfreerelay persistmempool relaypriority permitbaremultisig
    """.split()
)


def unknown_options(option_names) -> list[str]:
    """Names given on the command line or in flux.conf that fluxd does not know (without '-')."""
    unknown = []
    for name in option_names:
        bare = name.lstrip("-")
        if bare.startswith("no") and bare[2:] in KNOWN_OPTIONS:
            continue
        if bare not in KNOWN_OPTIONS:
            unknown.append(bare)
    return sorted(set(unknown))
