"""Reading C++ wallet.dat files: real Berkeley DB files made by db5.3_load, records in the C++ layout.

The records are serialized by tests/unit/wallet/cxx_wallet_fixture.py, not by
the reader.  Tests that need a BDB file skip when db5.3_load (Debian package
db5.3-util) is not installed; .ci/run installs it.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import struct
from pathlib import Path

import pytest

from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey
from fluxd.wallet import bdb_reader, crypter
from fluxd.wallet.cxx_privkey import PrivKeyError, key_from_cxx_privkey, secret_from_der
from fluxd.wallet.cxx_wallet_records import DecryptionError, read_cxx_wallet
from fluxd.wallet.cxx_wallet_tx import decode_wallet_tx
from fluxd.wallet.wallet_file import WalletFileError
from tests.unit.wallet.cxx_wallet_fixture import (
    DB_LOAD, WalletRecords, compact, cxx_privkey, dsha, i32, i64, load_bdb, page_types, plain_tx, string_map, text,
    u32, u64, vec, wallet_tx,
)

needs_db_load = pytest.mark.skipif(DB_LOAD is None, reason="db5.3_load not on PATH (apt-get install db5.3-util)")
PASSPHRASE = "correct horse battery staple"
SALT = bytes.fromhex("0123456789abcdef")
BLOCK_HASH = bytes(range(32))


def keys(count: int, seed: int = 0) -> list[PrivateKey]:
    return [PrivateKey(hashlib.sha256(b"k%d-%d" % (seed, n)).digest(), n % 3 != 0) for n in range(count)]


def add_key_records(wallet: WalletRecords, key_list: list[PrivateKey], expected: dict) -> None:
    """keymeta for every key, an address book, the key pool, a multisig script, watch-only scripts."""
    for n, key in enumerate(key_list):
        meta = i32(10) + i64(1_600_000_000 + n) + text(f"m/0'/{n}") + bytes(32) if n % 2 else (
            i32(1) + i64(1_600_000_000 + n))
        wallet.add("keymeta", vec(key.pubkey), meta)
    for n in range(min(50, len(key_list))):
        address, purpose = f"t1address{n:04d}", "receive" if n % 2 else "send"
        wallet.add("name", text(address), text(f"label {n} ✓"))
        wallet.add("purpose", text(address), text(purpose))
        expected["labels"][address], expected["purposes"][address] = f"label {n} ✓", purpose
    for n in range(100):
        wallet.add("pool", i64(n + 1), i32(60000) + i64(1_600_000_100 + n) + vec(key_list[n % len(key_list)].pubkey))
    expected["script"] = b"\x52" + b"".join(vec(key.pubkey) for key in key_list[:3]) + b"\x53\xae"
    wallet.add("cscript", hash160(expected["script"]), vec(expected["script"]))
    wallet.add("watchs", vec(b"\x76\xa9\x14" + b"\x99" * 20 + b"\x88\xac"), b"1")
    wallet.add("watchs", vec(b"\x51"), b"0")  # not '1': C++ does not load it


def add_setting_records(wallet: WalletRecords, key_list: list[PrivateKey]) -> None:
    """Settings, the best block, accounts, destination data, and shielded records to be skipped."""
    wallet.put(text("defaultkey"), vec(key_list[0].pubkey))
    wallet.put(text("version"), i32(6000050))
    wallet.put(text("minversion"), i32(60000))
    wallet.put(text("orderposnext"), i64(77))
    wallet.put(text("bestblock"), i32(6000050) + compact(2) + b"\xaa" * 32 + b"\xbb" * 32)
    wallet.add("acc", text("savings"), i32(60000) + vec(key_list[1].pubkey))
    wallet.add("acentry", text("savings") + u64(3), i32(60000) + i64(-5000) + i64(1_600_000_000) + text("other")
               + vec(b"a move\x00" + compact(1) + text("n") + text("12")))
    wallet.add("destdata", text("t1address0000") + text("used"), text("p"))
    for kind in ("sapzkey", "sapzkeymeta", "hdseed", "hdchain", "witnesscachesize", "sapzkey"):
        wallet.add(kind, os.urandom(8), os.urandom(40))


def add_tx_records(wallet: WalletRecords, expected: dict) -> None:
    """Twelve wallet transactions (v1 and v4), up to ~12 kB each: overflow items."""
    for n in range(12):
        sapling = n % 2 == 1
        tx = plain_tx(inputs=3 + n * 8, outputs=2, sapling=sapling, seed=n)
        value = wallet_tx(tx, sapling=sapling, block_hash=BLOCK_HASH if n < 8 else bytes(32), index=n,
                          map_value={"fromaccount": "", "n": str(n), "timesmart": "1600000500", "comment": "c"},
                          order_form=[("Message", "hi")], time_received=1_600_000_400 + n, from_me=n % 3 == 0)
        wallet.add("tx", dsha(tx), value)
        expected["txs"][dsha(tx)] = (tx, n, n < 8, 1_600_000_400 + n, n % 3 == 0)


def add_common_records(wallet: WalletRecords, key_list: list[PrivateKey]) -> dict:
    """Everything but the keys themselves; returns what the reader should find."""
    expected: dict = {"labels": {}, "purposes": {}, "txs": {}}
    add_key_records(wallet, key_list, expected)
    add_setting_records(wallet, key_list)
    add_tx_records(wallet, expected)
    return expected


def plain_wallet(count: int = 500) -> tuple[WalletRecords, list[PrivateKey], dict]:
    wallet, key_list = WalletRecords(), keys(count)
    for n, key in enumerate(key_list):
        der = cxx_privkey(key)
        checksum = dsha(key.pubkey + der)
        if n % 10 == 9:
            wallet.add("wkey", vec(key.pubkey), i32(60000) + vec(der) + i64(1) + i64(0) + text("") + checksum)
        else:
            wallet.add("key", vec(key.pubkey), vec(der) + (checksum if n % 4 else b""))  # old records: no checksum
    return wallet, key_list, add_common_records(wallet, key_list)


def encrypted_wallet(count: int = 60) -> tuple[WalletRecords, list[PrivateKey], bytes]:
    wallet, key_list, master = WalletRecords(), keys(count, seed=1), hashlib.sha256(b"master").digest()
    wallet.add("mkey", u32(1), crypter.new_master_key(PASSPHRASE, SALT, 500, master).to_bytes())
    for key in key_list:
        wallet.add("ckey", vec(key.pubkey), vec(crypter.encrypt_secret(master, key.secret, key.pubkey)))
        wallet.add("keymeta", vec(key.pubkey), i32(1) + i64(1_650_000_000))
    return wallet, key_list, master


# ----- CPrivKey ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("compressed", "size"), [(True, 214), (False, 279)])
def test_cxx_privkey_sizes_and_secret(compressed, size):
    key = PrivateKey.generate(compressed)
    der = cxx_privkey(key)
    assert len(der) == size
    assert secret_from_der(der) == key.secret
    assert key_from_cxx_privkey(der, key.pubkey) == key


def test_cxx_privkey_is_lenient_like_cxx():
    key = PrivateKey(b"\x00" * 2 + os.urandom(30), True)
    short = b"\x30\x81\x22\x02\x01\x01\x04\x1e" + key.secret[2:] + b"trailing junk"  # 30-byte octet string
    assert secret_from_der(short) == key.secret


@pytest.mark.parametrize("der", [
    b"", b"\x31\x81\x00", b"\x30\x22", b"\x30\x83\x00\x00\x01", b"\x30\x81\xff\x02\x01\x01",
    b"\x30\x81\x05\x02\x01\x02\x04\x00", b"\x30\x81\x25\x02\x01\x01\x04\x21" + b"\x01" * 33,
    b"\x30\x81\x25\x02\x01\x01\x04\x20" + b"\x00" * 32, b"\x30\x81\x25\x02\x01\x01\x04\x20" + b"\xff" * 32,
])
def test_cxx_privkey_refusals(der):
    with pytest.raises(PrivKeyError):
        secret_from_der(der)


def test_cxx_privkey_must_match_its_pubkey_and_compression():
    key, other = PrivateKey.generate(True), PrivateKey.generate(True)
    with pytest.raises(PrivKeyError, match="does not match"):
        key_from_cxx_privkey(cxx_privkey(key), other.pubkey)
    assert key_from_cxx_privkey(cxx_privkey(key), PrivateKey(key.secret, False).pubkey).compressed is False


# ----- CWalletTx ------------------------------------------------------------------------------


def test_wallet_tx_with_sprout_notes_keeps_what_precedes_them():
    tx = plain_tx(1, 1, seed=3)
    value = wallet_tx(tx, sapling=False, block_hash=BLOCK_HASH, index=4, map_value={"n": "9"}, order_form=[],
                      time_received=5, from_me=True)
    notes_at = value.index(string_map({"n": "9"})) + len(string_map({"n": "9"}))
    value = value[:notes_at] + compact(1) + os.urandom(150)  # one JSOutPoint -> SproutNoteData, not decoded
    wtx = decode_wallet_tx(dsha(tx), value)
    assert wtx.error is None and wtx.has_note_data and wtx.order_pos == 9 and wtx.block_index == 4
    assert wtx.time_received is None and wtx.from_me is None


def test_wallet_tx_with_sapling_notes_is_flagged():
    tx = plain_tx(1, 1, sapling=True, seed=4)
    value = wallet_tx(tx, sapling=True, block_hash=BLOCK_HASH, index=0, map_value={}, order_form=[],
                      time_received=5, from_me=False)
    wtx = decode_wallet_tx(dsha(tx), value[:-1] + compact(1) + os.urandom(100))
    assert wtx.error is None and wtx.has_note_data and wtx.time_received == 5


# ----- whole wallets ----------------------------------------------------------------------------


@needs_db_load
@pytest.mark.parametrize(("page_size", "byte_order"), [(512, 1234), (4096, 1234), (1024, 4321)])
def test_plain_wallet_reads_back(tmp_path, page_size, byte_order):
    wallet, key_list, expected = plain_wallet()
    path = load_bdb(tmp_path / "wallet.dat", wallet.records, page_size=page_size,
                    extra_header=f"db_lorder={byte_order}")  # 4321: a big-endian file
    types = page_types(path, page_size)
    assert types.count(bdb_reader.P_OVERFLOW) > 5 and bdb_reader.P_IBTREE in types and types.count(5) > 3
    result = read_cxx_wallet(path)
    assert not result.encrypted and len(result.keys) == len(key_list)
    for n, key in enumerate(key_list):
        got = result.keys[key.key_id]
        assert (got.secret, got.compressed, got.crypted_secret) == (key.secret, key.compressed, None)
        assert got.created == 1_600_000_000 + n and got.hd_keypath == (f"m/0'/{n}" if n % 2 else "")
    assert result.labels == expected["labels"] and result.purposes == expected["purposes"]
    assert [(e.index, e.time, e.pubkey) for e in result.pool] == [
        (n + 1, 1_600_000_100 + n, key_list[n].pubkey) for n in range(100)]
    assert result.scripts == {hash160(expected["script"]): expected["script"]}
    assert result.watch_only == (b"\x76\xa9\x14" + b"\x99" * 20 + b"\x88\xac",)
    assert result.default_key == key_list[0].pubkey
    assert (result.version, result.min_version, result.order_pos_next) == (6000050, 60000, 77)
    assert result.best_block_locator_rev == (b"\xaa" * 32, b"\xbb" * 32)
    assert result.accounts == {"savings": key_list[1].pubkey}
    entry = result.account_entries[0]
    assert (entry.account, entry.number, entry.amount, entry.other_account, entry.comment, entry.order_pos) == (
        "savings", 3, -5000, "other", "a move", 12)
    assert result.dest_data == {("t1address0000", "used"): "p"}
    assert result.skipped == {"sapzkey": 2, "sapzkeymeta": 1, "hdseed": 1, "hdchain": 1, "witnesscachesize": 1}
    assert_transactions(result.transactions, expected["txs"])


def assert_transactions(transactions, expected):
    assert set(transactions) == set(expected)
    for txid_rev, (raw_tx, n, in_block, time_received, from_me) in expected.items():
        wtx = transactions[txid_rev]
        assert wtx.error is None and wtx.transaction.to_bytes() == raw_tx
        assert wtx.transaction.txid_rev == txid_rev
        assert wtx.block_hash_rev == (BLOCK_HASH if in_block else None) and wtx.block_index == n
        assert (wtx.order_pos, wtx.time_smart, wtx.from_account) == (n, 1600000500, "")
        assert wtx.map_value == {"timesmart": "1600000500", "comment": "c"}
        assert (wtx.time_received, wtx.from_me, wtx.order_form) == (time_received, from_me, (("Message", "hi"),))
        assert not wtx.has_note_data


@needs_db_load
def test_encrypted_wallet_decrypts_with_the_passphrase(tmp_path):
    wallet, key_list, master = encrypted_wallet()
    path = load_bdb(tmp_path / "wallet.dat", wallet.records)
    result = read_cxx_wallet(path, PASSPHRASE)
    assert result.encrypted and crypter.decrypt_master_key(result.master_keys[1], PASSPHRASE) == master
    for key in key_list:
        got = result.keys[key.key_id]
        assert got.secret == key.secret and got.created == 1_650_000_000
        assert crypter.decrypt_secret(master, got.crypted_secret, key.pubkey) == key.secret


@needs_db_load
def test_encrypted_wallet_without_or_with_a_wrong_passphrase(tmp_path):
    wallet, _, _ = encrypted_wallet(5)
    path = load_bdb(tmp_path / "wallet.dat", wallet.records)
    with pytest.raises(DecryptionError, match="is encrypted: give the wallet passphrase"):
        read_cxx_wallet(path)
    with pytest.raises(DecryptionError, match="passphrase entered was incorrect"):
        read_cxx_wallet(path, "not it")


@needs_db_load
def test_encrypted_wallet_with_one_bad_crypted_key_is_corrupt(tmp_path):
    wallet, key_list, master = encrypted_wallet(5)
    victim = max(key_list, key=lambda key: key.pubkey)
    wallet.add("ckey", vec(victim.pubkey), vec(crypter.encrypt_secret(master, os.urandom(32), victim.pubkey)))
    path = load_bdb(tmp_path / "wallet.dat", wallet.records)
    with pytest.raises(WalletFileError, match="probably corrupted.*" + victim.pubkey.hex()):
        read_cxx_wallet(path, PASSPHRASE)


@needs_db_load
def test_reading_changes_neither_bytes_nor_mtime_and_opens_read_only(tmp_path, monkeypatch):
    wallet, _, _ = plain_wallet(40)
    path = load_bdb(tmp_path / "wallet.dat", wallet.records)
    os.utime(path, ns=(1_500_000_000_000_000_000, 1_500_000_000_000_000_000))
    before, stat_before = path.read_bytes(), path.stat()
    modes: list[str] = []
    real_open = open

    def spy(file, mode="r", *args, **kwargs):
        modes.append(mode)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(bdb_reader, "open", spy, raising=False)
    read_cxx_wallet(path)
    assert modes == ["rb"]
    assert path.read_bytes() == before and path.stat().st_mtime_ns == stat_before.st_mtime_ns
    assert path.stat().st_size == stat_before.st_size


@needs_db_load
def test_unknown_record_type_is_named(tmp_path):
    wallet, _, _ = plain_wallet(3)
    wallet.add("frobnicate", b"\x01", b"\x02")
    path = load_bdb(tmp_path / "wallet.dat", wallet.records)
    with pytest.raises(WalletFileError, match="unknown wallet record type 'frobnicate'"):
        read_cxx_wallet(path)


@needs_db_load
@pytest.mark.parametrize("damage", ["other key", "bad checksum", "bad pubkey"])
def test_corrupt_key_records_fail_clearly(tmp_path, damage):
    wallet, (key, other) = WalletRecords(), keys(2)
    der = cxx_privkey(key)
    if damage == "other key":
        wallet.add("key", vec(other.pubkey), vec(der))
    elif damage == "bad checksum":
        wallet.add("key", vec(key.pubkey), vec(der) + b"\x01" * 32)
    else:
        wallet.add("key", vec(b"\x02" + b"\x01" * 20), vec(der))
    path = load_bdb(tmp_path / "wallet.dat", wallet.records)
    with pytest.raises(WalletFileError, match="'key' record .* is corrupt"):
        read_cxx_wallet(path)


@needs_db_load
def test_unreadable_tx_record_is_kept_undecoded(tmp_path):
    wallet, _, _ = plain_wallet(3)
    wallet.add("tx", b"\x42" * 32, b"\x01\x00\x00")
    tx = plain_tx(1, 1, seed=99)
    wallet.add("tx", b"\x43" * 32, wallet_tx(tx, sapling=False, block_hash=BLOCK_HASH, index=0, map_value={},
                                             order_form=[], time_received=1, from_me=False))
    path = load_bdb(tmp_path / "wallet.dat", wallet.records)
    result = read_cxx_wallet(path)
    assert result.transactions[b"\x42" * 32].transaction is None
    assert "unreadable CWalletTx" in result.transactions[b"\x42" * 32].error
    assert "txid differs" in result.transactions[b"\x43" * 32].error
    assert result.transactions[b"\x42" * 32].raw == b"\x01\x00\x00"


# ----- the BDB file itself -----------------------------------------------------------------------


@needs_db_load
def test_truncated_file(tmp_path):
    wallet, _, _ = plain_wallet(40)
    path = load_bdb(tmp_path / "wallet.dat", wallet.records)
    path.write_bytes(path.read_bytes()[:-4096])
    with pytest.raises(WalletFileError, match="is truncated"):
        read_cxx_wallet(path)


def test_not_a_bdb_file(tmp_path):
    path = tmp_path / "wallet.dat"
    path.write_bytes(b"SQLite format 3\x00" + bytes(4096))
    with pytest.raises(WalletFileError, match="not a Berkeley DB file"):
        read_cxx_wallet(path)
    path.write_bytes(b"tiny")
    with pytest.raises(WalletFileError, match="only 4 bytes"):
        read_cxx_wallet(path)
    with pytest.raises(WalletFileError, match="cannot read"):
        read_cxx_wallet(tmp_path / "missing.dat")


@needs_db_load
def test_bdb_encryption_hash_and_missing_main_are_refused(tmp_path):
    records = {text("version"): i32(1)}
    with pytest.raises(WalletFileError, match="encrypted with Berkeley DB's own page encryption"):
        read_cxx_wallet(load_bdb(tmp_path / "e.dat", records, "-P", "pw"))
    with pytest.raises(WalletFileError, match="hash database, not a btree"):
        read_cxx_wallet(load_bdb(tmp_path / "h.dat", records, access="hash"))
    with pytest.raises(WalletFileError, match=r"no database 'main' \(sub-databases found: 'other'\)"):
        read_cxx_wallet(load_bdb(tmp_path / "o.dat", records, database="other"))


@needs_db_load
def test_checksummed_pages_and_duplicates(tmp_path):
    wallet, key_list, _ = plain_wallet(20)
    result = read_cxx_wallet(load_bdb(tmp_path / "c.dat", wallet.records, extra_header="chksum=1"))
    assert len(result.keys) == 20
    load_bdb(tmp_path / "d.dat", [(b"\x01", b"\x02"), (b"\x01", b"\x03")], extra_header="duplicates=1")
    with pytest.raises(WalletFileError, match="duplicate records for one key"):
        bdb_reader.read_bdb_records(tmp_path / "d.dat")


def patch_page(path: Path, page_size: int, page_type: int, offset: int, fmt: str, *values) -> int:
    """Overwrite a field of the first page of ``page_type``; returns that page's number."""
    data = bytearray(path.read_bytes())
    pgno = page_types(path, page_size).index(page_type)
    struct.pack_into(fmt, data, pgno * page_size + offset, *values)
    path.write_bytes(bytes(data))
    return pgno


