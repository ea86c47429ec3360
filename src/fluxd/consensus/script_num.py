"""CScriptNum: script integers, at most 4 bytes as operands (5 for CLTV), results may overflow."""

from __future__ import annotations

from fluxd.consensus.script_errors import ScriptError, ScriptFailure
from fluxd.core.script import script_num_decode, script_num_encode

DEFAULT_MAX_NUM_SIZE = 4
INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)


def decode_num(data: bytes, require_minimal: bool, max_size: int = DEFAULT_MAX_NUM_SIZE) -> int:
    """CScriptNum(vch, fRequireMinimal, nMaxNumSize); failures end the script with UNKNOWN_ERROR."""
    if len(data) > max_size:
        raise ScriptFailure(ScriptError.UNKNOWN_ERROR)
    if require_minimal and data and (data[-1] & 0x7F) == 0:
        if len(data) <= 1 or (data[-2] & 0x80) == 0:
            raise ScriptFailure(ScriptError.UNKNOWN_ERROR)
    return script_num_decode(data)


def clamp_int(value: int) -> int:
    """CScriptNum::getint: saturate to int32."""
    return max(INT32_MIN, min(INT32_MAX, value))


encode_num = script_num_encode
