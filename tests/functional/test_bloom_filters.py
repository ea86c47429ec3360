"""BIP37 on a real regtest fluxd (C++ ProcessMessage filter*, getdata MSG_FILTERED_BLOCK): NODE_BLOOM advertised by
default, a loaded filter picks a filtered block's transactions (merkleblock, then the matched txs), filterclear matches
nothing, filteradd without a filter scores 100; with -peerbloomfilters=0 there is no NODE_BLOOM and filterload scores 100."""

from __future__ import annotations

from fluxd.core.address import address_to_script
from fluxd.core.merkle_block import MerkleBlock
from fluxd.p2p.bloom import BLOOM_UPDATE_ALL, BloomFilter
from fluxd.p2p.messages import GetData, InvItem, Ping, Pong, RawMessage, TxMessage
from fluxd.p2p.protocol import MSG_FILTERED_BLOCK, NODE_BLOOM
from fluxd.params import networks
from fluxd.util.serialize import Reader
from tests.functional.framework import NodeProcess
from tests.functional.p2p_peer import RawPeer

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"
REGTEST = networks.regtest_params()


def _merkleblock(peer: RawPeer) -> MerkleBlock:
    message = peer.wait_for(RawMessage, predicate=lambda m: m.name == "merkleblock")
    return MerkleBlock.read(Reader(message.data))


def _alive(peer: RawPeer) -> bool:
    peer.send(Ping(5))
    return peer.wait_for(Pong, predicate=lambda m: m.nonce == 5).nonce == 5


def test_filtered_blocks_and_filter_commands(tmp_path):
    node = NodeProcess(tmp_path / "n", ["-nuparams=pon:1000", f"-mineraddress={MINER}", "-listen=1"]).start()
    try:
        node.rpc("setmocktime", 1_600_000_000)
        block_hash = node.rpc("generate", 1)[0]
        coinbase_txid = node.rpc("getblock", block_hash)["tx"][0]
        peer = RawPeer(node.p2p_port)
        remote = peer.handshake()
        assert remote.services & NODE_BLOOM
        bloom = BloomFilter.create(10, 0.000001, 7, BLOOM_UPDATE_ALL)
        bloom.insert(address_to_script(MINER, REGTEST.base58)[3:23])  # the miner's hash160: the coinbase matches
        peer.send_raw("filterload", bloom.to_payload())
        wanted = InvItem(MSG_FILTERED_BLOCK, bytes.fromhex(block_hash)[::-1])
        peer.send(GetData([wanted]))
        merkle = _merkleblock(peer)
        root, matched = merkle.tree.extract_matches()
        assert merkle.header.hash_rev.hex() == bytes.fromhex(block_hash)[::-1].hex() and root == merkle.header.merkle_root_rev
        assert [txid[::-1].hex() for txid in matched] == [coinbase_txid]
        assert peer.wait_for(TxMessage).tx.txid_hum == coinbase_txid  # the matched transaction follows
        peer.send_raw("filterclear", b"")
        peer.send(GetData([wanted]))
        assert _merkleblock(peer).tree.extract_matches()[1] == []  # a cleared filter matches nothing
        assert _alive(peer)
        peer.close()
        stranger = RawPeer(node.p2p_port)
        stranger.handshake()
        stranger.send_raw("filteradd", bytes([3]) + b"abc")  # no filter loaded: score 100
        assert stranger.is_disconnected()
    finally:
        node.stop()


def test_peerbloomfilters_off(tmp_path):
    node = NodeProcess(tmp_path / "n", ["-nuparams=pon:1000", "-listen=1", "-peerbloomfilters=0"]).start()
    try:
        peer = RawPeer(node.p2p_port)
        assert not peer.handshake().services & NODE_BLOOM
        peer.send_raw("filterload", BloomFilter.create(10, 0.01, 0, 0).to_payload())  # a 170004+ peer: score 100
        assert peer.is_disconnected()
    finally:
        node.stop()
