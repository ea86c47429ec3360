"""C++ SanitizeString (utilstrencodings.cpp): keep only the characters of a safe set."""

from __future__ import annotations

import string

_ALPHA_NUM = string.ascii_letters + string.digits
SAFE_CHARS_DEFAULT = frozenset(_ALPHA_NUM + " .,;_/:?@()")
SAFE_CHARS_UA_COMMENT = frozenset(_ALPHA_NUM + " .,;_?@")


def sanitize_string(text: str, safe: frozenset = SAFE_CHARS_DEFAULT) -> str:
    """Every character outside ``safe`` is dropped (a peer's user agent before it is logged or shown: cleanSubVer)."""
    return "".join(char for char in text if char in safe)
