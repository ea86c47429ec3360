"""Mainnet block 2,020,000 (the first PoN block) against the fluxnode list: its coinbase pays the three tier
payees the list names, the module connects the real block, and its six CONFIRMs verify against the list.

The raw block is ``flux_mainnet/blocks.json`` (re-encoded from FluxOS getblock and checked against the
merkle root and every txid); the coinbase's payee addresses and amounts are also read from the captured
``getblock`` JSON, independently of the raw hex.  What the captures do not hold (the payees' collateral
outpoints, the CONFIRM nodes' collateral coins and their operator keys) is filled in here: synthetic
outpoints, the tier's collateral amount at the height, the operator key each CONFIRM's signature recovers.
"""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from fluxd.chainstate.chainstate import COLUMNS
from fluxd.chainstate.coins import Coin
from fluxd.chainstate.fluxnodes.list_state import FluxnodeList, FluxnodeListWriter
from fluxd.chainstate.fluxnodes.module import FluxnodeListModule, next_payees, payee_outputs
from fluxd.chainstate.fluxnodes.records import CONFIRMED, FluxnodeRecord
from fluxd.chainstate.modules import BlockContext
from fluxd.chainstate.state_columns import StateReader, StateWriter
from fluxd.chainstate.undo import BlockUndo
from fluxd.consensus.coinbase import check_fluxnode_payouts
from fluxd.consensus.fluxnode_checks import check_confirm
from fluxd.consensus.fluxnode_sigs import check_benchmark_signature, check_fluxnode_signatures, confirm_message
from fluxd.consensus.subsidy import block_subsidy, fluxnode_subsidy
from fluxd.consensus.validation import ValidationError
from fluxd.core.address import address_to_script
from fluxd.core.block import Block
from fluxd.core.ecdsa import recover_compact, signed_message_hash
from fluxd.core.fluxnode_tx import CONFIRM_UPDATE, FluxnodeConfirm
from fluxd.core.tx_parts import OutPoint, TxOut
from fluxd.params import networks
from fluxd.params.fluxnode_tiers import Tier, collateral_amounts
from fluxd.storage.memory import MemoryStore
from tests.vectors import load_json

MAIN = networks.main_params()
HEIGHT = 2_020_000
BAD_PAYOUTS = "bad-txns-not-paying-correct-fluxnodes"
PAYEES_CONFIRMED_AT = 2_000_000  # never paid: ordered by confirmed height, ahead of every node paid later
OTHERS_PAID_AT = 2_019_500
OTHERS_CONFIRMED_AT = HEIGHT - 600  # an UPDATE is due (gap > 500) and nothing has expired (640)


def _block() -> Block:
    entry = next(entry for entry in load_json("flux_mainnet/blocks.json")["blocks"] if entry["height"] == HEIGHT)
    block = Block.from_bytes(bytes.fromhex(entry["block_hex"]))
    assert block.hash_rev[::-1].hex() == entry["hash"]
    return block


BLOCK = _block()
COINBASE = BLOCK.transactions[0]
CAPTURE = load_json("flux_atlas_fixtures/fluxos_daemon_getblock_first_pon_2020000.json")["data"]
CONFIRMS = [tx for tx in BLOCK.transactions if tx.is_fluxnode_tx()]


def _tier_amounts() -> dict[int, int]:
    subsidy = block_subsidy(MAIN, HEIGHT)
    return {int(tier): fluxnode_subsidy(MAIN, HEIGHT, subsidy, tier) for tier in Tier}


def captured_payees() -> dict[int, tuple[str, int]]:
    """tier -> (address, zatoshi) of the captured coinbase outputs that pay a tier's exact fluxnode amount."""
    by_amount = {amount: tier for tier, amount in _tier_amounts().items()}
    payees = {}
    for out in CAPTURE["tx"][0]["vout"]:
        tier = by_amount.get(out["valueZat"])
        if tier is not None:
            (address,) = out["scriptPubKey"]["addresses"]
            payees[tier] = (address, out["valueZat"])
    return payees


def _outpoint(label: str) -> OutPoint:
    return OutPoint(hashlib.sha256(label.encode()).digest(), 0)


