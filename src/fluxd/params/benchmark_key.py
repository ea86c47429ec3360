"""``-regtestbenchmarkpubkey=<hex pubkey>``: our own regtest-only option, not in C++.

CONFIRM transactions carry a benchmark signature checked against the
chainparams benchmarking keys.  Nobody knows the private keys of the C++
regtest keys, so without this option a functional test cannot make a CONFIRM.
On regtest the option replaces the whole key schedule with the one given key,
valid from time 0; on main and testnet the node refuses to start.
"""

from __future__ import annotations

from fluxd.core.keys import COMPRESSED_PUBKEY_SIZE, UNCOMPRESSED_PUBKEY_SIZE, is_fully_valid_pubkey

OPTION = "-regtestbenchmarkpubkey"


class BenchmarkKeyError(ValueError):
    """Why the option was refused (printed as 'Error: <message>')."""


def _invalid(value: str, reason: str) -> BenchmarkKeyError:
    return BenchmarkKeyError(f"Invalid {OPTION} ({value}): {reason}")


def decode_benchmark_pubkey(value: str) -> bytes:
    """The key bytes of a hex pubkey: 33 or 65 bytes and a point on secp256k1."""
    try:
        pubkey = bytes.fromhex(value)
    except ValueError:
        raise _invalid(value, "expected a hex-encoded secp256k1 public key") from None
    if len(pubkey) not in (COMPRESSED_PUBKEY_SIZE, UNCOMPRESSED_PUBKEY_SIZE):
        raise _invalid(value, f"a public key is 33 or 65 bytes, this is {len(pubkey)}")
    if not is_fully_valid_pubkey(pubkey):
        raise _invalid(value, "not a valid secp256k1 public key")
    return pubkey


def parse_regtest_benchmark_pubkey(value: str | None, network_id: str) -> bytes | None:
    """The replacement benchmarking key, or None when the option is not given."""
    if value is None:
        return None
    if network_id != "regtest":
        raise BenchmarkKeyError(f"{OPTION} may only be used on regtest.")
    return decode_benchmark_pubkey(value)
