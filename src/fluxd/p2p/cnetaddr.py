"""Which network an address string names, as C++ ``CNetAddr(text, false).GetNetwork()`` classifies it.

Shared by the fluxnode RPCs (count and label nodes by network) and outbound
dialing (which proxy a target uses).  No name lookup: ``SetSpecial`` (a
``.onion`` name), then a numeric address (``inet_pton``, then ``getaddrinfo``
with ``AI_NUMERICHOST``); anything else stays the all-zero address, which is
unroutable.  An address that is not routable (``CNetAddr::IsRoutable``:
private, local, documentation ranges, ...) counts as no network at all.
``1.2.3.4:16125`` is not a numeric host, so the raw ip of a node that carries
a port is unroutable (getfluxnodecount); the list view splits the port off
first (``SplitHostPort``).
"""

from __future__ import annotations

import base64
import re
import socket

NET_UNROUTABLE, NET_IPV4, NET_IPV6, NET_TOR = 0, 1, 2, 3
NETWORK_NAMES = {NET_IPV4: "ipv4", NET_IPV6: "ipv6", NET_TOR: "onion"}  # C++ GetNetworkName; others ""

IPV4_PREFIX = b"\x00" * 10 + b"\xff\xff"
ONION_CAT = bytes((0xFD, 0x87, 0xD8, 0x7E, 0xEB, 0x43))
ONION_SUFFIX = ".onion"
BASE32_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
PORT_TEXT = re.compile(r"[+-]?[0-9]+")


def network_name(ip_text: str) -> str:
    """GetNetworkName(CNetAddr(ip_text, false).GetNetwork()): "ipv4", "ipv6", "onion" or ""."""
    return NETWORK_NAMES.get(network_of(ip_text), "")


def network_of(ip_text: str) -> int:
    return network_of_address(parse_address(ip_text))


def split_host_port(text: str, default_port: int) -> tuple[str, int]:
    """C++ SplitHostPort: a valid trailing port split off (else default_port), the brackets around the host dropped."""
    port = default_port
    colon = text.rfind(":")
    if colon >= 0:
        bracketed = text[0] == "[" and text[colon - 1] == "]"
        multi_colon = text.rfind(":", 0, colon) >= 0
        if (colon == 0 or bracketed or not multi_colon) and _is_port(text[colon + 1 :]):
            text, port = text[:colon], int(text[colon + 1 :])
    if text.startswith("[") and text.endswith("]") and len(text) >= 2:
        return text[1:-1], port
    return text, port


def host_without_port(text: str) -> str:
    """C++ SplitHostPort's host."""
    return split_host_port(text, 0)[0]


def _is_port(text: str) -> bool:
    """ParseInt32 (no padding, digits only, int32) and 0 < port < 65536."""
    if not PORT_TEXT.fullmatch(text):
        return False
    return 0 < int(text) < 0x10000


def parse_address(text: str) -> bytes:
    """CNetAddr(text, fAllowLookup=false): the 16-byte address, all zeros when it does not parse."""
    if "\x00" in text:
        text = text[: text.index("\x00")]  # C++ passes c_str()
    if not text:
        return bytes(16)
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return _onion_address(text) or _numeric_address(text) or bytes(16)


def _onion_address(text: str) -> bytes | None:
    """SetSpecial: "<base32>.onion" whose leading base32 run decodes to exactly 10 bytes."""
    if len(text) <= len(ONION_SUFFIX) or not text.endswith(ONION_SUFFIX):
        return None
    name = text[: -len(ONION_SUFFIX)]
    run = 0
    while run < len(name) and name[run] in BASE32_CHARS:
        run += 1
    if run * 5 // 8 != 16 - len(ONION_CAT):
        return None
    return ONION_CAT + _base32_bytes(name[:run])[:10]


def _base32_bytes(chars: str) -> bytes:
    bits = "".join(format("abcdefghijklmnopqrstuvwxyz234567".index(char.lower()), "05b") for char in chars)
    return bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits) - 7, 8))


