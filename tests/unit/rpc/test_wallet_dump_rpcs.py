"""Import/export wallet RPCs on a real wallet file and a fake chain: C++ results, codes and messages."""

from __future__ import annotations

import os

import pytest

from fluxd.core.address import Destination, encode_destination
from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods.wallet_dump_rpcs import rpc_backupwallet, rpc_dumpprivkey, rpc_dumpwallet, rpc_importwallet
from fluxd.rpc.methods.wallet_import_rpcs import rpc_importaddress, rpc_importprivkey, rpc_rescanblockchain
from fluxd.wallet.ismine import ISMINE_WATCH_ONLY
from fluxd.wallet.wallet import Wallet
from fluxd.wallet.wallet_file import WalletFile
from tests.unit.rpc.wallet_node import PARAMS, FakeChain, coinbase_to, make_node, p2pkh

KEY = PrivateKey(bytes([7]) * 32)
OTHER = PrivateKey(bytes([8]) * 32)


def failure(call, *args) -> tuple[int, str]:
    with pytest.raises(RPCError) as caught:
        call(*args)
    return caught.value.code, caught.value.message


def address(key: PrivateKey) -> str:
    return encode_destination(Destination("pubkeyhash", key.key_id), PARAMS.base58)


def paid_chain() -> FakeChain:
    chain = FakeChain()
    chain.add_block([coinbase_to(b"\x51", 0, 0)])
    chain.add_block([coinbase_to(p2pkh(KEY.pubkey), 5_000, 1)])
    chain.add_block([coinbase_to(p2pkh(OTHER.pubkey), 7_000, 2)])
    return chain


def test_importprivkey_rescans_from_genesis_and_keeps_an_existing_key(tmp_path):
    node = make_node(tmp_path, chain=paid_chain())
    wif = encode_wif(KEY, PARAMS.base58)
    assert failure(rpc_importprivkey, node, ["notakey"]) == (-5, "Invalid private key encoding")
    assert rpc_importprivkey(node, [wif, "savings"]) == address(KEY)
    wallet = node.wallet
    assert wallet.keys.created[KEY.key_id] == 1
    assert [wtx.tx.vout[0].value for wtx in wallet.txs.values()] == [5_000]
    assert wallet.address_book[address(KEY)] == ("savings", "receive")
    assert rpc_importprivkey(node, [wif, "renamed", False]) == address(KEY)  # no error, the label still set
    assert wallet.address_book[address(KEY)] == ("renamed", "receive")
    assert rpc_importprivkey(node, [encode_wif(OTHER, PARAMS.base58), "", False]) == address(OTHER)
    assert len(wallet.txs) == 1  # no rescan asked
    assert rpc_rescanblockchain(node, [2]) == "Rescan Completed"
    assert sorted(wtx.tx.vout[0].value for wtx in wallet.txs.values()) == [5_000, 7_000]
    assert failure(rpc_rescanblockchain, node, [3]) == (-8, "Block height out of range")
    assert failure(rpc_rescanblockchain, node, [-1]) == (-8, "Block height out of range")


def test_importaddress_watch_only(tmp_path):
    node = make_node(tmp_path, chain=paid_chain())
    wallet = node.wallet
    assert rpc_importaddress(node, [address(KEY), "watched"]) is None
    assert wallet.is_mine(p2pkh(KEY.pubkey)) == ISMINE_WATCH_ONLY
    assert wallet.keys.first_key_time == 1  # C++ nTimeFirstKey = 1: the rescan covered the whole chain
    assert [wtx.tx.vout[0].value for wtx in wallet.txs.values()] == [5_000]
    assert wallet.address_book[address(KEY)] == ("watched", "receive")
    assert rpc_importaddress(node, [address(KEY), "again"]) is None
    assert wallet.address_book[address(KEY)] == ("again", "receive")
    script_hex = p2pkh(OTHER.pubkey).hex()
    assert rpc_importaddress(node, [script_hex, "ignored", False]) is None  # a hex script: no address book entry
    assert wallet.is_mine(p2pkh(OTHER.pubkey)) == ISMINE_WATCH_ONLY and address(OTHER) not in wallet.address_book
    assert failure(rpc_importaddress, node, ["zz"]) == (-5, "Invalid Flux address or script")
    assert failure(rpc_importaddress, node, ["abc"]) == (-5, "Invalid Flux address or script")
    own = wallet.new_address()
    assert failure(rpc_importaddress, node, [own]) == (-4, "The wallet already contains the private key for this address or script")


def test_dumpprivkey(tmp_path):
    node = make_node(tmp_path)
    wif = encode_wif(KEY, PARAMS.base58)
    rpc_importprivkey(node, [wif, "", False])
    assert rpc_dumpprivkey(node, [address(KEY)]) == wif
    assert failure(rpc_dumpprivkey, node, ["tmNotAnAddress"]) == (-5, "Invalid Flux address")
    script_address = encode_destination(Destination("scripthash", hash160(b"\x51")), PARAMS.base58)
    assert failure(rpc_dumpprivkey, node, [script_address]) == (-3, "Address does not refer to a key")
    assert failure(rpc_dumpprivkey, node, [address(OTHER)]) == (-4, f"Private key for address {address(OTHER)} is not known")


