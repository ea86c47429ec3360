"""consolidateutxos (Flux C++ ConsolidateMoney): one address's many outputs merged into one, fee from the amount."""

from __future__ import annotations

from fluxd.core.tx_parts import OutPoint
from fluxd.rpc.errors import RPC_INVALID_PARAMS, RPC_MISC_ERROR, RPC_WALLET_ERROR, RPCError
from fluxd.rpc.params import get_int
from fluxd.rpc.wallet_common import ensure_unlocked
from fluxd.wallet import balances
from fluxd.wallet.ismine import extract_destination
from fluxd.wallet.sending import build_send, commit
from fluxd.wallet.tx_builder import Recipient, TxBuildError

DEFAULT_MINIMUM_COUNT = 100
MAXIMUM_COUNT = 250  # also the most outputs one consolidation spends
REJECTED_TEXT = (
    "Error: The transaction was rejected! This might happen if some of the coins in your wallet were already spent,"
    " such as if you used a copy of wallet.dat and coins were spent in the copy but not marked as spent here."
)


def _unlocked_outputs(wallet):
    """(address, outpoint, available credit) of every trusted, unlocked output with credit (C++ order)."""
    for wtx in sorted(wallet.txs.values(), key=lambda item: item.txid_rev[::-1]):
        if not balances.is_trusted(wallet, wtx):
            continue
        for index, out in enumerate(wtx.tx.vout):
            if (wtx.txid_rev, index) in wallet.locked_coins:
                continue
            destination = extract_destination(out.script_pubkey)
            if destination is None:
                continue
            credit = balances.available_credit(wallet, wtx, index=index)
            if credit > 0:
                yield wallet.address_of(destination), (wtx.txid_rev, index), credit


def consolidate(node, wallet, params: list, send_setup, submit, relay) -> dict:
    ensure_unlocked(wallet)
    minimum = DEFAULT_MINIMUM_COUNT
    if params:
        minimum = get_int(params[0])
        if minimum <= 1:
            raise RPCError(RPC_INVALID_PARAMS, "Minimum UTXO count must be greater than one")
        minimum = min(minimum, MAXIMUM_COUNT)
    with wallet.lock:
        outputs = list(_unlocked_outputs(wallet))
        counts: dict[str, int] = {}
        for address, _outpoint, _credit in outputs:
            counts[address] = counts.get(address, 0) + 1
        chosen = next((address for address in sorted(counts) if counts[address] >= minimum), None)
        if chosen is None:
            raise RPCError(
                RPC_MISC_ERROR, f"Wallet doesn't contain an address that has more than {minimum} Unspent Transaction Outputs"
            )
        selected = [(outpoint, credit) for address, outpoint, credit in outputs if address == chosen][:MAXIMUM_COUNT]
        if not selected:
            raise RPCError(RPC_MISC_ERROR, "Wallet is fully consolidated")
        setup = send_setup(node, wallet, chosen)
        total = sum(credit for _outpoint, credit in selected)
        recipient = Recipient(setup.from_destination.script_pubkey(), total, True)
        preset = tuple(OutPoint(*outpoint) for outpoint, _credit in selected)
        try:
            built, change = build_send(wallet, setup, [recipient], preset)
        except TxBuildError as exc:
            raise RPCError(RPC_WALLET_ERROR, exc.message) from None
        if not commit(wallet, built, change, {"fromaccount": chosen}, submit, relay):
            raise RPCError(RPC_WALLET_ERROR, REJECTED_TEXT)
    return {"transactionid": built.tx.txid_hum, "consolidated": len(built.tx.vin)}
