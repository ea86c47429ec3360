"""Fluxnode list RPCs (C++ rpc/fluxnode.cpp): viewdeterministicfluxnodelist, getfluxnodecount,
fluxnodecurrentwinner, getstartlist, getdoslist and their legacy zelnode names.

Every handler reads the fluxnode list of the current tip through one accessor,
``_fluxnode_list``; a chainstate without a list answers as an empty list.  JSON
keys, their order and value types are those of C++ (CONSENSUS_TRANSACTIONS.md
§6.8): heights are numbers, ``outidx`` / ``activesince`` / ``lastpaid`` are
strings (or the number 0 past the tip), amounts are FormatMoney strings.
"""

from __future__ import annotations

from collections.abc import Iterator

from fluxd.chainstate.fluxnodes.reader_protocol import FluxnodeListReader
from fluxd.chainstate.fluxnodes.records import DOS, STARTED, TIER_NAMES, FluxnodeRecord
from fluxd.core.address import script_to_address
from fluxd.core.amount import format_money
from fluxd.core.tx_parts import OutPoint
from fluxd.params.upgrades import is_pon_active
from fluxd.rpc.errors import RPC_CLIENT_IN_INITIAL_DOWNLOAD, RPCError
from fluxd.p2p.cnetaddr import NET_IPV4, NET_IPV6, NET_TOR, host_without_port, network_name, network_of
from fluxd.rpc.params import check_count, get_str
from fluxd.rpc.registry import RPCTable

TIERS = (1, 2, 3)  # C++ CUMULUS .. LAST-1
START_WINDOW, START_WINDOW_PON = 60, 240  # FLUXNODE_START_TX_EXPIRATION_HEIGHT(_V2)
DOS_WINDOW, DOS_WINDOW_PON = 180, 720  # FLUXNODE_DOS_REMOVE_AMOUNT(_V2)
TIER_COUNT_KEYS = (("basic-enabled", "cumulus-enabled"), ("super-enabled", "nimbus-enabled"), ("bamf-enabled", "stratus-enabled"))


def _cli_example(name: str) -> str:
    return f"> flux-cli {name} \n"


def _rpc_example(name: str) -> str:
    return (f"> curl --user myusername --data-binary '{{\"jsonrpc\": \"1.0\", \"id\":\"curltest\", \"method\": \"{name}\", "
            f"\"params\": [] }}' -H 'content-type: text/plain;' http://127.0.0.1:16124/\n")  # fmt: skip


def list_help(name: str) -> str:
    return (
        f'{name} ( "filter" )\n'
        "\nView the list of deterministic fluxnode(s)\n"
        "\nResult:\n"
        "[\n"
        "  {\n"
        '    "collateral": n,                       (string) Collateral transaction\n'
        '    "txhash": "hash",                    (string) Collateral transaction hash\n'
        '    "outidx": n,                           (numeric) Collateral transaction output index\n'
        '    "ip": "address"                      (string) IP address\n'
        '    "network": "network"                 (string) Network type (IPv4, IPv6, onion)\n'
        '    "added_height": "height"             (string) Block height when fluxnode was added\n'
        '    "confirmed_height": "height"         (string) Block height when fluxnode was confirmed\n'
        '    "last_confirmed_height": "height"    (string) Last block height when fluxnode was confirmed\n'
        '    "last_paid_height": "height"         (string) Last block height when fluxnode was paid\n'
        '    "tier": "type",                      (string) Tier (CUMULUS/NIMBUS/STRATUS)\n'
        '    "payment_address": "addr",           (string) Fluxnode Flux address\n'
        '    "pubkey": "key",                     (string) Fluxnode public key used for message broadcasting\n'
        '    "activesince": ttt,                    (numeric) The time in seconds since epoch (Jan 1 1970 GMT) fluxnode has been active\n'
        '    "lastpaid": ttt,                       (numeric) The time in seconds since epoch (Jan 1 1970 GMT) fluxnode was last paid\n'
        '    "rank": n                              (numberic) rank\n'
        "  }\n"
        "  ,...\n"
        "]\n"
        "\nExamples:\n" + _cli_example(name)
    )