def _collateral_amount(tier: int) -> int:
    (amount,) = collateral_amounts(MAIN, HEIGHT, Tier(tier))
    return amount


def payee_record(tier: int, address: str, collateral: OutPoint | None = None, confirmed_at: int = PAYEES_CONFIRMED_AT):
    return FluxnodeRecord(
        collateral=collateral or _outpoint(f"payee {address}"), status=CONFIRMED, tier=tier,
        collateral_amount=_collateral_amount(tier), collateral_pubkey=b"", operator_pubkey=b"\x02" + bytes(32),
        redeem_script=b"", flux_tx_version=0, payee_script=address_to_script(address, MAIN.base58),
        added_height=confirmed_at - 1, confirmed_height=confirmed_at, last_confirmed_height=OTHERS_CONFIRMED_AT,
    )  # fmt: skip


def confirm_node_record(tx) -> FluxnodeRecord:
    """The list entry a CONFIRM of the block updates: confirmed, due an UPDATE, paid after the three payees."""
    confirm: FluxnodeConfirm = tx.fluxnode
    operator = recover_compact(signed_message_hash(confirm_message(confirm)), confirm.sig)
    return FluxnodeRecord(
        collateral=confirm.collateral, status=CONFIRMED, tier=confirm.benchmark_tier,
        collateral_amount=_collateral_amount(confirm.benchmark_tier), collateral_pubkey=b"", operator_pubkey=operator,
        redeem_script=b"", flux_tx_version=0, payee_script=address_to_script("t1Hunc5EckgmAXzN1fqDv3Qs8h9wze5NiBC", MAIN.base58),
        added_height=OTHERS_CONFIRMED_AT - 10, confirmed_height=OTHERS_CONFIRMED_AT - 9,
        last_confirmed_height=OTHERS_CONFIRMED_AT, last_paid_height=OTHERS_PAID_AT, ip=confirm.ip.decode() + "-old",
    )  # fmt: skip


class ListState:
    """A fluxnode list written with FluxnodeListWriter over a StateWriter on a MemoryStore (as the parent of the block)."""

    def __init__(self, records) -> None:
        self.store = MemoryStore(COLUMNS)
        self.layers: list[dict] = [{}]
        writer = FluxnodeListWriter(StateWriter(self.layers[0], [], self.store), HEIGHT - 1)
        for record in records:
            writer.put(record)

    def list(self, height: int = HEIGHT - 1) -> FluxnodeList:
        return FluxnodeList(StateReader(self.layers, self.store), height)


def payee_records() -> list[FluxnodeRecord]:
    return [payee_record(tier, address) for tier, (address, _) in sorted(captured_payees().items())]


def full_state() -> ListState:
    """The three payees, a later Stratus node, and the six nodes the block's CONFIRMs update."""
    later_stratus = payee_record(3, "t1Hunc5EckgmAXzN1fqDv3Qs8h9wze5NiBC", confirmed_at=PAYEES_CONFIRMED_AT + 1)
    return ListState([*payee_records(), later_stratus, *(confirm_node_record(tx) for tx in CONFIRMS)])


def _with_vout(outputs) -> object:
    return dataclasses.replace(COINBASE, vout=tuple(outputs))


def _expect_bad(coinbase, payees) -> None:
    with pytest.raises(ValidationError) as failure:
        check_fluxnode_payouts(MAIN, HEIGHT, coinbase, payees)
    assert failure.value.reason == BAD_PAYOUTS


# --- the captured coinbase ------------------------------------------------------------------------


def test_capture_and_raw_coinbase_agree():
    captured = [(out["valueZat"], bytes.fromhex(out["scriptPubKey"]["hex"])) for out in CAPTURE["tx"][0]["vout"]]
    assert captured == [(out.value, out.script_pubkey) for out in COINBASE.vout]
    assert COINBASE.txid_rev[::-1].hex() == CAPTURE["tx"][0]["txid"]


