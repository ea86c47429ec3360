"""Standard script templates (C++ script/standard.cpp Solver, ExtractDestination(s), GetScriptForMultisig)."""

from __future__ import annotations

from fluxd.core.address import Destination
from fluxd.core.hashes import hash160
from fluxd.core.opcodes import OP_0, OP_1, OP_16, OP_BY_NAME, OP_CHECKMULTISIG, OP_CHECKSIG, read_op
from fluxd.core.script import is_p2sh, push_data

TX_NONSTANDARD = "nonstandard"
TX_PUBKEY = "pubkey"
TX_PUBKEYHASH = "pubkeyhash"
TX_SCRIPTHASH = "scripthash"
TX_MULTISIG = "multisig"
TX_NULL_DATA = "nulldata"
MAX_OP_RETURN_RELAY = 80

# Template placeholders (C++ OP_SMALLDATA .. OP_PUBKEY, never real opcodes here).
_SMALLDATA, _SMALLINTEGER, _PUBKEYS, _PUBKEYHASH, _PUBKEY = "smalldata", "smallinteger", "pubkeys", "pubkeyhash", "pubkey"
_DUP, _HASH160, _EQUALVERIFY, _RETURN = (OP_BY_NAME[n] for n in ("OP_DUP", "OP_HASH160", "OP_EQUALVERIFY", "OP_RETURN"))
_TEMPLATES = (
    (TX_PUBKEY, (_PUBKEY, OP_CHECKSIG)),
    (TX_PUBKEYHASH, (_DUP, _HASH160, _PUBKEYHASH, _EQUALVERIFY, OP_CHECKSIG)),
    (TX_MULTISIG, (_SMALLINTEGER, _PUBKEYS, _SMALLINTEGER, OP_CHECKMULTISIG)),
    (TX_NULL_DATA, (_RETURN, _SMALLDATA)),
    (TX_NULL_DATA, (_RETURN,)),
)


def _decode_op_n(opcode: int) -> int:
    return 0 if opcode == OP_0 else opcode - (OP_1 - 1)


def _match(script: bytes, template: tuple) -> list[bytes] | None:
    """Walk script and template together the way C++ Solver does; the solutions, or None."""
    solutions: list[bytes] = []
    pos, index = 0, 0
    while True:
        if pos == len(script) and index == len(template):
            return solutions
        op = read_op(script, pos)
        if op is None or index >= len(template):
            return None
        pos, element = op.end, template[index]
        index += 1
        data = op.data or b""
        if element == _PUBKEYS:
            while 33 <= len(data) <= 65:
                solutions.append(data)
                op = read_op(script, pos)
                if op is None:
                    return None
                pos, data = op.end, op.data or b""
            if index >= len(template):
                return None
            element = template[index]
            index += 1
            if not _element_matches(element, op.opcode, data, solutions):
                return None
            continue
        if not _element_matches(element, op.opcode, data, solutions):
            return None


def _element_matches(element, opcode: int, data: bytes, solutions: list[bytes]) -> bool:
    if element == _PUBKEY:
        if not 33 <= len(data) <= 65:
            return False
        solutions.append(data)
    elif element == _PUBKEYHASH:
        if len(data) != 20:
            return False
        solutions.append(data)
    elif element == _SMALLINTEGER:
        if not (opcode == OP_0 or OP_1 <= opcode <= OP_16):
            return False
        solutions.append(bytes([_decode_op_n(opcode)]))
    elif element == _SMALLDATA:
        return len(data) <= MAX_OP_RETURN_RELAY
    elif element != opcode or data:
        return False
    return True


def solver(script: bytes) -> tuple[str, list[bytes]]:
    """Solver: (type, solutions); TX_NONSTANDARD with no solutions when nothing matches."""
    if is_p2sh(script):
        return TX_SCRIPTHASH, [script[2:22]]
    for kind, template in _TEMPLATES:
        solutions = _match(script, template)
        if solutions is None:
            continue
        if kind == TX_MULTISIG:
            required, total = solutions[0][0], solutions[-1][0]
            if required < 1 or total < 1 or required > total or len(solutions) - 2 != total:
                return TX_NONSTANDARD, []
        return kind, solutions
    return TX_NONSTANDARD, []


def _valid_pubkey_length(pubkey: bytes) -> bool:
    return bool(pubkey) and {2: 33, 3: 33, 4: 65, 6: 65, 7: 65}.get(pubkey[0], 0) == len(pubkey)


def extract_destinations(script: bytes) -> tuple[str, list[Destination], int]:
    """ExtractDestinations: (type, destinations, required sigs); no destinations when it fails."""
    kind, solutions = solver(script)
    if kind in (TX_NONSTANDARD, TX_NULL_DATA):
        return kind, [], 0
    if kind == TX_MULTISIG:
        keys = [key for key in solutions[1:-1] if _valid_pubkey_length(key)]
        return kind, [Destination("pubkeyhash", hash160(key)) for key in keys], solutions[0][0]
    if kind == TX_PUBKEY:
        if not _valid_pubkey_length(solutions[0]):
            return kind, [], 0
        return kind, [Destination("pubkeyhash", hash160(solutions[0]))], 1
    destination_kind = "pubkeyhash" if kind == TX_PUBKEYHASH else "scripthash"
    return kind, [Destination(destination_kind, solutions[0])], 1


def multisig_pubkeys(script: bytes) -> list[bytes] | None:
    """ListPubKeysFromMultiSigScript: the valid keys of a multisig script, None when not multisig."""
    kind, solutions = solver(script)
    if kind != TX_MULTISIG:
        return None
    keys = [key for key in solutions[1:-1] if _valid_pubkey_length(key)]
    return keys or None


def is_multisig_redeem_script(script: bytes) -> bool:
    return solver(script)[0] == TX_MULTISIG


def multisig_script(required: int, pubkeys: list[bytes]) -> bytes:
    """GetScriptForMultisig."""
    def op_n(value: int) -> bytes:
        return bytes([OP_0 if value == 0 else OP_1 + value - 1])

    return op_n(required) + b"".join(push_data(key) for key in pubkeys) + op_n(len(pubkeys)) + bytes([OP_CHECKMULTISIG])
