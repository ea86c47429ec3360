"""What the wallet's history RPCs compute (C++ rpcwallet.cpp / wallet.cpp), pure over a ``Wallet``.

C++ iterates ``mapWallet`` (keyed by txid, compared as internal bytes) and
``mapAddressBook`` (keyed by CTxDestination: key ids before script ids, each
by its 20 bytes); the functions here walk the same orders so that every list
comes out as the C++ node prints it.  Call them with ``wallet.lock`` held.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fluxd.core.address import AddressError, Destination, decode_destination
from fluxd.core.tx_parts import OutPoint
from fluxd.wallet import balances
from fluxd.wallet.chain_access import blocks_to_maturity, is_final
from fluxd.wallet.ismine import ISMINE_ALL, ISMINE_NO, ISMINE_WATCH_ONLY, extract_destination
from fluxd.wallet.wallet_file import AccountEntry
from fluxd.wallet.wallet_tx import WalletTx

INT_MAX = 2**31 - 1
HIDDEN_MAP_VALUES = frozenset({"fromaccount", "version", "spent", "n", "timesmart"})  # C++ keeps them out of mapValue


def destination_key(destination: Destination) -> tuple[int, bytes]:
    """The order of CTxDestination (std::variant): CKeyID before CScriptID, then the hash bytes."""
    return (0 if destination.kind == "pubkeyhash" else 1, destination.hash160)


def txs_in_txid_order(wallet) -> list[WalletTx]:
    """mapWallet's order: txid as internal bytes."""
    return [wallet.txs[txid_rev] for txid_rev in sorted(wallet.txs)]


def address_book_entries(wallet) -> list[tuple[Destination, str, str]]:
    """mapAddressBook in C++ order: (destination, address, label)."""
    rows = []
    for address, (label, _purpose) in wallet.address_book.items():
        try:
            rows.append((decode_destination(address, wallet.prefixes), address, label))
        except AddressError:
            continue
    return sorted(rows, key=lambda row: destination_key(row[0]))


def label_of(wallet, destination: Destination | None) -> str | None:
    """The address book name of a destination, None when it has no entry."""
    if destination is None:
        return None
    entry = wallet.address_book.get(wallet.address_of(destination))
    return None if entry is None else entry[0]


def is_mine_destination(wallet, destination: Destination | None) -> int:
    """IsMine(keystore, CTxDestination): the script paying the destination."""
    return ISMINE_NO if destination is None else wallet.is_mine(destination.script_pubkey())


def sent_account(wtx: WalletTx) -> str:
    """strFromAccount (sendfrom's from address; "" otherwise)."""
    return wtx.map_value.get("fromaccount", "")


def shown_map_value(wtx: WalletTx) -> list[tuple[str, str]]:
    """mapValue as C++ holds it in memory, in key order."""
    return sorted((key, value) for key, value in wtx.map_value.items() if key not in HIDDEN_MAP_VALUES)


def sorted_conflicts(wallet, wtx: WalletTx) -> list[bytes]:
    return sorted(wallet.conflicts(wtx))


def involves_watch_only(wallet, wtx: WalletTx) -> bool:
    """IsFromMe(ISMINE_WATCH_ONLY)."""
    return wallet.debit(wtx.tx, ISMINE_WATCH_ONLY) > 0


# listtransactions' order
def ordered_items(wallet, account: str = "*") -> list[tuple[WalletTx | None, AccountEntry | None]]:
    """OrderedTxItems, oldest first: transactions and the account's move entries by order position."""
    items = [((wtx.order_pos, 0, n), wtx, None) for n, wtx in enumerate(txs_in_txid_order(wallet))]
    for n, entry in enumerate(wallet.account_entries):
        if account == "*" or entry.account == account:
            items.append(((entry.order_pos, 1, n), None, entry))
    items.sort(key=lambda item: item[0])
    return [(wtx, entry) for _key, wtx, entry in items]


def since_block(wallet, depth: int) -> list[WalletTx]:
    """listsinceblock's transactions: all (depth -1), else those less deep than the block."""
    return [wtx for wtx in txs_in_txid_order(wallet) if depth == -1 or wallet.depth(wtx) < depth]


# received tallies (ListReceived)
@dataclass
class Tally:
    amount: int = 0
    confirmations: int = INT_MAX
    txids: list[bytes] = field(default_factory=list)
    watch_only: bool = False


@dataclass(frozen=True)
class ReceivedRow:
    address: str
    account: str
    amount: int
    confirmations: int  # 0 when nothing was received
    txids: list[bytes]
    watch_only: bool


