"""The records of a C++ wallet.dat (src/wallet/walletdb.cpp ReadKeyValue), read without writing.

Every record's key starts with its type as a serialized string, followed by
the type's own key fields; the value is the serialized object.  The types
decoded here are the transparent wallet: "key" / "wkey" (DER private key,
checked against its public key), "ckey" + "mkey" (crypted keys and their
master keys), "keymeta", "name", "purpose", "pool", "cscript", "watchs",
"defaultkey", "version", "minversion", "bestblock" (and the
"bestblock_nomerkle" of later Bitcoin-derived wallets), "orderposnext",
"acc", "acentry", "destdata" and "tx".  Shielded and HD-seed records are
counted and skipped; a type the C++ node never writes is an error naming it.

:func:`read_cxx_wallet` puts it together, and decrypts crypted keys when given
the wallet's passphrase.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fluxd.core.hashes import hash160, sha256d
from fluxd.core.keys import is_compressed_pubkey, is_pubkey_size_valid
from fluxd.util.serialize import DecodeError, Reader
from fluxd.wallet import crypter
from fluxd.wallet.bdb_reader import read_bdb_records
from fluxd.wallet.cxx_privkey import PrivKeyError, key_from_cxx_privkey
from fluxd.wallet.cxx_wallet_tx import CxxWalletTx, atoi64, decode_wallet_tx, read_string_map, read_text
from fluxd.wallet.wallet_file import WalletFileError

# Record types of the C++ node (walletdb.cpp) that belong to shielded addresses or the (Sapling-only) HD seed.
SKIPPED_TYPES = frozenset({
    "zkey", "czkey", "zkeymeta", "vkey",  # Sprout
    "sapzkey", "csapzkey", "sapzkeymeta", "sapzaddr",  # Sapling
    "witnesscachesize", "hdseed", "chdseed", "hdchain",  # note witnesses, the seed of Sapling keys
    "sapextfvk", "mnemonicphrase",  # written by later Zcash versions, never by Flux
})
KEY_METADATA_WITH_HD = 10  # CKeyMetadata::VERSION_WITH_HDDATA
OLD_VERSION_QUIRK = (10300, 300)  # walletdb.cpp: version 10300 is read as 300
WATCH_ONLY_YES = 0x31  # '1'


class DecryptionError(WalletFileError):
    """The wallet is encrypted and no passphrase, or a wrong one, was given."""


@dataclass(frozen=True, slots=True)
class CxxKey:
    """A transparent key: its secret when known, its crypted secret when the wallet is encrypted."""

    pubkey: bytes
    secret: bytes | None = None  # 32 bytes
    crypted_secret: bytes | None = None
    created: int | None = None  # keymeta nCreateTime; None without metadata
    hd_keypath: str = ""

    @property
    def key_id(self) -> bytes:
        return hash160(self.pubkey)

    @property
    def compressed(self) -> bool:
        return is_compressed_pubkey(self.pubkey)


@dataclass(frozen=True, slots=True)
class CxxPoolEntry:
    index: int
    time: int
    pubkey: bytes


@dataclass(frozen=True, slots=True)
class CxxAccountEntry:
    """An "acentry" (internal transfer of the old accounts feature)."""

    account: str
    number: int
    amount: int  # zatoshi
    time: int
    other_account: str
    comment: str
    order_pos: int


@dataclass(frozen=True, slots=True)
class CxxWallet:
    """Everything read from a C++ wallet.dat; keys by key id (hash160 of the public key)."""

    keys: dict[bytes, CxxKey]
    master_keys: dict[int, crypter.MasterKey]
    labels: dict[str, str]
    purposes: dict[str, str]
    pool: tuple[CxxPoolEntry, ...]
    scripts: dict[bytes, bytes]  # script id (hash160) -> redeem script
    watch_only: tuple[bytes, ...]
    transactions: dict[bytes, CxxWalletTx]  # by txid, internal byte order
    default_key: bytes | None
    version: int | None
    min_version: int | None
    best_block_locator_rev: tuple[bytes, ...]
    order_pos_next: int | None
    accounts: dict[str, bytes]  # "acc": account name -> public key
    account_entries: tuple[CxxAccountEntry, ...]
    dest_data: dict[tuple[str, str], str]
    skipped: dict[str, int]  # shielded / HD-seed record types found, with how many of each

    @property
    def encrypted(self) -> bool:
        return bool(self.master_keys)


@dataclass
class _Builder:
    """The records seen so far, as C++ LoadWallet gathers them into CWallet."""

    plain: dict[bytes, tuple[bytes, str]] = field(default_factory=dict)  # pubkey -> (secret, source type)
    crypted: dict[bytes, bytes] = field(default_factory=dict)
    meta: dict[bytes, tuple[int, str]] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)
    master_keys: dict[int, crypter.MasterKey] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    purposes: dict[str, str] = field(default_factory=dict)
    pool: list[CxxPoolEntry] = field(default_factory=list)
    scripts: dict[bytes, bytes] = field(default_factory=dict)
    watch_only: list[bytes] = field(default_factory=list)
    transactions: dict[bytes, CxxWalletTx] = field(default_factory=dict)
    accounts: dict[str, bytes] = field(default_factory=dict)
    account_entries: list[CxxAccountEntry] = field(default_factory=list)
    dest_data: dict[tuple[str, str], str] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)


# ----- field readers --------------------------------------------------------------------------


def _pubkey(reader: Reader) -> bytes:
    """A CPubKey that must be valid (C++: "CPubKey corrupt")."""
    pubkey = reader.var_bytes()
    if not is_pubkey_size_valid(pubkey):
        raise DecodeError(f"the public key ({len(pubkey)} bytes) is corrupt")
    return pubkey


def _optional_hash(reader: Reader) -> bytes | None:
    """The hash after a private key in newer "key" records; absent in old ones (C++ try/catch)."""
    return reader.hash32() if reader.remaining >= 32 else None


def _locator(reader: Reader) -> tuple[bytes, ...]:
    reader.i32()  # nVersion (the record is written with SER_DISK, not SER_GETHASH)
    return tuple(reader.hash32() for _ in range(reader.count(32)))


# ----- one decoder per record type ------------------------------------------------------------


def _load_private_key(build: _Builder, record_type: str, pubkey: bytes, der: bytes, checksum: bytes | None) -> None:
    if checksum is not None and checksum != bytes(32) and sha256d(pubkey + der) != checksum:
        raise DecodeError("the CPubKey/CPrivKey checksum is wrong")
    try:
        key = key_from_cxx_privkey(der, pubkey)
    except PrivKeyError as exc:
        raise DecodeError(f"the private key is corrupt: {exc}") from exc
    build.plain[pubkey] = (key.secret, record_type)


def _key(build: _Builder, key: Reader, value: Reader) -> None:
    pubkey = _pubkey(key)
    der = value.var_bytes()
    _load_private_key(build, "key", pubkey, der, _optional_hash(value))


def _wkey(build: _Builder, key: Reader, value: Reader) -> None:
    pubkey = _pubkey(key)
    value.i32()  # CWalletKey: nVersion, vchPrivKey, nTimeCreated, nTimeExpires, strComment
    der = value.var_bytes()
    value.i64(), value.i64(), value.var_bytes()
    _load_private_key(build, "wkey", pubkey, der, _optional_hash(value))


def _ckey(build: _Builder, key: Reader, value: Reader) -> None:
    build.crypted[key.var_bytes()] = value.var_bytes()


def _mkey(build: _Builder, key: Reader, value: Reader) -> None:
    key_number = key.u32()
    if key_number in build.master_keys:
        raise DecodeError(f"duplicate CMasterKey id {key_number}")
    build.master_keys[key_number] = crypter.MasterKey.read(value)


def _keymeta(build: _Builder, key: Reader, value: Reader) -> None:
    pubkey = key.var_bytes()
    version, created = value.i32(), value.i64()
    keypath = read_text(value) if version >= KEY_METADATA_WITH_HD else ""
    build.meta[pubkey] = (created, keypath)


def _name(build: _Builder, key: Reader, value: Reader) -> None:
    build.labels[read_text(key)] = read_text(value)


def _purpose(build: _Builder, key: Reader, value: Reader) -> None:
    build.purposes[read_text(key)] = read_text(value)


def _pool(build: _Builder, key: Reader, value: Reader) -> None:
    index = key.i64()
    value.i32()  # nVersion
    build.pool.append(CxxPoolEntry(index, value.i64(), value.var_bytes()))


def _cscript(build: _Builder, key: Reader, value: Reader) -> None:
    key.read(20)  # C++ LoadCScript files the script under its own hash, not this one
    script = value.var_bytes()
    build.scripts[hash160(script)] = script


def _watchs(build: _Builder, key: Reader, value: Reader) -> None:
    script = key.var_bytes()
    if value.u8() == WATCH_ONLY_YES:
        build.watch_only.append(script)


def _tx(build: _Builder, key: Reader, value: Reader) -> None:
    txid_rev = key.hash32()
    build.transactions[txid_rev] = decode_wallet_tx(txid_rev, value.read(value.remaining))


def _acc(build: _Builder, key: Reader, value: Reader) -> None:
    name = read_text(key)
    value.i32()  # nVersion
    build.accounts[name] = value.var_bytes()


def _acentry(build: _Builder, key: Reader, value: Reader) -> None:
    account, number = read_text(key), key.u64()
    value.i32()  # nVersion
    amount, time, other = value.i64(), value.i64(), read_text(value)
    comment, _, extra = value.var_bytes().partition(b"\x00")  # C++ appends "\0" + mapValue to the comment
    order_pos = atoi64(read_string_map(Reader(extra)).get("n")) if extra else -1
    build.account_entries.append(
        CxxAccountEntry(account, number, amount, time, other, comment.decode("utf-8", "replace"), order_pos))


def _destdata(build: _Builder, key: Reader, value: Reader) -> None:
    address, name = read_text(key), read_text(key)
    build.dest_data[(address, name)] = read_text(value)


def _scalar(name: str, read: Callable[[Reader], object]) -> Callable[[_Builder, Reader, Reader], None]:
    def decode(build: _Builder, key: Reader, value: Reader) -> None:
        build.values[name] = read(value)
    return decode


DECODERS: dict[str, Callable[[_Builder, Reader, Reader], None]] = {
    "key": _key, "wkey": _wkey, "ckey": _ckey, "mkey": _mkey, "keymeta": _keymeta,
    "name": _name, "purpose": _purpose, "pool": _pool, "cscript": _cscript, "watchs": _watchs,
    "tx": _tx, "acc": _acc, "acentry": _acentry, "destdata": _destdata,
    "defaultkey": _scalar("defaultkey", Reader.var_bytes),
    "version": _scalar("version", Reader.i32),
    "minversion": _scalar("minversion", Reader.i32),
    "orderposnext": _scalar("orderposnext", Reader.i64),
    "bestblock": _scalar("bestblock", _locator),
    "bestblock_nomerkle": _scalar("bestblock_nomerkle", _locator),
}
KNOWN_TYPES = frozenset(DECODERS) | SKIPPED_TYPES


def decode_record(build: _Builder, key: bytes, value: bytes, path: str) -> None:
    """Add one (key, value) record to ``build``; a bad or unknown record is a WalletFileError."""
    reader = Reader(key)
    try:
        kind = reader.var_bytes().decode("ascii")
    except (DecodeError, UnicodeDecodeError) as exc:
        raise WalletFileError(f"{path}: a record key ({key[:40].hex()}) has no readable type: {exc}") from exc
    if kind in SKIPPED_TYPES:
        build.skipped[kind] = build.skipped.get(kind, 0) + 1
        return
    decoder = DECODERS.get(kind)
    if decoder is None:
        raise WalletFileError(f"{path}: unknown wallet record type {kind!r}: the C++ node does not write it, "
                              "so this file is not a Flux wallet or comes from an unsupported version")
    try:
        decoder(build, reader, Reader(value))
    except ValueError as exc:  # DecodeError, and any other value C++ would refuse to read
        raise WalletFileError(f"{path}: the {kind!r} record with key {key.hex()} is corrupt: {exc}") from exc


# ----- putting the wallet together ------------------------------------------------------------


def _master_key(build: _Builder, passphrase: str | None, path: str) -> bytes | None:
    """The decrypted master key of an encrypted wallet (None for a wallet without crypted keys)."""
    if not build.crypted:
        return None
    if not build.master_keys:
        raise WalletFileError(f"{path} has crypted keys (\"ckey\") but no master key (\"mkey\"): it is damaged")
    if passphrase is None:
        raise DecryptionError(f"{path} is encrypted: give the wallet passphrase to import its keys")
    for number in sorted(build.master_keys):
        master = crypter.decrypt_master_key(build.master_keys[number], passphrase)
        if master is not None and _decrypts_first_key(build, master):
            return master
    raise DecryptionError(f"{path}: the wallet passphrase entered was incorrect")


def _decrypts_first_key(build: _Builder, master: bytes) -> bool:
    pubkey = min(build.crypted)
    return crypter.decrypt_key(master, build.crypted[pubkey], pubkey) is not None


def _decrypted_secrets(build: _Builder, master: bytes | None, path: str) -> dict[bytes, bytes]:
    """Every crypted key decrypted and checked against its public key (C++ Unlock, DecryptKey)."""
    secrets: dict[bytes, bytes] = {}
    if master is None:
        return secrets
    for pubkey, crypted in sorted(build.crypted.items()):
        key = crypter.decrypt_key(master, crypted, pubkey)
        if key is None:
            raise WalletFileError(f"{path} is probably corrupted: some keys decrypt but not the one of public key "
                                  f"{pubkey.hex()}")
        secrets[pubkey] = key.secret
    return secrets


def _keys(build: _Builder, secrets: dict[bytes, bytes], path: str) -> dict[bytes, CxxKey]:
    keys: dict[bytes, CxxKey] = {}
    for pubkey in sorted(set(build.plain) | set(build.crypted)):
        secret = build.plain[pubkey][0] if pubkey in build.plain else secrets.get(pubkey)
        if pubkey in build.plain and pubkey in secrets and secrets[pubkey] != secret:
            raise WalletFileError(f"{path}: public key {pubkey.hex()} has a plain and a crypted secret that differ")
        created, keypath = build.meta.get(pubkey, (None, ""))
        key = CxxKey(pubkey, secret, build.crypted.get(pubkey), created, keypath)
        keys[key.key_id] = key
    return keys


def _version(value: object) -> int | None:
    if value is None:
        return None
    return OLD_VERSION_QUIRK[1] if value == OLD_VERSION_QUIRK[0] else int(value)


def build_wallet(build: _Builder, passphrase: str | None, path: str) -> CxxWallet:
    secrets = _decrypted_secrets(build, _master_key(build, passphrase, path), path)
    values = build.values
    locator = values.get("bestblock") or values.get("bestblock_nomerkle") or ()
    return CxxWallet(
        keys=_keys(build, secrets, path), master_keys=dict(build.master_keys), labels=dict(build.labels),
        purposes=dict(build.purposes), pool=tuple(sorted(build.pool, key=lambda entry: entry.index)),
        scripts=dict(build.scripts), watch_only=tuple(build.watch_only), transactions=dict(build.transactions),
        default_key=values.get("defaultkey") or None, version=_version(values.get("version")),
        min_version=_version(values.get("minversion")), best_block_locator_rev=tuple(locator),
        order_pos_next=values.get("orderposnext"), accounts=dict(build.accounts),
        account_entries=tuple(build.account_entries), dest_data=dict(build.dest_data), skipped=dict(build.skipped),
    )


def read_cxx_wallet(path: str | Path, passphrase: str | None = None) -> CxxWallet:
    """Read a C++ wallet.dat (never written to); crypted keys are decrypted with ``passphrase``.

    Raises WalletFileError (DecryptionError for a missing or wrong passphrase)
    with a message for the operator.
    """
    build = _Builder()
    for key, value in read_bdb_records(path, "main"):
        decode_record(build, key, value, str(path))
    return build_wallet(build, passphrase, str(path))
