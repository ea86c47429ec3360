"""Three real fluxd processes on regtest with one fluxnode of each tier (a v5 Cumulus, a v6 Nimbus, a v6 P2SH
multisig Stratus), then Proof of Node: blocks minted and signed by those fluxnodes are accepted by every node;
blocks minted by a collateral outside the list, signed by the wrong key, missing a payee or paying one to the
wrong script are refused with the C++ reasons; a v6 START with delegates (a PoN-only feature) joins the list."""

from __future__ import annotations

import pytest

from fluxd.core.address import address_to_script
from fluxd.consensus.pon import TEST_BYPASS_COLLATERAL as TEST_BYPASS
from fluxd.core.tx_parts import OutPoint
from tests.fluxnode_building import (
    TEST_BENCHMARK_KEY,
    build_confirm,
    build_start_v5,
    build_start_v6_delegates_update,
    build_start_v6_normal,
    build_start_v6_p2sh,
    build_start_v6_signed_by_delegate,
)
from tests.functional.fluxnode_setup import (
    MINER,
    REGTEST,
    Clock,
    Key,
    Wallet,
    assert_same_lists,
    confirmed,
    key_of,
    multisig,
    node_args,
    pon_block,
    resigned,
    send,
    start_nodes,
    stop_nodes,
    submit,
    template_payees,
)
from tests.functional.framework import RPCFailure, connect_nodes, sync_blocks, wait_until

PON_HEIGHT = 206
CUMULUS_OWNER, CUMULUS_OPERATOR = Key.of(11), Key.of(12)
NIMBUS_OWNER, NIMBUS_OPERATOR = Key.of(21), Key.of(22)
STRATUS_SIGNERS, STRATUS_OPERATOR = [Key.of(31), Key.of(32), Key.of(33)], Key.of(34)
DELEGATED_OWNER, DELEGATED_OPERATOR, DELEGATE = Key.of(41), Key.of(42), Key.of(43)
STRANGER, NEW_OPERATOR = Key.of(99), Key.of(44)
PON_EXPIRY = 640
STRANGER_OUTPOINT = OutPoint(bytes(range(32)), 0)  # no such coin at all


def _confirm(collateral, operator: Key, tier: int, now: int):
    return build_confirm(collateral, operator.key, TEST_BENCHMARK_KEY, 0, f"127.0.0.{tier}:16125", now, tier, now)


def _mint(nodes, clock: Clock, collateral, operator: Key | None) -> str:
    """A PoN block minted by ``collateral`` (signed by ``operator``), submitted to the first node and reached by all."""
    clock.tick()
    block = pon_block(nodes[1], collateral, operator.key if operator else None, clock.now)
    answer = submit(nodes[0], block)
    assert answer is None, answer
    sync_blocks(nodes)
    return block.header.hash_hum


