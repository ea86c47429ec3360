"""``fluxd -help``: the options this node implements, under C++ HelpMessage's section headings (init.cpp).

Each option keeps C++'s help text; where this node's default or behaviour differs the text says so, and
the options of our own (no C++ counterpart) keep their own texts.  Not listed: the options this node
refuses (``options.NOT_BUILT``) and the aliases C++ does not list either (-h, -help, -version).
Formatted as C++ HelpMessageGroup / HelpMessageOpt / FormatParagraph (79 columns, 2 and 7 spaces).
"""

from __future__ import annotations

import os
from typing import NamedTuple

SCREEN_WIDTH = 79
OPT_INDENT = 2
MSG_INDENT = 7


class HelpOption(NamedTuple):
    name: str  # without '-'
    arg: str  # what follows the name on the help line: "=<file>", "" for a flag
    text: str
    section: str


# C++ HelpMessage's groups, in its order (groups with no option this node implements are left out).
SECTIONS = (
    "Options:",
    "Connection options:",
    "Wallet options:",
    "Fluxnode options:",
    "ZeroMQ notification options:",
    "Debugging/Testing options:",
    "Block creation options:",
    "Mining options:",
    "RPC server options:",
)

_DEBUG_CATEGORIES = "chainstate, estimatefee, import, mempool, miner, net, rpc, zmq"


def _cores() -> int:
    return os.cpu_count() or 1


def _table() -> list[HelpOption]:
    o, c, w, f, z, d, b, m, r = SECTIONS
    return [*_core_options(o, c, z, d, b, m, r), *_wallet_options(w), *_fluxnode_options(f)]


def _fluxnode_options(f: str) -> list[HelpOption]:
    """C++ reads these (init.cpp, fluxd.cpp, util.cpp) but lists none; the texts are ours."""
    return [
        HelpOption("zelnode", "", "Run as the fluxnode of -zelnodeoutpoint/-zelnodeindex (default: 0)", f),
        HelpOption("fluxnode", "", "The same as -zelnode (ours: C++ reads only the zel names)", f),
        HelpOption("zelnodeprivkey", "=<key>", "The fluxnode's operator private key (WIF), required with -zelnode", f),
        HelpOption("fluxnodeprivkey", "=<key>", "The same as -zelnodeprivkey (ours)", f),
        HelpOption("zelnodeoutpoint", "=<txid>", "The txid of this fluxnode's collateral, required with -zelnode", f),
        HelpOption("fluxnodeoutpoint", "=<txid>", "The same as -zelnodeoutpoint (ours)", f),
        HelpOption("zelnodeindex", "=<n>", "The output index of this fluxnode's collateral", f),
        HelpOption("fluxnodeindex", "=<n>", "The same as -zelnodeindex (ours)", f),
        HelpOption("zelnodeaddr", "=<ip:port>", "This fluxnode's address, checked and logged at start as C++ does (not used otherwise)", f),
        HelpOption("znconf", "=<file>",
                   "Fluxnode config file (default: zelnode.conf when it exists, else fluxnode.conf, in the data directory)", f),
        HelpOption("znconflock", "", "Lock the collaterals of the fluxnode config file in the wallet at start (default: 1)", f),
    ]


def _wallet_options(w: str) -> list[HelpOption]:
    """C++ init.cpp's "Wallet options:" (the Sprout-to-Sapling migration and -salvagewallet are not here)."""
    return [
        HelpOption("disablewallet", "", "Do not load the wallet and disable wallet RPC calls", w),
        HelpOption("developerencryptwallet", "",
                   "Allow encryptwallet (needs -experimentalfeatures; C++ gates it so but does not list it)", w),
        HelpOption("importwallet-dat", "=<file>",
                   "Import the keys of a C++ fluxd wallet.dat (read only) at start-up; an encrypted one needs the"
                   " importwalletdat RPC and its passphrase (not in the C++ node)", w),
        HelpOption("keypool", "=<n>", "Set key pool size to <n> (default: 100)", w),
        HelpOption("mintxfee", "=<amt>",
                   "Fees (in FLUX/kB) smaller than this are considered zero fee for transaction creation (default: 0.00001)", w),
        HelpOption("paytxfee", "=<amt>", "Fee (in FLUX/kB) to add to transactions you send (default: 0.00)", w),
        HelpOption("rescan", "", "Rescan the block chain for missing wallet transactions on startup", w),
        HelpOption("sendfreetransactions", "", "Send transactions as zero-fee transactions if possible (default: 0)", w),
        HelpOption("spendzeroconfchange", "", "Spend unconfirmed change when sending transactions (default: 1)", w),
        HelpOption("txconfirmtarget", "=<n>",
                   "If paytxfee is not set, include enough fee so transactions begin confirmation on average within n blocks (default: 2)", w),
        HelpOption("txexpirydelta", "",
                   "Set the number of blocks after which a transaction that has not been mined will become invalid (min: 4, default: 20)", w),
        HelpOption("maxtxfee", "=<amt>",
                   "Maximum total fees (in FLUX) to use in a single wallet transaction; setting this too low may abort large transactions (default: 0.10)", w),
        HelpOption("upgradewallet", "", "Upgrade wallet to latest format on startup", w),
        HelpOption("wallet", "=<file>", "Specify wallet file (within data directory) (default: wallet.dat)", w),
        HelpOption("walletbroadcast", "", "Make the wallet broadcast transactions (default: 1)", w),
        HelpOption("walletnotify", "=<cmd>", "Execute command when a wallet transaction changes (%s in cmd is replaced by TxID)", w),
        HelpOption("zapwallettxes", "=<mode>",
                   "Delete all wallet transactions and only recover those parts of the blockchain through -rescan on startup"
                   " (1 = keep tx meta data e.g. account owner and payment request information, 2 = drop tx meta data)", w),
    ]  # fmt: skip