@needs_db_load
def test_damaged_pages_are_named(tmp_path):
    wallet, _, _ = plain_wallet(60)
    clean = load_bdb(tmp_path / "wallet.dat", wallet.records, page_size=512).read_bytes()
    path = tmp_path / "damaged.dat"
    cases = [
        (bdb_reader.P_OVERFLOW, 16, "loops back to page"),  # next_pgno = itself
        (bdb_reader.P_LBTREE, 25, "unsupported type 16 (heap internal)"),
        (bdb_reader.P_LBTREE, 8, "says it is page"),
        (bdb_reader.P_LBTREE, 0, "not closed cleanly"),
        (bdb_reader.P_IBTREE, 20, "more than a 512-byte page holds"),
    ]
    for page_type, offset, message in cases:
        path.write_bytes(clean)
        pgno = page_types(path, 512).index(page_type)
        value = {16: pgno, 25: 16, 8: pgno + 1000, 0: 7, 20: 400}[offset]
        fmt = "<B" if offset == 25 else ("<H" if offset == 20 else "<I")
        patch_page(path, 512, page_type, offset, fmt, value)
        with pytest.raises(WalletFileError, match=re.escape(message)):
            read_cxx_wallet(path)


@needs_db_load
def test_random_damage_gives_a_wallet_file_error_or_a_wallet(tmp_path):
    """Whatever bytes are changed, reading ends in a result or a WalletFileError, never another exception."""
    wallet, _, _ = plain_wallet(30)
    clean = load_bdb(tmp_path / "wallet.dat", wallet.records, page_size=512).read_bytes()
    rng = random.Random(7)
    path = tmp_path / "damaged.dat"
    for _ in range(300):
        data = bytearray(clean)
        for _ in range(rng.choice([1, 2, 8])):
            page = rng.randrange(len(data) // 512)
            data[page * 512 + rng.randrange(40 if rng.random() < 0.5 else 512)] = rng.randrange(256)
        path.write_bytes(bytes(data[:rng.randrange(len(data))] if rng.random() < 0.1 else data))
        try:
            read_cxx_wallet(path)
        except WalletFileError:
            pass


@needs_db_load
def test_keys_out_of_order_are_refused(tmp_path):
    wallet, _, _ = plain_wallet(30)
    path = load_bdb(tmp_path / "wallet.dat", wallet.records, page_size=512)
    data = bytearray(path.read_bytes())
    leaves = [pgno for pgno, kind in enumerate(page_types(path, 512)) if kind == bdb_reader.P_LBTREE and pgno > 1]
    start = leaves[0] * 512
    first_item = struct.unpack_from("<H", data, start + 26)[0]
    assert data[start + first_item + 2] == bdb_reader.B_KEYDATA
    data[start + first_item + 3] = 0xFE  # the key's first byte: now above every other key
    path.write_bytes(bytes(data))
    with pytest.raises(WalletFileError, match="out of order"):
        read_cxx_wallet(path)
