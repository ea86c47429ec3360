"""getfluxnodesnapshot, rebuildfluxnodedb / rebuildzelnodedb (C++ rpc/fluxnode.cpp) and printsnapshot
(C++ rpc/misc.cpp).

- ``getfluxnodesnapshot``: the tip's height and hash with the whole deterministic
  list (viewdeterministicfluxnodelist's entries, no filter), read as one moment
  on the chain writer (C++ holds cs_main and the cache lock).
- ``rebuildfluxnodedb``: replays the active chain through the fluxnode list
  module into a fresh state and replaces the stored list and its undo records
  in one flush (chainstate/fluxnodes/rebuild.py); ``true``, or ``false`` when
  the replay fails (C++ ``return error(...)``), the stored list then untouched.
- ``printsnapshot``: C++ prints a balance snapshot taken with the undocumented
  ``-snapshot`` option; this node takes none, so every existing snapshot lookup
  answers as C++ does for a time or height without a snapshot: ``null``.
"""

from __future__ import annotations

import logging

from fluxd.chainstate.fluxnodes.rebuild import RebuildError, rebuild_fluxnode_list
from fluxd.consensus.validation import ValidationError
from fluxd.rpc.methods.fluxnodes import _cli_example, _refuse_during_ibd, _rpc_example, deterministic_list
from fluxd.rpc.params import check_count, get_int64
from fluxd.rpc.registry import RPCTable

log = logging.getLogger("fluxd.rpc")

GETFLUXNODESNAPSHOT_HELP = (
    "getfluxnodesnapshot\n"
    "Returns the complete FluxNode list with block height and hash for ZMQ synchronization.\n"
    "\nResult:\n"
    "{\n"
    '  "height": n,        (numeric) Current block height\n'
    '  "blockhash": "hex",  (string) Current block hash\n'
    '  "nodes": [...]      (array) FluxNode list (same format as viewdeterministicfluxnodelist)\n'
    "}\n"
    "\nExamples:\n" + _cli_example("getfluxnodesnapshot")
)


def rebuild_help(name: str) -> str:
    return (
        f"{name} \n"
        "\nRescans the blockchain from the start of the fluxnode transactions to rebuild the fluxnodedb\n"
        "\nNote: This call can take minutes to complete\n"
        "\nExamples:\n" + _cli_example(name) + _rpc_example(name)
    )


PRINTSNAPSHOT_HELP = (
    'printsnapshot "time" \n'
    "\nPrints a snapshot prettylike\n"
    "\nArguments:\n"
    '1. "timeorheight"    (string, required) The timestamp or blockheight that the snapshot was created at\n'
    "\nResult:\n"
    "[\n"
    "address : balance,\n"
    "...\n"
    "]\n"
    "\nExamples:\n"
    "> flux-cli printsnapshot 256884524\n"
    "> curl --user myusername --data-binary '{\"jsonrpc\": \"1.0\", \"id\":\"curltest\", \"method\": \"printsnapshot\", "
    "\"params\": [256884524] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/\n"
)


def fluxnode_snapshot(node) -> dict:
    """{"height", "blockhash", "nodes"} of one tip."""
    chainstate = node.chainstate

    def read() -> dict:
        tip = chainstate.tip
        return {"height": chainstate.height, "blockhash": tip.hash_hum, "nodes": deterministic_list(node, "")}

    run = getattr(chainstate, "run_command", None)
    return run(read) if run is not None else read()


def rpc_getfluxnodesnapshot(node, params):
    check_count(params, 0, 0, GETFLUXNODESNAPSHOT_HELP)
    _refuse_during_ibd(node)
    return fluxnode_snapshot(node)


def _rebuild_handler(name: str):
    help_text = rebuild_help(name)

    def handler(node, params):
        check_count(params, 0, 0, help_text)
        chainstate = node.chainstate
        try:
            chainstate.run_command(rebuild_fluxnode_list, chainstate)
        except (RebuildError, ValidationError) as failure:  # the stored list is left as it was
            log.error("%s: %s", name, failure)
            return False
        return True

    handler.__name__ = f"rpc_{name}"
    return handler, help_text


def rpc_printsnapshot(node, params):
    check_count(params, 1, 1, PRINTSNAPSHOT_HELP)
    get_int64(params[0])
    return None  # no snapshot database: PrettyPrintSnapshot finds nothing


def register(table: RPCTable) -> None:
    table.register("getfluxnodesnapshot", "fluxnode", rpc_getfluxnodesnapshot, GETFLUXNODESNAPSHOT_HELP)
    for name in ("rebuildfluxnodedb", "rebuildzelnodedb"):
        handler, help_text = _rebuild_handler(name)
        table.register(name, "hidden", handler, help_text)
    table.register("printsnapshot", "util", rpc_printsnapshot, PRINTSNAPSHOT_HELP)
