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


def block_fields(node, entry, block) -> dict:
    """getblock's "anchor" (Sprout root after the block) and "valuePools"; a block never connected has its own
    deltas, no known chain totals and the null anchor (C++ leaves hashFinalSproutRoot unset)."""
    pools = ShieldedView(node.chainstate.state_reader()).pools(entry.hash_rev)
    if pools is None:
        sprout, sapling = (sum(parts) for parts in zip((0, 0), *(value_deltas(tx) for tx in block.transactions)))
        return {"anchor": "00" * 32, "valuePools": [value_pool("sprout", None, sprout), value_pool("sapling", None, sapling)]}
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
    sprout, sapling = (pools.chain_sprout, pools.chain_sapling) if pools is not None else (None, None)
    return {"commitments": tree.size() if tree is not None else 0,
            "valuePools": [value_pool("sprout", sprout, None), value_pool("sapling", sapling, None)]}  # fmt: skip