def _numeric_address(text: str) -> bytes | None:
    for family, to_ip16 in ((socket.AF_INET, lambda raw: IPV4_PREFIX + raw), (socket.AF_INET6, lambda raw: raw)):
        try:
            return to_ip16(socket.inet_pton(family, text))
        except (OSError, ValueError, UnicodeError):
            pass
    return _getaddrinfo_numeric(text)


def _getaddrinfo_numeric(text: str) -> bytes | None:
    """getaddrinfo(AI_NUMERICHOST): the shorthand forms inet_pton refuses ("127.1", a scoped IPv6)."""
    try:
        answers = socket.getaddrinfo(text, None, socket.AF_UNSPEC, socket.SOCK_STREAM, socket.IPPROTO_TCP, socket.AI_NUMERICHOST)
    except (OSError, ValueError, UnicodeError):
        return None
    for family, _, _, _, sockaddr in answers:
        if family == socket.AF_INET:
            return IPV4_PREFIX + socket.inet_pton(socket.AF_INET, sockaddr[0])
        if family == socket.AF_INET6:
            return socket.inet_pton(socket.AF_INET6, sockaddr[0].split("%", 1)[0])
    return None


def network_of_address(ip16: bytes) -> int:
    """CNetAddr::GetNetwork."""
    if not is_routable(ip16):
        return NET_UNROUTABLE
    if ip16.startswith(IPV4_PREFIX):
        return NET_IPV4
    if ip16.startswith(ONION_CAT):
        return NET_TOR
    return NET_IPV6


def is_routable(ip16: bytes) -> bool:
    """CNetAddr::IsRoutable: valid and in none of the special ranges."""
    if not _is_valid(ip16):
        return False
    if ip16.startswith(IPV4_PREFIX):
        return not _is_special_ipv4(ip16[12:])
    return not _is_special_ipv6(ip16)


def to_string_ip(ip16: bytes) -> str:
    """CNetAddr::ToStringIP: "<base32>.onion", dotted IPv4 or the numeric IPv6 text."""
    if ip16.startswith(ONION_CAT):
        return base64.b32encode(ip16[6:]).decode().lower() + ONION_SUFFIX
    if ip16.startswith(IPV4_PREFIX):
        return socket.inet_ntop(socket.AF_INET, ip16[12:])
    return socket.inet_ntop(socket.AF_INET6, ip16)


def is_valid(ip16: bytes) -> bool:
    """CNetAddr::IsValid."""
    return _is_valid(ip16)


def _is_valid(ip16: bytes) -> bool:
    if ip16[:9] == IPV4_PREFIX[3:]:  # 3-byte shifted garbage from pre-0.2.9 addr messages
        return False
    if ip16 == bytes(16) or ip16[:4] == b"\x20\x01\x0d\xb8":  # unspecified, RFC3849 documentation
        return False
    if ip16.startswith(IPV4_PREFIX) and ip16[12:] in (b"\xff" * 4, bytes(4)):  # INADDR_NONE, 0.0.0.0
        return False
    return True


def _is_special_ipv4(octets: bytes) -> bool:
    """RFC1918, RFC2544, RFC3927, RFC6598, RFC5737 and local (127/8, 0/8)."""
    a, b, c = octets[0], octets[1], octets[2]
    return (
        a == 10
        or (a == 192 and b == 168)
        or (a == 172 and 16 <= b <= 31)
        or (a == 198 and b in (18, 19))
        or (a == 169 and b == 254)
        or (a == 100 and 64 <= b <= 127)
        or (a, b, c) in ((192, 0, 2), (198, 51, 100), (203, 0, 113))
        or a in (127, 0)
    )


def _is_special_ipv6(ip16: bytes) -> bool:
    """RFC4862 (fe80::/64), RFC4193 (fc00::/7, not OnionCat), RFC4843 (2001:10::/28) and ::1."""
    if ip16[:8] == b"\xfe\x80" + bytes(6):
        return True
    if ip16[0] & 0xFE == 0xFC and not ip16.startswith(ONION_CAT):
        return True
    if ip16[:3] == b"\x20\x01\x00" and ip16[3] & 0xF0 == 0x10:
        return True
    return ip16 == bytes(15) + b"\x01"
