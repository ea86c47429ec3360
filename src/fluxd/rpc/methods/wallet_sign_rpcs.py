"""Wallet RPCs that sign or add scripts (C++ rpcwallet.cpp): signmessage, addmultisigaddress.

signmessage signs the hash verifymessage checks (``fluxd.core.ecdsa``, C++
strMessageMagic "Zelcash Signed Message:\\n"); addmultisigaddress shares
createmultisig's redeem-script builder (C++ _createmultisig_redeemScript).
"""

from __future__ import annotations

import base64

from fluxd.core.address import Destination
from fluxd.core.ecdsa import sign_message
from fluxd.core.hashes import hash160
from fluxd.rpc.errors import RPC_WALLET_ERROR, RPCError
from fluxd.rpc.methods.utility import key_destination, wallet_redeem_script
from fluxd.rpc.methods.wallet_help import register_wallet_methods, wallet_help
from fluxd.rpc.params import check_count, get_str
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.wallet_common import account_from_value, ensure_unlocked, node_wallet


def rpc_signmessage(node, params):
    wallet = node_wallet(node)
    check_count(params, 2, 2, wallet_help("signmessage", encrypted=wallet.keys.encrypted))
    with wallet.lock:
        ensure_unlocked(wallet)
        address, message = get_str(params[0]), get_str(params[1])
        destination = key_destination(node, address)
        key = wallet.keys.private_key(destination.hash160)
        if key is None:
            raise RPCError(RPC_WALLET_ERROR, "Private key not available")
        signature = sign_message(key.secret, message.encode("utf-8"), key.compressed)
    return base64.b64encode(signature).decode("ascii")


def rpc_addmultisigaddress(node, params):
    wallet = node_wallet(node)
    check_count(params, 2, 3, wallet_help("addmultisigaddress"))
    with wallet.lock:
        account = account_from_value(params[2]) if len(params) > 2 else ""
        redeem = wallet_redeem_script(node, params)
        wallet.add_script(redeem)
        address = wallet.address_of(Destination("scripthash", hash160(redeem)))
        wallet.set_address_book(address, account, "send")
    return address


METHODS = {
    "signmessage": rpc_signmessage,
    "addmultisigaddress": rpc_addmultisigaddress,
}


def register(table: RPCTable) -> None:
    register_wallet_methods(table, METHODS)