def count_help(name: str) -> str:
    return (
        f"{name}\n"
        "\nGet fluxnode count values\n"
        "\nResult:\n"
        "{\n"
        '  "total": n,        (numeric) Total fluxnodes\n'
        '  "stable": n,       (numeric) Stable count\n'
        '  "enabled": n,      (numeric) Enabled fluxnodes\n'
        '  "inqueue": n       (numeric) Fluxnodes in queue\n'
        "}\n"
        "\nExamples:\n" + _cli_example(name) + _rpc_example(name)
    )


def winner_help(name: str) -> str:
    return (
        f"{name}\n"
        "\nGet current zelnode winner\n"
        "\nResult:\n"
        "{\n"
        '  "protocol": xxxx,        (numeric) Protocol version\n'
        '  "txhash": "xxxx",      (string) Collateral transaction hash\n'
        '  "pubkey": "xxxx",      (string) ZN Public key\n'
        '  "lastseen": xxx,       (numeric) Time since epoch of last seen\n'
        '  "activeseconds": xxx,  (numeric) Seconds ZN has been active\n'
        "}\n"
        "\nExamples:\n" + _cli_example(name) + _rpc_example(name)
    )


def _pending_list_help(name: str, which: str, countdown_key: str, countdown_text: str) -> str:
    return (
        f"{name}\n"
        f"\nGet a list of all fluxnodes in the {which} list\n"
        "\nResult:\n"
        "[\n"
        "  {\n"
        '    "collateral": "hash",  (string) Collateral transaction hash\n'
        '    "added_height": n,   (numeric) Height the fluxnode start transaction was added to the chain\n'
        '    "payment_address": "xxx",   (string) The payment address associated with the fluxnode\n'
        f'    "{countdown_key}": n,     (numeric) {countdown_text}\n'
        "  }\n"
        "  ,...\n"
        "]\n"
        "\nExamples:\n" + _cli_example(name) + _rpc_example(name)
    )


GETSTARTLIST_HELP = _pending_list_help(
    "getstartlist", "start", "expires_in",
    "The amount of blocks before the start transaction expires, unless a confirmation transaction is added to a block",
)  # fmt: skip
GETDOSLIST_HELP = _pending_list_help(
    "getdoslist", "DOS", "eligible_in", "The amount of blocks before the fluxnode is eligible to be started again"
)


class EmptyFluxnodeList:
    """The list a chainstate without a fluxnode list answers with: nothing started, DoS-listed or confirmed."""

    def __init__(self, tip_height: int) -> None:
        self.tip_height = tip_height

    def get(self, collateral: OutPoint) -> FluxnodeRecord | None:
        return None

    def confirmed_in_payment_order(self, tier: int) -> Iterator[FluxnodeRecord]:
        return iter(())

    def confirmed_count(self) -> int:
        return 0

    def with_status(self, status: int) -> Iterator[FluxnodeRecord]:
        return iter(())

    def delegate_keys(self, collateral: OutPoint) -> list[bytes] | None:
        return None


def _fluxnode_list(node) -> FluxnodeListReader:
    """The fluxnode list of the current tip (chainstate.fluxnode_list()); empty when the chainstate has none."""
    chainstate = node.chainstate
    read_list = getattr(chainstate, "fluxnode_list", None)
    if read_list is None:
        return EmptyFluxnodeList(chainstate.height)
    return read_list()


def _refuse_during_ibd(node) -> None:
    if node.chainstate.is_initial_block_download():
        raise RPCError(RPC_CLIENT_IN_INITIAL_DOWNLOAD, "Wait until chain is synced closer to tip")


def tier_name(tier: int) -> str:
    """FluxnodeCacheData::TierToString."""
    if tier in TIER_NAMES:
        return TIER_NAMES[tier]
    return "None" if tier == 0 else f"UNKNOWN TIER ({tier})"