def received_tally(wallet, min_depth: int, filter_: int) -> dict[Destination, Tally]:
    tally: dict[Destination, Tally] = {}
    for wtx in txs_in_txid_order(wallet):
        if wtx.is_coinbase or not is_final(wallet.chain, wtx.tx):
            continue
        depth = wallet.depth(wtx)
        if depth < min_depth:
            continue
        for out in wtx.tx.vout:
            destination = extract_destination(out.script_pubkey)
            if destination is None:
                continue
            mine = is_mine_destination(wallet, destination)
            if not mine & filter_:
                continue
            item = tally.setdefault(destination, Tally())
            item.amount += out.value
            item.confirmations = min(item.confirmations, depth)
            item.txids.append(wtx.txid_rev)
            item.watch_only = item.watch_only or bool(mine & ISMINE_WATCH_ONLY)
    return tally


def received_by_address(wallet, min_depth: int, include_empty: bool, filter_: int) -> list[ReceivedRow]:
    tally = received_tally(wallet, min_depth, filter_)
    rows = []
    for destination, address, label in address_book_entries(wallet):
        item = tally.get(destination)
        if item is None and not include_empty:
            continue
        item = item or Tally()
        confirmations = 0 if item.confirmations == INT_MAX else item.confirmations
        rows.append(ReceivedRow(address, label, item.amount, confirmations, list(item.txids), item.watch_only))
    return rows


def received_by_account(wallet, min_depth: int, include_empty: bool, filter_: int) -> list[ReceivedRow]:
    """ListReceived(fByAccounts): per label, in name order; the watch-only flag is the last address's (as C++)."""
    tally = received_tally(wallet, min_depth, filter_)
    accounts: dict[str, Tally] = {}
    for destination, _address, label in address_book_entries(wallet):
        item = tally.get(destination)
        if item is None and not include_empty:
            continue
        item = item or Tally()
        total = accounts.setdefault(label, Tally())
        total.amount += item.amount
        total.confirmations = min(total.confirmations, item.confirmations)
        total.watch_only = item.watch_only
    rows = []
    for label in sorted(accounts):
        total = accounts[label]
        confirmations = 0 if total.confirmations == INT_MAX else total.confirmations
        rows.append(ReceivedRow("", label, total.amount, confirmations, [], total.watch_only))
    return rows


def received_by_script(wallet, script_pubkey: bytes, min_depth: int) -> int:
    """getreceivedbyaddress: outputs paying exactly this script in final, non-coinbase transactions."""
    total = 0
    for wtx in wallet.txs.values():
        if wtx.is_coinbase or not is_final(wallet.chain, wtx.tx):
            continue
        for out in wtx.tx.vout:
            if out.script_pubkey == script_pubkey and wallet.depth(wtx) >= min_depth:
                total += out.value
    return total


def account_addresses(wallet, account: str) -> set[Destination]:
    """GetAccountAddresses: the address book entries named ``account``."""
    return {destination for destination, _address, label in address_book_entries(wallet) if label == account}


def received_by_account_total(wallet, account: str, min_depth: int) -> int:
    """getreceivedbyaccount: outputs to the account's own addresses in final, non-coinbase transactions."""
    addresses = account_addresses(wallet, account)
    total = 0
    for wtx in wallet.txs.values():
        if wtx.is_coinbase or not is_final(wallet.chain, wtx.tx):
            continue
        for out in wtx.tx.vout:
            destination = extract_destination(out.script_pubkey)
            if destination is None or not is_mine_destination(wallet, destination) or destination not in addresses:
                continue
            if wallet.depth(wtx) >= min_depth:
                total += out.value
    return total


# listaccounts
def account_balances(wallet, min_depth: int, filter_: int) -> dict[str, int]:
    """listaccounts: every owned address book name, the send accounts, and the move entries; name order."""
    totals: dict[str, int] = {}
    for destination, _address, label in address_book_entries(wallet):
        if is_mine_destination(wallet, destination) & filter_:
            totals[label] = 0
    for wtx in txs_in_txid_order(wallet):
        depth = wallet.depth(wtx)
        if blocks_to_maturity(wallet.chain, wtx) > 0 or depth < 0:
            continue
        received, sent, fee = balances.amounts(wallet, wtx, filter_)
        account = sent_account(wtx)
        totals[account] = totals.get(account, 0) - fee - sum(entry.amount for entry in sent)
        if depth >= min_depth:
            for entry in received:
                label = label_of(wallet, entry.destination)
                name = "" if label is None else label
                totals[name] = totals.get(name, 0) + entry.amount
    for entry in wallet.account_entries:
        totals[entry.account] = totals.get(entry.account, 0) + entry.amount
    return {name: totals[name] for name in sorted(totals)}


