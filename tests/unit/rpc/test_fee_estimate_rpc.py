"""estimatefee / estimatepriority as C++ rpc/mining.cpp answers them (JSON text included)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fluxd.mempool.fee_estimates_file import load_fee_estimates_bytes
from fluxd.mempool.fee_estimator import BlockPolicyEstimator
from fluxd.params.networks import regtest_params
from fluxd.rpc.context import NodeContext
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods.utility import rpc_estimatefee, rpc_estimatepriority
from fluxd.util.args import Args
from fluxd.util.univalue import RawNumber, dumps
from tests.unit.mempool.test_fee_estimates_file import cpp_file


def node_with(estimator: BlockPolicyEstimator | None) -> NodeContext:
    return NodeContext(args=Args(), params=regtest_params(), net_dir=Path("unused"), fee_estimator=estimator)


def loaded_node():
    estimator = BlockPolicyEstimator()
    load_fee_estimates_bytes(estimator, cpp_file())
    return node_with(estimator)


def test_not_enough_data_is_minus_one_as_a_number():
    for node in (node_with(None), node_with(BlockPolicyEstimator())):
        assert dumps(rpc_estimatefee(node, [6])) == "-1"
        assert dumps(rpc_estimatepriority(node, [6])) == "-1"


def test_estimates_from_loaded_stats():
    node = loaded_node()
    assert rpc_estimatefee(node, [2]) == Decimal("0.00001500") and dumps(rpc_estimatefee(node, [2])) == "0.00001500"
    assert rpc_estimatefee(node, [1]) == -1.0
    assert rpc_estimatefee(node, [26]) == -1.0  # beyond the 25 tracked confirmations
    assert dumps(rpc_estimatepriority(node, [1])) == "300000000"


def test_targets_below_one_count_as_one():
    node = loaded_node()
    assert rpc_estimatepriority(node, [0]) == rpc_estimatepriority(node, [-5]) == 3e8
    assert rpc_estimatefee(node, [0]) == -1.0  # the 1-block estimate


@pytest.mark.parametrize(
    "params, code, message",
    [
        ([], -1, "estimatefee nblocks"),
        ([1, 2], -1, "estimatefee nblocks"),
        (["6"], -3, "Expected type number, got string"),
        ([True], -3, "Expected type number, got bool"),
        ([None], -3, "Expected type number, got null"),
        ([RawNumber("1.5")], -1, "JSON integer out of range"),
        ([2**31], -1, "JSON integer out of range"),
    ],
)
def test_argument_errors(params, code, message):
    with pytest.raises(RPCError) as failure:
        rpc_estimatefee(loaded_node(), params)
    assert failure.value.code == code and failure.value.message.startswith(message)
