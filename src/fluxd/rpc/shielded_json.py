"""The shielded parts of getblock and getblockchaininfo (C++ rpc/blockchain.cpp ValuePoolDesc, blockToJSON,
getblockchaininfo): the Sprout anchor after a block, the value pools, the Sprout tree size."""

from __future__ import annotations

from fluxd.chainstate.shielded_state import ShieldedView, value_deltas
from fluxd.core.amount import amount_to_decimal
from fluxd.util.hexutil import rev_to_hum


def value_pool(name: str, chain_value: int | None, delta: int | None) -> dict:
    """C++ ValuePoolDesc: "monitored" is whether the chain total is known."""
    pool = {"id": name, "monitored": chain_value is not None}
    if chain_value is not None:
        pool.update(chainValue=amount_to_decimal(chain_value), chainValueZat=chain_value)
    if delta is not None:
        pool.update(valueDelta=amount_to_decimal(delta), valueDeltaZat=delta)
    return pool


def _deltas(block) -> tuple[int, int]:
    return tuple(sum(parts) for parts in zip((0, 0), *(value_deltas(tx) for tx in block.transactions)))


def _chain_totals(view: ShieldedView, entry, deltas: tuple[int, int]) -> tuple[int | None, int | None]:
    """C++ ReceivedBlockTransactions: the parent's totals plus this block's, known when the parent's are (the
    genesis block's are its own)."""
    if entry.prev is None:
        return deltas
    before = view.pools(entry.prev.hash_rev)
    if before is None:
        return None, None
    return before.chain_sprout + deltas[0], before.chain_sapling + deltas[1]


def block_fields(node, entry, block) -> dict:
    """getblock's "anchor" (Sprout root after the block) and "valuePools".  A block never connected (the genesis
    block, C++ skips its ConnectBlock, or a side branch) has the null anchor and its own deltas."""
    view = ShieldedView(node.chainstate.state_reader())
    pools = view.pools(entry.hash_rev)
    if pools is None:
        deltas = _deltas(block)
        sprout, sapling = _chain_totals(view, entry, deltas)
        return {"anchor": "00" * 32,
                "valuePools": [value_pool("sprout", sprout, deltas[0]), value_pool("sapling", sapling, deltas[1])]}  # fmt: skip
    return {
        "anchor": rev_to_hum(pools.sprout_root),
        "valuePools": [value_pool("sprout", pools.chain_sprout, pools.sprout_delta),
                       value_pool("sapling", pools.chain_sapling, pools.sapling_delta)],
    }  # fmt: skip


def chain_fields(node, tip) -> dict:
    """getblockchaininfo's "commitments" (the Sprout tree's size at the tip) and "valuePools"."""
    view = ShieldedView(node.chainstate.state_reader())
    tree = view.tree_at("sprout", view.best_root("sprout"))
    pools = view.pools(tip.hash_rev)
    if pools is not None:
        sprout, sapling = pools.chain_sprout, pools.chain_sapling
    else:  # the genesis block as tip (its transactions are not connected; they touch no pool)
        sprout, sapling = (0, 0) if tip.prev is None else (None, None)
    return {"commitments": tree.size() if tree is not None else 0,
            "valuePools": [value_pool("sprout", sprout, None), value_pool("sapling", sapling, None)]}  # fmt: skip
