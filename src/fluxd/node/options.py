"""Options fluxd knows; anything else is accepted with a warning (never fatal), as operators expect."""

from __future__ import annotations

from fluxd.util.args import interpret_bool

KNOWN_OPTIONS = frozenset(
    """
    ? h help version conf datadir daemon regtest testnet nuparams regtestbenchmarkpubkey printtoconsole debug loglevel logjson
    logtimestamps shrinkdebugfile rpcuser rpcpassword rpcauth rpcport rpcbind rpcallowip rpcthreads rpcworkqueue
    rpcservertimeout rpccookiefile rest server listen port bind externalip connect addnode seednode dnsseed
    discover maxconnections maxreceivebuffer maxsendbuffer timeout proxy proxyrandomize onion listenonion torcontrol torpassword dns onlynet whitebind whitelist banscore bantime txindex addressindex
    timestampindex spentindex insightexplorer reindex reindex-chainstate loadblock dbcache par prune
    checkblocks checklevel checkdb db-info mineraddress gen genproclimit equihashsolver minrelaytxfee mempooltxcostlimit
    mempoolevictionmemoryminutes maxtxfee paytxfee blockmaxsize blockprioritysize blockminsize datacarrier
    datacarriersize fluxnode zelnode fluxnodeprivkey zelnodeprivkey fluxnodeoutpoint zelnodeoutpoint
    fluxnodeindex zelnodeindex zelnodeaddr znconf znconflock benchmarking testnetbenchbypass alertnotify blocknotify walletnotify
    disablewallet wallet keypool alerts upgradewallet rescan zapwallettxes exportdir sysperms pid walletbroadcast
    spendzeroconfchange txconfirmtarget developerencryptwallet importwallet-dat mintxfee fluxbenchpath sendfreetransactions txexpirydelta
    defaultchangeaddressmainnet defaultchangeaddresstestnet
    migratetoflux maxreorg checkpoints uacomment maxuploadtarget peerbloomfilters enforcenodebloom
    experimentalfeatures stopafterblockimport mocktime metricsport maxorphantx limitfreerelay persistmempool relaypriority permitbaremultisig
    zmqpubhashblock zmqpubhashtx zmqpubrawblock zmqpubrawtx zmqpubhashblockheight zmqpubchainreorg zmqpubfluxnodelistdelta
    zmqpubcheckedblock zmqpubfluxnodestatus
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


# Options C++ fluxd has that this node does not implement yet, with the C++ default: a value meaning that
# default is accepted (it asks for what the node does anyway), any other value refuses to start.
# None: no value is harmless (a string option, or one whose every use needs the missing feature).
NOT_BUILT: dict[str, bool | int | None] = {
    "alertnotify": None, "blocknotify": None,
    "benchmarking": False, "datacarrier": True, "datacarriersize": 80, "discover": False,
    "equihashsolver": None,
    "externalip": None, "seednode": None,
    # No Tor control client: the hidden service is never created (C++ default 1 logs that the control port is
    # unreachable and goes on); -listenonion=0 or unset is accepted, -listenonion=1 and -torcontrol refuse.
    "listenonion": False, "torcontrol": None, "torpassword": None, "whitebind": None, "maxuploadtarget": 0,
    "minrelaytxfee": None, "permitbaremultisig": True, "relaypriority": True,
    "logtimestamps": True, "shrinkdebugfile": False, "server": True, "sysperms": False, "testnetbenchbypass": False,
    "maxreorg": None, "migratetoflux": None, "prune": 0, "reindex-chainstate": False, "rpccookiefile": None,
    "rpcservertimeout": None, "rpcworkqueue": None, "timeout": None, "gen": False,
}  # fmt: skip


def _means(value: str, default: bool | int) -> bool:
    if isinstance(default, bool):
        return interpret_bool(value) == default
    text = value.strip()
    return text.lstrip("-").isdigit() and int(text) == default


def not_built_options(values: dict[str, str]) -> list[str]:
    """Options given with a value this node cannot honour (names without '-'), sorted."""
    refused = []
    for name, default in NOT_BUILT.items():
        value = values.get(f"-{name}")
        if value is not None and (default is None or not _means(value, default)):
            refused.append(name)
    return sorted(refused)
