"""Standardness and relay-fee policy (C++ main.cpp IsStandardTx / AreInputsStandard, CTxOut::IsDust, CFeeRate).

CONSENSUS_TRANSACTIONS.md §3.6.  None of this is consensus: it decides what
this node relays and keeps in its mempool.  ``RequireStandard`` is on for
mainnet and testnet, off for regtest.
"""

from __future__ import annotations

from collections.abc import Callable

from fluxd.consensus.interpreter import eval_script
from fluxd.consensus.script_errors import VERIFY_NONE, ScriptError
from fluxd.consensus.sigops import script_sigop_count
from fluxd.core.opcodes import OP_16, read_op
from fluxd.core.standard import TX_MULTISIG, TX_NONSTANDARD, TX_NULL_DATA, TX_PUBKEY, TX_PUBKEYHASH, TX_SCRIPTHASH, solver
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import TxOut
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, network_upgrade_active
from fluxd.util.serialize import compact_size_bytes

DEFAULT_MIN_RELAY_TX_FEE = 100  # zatoshi per 1000 bytes
MAX_STANDARD_TX_SIGOPS = 20_000 // 5
MAX_P2SH_SIGOPS = 15
MAX_STANDARD_SCRIPTSIG_SIZE = 1650
DEFAULT_BLOCK_PRIORITY_SIZE = 1_000_000
ABSURD_FEE_FACTOR = 10_000
SPROUT_VERSIONS = range(1, 3)
SAPLING_VERSIONS = range(4, 5)


def relay_fee(size: int, rate: int = DEFAULT_MIN_RELAY_TX_FEE) -> int:
    """CFeeRate::GetFee: rate per kB, never 0 for a positive rate."""
    fee = rate * size // 1000
    return rate if fee == 0 and rate > 0 else fee


def dust_threshold(output: TxOut, rate: int = DEFAULT_MIN_RELAY_TX_FEE) -> int:
    """CTxOut::GetDustThreshold: 3 x the fee to spend it (its size + 148); 0 for unspendable outputs."""
    if output.script_pubkey[:1] == b"\x6a":
        return 0
    size = 8 + len(compact_size_bytes(len(output.script_pubkey))) + len(output.script_pubkey) + 148
    return 3 * relay_fee(size, rate)


def min_relay_fee(size: int, allow_free: bool, rate: int = DEFAULT_MIN_RELAY_TX_FEE) -> int:
    """GetMinRelayFee: transactions under 999 000 bytes count as free when free ones are allowed."""
    if allow_free and size < DEFAULT_BLOCK_PRIORITY_SIZE - 1000:
        return 0
    return relay_fee(size, rate)


def _is_push_only(script: bytes) -> bool:
    pos = 0
    while pos < len(script):
        op = read_op(script, pos)
        if op is None or op.opcode > OP_16:
            return False
        pos = op.end
    return True


def _standard_output_type(script: bytes) -> str:
    kind, solutions = solver(script)
    if kind == TX_MULTISIG:
        required, total = solutions[0][0], solutions[-1][0]
        if not 1 <= total <= 3 or not 1 <= required <= total:
            return TX_NONSTANDARD
    return kind


def nonstandard_reason(params: ChainParams, tx: Transaction, height: int, permit_bare_multisig: bool = True) -> str | None:
    """IsStandardTx: the C++ reason string, or None when the transaction is standard."""
    if not tx.is_fluxnode_tx():
        sapling = network_upgrade_active(params, height, Upgrade.ACADIA)
        if tx.version not in (SAPLING_VERSIONS if sapling else SPROUT_VERSIONS):
            return "sapling-version" if sapling else "version"
    for txin in tx.vin:
        if len(txin.script_sig) > MAX_STANDARD_SCRIPTSIG_SIZE:
            return "scriptsig-size"
        if not _is_push_only(txin.script_sig):
            return "scriptsig-not-pushonly"
    data_outputs = 0
    for output in tx.vout:
        kind = _standard_output_type(output.script_pubkey)
        if kind == TX_NONSTANDARD:
            return "scriptpubkey"
        if kind == TX_NULL_DATA:
            data_outputs += 1
        elif kind == TX_MULTISIG and not permit_bare_multisig:
            return "bare-multisig"
        elif output.value < dust_threshold(output):
            return "dust"
    return "multi-op-return" if data_outputs > 1 else None


def _args_expected(kind: str, solutions: list[bytes]) -> int:
    """ScriptSigArgsExpected."""
    if kind == TX_PUBKEY:
        return 1
    if kind == TX_PUBKEYHASH:
        return 2
    if kind == TX_SCRIPTHASH:
        return 1
    if kind == TX_MULTISIG:
        return solutions[0][0] + 1 if solutions and solutions[0] else -1
    return -1


def inputs_standard(tx: Transaction, prev_script: Callable[[int], bytes], branch_id: int) -> bool:
    """AreInputsStandard: each input spends a standard script and pushes exactly what it needs."""
    for index, txin in enumerate(tx.vin):
        kind, solutions = solver(prev_script(index))
        expected = _args_expected(kind, solutions)
        if expected < 0:
            return False
        stack: list[bytes] = []
        if eval_script(stack, txin.script_sig, VERIFY_NONE, None, branch_id) is not ScriptError.OK:
            return False
        if kind == TX_SCRIPTHASH:
            if not stack:
                return False
            redeem_kind, redeem_solutions = solver(stack[-1])
            if redeem_kind == TX_NONSTANDARD:
                return script_sigop_count(stack[-1], True) <= MAX_P2SH_SIGOPS
            redeem_expected = _args_expected(redeem_kind, redeem_solutions)
            if redeem_expected < 0:
                return False
            expected += redeem_expected
        if len(stack) != expected:
            return False
    return True