def test_fluxnodes_of_every_tier_mint_pon_blocks_on_three_nodes(tmp_path):
    minter_args = node_args(PON_HEIGHT, "-nuparams=p2shnodes:1", mineraddress=REGTEST.dev_fund_address)
    nodes = start_nodes(tmp_path, "abc", node_args(PON_HEIGHT, "-nuparams=p2shnodes:1"), {"b": minter_args})
    minter = nodes[1]  # getblocktemplate under PoN needs the dev fund as -mineraddress (C++ TestBlockValidity)
    try:
        clock = Clock(nodes)
        clock.tick(0)
        connect_nodes(nodes[1], nodes[0])
        connect_nodes(nodes[2], nodes[1])
        clock.mine(101)
        wallet = Wallet(nodes[0], clock)
        stratus_redeem, stratus_address = multisig(2, STRATUS_SIGNERS)
        funded = wallet.pay({CUMULUS_OWNER.address: 1_000, NIMBUS_OWNER.address: 12_500, stratus_address: 40_000,
                             DELEGATED_OWNER.address: 1_000})  # fmt: skip
        cumulus, nimbus = funded[CUMULUS_OWNER.address], funded[NIMBUS_OWNER.address]
        stratus, delegated = funded[stratus_address], funded[DELEGATED_OWNER.address]
        clock.mine(100)  # the collaterals (height 102) are 100 blocks old for a START at 203

        send(nodes[0], build_start_v5(cumulus, CUMULUS_OWNER.key, CUMULUS_OPERATOR.pubkey, clock.now))
        send(nodes[1], build_start_v6_normal(nimbus, NIMBUS_OWNER.key, NIMBUS_OPERATOR.pubkey, clock.now))
        send(nodes[2], build_start_v6_p2sh(stratus, stratus_redeem, STRATUS_SIGNERS[1].key, STRATUS_OPERATOR.pubkey, clock.now))
        wait_until(lambda: len(nodes[0].rpc("getrawmempool")) == 3, 30, what="START relay")
        clock.mine()
        started = assert_same_lists(nodes)
        assert started[0] == [] and sorted(entry["collateral"] for entry in started[2]) == sorted(
            f"COutPoint({outpoint.txid_hum}, {outpoint.n})" for outpoint in (cumulus, nimbus, stratus))

        for collateral, operator, tier in ((cumulus, CUMULUS_OPERATOR, 1), (nimbus, NIMBUS_OPERATOR, 2), (stratus, STRATUS_OPERATOR, 3)):
            send(nodes[tier - 1], _confirm(collateral, operator, tier, clock.now))
        wait_until(lambda: len(nodes[0].rpc("getrawmempool")) == 3, 30, what="CONFIRM relay")
        clock.mine()
        confirmed_at = nodes[0].rpc("getblockcount")
        listed, count, starts, dos = assert_same_lists(nodes)
        assert starts == [] and dos == [] and count["total"] == 3
        assert count["cumulus-enabled"] == count["nimbus-enabled"] == count["stratus-enabled"] == 1
        assert [(entry["tier"], entry["payment_address"], entry["amount"], entry["confirmed_height"], entry["pubkey"])
                for entry in listed] == [
            ("CUMULUS", CUMULUS_OWNER.address, "1000.00", confirmed_at, CUMULUS_OPERATOR.pubkey.hex()),
            ("NIMBUS", NIMBUS_OWNER.address, "12500.00", confirmed_at, NIMBUS_OPERATOR.pubkey.hex()),
            ("STRATUS", stratus_address, "40000.00", confirmed_at, STRATUS_OPERATOR.pubkey.hex()),
        ]  # fmt: skip

        clock.mine(PON_HEIGHT - 1 - confirmed_at)  # PoW up to the block before PoN; every tier is paid in each
        assert {entry["last_paid_height"] for entry in nodes[2].rpc("viewdeterministicfluxnodelist")} == {PON_HEIGHT - 1}

        # --- the first PoN block: refusals first, each with the C++ reason, then the good block ---
        clock.tick()
        template = minter.rpc("getblocktemplate")
        assert template["height"] == PON_HEIGHT and template["version"] == 100
        payees = template_payees(template)
        assert [address for address in (template["cumulus_fluxnode_address"], template["nimbus_fluxnode_address"],
                                        template["stratus_fluxnode_address"])] == [
            CUMULUS_OWNER.address, NIMBUS_OWNER.address, stratus_address]  # fmt: skip
        assert [script for script, _ in payees][2] == address_to_script(stratus_address, REGTEST.base58)  # P2SH payee

        outsider = pon_block(minter, delegated, DELEGATED_OPERATOR.key, clock.now, template=template)
        assert submit(nodes[0], outsider) == "bad-pon-block"  # a funded collateral that never started
        bypass_lookalike = pon_block(minter, STRANGER_OUTPOINT, STRANGER.key, clock.now, template=template)
        assert submit(nodes[1], bypass_lookalike) == "bad-pon-block"
        good = pon_block(minter, cumulus, CUMULUS_OPERATOR.key, clock.now, template=template)
        forged = resigned(good, NIMBUS_OPERATOR.key)  # same block, same hash, signed by another fluxnode's key
        assert forged.header.hash_rev == good.header.hash_rev
        assert submit(nodes[2], forged) == "bad-pon-block"
        unsigned = pon_block(minter, cumulus, None, clock.now + 1, template=template)
        assert submit(nodes[2], unsigned) == "bad-pon-block"

        missing = pon_block(minter, cumulus, CUMULUS_OPERATOR.key, clock.now, payees[:2], template)
        proposal = {"mode": "proposal", "data": missing.to_bytes().hex()}  # TestBlockValidity: CheckFluxnodePayout
        assert minter.rpc("getblocktemplate", proposal) == "bad-txns-not-paying-correct-fluxnodes"
        assert submit(nodes[0], missing) == "bad-txns-not-paying-correct-fluxnodes"
        wrong_script = [payees[0], (address_to_script(MINER.address, REGTEST.base58), payees[1][1]), payees[2]]
        misdirected = pon_block(minter, cumulus, CUMULUS_OPERATOR.key, clock.now, wrong_script, template)
        assert submit(nodes[1], misdirected) == "bad-txns-not-paying-correct-fluxnodes"
        wrong_amount = [payees[0], (payees[1][0], payees[1][1] - 1), payees[2]]
        short = pon_block(minter, cumulus, CUMULUS_OPERATOR.key, clock.now, wrong_amount, template)
        assert submit(nodes[1], short) == "bad-txns-not-paying-correct-fluxnodes"
        assert {node.rpc("getblockcount") for node in nodes} == {PON_HEIGHT - 1}
        invalid = {tip["hash"] for tip in nodes[0].rpc("getchaintips") if tip["status"] == "invalid"}
        assert missing.header.hash_hum in invalid

        # the forged signature did not mark the block invalid (C++ CorruptionPossible): signed by its own operator
        # it is accepted; its header is known already, so submitblock answers "duplicate" as C++ does
        assert submit(nodes[2], good) == "duplicate"
        sync_blocks(nodes)
        assert nodes[0].rpc("getbestblockhash") == good.header.hash_hum
        header = nodes[0].rpc("getblockheader", good.header.hash_hum)
        assert header["height"] == PON_HEIGHT
        listed = assert_same_lists(nodes)[0]
        assert {entry["last_paid_height"] for entry in listed} == {PON_HEIGHT}
        clock.tick()
        with pytest.raises(RPCFailure, match="TestBlockValidity failed: tx-coinbase-missing-dev-funding"):
            nodes[0].rpc("getblocktemplate")  # its -mineraddress is no dev fund: under PoN C++ refuses too

        # --- a delegates START (PoN only) in a block minted by the P2SH Stratus node, its CONFIRM by Nimbus ---
        send(nodes[1], build_start_v6_delegates_update(delegated, DELEGATED_OWNER.key, DELEGATED_OPERATOR.pubkey,
                                                       clock.now, [DELEGATE.pubkey]))  # fmt: skip
        wait_until(lambda: len(nodes[0].rpc("getrawmempool")) == 1, 30, what="START relay")
        _mint(nodes, clock, stratus, STRATUS_OPERATOR)
        assert [entry["collateral"] for entry in assert_same_lists(nodes)[2]] == [
            f"COutPoint({delegated.txid_hum}, {delegated.n})"]
        send(nodes[2], _confirm(delegated, DELEGATED_OPERATOR, 1, clock.now))
        wait_until(lambda: len(nodes[0].rpc("getrawmempool")) == 1, 30, what="CONFIRM relay")
        _mint(nodes, clock, nimbus, NIMBUS_OPERATOR)
        listed, count, starts, _ = assert_same_lists(nodes)
        assert count["total"] == 4 and count["cumulus-enabled"] == 2 and starts == []
        assert confirmed(nodes[0])[key_of(delegated)]["tier"] == "CUMULUS"
        _mint(nodes, clock, delegated, DELEGATED_OPERATOR)  # the new node mints too
        clock.mine(2)  # generate's bypass-collateral PoN blocks still work alongside
        height = nodes[0].rpc("getblockcount")
        assert height == PON_HEIGHT + 5

        nodes[2].stop()  # a restart keeps the list
        nodes[2].start()
        clock.tick(0)
        assert_same_lists(nodes)

        # --- no confirms for 640 blocks (PoN expiry): every node expires, the delegates stay stored; then a
        # delegate key STARTs the delegated collateral with a new operator, which confirms and mints ---
        last_confirmed = confirmed(nodes[0])[key_of(delegated)]["last_confirmed_height"]
        nodes[0].rpc("generate", last_confirmed + PON_EXPIRY - height)
        sync_blocks(nodes[:2])
        # c reconnects only now: announced while it is still behind, a header would not connect (DoS 10, as C++)
        connect_nodes(nodes[2], nodes[1])
        sync_blocks(nodes)
        assert [entry["txhash"] for entry in assert_same_lists(nodes)[0]] == [delegated.txid_hum]  # confirmed last
        nodes[0].rpc("generate", 1)
        sync_blocks(nodes)
        assert assert_same_lists(nodes)[1]["total"] == 0
        clock.tick()
        with pytest.raises(RPCFailure, match="bad-txns-fluxnode-tx-invalid-signature"):
            send(nodes[0], build_start_v6_signed_by_delegate(delegated, DELEGATED_OWNER.pubkey, STRANGER.key,
                                                             NEW_OPERATOR.pubkey, clock.now))  # fmt: skip
        send(nodes[0], build_start_v6_signed_by_delegate(delegated, DELEGATED_OWNER.pubkey, DELEGATE.key,
                                                         NEW_OPERATOR.pubkey, clock.now))  # fmt: skip
        wait_until(lambda: len(minter.rpc("getrawmempool")) == 1, 30, what="START relay")
        _mint(nodes, clock, TEST_BYPASS, None)
        send(nodes[2], _confirm(delegated, NEW_OPERATOR, 1, clock.now))
        wait_until(lambda: len(minter.rpc("getrawmempool")) == 1, 30, what="CONFIRM relay")
        _mint(nodes, clock, TEST_BYPASS, None)
        listed = assert_same_lists(nodes)[0]
        assert [(entry["txhash"], entry["pubkey"]) for entry in listed] == [(delegated.txid_hum, NEW_OPERATOR.pubkey.hex())]
        with pytest.raises(AssertionError):
            _mint(nodes, clock, delegated, DELEGATED_OPERATOR)  # the old operator key no longer mints
        _mint(nodes, clock, delegated, NEW_OPERATOR)
    finally:
        stop_nodes(nodes)
