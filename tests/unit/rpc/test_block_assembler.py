"""The block assembler (C++ CreateNewBlock): selection order, dependencies, limits, and a template that connects."""

from __future__ import annotations

import pytest

from tests.block_building import build_block
from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.chainstate.coins import Coin, CoinsCache
from fluxd.consensus.equihash_epochs import valid_eh_parameter_list
from fluxd.consensus.equihash_solver import solve_header
from fluxd.consensus.subsidy import block_subsidy
from fluxd.core.amount import COIN
from fluxd.core.block import Block
from fluxd.core.keys import PrivateKey
from fluxd.core.script import p2pkh_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.mempool.pool import Mempool, MempoolEntry
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade
from fluxd.rpc import block_assembler, tx_selection
from fluxd.rpc.block_validity import check_block_validity
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature

SCRIPT = bytes.fromhex("76a914") + bytes(20) + bytes.fromhex("88ac")
HEIGHT = 200
NOW = 1_600_000_000
FEE_ORDER = tx_selection.SelectionLimits(priority_size=0)


def chain_coin(index: int) -> OutPoint:
    return OutPoint(bytes([index]) * 32, 0)


def tx_spending(prevout: OutPoint, value: int, lock_time: int = 0, sequence: int = 0xFFFFFFFF) -> Transaction:
    return Transaction(version=1, vin=(TxIn(prevout, b"", sequence),), vout=(TxOut(value, SCRIPT),), lock_time=lock_time)


def pool_of(*entries: tuple[Transaction, int, int]) -> Mempool:
    pool = Mempool()
    for tx, fee, size in entries:
        pool.add(MempoolEntry(tx=tx, fee=fee, size=size, time=NOW, height=HEIGHT - 1), NOW)
    return pool


def select(pool: Mempool, limits=FEE_ORDER, coins: dict | None = None) -> list[bytes]:
    chain = coins if coins is not None else {chain_coin(index): Coin(10 * COIN, SCRIPT, 1, False, 1) for index in range(1, 10)}
    context = tx_selection.SelectionContext(HEIGHT, NOW, CoinsCache(chain.get), limits, lambda tx, spent: True)
    return [tx.txid_rev for tx in tx_selection.select_transactions(pool.ordered_for_block(), context).transactions]


def test_fee_rate_order_with_parents_before_children():
    low, high, middle = tx_spending(chain_coin(1), 9 * COIN), tx_spending(chain_coin(2), 9 * COIN), tx_spending(chain_coin(3), 9 * COIN)
    child = tx_spending(OutPoint(low.txid_rev, 0), 8 * COIN)  # pays the most, but its parent pays the least
    pool = pool_of((low, 1000, 250), (high, 5000, 250), (middle, 2500, 250), (child, 50_000, 250))
    assert select(pool) == [high.txid_rev, middle.txid_rev, low.txid_rev, child.txid_rev]


def test_size_limit_skips_what_does_not_fit_and_keeps_filling():
    big, small_a, small_b = (tx_spending(chain_coin(index), 9 * COIN) for index in (1, 2, 3))
    pool = pool_of((big, 100_000, 5000), (small_a, 2000, 250), (small_b, 1000, 250))
    limits = tx_selection.SelectionLimits(max_size=1000 + 250 + 251, priority_size=0)
    assert select(pool, limits) == [small_a.txid_rev, small_b.txid_rev]  # 1000 + 250 + 250 reaches the limit: not taken
    limits = tx_selection.SelectionLimits(max_size=1000 + 250 + 250, priority_size=0)
    assert select(pool, limits) == [small_a.txid_rev]


def test_a_child_whose_parent_is_left_out_is_left_out():
    parent = tx_spending(chain_coin(1), 9 * COIN)
    child = tx_spending(OutPoint(parent.txid_rev, 0), 8 * COIN)
    pool = pool_of((parent, 1000, 5000), (child, 90_000, 250))
    assert select(pool, tx_selection.SelectionLimits(max_size=2000, priority_size=0)) == []


