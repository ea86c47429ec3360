"""z_validateaddress (C++ rpc/misc.cpp, key_io.cpp DecodePaymentAddress): a Sprout address is base58check with
the network's zcPaymentAddress prefix and 64 bytes (a_pk, pk_enc); a Sapling address is Bech32 with the
network's HRP and 43 bytes (diversifier, pk_d).  Without a wallet "ismine" is left out (C++ pwalletMain is
null); this node's wallet holds no shielded keys, so with one it is false."""

from __future__ import annotations

from fluxd.core.base58 import Base58Error, b58check_decode
from fluxd.core.bech32 import Bech32Error, convert_bits, decode
from fluxd.rpc.params import check_count, get_str
from fluxd.rpc.registry import RPCTable

SAPLING_ADDRESS_SIZE = 43
SPROUT_ADDRESS_SIZE = 64
EXAMPLE = "zcWsmqT4X2V4jgxbgiCzyrAfRT1vi1F4sn7M5Pkh66izzw8Uk7LBGAH3DtcSMJeUb2pi3W4SQF8LMKkU2cUuVP68yAGcomL"
HELP = (
    'z_validateaddress "zaddr"\n'
    "\nReturn information about the given z address.\n"
    "\nArguments:\n"
    '1. "zaddr"     (string, required) The z address to validate\n'
    "\nResult:\n"
    "{\n"
    '  "isvalid" : true|false,      (boolean) If the address is valid or not. If not, this is the only property returned.\n'
    '  "address" : "zaddr",         (string) The z address validated\n'
    '  "type" : "xxxx",             (string) "sprout" or "sapling"\n'
    '  "ismine" : true|false,       (boolean) If the address is yours or not\n'
    '  "payingkey" : "hex",         (string) [sprout] The hex value of the paying key, a_pk\n'
    '  "transmissionkey" : "hex",   (string) [sprout] The hex value of the transmission key, pk_enc\n'
    '  "diversifier" : "hex",       (string) [sapling] The hex value of the diversifier, d\n'
    '  "diversifiedtransmissionkey" : "hex", (string) [sapling] The hex value of pk_d\n'
    "}\n"
    "\nExamples:\n"
    f'> flux-cli z_validateaddress "{EXAMPLE}"\n'
    '> curl --user myusername --data-binary \'{"jsonrpc": "1.0", "id":"curltest", "method": "z_validateaddress", '
    f'"params": ["{EXAMPLE}"] }}\' -H \'content-type: text/plain;\' http://127.0.0.1:16124/\n'
)


def _sprout(text: str, prefix: bytes) -> dict | None:
    try:
        payload = b58check_decode(text)
    except Base58Error:
        return None
    if len(payload) != len(prefix) + SPROUT_ADDRESS_SIZE or not payload.startswith(prefix):
        return None
    body = payload[len(prefix):]
    return {"type": "sprout", "payingkey": body[:32][::-1].hex(), "transmissionkey": body[32:][::-1].hex()}


def _sapling(text: str, hrp: str) -> dict | None:
    try:
        found_hrp, values = decode(text)
    except Bech32Error:
        return None
    if found_hrp != hrp or len(values) != (SAPLING_ADDRESS_SIZE * 8 + 4) // 5:
        return None
    data = convert_bits(values, 5, 8, False)
    if data is None or len(data) != SAPLING_ADDRESS_SIZE:
        return None
    raw = bytes(data)
    return {"type": "sapling", "diversifier": raw[:11].hex(), "diversifiedtransmissionkey": raw[11:][::-1].hex()}


def describe(text: str, params) -> dict | None:
    return _sprout(text, params.base58.zc_payment_address) or _sapling(text, params.bech32.sapling_payment_address)


def rpc_z_validateaddress(node, params):
    check_count(params, 1, 1, HELP)
    text = get_str(params[0])
    detail = describe(text, node.params)
    if detail is None:
        return {"isvalid": False}
    if getattr(node, "wallet", None) is not None:
        detail["ismine"] = False
    return {"isvalid": True, "address": text, **detail}


def register(table: RPCTable) -> None:
    table.register("z_validateaddress", "util", rpc_z_validateaddress, HELP)
