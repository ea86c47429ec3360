"""-reindex / -loadblock loader and start-up VerifyDB at the Chainstate level (regtest PoN blocks, memory store)."""

from __future__ import annotations

import random
import threading

from tests.block_building import build_block
from fluxd.chainstate.block_import import BlockImporter, is_reindexing, scan_blocks
from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.chainstate.verify_db import verify_db
from fluxd.core.block import Block
from fluxd.core.script import p2pkh_script
from fluxd.params import networks
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.kv import WriteBatch
from fluxd.storage.memory import MemoryStore

PARAMS = networks.regtest_params({})
MAGIC = PARAMS.message_start
SCRIPT = p2pkh_script(bytes(20))
START = 1_600_000_000


def new_chainstate(blocks_dir, reindex: bool = False) -> Chainstate:
    chainstate = Chainstate(PARAMS, MemoryStore(COLUMNS), BlockFiles(blocks_dir, MAGIC), lambda: START + 10**6)
    chainstate.load(reindex=reindex)
    return chainstate


def mine(chainstate: Chainstate, count: int) -> list[Block]:
    blocks = []
    for index in range(count):
        block = build_block(PARAMS, chainstate.tip, SCRIPT, START + 600 * (chainstate.height + 1))
        chainstate.process_block(block)
        blocks.append(block)
    return blocks


def frame(block: Block) -> bytes:
    raw = block.to_bytes()
    return MAGIC + len(raw).to_bytes(4, "little") + raw


def fingerprint(chainstate: Chainstate):
    return chainstate.tip.hash_rev, chainstate.height, sorted(chainstate.store.iterate("coins"))


def test_reindex_rebuilds_the_same_chain_without_appending(tmp_path):
    source = new_chainstate(tmp_path / "blocks")
    mine(source, 30)
    sizes = [path.stat().st_size for path in sorted((tmp_path / "blocks").iterdir())]
    rebuilt = new_chainstate(tmp_path / "blocks", reindex=True)
    assert not rebuilt.active
    importer = BlockImporter(rebuilt)
    assert importer.reindex() and importer.loaded == 31
    assert fingerprint(rebuilt) == fingerprint(source)
    assert sorted(rebuilt.store.iterate("txindex")) == sorted(source.store.iterate("txindex"))
    assert [path.stat().st_size for path in sorted((tmp_path / "blocks").iterdir())] == sizes
    assert not is_reindexing(rebuilt.store) and not rebuilt.importing


def test_reindex_out_of_order_garbage_split_files_and_torn_tail(tmp_path):
    source = new_chainstate(tmp_path / "src")
    blocks = [Block.from_bytes(source.block_files.read(entry_pos(source, 0)))] + mine(source, 25)
    shuffled = blocks[1:]
    random.Random(7).shuffle(shuffled)
    shuffled.insert(5, blocks[0])  # genesis is not even first
    half = len(shuffled) // 2
    dest = tmp_path / "dst"
    dest.mkdir()
    first = b"junk" + MAGIC + b"\xff\xff\xff\xff" + b"".join(frame(block) + MAGIC[:2] for block in shuffled[:half])
    (dest / "blk00000.dat").write_bytes(first)
    second = b"".join(frame(block) + b"\x00" * 3 for block in shuffled[half:]) + frame(blocks[-1])[:-40]
    (dest / "blk00001.dat").write_bytes(second)
    rebuilt = new_chainstate(dest, reindex=True)
    assert BlockImporter(rebuilt).reindex()
    assert fingerprint(rebuilt) == fingerprint(source)
    assert (dest / "blk00001.dat").stat().st_size == len(second)


def test_scan_resumes_one_byte_after_a_bad_frame(tmp_path):
    chainstate = new_chainstate(tmp_path / "b")
    block = mine(chainstate, 1)[0]
    good = frame(block)
    junk = b"\xff" * 150  # version -1, nonce, then a solution length that cannot be
    bogus = MAGIC + (len(junk) + len(good)).to_bytes(4, "little") + junk  # the real frame lies inside its claimed size
    data = bogus + good
    found = list(scan_blocks(data, MAGIC))
    assert [item[1].hash_rev for item in found] == [block.hash_rev]
    assert found[0][0].data_pos == len(bogus) + 8


def test_loadblock_skips_orphans_as_cpp_and_loses_nothing(tmp_path):
    source = new_chainstate(tmp_path / "src")
    blocks = mine(source, 12)
    external = tmp_path / "bootstrap.dat"
    external.write_bytes(b"".join(frame(block) for block in blocks[:6] + blocks[7:] + [blocks[6]]))
    fresh = new_chainstate(tmp_path / "fresh")
    importer = BlockImporter(fresh)
    assert importer.load_external(external)
    assert fresh.height == 7  # 8..12 came before their parent and an external file has no position to revisit
    assert not importer.load_external(tmp_path / "missing.dat")
    external.write_bytes(b"".join(frame(block) for block in blocks))
    assert BlockImporter(fresh).load_external(external)
    assert fingerprint(fresh) == fingerprint(source)
    assert fresh.block_files.path(0).stat().st_size > 0


def test_interrupted_reindex_resumes(tmp_path):
    source = new_chainstate(tmp_path / "blocks")
    mine(source, 20)
    rebuilt = new_chainstate(tmp_path / "blocks", reindex=True)
    stop = threading.Event()
    importer = BlockImporter(rebuilt, stop)
    original = importer._process

    def process_then_stop(block, pos):
        assert rebuilt.importing and (rebuilt.height == 0 or rebuilt.is_initial_block_download())
        if importer.loaded >= 10:
            stop.set()
        return original(block, pos)

    importer._process = process_then_stop
    assert not importer.reindex()
    assert 0 < rebuilt.height < 20 and is_reindexing(rebuilt.store)
    assert BlockImporter(rebuilt).reindex()
    assert fingerprint(rebuilt) == fingerprint(source)


def test_empty_reindex_writes_a_genesis(tmp_path):
    chainstate = new_chainstate(tmp_path / "none", reindex=True)
    assert BlockImporter(chainstate).reindex()
    assert chainstate.height == 0 and chainstate.tip.hash_rev == PARAMS.genesis_hash_rev


def test_verify_db_levels(tmp_path):
    chainstate = new_chainstate(tmp_path / "blocks")
    blocks = mine(chainstate, 15)
    assert verify_db(chainstate, 4, 288) and verify_db(chainstate, 3, 5) and verify_db(chainstate, 0, 0)
    batch = WriteBatch()
    key = next(key for key, _ in chainstate.store.iterate("coins"))
    batch.delete("coins", key)
    chainstate.store.write(batch)
    assert verify_db(chainstate, 2, 288)
    assert not verify_db(chainstate, 3, 288)
    batch = WriteBatch()
    batch.delete("undo", blocks[-1].hash_rev)
    chainstate.store.write(batch)
    assert not verify_db(chainstate, 1, 3)


def entry_pos(chainstate: Chainstate, height: int):
    from fluxd.storage.block_files import BlockPos

    entry = chainstate.active[height]
    return BlockPos(entry.file_no, entry.data_pos)