def test_priority_first_then_fee_rate():
    old_coins = {chain_coin(1): Coin(1000 * COIN, SCRIPT, 1, False, 1)}
    old_coins |= {chain_coin(index): Coin(COIN, SCRIPT, HEIGHT - 1, False, 1) for index in (2, 3, 4)}
    aged = tx_spending(chain_coin(1), 999 * COIN)  # huge coin age, tiny fee: the priority area takes it first
    young = [tx_spending(chain_coin(index), COIN // 2) for index in (2, 3, 4)]
    pool = pool_of((aged, 100, 250), (young[0], 1000, 250), (young[1], 3000, 250), (young[2], 2000, 250))
    expected = [aged.txid_rev, young[1].txid_rev, young[2].txid_rev, young[0].txid_rev]
    assert select(pool, tx_selection.SelectionLimits(), old_coins) == expected
    assert select(pool, FEE_ORDER, old_coins) == expected[1:] + [aged.txid_rev]


def test_below_relay_fee_is_skipped_unless_prioritised():
    free, paying = tx_spending(chain_coin(1), 9 * COIN), tx_spending(chain_coin(2), 9 * COIN)
    pool = pool_of((free, 0, 250), (paying, 1000, 250))
    assert select(pool) == [paying.txid_rev]
    pool.prioritise(free.txid_rev, 0.0, 10_000)
    assert select(pool) == [free.txid_rev, paying.txid_rev]


def test_missing_inputs_non_final_and_expired_are_left_out():
    missing = tx_spending(chain_coin(99), 9 * COIN)
    locked = tx_spending(chain_coin(1), 9 * COIN, lock_time=HEIGHT, sequence=0)  # final only above its lock height
    unlocked = tx_spending(chain_coin(2), 9 * COIN, lock_time=HEIGHT - 1, sequence=0)
    by_sequence = tx_spending(chain_coin(3), 9 * COIN, lock_time=HEIGHT + 50)  # every input final: final
    pool = pool_of((missing, 5000, 250), (locked, 4000, 250), (unlocked, 3000, 250), (by_sequence, 2000, 250))
    assert select(pool) == [unlocked.txid_rev, by_sequence.txid_rev]


def test_sigop_limit():
    heavy = Transaction(version=1, vin=(TxIn(chain_coin(1), b""),), vout=(TxOut(COIN, b"\xac" * 19_901),))
    light = tx_spending(chain_coin(2), 9 * COIN)
    pool = pool_of((heavy, 90_000, 250), (light, 1000, 250))
    assert select(pool) == [light.txid_rev]  # 100 reserved + 19,901 reaches MAX_BLOCK_SIGOPS


def test_fluxnode_transactions_need_their_collateral():
    from fluxd.core.fluxnode_tx import FLUXNODE_START_TX_TYPE, FLUXNODE_TX_VERSION, FluxnodeStart

    def start(collateral: OutPoint) -> Transaction:
        payload = FluxnodeStart(FLUXNODE_START_TX_TYPE, collateral, b"\x02" * 33, b"\x03" * 33, NOW, b"")
        return Transaction(version=FLUXNODE_TX_VERSION, fluxnode=payload)

    alive, orphaned = start(chain_coin(5)), start(chain_coin(77))
    paying = tx_spending(chain_coin(1), 9 * COIN)
    pool = pool_of((alive, 0, 250), (orphaned, 0, 250), (paying, 100, 250))
    chain = {chain_coin(index): Coin(10 * COIN, SCRIPT, 1, False, 1) for index in (1, 5)}
    context = tx_selection.SelectionContext(HEIGHT, NOW, CoinsCache(chain.get), FEE_ORDER, lambda tx, spent: True)
    selection = tx_selection.select_transactions(pool.ordered_for_block(), context)
    assert [tx.txid_rev for tx in selection.transactions] == [alive.txid_rev, paying.txid_rev]  # fee rate counted as 1 CENT
    assert selection.fees == [0, 100] and selection.dropped_fluxnode_txs == [orphaned.txid_rev]


# ----- a real chain: the template connects -----------------------------------------------------------
PARAMS = networks.regtest_params({Upgrade.PON: 10_000})
KEY = PrivateKey(bytes([5]) * 32)
KEY_SCRIPT = p2pkh_script(KEY.key_id)


@pytest.fixture
def chain(tmp_path):
    clock = [NOW]
    chainstate = Chainstate(PARAMS, MemoryStore(COLUMNS), BlockFiles(tmp_path / "blocks", PARAMS.message_start), lambda: clock[0])
    chainstate.load()
    blocks = []
    for _ in range(102):
        clock[0] += 600
        block = build_block(PARAMS, chainstate.tip, KEY_SCRIPT, clock[0])
        chainstate.process_block(block)
        blocks.append(block)
    return chainstate, clock, blocks


def signed_spend(prevout: OutPoint, value: int, fee: int) -> Transaction:
    store = KeyStore()
    store.add_key(KEY)
    unsigned = Transaction(version=1, vin=(TxIn(prevout, b""),), vout=(TxOut(value - fee, KEY_SCRIPT),))
    script_sig, complete = produce_signature(store, KEY_SCRIPT, SigningInput(unsigned, 0, value, 1, 0))
    assert complete
    return unsigned.copy_with(vin=(TxIn(prevout, script_sig),))


def test_template_with_mempool_transactions_connects(chain):
    chainstate, clock, blocks = chain
    first, second = (blocks[index].transactions[0] for index in (0, 1))
    parent = signed_spend(OutPoint(first.txid_rev, 0), first.vout[0].value, 10_000)
    child = signed_spend(OutPoint(parent.txid_rev, 0), parent.vout[0].value, 20_000)
    other = signed_spend(OutPoint(second.txid_rev, 0), second.vout[0].value, 5_000)
    immature = signed_spend(OutPoint(blocks[-1].transactions[0].txid_rev, 0), blocks[-1].transactions[0].vout[0].value, 90_000)
    pool = Mempool()
    for tx, fee in ((child, 20_000), (other, 5_000), (parent, 10_000), (immature, 90_000)):
        pool.add(MempoolEntry(tx=tx, fee=fee, size=tx.size, time=clock[0], height=chainstate.height), clock[0])
    from fluxd.core.fluxnode_tx import FLUXNODE_START_TX_TYPE, FLUXNODE_TX_VERSION, FluxnodeStart

    lost = Transaction(version=FLUXNODE_TX_VERSION, fluxnode=FluxnodeStart(FLUXNODE_START_TX_TYPE, chain_coin(9), b"", b"", 0, b""))
    pool.add(MempoolEntry(tx=lost, fee=0, size=lost.size, time=clock[0], height=chainstate.height), clock[0])
    clock[0] += 600
    template = block_assembler.create_new_block(chainstate, pool, SCRIPT, clock[0])
    assert lost.txid_rev not in pool and len(pool) == 4  # its collateral is not a coin: C++ drops it from the pool
    txids = [tx.txid_rev for tx in template.block.transactions[1:]]
    assert set(txids) == {parent.txid_rev, child.txid_rev, other.txid_rev}  # the immature coinbase spend fails its inputs
    assert txids.index(parent.txid_rev) < txids.index(child.txid_rev)
    assert template.fees == [-35_000, *(tx_fee for tx_fee in template.fees[1:])] and sum(template.fees[1:]) == 35_000
    coinbase = template.block.transactions[0]
    assert coinbase.vout[0].value == block_subsidy(PARAMS, chainstate.height + 1) + 35_000
    assert template.size == 1000 + sum(tx.size for tx in template.block.transactions[1:]) and template.tx_count == 3
    header = template.block.header
    nonce, solution = solve_header(valid_eh_parameter_list(PARAMS, template.height)[0], header.prefix_bytes())
    block = Block(header.copy_with(nonce_rev=nonce, solution=solution), template.block.transactions)
    check_block_validity(chainstate, block, check_pow=True)
    assert chainstate.contains(chainstate.process_block(block))


def test_a_transaction_failing_test_block_validity_leaves_the_pool(chain):
    """C++ CreateNewBlock: TestBlockValidity blames a transaction (CheckTransaction's SetInvalidTx): it is removed."""
    from fluxd.consensus.validation import ValidationError

    chainstate, clock, blocks = chain
    coinbase = blocks[0].transactions[0]
    prevout, value = OutPoint(coinbase.txid_rev, 0), coinbase.vout[0].value
    store = KeyStore()
    store.add_key(KEY)
    twice = Transaction(version=1, vin=(TxIn(prevout, b""), TxIn(prevout, b"")), vout=(TxOut(value - 10_000, KEY_SCRIPT),))
    signatures = [produce_signature(store, KEY_SCRIPT, SigningInput(twice, index, value, 1, 0))[0] for index in range(2)]
    twice = twice.copy_with(vin=tuple(TxIn(prevout, script_sig) for script_sig in signatures))
    fine = signed_spend(OutPoint(blocks[1].transactions[0].txid_rev, 0), blocks[1].transactions[0].vout[0].value, 5_000)
    pool = Mempool()
    for tx, fee in ((twice, value + 10_000), (fine, 5_000)):  # inserted directly: ATMP would have refused ``twice``
        pool.add(MempoolEntry(tx=tx, fee=fee, size=tx.size, time=clock[0], height=chainstate.height), clock[0])
    clock[0] += 600
    with pytest.raises(ValidationError, match="bad-txns-inputs-duplicate") as failure:
        block_assembler.create_new_block(chainstate, pool, SCRIPT, clock[0])
    assert failure.value.invalid_txid == twice.txid_rev
    assert twice.txid_rev not in pool and fine.txid_rev in pool
    template = block_assembler.create_new_block(chainstate, pool, SCRIPT, clock[0])  # the next template is fine
    assert [tx.txid_rev for tx in template.block.transactions[1:]] == [fine.txid_rev]


def test_a_coinbase_only_pon_template_not_paying_the_dev_fund_fails_as_cpp(tmp_path):
    """C++ CreateNewBlock always runs TestBlockValidity: under PoN a coinbase paying the miner script instead of
    the dev fund fails (getblocktemplate's -1 "TestBlockValidity failed"), even with an empty mempool."""
    from fluxd.consensus.validation import ValidationError
    from fluxd.core.address import address_to_script

    params = networks.regtest_params({Upgrade.PON: 4})
    clock = [NOW]
    chainstate = Chainstate(params, MemoryStore(COLUMNS), BlockFiles(tmp_path / "blocks", params.message_start), lambda: clock[0])
    chainstate.load()
    for _ in range(3):
        clock[0] += 600
        chainstate.process_block(build_block(params, chainstate.tip, KEY_SCRIPT, clock[0]))
    clock[0] += 600
    with pytest.raises(ValidationError, match="tx-coinbase-missing-dev-funding"):
        block_assembler.create_new_block(chainstate, Mempool(), KEY_SCRIPT, clock[0])
    dev_fund = address_to_script(params.dev_fund_address, params.base58)
    template = block_assembler.create_new_block(chainstate, Mempool(), dev_fund, clock[0])
    assert template.block.header.version == 100 and template.block.transactions[0].vout[0].script_pubkey == dev_fund
    pre_pon = networks.regtest_params({Upgrade.PON: 10_000})
    assert block_assembler._valid_by_construction(pre_pon, 4, KEY_SCRIPT)


def test_test_block_validity_checks_fluxnode_signatures_against_the_list(chain, monkeypatch):
    """C++ TestBlockValidity's CheckBlock verifies fluxnode tx signatures with g_fluxnodeCache (delegate keys,
    operator keys): the chainstate's list, not an empty one (a delegate-signed START failed templates)."""
    from fluxd.rpc import block_validity

    chainstate, clock, _ = chain
    seen = []
    real_check_block = block_validity.check_block

    def spy(*args, **kwargs):
        seen.append(kwargs.get("keys"))
        return real_check_block(*args, **kwargs)

    monkeypatch.setattr(block_validity, "check_block", spy)
    clock[0] += 600
    block = build_block(PARAMS, chainstate.tip, KEY_SCRIPT, clock[0])
    check_block_validity(chainstate, block, check_pow=True)
    check_block_validity(chainstate, block, check_merkle_root=False)
    assert seen == [chainstate.fluxnodes, chainstate.fluxnodes]


def test_test_block_validity_checks_the_fluxnode_payouts(chain, monkeypatch):
    """C++ TestBlockValidity runs ConnectBlock (fJustCheck), whose CheckFluxnodePayout refuses a coinbase
    missing a payee: getblocktemplate's proposal mode answers bad-txns-not-paying-correct-fluxnodes."""
    from fluxd.consensus.validation import ValidationError
    from fluxd.rpc import block_validity

    chainstate, clock, _ = chain
    clock[0] += 600
    block = build_block(PARAMS, chainstate.tip, KEY_SCRIPT, clock[0])
    check_block_validity(chainstate, block, check_pow=True)  # no fluxnode in the list: nobody to pay
    monkeypatch.setattr(block_validity, "next_block_payees", lambda _chainstate: [(SCRIPT, 5 * COIN)])
    with pytest.raises(ValidationError, match="bad-txns-not-paying-correct-fluxnodes"):
        check_block_validity(chainstate, block, check_pow=True)
