"""The chainstate database format, pinned: every column's name and one golden record per column.

A change to any encoding (or a new column) must come with a bump of
``CHAINSTATE_FORMAT_VERSION`` (old databases are then refused with a request to
-reindex) and new golden records under the new version here.  The records come
from a fixed chain (regtest, fixed clock and keys) connected with every state
module a node can run: the transaction index, the timestamp, address and spent
indexes and the toy consensus/index modules of the test framework (their
``ext``/``ext_undo`` records stand for any module's).

One exception to the bump: a new column *family* for an optional index
(``addressindex``, ``spentindex``) needs none, since an older database simply
lacks it, RocksDB creates it empty, and the index's absent flag makes it
either off or built from the stored blocks (``chainstate/index_settings.py``);
its golden record is pinned under the current version all the same.
"""

from __future__ import annotations

from tests.block_building import build_block
from fluxd.chainstate.chainstate import CHAINSTATE_FORMAT_VERSION, COLUMNS, Chainstate
from fluxd.chainstate.address_index import AddressIndex
from fluxd.chainstate.spent_index import SpentIndex
from fluxd.chainstate.timestamp_index import TimestampIndex
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from tests.fake_clock import FakeClock
from tests.toy_modules import BlockCounter, SpentValueIndex
from tests.unit.chainstate.test_chainstate import PARAMS, SCRIPT

PINNED_COLUMNS = ("meta", "block_index", "coins", "undo", "txindex", "timestamp", "ext", "ext_undo", "addressindex", "spentindex")
# format version -> column -> (number of records, the first record in key order as key hex:value hex)
GOLDEN: dict[int, dict[str, tuple[int, str]]] = {
    4: {  # the block index: a fixed-size row record per entry (b"i" + height + hash) and its header (b"h" + hash)
        "meta": (2, "666f726d61745f76657273696f6e:"
            "04000000"),
        "block_index": (8, "6821195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754:"
            "04000000cee0d18d04f3af9e09d942226104b6e0901d8cf1d2695f71b5c28da8608799016755e82fd7c9271afb1bad46"
            "b3bb69ef62ea69b12bb74f4fae7e212f5633d05b00000000000000000000000000000000000000000000000000000000"
            "0000000058125e5f0f0f0f2003000000010000000000000000000000000000000000000000000000000000002402c346"
            "b2313942798a1b155192f54b39715542b715f1677f05f5a94372e6f52615ef5bb0"),
        "coins": (3, "1d2204962cbb056cbb93749781c224d300bd364d0fd022864a4dae2ed5aaec1f00000000:"
            "0700d6117e030000001976a9149d695474a303ac6d74d1796d3752f07895918bd288ac01000000"),
        "undo": (3, "21195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754:"
            "010000"),
        "txindex": (3, "1d2204962cbb056cbb93749781c224d300bd364d0fd022864a4dae2ed5aaec1f:"
            "f7f470e2d42ec958a7590802f10970bfe5a10a63216db908a01fffe3b04e544a00000000"),
        "timestamp": (6, "545f5e125821195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754:"),
        "ext": (4, "636f756e7465722f6800000001:"
            "21195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754"),
        "ext_undo": (3, "636f756e7465722f21195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754:"),
    },
    5: {  # the fluxnode list module (fn/ keys in ext; an undo record per block in ext_undo)
        "meta": (2, "666f726d61745f76657273696f6e:"
            "05000000"),
        "block_index": (8, "6821195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754:"
            "04000000cee0d18d04f3af9e09d942226104b6e0901d8cf1d2695f71b5c28da8608799016755e82fd7c9271afb1bad46"
            "b3bb69ef62ea69b12bb74f4fae7e212f5633d05b00000000000000000000000000000000000000000000000000000000"
            "0000000058125e5f0f0f0f2003000000010000000000000000000000000000000000000000000000000000002402c346"
            "b2313942798a1b155192f54b39715542b715f1677f05f5a94372e6f52615ef5bb0"),
        "coins": (3, "1d2204962cbb056cbb93749781c224d300bd364d0fd022864a4dae2ed5aaec1f00000000:"
            "0700d6117e030000001976a9149d695474a303ac6d74d1796d3752f07895918bd288ac01000000"),
        "undo": (3, "21195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754:"
            "010000"),
        "txindex": (3, "1d2204962cbb056cbb93749781c224d300bd364d0fd022864a4dae2ed5aaec1f:"
            "f7f470e2d42ec958a7590802f10970bfe5a10a63216db908a01fffe3b04e544a00000000"),
        "timestamp": (6, "545f5e125821195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754:"),
        "ext": (4, "636f756e7465722f6800000001:"
            "21195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754"),
        "ext_undo": (6, "636f756e7465722f21195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754:"),
        "addressindex": (6, "64019d695474a303ac6d74d1796d3752f07895918bd200000001000000006755e82fd7c9271afb1bad46b3bb69ef62ea69"
            "b12bb74f4fae7e212f5633d05b0000000000:00607f7f29a00400"),
        "spentindex": (0, ""),  # the fixed chain spends nothing (spent records: tests/unit/chainstate/test_address_spent_index.py)
    },
    6: {  # the shielded state (sh/ keys in ext: a value-pool record per block; an undo record per block)
        "meta": (2, "666f726d61745f76657273696f6e:"
            "06000000"),
        "block_index": (8, "6821195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754:"
            "04000000cee0d18d04f3af9e09d942226104b6e0901d8cf1d2695f71b5c28da8608799016755e82fd7c9271afb1bad46"
            "b3bb69ef62ea69b12bb74f4fae7e212f5633d05b00000000000000000000000000000000000000000000000000000000"
            "0000000058125e5f0f0f0f2003000000010000000000000000000000000000000000000000000000000000002402c346"
            "b2313942798a1b155192f54b39715542b715f1677f05f5a94372e6f52615ef5bb0"),
        "coins": (3, "1d2204962cbb056cbb93749781c224d300bd364d0fd022864a4dae2ed5aaec1f00000000:"
            "0700d6117e030000001976a9149d695474a303ac6d74d1796d3752f07895918bd288ac01000000"),
        "undo": (3, "21195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754:"
            "010000"),
        "txindex": (3, "1d2204962cbb056cbb93749781c224d300bd364d0fd022864a4dae2ed5aaec1f:"
            "f7f470e2d42ec958a7590802f10970bfe5a10a63216db908a01fffe3b04e544a00000000"),
        "timestamp": (6, "545f5e125821195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754:"),
        "ext": (7, "636f756e7465722f6800000001:"
            "21195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754"),
        "ext_undo": (9, "636f756e7465722f21195663c23435edb1a5da424743b2716b4ac01e10bc45e55e67eb176395c754:"),
        "addressindex": (6, "64019d695474a303ac6d74d1796d3752f07895918bd200000001000000006755e82fd7c9271afb1bad46b3bb69ef62ea69"
            "b12bb74f4fae7e212f5633d05b0000000000:00607f7f29a00400"),
        "spentindex": (0, ""),  # the fixed chain spends nothing (spent records: tests/unit/chainstate/test_address_spent_index.py)
    },
}
# format version -> the first block-index row record (prefix b"i"), which sorts after the headers (b"h")
GOLDEN_INDEX_ROW: dict[int, str] = {
    5: ("6900000000cee0d18d04f3af9e09d942226104b6e0901d8cf1d2695f71b5c28da860879901:"
    "020000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000110d01000000010000000000000000000000080000000000000004000000dae5"
    "494d0f0f0f20"),
    6: ("6900000000cee0d18d04f3af9e09d942226104b6e0901d8cf1d2695f71b5c28da860879901:"
    "020000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000110d01000000010000000000000000000000080000000000000004000000dae5"
    "494d0f0f0f20"),
}


