"""Moving from C++ fluxd: a Berkeley DB wallet.dat (built with Debian's db5.3_load in the C++ record layout)
imported into a real node, plain at start (-importwallet-dat) and encrypted over RPC (importwalletdat)."""

from __future__ import annotations

import os
import shutil

import pytest

from fluxd.core.address import Destination, encode_destination
from fluxd.core.keys import PrivateKey
from fluxd.params import networks
from fluxd.wallet import crypter
from tests.functional.framework import NodeProcess, RPCFailure, run_refused, sync_blocks
from tests.functional.wallet_nodes import WALLET_ARGS, WalletClock, amount
from tests.unit.wallet.cxx_wallet_fixture import WalletRecords, cxx_privkey, load_bdb, text, u32, vec

pytestmark = [
    pytest.mark.functional,
    pytest.mark.skipif(shutil.which("db5.3_load") is None, reason="db5.3_load not on PATH (apt-get install db5.3-util)"),
]
REGTEST = networks.regtest_params()
OLD_KEY = PrivateKey(b"\x31" * 32)
OLD_ADDRESS = encode_destination(Destination("pubkeyhash", OLD_KEY.key_id), REGTEST.base58)
PASSPHRASE = "the old C++ passphrase"


def _cxx_wallet(path, encrypted: bool):
    records = WalletRecords()
    records.add("version", b"", u32(2010300))
    records.add("name", text(OLD_ADDRESS), text("mining rewards"))
    records.add("purpose", text(OLD_ADDRESS), text("receive"))
    if encrypted:
        master, salt = os.urandom(32), os.urandom(8)
        records.add("mkey", u32(1), crypter.new_master_key(PASSPHRASE, salt, 25_000, master).to_bytes())
        records.add("ckey", vec(OLD_KEY.pubkey), vec(crypter.encrypt_secret(master, OLD_KEY.secret, OLD_KEY.pubkey)))
    else:
        records.add("key", vec(OLD_KEY.pubkey), vec(cxx_privkey(OLD_KEY)))
    records.add("zkey", b"\x01" * 43, b"\x02" * 169)  # a shielded key: counted, not imported
    return load_bdb(path, records.records)


def _mined_chain(tmp_path) -> tuple[NodeProcess, WalletClock]:
    """A chain whose coinbases pay the C++ wallet's key (the node's own wallet is not involved)."""
    miner = NodeProcess(tmp_path / "miner", [*WALLET_ARGS, f"-mineraddress={OLD_ADDRESS}"]).start()
    clock = WalletClock([miner])
    clock.mine(miner, 102)
    return miner, clock


def test_plain_wallet_dat_imported_at_start(tmp_path):
    miner, clock = _mined_chain(tmp_path)
    try:
        old = _cxx_wallet(tmp_path / "old-wallet.dat", encrypted=False)
        before = old.read_bytes()
        node = NodeProcess(tmp_path / "new", [*WALLET_ARGS, f"-importwallet-dat={old}", f"-connect=127.0.0.1:{miner.p2p_port}"])
        node.start()
        try:
            clock.nodes.append(node)
            clock.tick(0)
            sync_blocks([miner, node])  # the imported key then sees the coinbases as the blocks connect
            assert amount(node.rpc("getbalance")) > 0
            assert node.rpc("getaccount", OLD_ADDRESS) == "mining rewards"
            assert node.rpc("validateaddress", OLD_ADDRESS)["ismine"] is True
        finally:
            node.stop()
        assert old.read_bytes() == before  # never written
    finally:
        miner.stop()


def test_encrypted_wallet_dat_over_rpc(tmp_path):
    miner, _clock = _mined_chain(tmp_path)
    try:
        old = _cxx_wallet(tmp_path / "old-wallet.dat", encrypted=True)
        with pytest.raises(RPCFailure) as wrong:
            miner.rpc("importwalletdat", str(old), "not it")
        assert wrong.value.code == -14
        with pytest.raises(RPCFailure) as missing:
            miner.rpc("importwalletdat", str(tmp_path / "nowhere.dat"))
        assert missing.value.code == -8
        result = miner.rpc("importwalletdat", str(old), PASSPHRASE)
        assert (result["keys"], result["labels"], result["skipped"]) == (1, 1, {"zkey": 1})
        assert amount(miner.rpc("getbalance")) > 0  # the rescan found the coinbases paying the old key
        again = miner.rpc("importwalletdat", str(old), PASSPHRASE)
        assert (again["keys"], again["known"]) == (0, 1)
        assert miner.rpc("dumpprivkey", OLD_ADDRESS)
    finally:
        miner.stop()


def test_encrypted_wallet_dat_at_start_is_refused_with_the_way_out(tmp_path):
    old = _cxx_wallet(tmp_path / "old-wallet.dat", encrypted=True)
    result = run_refused(tmp_path / "node", ["-regtest"], f"-importwallet-dat={old}")
    assert result.returncode != 0
    assert "importwalletdat RPC" in result.stderr + result.stdout


def test_cxx_wallet_dat_as_our_wallet_is_refused(tmp_path):
    node_dir = tmp_path / "node"
    (node_dir / "regtest").mkdir(parents=True)
    _cxx_wallet(node_dir / "regtest" / "wallet.dat", encrypted=False)
    result = run_refused(node_dir, ["-regtest"])
    assert result.returncode != 0
    assert "C++ fluxd (Berkeley DB) wallet" in result.stderr + result.stdout
