"""fluxnode.conf / zelnode.conf in the datadir (C++ CFluxnodeConfig::read and GetFluxnodeConfigFile).

One node a line: ``alias ip:port privkey collateral_txid collateral_index``, separated by blanks;
empty lines and lines whose first word starts with ``#`` are skipped.  A missing file is created
with the C++ header comment.  Parse errors carry the C++ texts (which always name zelnode.conf)
with the 1-based line number and the line itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MAINNET_PORT = 16125
HEADER = (
    "# Fluxnode config file\n"
    "# Format: alias IP:port zelnodeprivkey collateral_output_txid collateral_output_index\n"
    "# Example: zn1 127.0.0.2:16125 93HaYBVUCYjEMeeH1Y4sBGLALQZE1Yc1K64xiqgX37tGBDQL8Xg "
    "2bcd3c84c84f87eaa86e4e56834c92927a07f9e18718810b92e0d0324456a67c 0\n"
)


class FluxnodeConfigError(Exception):
    """C++ strErr of CFluxnodeConfig::read."""


@dataclass(frozen=True, slots=True)
class FluxnodeEntry:
    alias: str
    ip: str
    privkey: str
    txhash: str
    output_index: str  # kept as written, as C++ (castOutputIndex converts it when used)

    def index(self) -> int | None:
        """castOutputIndex (std::stoi: leading blanks, a sign, digits, anything after them ignored)."""
        return stoi(self.output_index)


def stoi(text: str) -> int | None:
    body = text.lstrip(" \t\n\r\f\v")
    sign = ""
    if body[:1] in "+-" and body:
        sign, body = body[0], body[1:]
    digits = ""
    for char in body:
        if not char.isdigit() or not char.isascii():
            break
        digits += char
    if not digits:
        return None
    value = int(sign + digits)
    return value if -(2**31) <= value < 2**31 else None


def config_path(net_dir: Path, znconf: str | None) -> Path:
    """GetFluxnodeConfigFile: zelnode.conf when it exists, else fluxnode.conf (-znconf names either)."""
    zelnode = _in_datadir(net_dir, znconf or "zelnode.conf")
    if zelnode.exists():
        return zelnode
    return _in_datadir(net_dir, znconf or "fluxnode.conf")


def _in_datadir(net_dir: Path, name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else net_dir / path


def read_config(path: Path, is_mainnet: bool) -> list[FluxnodeEntry]:
    """CFluxnodeConfig::read: the entries, or FluxnodeConfigError; writes the header when the file is missing."""
    try:
        text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    except FileNotFoundError:
        try:
            with path.open("a") as created:
                created.write(HEADER)
        except OSError:
            pass
        return []
    entries = []
    for number, line in enumerate(_lines(text), start=1):
        entry = parse_line(line, number, is_mainnet)
        if entry is not None:
            entries.append(entry)
    return entries


def _lines(text: str) -> list[str]:
    """std::getline: split on '\\n', no empty last line after a final newline."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _located(message: str, number: int, line: str) -> str:
    return f'{message}\nLine: {number}\n"{line}"'


def parse_line(line: str, number: int, is_mainnet: bool) -> FluxnodeEntry | None:
    if not line:
        return None
    words = line.split()
    if words and words[0].startswith("#"):
        return None
    if len(words) < 5:
        raise FluxnodeConfigError(_located("Could not parse zelnode.conf", number, line))
    alias, ip, privkey, txhash, output_index = words[:5]
    port, host = split_host_port(ip)
    if port == 0 or host == "":
        raise FluxnodeConfigError(_located("Failed to parse host:port string", number, line))
    if is_mainnet and port != MAINNET_PORT:
        raise FluxnodeConfigError(_located("Invalid port detected in zelnode.conf", number, line) + "\n(must be 51472 for mainnet)")
    if not is_mainnet and port == MAINNET_PORT:
        raise FluxnodeConfigError(
            _located("Invalid port detected in zelnode.conf", number, line) + "\n(16125 could be used only on mainnet)"
        )
    return FluxnodeEntry(alias, ip, privkey, txhash, output_index)


def split_host_port(text: str) -> tuple[int, str]:
    """C++ SplitHostPort: the last ':' separates a port when it follows "[...]" or is the only ':';
    the port must parse as an int32 in 1..65535; brackets around the host are removed.  Port 0: none."""
    port = 0
    colon = text.rfind(":")
    if colon != -1:
        bracketed = text[0] == "[" and colon > 0 and text[colon - 1] == "]"
        multi_colon = text.rfind(":", 0, colon) != -1
        value = _parse_int32(text[colon + 1:])
        if (colon == 0 or bracketed or not multi_colon) and value is not None and 0 < value < 0x10000:
            text, port = text[:colon], value
    if len(text) > 0 and text[0] == "[" and text[-1] == "]":
        text = text[1:-1]
    return port, text


def _parse_int32(text: str) -> int | None:
    """ParseInt32: strtol over the whole text (an optional sign, no leading blank)."""
    if not re.fullmatch(r"[+-]?[0-9]+", text, flags=re.ASCII):
        return None
    value = int(text)
    return value if -(2**31) <= value < 2**31 else None


def write_entry_line(entry: FluxnodeEntry) -> str:
    """A conf line for ``entry`` (as operators and the tests write them)."""
    return f"{entry.alias} {entry.ip} {entry.privkey} {entry.txhash} {entry.output_index}\n"
