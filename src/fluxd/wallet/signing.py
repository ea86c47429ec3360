"""Producing scriptSigs for standard outputs (C++ script/sign.cpp ProduceSignature, SignStep).

Used by ``flux-tx sign=`` and the ``signrawtransaction`` RPC with given keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fluxd.consensus.interpreter import SignatureChecker, verify_script
from fluxd.consensus.script_errors import STANDARD_SCRIPT_VERIFY_FLAGS, ScriptError
from fluxd.consensus.sighash import SighashError, signature_hash
from fluxd.core.ecdsa import sign_der
from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey
from fluxd.core.script import push_data
from fluxd.core.standard import TX_MULTISIG, TX_PUBKEY, TX_PUBKEYHASH, TX_SCRIPTHASH, solver
from fluxd.core.transaction import Transaction


@dataclass
class KeyStore:
    """CBasicKeyStore: private keys by key id and redeem scripts by script id."""

    keys: dict[bytes, PrivateKey] = field(default_factory=dict)
    scripts: dict[bytes, bytes] = field(default_factory=dict)

    def add_key(self, key: PrivateKey) -> None:
        self.keys[key.key_id] = key

    def add_script(self, script: bytes) -> None:
        self.scripts[hash160(script)] = script


@dataclass
class SigningInput:
    tx: Transaction
    index: int
    amount: int
    hash_type: int
    branch_id: int


def _create_sig(store: KeyStore, key_id: bytes, script_code: bytes, spec: SigningInput) -> bytes | None:
    key = store.keys.get(key_id)
    if key is None:
        return None
    try:
        digest = signature_hash(script_code, spec.tx, spec.index, spec.hash_type, spec.amount, spec.branch_id)
    except SighashError:
        return None
    return sign_der(key.secret, digest) + bytes([spec.hash_type & 0xFF])


def _sign_step(store: KeyStore, script: bytes, spec: SigningInput) -> tuple[bool, str, list[bytes]]:
    kind, solutions = solver(script)
    if kind == TX_PUBKEY:
        sig = _create_sig(store, hash160(solutions[0]), script, spec)
        return sig is not None, kind, [sig] if sig else []
    if kind == TX_PUBKEYHASH:
        sig = _create_sig(store, solutions[0], script, spec)
        if sig is None:
            return False, kind, []
        return True, kind, [sig, store.keys[solutions[0]].pubkey]
    if kind == TX_SCRIPTHASH:
        redeem = store.scripts.get(solutions[0])
        return redeem is not None, kind, [redeem] if redeem is not None else []
    if kind == TX_MULTISIG:
        return _sign_multisig(store, script, solutions, spec)
    return False, kind, []


def _sign_multisig(store: KeyStore, script: bytes, solutions: list[bytes], spec: SigningInput):
    required = solutions[0][0]
    pushes = [b""]
    for pubkey in solutions[1:-1]:
        if len(pushes) - 1 >= required:
            break
        sig = _create_sig(store, hash160(pubkey), script, spec)
        if sig is not None:
            pushes.append(sig)
    return len(pushes) - 1 == required, TX_MULTISIG, pushes


def produce_signature(store: KeyStore, script_pubkey: bytes, spec: SigningInput) -> tuple[bytes, bool]:
    """(scriptSig, complete): complete when the result verifies with the standard flags."""
    solved, kind, pushes = _sign_step(store, script_pubkey, spec)
    if solved and kind == TX_SCRIPTHASH:
        redeem = pushes[0]
        solved, inner_kind, pushes = _sign_step(store, redeem, spec)
        solved = solved and inner_kind != TX_SCRIPTHASH
        pushes.append(redeem)
    script_sig = b"".join(push_data(item) for item in pushes)
    if not solved:
        return script_sig, False
    signed_tx = spec.tx.copy_with(vin=_replace_script_sig(spec.tx, spec.index, script_sig))
    checker = SignatureChecker(signed_tx, spec.index, spec.amount)
    error = verify_script(script_sig, script_pubkey, STANDARD_SCRIPT_VERIFY_FLAGS, checker, spec.branch_id)
    return script_sig, error is ScriptError.OK


def _replace_script_sig(tx: Transaction, index: int, script_sig: bytes):
    vin = list(tx.vin)
    old = vin[index]
    vin[index] = old.__class__(old.prevout, script_sig, old.sequence)
    return tuple(vin)


@dataclass(frozen=True)
class InputError:
    """One entry of signrawtransaction's "errors" (C++ TxInErrorToJSON)."""

    input_index: int
    message: str


def sign_inputs(
    tx: Transaction,
    store: KeyStore,
    spent_output,
    hash_type: int,
    branch_id: int,
) -> tuple[Transaction, list[InputError]]:
    """Sign every input we can; ``spent_output(outpoint)`` gives (script_pubkey, amount) or None.

    Inputs we cannot complete keep their scriptSig and are reported, as C++ signrawtransaction does.
    """
    hash_single = (hash_type & ~0x80) == 3
    vin = list(tx.vin)
    errors: list[InputError] = []
    for index, txin in enumerate(tx.vin):
        known = spent_output(txin.prevout)
        if known is None:
            errors.append(InputError(index, "Input not found or already spent"))
            continue
        script_pubkey, amount = known
        if not hash_single or index < len(tx.vout):
            script_sig, _ = produce_signature(store, script_pubkey, SigningInput(tx, index, amount, hash_type, branch_id))
            if script_sig:
                vin[index] = txin.__class__(txin.prevout, script_sig, txin.sequence)
        checker = SignatureChecker(tx, index, amount)
        error = verify_script(vin[index].script_sig, script_pubkey, STANDARD_SCRIPT_VERIFY_FLAGS, checker, branch_id)
        if error is not ScriptError.OK:
            errors.append(InputError(index, error.message))
    return tx.copy_with(vin=tuple(vin)), errors
