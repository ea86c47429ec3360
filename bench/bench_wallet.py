"""Wallet costs on a busy wallet: balance, available coins, building and signing a send, and following blocks.

A real ``Wallet`` over a ``WalletFile`` in a temp directory, with a chain stand-in (every block on the
active chain, tip ``--txs`` blocks above the first): ``--txs`` transactions each paying one of the
wallet's keys (so ``--txs`` unspent outputs) are recorded as blocks would record them, then timed:

- ``getbalance``: ``balances.balance`` (C++ GetBalance: trusted, unspent credit),
- ``available coins``: ``balances.available_coins`` (C++ AvailableCoins, what a send selects from),
- ``sendtoaddress build``: ``sending.build_send`` of one payment (selection, fee loop, real signatures),
- ``block scan``: ``sync_transaction`` over a block of ``--block-txs`` transactions none of which
  touch the wallet (what every block of an IBD costs the wallet thread), per block and per tx.

Median of ``--repeats``, next to the target each is compared with.

    .venv/bin/python bench/bench_wallet.py [--txs 10000] [--block-txs 2000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from fluxd.core.address import address_to_script  # noqa: E402
from fluxd.core.amount import COIN  # noqa: E402
from fluxd.core.keys import PrivateKey  # noqa: E402
from fluxd.core.script import p2pkh_script  # noqa: E402
from fluxd.core.transaction import Transaction  # noqa: E402
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut  # noqa: E402
from fluxd.params.networks import regtest_params  # noqa: E402
from fluxd.wallet import balances  # noqa: E402
from fluxd.wallet.fee_policy import NoEstimates  # noqa: E402
from fluxd.wallet.sending import SendSetup, build_send  # noqa: E402
from fluxd.wallet.tx_builder import Recipient  # noqa: E402
from fluxd.wallet.wallet import Wallet  # noqa: E402
from fluxd.wallet.wallet_file import WalletFile  # noqa: E402


class BenchChain:
    """Every block hash maps to its height; all on the active chain."""

    def __init__(self) -> None:
        self.heights: dict[bytes, int] = {}
        self.height = 0

    def tip_height(self) -> int:
        return self.height

    def block_height(self, block_hash_rev: bytes) -> int | None:
        return self.heights.get(block_hash_rev)

    def block_time(self, block_hash_rev: bytes) -> int | None:
        return 1_600_000_000 + 600 * self.heights[block_hash_rev] if block_hash_rev in self.heights else None

    def in_mempool(self, txid_rev: bytes) -> bool:
        return False

    def now(self) -> int:
        return 1_600_000_000 + 600 * self.height


def _median(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _fund(wallet: Wallet, chain: BenchChain, count: int) -> None:
    scripts = [address_to_script(wallet.new_address(), wallet.prefixes) for _ in range(50)]
    with wallet.lock, wallet.file.transaction():
        for n in range(count):
            tx = Transaction(vin=(TxIn(OutPoint(n.to_bytes(32, "little"), 0), b""),),
                             vout=(TxOut(COIN + n, scripts[n % len(scripts)]),))  # fmt: skip
            block = (n + 1).to_bytes(32, "big")
            chain.heights[block] = n + 1
            wallet.sync_transaction(tx, block, 1)
    chain.height = count + 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--txs", type=int, default=10_000)
    parser.add_argument("--block-txs", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    params = regtest_params()
    with tempfile.TemporaryDirectory() as tmp:
        chain = BenchChain()
        wallet = Wallet(WalletFile(Path(tmp) / "wallet.dat", "regtest"), params, chain, keypool_size=100)
        wallet.first_run()
        start = time.perf_counter()
        _fund(wallet, chain, options.txs)
        record_rate = options.txs / (time.perf_counter() - start)
        expected = sum(COIN + n for n in range(options.txs))
        assert balances.balance(wallet) == expected, "the bench's wallet is not what it paid"
        setup = SendSetup(wallet.settings, NoEstimates(), chain.height, rng=random.Random(1))
        target = p2pkh_script(PrivateKey(b"\x07" * 32).key_id)

        def send() -> None:
            built, change = build_send(wallet, setup, [Recipient(target, 3 * COIN)])
            change.release()

        other = [p2pkh_script(bytes([n % 256]) * 20) for n in range(options.block_txs)]
        block_txs = [Transaction(vin=(TxIn(OutPoint((10**9 + n).to_bytes(32, "little"), 0), b""),),
                                 vout=(TxOut(COIN, other[n]), TxOut(COIN, other[-n]))) for n in range(options.block_txs)]  # fmt: skip

        def scan() -> None:
            with wallet.lock:
                for index, tx in enumerate(block_txs):
                    wallet.sync_transaction(tx, b"\xee" * 32, index)

        rows = [
            ("getbalance", _median(lambda: balances.balance(wallet), options.repeats), 0.050),
            ("available coins", _median(lambda: balances.available_coins(wallet), options.repeats), 0.100),
            ("sendtoaddress build+sign", _median(send, options.repeats), 0.250),
            (f"block scan ({options.block_txs} txs)", _median(scan, options.repeats), 0.040),
        ]
        print(f"wallet with {options.txs} confirmed transactions / unspent outputs; recorded at {record_rate:,.0f} tx/s")
        print(f"{'operation':<30}{'median':>12}{'target':>12}")
        for name, seconds, target_seconds in rows:
            print(f"{name:<30}{seconds * 1000:>10.1f}ms{target_seconds * 1000:>10.0f}ms")
        per_tx = rows[-1][1] / options.block_txs * 1e6
        print(f"block scan per transaction: {per_tx:.1f} us (C++ IsMine+IsFromMe per tx, target < 20 us)")
        wallet.file.close()


if __name__ == "__main__":
    main()
