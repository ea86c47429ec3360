"""A real fluxd on regtest (PoW, then PoN from height 10): gettxoutproof / verifytxoutproof round trips over both
header layouts, decoderawblock of getblock's hex, getdeprecationinfo off mainnet, getdifficulty."""

from __future__ import annotations

import pytest

from tests.functional.framework import NodeProcess, RPCFailure

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"


@pytest.fixture
def node(tmp_path):
    process = NodeProcess(tmp_path / "node", ["-nuparams=pon:10", f"-mineraddress={MINER}"]).start()
    yield process
    process.stop()


def _failure(node, method, *params) -> tuple[int, str]:
    with pytest.raises(RPCFailure) as caught:
        node.rpc(method, *params)
    return caught.value.code, caught.value.message


def test_proofs_raw_blocks_deprecation_and_difficulty(node):
    node.rpc("setmocktime", 1_600_000_000)
    hashes = node.rpc("generate", 12)
    for height in (5, 12):  # a PoW block (Equihash solution) and a PoN block (collateral and signature)
        block = node.rpc("getblock", hashes[height - 1])
        txid = block["tx"][0]
        proof = node.rpc("gettxoutproof", [txid])  # found through the UTXO set
        assert proof == node.rpc("gettxoutproof", [txid], block["hash"])
        assert proof.startswith(node.rpc("getblockheader", block["hash"], False))
        assert node.rpc("verifytxoutproof", proof) == [txid]
        raw = node.rpc("getblock", block["hash"], 0)
        text = node.rpc("decoderawblock", raw)
        assert text.startswith(f"CBlock(hash={block['hash']}, ver={block['version']}, ") and text.endswith("  vMerkleTree: \n")
        assert f"  CTransaction(hash={txid[:10]}, " in text
    assert _failure(node, "gettxoutproof", [node.rpc("getblock", hashes[4])["tx"][0]], hashes[5]) == (
        -5, "(Not all) transactions not found in specified block")  # fmt: skip
    assert _failure(node, "gettxoutproof", ["11" * 32]) == (-5, "Transaction not yet in block")
    assert _failure(node, "verifytxoutproof", "00") == (-1, "CDataStream::read(): end of data: iostream error")
    assert _failure(node, "decoderawblock", "zz") == (-22, "Block decode failed")
    code, message = _failure(node, "getdeprecationinfo")  # C++: mainnet only, elsewhere the help text
    assert code == -1 and message.startswith("getdeprecationinfo\nReturns an object containing current version")
    difficulty = node.rpc("getdifficulty")
    assert difficulty == node.rpc("getblockchaininfo")["difficulty"] == node.rpc("getmininginfo")["difficulty"]
