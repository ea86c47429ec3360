"""The benchmark daemon RPCs of a fluxnode (C++ rpc/fluxnode.cpp): getbenchmarks, getbenchstatus,
startfluxbenchd / startzelbenchd, stopfluxbenchd / stopzelbenchd.  Each answers C++'s text."""

from __future__ import annotations

from pathlib import Path

from fluxd.rpc.benchmark_client import BenchmarkClient, default_bench_dir
from fluxd.rpc.errors import RPC_MISC_ERROR, RPCError
from fluxd.rpc.registry import RPCTable

CLI = "> flux-cli {name} \n"
RPC = (
    "> curl --user myusername --data-binary '{{\"jsonrpc\": \"1.0\", \"id\":\"curltest\", \"method\": \"{name}\","
    " \"params\": [] }}' -H 'content-type: text/plain;' http://127.0.0.1:16124/\n"
)
DESCRIPTIONS = {
    "getbenchmarks": "Command to test node benchmarks",
    "getbenchstatus": "Command to get status of fluxbenchd",
    "startfluxbenchd": "Start zelbenchd",
    "startzelbenchd": "Start zelbenchd",
    "stopfluxbenchd": "Stop zelbenchd",
    "stopzelbenchd": "Stop zelbenchd",
}


def help_text(name: str) -> str:
    return f"{name}\n\n{DESCRIPTIONS[name]}\n\nExamples:\n" + CLI.format(name=name) + RPC.format(name=name)


def is_fluxnode(node) -> bool:
    """C++ fFluxnode: -fluxnode or -zelnode."""
    return node.args.get_bool("-fluxnode", False) or node.args.get_bool("-zelnode", False)


def benchmark_client(node) -> BenchmarkClient:
    given = node.args.get("-fluxbenchpath", "")
    directory = Path(given) if given else default_bench_dir()
    return BenchmarkClient(directory, testnet=node.args.get_bool("-testnet", False))


def _checked(node, params: list, name: str) -> BenchmarkClient:
    if not is_fluxnode(node):
        raise RPCError(RPC_MISC_ERROR, "This is not a Flux Node")
    if params:
        raise RPCError(RPC_MISC_ERROR, help_text(name))
    return benchmark_client(node)


def _handler(name: str, run):
    def handle(node, params):
        return run(_checked(node, params, name))

    return handle


def _start(client: BenchmarkClient) -> str:
    if not client.is_running():
        client.start()
        return "Starting process"
    return "Already running"


def _stop(client: BenchmarkClient) -> str:
    if client.is_running():
        client.stop()
        return "Stopping process"
    return "Not running"


ACTIONS = {
    "getbenchmarks": BenchmarkClient.benchmarks,
    "getbenchstatus": BenchmarkClient.status,
    "startfluxbenchd": _start,
    "startzelbenchd": _start,
    "stopfluxbenchd": _stop,
    "stopzelbenchd": _stop,
}


def register(table: RPCTable) -> None:
    for name, action in ACTIONS.items():
        table.register(name, "fluxnode", _handler(name, action), help_text(name))