def _core_options(o, c, z, d, b, m, r) -> list[HelpOption]:
    return [
        HelpOption("?", "", "This help message", o),
        HelpOption("alerts", "", "Receive and display P2P network alerts (default: 1)", o),
        HelpOption("checkblocks", "=<n>", "How many blocks to check at startup (default: 288, 0 = all)", o),
        HelpOption("checklevel", "=<n>", "How thorough the block verification of -checkblocks is (0-4, default: 3)", o),
        HelpOption("conf", "=<file>", "Specify configuration file (default: flux.conf)", o),
        HelpOption("daemon", "", "Run in the background as a daemon and accept commands", o),
        HelpOption("datadir", "=<dir>", "Specify data directory", o),
        HelpOption("exportdir", "=<dir>", "Specify directory to be used when exporting data", o),
        HelpOption("dbcache", "=<n>", "Set database cache size in megabytes (4 to 16384, default: 450)", o),
        HelpOption("addressindex", "",
                   "Maintain the address index (getaddress* rpc calls); switched on for an existing chain it is "
                   "built from the stored blocks, switched off it is dropped (default: 0)", o),
        HelpOption("experimentalfeatures", "", "Enable use of experimental features (default: 0)", o),
        HelpOption("insightexplorer", "",
                   "Maintain the insight explorer indexes (address, spent and timestamp: -addressindex, -spentindex, "
                   "-timestampindex); requires -experimentalfeatures and -txindex (default: 0)", o),
        HelpOption("loadblock", "=<file>", "Imports blocks from external blk000??.dat file on startup", o),
        HelpOption("maxorphantx", "=<n>", "Keep at most <n> unconnectable transactions in memory (default: 100)", o),
        HelpOption("par", "=<n>",
                   f"Set the number of script verification threads (-{_cores()} to 16, 0 = auto, <0 = leave that "
                   "many cores free, default: 0)", o),
        HelpOption("persistmempool", "", "Whether to save the mempool on shutdown and load on restart (default: 1)", o),
        HelpOption("pid", "=<file>", "Specify pid file (default: fluxd.pid)", o),
        HelpOption("reindex", "", "Rebuild block chain index from current blk000??.dat files on startup", o),
        HelpOption("spentindex", "",
                   "Maintain the spent index (getspentinfo, the insight fields of getrawtransaction and getblock); "
                   "built or dropped as -addressindex (default: 0)", o),
        HelpOption("timestampindex", "",
                   "Maintain a timestamp index for block hashes, used to query blocks hashes by a range of "
                   "timestamps (default: 0)", o),
        HelpOption("txindex", "",
                   "Maintain a full transaction index, used by the getrawtransaction rpc call (default: 0)", o),
        HelpOption("addnode", "=<ip>", "Add a node to connect to and attempt to keep the connection open", c),
        HelpOption("banscore", "=<n>", "Threshold for disconnecting misbehaving peers (default: 100)", c),
        HelpOption("bantime", "=<n>",
                   "Number of seconds to keep misbehaving peers from reconnecting (default: 86400)", c),
        HelpOption("bind", "=<addr>",
                   "Bind to given address and always listen on it. Use [host]:port notation for IPv6", c),
        HelpOption("connect", "=<ip>", "Connect only to the specified node(s)", c),
        HelpOption("dns", "", "Allow DNS lookups for -addnode, -seednode and -connect (default: 1)", c),
        HelpOption("dnsseed", "",
                   "Query for peer addresses via DNS lookup, if low on addresses (default: 1 unless -connect)", c),
        HelpOption("listen", "", "Accept connections from outside (default: 1 if no -proxy or -connect)", c),
        HelpOption("maxconnections", "=<n>", "Maintain at most <n> connections to peers (default: 125)", c),
        HelpOption("maxreceivebuffer", "=<n>", "Maximum per-connection receive buffer, <n>*1000 bytes (default: 5000)", c),
        HelpOption("maxsendbuffer", "=<n>", "Maximum per-connection send buffer, <n>*1000 bytes (default: 1000)", c),
        HelpOption("peerbloomfilters", "", "Support filtering of blocks and transaction with Bloom filters (default: 1)", c),
        HelpOption("enforcenodebloom", "", "Enforce minimum protocol version to limit use of Bloom filters (default: 0)", c),
        HelpOption("mempoolevictionmemoryminutes", "=<n>",
                   "The number of minutes before allowing rejected transactions to re-enter the mempool. "
                   "(default: 60)", c),
        HelpOption("mempooltxcostlimit", "=<n>",
                   "An upper bound on the maximum size in bytes of all transactions in the mempool. "
                   "(default: 80000000)", c),
        HelpOption("onion", "=<ip:port>",
                   "Use separate SOCKS5 proxy to reach peers via Tor hidden services (default: -proxy)", c),
        HelpOption("onlynet", "=<net>", "Only connect to nodes in network <net> (ipv4, ipv6 or onion)", c),
        HelpOption("port", "=<port>", "Listen for connections on <port> (default: 16125 or testnet: 26125)", c),
        HelpOption("proxy", "=<ip:port>", "Connect through SOCKS5 proxy", c),
        HelpOption("proxyrandomize", "",
                   "Randomize credentials for every proxy connection. This enables Tor stream isolation (default: 1)", c),
        HelpOption("uacomment", "=<cmt>", "Append comment to the user agent string", c),
        HelpOption("whitelist", "=<netmask>",
                   "Whitelist peers connecting from the given netmask or IP address. Can be specified multiple "
                   "times. Whitelisted peers cannot be DoS banned and their transactions are always relayed, even "
                   "if they are already in the mempool, useful e.g. for a gateway", c),
        HelpOption("zmqpubhashblock", "=<address>", "Enable publish hash block in <address>", z),
        HelpOption("zmqpubhashtx", "=<address>", "Enable publish hash transaction in <address>", z),
        HelpOption("zmqpubrawblock", "=<address>", "Enable publish raw block in <address>", z),
        HelpOption("zmqpubrawtx", "=<address>", "Enable publish raw transaction in <address>", z),
        HelpOption("zmqpubhashblockheight", "=<address>", "Enable publish hash block with height in <address>", z),
        HelpOption("zmqpubchainreorg", "=<address>", "Enable publish chain reorganization in <address>", z),
        HelpOption("zmqpubfluxnodelistdelta", "=<address>", "Enable publish FluxNode list delta in <address>", z),
        # C++ accepts these two (zmqnotificationinterface.cpp) without listing them in -help
        HelpOption("zmqpubcheckedblock", "=<address>", "Enable publish raw block when it has been checked in <address>", z),
        HelpOption("zmqpubfluxnodestatus", "=<address>", "Enable publish this FluxNode's status in <address>", z),
        HelpOption("checkdb", "",
                   "Check the data directory of a stopped node, then exit: verifychain (-checkblocks, here "
                   "default: 0 = all; -checklevel), block files, undo and metadata records; prints a report and "
                   "exits with 0 when intact, 3 when damaged (our extension)", d),
        HelpOption("checkpoints", "", "Disable expensive verification for known chain history (default: 1)", d),
        HelpOption("db-info", "",
                   "Print getdbinfo's JSON for the data directory of a stopped node, then exit (our extension)", d),
        HelpOption("stopafterblockimport", "", "Stop running after importing blocks from disk (default: 0)", d),
        HelpOption("nuparams", "=<hexBranchId or name>:<activationHeight>",
                   "Use given activation height for a network upgrade (regtest only)", d),
        HelpOption("debug", "=<category>",
                   "Output debugging information (default: 0, supplying <category> is optional). If <category> "
                   "is not supplied or if <category> = 1, output all debugging information. <category> can be: "
                   f"{_DEBUG_CATEGORIES}.", d),
        HelpOption("logjson", "", "Write log lines as JSON objects", d),
        HelpOption("loglevel", "=<level>", "Log level: trace, debug, info, warning, error (default: info)", d),
        HelpOption("limitfreerelay", "=<n>",
                   "Continuously rate-limit free transactions to <n>*1000 bytes per minute (default: 500)", d),
        HelpOption("mocktime", "=<n>", "Replace actual time with <n> seconds since epoch (default: 0)", d),
        HelpOption("printtoconsole", "", "Send trace/debug info to console instead of debug.log file", d),
        HelpOption("regtest", "",
                   "Enter regression test mode, which uses a special chain in which blocks can be solved "
                   "instantly. This is intended for regression testing tools and app development.", d),
        HelpOption("regtestbenchmarkpubkey", "=<hex pubkey>",
                   "Check CONFIRM benchmark signatures against this key instead of the regtest benchmarking keys "
                   "(regtest only, for tests)", d),
        HelpOption("testnet", "", "Use the test network", d),
        HelpOption("blockminsize", "=<n>", "Set minimum block size in bytes (default: 0)", b),
        HelpOption("blockmaxsize", "=<n>", "Set maximum block size in bytes (default: 2000000)", b),
        HelpOption("blockprioritysize", "=<n>",
                   "Set maximum size of high-priority/low-fee transactions in bytes (default: 1000000)", b),
        HelpOption("genproclimit", "=<n>",
                   "Set the number of threads for coin generation if enabled (-1 = all cores, default: 1; this "
                   "node has no built-in miner, getmininginfo reports the value, default: -1)", m),
        HelpOption("mineraddress", "=<addr>", "Send mined coins to a specific single address", m),
        HelpOption("fluxbenchpath", "=<dir>",
                   "Directory of fluxbenchd and fluxbench-cli (default: the directory of fluxd, as C++; not in the C++ node)", m),
        HelpOption("defaultchangeaddressmainnet", "",
                   "Default Change address to be used when sendmany rpc call is used (Mainnet Only)", m),
        HelpOption("defaultchangeaddresstestnet", "",
                   "Default Change address to be used when sendmany rpc call is used (Testnet Only)", m),
        HelpOption("rest", "", "Accept public REST requests (default: 0)", r),
        HelpOption("rpcbind", "=<addr>",
                   "Bind to given address to listen for JSON-RPC connections. Use [host]:port notation for IPv6. "
                   "This option can be specified multiple times (default: bind to all interfaces)", r),
        HelpOption("rpcuser", "=<user>", "Username for JSON-RPC connections", r),
        HelpOption("rpcpassword", "=<pw>", "Password for JSON-RPC connections", r),
        HelpOption("rpcauth", "=<userpw>",
                   "Username and hashed password for JSON-RPC connections (user:salt$hash)", r),
        HelpOption("rpcport", "=<port>",
                   "Listen for JSON-RPC connections on <port> (default: 16124 or testnet: 26124)", r),
        HelpOption("rpcallowip", "=<ip>",
                   "Allow JSON-RPC connections from specified source. Valid for <ip> are a single IP (e.g. "
                   "1.2.3.4), a network/netmask (e.g. 1.2.3.4/255.255.255.0) or a network/CIDR (e.g. 1.2.3.4/24). "
                   "This option can be specified multiple times", r),
        HelpOption("rpcthreads", "=<n>", "Set the number of threads to service RPC calls (default: 4)", r),
        HelpOption("metricsport", "=<port>",
                   "Serve /metrics (Prometheus), /status and /healthz on 127.0.0.1:<port> without authentication "
                   "(default: off; on the RPC port they need RPC authentication, except /healthz)", r),
    ]