# listaddressgroupings
def address_balances(wallet) -> dict[Destination, int]:
    """GetAddressBalances: unspent value per owned destination of trusted, mature transactions."""
    found: dict[Destination, int] = {}
    for wtx in txs_in_txid_order(wallet):
        if not is_final(wallet.chain, wtx.tx) or not balances.is_trusted(wallet, wtx):
            continue
        if wtx.is_coinbase and blocks_to_maturity(wallet.chain, wtx) > 0:
            continue
        if wallet.depth(wtx) < (0 if wallet.debit(wtx.tx, ISMINE_ALL) > 0 else 1):
            continue
        for index, out in enumerate(wtx.tx.vout):
            destination = extract_destination(out.script_pubkey)
            if wallet.is_mine(out.script_pubkey) == ISMINE_NO or destination is None:
                continue
            value = 0 if wallet.is_spent(wtx.txid_rev, index) else out.value
            found[destination] = found.get(destination, 0) + value
    return found


def _raw_groupings(wallet) -> list[set[Destination]]:
    """Inputs grouped with each other and with change; each owned output address alone."""
    groups: list[set[Destination]] = []
    for wtx in txs_in_txid_order(wallet):
        grouping = _input_grouping(wallet, wtx) if wtx.tx.vin else set()
        if grouping:
            groups.append(grouping)
        for out in wtx.tx.vout:
            destination = extract_destination(out.script_pubkey)
            if wallet.is_mine(out.script_pubkey) != ISMINE_NO and destination is not None:
                groups.append({destination})
    return groups


def _input_grouping(wallet, wtx: WalletTx) -> set[Destination]:
    grouping: set[Destination] = set()
    for txin in wtx.tx.vin:
        prev = wallet.txs.get(txin.prevout.txid_rev)
        if prev is None or txin.prevout.n >= len(prev.tx.vout):
            continue
        script = prev.tx.vout[txin.prevout.n].script_pubkey
        destination = extract_destination(script)
        if wallet.is_mine(script) == ISMINE_NO or destination is None:
            continue
        grouping.add(destination)
    if grouping:
        for out in wtx.tx.vout:
            destination = extract_destination(out.script_pubkey)
            if balances.is_change(wallet, out.script_pubkey) and destination is not None:
                grouping.add(destination)
    return grouping


def address_groupings(wallet) -> list[list[Destination]]:
    """GetAddressGroupings: overlapping groups merged; sorted as C++'s set of sets."""
    merged: list[set[Destination]] = []
    for group in _raw_groupings(wallet):
        union = set(group)
        keep = []
        for existing in merged:
            if existing & union:
                union |= existing
            else:
                keep.append(existing)
        merged = keep + [union]
    ordered = [sorted(group, key=destination_key) for group in merged]
    return sorted(ordered, key=lambda group: [destination_key(item) for item in group])


# listunspent, lockunspent
def unspent_coins(wallet, min_depth: int, max_depth: int, destinations: set[Destination]) -> list[balances.WalletCoin]:
    """listunspent: AvailableCoins (unconfirmed and zero-value included) in mapWallet order, filtered."""
    coins = balances.available_coins(wallet, only_confirmed=False, include_zero_value=True)
    coins.sort(key=lambda coin: (coin.wtx.txid_rev, coin.index))
    chosen = []
    for coin in coins:
        if coin.depth < min_depth or coin.depth > max_depth:
            continue
        destination = extract_destination(coin.script_pubkey)
        if destinations and (destination is None or destination not in destinations):
            continue
        chosen.append(coin)
    return chosen


def lock_coin(wallet, outpoint: OutPoint) -> None:
    with wallet.lock:
        wallet.locked_coins.add(outpoint)


def unlock_coin(wallet, outpoint: OutPoint) -> None:
    with wallet.lock:
        wallet.locked_coins.discard(outpoint)


def unlock_all_coins(wallet) -> None:
    with wallet.lock:
        wallet.locked_coins.clear()


def locked_coins(wallet) -> list[OutPoint]:
    """ListLockedCoins: std::set<COutPoint> order (txid bytes, then index)."""
    with wallet.lock:
        return sorted(OutPoint(*outpoint) for outpoint in wallet.locked_coins)
