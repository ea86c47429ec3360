"""The typed node context: RPC handlers whose service is absent answer the C++ errors; state RPC keeps lives on it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.params import networks
from fluxd.rpc.context import NodeContext
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods import register_all
from fluxd.rpc.shutdown import ShutdownRequest
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from fluxd.util.args import parse_parameters
from tests.fake_clock import FakeClock

PARAMS = networks.regtest_params()
NOT_FOUND = (-32601, "Method not found")
NO_P2P = (-31, "Error: Peer-to-peer functionality missing or disabled")


@pytest.fixture
def context(tmp_path) -> NodeContext:
    """A started node without P2P and without a mempool: only the chain (genesis) is there."""
    chainstate = Chainstate(PARAMS, MemoryStore(COLUMNS), BlockFiles(tmp_path / "blocks", PARAMS.message_start), FakeClock())
    chainstate.load()
    context = NodeContext(args=parse_parameters(["-mineraddress=tmGv7Wxe6cHWMQBxHxgK3Hc6ZkpV6wmBgGF"]), params=PARAMS, net_dir=tmp_path)
    context.chainstate = chainstate
    context.attach_tip_signal()
    register_all(context.rpc_table)
    context.rpc_table.set_warmup(None)
    return context


def call(context: NodeContext, method: str, *params):
    return context.rpc_table.execute(context, method, list(params))


def coinbase_hex(context: NodeContext) -> str:
    return context.chainstate.read_block(context.chainstate.tip).transactions[0].to_bytes().hex()


@pytest.mark.parametrize(
    "method, params, expected",
    [
        ("getmempoolinfo", [], NOT_FOUND),
        ("getrawmempool", [True], NOT_FOUND),
        ("prioritisetransaction", ["00" * 32, 0, 1000], NOT_FOUND),
        ("getconnectioncount", [], NO_P2P),
        ("getpeerinfo", [], NO_P2P),
        ("ping", [], NO_P2P),
        ("getblocktemplate", [], (-9, "Flux is not connected!")),
    ],
)
def test_an_absent_service_gives_the_cpp_error(context, method, params, expected):
    with pytest.raises(RPCError) as failure:
        call(context, method, *params)
    assert (failure.value.code, failure.value.message) == expected


def test_sendrawtransaction_without_a_mempool_is_method_not_found(context):
    with pytest.raises(RPCError) as failure:
        call(context, "sendrawtransaction", coinbase_hex(context))
    assert (failure.value.code, failure.value.message) == NOT_FOUND


def test_handlers_that_only_consult_an_absent_service_still_answer(context):
    assert call(context, "estimatefee", 6) == -1 and call(context, "estimatepriority", 6) == -1
    info = call(context, "getmininginfo")
    assert (info["pooledtx"], info["currentblocksize"], info["currentblocktx"]) == (0, 0, 0)
    assert call(context, "gettxout", "00" * 32, 0, True) is None  # through the (absent) mempool
    assert call(context, "getinfo")["connections"] == 0


def test_state_rpc_keeps_is_per_context_and_the_tip_signal_listens(context, tmp_path):
    other = NodeContext(args=parse_parameters([]), params=PARAMS, net_dir=tmp_path)
    assert other.template_cache is not context.template_cache and other.tip_signal is not context.tip_signal
    assert context.chainstate.listeners[-1] is context.tip_signal
    assert context.last_template_stats == (0, 0)


def test_a_shutdown_requested_before_the_loop_is_bound_is_kept():
    request = ShutdownRequest()
    request.request("early")
    request.request("later")

    async def wait() -> None:
        request.bind(asyncio.get_running_loop())
        await request.wait()

    asyncio.run(wait())
    assert request.requested and request.reason == "early"