def _database(tmp_path) -> MemoryStore:
    store = MemoryStore(COLUMNS)
    clock = FakeClock()
    chainstate = Chainstate(PARAMS, store, BlockFiles(tmp_path / "blocks", PARAMS.message_start), clock)
    for module in (TimestampIndex(), AddressIndex(), SpentIndex(), BlockCounter(), SpentValueIndex()):
        chainstate.register_module(module)
    chainstate.load()
    for _ in range(3):
        clock.time += 600
        chainstate.process_block(build_block(PARAMS, chainstate.tip, SCRIPT, clock.time))
    chainstate.flush()
    return store


def records(tmp_path) -> dict[str, tuple[int, str]]:
    store = _database(tmp_path)
    found = {}
    for column in store.columns:
        items = list(store.iterate(column))
        found[column] = (len(items), f"{items[0][0].hex()}:{items[0][1].hex()}" if items else "")
    return found


def test_the_columns_are_the_pinned_ones():
    assert COLUMNS == PINNED_COLUMNS, "a new or renamed column needs a CHAINSTATE_FORMAT_VERSION bump and golden records"


def test_every_column_matches_its_golden_record(tmp_path):
    found = records(tmp_path)
    assert CHAINSTATE_FORMAT_VERSION in GOLDEN, (
        f"no golden records for chainstate format {CHAINSTATE_FORMAT_VERSION}: add GOLDEN[{CHAINSTATE_FORMAT_VERSION}] = {found!r}"
    )
    assert found == GOLDEN[CHAINSTATE_FORMAT_VERSION], "an encoding changed: bump CHAINSTATE_FORMAT_VERSION and pin the new records"


def test_the_block_index_rows_match_their_golden_record(tmp_path):
    key, value = next(_database(tmp_path).iterate("block_index", prefix=b"i"))
    assert f"{key.hex()}:{value.hex()}" == GOLDEN_INDEX_ROW[CHAINSTATE_FORMAT_VERSION], "bump and pin the new row record"