def test_dumpwallet_file_and_importwallet_into_a_fresh_wallet(tmp_path):
    export = tmp_path / "export"
    node = make_node(tmp_path, args=[f"-exportdir={export}"], chain=paid_chain())
    wallet = node.wallet
    rpc_importprivkey(node, [encode_wif(KEY, PARAMS.base58), "my savings", False])
    change = wallet.add_key(PrivateKey(bytes([9]) * 32), 1_600_000_500)
    path = rpc_dumpwallet(node, ["backup1"])
    assert path == f"{export}/backup1"
    lines = open(path).read().split("\n")
    assert lines[0].startswith("# Wallet dump created by Flux v")
    assert lines[2] == f"# * Best block at time of backup was 2 ({node.chainstate.tip.hash_hum}),"
    assert lines[4].startswith("# HDSeed= fingerprint=") and lines[5] == ""
    keys = [line for line in lines if line and not line.startswith("#")]
    assert len(keys) == len(wallet.keys.pubkeys) == 1 + 1 + 1 + 3  # imported, change, default key, pool of 3
    assert keys[0] == f"{encode_wif(KEY, PARAMS.base58)} 1970-01-01T00:00:01Z label=my%20savings # addr={address(KEY)}"
    assert keys[1].endswith(f" 2020-09-13T12:35:00Z change=1 # addr={wallet.address_of_key(change)}")
    assert sum(" reserve=1 " in line for line in keys) == len(wallet.pool)
    assert sum(" label= " in line for line in keys) == 1  # the default key
    assert lines[-3:] == ["", "# End of dump", ""]
    assert failure(rpc_dumpwallet, node, ["backup1"]) == (-8, f"Cannot overwrite existing file {path}")

    fresh = make_node(tmp_path, name="fresh.dat", chain=node.chainstate)
    assert rpc_importwallet(fresh, [path]) is None
    assert set(wallet.keys.pubkeys) <= set(fresh.wallet.keys.pubkeys)
    assert fresh.wallet.address_book[address(KEY)] == ("my savings", "receive")
    assert fresh.wallet.keys.created[KEY.key_id] == 1
    assert [wtx.tx.vout[0].value for wtx in fresh.wallet.txs.values()] == [5_000]
    assert wallet.address_of_key(change) not in fresh.wallet.address_book  # change=1: no label
    assert rpc_importwallet(fresh, [path]) is None  # every key already there: skipped
    assert failure(rpc_importwallet, fresh, [str(tmp_path / "missing")]) == (-8, "Cannot open wallet dump file")


def test_dumpwallet_without_exportdir_writes_in_the_working_directory(tmp_path, monkeypatch):
    node = make_node(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert rpc_dumpwallet(node, ["plain"]) == "plain" and (tmp_path / "plain").exists()
    assert rpc_dumpwallet(node, [str(tmp_path / "abs")]) == str(tmp_path / "abs")
    assert failure(rpc_dumpwallet, node, [""]) == (-8, "Cannot open wallet dump file")
    assert failure(rpc_dumpwallet, node, ["nodir/x"]) == (-8, "Cannot open wallet dump file")
    blocker = tmp_path / "file"
    blocker.write_text("")
    bad = make_node(tmp_path, name="bad.dat", args=[f"-exportdir={blocker}"])
    assert failure(rpc_dumpwallet, bad, ["x"]) == (-32603, f"The -exportdir '{blocker}' already exists and is not a directory")


def test_backupwallet(tmp_path):
    node = make_node(tmp_path)
    assert failure(rpc_backupwallet, node, ["b1"]) == (-4, "Cannot backup wallet until the -exportdir option has been set")
    export = tmp_path / "exp"
    node.args.values["-exportdir"] = str(export)
    assert failure(rpc_backupwallet, node, ["my-backup.dat"]) == (
        -4, "Filename is invalid as only alphanumeric characters are allowed.  Try 'mybackupdat' instead."
    )
    assert rpc_backupwallet(node, ["b1"]) == f"{export}/b1"
    assert rpc_backupwallet(node, ["b1"]) == f"{export}/b1"  # overwritten, as C++ copy_file(overwrite_existing)
    copy = Wallet(WalletFile(export / "b1", PARAMS.network_id), PARAMS, node.chainstate)
    assert set(copy.keys.pubkeys) == set(node.wallet.keys.pubkeys)
    os.mkdir(export / "into")
    assert rpc_backupwallet(node, ["into"]) == f"{export}/into"
    assert (export / "into" / "wallet.dat").exists()


def test_locked_wallet_refuses_as_cpp(tmp_path):
    node = make_node(tmp_path, args=[f"-exportdir={tmp_path / 'e'}"])
    node.wallet.keys.encrypted, node.wallet.keys.master_key = True, None
    locked = (-13, "Error: Please enter the wallet passphrase with walletpassphrase first.")
    wif = encode_wif(KEY, PARAMS.base58)
    assert failure(rpc_importprivkey, node, [wif]) == locked
    assert failure(rpc_dumpprivkey, node, [address(KEY)]) == locked
    assert failure(rpc_dumpwallet, node, ["d"]) == locked
    assert failure(rpc_importwallet, node, ["d"]) == locked
    assert failure(rpc_rescanblockchain, node, []) == locked
    assert rpc_importaddress(node, [address(KEY), "", False]) is None  # C++ importaddress needs no passphrase
    assert rpc_backupwallet(node, ["b"]) == f"{tmp_path / 'e'}/b"  # nor does backupwallet
