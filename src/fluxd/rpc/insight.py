"""Shared pieces of the insight-explorer RPCs (C++ rpc/misc.cpp, rpc/blockchain.cpp with fInsightExplorer).

C++ enables them all with -experimentalfeatures -insightexplorer; here each
answers when the index it reads is registered (-insightexplorer, or our
-addressindex / -spentindex alone) and, as our extension, refuses while that
index is still being built from the stored chain.
"""

from __future__ import annotations

from collections.abc import Callable

from fluxd.chainstate.address_index import P2PKH, P2SH
from fluxd.chainstate.spent_index import SpentInfo, spent_info
from fluxd.core.address import AddressError, Destination, decode_destination, encode_destination
from fluxd.core.tx_parts import OutPoint
from fluxd.rpc.errors import RPC_INVALID_ADDRESS_OR_KEY, RPC_MISC_ERROR, RPCError
from fluxd.rpc.params import get_str

ADDRESS_INDEX = "addressindex"
SPENT_INDEX = "spentindex"
TIMESTAMP_INDEX = "timestampindex"
_LABELS = {ADDRESS_INDEX: "address index", SPENT_INDEX: "spent index", TIMESTAMP_INDEX: "timestamp index"}
_KINDS = {P2PKH: "pubkeyhash", P2SH: "scripthash"}
SpentLookup = Callable[[bytes, int], "SpentInfo | None"]  # (txid_rev, output index) -> who spent it


def disabled_help(rpc: str) -> str:
    """C++ experimentalDisabledHelpMsg(rpc, "insightexplorer")."""
    return (
        f"\nWARNING: {rpc} is disabled.\n"
        "To enable it, restart fluxd with the -experimentalfeatures and\n"
        "-insightexplorer commandline options, or add these two lines\n"
        "to the flux.conf file:\n\n"
        "experimentalfeatures=1\n"
        "insightexplorer=1\n"
    )


def help_text(rpc: str, head: str, tail: str, enabled: bool) -> str:
    """The C++ help: the usage and description, the disabled warning when off, then the rest."""
    return head + ("" if enabled else disabled_help(rpc)) + tail


def require_index(node, name: str, rpc: str):
    """The registered, complete index module ``name``; else the C++ disabled error, or ours while it is built."""
    index = node.chainstate.module(name)
    if index is None:
        raise RPCError(
            RPC_MISC_ERROR, f"Error: {rpc} is disabled. Run './flux-cli help {rpc}' for instructions on how to enable this feature."
        )
    progress = getattr(index, "progress", None)
    if progress is not None:
        tip_height = node.chainstate.height
        raise RPCError(
            RPC_MISC_ERROR,
            f"Error: the {_LABELS.get(name, name)} is still being built (height {progress[0]} of {tip_height}); try again "
            "when it is done (see getindexinfo)",
        )
    return index


def index_enabled(node, name: str) -> bool:
    return node.chainstate.module(name) is not None


# ----- addresses --------------------------------------------------------------------------------
def address_key_from_text(text: str, prefixes) -> bytes:
    """getIndexKey(DecodeDestination(text)): type ‖ hash160, or -5 "Invalid address"."""
    try:
        destination = decode_destination(text, prefixes)
    except AddressError:
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid address") from None
    return bytes((P2PKH if destination.kind == "pubkeyhash" else P2SH,)) + destination.hash160


def address_text(address_key: bytes, prefixes) -> str | None:
    """getAddressFromIndex / DestFromAddressHash + EncodeDestination; None for type 0 (not an address)."""
    kind = _KINDS.get(address_key[0])
    return None if kind is None else encode_destination(Destination(kind, address_key[1:]), prefixes)


def addresses_from_params(params: list, prefixes) -> list[bytes]:
    """getAddressesFromParams: a string, or {"addresses": [strings]}; the address keys in the order given."""
    first = params[0]
    if isinstance(first, str):
        texts = [first]
    elif isinstance(first, dict):
        values = first.get("addresses")
        if not isinstance(values, list):
            raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Addresses is expected to be an array")
        texts = [get_str(value) for value in values]
    else:
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid address")
    return [address_key_from_text(text, prefixes) for text in texts]


# ----- spent outputs ----------------------------------------------------------------------------
def spent_lookup(node) -> SpentLookup | None:
    """C++ GetSpentIndex (the mempool first, then the chain's spent index); None when the spent index is off or building."""
    chainstate = getattr(node, "chainstate", None)
    module = getattr(chainstate, "module", None)
    index = module(SPENT_INDEX) if module is not None else None
    if index is None or getattr(index, "progress", None) is not None:
        return None
    reader = chainstate.state_reader()
    pool = getattr(node, "mempool", None)
    pool_index = getattr(pool, "spent_index", None) if pool is not None else None

    def lookup(txid_rev: bytes, index: int) -> SpentInfo | None:
        outpoint = OutPoint(txid_rev, index & 0xFFFFFFFF)
        found = pool_index.spent_info(outpoint) if pool_index is not None else None
        return found if found is not None else spent_info(reader, outpoint)

    return lookup
