"""Build C++-layout wallet.dat files for the import tests, independently of the reader.

Records are serialized here by hand (CompactSize, strings, CPrivKey DER with
the explicit secp256k1 parameters, CKeyPool, CWalletTx, ...) and loaded into a
real Berkeley DB file by Debian's ``db5.3_load`` from the printable dump
format, the way ``db_dump`` prints the C++ node's own wallet.dat.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from fluxd.core.keys import PrivateKey

DB_LOAD = shutil.which("db5.3_load")

SECP256K1_P = 2**256 - 2**32 - 977
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
PRIME_FIELD_OID = bytes.fromhex("2a8648ce3d0101")  # 1.2.840.10045.1.1


# ----- Bitcoin serialization ------------------------------------------------------------------


def compact(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    return b"\xfe" + struct.pack("<I", n)


def vec(data: bytes) -> bytes:
    return compact(len(data)) + data


def text(value: str) -> bytes:
    return vec(value.encode())


def i32(n: int) -> bytes:
    return struct.pack("<i", n)


def u32(n: int) -> bytes:
    return struct.pack("<I", n)


def i64(n: int) -> bytes:
    return struct.pack("<q", n)


def u64(n: int) -> bytes:
    return struct.pack("<Q", n)


def dsha(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def string_map(values: dict[str, str]) -> bytes:
    return compact(len(values)) + b"".join(text(k) + text(v) for k, v in sorted(values.items()))


# ----- CPrivKey (SEC 1 ECPrivateKey with explicit curve parameters) -------------------------


def der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + der_length(len(body)) + body


def der_int(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return tlv(0x02, body)


def cxx_privkey(key: PrivateKey) -> bytes:
    """The CPrivKey C++ writes: 214 bytes compressed, 279 uncompressed, long-form lengths throughout."""
    generator = PrivateKey((1).to_bytes(32, "big"), key.compressed).pubkey
    field_id = tlv(0x30, tlv(0x06, PRIME_FIELD_OID) + der_int(SECP256K1_P))
    curve = tlv(0x30, tlv(0x04, b"\x00") + tlv(0x04, b"\x07"))
    params = tlv(0x30, der_int(1) + field_id + curve + tlv(0x04, generator) + der_int(SECP256K1_N) + der_int(1))
    body = der_int(1) + tlv(0x04, key.secret) + tlv(0xA0, params) + tlv(0xA1, tlv(0x03, b"\x00" + key.pubkey))
    return tlv(0x30, body)


# ----- transactions -------------------------------------------------------------------------


def plain_tx(inputs: int, outputs: int, script_size: int = 107, sapling: bool = False, seed: int = 0) -> bytes:
    """A v1 or an empty-shielded v4 transaction, serialized by hand."""
    body = compact(inputs)
    for n in range(inputs):
        body += dsha(bytes([seed % 256, n % 256])) + u32(n) + vec(bytes([n % 256]) * script_size) + u32(0xFFFFFFFF)
    body += compact(outputs)
    for n in range(outputs):
        body += i64(1000 * (n + 1) + seed) + vec(b"\x76\xa9\x14" + bytes([n % 256]) * 20 + b"\x88\xac")
    body += u32(0)
    if not sapling:
        return u32(1) + body
    return u32(0x80000004) + u32(0x892F2085) + body + u32(0) + i64(0) + compact(0) + compact(0) + compact(0)


def wallet_tx(tx: bytes, *, sapling: bool, block_hash: bytes, index: int, map_value: dict[str, str],
              order_form: list[tuple[str, str]], time_received: int, from_me: bool) -> bytes:
    """CWalletTx: CMerkleTx, empty vtxPrev, mapValue, no Sprout notes, vOrderForm, times, flags."""
    merkle = tx + block_hash + compact(2) + b"\x11" * 32 + b"\x22" * 32 + i32(index)
    out = merkle + compact(0) + string_map(map_value) + compact(0)
    out += compact(len(order_form)) + b"".join(text(a) + text(b) for a, b in order_form)
    out += u32(0) + u32(time_received) + bytes([1 if from_me else 0]) + b"\x00"
    return out + (compact(0) if sapling else b"")


# ----- the BDB file -------------------------------------------------------------------------


@dataclass
class WalletRecords:
    records: dict[bytes, bytes] = field(default_factory=dict)

    def put(self, key: bytes, value: bytes) -> None:
        self.records[key] = value

    def add(self, kind: str, key_fields: bytes, value: bytes) -> None:
        self.put(text(kind) + key_fields, value)


def dump_text(records: dict[bytes, bytes] | list[tuple[bytes, bytes]], page_size: int | None = None,
              extra_header: str = "", database: str = "main", access: str = "btree") -> str:
    lines = ["VERSION=3", "format=bytevalue", f"type={access}", f"database={database}"]
    if page_size:
        lines.append(f"db_pagesize={page_size}")
    lines += [line for line in extra_header.splitlines() if line]
    lines.append("HEADER=END")
    for key, value in records.items() if isinstance(records, dict) else records:
        lines += [" " + key.hex(), " " + value.hex()]
    lines.append("DATA=END")
    return "\n".join(lines) + "\n"


def load_bdb(path: Path, records: dict[bytes, bytes] | list[tuple[bytes, bytes]], *args: str, **dump_options) -> Path:
    """Write ``records`` into a new BDB file at ``path`` with db5.3_load."""
    source = path.with_suffix(".dump")
    source.write_text(dump_text(records, **dump_options))
    if path.exists():
        os.remove(path)
    subprocess.run([DB_LOAD, *args, "-f", str(source), str(path)], check=True, capture_output=True)
    return path


def page_types(path: Path, page_size: int) -> list[int]:
    data = path.read_bytes()
    return [data[offset + 25] for offset in range(0, len(data), page_size)]
