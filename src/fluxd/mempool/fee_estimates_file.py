"""fee_estimates.dat in the C++ layout (CTxMemPool::WriteFeeEstimates / ReadFeeEstimates).

    int32  version required to read (109900)
    int32  version that wrote the file (CLIENT_VERSION)
    uint32 best seen height (read back as int32, as C++ does)
    fee stats, then priority stats, each:
        double decay, vector<double> buckets, vector<double> avg,
        vector<double> tx count avg, vector<vector<double>> conf avg

Little-endian IEEE doubles, CompactSize vector lengths.  Reading checks what
C++ checks and, like C++, installs the fee stats before reading the priority
stats: a file damaged in its priority part leaves the fee stats loaded.
Failures are logged and answer False; the estimator keeps what it had.
"""

from __future__ import annotations

import logging
import os
import struct
from pathlib import Path

from fluxd.mempool.fee_estimator import BlockPolicyEstimator
from fluxd.mempool.fee_stats import StatsData, TxConfirmStats
from fluxd.util.serialize import DecodeError, Reader, Writer
from fluxd.util.version import CLIENT_VERSION

log = logging.getLogger("fluxd.estimatefee")

FEE_ESTIMATES_FILENAME = "fee_estimates.dat"
VERSION_REQUIRED_TO_READ = 109900  # 0.10.99
MAX_BUCKETS = 1000
MAX_CONFIRMS_IN_FILE = 6 * 24 * 7
_DOUBLE = struct.Struct("<d")


class CorruptEstimates(ValueError):
    pass


# ----- writing ------------------------------------------------------------------------------------
def _write_doubles(writer: Writer, values: list[float]) -> None:
    writer.compact_size(len(values))
    for value in values:
        writer.write(_DOUBLE.pack(value))


def _write_stats(writer: Writer, data: StatsData) -> None:
    writer.write(_DOUBLE.pack(data.decay))
    _write_doubles(writer, data.buckets)
    _write_doubles(writer, data.avg)
    _write_doubles(writer, data.tx_count_avg)
    writer.compact_size(len(data.conf_avg))
    for row in data.conf_avg:
        _write_doubles(writer, row)


def fee_estimates_bytes(estimator: BlockPolicyEstimator, client_version: int = CLIENT_VERSION) -> bytes:
    with estimator.lock:
        writer = Writer()
        writer.i32(VERSION_REQUIRED_TO_READ)
        writer.i32(client_version)
        writer.u32(estimator.best_seen_height & 0xFFFFFFFF)
        _write_stats(writer, estimator.fee_stats.snapshot())
        _write_stats(writer, estimator.pri_stats.snapshot())
        return writer.getvalue()


def write_fee_estimates(estimator: BlockPolicyEstimator, path: Path) -> bool:
    """Shutdown's fee_estimates.dat (written to a temporary name, then renamed over the old file)."""
    temporary = path.with_name(path.name + ".new")
    try:
        temporary.write_bytes(fee_estimates_bytes(estimator))
        os.replace(temporary, path)
    except OSError as error:
        log.warning("Failed to write fee estimates to %s: %s", path, error)
        return False
    return True


# ----- reading ------------------------------------------------------------------------------------
def _read_doubles(reader: Reader) -> list[float]:
    return [_DOUBLE.unpack(reader.read(8))[0] for _ in range(reader.count(8))]


def read_stats(reader: Reader) -> StatsData:
    """TxConfirmStats::Read's parsing and sanity checks (messages as C++)."""
    decay = _DOUBLE.unpack(reader.read(8))[0]
    if decay <= 0 or decay >= 1:
        raise CorruptEstimates("Corrupt estimates file. Decay must be between 0 and 1 (non-inclusive)")
    buckets = _read_doubles(reader)
    if len(buckets) <= 1 or len(buckets) > MAX_BUCKETS:
        raise CorruptEstimates("Corrupt estimates file. Must have between 2 and 1000 fee/pri buckets")
    avg = _read_doubles(reader)
    if len(avg) != len(buckets):
        raise CorruptEstimates("Corrupt estimates file. Mismatch in fee/pri average bucket count")
    tx_count_avg = _read_doubles(reader)
    if len(tx_count_avg) != len(buckets):
        raise CorruptEstimates("Corrupt estimates file. Mismatch in tx count bucket count")
    conf_avg = [_read_doubles(reader) for _ in range(reader.count(1))]
    if not 0 < len(conf_avg) <= MAX_CONFIRMS_IN_FILE:
        raise CorruptEstimates("Corrupt estimates file.  Must maintain estimates for between 1 and 1008 (one week) confirms")
    if any(len(row) != len(buckets) for row in conf_avg):
        raise CorruptEstimates("Corrupt estimates file. Mismatch in fee/pri conf average bucket count")
    return StatsData(decay, buckets, avg, tx_count_avg, conf_avg)


def _read_into(reader: Reader, stats: TxConfirmStats) -> None:
    stats.load(read_stats(reader))


def load_fee_estimates_bytes(estimator: BlockPolicyEstimator, data: bytes, client_version: int = CLIENT_VERSION) -> None:
    """ReadFeeEstimates; raises CorruptEstimates or DecodeError (fee stats may already be installed, as in C++)."""
    reader = Reader(data)
    version_required, _version_that_wrote = reader.i32(), reader.i32()
    if version_required > client_version:
        raise CorruptEstimates(f"up-version ({version_required}) fee estimate file")
    with estimator.lock:
        best_seen_height = reader.i32()
        _read_into(reader, estimator.fee_stats)
        _read_into(reader, estimator.pri_stats)
        estimator.best_seen_height = best_seen_height & 0xFFFFFFFF


def read_fee_estimates(estimator: BlockPolicyEstimator, path: Path) -> bool:
    """Start-up: a missing file is normal (first start); a damaged one is logged and leaves the estimator as it is."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return False
    except OSError as error:
        log.warning("Unable to read fee estimates from %s: %s", path, error)
        return False
    try:
        load_fee_estimates_bytes(estimator, data)
    except (CorruptEstimates, DecodeError) as error:
        log.warning("CTxMemPool::ReadFeeEstimates(): unable to read policy estimator data (non-fatal): %s", error)
        return False
    return True
