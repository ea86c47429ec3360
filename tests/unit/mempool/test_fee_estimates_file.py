"""fee_estimates.dat: the C++ byte layout both ways, C++ sanity checks, damaged files refused cleanly."""

from __future__ import annotations

import logging
import math
import struct

import pytest

from fluxd.mempool.fee_estimates_file import (
    CorruptEstimates,
    fee_estimates_bytes,
    load_fee_estimates_bytes,
    read_fee_estimates,
    write_fee_estimates,
)
from fluxd.mempool.fee_estimator import BlockPolicyEstimator
from fluxd.util.serialize import DecodeError
from tests.unit.mempool.test_fee_estimator import fee_flows, run_chain

CPP_CLIENT_VERSION = 9_000_650  # fluxd 9.0.6-50 (clientversion.h)


def _doubles(values) -> bytes:
    assert len(values) < 0xFD
    return bytes([len(values)]) + b"".join(struct.pack("<d", value) for value in values)


def _cpp_stats(decay: float, buckets, avg, counts, conf_rows) -> bytes:
    """TxConfirmStats::Write, by hand: decay, buckets, avg, txCtAvg, confAvg."""
    return struct.pack("<d", decay) + _doubles(buckets) + _doubles(avg) + _doubles(counts) + bytes([len(conf_rows)]) + b"".join(_doubles(row) for row in conf_rows)


def cpp_file(best_height: int = 1234, decay: float = 0.998, version_required: int = 109_900) -> bytes:
    """A file as C++ fluxd writes it: three fee buckets, two priority buckets, 25 confirm rows each."""
    fee_rows = [[0.0, 900.0 if confirms >= 2 else 0.0, 0.0] for confirms in range(1, 26)]
    fee = _cpp_stats(decay, [1000.0, 2000.0, math.inf], [0.0, 900.0 * 1500.0, 0.0], [0.0, 900.0, 0.0], fee_rows)
    pri = _cpp_stats(decay, [1e8, math.inf], [150.0 * 3e8, 0.0], [150.0, 0.0], [[150.0, 0.0] for _ in range(25)])
    return struct.pack("<iiI", version_required, CPP_CLIENT_VERSION, best_height) + fee + pri


def busy_estimator() -> BlockPolicyEstimator:
    estimator = BlockPolicyEstimator()
    run_chain(estimator, 300, fee_flows())
    return estimator


def test_round_trip_is_byte_exact(tmp_path):
    estimator = busy_estimator()
    data = fee_estimates_bytes(estimator)
    assert data[:12] == struct.pack("<iiI", 109_900, 9_010_050, 300)
    assert len(data) == 12 + (8 + 3 * (1 + 122 * 8) + 1 + 25 * (1 + 122 * 8)) + (8 + 3 * (1 + 29 * 8) + 1 + 25 * (1 + 29 * 8))
    path = tmp_path / "fee_estimates.dat"
    assert write_fee_estimates(estimator, path) and path.read_bytes() == data
    loaded = BlockPolicyEstimator()
    assert read_fee_estimates(loaded, path)
    assert fee_estimates_bytes(loaded) == data
    assert loaded.best_seen_height == 300
    assert [loaded.estimate_fee(target) for target in (1, 3, 8)] == [50_000, 20_000, 5_000]


def test_a_cpp_written_file_loads_and_writes_back_identically():
    estimator = BlockPolicyEstimator()
    load_fee_estimates_bytes(estimator, cpp_file())
    assert estimator.best_seen_height == 1234
    assert estimator.fee_stats.buckets == [1000.0, 2000.0, math.inf] and estimator.fee_stats.max_confirms == 25
    assert estimator.estimate_fee(1) == 0 and estimator.estimate_fee(2) == 1500 and estimator.estimate_fee(25) == 1500
    assert estimator.estimate_priority(1) == 3e8
    assert estimator.fee_stats.find_bucket_index(1500.0) == 1 and estimator.fee_stats.find_bucket_index(1e12) == 2
    assert fee_estimates_bytes(estimator, client_version=CPP_CLIENT_VERSION) == cpp_file()
    estimator.process_block(1235, [], True)  # the loaded stats decay and track from there
    assert estimator.fee_stats.tx_count_avg[1] == 900.0 * 0.998 and estimator.best_seen_height == 1235


def test_every_truncation_is_refused_cleanly(tmp_path):
    data = cpp_file()
    fee_part_end = 12 + 8 + 3 * 25 + 1 + 25 * 25
    fresh = fee_estimates_bytes(BlockPolicyEstimator())
    path = tmp_path / "fee_estimates.dat"
    for length in range(len(data)):
        estimator = BlockPolicyEstimator()
        path.write_bytes(data[:length])
        assert read_fee_estimates(estimator, path) is False
        if length < fee_part_end:
            assert fee_estimates_bytes(estimator) == fresh
        else:  # as C++: the fee stats were already installed when the priority part failed
            assert estimator.fee_stats.buckets == [1000.0, 2000.0, math.inf]
            assert estimator.best_seen_height == 0 and estimator.pri_stats.max_confirms == 25


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda: cpp_file(decay=1.0), "Decay must be between 0 and 1"),
        (lambda: cpp_file(decay=0.0), "Decay must be between 0 and 1"),
        (lambda: cpp_file(version_required=99_000_000), "up-version (99000000) fee estimate file"),
        (lambda: cpp_file()[:20] + _doubles([1.0]) + cpp_file()[20 + 25:], "between 2 and 1000"),
        (lambda: cpp_file()[:45] + _doubles([1.0, 2.0]) + cpp_file()[45 + 25:], "Mismatch in fee/pri average bucket count"),
    ],
)
def test_cpp_sanity_checks(damage, message):
    with pytest.raises(CorruptEstimates, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_fee_estimates_bytes(BlockPolicyEstimator(), damage())


def test_vector_lengths_are_bounded_before_reading():
    data = bytearray(cpp_file())
    data[20] = 0xFD  # a bucket count of 0xFFFF announced with a handful of bytes left
    data[21:23] = b"\xff\xff"
    with pytest.raises(DecodeError):
        load_fee_estimates_bytes(BlockPolicyEstimator(), bytes(data))


def test_missing_file_is_silent_and_damaged_file_is_logged(tmp_path, caplog):
    estimator = BlockPolicyEstimator()
    with caplog.at_level(logging.WARNING, logger="fluxd.estimatefee"):
        assert read_fee_estimates(estimator, tmp_path / "absent.dat") is False
        assert caplog.records == []
        (tmp_path / "bad.dat").write_bytes(b"\x01\x02")
        assert read_fee_estimates(estimator, tmp_path / "bad.dat") is False
    assert "unable to read policy estimator data" in caplog.text
