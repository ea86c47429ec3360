"""What FluxOS (RunOnFlux/flux, ZelBack/src/services, v8.17.0) reads from fluxd's answers, with where it reads it.

FluxOS's daemon client (utils/fluxRpc.js) hands most answers straight through to its own HTTP API; the reads
below are the ones FluxOS itself acts on (explorer, sync status, node tier, network state, reorg checks).

A path walks the answer: ``a.b`` is a key, ``a[]`` an array whose every element is walked, a trailing ``?`` on a
segment means FluxOS checks for it first (``if (vout.scriptPubKey.addresses)``) so it may be absent; the walk
must still find it at least once in the test's sample. Types are JSON types as C++ fluxd writes them: FluxOS
compares some with ``===`` against numbers (``value === 10000``), so a number sent as a string would break it.
"""

from __future__ import annotations

from typing import NamedTuple

S = "ZelBack/src/services/"


class Read(NamedTuple):
    path: str
    kind: str  # "integer", "number", "string", "array", "object", "hex64", "outpoint"
    where: str


# The reads, per call as FluxOS makes it (the method name as fluxRpc.js sends it, lower-cased; the label after
# the colon names the parameter shape the test replays).
READS: dict[str, list[Read]] = {
    "getblockchaininfo": [
        Read("blocks", "integer", S + "daemonService/daemonServiceMiscRpcs.js:92"),
        Read("headers", "integer", S + "daemonService/daemonServiceMiscRpcs.js:93"),
        Read("bestblockhash", "hex64", S + "fluxService.js:1762"),
        Read("blocks", "integer", S + "fluxService.js:1781"),
    ],
    "getblockcount": [
        Read("", "integer", S + "daemonService/daemonServiceMiscRpcs.js:144"),
        Read("", "integer", S + "explorerService.js:703"),
    ],
    "getinfo": [
        Read("version", "integer", S + "explorerService.js:64"),  # compared with 7020050 at explorerService.js:1061
    ],
    # explorerService.js:594 getVerboseBlock(height, 2): getBlock sends ensureString(height), so "5", not 5
    "getblock:height-string,2": [
        Read("height", "integer", S + "explorerService.js:595"),
        Read("confirmations", "integer", S + "explorerService.js:630"),
        Read("confirmations", "integer", S + "explorerService.js:696"),
        Read("tx[]", "object", S + "explorerService.js:473"),
        Read("tx[].version", "integer", S + "explorerService.js:155"),
        Read("tx[].txid", "hex64", S + "explorerService.js:168"),
        Read("tx[].vin[]", "object", S + "explorerService.js:188"),
        Read("tx[].vin[].coinbase?", "string", S + "explorerService.js:161"),
        Read("tx[].vin[].txid?", "hex64", S + "explorerService.js:205"),
        Read("tx[].vin[].vout?", "integer", S + "explorerService.js:205"),
        Read("tx[].vout[]", "object", S + "explorerService.js:157"),
        Read("tx[].vout[].valueSat", "integer", S + "explorerService.js:172"),
        Read("tx[].vout[].scriptPubKey.hex", "string", S + "explorerService.js:173"),
        Read("tx[].vout[].scriptPubKey.asm?", "string", S + "explorerService.js:506"),
        Read("tx[].vout[].scriptPubKey.addresses?", "array", S + "explorerService.js:166"),
        Read("tx[].vout[].scriptPubKey.addresses?[]", "string", S + "explorerService.js:171"),
    ],
    # fluxService.js:1767 getBlock({hashheight: chainInfo.bestblockhash, verbosity: 1})
    "getblock:hash,1": [
        Read("time", "integer", S + "fluxService.js:1775"),
    ],
    "getrawtransaction:txid,1": [
        Read("vout[].scriptPubKey.addresses?[]", "string", S + "explorerService.js:134"),
        Read("vout[].value", "number", S + "generalService.js:76"),  # value === 10000 || value === 1000 ...
    ],
    # explorerService.js:885/997 executeBatchCall of {method: 'getrawtransaction', params: [txid, 1]}
    "getrawtransaction:batch": [
        Read("txid", "hex64", S + "explorerService.js:914"),
        Read("height", "integer", S + "explorerService.js:924"),
        Read("version", "integer", S + "explorerService.js:923"),
        Read("vin", "array", S + "explorerService.js:897"),
        Read("vout[].scriptPubKey.addresses?[]", "string", S + "explorerService.js:902"),
        Read("vout[].scriptPubKey.asm?", "string", S + "explorerService.js:940"),
        Read("vout[].valueSat", "integer", S + "explorerService.js:937"),
    ],
    # explorerService.js:1062 getChainTips({params: {minheight: n}}) -> ensureNumber -> [n]
    "getchaintips:minheight": [
        Read("[].status", "string", S + "explorerService.js:1071"),
        Read("[].height", "integer", S + "explorerService.js:1071"),
        Read("[].branchlen", "integer", S + "explorerService.js:1082"),
    ],
    # networkStateService.js:51 viewDeterministicFluxNodeList -> the network state every FluxOS service searches
    "viewdeterministiczelnodelist": [
        Read("[].pubkey", "string", S + "utils/networkStateManager.js:233"),
        Read("[].ip", "string", S + "utils/networkStateManager.js:236"),
        Read("[].added_height", "integer", S + "utils/networkStateManager.js:320"),
        Read("[].txhash", "hex64", S + "utils/networkStateManager.js:322"),
        Read("[].tier", "string", S + "enterpriseNodesService.js:49"),
        Read("[].payment_address", "string", S + "enterpriseNodesService.js:65"),
        # C++ writes outidx and activesince as strings (GetTxIndex(), std::to_string); FluxOS only joins and
        # multiplies them, which works on strings. Its typedef (networkStateManager.js:13) says number: wrong.
        Read("[].outidx", "string", S + "enterpriseNodesService.js:67"),
        Read("[].activesince", "string", S + "enterpriseNodesService.js:81"),
        Read("[].collateral", "outpoint", S + "appTamperingDetectionService.js:122"),  # generalService.js:25 parse
    ],
    # daemonServiceFluxnodeRpcs.js:15 getFluxNodeStatus (getzelnodestatus, []): the node's own state
    "getzelnodestatus": [
        Read("status", "string", S + "generalService.js:166"),
        Read("collateral", "outpoint", S + "generalService.js:63"),
        Read("last_confirmed_height", "integer", S + "fluxService.js:1791"),
    ],
    # explorerService.js:975 / :845 (the bootstrap): {addresses, start, end}
    "getaddresstxids": [Read("[]", "hex64", S + "explorerService.js:980")],
    "getaddressdeltas": [
        Read("[].txid", "hex64", S + "explorerService.js:867"),
        Read("[].satoshis", "integer", S + "explorerService.js:872"),
    ],
}