def test_three_payees_one_per_tier_and_dev_fund_gets_the_rest():
    payees = captured_payees()
    assert {tier: amount for tier, (_, amount) in payees.items()} == {1: 100_000_000, 2: 350_000_000, 3: 900_000_000}
    assert payees[1][0] == "t1bZtgWNEn8bMJjkYYHEwsEeZPEgN5j4ugq" and payees[2][0].startswith("t3")  # a P2SH payee
    dev_fund = COINBASE.vout[0]
    assert dev_fund.script_pubkey == address_to_script(MAIN.dev_fund_address, MAIN.base58)
    fees = sum(out.value for out in COINBASE.vout) - block_subsidy(MAIN, HEIGHT)
    assert dev_fund.value == block_subsidy(MAIN, HEIGHT) - sum(amount for _, amount in payees.values()) + fees


def test_list_names_the_captured_payees_cumulus_first():
    outputs = payee_outputs(MAIN, full_state().list(), HEIGHT)
    expected = [(address_to_script(address, MAIN.base58), amount) for _, (address, amount) in sorted(captured_payees().items())]
    assert outputs == expected
    assert [(out.script_pubkey, out.value) for out in COINBASE.vout[1:]] == expected  # C++ CreateNewBlock order


# --- the payout check -----------------------------------------------------------------------------


@pytest.mark.parametrize("state", [ListState(payee_records()), full_state()], ids=["payees-only", "with-others"])
def test_real_coinbase_pays_the_list(state):
    check_fluxnode_payouts(MAIN, HEIGHT, COINBASE, payee_outputs(MAIN, state.list(), HEIGHT))


@pytest.mark.parametrize("index", [1, 2, 3])
def test_one_payout_removed(index):
    outputs = [out for position, out in enumerate(COINBASE.vout) if position != index]
    _expect_bad(_with_vout(outputs), payee_outputs(MAIN, full_state().list(), HEIGHT))


@pytest.mark.parametrize("index", [1, 2, 3])
@pytest.mark.parametrize("delta", [-1, 1])
def test_one_amount_off_by_one_zatoshi(index, delta):
    outputs = list(COINBASE.vout)
    outputs[index] = TxOut(outputs[index].value + delta, outputs[index].script_pubkey)
    _expect_bad(_with_vout(outputs), payee_outputs(MAIN, full_state().list(), HEIGHT))


def test_payee_swapped_for_another_node_in_the_coinbase():
    other = address_to_script("t1Hunc5EckgmAXzN1fqDv3Qs8h9wze5NiBC", MAIN.base58)  # the later Stratus node
    outputs = list(COINBASE.vout)
    outputs[3] = TxOut(outputs[3].value, other)
    _expect_bad(_with_vout(outputs), payee_outputs(MAIN, full_state().list(), HEIGHT))


def test_payee_swapped_for_another_node_in_the_list():
    """The list says the later Stratus node is next (the real payee already paid): the real coinbase is wrong."""
    payees = captured_payees()
    records = [payee_record(tier, address) for tier, (address, _) in payees.items() if tier != 3]
    records.append(payee_record(3, payees[3][0]).with_(last_paid_height=HEIGHT - 1))
    records.append(payee_record(3, "t1Hunc5EckgmAXzN1fqDv3Qs8h9wze5NiBC", confirmed_at=PAYEES_CONFIRMED_AT + 1))
    _expect_bad(COINBASE, payee_outputs(MAIN, ListState(records).list(), HEIGHT))


def test_dev_fund_cut_below_the_remainder():
    payees = payee_outputs(MAIN, full_state().list(), HEIGHT)
    remainder = block_subsidy(MAIN, HEIGHT) - sum(amount for _, amount in payees)
    outputs = list(COINBASE.vout)
    outputs[0] = TxOut(remainder, outputs[0].script_pubkey)
    check_fluxnode_payouts(MAIN, HEIGHT, _with_vout(outputs), payees)  # the remainder exactly: still fine
    outputs[0] = TxOut(remainder - 1, outputs[0].script_pubkey)
    _expect_bad(_with_vout(outputs), payees)


# --- the module's connect on the real block -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Entry:
    height: int
    hash_rev: bytes


class _Coins:
    def __init__(self, coins: dict) -> None:
        self.coins = coins

    def get_coin(self, outpoint: OutPoint):
        return self.coins.get(outpoint)


