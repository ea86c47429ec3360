"""Real fluxd processes on regtest in the PoW era (FLUX and HALVING not active: start window 60, DoS ban 180,
expiry 60, update gap 40) follow fluxnodes through a reorg across their START/CONFIRM/payment blocks, an UPDATE
confirm, a missed confirm (DoS list, then unbanned), expiry when confirms stop, kill -9 and restarts; every
node shows the same list as a node that only ever saw the winning chain."""

from __future__ import annotations

import pytest

from tests.fluxnode_building import TEST_BENCHMARK_KEY, build_confirm, build_start_v5
from tests.functional.fluxnode_setup import (
    Clock,
    Key,
    Wallet,
    assert_same_lists,
    confirmed,
    key_of,
    lists,
    node_args,
    send,
    start_nodes,
    stop_nodes,
)
from tests.functional.framework import RPCFailure, connect_nodes, sync_blocks, wait_until

CONFIRM_INITIAL, CONFIRM_UPDATE = 0, 1
START_WINDOW, DOS_WINDOW, EXPIRY, UPDATE_GAP = 60, 180, 60, 40
X_OWNER, X_OPERATOR = Key.of(51), Key.of(52)
Y_OWNER, Y_OPERATOR = Key.of(61), Key.of(62)
Q_OWNER, Q_OPERATOR = Key.of(71), Key.of(72)


def _start(collateral, owner: Key, operator: Key, now: int):
    return build_start_v5(collateral, owner.key, operator.pubkey, now)


def _confirm(collateral, operator: Key, now: int, update_type: int = CONFIRM_INITIAL):
    return build_confirm(collateral, operator.key, TEST_BENCHMARK_KEY, update_type, "127.0.0.1:16125", now, 1, now)


def _in_mempool(node, count: int) -> None:
    wait_until(lambda: len(node.rpc("getrawmempool")) == count, 30, what=f"{count} mempool transactions")


def _text(outpoint) -> str:
    return f"COutPoint({outpoint.txid_hum}, {outpoint.n})"


def _dos(views) -> dict[str, int]:
    return {entry["collateral"]: entry["eligible_in"] for entry in views[3]}


def _setup(nodes, clock: Clock, owners: list[Key]) -> dict[str, object]:
    clock.mine(101)
    funded = Wallet(nodes[0], clock).pay({owner.address: 1_000 for owner in owners})
    clock.mine(100)
    return funded


def test_reorg_across_start_confirm_and_payment_blocks(tmp_path):
    """a—b—c; a, cut off, mines Y's START, CONFIRM and first payment; b mines a longer branch that c follows.
    After a reconnects all three show c's list; Y then starts and confirms again on the winning chain."""
    nodes = start_nodes(tmp_path, "abc", node_args())
    a, b, c = nodes
    try:
        clock = Clock(nodes)
        clock.tick(0)
        connect_nodes(b, a)
        connect_nodes(c, b)
        funded = _setup(nodes, clock, [X_OWNER, Y_OWNER])
        x, y = funded[X_OWNER.address], funded[Y_OWNER.address]
        send(a, _start(x, X_OWNER, X_OPERATOR, clock.now))
        clock.mine()
        send(a, _confirm(x, X_OPERATOR, clock.now))
        clock.mine(2)  # X confirmed, then paid
        before_split = assert_same_lists(nodes)
        assert [entry["txhash"] for entry in before_split[0]] == [x.txid_hum]
        split_height = a.rpc("getblockcount")

        for peer in a.rpc("getpeerinfo"):
            a.rpc("disconnectnode", peer["addr"])
        wait_until(lambda: not a.rpc("getpeerinfo") and len(b.rpc("getpeerinfo")) == 1, 30, what="split")
        send(a, _start(y, Y_OWNER, Y_OPERATOR, clock.now))
        clock.mine(miner=a, synced=[a])
        send(a, _confirm(y, Y_OPERATOR, clock.now))
        clock.mine(miner=a, synced=[a])
        y_confirmed_at = a.rpc("getblockcount")
        clock.mine(miner=a, synced=[a])  # Y (never paid) wins the tie against X (paid at the same height)
        losing = confirmed(a)
        assert losing[key_of(y)]["confirmed_height"] == y_confirmed_at and losing[key_of(y)]["last_paid_height"] == y_confirmed_at + 1
        clock.mine(5, miner=b, synced=[b, c])
        winning = assert_same_lists([b, c])
        assert winning[0][0]["last_paid_height"] == split_height + 5 and len(winning[0]) == 1 and winning[2] == []

        connect_nodes(a, b)
        sync_blocks(nodes)
        assert a.rpc("getblockcount") == split_height + 5
        assert assert_same_lists(nodes) == winning  # Y's START, CONFIRM and payment are undone on a
        tips = {tip["hash"]: tip for tip in a.rpc("getchaintips")}
        assert any(tip["branchlen"] == 3 and tip["status"] == "valid-fork" for tip in tips.values()), tips

        # C++ DisconnectTip does not resurrect fluxnode txs of disconnected blocks (seen-in-block memory); a new START
        assert a.rpc("getrawmempool") == []
        send(a, _start(y, Y_OWNER, Y_OPERATOR, clock.now))
        clock.mine(miner=a)
        restarted = assert_same_lists(nodes)
        assert [entry["collateral"] for entry in restarted[2]] == [_text(y)]
        send(a, _confirm(y, Y_OPERATOR, clock.now))
        _in_mempool(c, 1)
        clock.mine(miner=c)  # the CONFIRM relays to c, which mines it
        listed, count, starts, _ = assert_same_lists(nodes)
        assert count["total"] == 2 and starts == [] and confirmed(c)[key_of(y)]["confirmed_height"] == split_height + 7
    finally:
        stop_nodes(nodes)


