"""The wallet dump text format of dumpwallet / importwallet (C++ rpcdump.cpp), pure: no wallet, no files.

A dump is comment lines (``#``), then one line per key::

    <WIF> <ISO time> label=<escaped label> # addr=<address>
    <WIF> <ISO time> reserve=1 # addr=<address>      (a key pool key)
    <WIF> <ISO time> change=1 # addr=<address>       (any other key)

Labels are escaped as C++ EncodeDumpString does (bytes <= 32, >= 128 and ``%``
as ``%xx``).  The parser reads lines as C++ importwallet does: blank and ``#``
lines skipped, fields split on single spaces, fewer than two fields skipped.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

KIND_LABEL = "label"
KIND_RESERVE = "reserve"
KIND_CHANGE = "change"
_DUMP_TIME = re.compile(r"(\d{1,4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})Z")


def encode_dump_time(timestamp: int) -> str:
    """EncodeDumpTime: UTC, ``%Y-%m-%dT%H:%M:%SZ``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def decode_dump_time(text: str) -> int:
    """DecodeDumpTime (std::get_time then timegm); 0 when the text does not parse."""
    match = _DUMP_TIME.match(text)
    if match is None:
        return 0
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 60):
        return 0
    try:
        return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    except (ValueError, OverflowError):
        return 0


def encode_dump_string(text: str) -> str:
    """EncodeDumpString: every byte <= 32, >= 128 or '%' of the UTF-8 text as %xx."""
    out = []
    for byte in text.encode("utf-8"):
        out.append(f"%{byte:02x}" if byte <= 32 or byte >= 128 or byte == 0x25 else chr(byte))
    return "".join(out)


def _signed(byte: int) -> int:
    return byte - 256 if byte >= 128 else byte


def _hex_nibble(byte: int) -> int:
    """C++ DecodeDumpString's digit formula on a (signed) char: right for 0-9, a-f, A-F."""
    char = _signed(byte)
    return (char >> 6) * 9 + ((char - 0x30) & 15)


def decode_dump_string(text: str) -> str:
    """DecodeDumpString: %xx back to its byte when two characters follow the '%'."""
    data = text.encode("utf-8", errors="surrogateescape")
    out = bytearray()
    pos = 0
    while pos < len(data):
        byte = data[pos]
        if byte == 0x25 and pos + 2 < len(data):
            byte = ((_hex_nibble(data[pos + 1]) << 4) | _hex_nibble(data[pos + 2])) & 0xFF
            pos += 2
        out.append(byte)
        pos += 1
    return out.decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class DumpKey:
    """One key line to write: ``kind`` is label (with ``label``), reserve or change."""

    wif: str
    created: int
    kind: str
    address: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class DumpHeader:
    build: str  # C++ CLIENT_BUILD
    build_date: str  # C++ CLIENT_DATE
    created: int  # now
    tip_height: int
    tip_hash_hum: str
    tip_time: int
    hd_seed_hex: str
    hd_fingerprint_hum: str


def format_key_line(key: DumpKey) -> str:
    when = encode_dump_time(key.created)
    if key.kind == KIND_LABEL:
        return f"{key.wif} {when} label={encode_dump_string(key.label)} # addr={key.address}\n"
    flag = "reserve=1" if key.kind == KIND_RESERVE else "change=1"
    return f"{key.wif} {when} {flag} # addr={key.address}\n"


def format_header(header: DumpHeader) -> str:
    return (
        f"# Wallet dump created by Flux {header.build} ({header.build_date})\n"
        f"# * Created on {encode_dump_time(header.created)}\n"
        f"# * Best block at time of backup was {header.tip_height} ({header.tip_hash_hum}),\n"
        f"#   mined on {encode_dump_time(header.tip_time)}\n"
        f"# HDSeed={header.hd_seed_hex} fingerprint={header.hd_fingerprint_hum}\n"
        "\n"
    )


def format_dump(header: DumpHeader, keys: list[DumpKey]) -> str:
    """The whole dumpwallet file (transparent keys only, as dumpwallet without z-keys)."""
    return format_header(header) + "".join(format_key_line(key) for key in keys) + "\n# End of dump\n"


@dataclass(frozen=True, slots=True)
class DumpRecord:
    """One key line read back: the WIF text, its time, and the label to set when ``use_label``."""

    secret: str
    created: int
    label: str
    use_label: bool


def split_fields(line: str) -> list[str]:
    """C++ SplitString(line, ' ') (getline on a stream): empty fields kept, no trailing empty one."""
    fields = line.split(" ")
    if fields and fields[-1] == "":
        fields.pop()
    return fields


def parse_line(line: str) -> DumpRecord | None:
    if not line or line[0] == "#":
        return None
    fields = split_fields(line)
    if len(fields) < 2:
        return None
    label, use_label = "", True
    for field in fields[2:]:
        if field.startswith("#"):
            break
        if field in ("change=1", "reserve=1"):
            use_label = False
        if field.startswith("label="):
            label, use_label = decode_dump_string(field[6:]), True
    return DumpRecord(fields[0], decode_dump_time(fields[1]), label, use_label)


def parse_dump(text: str) -> Iterator[DumpRecord]:
    """The key lines of a dump, in file order (lines split on '\\n' only, as std::getline)."""
    for line in text.split("\n"):
        record = parse_line(line)
        if record is not None:
            yield record
