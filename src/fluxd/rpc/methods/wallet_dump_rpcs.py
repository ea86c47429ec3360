"""Wallet files out and in (C++ rpcdump.cpp, rpcwallet.cpp): dumpprivkey, dumpwallet, importwallet, backupwallet.

dumpwallet writes to ``-exportdir / filename`` (the working directory's path
when -exportdir is not given) and never overwrites; importwallet reads the
path it is given.  The text format is ``fluxd.wallet.dump_format``.
"""

from __future__ import annotations

import logging
import os
import tempfile

from fluxd import __version__
from fluxd.core.address import Destination
from fluxd.core.hashes import blake2b_256, hash160
from fluxd.core.keys import InvalidKeyError, decode_wif, encode_wif
from fluxd.rpc.errors import (
    RPC_INTERNAL_ERROR,
    RPC_INVALID_PARAMETER,
    RPC_TYPE_ERROR,
    RPC_WALLET_ERROR,
    RPCError,
)
from fluxd.rpc.export_dir import ExportDirError, export_dir, join_path, sanitize_filename
from fluxd.rpc.methods.wallet_help import register_wallet_methods, wallet_help
from fluxd.rpc.params import check_count, get_str
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.wallet_common import destination_param, ensure_unlocked, node_wallet
from fluxd.util.version import CLIENT_VERSION, format_version
from fluxd.wallet import dump_format
from fluxd.wallet.dump_format import DumpHeader, DumpKey
from fluxd.wallet.key_birth import key_birth_times
from fluxd.wallet.rescan import KEY_TIME_SLACK, rescan_from

log = logging.getLogger("fluxd.wallet")
HD_SEED_FP_PERSONAL = b"Zcash_HD_Seed_FP"


def rpc_dumpprivkey(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 1, wallet_help("dumpprivkey"))
    with wallet.lock:
        ensure_unlocked(wallet)
        address = get_str(params[0])
        destination = destination_param(node, params[0])
        if destination.kind != "pubkeyhash":
            raise RPCError(RPC_TYPE_ERROR, "Address does not refer to a key")
        key = wallet.keys.private_key(destination.hash160)
        if key is None:
            raise RPCError(RPC_WALLET_ERROR, f"Private key for address {address} is not known")
        return encode_wif(key, node.params.base58)


def _export_dir(node) -> str:
    try:
        return export_dir(node.args)
    except ExportDirError as exc:
        raise RPCError(RPC_INTERNAL_ERROR, str(exc)) from None


def _empty_seed_fingerprint() -> str:
    """HDSeed::Fingerprint of the empty seed this wallet has (no shielded keys): BLAKE2b of its serialization."""
    return blake2b_256(HD_SEED_FP_PERSONAL, b"\x00")[::-1].hex()


def dump_header(node) -> DumpHeader:
    view = node.chainstate.view()
    tip = view.tip
    return DumpHeader(
        f"v{format_version(CLIENT_VERSION)}", f"fluxd {__version__}", node.clock.now(), view.height,
        tip.hash_hum, tip.time, "", _empty_seed_fingerprint(),
    )


def dump_keys(node, wallet) -> list[DumpKey]:
    """Every key with its secret, by (birth time, key id): label= for address-book keys, reserve=1, change=1."""
    pool_ids = {hash160(pubkey) for pubkey, _created in wallet.pool.values()}
    births = key_birth_times(wallet, node.chainstate.view())
    lines = []
    for created, key_id in sorted((created, key_id) for key_id, created in births.items()):
        key = wallet.keys.private_key(key_id)
        if key is None:
            continue
        address = wallet.address_of(Destination("pubkeyhash", key_id))
        wif = encode_wif(key, node.params.base58)
        if address in wallet.address_book:
            lines.append(DumpKey(wif, created, dump_format.KIND_LABEL, address, wallet.address_book[address][0]))
        elif key_id in pool_ids:
            lines.append(DumpKey(wif, created, dump_format.KIND_RESERVE, address))
        else:
            lines.append(DumpKey(wif, created, dump_format.KIND_CHANGE, address))
    return lines


