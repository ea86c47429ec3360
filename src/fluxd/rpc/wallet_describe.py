"""validateaddress's wallet fields (C++ rpc/misc.cpp validateaddress with DescribeAddressVisitor).

In C++ order after ``scriptPubKey``: ismine, iswatchonly, isscript, then for a
key the wallet knows pubkey and iscompressed, for a script the wallet knows
script, hex, addresses (and sigsrequired for multisig), and last account when
the address is in the address book.  Without a wallet (-disablewallet) C++
still writes ismine/iswatchonly false and isscript.
"""

from __future__ import annotations

from fluxd.core.address import Destination, encode_destination
from fluxd.core.keys import is_compressed_pubkey
from fluxd.core.standard import TX_MULTISIG, extract_destinations
from fluxd.wallet.ismine import ISMINE_NO, ISMINE_SPENDABLE, ISMINE_WATCH_ONLY


def _describe_key(wallet, destination: Destination) -> dict:
    fields: dict = {"isscript": False}
    pubkey = wallet.keys.pubkeys.get(destination.hash160) if wallet is not None else None
    if pubkey is not None:
        fields["pubkey"] = pubkey.hex()
        fields["iscompressed"] = is_compressed_pubkey(pubkey)
    return fields


def _describe_script(wallet, destination: Destination, prefixes) -> dict:
    fields: dict = {"isscript": True}
    redeem = wallet.keys.get_script(destination.hash160) if wallet is not None else None
    if redeem is not None:
        kind, destinations, required = extract_destinations(redeem)
        fields["script"] = kind
        fields["hex"] = redeem.hex()
        fields["addresses"] = [encode_destination(item, prefixes) for item in destinations]
        if kind == TX_MULTISIG:
            fields["sigsrequired"] = required
    return fields


def wallet_address_fields(wallet, destination: Destination, prefixes) -> dict:
    """The fields validateaddress adds for a valid address (``wallet`` None when there is none)."""
    if wallet is None:
        mine = ISMINE_NO
    else:
        with wallet.lock:
            mine = wallet.is_mine(destination.script_pubkey())
    fields: dict = {"ismine": bool(mine & ISMINE_SPENDABLE), "iswatchonly": bool(mine & ISMINE_WATCH_ONLY)}
    if destination.kind == "pubkeyhash":
        fields.update(_describe_key(wallet, destination))
    else:
        fields.update(_describe_script(wallet, destination, prefixes))
    if wallet is not None:
        address = encode_destination(destination, prefixes)
        if address in wallet.address_book:
            fields["account"] = wallet.address_book[address][0]
    return fields