def _context() -> BlockContext:
    """The block with its coins: each CONFIRM's collateral (its tier's amount, old enough), the regular tx's input."""
    coins = {tx.fluxnode.collateral: Coin(_collateral_amount(tx.fluxnode.benchmark_tier), b"\x51", HEIGHT - 1_000, False)
             for tx in CONFIRMS}  # fmt: skip
    spender = BLOCK.transactions[1]
    spent = Coin(100_546_000_000, bytes.fromhex("76a9140069adf1b2b8bd6c154a5e650d0c9d37af62cd0c88ac"), HEIGHT - 50, False)
    assert [txin.prevout.txid_hum for txin in spender.vin] == [CAPTURE["tx"][1]["vin"][0]["txid"]]
    return BlockContext(BLOCK, _Entry(HEIGHT, BLOCK.hash_rev), _Coins(coins), BlockUndo(((spent,),)))


def _connect(state: ListState, block_context: BlockContext | None = None) -> FluxnodeList:
    layer: dict = {}
    FluxnodeListModule(MAIN).connect_block(block_context or _context(), StateWriter(layer, state.layers, state.store))
    state.layers.insert(0, layer)
    return state.list(HEIGHT)


def test_module_connects_the_real_block():
    assert len(CONFIRMS) == 6 and all(tx.fluxnode.update_type == CONFIRM_UPDATE for tx in CONFIRMS)
    state = full_state()
    paid = [payee.record.collateral for payee in next_payees(MAIN, state.list(), HEIGHT)]
    after = _connect(state)
    for collateral in paid:
        assert after.get(collateral).last_paid_height == HEIGHT
    for tx in CONFIRMS:
        record = after.get(tx.fluxnode.collateral)
        assert (record.status, record.last_confirmed_height, record.ip) == (CONFIRMED, HEIGHT, tx.fluxnode.ip.decode())
        assert record.last_paid_height == OTHERS_PAID_AT
    untouched = after.get(_outpoint("payee t1Hunc5EckgmAXzN1fqDv3Qs8h9wze5NiBC"))
    assert untouched.last_paid_height == 0
    next_stratus = after.next_payee(3)
    assert next_stratus.collateral not in paid  # the paid Stratus node went to the back of its tier


def test_module_refuses_the_real_block_when_the_list_names_other_payees():
    payees = captured_payees()
    records = [payee_record(tier, address) for tier, (address, _) in payees.items() if tier != 1]
    records.append(payee_record(1, "t1Hunc5EckgmAXzN1fqDv3Qs8h9wze5NiBC"))
    records += [confirm_node_record(tx) for tx in CONFIRMS]
    with pytest.raises(ValidationError) as failure:
        _connect(ListState(records))
    assert failure.value.reason == BAD_PAYOUTS


# --- the block's CONFIRMs against the list --------------------------------------------------------


@pytest.mark.parametrize("tx", CONFIRMS, ids=lambda tx: tx.txid_rev[::-1].hex()[:12])
def test_block_confirms_verify_against_the_list(tx):
    keys = full_state().list()  # FluxnodeKeys: the operator key each node's record holds
    assert check_fluxnode_signatures(MAIN, tx, keys)
    assert check_benchmark_signature(MAIN, tx.fluxnode)  # the benchmark key is mainnet's own, not recovered


def test_block_confirm_fails_with_another_nodes_operator_key():
    records = [confirm_node_record(tx) for tx in CONFIRMS]
    records[0] = records[0].with_(operator_pubkey=records[1].operator_pubkey)
    keys = ListState(records).list()
    assert not check_fluxnode_signatures(MAIN, CONFIRMS[0], keys)
    assert check_fluxnode_signatures(MAIN, CONFIRMS[1], keys)


def test_block_confirm_of_a_node_not_in_the_list_is_refused_by_the_list_not_the_signature():
    """C++ CheckFluxnodeTxSignatures skips the operator key when the list has no entry (a node kicked off the
    list); ContextualCheckTransaction refuses the CONFIRM instead."""
    keys = ListState(payee_records()).list()
    assert check_fluxnode_signatures(MAIN, CONFIRMS[0], keys)
    with pytest.raises(ValidationError) as failure:
        check_confirm(MAIN, CONFIRMS[0], HEIGHT, keys.get(CONFIRMS[0].fluxnode.collateral))
    assert failure.value.reason == "fluxnode-tx-confirm-data-not-found"