def rpc_dumpwallet(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 1, wallet_help("dumpwallet"))
    with wallet.lock:
        ensure_unlocked(wallet)
        path = join_path(_export_dir(node), get_str(params[0]))
        if os.path.exists(path):
            raise RPCError(RPC_INVALID_PARAMETER, f"Cannot overwrite existing file {path}")
        try:
            handle = open(path, "w", encoding="utf-8")  # noqa: SIM115 - opened before the keys are read, as C++
        except OSError:
            raise RPCError(RPC_INVALID_PARAMETER, "Cannot open wallet dump file") from None
        with handle:
            handle.write(dump_format.format_dump(dump_header(node), dump_keys(node, wallet)))
    return path


def _read_dump(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", errors="surrogateescape")
    except IsADirectoryError:
        return ""  # C++ opens a directory, then reads nothing from it
    except OSError:
        raise RPCError(RPC_INVALID_PARAMETER, "Cannot open wallet dump file") from None


def _import_record(node, wallet, record) -> tuple[bool, int | None]:
    """One dump line into the wallet: (added fine, its time when imported)."""
    try:
        key = decode_wif(record.secret, node.params.base58)
    except InvalidKeyError:
        return True, None
    address = wallet.address_of_key(key.pubkey)
    if wallet.have_key(key.key_id):
        log.info("Skipping import of %s (key already present)", address)
        return True, None
    log.info("Importing %s...", address)
    try:
        wallet.add_key(key, record.created)
    except Exception:  # C++ AddKeyPubKey failing: counted, the other keys still imported
        log.exception("importwallet: adding %s failed", address)
        return False, None
    if record.use_label:
        wallet.set_address_book(address, record.label, "receive")
    return True, record.created


def rpc_importwallet(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 1, wallet_help("importwallet"))
    with wallet.lock:
        ensure_unlocked(wallet)
        text = _read_dump(get_str(params[0]))
        view = node.chainstate.view()
        time_begin, good = view.tip.time, True
        for record in dump_format.parse_dump(text):
            added, created = _import_record(node, wallet, record)
            good = good and added
            if created is not None:
                time_begin = min(time_begin, created)
        start = view.tip
        while start.prev is not None and start.time > time_begin - KEY_TIME_SLACK:
            start = start.prev
        log.info("Rescanning last %i blocks", view.height - start.height + 1)
        rescan_from(wallet, node.chainstate, start)
        if not good:
            raise RPCError(RPC_WALLET_ERROR, "Error adding some keys to wallet")
    return None


def rpc_backupwallet(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 1, wallet_help("backupwallet"))
    with wallet.lock:
        directory = _export_dir(node)
        if not directory:
            raise RPCError(RPC_WALLET_ERROR, "Cannot backup wallet until the -exportdir option has been set")
        unclean = get_str(params[0])
        clean = sanitize_filename(unclean)
        if clean != unclean:
            raise RPCError(
                RPC_WALLET_ERROR, f"Filename is invalid as only alphanumeric characters are allowed.  Try '{clean}' instead."
            )
        path = join_path(directory, clean)
        if not backup_wallet_file(wallet, path):
            raise RPCError(RPC_WALLET_ERROR, "Error: Wallet backup failed!")
    return path


def backup_wallet_file(wallet, destination: str) -> bool:
    """C++ BackupWallet: into a directory under the wallet file's name, an existing file overwritten."""
    target = destination
    if os.path.isdir(target):
        target = join_path(target, wallet.file.path.name)
    directory = os.path.dirname(os.path.abspath(target))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".backup-", dir=directory)
        os.close(handle)
        try:
            wallet.file.backup_to(temporary)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except Exception as exc:  # OSError, sqlite3.Error
        log.error("error copying %s to %s - %s", wallet.file.path.name, target, exc)
        return False
    log.info("copied %s to %s", wallet.file.path.name, target)
    return True


METHODS = {
    "dumpprivkey": rpc_dumpprivkey,
    "dumpwallet": rpc_dumpwallet,
    "importwallet": rpc_importwallet,
    "backupwallet": rpc_backupwallet,
}


def register(table: RPCTable) -> None:
    register_wallet_methods(table, METHODS)
