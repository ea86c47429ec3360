"""``move`` between accounts (C++ movecmd): a debit and a credit CAccountingEntry, written together."""

from __future__ import annotations

from fluxd.wallet.wallet_file import AccountEntry


def record_move(wallet, from_account: str, to_account: str, amount: int, comment: str) -> tuple[AccountEntry, AccountEntry]:
    """Two entries with the next two order positions (IncOrderPosNext), one file transaction, then memory."""
    with wallet.lock:
        now = wallet.chain.now()
        first = wallet.order_pos_next
        debit = AccountEntry(first, from_account, -amount, now, to_account, comment)
        credit = AccountEntry(first + 1, to_account, amount, now, from_account, comment)
        with wallet.file.transaction():
            wallet.file.put_account_entry(debit)
            wallet.file.put_account_entry(credit)
            wallet.file.put_meta("order_pos_next", str(first + 2).encode())
        wallet.order_pos_next = first + 2
        wallet.account_entries.extend((debit, credit))
        return debit, credit
