"""One block per transparent rule of CONSENSUS_TRANSACTIONS.md §3–5, each rejected with the C++ reason string.

Blocks carry real Equihash 48,5 solutions (PoW regtest) or regtest PoN headers.
Rules checked elsewhere: bad-cb-amount, bad-txns-inputs-missingorspent (unknown
prevout), bad-txns-premature-spend-of-coinbase and mandatory-script-verify-flag-failed
in test_chainstate.py.  Unreachable through blocks: bad-txns-fee-outofrange and
bad-txns-inputvalues-outofrange (every stored coin and every sum of inputs is at
most the money supply, far below MAX_MONEY); shielded and fluxnode-list rules
belong to later issues.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.block_building import build_block
from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.consensus.equihash_solver import solve_header
from fluxd.consensus.subsidy import min_dev_fund_amount
from fluxd.consensus.validation import ValidationError
from fluxd.core.amount import MAX_MONEY
from fluxd.core.block import Block
from fluxd.core.ecdsa import sign_message
from fluxd.core.fluxnode_tx import FluxnodeConfirm, FluxnodeStart
from fluxd.core.keys import PrivateKey
from fluxd.core.hashes import hash160
from fluxd.core.merkle import block_merkle_root
from fluxd.core.opcodes import OP_0
from fluxd.core.script import p2pkh_script, p2sh_script, push_data, push_int
from fluxd.core.shielded_parts import OutputDescription
from fluxd.core.transaction import OVERWINTER_VERSION_GROUP_ID, SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params import networks
from fluxd.params.chainparams import EH48_5
from fluxd.params.upgrades import Upgrade
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore

PARAMS = networks.regtest_params({Upgrade.PON: 10_000})
SCRIPT = p2pkh_script(bytes(range(20)))
START = 1_600_000_000
FAKE = OutPoint(b"\x77" * 32, 0)
NODE_KEY = PrivateKey(bytes([7]) * 32)


def new_chainstate(tmp_path, params=PARAMS) -> Chainstate:
    chainstate = Chainstate(params, MemoryStore(COLUMNS), BlockFiles(tmp_path, params.message_start), lambda: START + 10**8)
    chainstate.load()
    return chainstate


def block_on(chainstate: Chainstate, txs=(), fees: int = 0) -> Block:
    tip = chainstate.tip
    return build_block(chainstate.params, tip, SCRIPT, START + 600 * (tip.height + 1), tuple(txs), fees)


def rebuild(block: Block, txs) -> Block:
    """The block with other transactions: new merkle root, solved again (PoN headers need no solution)."""
    root, _ = block_merkle_root([tx.txid_rev for tx in txs])
    header = block.header.copy_with(merkle_root_rev=root)
    if not header.is_pon:
        nonce, solution = solve_header(EH48_5, header.prefix_bytes())
        header = header.copy_with(nonce_rev=nonce, solution=solution)
    return Block(header, tuple(txs))


def with_coinbase(block: Block, **changes) -> Block:
    return rebuild(block, (block.transactions[0].copy_with(**changes), *block.transactions[1:]))


def reason(chainstate: Chainstate, block: Block) -> str | None:
    height = chainstate.height
    try:
        chainstate.process_block(block)
    except ValidationError as failure:
        return failure.reason
    assert chainstate.height == height, "the block was connected"
    return chainstate.invalid_reasons.get(block.hash_rev)


def grow(chainstate: Chainstate, count: int, coinbase_changes: dict | None = None) -> None:
    for _ in range(count):
        block = block_on(chainstate)
        chainstate.process_block(with_coinbase(block, **coinbase_changes) if coinbase_changes else block)


def spend(prevout: OutPoint = FAKE, value: int = 1000, **changes) -> Transaction:
    return Transaction(version=1, vin=(TxIn(prevout, b"\x51"),), vout=(TxOut(value, SCRIPT),)).copy_with(**changes)


@pytest.fixture(scope="module")
def mature(tmp_path_factory) -> Chainstate:
    """101 PoW blocks: the coinbases of heights 1 and 2 can be spent by block 102."""
    chainstate = new_chainstate(tmp_path_factory.mktemp("mature"))
    grow(chainstate, 101)
    return chainstate


def coinbase_prevout(chainstate: Chainstate, height: int) -> tuple[OutPoint, int]:
    coinbase = chainstate.read_block(chainstate.entry_at(height)).transactions[0]
    return OutPoint(coinbase.txid_rev, 0), coinbase.vout[0].value


def _output() -> OutputDescription:  # placeholder bytes: proofs are checked by a later issue
    return OutputDescription(b"\x00" * 32, b"\x00" * 32, b"\x00" * 32, b"\x00" * 580, b"\x00" * 80, b"\x00" * 192)


SAPLING_V4 = {"overwintered": True, "version": 4, "version_group_id": SAPLING_VERSION_GROUP_ID}

CONTEXT_FREE = [
    ("bad-txns-version-too-low", spend(version=0)),
    ("bad-tx-overwinter-version-too-low", spend(overwintered=True, version=2, version_group_id=SAPLING_VERSION_GROUP_ID)),
    ("bad-tx-version-group-id", spend(overwintered=True, version=4, version_group_id=0x12345678)),
    ("bad-tx-expiry-height-too-high", spend(**SAPLING_V4, expiry_height=500_000_000)),
    ("bad-txns-vin-empty", spend(vin=())),
    ("bad-txns-vout-empty", spend(vout=())),
    ("bad-txns-vout-negative", spend(value=-1)),
    ("bad-txns-vout-toolarge", spend(value=MAX_MONEY + 1)),
    ("bad-txns-txouttotal-toolarge", spend(vout=(TxOut(MAX_MONEY, SCRIPT), TxOut(1, SCRIPT)))),
    ("bad-txns-valuebalance-nonzero", spend(**SAPLING_V4, value_balance=5)),
    ("bad-txns-valuebalance-toolarge", spend(**SAPLING_V4, shielded_outputs=(_output(),), value_balance=-MAX_MONEY - 1)),
    ("bad-txns-inputs-duplicate", spend(vin=(TxIn(FAKE, b""), TxIn(FAKE, b"")))),
    ("bad-txns-prevout-null", spend(vin=(TxIn(FAKE, b""), TxIn(OutPoint.null(), b"")))),
    ("bad-blk-sigops", spend(vout=(TxOut(0, b"\xac" * 20_001),))),
    ("bad-cb-multiple", Transaction(vin=(TxIn(OutPoint.null(), b"\x51\x51"),), vout=(TxOut(1, SCRIPT),))),
]


@pytest.mark.parametrize("expected, tx", CONTEXT_FREE, ids=[item[0] for item in CONTEXT_FREE])
def test_context_free_transaction_rules(mature, expected, tx):
    assert reason(mature, block_on(mature, [tx])) == expected


def test_coinbase_form(mature):
    block = block_on(mature)
    assert reason(mature, with_coinbase(block, vin=(TxIn(OutPoint.null(), b"\x51"),))) == "bad-cb-length"
    assert reason(mature, with_coinbase(block, vin=(TxIn(OutPoint.null(), b"\x51" * 101),))) == "bad-cb-length"
    assert reason(mature, rebuild(block, (spend(), block.transactions[0]))) == "bad-cb-missing"
    script_sig = push_int(mature.height + 2) + bytes([OP_0])
    assert reason(mature, with_coinbase(block, vin=(TxIn(OutPoint.null(), script_sig),))) == "bad-cb-height"
    shielding = block.transactions[0].copy_with(**SAPLING_V4, shielded_outputs=(_output(),), value_balance=-1)
    assert reason(mature, rebuild(block, (shielding,))) == "bad-cb-has-output-description"


def confirm(sig_time: int, collateral: OutPoint = FAKE) -> Transaction:
    return Transaction(version=5, fluxnode=FluxnodeConfirm(4, collateral, sig_time, 1, 0, 0, b"", b"", b""))


def start(version: int = 5, flux_tx_version: int | None = None) -> Transaction:
    """A START signed by its collateral key (the signature covers the txid, which leaves it out)."""
    payload = FluxnodeStart(2, FAKE, NODE_KEY.pubkey, NODE_KEY.pubkey, 1, b"", flux_tx_version)
    tx = Transaction(version=version, fluxnode=payload)
    signed = dataclasses.replace(payload, sig=sign_message(NODE_KEY.secret, tx.txid_hum.encode()))
    return Transaction(version=version, fluxnode=signed)


def test_fluxnode_transactions(mature, tmp_path):
    assert reason(mature, block_on(mature, [confirm(1), confirm(2)])) == "bad-fluxnode-tx-multiple"
    assert reason(mature, block_on(mature, [confirm(1)])) == "bad-txns-fluxnode-tx-invalid-signature"
    assert reason(mature, block_on(mature, [start()])) == "tx-fluxnodes-not-active"
    params = networks.regtest_params({Upgrade.PON: 10_000, Upgrade.KAMATA: 1})
    chainstate = new_chainstate(tmp_path / "kamata", params)
    assert reason(chainstate, block_on(chainstate, [start(6, 1)])) == "tx-p2shnodes-not-active"
    params = networks.regtest_params({Upgrade.PON: 10_000, Upgrade.KAMATA: 1, Upgrade.P2SHNODES: 1})
    chainstate = new_chainstate(tmp_path / "p2shnodes", params)
    assert reason(chainstate, block_on(chainstate, [start(6, 5)])) == "tx-bit-features-not-active"


def test_rules_by_height_before_acadia(mature):
    assert reason(mature, block_on(mature, [spend(**SAPLING_V4)])) == "tx-overwinter-not-active"
    big = spend(vout=(TxOut(1, b"\x6a" + b"\x00" * 100_000),))
    assert reason(mature, block_on(mature, [big])) == "bad-txns-oversize"
    assert reason(mature, block_on(mature, [spend(lock_time=mature.height + 5, vin=(TxIn(FAKE, b"", 0),))])) == "bad-txns-nonfinal"
    by_time = spend(lock_time=START + 10**7, vin=(TxIn(FAKE, b"", 0),))
    assert reason(mature, block_on(mature, [by_time])) == "bad-txns-nonfinal"


def test_input_rules(mature):
    prevout, value = coinbase_prevout(mature, 1)
    assert reason(mature, block_on(mature, [spend(prevout, value + 1)])) == "bad-txns-in-belowout"
    double = [spend(prevout, value - 1000), spend(prevout, value - 2000)]
    assert reason(mature, block_on(mature, double, fees=3000)) == "bad-txns-inputs-missingorspent"


def test_p2sh_sigops_count_against_the_block_limit(mature):
    redeem = b"\xae" * 520  # 20 sigops per CHECKMULTISIG without a key count: 10,400 per input
    prevout, value = coinbase_prevout(mature, 2)
    split = spend(prevout, vout=(TxOut(value // 2, p2sh_script(hash160(redeem))), TxOut(value // 2, p2sh_script(hash160(redeem)))))
    pushes = tuple(TxIn(OutPoint(split.txid_rev, n), push_data(redeem)) for n in (0, 1))
    spender = Transaction(version=1, vin=pushes, vout=(TxOut(value // 2, SCRIPT),))
    assert reason(mature, block_on(mature, [split, spender])) == "bad-blk-sigops"


def test_bip30_and_funding_outputs(tmp_path):
    chainstate = new_chainstate(tmp_path)
    grow(chainstate, 2)
    second_coinbase = chainstate.read_block(chainstate.tip).transactions[0]
    assert reason(chainstate, rebuild(block_on(chainstate), (second_coinbase,))) == "bad-txns-BIP30"
    grow(chainstate, 7)
    block = block_on(chainstate)  # height 10: exchange, foundation and swap-pool funding are all due
    outputs = block.transactions[0].vout
    assert len(outputs) == 4
    for index, kind in ((1, "exchange"), (2, "foundation"), (3, "swappool")):
        short = outputs[:index] + outputs[index + 1 :]
        assert reason(chainstate, with_coinbase(block, vout=short)) == f"tx-coinbase-missing-{kind}-funding"
    wrong_amount = outputs[:1] + (TxOut(outputs[1].value - 1, outputs[1].script_pubkey),) + outputs[2:]
    assert reason(chainstate, with_coinbase(block, vout=wrong_amount)) == "tx-coinbase-missing-exchange-funding"


def test_dev_fund_under_pon(tmp_path):
    params = networks.regtest_params({Upgrade.PON: 5})
    chainstate = new_chainstate(tmp_path, params)
    grow(chainstate, 5)
    assert chainstate.tip.header.is_pon
    block = block_on(chainstate)
    paid = block.transactions[0].vout[0]
    assert reason(chainstate, with_coinbase(block, vout=(TxOut(paid.value, SCRIPT),))) == "tx-coinbase-missing-dev-funding"
    minimum = min_dev_fund_amount(params, chainstate.height + 1)
    short = (TxOut(minimum - 1, paid.script_pubkey), TxOut(paid.value - minimum + 1, SCRIPT))
    assert reason(chainstate, with_coinbase(block, vout=short)) == "tx-coinbase-missing-dev-funding"
    enough = (TxOut(minimum, paid.script_pubkey), TxOut(paid.value - minimum, SCRIPT))
    chainstate.process_block(with_coinbase(block, vout=enough))
    assert chainstate.height == 6


def test_protected_coinbase_before_flux(tmp_path):
    params = dataclasses.replace(PARAMS, coinbase_must_be_protected=True)
    chainstate = new_chainstate(tmp_path, params)
    grow(chainstate, 101)
    prevout, value = coinbase_prevout(chainstate, 2)
    assert reason(chainstate, block_on(chainstate, [spend(prevout, value - 1000)], 1000)) == "bad-txns-coinbase-spend-has-transparent-outputs"


def test_rules_by_height_from_acadia(tmp_path):
    params = networks.regtest_params({Upgrade.PON: 10_000, Upgrade.ACADIA: 3, Upgrade.FLUX: 3})
    chainstate = new_chainstate(tmp_path, params)
    grow(chainstate, 2)
    assert reason(chainstate, block_on(chainstate)) == "tx-sapling-active"  # a v1 coinbase
    grow(chainstate, 3, SAPLING_V4)
    height = chainstate.height + 1
    cases = [
        ("tx-sapling-active", spend()),
        ("tx-overwintered-flag-not-set", spend(version=4)),
        ("bad-sapling-tx-version-group-id", spend(overwintered=True, version=3, version_group_id=OVERWINTER_VERSION_GROUP_ID)),
        ("bad-tx-sapling-version-too-low", spend(overwintered=True, version=3, version_group_id=SAPLING_VERSION_GROUP_ID)),
        ("bad-tx-sapling-version-too-high", spend(overwintered=True, version=5, version_group_id=SAPLING_VERSION_GROUP_ID)),
        ("tx-sapling-expired", spend(**SAPLING_V4, expiry_height=height - 1)),
        ("bad-txns-fluxrebrand-vprivacy-not-empty", spend(**SAPLING_V4, shielded_outputs=(_output(),), value_balance=-1000)),
    ]
    for expected, tx in cases:
        block = block_on(chainstate, [tx])
        assert reason(chainstate, with_coinbase(block, **SAPLING_V4)) == expected, expected
    unexpired = spend(**SAPLING_V4, expiry_height=height)
    assert reason(chainstate, with_coinbase(block_on(chainstate, [unexpired]), **SAPLING_V4)) == "bad-txns-inputs-missingorspent"