# Methods FluxOS calls (daemonService/*.js, explorerService.js) that fluxd does not build yet, with what FluxOS
# would read from them. The test asserts each answers -32601 "Method not found" (HTTP 404) in the shape FluxOS
# parses, so FluxOS reports a clean daemon error rather than hanging.
NOT_BUILT_READS: dict[str, list[Read]] = {}

# Methods FluxOS calls that C++ registers as hidden (left out of `help`): the test counts them as built.
HIDDEN_CALLS = {"createconfirmationtransaction"}

# Wallet methods FluxOS wraps (daemonServiceWalletRpcs.js, daemonServiceZcashRpcs.js) that fluxd has not built:
# the shielded wallet.
WALLET_METHODS = """z_exportkey z_exportviewingkey z_getbalance z_getmigrationstatus z_getnewaddress z_getoperationresult z_getoperationstatus
z_gettotalbalance z_importkey z_importviewingkey z_importwallet z_listaddresses z_listoperationids
z_listreceivedbyaddress z_listunspent z_mergetoaddress z_sendmany z_setmigration z_shieldcoinbase
zcrawjoinsplit zcrawkeygen zcrawreceive zcsamplejoinsplit""".split()


# Every daemon method FluxOS calls (rpccall names in daemonService/*.js and explorerService.js, lower-cased as
# fluxRpc.js sends them), with the first place it names it. The test splits them by the node's help list.
FLUXOS_CALLS: dict[str, str] = {
    "addmultisigaddress": S + "daemonService/daemonServiceWalletRpcs.js:24",
    "addnode": S + "daemonService/daemonServiceNetworkRpcs.js:24",
    "backupwallet": S + "daemonService/daemonServiceWalletRpcs.js:83",
    "clearbanned": S + "daemonService/daemonServiceNetworkRpcs.js:46",
    "createconfirmationtransaction": S + "daemonService/daemonServiceWalletRpcs.js:878",
    "createmultisig": S + "daemonService/daemonServiceUtilityRpcs.js:19",
    "createrawtransaction": S + "daemonService/daemonServiceTransactionRpcs.js:37",
    "createzelnodekey": S + "daemonService/daemonServiceFluxnodeRpcs.js:93",
    "decoderawtransaction": S + "daemonService/daemonServiceTransactionRpcs.js:103",
    "decodescript": S + "daemonService/daemonServiceTransactionRpcs.js:149",
    "disconnectnode": S + "daemonService/daemonServiceNetworkRpcs.js:63",
    "dumpprivkey": S + "daemonService/daemonServiceWalletRpcs.js:107",
    "estimatefee": S + "daemonService/daemonServiceUtilityRpcs.js:69",
    "estimatepriority": S + "daemonService/daemonServiceUtilityRpcs.js:90",
    "fundrawtransaction": S + "daemonService/daemonServiceTransactionRpcs.js:195",
    "getaddednodeinfo": S + "daemonService/daemonServiceNetworkRpcs.js:89",
    "getaddressbalance": S + "daemonService/daemonServiceAddressRpcs.js:94",
    "getaddressdeltas": S + "daemonService/daemonServiceAddressRpcs.js:157",
    "getaddressmempool": S + "daemonService/daemonServiceAddressRpcs.js:282",
    "getaddresstxids": S + "daemonService/daemonServiceAddressRpcs.js:33",
    "getaddressutxos": S + "daemonService/daemonServiceAddressRpcs.js:227",
    "getbalance": S + "daemonService/daemonServiceWalletRpcs.js:132",
    "getbenchmarks": S + "daemonService/daemonServiceBenchmarkRpcs.js:14",
    "getbenchstatus": S + "daemonService/daemonServiceBenchmarkRpcs.js:28",
    "getbestblockhash": S + "daemonService/daemonServiceBlockchainRpcs.js:15",
    "getblock": S + "daemonService/daemonServiceBlockchainRpcs.js:35",
    "getblockchaininfo": S + "daemonService/daemonServiceBlockchainRpcs.js:50",
    "getblockcount": S + "daemonService/daemonServiceBlockchainRpcs.js:64",
    "getblockdeltas": S + "daemonService/daemonServiceBlockchainRpcs.js:103",
    "getblockhash": S + "daemonService/daemonServiceBlockchainRpcs.js:81",
    "getblockhashes": S + "daemonService/daemonServiceBlockchainRpcs.js:129",
    "getblockheader": S + "daemonService/daemonServiceBlockchainRpcs.js:192",
    "getblocksubsidy": S + "daemonService/daemonServiceMiningRpcs.js:18",
    "getblocktemplate": S + "daemonService/daemonServiceMiningRpcs.js:40",
    "getchaintips": S + "daemonService/daemonServiceBlockchainRpcs.js:215",
    "getconnectioncount": S + "daemonService/daemonServiceNetworkRpcs.js:114",
    "getdeprecationinfo": S + "daemonService/daemonServiceNetworkRpcs.js:128",
    "getdifficulty": S + "daemonService/daemonServiceBlockchainRpcs.js:235",
    "getdoslist": S + "daemonService/daemonServiceFluxnodeRpcs.js:124",
    "getinfo": S + "daemonService/daemonServiceControlRpcs.js:32",
    "getlocalsolps": S + "daemonService/daemonServiceMiningRpcs.js:59",
    "getmempoolinfo": S + "daemonService/daemonServiceBlockchainRpcs.js:249",
    "getmininginfo": S + "daemonService/daemonServiceMiningRpcs.js:73",
    "getnettotals": S + "daemonService/daemonServiceNetworkRpcs.js:142",
    "getnetworkhashps": S + "daemonService/daemonServiceMiningRpcs.js:94",
    "getnetworkinfo": S + "daemonService/daemonServiceNetworkRpcs.js:156",
    "getnetworksolps": S + "daemonService/daemonServiceMiningRpcs.js:115",
    "getnewaddress": S + "daemonService/daemonServiceWalletRpcs.js:153",
    "getpeerinfo": S + "daemonService/daemonServiceNetworkRpcs.js:170",
    "getrawchangeaddress": S + "daemonService/daemonServiceWalletRpcs.js:171",
    "getrawmempool": S + "daemonService/daemonServiceBlockchainRpcs.js:268",
    "getrawtransaction": S + "daemonService/daemonServiceTransactionRpcs.js:243",
    "getreceivedbyaddress": S + "daemonService/daemonServiceWalletRpcs.js:192",
    "getspentinfo": S + "daemonService/daemonServiceBlockchainRpcs.js:400",
    "getstartlist": S + "daemonService/daemonServiceFluxnodeRpcs.js:138",
    "gettransaction": S + "daemonService/daemonServiceWalletRpcs.js:214",
    "gettxout": S + "daemonService/daemonServiceBlockchainRpcs.js:288",
    "gettxoutproof": S + "daemonService/daemonServiceBlockchainRpcs.js:315",
    "gettxoutsetinfo": S + "daemonService/daemonServiceBlockchainRpcs.js:336",
    "getunconfirmedbalance": S + "daemonService/daemonServiceWalletRpcs.js:237",
    "getwalletinfo": S + "daemonService/daemonServiceWalletRpcs.js:255",
    "getzelnodecount": S + "daemonService/daemonServiceFluxnodeRpcs.js:110",
    "getzelnodeoutputs": S + "daemonService/daemonServiceFluxnodeRpcs.js:157",
    "getzelnodestatus": S + "daemonService/daemonServiceFluxnodeRpcs.js:15",
    "help": S + "daemonService/daemonServiceControlRpcs.js:17",
    "importaddress": S + "daemonService/daemonServiceWalletRpcs.js:278",
    "importprivkey": S + "daemonService/daemonServiceWalletRpcs.js:305",
    "importwallet": S + "daemonService/daemonServiceWalletRpcs.js:330",
    "keypoolrefill": S + "daemonService/daemonServiceWalletRpcs.js:354",
    "listaddressgroupings": S + "daemonService/daemonServiceWalletRpcs.js:374",
    "listbanned": S + "daemonService/daemonServiceNetworkRpcs.js:184",
    "listfluxnodes": S + "daemonService/daemonServiceFluxnodeRpcs.js:37",
    "listlockunspent": S + "daemonService/daemonServiceWalletRpcs.js:392",
    "listreceivedbyaddress": S + "daemonService/daemonServiceWalletRpcs.js:439",
    "listsinceblock": S + "daemonService/daemonServiceWalletRpcs.js:464",
    "listtransactions": S + "daemonService/daemonServiceWalletRpcs.js:491",
    "listunspent": S + "daemonService/daemonServiceWalletRpcs.js:516",
    "listzelnodeconf": S + "daemonService/daemonServiceFluxnodeRpcs.js:73",
    "lockunspent": S + "daemonService/daemonServiceWalletRpcs.js:543",
    "ping": S + "daemonService/daemonServiceNetworkRpcs.js:203",
    "prioritisetransaction": S + "daemonService/daemonServiceMiningRpcs.js:139",
    "rescanblockchain": S + "daemonService/daemonServiceWalletRpcs.js:413",
    "sendfrom": S + "daemonService/daemonServiceWalletRpcs.js:577",
    "sendmany": S + "daemonService/daemonServiceWalletRpcs.js:650",
    "sendrawtransaction": S + "daemonService/daemonServiceTransactionRpcs.js:266",
    "sendtoaddress": S + "daemonService/daemonServiceWalletRpcs.js:733",
    "setban": S + "daemonService/daemonServiceNetworkRpcs.js:225",
    "settxfee": S + "daemonService/daemonServiceWalletRpcs.js:800",
    "signmessage": S + "daemonService/daemonServiceWalletRpcs.js:827",
    "signrawtransaction": S + "daemonService/daemonServiceTransactionRpcs.js:328",
    "startdeterministiczelnode": S + "daemonService/daemonServiceFluxnodeRpcs.js:176",
    "startzelbenchd": S + "daemonService/daemonServiceBenchmarkRpcs.js:47",
    "startzelnode": S + "daemonService/daemonServiceFluxnodeRpcs.js:202",
    "stop": S + "daemonService/daemonServiceControlRpcs.js:59",
    "stopzelbenchd": S + "daemonService/daemonServiceBenchmarkRpcs.js:65",
    "submitblock": S + "daemonService/daemonServiceMiningRpcs.js:164",
    "validateaddress": S + "daemonService/daemonServiceUtilityRpcs.js:111",
    "verifychain": S + "daemonService/daemonServiceBlockchainRpcs.js:360",
    "verifymessage": S + "daemonService/daemonServiceUtilityRpcs.js:146",
    "verifytxoutproof": S + "daemonService/daemonServiceBlockchainRpcs.js:378",
    "viewdeterministiczelnodelist": S + "daemonService/daemonServiceFluxnodeRpcs.js:229",
    "z_exportkey": S + "daemonService/daemonServiceZcashRpcs.js:22",
    "z_exportviewingkey": S + "daemonService/daemonServiceZcashRpcs.js:47",
    "z_getbalance": S + "daemonService/daemonServiceZcashRpcs.js:73",
    "z_getmigrationstatus": S + "daemonService/daemonServiceZcashRpcs.js:97",
    "z_getnewaddress": S + "daemonService/daemonServiceZcashRpcs.js:118",
    "z_getoperationresult": S + "daemonService/daemonServiceZcashRpcs.js:141",
    "z_getoperationstatus": S + "daemonService/daemonServiceZcashRpcs.js:164",
    "z_gettotalbalance": S + "daemonService/daemonServiceZcashRpcs.js:189",
    "z_importkey": S + "daemonService/daemonServiceZcashRpcs.js:213",
    "z_importviewingkey": S + "daemonService/daemonServiceZcashRpcs.js:241",
    "z_importwallet": S + "daemonService/daemonServiceZcashRpcs.js:267",
    "z_listaddresses": S + "daemonService/daemonServiceZcashRpcs.js:293",
    "z_listoperationids": S + "daemonService/daemonServiceZcashRpcs.js:313",
    "z_listreceivedbyaddress": S + "daemonService/daemonServiceZcashRpcs.js:335",
    "z_listunspent": S + "daemonService/daemonServiceZcashRpcs.js:367",
    "z_mergetoaddress": S + "daemonService/daemonServiceZcashRpcs.js:403",
    "z_sendmany": S + "daemonService/daemonServiceZcashRpcs.js:436",
    "z_setmigration": S + "daemonService/daemonServiceZcashRpcs.js:499",
    "z_shieldcoinbase": S + "daemonService/daemonServiceZcashRpcs.js:529",
    "z_validateaddress": S + "daemonService/daemonServiceUtilityRpcs.js:192",
    "zcbenchmark": S + "daemonService/daemonServiceZcashRpcs.js:556",
    "zcrawjoinsplit": S + "daemonService/daemonServiceZcashRpcs.js:587",
    "zcrawkeygen": S + "daemonService/daemonServiceZcashRpcs.js:645",
    "zcrawreceive": S + "daemonService/daemonServiceZcashRpcs.js:666",
    "zcsamplejoinsplit": S + "daemonService/daemonServiceZcashRpcs.js:720",
    "zelnodecurrentwinner": S + "daemonService/daemonServiceFluxnodeRpcs.js:247",
}
