"""Test framework: build and solve a block on top of a chain (the core of C++ CreateNewBlock + generate on regtest).

PoW blocks get an Equihash solution from the solver; on regtest PoN heights
the block uses the C++ test bypass collateral and a dummy signature, exactly
as the C++ ``generate`` RPC does.
"""

from __future__ import annotations

from collections.abc import Sequence

from fluxd.chainstate.block_index import BlockIndexEntry
from fluxd.consensus.pon import TEST_BYPASS_COLLATERAL
from fluxd.consensus.difficulty import median_time_past, next_work_required
from fluxd.consensus.equihash_epochs import valid_eh_parameter_list
from fluxd.consensus.equihash_solver import solve_header
from fluxd.consensus.coinbase import coinbase_outputs, required_outputs
from fluxd.core.address import address_to_script
from fluxd.core.block import PON_VERSION, Block, BlockHeader
from fluxd.core.merkle import block_merkle_root
from fluxd.core.opcodes import OP_0
from fluxd.core.script import push_int
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import is_pon_active

ZERO_32 = b"\x00" * 32


def coinbase_for(
    params: ChainParams,
    height: int,
    payout_script: bytes,
    fees: int = 0,
    extra_nonce: int = 0,
    fluxnode_payees: Sequence[tuple[bytes, int]] = (),
) -> Transaction:
    """The coinbase CreateNewBlock writes; ``fluxnode_payees`` are the (script, amount) pairs the fluxnode list
    wants paid (``fluxd.chainstate.fluxnodes.attach.next_block_payees``), none by default."""
    outputs = coinbase_outputs(required_outputs(params, height, fees, fluxnode_payees), payout_script)
    script_sig = push_int(height) + (push_int(extra_nonce) if extra_nonce else bytes([OP_0]))
    return Transaction(version=1, vin=(TxIn(OutPoint.null(), script_sig, 0xFFFFFFFF),), vout=outputs)


def build_block(
    params: ChainParams,
    prev: BlockIndexEntry,
    payout_script: bytes,
    now: int,
    transactions: tuple[Transaction, ...] = (),
    fees: int = 0,
    extra_nonce: int = 0,
    fluxnode_payees: Sequence[tuple[bytes, int]] = (),
) -> Block:
    """A solved block extending ``prev`` (PoW, or PoN with the regtest bypass collateral), paying
    ``fluxnode_payees`` in its coinbase."""
    height = prev.height + 1
    pon = is_pon_active(params, height)
    if pon:
        payout_script = address_to_script(params.dev_fund_address, params.base58)
        block_time = max(now, prev.time + 1)
    else:
        block_time = max(now, median_time_past(prev) + 1)
    coinbase = coinbase_for(params, height, payout_script, fees, extra_nonce, fluxnode_payees)
    txs = (coinbase, *transactions)
    merkle_root, _ = block_merkle_root([tx.txid_rev for tx in txs])
    header = BlockHeader(
        version=PON_VERSION if pon else 4,
        prev_block_rev=prev.hash_rev,
        merkle_root_rev=merkle_root,
        final_sapling_root_rev=ZERO_32,
        time=block_time,
        bits=next_work_required(params, prev, block_time),
    )
    if pon:
        return Block(header.copy_with(collateral=TEST_BYPASS_COLLATERAL, block_sig=b"\x00" * 64), txs)
    eh_params = valid_eh_parameter_list(params, height)[0]
    nonce_rev, solution = solve_header(eh_params, header.prefix_bytes(), start_nonce=height << 32)
    return Block(header.copy_with(nonce_rev=nonce_rev, solution=solution), txs)


class MemoryChain:
    """A chainstate on an in-memory store with a fake clock; ``mine(txs)`` connects one solved block 600 s later."""

    def __init__(self, params: ChainParams, payout_script: bytes, block_dir, start_time: int = 1_600_000_000) -> None:
        from fluxd.chainstate.chainstate import COLUMNS, Chainstate
        from fluxd.storage.block_files import BlockFiles
        from fluxd.storage.memory import MemoryStore

        self.params, self.payout_script, self.time = params, payout_script, start_time
        self.chainstate = Chainstate(params, MemoryStore(COLUMNS), BlockFiles(block_dir, params.message_start), lambda: self.time)
        self.chainstate.load()

    def mine(self, txs=()) -> Block:
        self.time += 600
        block = build_block(self.params, self.chainstate.tip, self.payout_script, self.time, tuple(txs))
        self.chainstate.process_block(block)
        assert self.chainstate.tip.hash_rev == block.hash_rev
        return block
