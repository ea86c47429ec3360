"""Node: one context shared by its explicit services, started in order; start-up pieces live outside app."""

from __future__ import annotations

import pytest

from fluxd.node import app, startup
from fluxd.node.app import Node
from fluxd.node.chain_service import ChainService
from fluxd.node.fluxnode_service import FluxnodeService
from fluxd.node.mempool_service import MempoolService
from fluxd.node.zmq_service import ZmqService
from fluxd.node.wallet_service import WalletService
from fluxd.node.net_service import NetworkService
from fluxd.params import networks
from fluxd.rpc.context import NodeContext
from fluxd.util.args import parse_parameters


def test_services_share_the_context_in_start_order(tmp_path):
    context = NodeContext(args=parse_parameters(["-regtest"]), params=networks.regtest_params(), net_dir=tmp_path)
    node = Node.build(context)
    assert [type(service) for service in node.services] == [ChainService, NetworkService, MempoolService, ZmqService, WalletService,
                                                                FluxnodeService]
    assert all(service.context is context for service in node.services)
    assert node.mempool.net is node.net
    assert (context.chainstate, context.connman, context.mempool, context.mempool_service, context.fee_estimator, context.wallet,
            context.pon_minter) == (None,) * 7
    assert all(service.warmup_text for service in node.services)


def test_startup_error_and_params_come_from_startup():
    assert app.StartupError is startup.StartupError
    assert startup.select_params(parse_parameters(["-regtest"])).network_id == "regtest"
    with pytest.raises(startup.StartupError):
        startup.select_params(parse_parameters(["-regtest", "-nuparams=zz:1"]))
