"""The sigop-count fast paths (P2PKH template, direct pushes only) agree with the opcode loop."""

from __future__ import annotations

from hypothesis import given, strategies as st

from fluxd.consensus import sigops
from fluxd.core.opcodes import OP_1, OP_16, iter_ops


def loop_count(script: bytes, accurate: bool) -> int:
    count, last = 0, None
    for op in iter_ops(script):
        if op is None:
            break
        if op.opcode in sigops._SINGLE:
            count += 1
        elif op.opcode in sigops._MULTI:
            count += last - (OP_1 - 1) if accurate and last is not None and OP_1 <= last <= OP_16 else 20
        last = op.opcode
    return count


pushes = st.lists(st.binary(min_size=1, max_size=75).map(lambda data: bytes([len(data)]) + data), max_size=4).map(b"".join)
interesting = st.lists(st.sampled_from([b"\xac", b"\xad", b"\xae", b"\xaf", b"\x52", b"\x4c", b"\x4c\x01", b"\x02\xac", b"\x00"]), max_size=6).map(b"".join)


@given(st.one_of(pushes, interesting, st.binary(max_size=60), pushes.map(lambda s: s[:-1])), st.booleans())
def test_fast_paths_match_the_loop(script, accurate):
    assert sigops.script_sigop_count(script, accurate) == loop_count(script, accurate)


def test_p2pkh_template_and_near_misses():
    p2pkh = b"\x76\xa9\x14" + b"\xac" * 20 + b"\x88\xac"
    assert sigops.script_sigop_count(p2pkh, False) == loop_count(p2pkh, False) == 1
    near = p2pkh[:-1] + b"\xad"
    assert sigops.script_sigop_count(near, False) == loop_count(near, False)
    assert sigops.script_sigop_count(b"\x02\xac\xac", False) == 0
    assert sigops.script_sigop_count(b"\x03\xac\xac", False) == 0  # truncated push: the loop stops there
    assert sigops.script_sigop_count(b"\x01\xac\xac", False) == 1
