"""flux-cli argument conversion (C++ rpc/client.cpp vRPCConvertParams, RPCConvertValues).

Listed (method, index) pairs are parsed as JSON; every other argument is sent as a string.
"""

from __future__ import annotations

import json

from fluxd.util.univalue import RawNumber

_CONVERT = """
stop 0; setmocktime 0; getaddednodeinfo 0; setgenerate 0 1; generate 0; getnetworkhashps 0 1;
getnetworksolps 0 1; sendtoaddress 1 4; consolidateutxos 0; settxfee 0; getreceivedbyaddress 1;
getreceivedbyaccount 1; listreceivedbyaddress 0 1 2; listreceivedbyaccount 0 1 2; getbalance 1 2;
getblockhash 0; move 2 3; sendfrom 2 3; listtransactions 1 2 3; listaccounts 0 1; walletpassphrase 1;
getblocktemplate 0; listsinceblock 1 2; sendmany 1 2 4; addmultisigaddress 0 1; createmultisig 0 1;
listunspent 0 1 2; getblock 1; getblockheader 1; gettransaction 1; getrawtransaction 1;
createrawtransaction 0 1 2 3; signrawtransaction 1 2; sendrawtransaction 1; fundrawtransaction 1;
gettxout 1 2; gettxoutproof 0; lockunspent 0 1; importprivkey 2; importaddress 2; verifychain 0 1;
keypoolrefill 0; getrawmempool 0; estimatefee 0; estimatepriority 0; prioritisetransaction 1 2;
rescanblockchain 0; setban 2 3; getspentinfo 0; getaddresstxids 0; getaddressbalance 0;
getaddressdeltas 0; getaddressutxos 0; getaddressmempool 0; getblockhashes 0 1 2; getblockdeltas 0;
zcrawjoinsplit 1 2 3 4; zcbenchmark 1 2; getblocksubsidy 0; z_listaddresses 0; z_listreceivedbyaddress 1;
z_listunspent 0 1 2 3; z_getbalance 1; z_gettotalbalance 0 1 2; z_mergetoaddress 0 2 3 4;
z_sendmany 1 2 3; z_shieldcoinbase 2 3; z_getoperationstatus 0; z_getoperationresult 0; z_importkey 2;
z_importviewingkey 2; z_getpaymentdisclosure 1 2; z_setmigration 0; spork 1; printsnapshot 0;
createp2shstarttx 3 4; getchaintips 0; startfluxnodewithdelegates 1 2
"""


def _table() -> frozenset[tuple[str, int]]:
    pairs = set()
    for entry in _CONVERT.replace("\n", " ").split(";"):
        words = entry.split()
        if words:
            pairs.update((words[0], int(index)) for index in words[1:])
    return frozenset(pairs)


CONVERT_PARAMS = _table()


class ConvertError(ValueError):
    pass


def parse_json_value(text: str):
    """ParseNonRFCJSONValue: any JSON value (numbers kept as their exact text)."""
    try:
        values = json.loads("[" + text + "]", parse_float=RawNumber, parse_constant=_reject_constant)
    except ValueError:
        raise ConvertError(f"Error parsing JSON:{text}") from None
    if len(values) != 1:
        raise ConvertError(f"Error parsing JSON:{text}")
    return values[0]


def _reject_constant(name: str):
    raise ValueError(name)


def convert_params(method: str, arguments: list[str]) -> list:
    return [
        parse_json_value(text) if (method, index) in CONVERT_PARAMS else text for index, text in enumerate(arguments)
    ]
