"""Build a PoN regtest chain of large blocks in memory (fat zero-value coinbase outputs) to submit to a node."""

from __future__ import annotations

import tempfile

from fluxd.core.block import Block
from fluxd.core.merkle import block_merkle_root
from fluxd.core.tx_parts import TxOut
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade
from tests.block_building import MemoryChain

PARAMS = networks.regtest_params({Upgrade.PON: 1})
OP_RETURN = 0x6A


def fatten(block: Block, extra_bytes: int, salt: int) -> Block:
    """The block with ``extra_bytes`` more coinbase outputs (OP_RETURN filler); PoN needs no new solution."""
    chunk = 9_000
    outputs = [TxOut(0, bytes([OP_RETURN]) + salt.to_bytes(4, "little") + bytes(chunk)) for _ in range(extra_bytes // chunk)]
    coinbase = block.transactions[0]
    coinbase = coinbase.copy_with(vout=(*coinbase.vout, *outputs))
    txs = (coinbase, *block.transactions[1:])
    root, _ = block_merkle_root([tx.txid_rev for tx in txs])
    return Block(block.header.copy_with(merkle_root_rev=root), txs)


def fat_chain(count: int, extra_bytes: int, start_time: int) -> list[Block]:
    """``count`` connected blocks after the regtest genesis, each about ``extra_bytes`` large."""
    from fluxd.core.address import address_to_script

    payout = address_to_script(PARAMS.dev_fund_address, PARAMS.base58)
    chain = MemoryChain(PARAMS, payout, tempfile.mkdtemp(prefix="fatchain"), start_time)
    blocks = []
    for height in range(1, count + 1):
        chain.time += 60
        from tests.block_building import build_block

        block = fatten(build_block(PARAMS, chain.chainstate.tip, payout, chain.time), extra_bytes, height)
        chain.chainstate.process_block(block)
        assert chain.chainstate.tip.hash_rev == block.hash_rev
        blocks.append(block)
    return blocks
