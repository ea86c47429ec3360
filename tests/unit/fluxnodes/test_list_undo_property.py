"""Random START / CONFIRM / UPDATE / spend / empty-block sequences: disconnecting every block restores the list."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fluxd.consensus.validation import ValidationError
from fluxd.core.fluxnode_tx import CONFIRM_UPDATE
from tests.unit.fluxnodes.list_harness import ListHarness, era_params

NODES = 4
ACTIONS = st.lists(st.tuples(st.sampled_from(["start", "confirm", "update", "spend", "empty", "empty10"]),
                             st.integers(0, NODES - 1)), min_size=1, max_size=30)  # fmt: skip


def _transactions(harness: ListHarness, nodes, action: str, index: int):
    node = nodes[index]
    if action == "start":
        return (node.start(),)
    if action == "confirm":
        return (node.confirm(),)
    if action == "update":
        return (node.confirm(CONFIRM_UPDATE, ip=f"10.0.0.{harness.height % 250}:16125"),)
    if action == "spend":
        return (harness.spend(node.collateral),) if node.collateral in harness.coins else ()
    return ()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS, st.booleans())
def test_connect_then_disconnect_restores_every_earlier_state(actions, pon):
    harness = ListHarness(era_params(pon_height=1 if pon else 100_000), 2_000)
    nodes = [harness.new_node() for _ in range(NODES)]
    snapshots = [harness.snapshot()]
    for action, index in actions:
        repeat = 10 if action == "empty10" else 1
        for _ in range(repeat):
            try:
                harness.connect(*_transactions(harness, nodes, action, index))
            except ValidationError:
                continue  # a refused block changes nothing
            snapshots.append(harness.snapshot())
    while harness.history:
        snapshots.pop()
        harness.disconnect()
        assert harness.snapshot() == snapshots[-1]