def collateral_text(outpoint: OutPoint) -> str:
    """COutPoint::ToFullString."""
    return f"COutPoint({outpoint.txid_hum}, {outpoint.n})"


def payment_address(node, record: FluxnodeRecord) -> str:
    """EncodeDestination of the node's payee (the empty string for a script without an address)."""
    return script_to_address(record.payee_script, node.params.base58) or ""


def _block_time_text(chain, height: int) -> str | int:
    """std::to_string(chainActive[height]->nTime), or the number 0 when height is past the tip."""
    entry = chain.at(height)
    return str(entry.time) if entry is not None else 0


# --- viewdeterministicfluxnodelist ---------------------------------------------------------------


def _matches_filter(record: FluxnodeRecord, address: str, text: str) -> bool:
    """C++: a substring of txhash, operator pubkey hex, ip or payment address (empty matches all)."""
    if not text:
        return True
    return any(text in field for field in (record.collateral.txid_hum, record.operator_pubkey.hex(), record.ip, address))


def list_entry_json(chain, record: FluxnodeRecord, address: str, rank: int) -> dict:
    """One GetDeterministicListData object, keys in C++ order."""
    entry = {
        "collateral": collateral_text(record.collateral),
        "txhash": record.collateral.txid_hum,
        "outidx": str(record.collateral.n),
        "ip": record.ip,
        "network": network_name(host_without_port(record.ip)),
        "added_height": record.added_height,
        "confirmed_height": record.confirmed_height,
        "last_confirmed_height": record.last_confirmed_height,
        "last_paid_height": record.last_paid_height,
        "tier": tier_name(record.tier),
        "payment_address": address,
        "pubkey": record.operator_pubkey.hex(),
        "activesince": _block_time_text(chain, record.added_height),
        "lastpaid": _block_time_text(chain, record.last_paid_height),  # never paid: height 0, the genesis time
    }
    if record.collateral_amount > 0:
        entry["amount"] = format_money(record.collateral_amount)
    entry["rank"] = rank
    return entry


def deterministic_list(node, filter_text: str) -> list[dict]:
    """Cumulus, Nimbus, Stratus in payment order; rank counts every node of the tier, the filter comes after."""
    fluxnodes, chain = _fluxnode_list(node), node.chainstate.active
    result = []
    for tier in TIERS:
        for rank, record in enumerate(fluxnodes.confirmed_in_payment_order(tier)):
            address = payment_address(node, record)
            if _matches_filter(record, address, filter_text):
                result.append(list_entry_json(chain, record, address, rank))
    return result


def _view_list_handler(name: str):
    help_text = list_help(name)

    def handler(node, params):
        check_count(params, 0, 1, help_text)
        _refuse_during_ibd(node)
        filter_text = get_str(params[0]) if params else ""
        return deterministic_list(node, filter_text)

    handler.__name__ = f"rpc_{name}"
    return handler, help_text


# --- getfluxnodecount ----------------------------------------------------------------------------


def fluxnode_count(node) -> dict:
    """C++ getfluxnodecount: totals, per-tier counts under old and new names, networks of the raw ip."""
    fluxnodes = _fluxnode_list(node)
    total = fluxnodes.confirmed_count()
    per_tier = [list(fluxnodes.confirmed_in_payment_order(tier)) for tier in TIERS]
    networks = {NET_IPV4: 0, NET_IPV6: 0, NET_TOR: 0}
    for record in (record for records in per_tier for record in records):
        network = network_of(record.ip)  # CountNetworks: the ip as stored, port and all
        if network in networks:
            networks[network] += 1
    result = {"total": total, "stable": total}
    for names_index in (0, 1):
        for (names, records) in zip(TIER_COUNT_KEYS, per_tier):
            result[names[names_index]] = len(records)
    result.update({"ipv4": networks[NET_IPV4], "ipv6": networks[NET_IPV6], "onion": networks[NET_TOR]})
    return result