HELP_OPTIONS: tuple[HelpOption, ...] = tuple(_table())


def format_paragraph(text: str, width: int = SCREEN_WIDTH - MSG_INDENT, indent: int = MSG_INDENT) -> str:
    """C++ FormatParagraph: words joined by one space, wrapped before a word that would pass ``width``."""
    out: list[str] = []
    col = 0
    for word in text.split(" "):
        if not word:
            continue
        if col > 0:
            if col + len(word) > width:
                out.append("\n" + " " * indent)
                col = 0
            else:
                out.append(" ")
        out.append(word)
        col += len(word) + 1
    return "".join(out)


def help_message_group(title: str) -> str:
    return f"{title}\n\n"


def help_message_opt(option: str, message: str) -> str:
    return " " * OPT_INDENT + option + "\n" + " " * MSG_INDENT + format_paragraph(message) + "\n\n"


def help_message(options: tuple[HelpOption, ...] = HELP_OPTIONS) -> str:
    """C++ HelpMessage(HMM_BITCOIND): each section's heading, then its options in table order."""
    parts = []
    for section in SECTIONS:
        members = [option for option in options if option.section == section]
        if members:
            parts.append(help_message_group(section))
            parts.extend(help_message_opt(f"-{option.name}{option.arg}", option.text) for option in members)
    return "".join(parts)


def usage(version: str) -> str:
    """The whole ``fluxd -help`` text (C++ fluxd.cpp AppInit)."""
    return (f"Flux Daemon version v{version}\n\nUsage:\n"
            "  fluxd [options]                     Start Flux Daemon\n\n" + help_message())
