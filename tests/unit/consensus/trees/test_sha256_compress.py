"""SHA256Compress: C++ src/test/sha256compress_tests.cpp values, native and Python paths agree."""

from __future__ import annotations

import os

import pytest

from fluxd.consensus.trees import sha256_compress as module
from fluxd.consensus.trees.sha256_compress import sha256_compress, sha256_compress_python

# uint256S literals from the C++ test, i.e. the digest bytes reversed.
ZERO_BLOCK = "d8a93718eaf9feba4362d2c091d4e58ccabe9f779957336269b4b917be9856da"
ABCD_BLOCK = "da70ec41879e36b000281733d4deb27ddf41e8e343a38f2fabbd2d8611987d86"


@pytest.mark.parametrize("compress", [sha256_compress, sha256_compress_python])
def test_known_values(compress):
    assert compress(bytes(64))[::-1].hex() == ZERO_BLOCK
    assert compress(b"abcd" * 16)[::-1].hex() == ABCD_BLOCK


@pytest.mark.parametrize("size", [0, 63, 65, 128])
@pytest.mark.parametrize("compress", [sha256_compress, sha256_compress_python])
def test_only_64_bytes(compress, size):
    with pytest.raises(ValueError):
        compress(bytes(size))


def test_native_matches_python():
    for _ in range(50):
        block = os.urandom(64)
        assert sha256_compress(block) == sha256_compress_python(block)


def test_sprout_empty_root_level_one_is_compress_of_zero_block():
    from fluxd.consensus.trees.sprout_tree import SproutTree

    assert SproutTree.empty_root(1)[::-1].hex() == ZERO_BLOCK


def test_python_fallback_when_native_missing(monkeypatch):
    monkeypatch.setattr(module, "_TRANSFORM", None)
    assert not module.native_available()
    assert sha256_compress(b"abcd" * 16)[::-1].hex() == ABCD_BLOCK
