"""Emergency blocks: PoN blocks signed by a quorum of fixed keys (C++ emergencyblock.cpp; CONSENSUS_HEADERS.md §5.6).

``vchBlockSig`` holds a serialized vector of DER signatures.  C++ decodes it
with ``CDataStream >> std::vector<std::vector<unsigned char>>`` and keeps
whatever that left behind when it threw: the outer vector already resized
to its declared count (in chunks), the element being read sized to its
declared length but never filled, the rest empty.  ``decode_multisig``
reproduces that; trailing bytes are ignored.
"""

from __future__ import annotations

from fluxd.core.block import BlockHeader
from fluxd.core.ecdsa import verify_der
from fluxd.params.chainparams import ChainParams
from fluxd.util.serialize import DecodeError, Reader, Writer

MAX_BLOCK_SIG_SIZE = 73
OUTER_CHUNK = 5_000_000 // 24  # C++ resizes a vector of vectors 5 MB / sizeof(std::vector) elements at a time
INNER_CHUNK = 5_000_000  # ... and a byte vector 5 MB at a time


def is_emergency_block(params: ChainParams, header: BlockHeader) -> bool:
    return header.is_pon and header.collateral.txid_rev == params.emergency_collateral_hash_rev and header.collateral.n == 0


def encode_multisig(signatures: list[bytes]) -> bytes:
    writer = Writer()
    writer.compact_size(len(signatures))
    for signature in signatures:
        writer.var_bytes(signature)
    return writer.getvalue()


def decode_multisig(data: bytes) -> list[bytes]:
    """DecodeMultiSig with C++'s partial results on a decode failure."""
    signatures: list[bytes] = []
    if not data:
        return signatures
    reader = Reader(data)
    try:
        count = reader.compact_size()
    except DecodeError:
        return signatures
    filled = 0
    while filled < count:
        chunk_end = min(filled + OUTER_CHUNK, count)
        signatures.extend(b"" for _ in range(chunk_end - filled))
        for index in range(filled, chunk_end):
            if not _read_element(reader, signatures, index):
                return signatures
        filled = chunk_end
    return signatures


def _read_element(reader: Reader, signatures: list[bytes], index: int) -> bool:
    try:
        length = reader.compact_size()
    except DecodeError:
        return False  # the element stays empty
    if length > reader.remaining:
        # C++ resized the element before the read failed: zero bytes of the first chunk's size.  Only
        # "longer than a signature may be" matters to the verifier, so the zeros are capped there.
        signatures[index] = bytes(min(length, INNER_CHUNK, MAX_BLOCK_SIG_SIZE + 1))
        return False
    signatures[index] = reader.read(length)
    return True


def validate_emergency_signatures(params: ChainParams, header: BlockHeader) -> bool:
    """ValidateEmergencyBlockSignatures: ≥ min distinct keys signed the block hash (regtest: the counts only)."""
    if not is_emergency_block(params, header):
        return False
    keys = params.emergency_pubkeys
    signatures = decode_multisig(header.block_sig)
    if not params.emergency_min_signatures <= len(signatures) <= len(keys):
        return False
    if params.is_regtest:
        return True
    used: set[bytes] = set()
    valid = 0
    for signature in signatures:
        if len(signature) > MAX_BLOCK_SIG_SIZE:
            return False
        for key in keys:
            if key not in used and verify_der(key, header.hash_rev, signature):
                used.add(key)
                valid += 1
                break
        if valid >= params.emergency_min_signatures:
            return True
    return False