def _count_handler(name: str):
    help_text = count_help(name)

    def handler(node, params):
        check_count(params, 0, 0, help_text)
        return fluxnode_count(node)

    handler.__name__ = f"rpc_{name}"
    return handler, help_text


# --- fluxnodecurrentwinner -----------------------------------------------------------------------


def winner_json(node, record: FluxnodeRecord) -> dict:
    return {
        "collateral": collateral_text(record.collateral),
        "ip": record.ip,
        "added_height": record.added_height,
        "confirmed_height": record.confirmed_height,
        "last_confirmed_height": record.last_confirmed_height,
        "last_paid_height": record.last_paid_height,
        "tier": tier_name(record.tier),
        "payment_address": payment_address(node, record),
    }


def current_winners(node) -> dict:
    """The next payee of each tier (the head of its payment order), keyed "<TIER> Winner"; empty tiers left out."""
    fluxnodes = _fluxnode_list(node)
    result = {}
    for tier in TIERS:
        payee = next(iter(fluxnodes.confirmed_in_payment_order(tier)), None)
        if payee is not None:
            result[f"{TIER_NAMES[tier]} Winner"] = winner_json(node, payee)
    return result


def _winner_handler(name: str):
    help_text = winner_help(name)

    def handler(node, params):
        check_count(params, 0, 0, help_text)
        return current_winners(node)

    handler.__name__ = f"rpc_{name}"
    return handler, help_text


# --- getstartlist / getdoslist -------------------------------------------------------------------


def _pending_entries(node, status: int, countdown_key: str, window: int, last_listed: int) -> list[dict]:
    """Entries with ``window - (tip - added)`` blocks left, ordered by it then by outpoint (C++ std::map),
    only those with 0..last_listed left."""
    fluxnodes = _fluxnode_list(node)
    tip = node.chainstate.height
    keyed = []
    for record in fluxnodes.with_status(status):
        left = window - (tip - record.added_height)
        if 0 <= left <= last_listed:
            keyed.append(((left, record.collateral.txid_rev, record.collateral.n), record, left))
    keyed.sort(key=lambda item: item[0])
    return [_pending_json(node, record, countdown_key, left) for _, record, left in keyed]


def _pending_json(node, record: FluxnodeRecord, countdown_key: str, left: int) -> dict:
    entry = {
        "collateral": collateral_text(record.collateral),
        "added_height": record.added_height,
        "payment_address": payment_address(node, record),
        countdown_key: left,
    }
    if record.collateral_amount > 0:
        entry["amount"] = format_money(record.collateral_amount)
    return entry


def start_list(node) -> list[dict]:
    window = START_WINDOW_PON if is_pon_active(node.params, node.chainstate.height) else START_WINDOW
    return _pending_entries(node, STARTED, "expires_in", window, window)


def dos_list(node) -> list[dict]:
    window = DOS_WINDOW_PON if is_pon_active(node.params, node.chainstate.height) else DOS_WINDOW
    return _pending_entries(node, DOS, "eligible_in", window, DOS_WINDOW_PON)  # C++ lists up to 720 either way


def rpc_getstartlist(node, params):
    check_count(params, 0, 0, GETSTARTLIST_HELP)
    return start_list(node)


def rpc_getdoslist(node, params):
    check_count(params, 0, 0, GETDOSLIST_HELP)
    return dos_list(node)


def register(table: RPCTable) -> None:
    factories = (
        (_view_list_handler, ("viewdeterministicfluxnodelist", "viewdeterministiczelnodelist", "listfluxnodes", "listzelnodes")),
        (_count_handler, ("getfluxnodecount", "getzelnodecount")),
        (_winner_handler, ("fluxnodecurrentwinner", "zelnodecurrentwinner")),
    )
    for factory, names in factories:
        for name in names:
            handler, help_text = factory(name)
            table.register(name, "fluxnode", handler, help_text)
    table.register("getstartlist", "fluxnode", rpc_getstartlist, GETSTARTLIST_HELP)
    table.register("getdoslist", "fluxnode", rpc_getdoslist, GETDOSLIST_HELP)