def test_update_confirm_dos_unban_expiry_and_kill9_keep_nodes_in_agreement(tmp_path):
    nodes = start_nodes(tmp_path, "ab", node_args())
    a, b = nodes
    try:
        clock = Clock(nodes)
        clock.tick(0)
        connect_nodes(b, a)
        funded = _setup(nodes, clock, [X_OWNER, Q_OWNER])
        x, q = funded[X_OWNER.address], funded[Q_OWNER.address]
        send(a, _start(x, X_OWNER, X_OPERATOR, clock.now))
        send(a, _start(q, Q_OWNER, Q_OPERATOR, clock.now))
        clock.mine()
        started_at = a.rpc("getblockcount")
        starts = assert_same_lists(nodes)[2]
        assert sorted((entry["added_height"], entry["expires_in"]) for entry in starts) == [(started_at, START_WINDOW)] * 2
        send(a, _confirm(x, X_OPERATOR, clock.now))
        clock.mine()  # X confirmed; Q never will be
        confirmed_at = a.rpc("getblockcount")

        # UPDATE: refused while the block it would be in is not more than 40 blocks past the last confirm
        clock.mine(confirmed_at + UPDATE_GAP - 1 - a.rpc("getblockcount"))
        with pytest.raises(RPCFailure):
            send(a, _confirm(x, X_OPERATOR, clock.now, CONFIRM_UPDATE))
        clock.mine()
        send(a, _confirm(x, X_OPERATOR, clock.now, CONFIRM_UPDATE))
        clock.mine()
        updated_at = a.rpc("getblockcount")
        assert updated_at == confirmed_at + UPDATE_GAP + 1
        entry = confirmed(b)[key_of(x)]
        assert (entry["confirmed_height"], entry["last_confirmed_height"]) == (confirmed_at, updated_at)

        # Q missed its confirm: in the start list up to block started_at + 59, on the DoS list from + 60
        clock.mine(started_at + START_WINDOW - 1 - a.rpc("getblockcount"))
        assert [entry["expires_in"] for entry in assert_same_lists(nodes)[2]] == [1]
        for _ in range(5):  # kill -9 b right after a mined the DoS move: b may be connecting blocks
            clock.tick()
            a.rpc("generate", 1)
        b.kill()
        clock.mine(miner=a, synced=[a])
        b.start()
        clock.tick(0)
        connect_nodes(b, a)
        sync_blocks(nodes)
        listed, _, starts, dos = assert_same_lists(nodes)
        tip = a.rpc("getblockcount")
        assert starts == [] and [(entry["added_height"], entry["eligible_in"]) for entry in dos] == [
            (started_at, DOS_WINDOW - (tip - started_at))]
        assert [entry["last_confirmed_height"] for entry in listed] == [updated_at]

        # no more confirms: X is listed at the end of block updated_at + 60 and gone at the end of + 61
        clock.mine(updated_at + EXPIRY - a.rpc("getblockcount"))
        assert key_of(x) in confirmed(a) and assert_same_lists(nodes)[1]["total"] == 1
        clock.mine()
        assert assert_same_lists(nodes)[1]["total"] == 0
        send(a, _start(x, X_OWNER, X_OPERATOR, clock.now))  # an expired node's collateral can start again
        _in_mempool(b, 1)
        clock.mine()
        assert [entry["collateral"] for entry in assert_same_lists(nodes)[2]] == [_text(x)]

        # Q stays banned until its DoS entry is deleted at block started_at + 180
        clock.mine(started_at + DOS_WINDOW - 1 - a.rpc("getblockcount"))
        b.kill()  # kill -9 at rest, then a clean restart of a: both come back with the same list
        b.start()
        a.stop()
        a.start()
        clock.tick(0)
        connect_nodes(b, a)
        # X's new START went unconfirmed too: DoS-listed 60 blocks after it, eligible 180 blocks after it
        x_restarted_at = updated_at + EXPIRY + 2
        assert _dos(assert_same_lists(nodes)) == {_text(q): 1, _text(x): DOS_WINDOW - (a.rpc("getblockcount") - x_restarted_at)}
        with pytest.raises(RPCFailure, match="fluxnode-tx-already-in-chain-or-waiting-for-dos-unban"):
            send(a, _start(q, Q_OWNER, Q_OPERATOR, clock.now))
        clock.mine()
        assert _dos(assert_same_lists(nodes)) == {_text(x): DOS_WINDOW - (a.rpc("getblockcount") - x_restarted_at)}
        send(a, _start(q, Q_OWNER, Q_OPERATOR, clock.now))
        with pytest.raises(RPCFailure, match="fluxnode-tx-already-in-chain-or-waiting-for-dos-unban"):
            send(a, _start(x, X_OWNER, X_OPERATOR, clock.now))
        clock.mine()
        assert [entry["collateral"] for entry in assert_same_lists(nodes)[2]] == [_text(q)]
    finally:
        stop_nodes(nodes)
