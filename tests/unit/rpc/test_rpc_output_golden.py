"""Exact output bytes pinned before the RPC speed work (getblock 0/1/2, transaction JSON, the encoder, the HTTP replies).

The golden files in ``golden/`` were written by the code before any optimisation; a faster encoder or
JSON builder must reproduce them byte for byte.  ``FLUXD_WRITE_GOLDEN=1`` rewrites them (only do that
for an intended output change).
"""

from __future__ import annotations

import asyncio
import base64
import os
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from aiohttp.test_utils import TestClient, TestServer

from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.core.address import encode_destination
from fluxd.core.block import Block
from fluxd.core.keys import PrivateKey
from fluxd.core.opcodes import OP_RETURN, iter_ops, op_name
from fluxd.core.script import p2pkh_script, p2sh_script, push_data
from fluxd.core.script_asm import _push_to_asm, is_unspendable, script_to_asm
from fluxd.core.standard import extract_destinations, multisig_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.consensus.tx_contextual import COINBASE_MATURITY
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade
from fluxd.rpc.context import NodeContext
from fluxd.rpc.methods import register_all
from fluxd.rpc.methods.blockchain import rpc_getblock
from fluxd.rpc.server import AllowList, RPCAuth, RPCServer
from fluxd.rpc.tx_json import script_pubkey_json, tx_to_univ
from fluxd.rpc.tx_json_full import tx_to_json
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from fluxd.util.args import parse_parameters
from fluxd.util import univalue
from fluxd.util.univalue import NoFloats, NoFloatsList, RawNumber, dumps
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature
from tests.block_building import MemoryChain
from tests.vectors import load_json

GOLDEN = Path(__file__).parent / "golden"
WRITE = os.environ.get("FLUXD_WRITE_GOLDEN") == "1"
PARAMS = networks.regtest_params({Upgrade.PON: 100_000})
MAIN = networks.main_params()
KEY = PrivateKey(bytes([7]) * 32)
OTHER = PrivateKey(bytes([9]) * 32)
SCRIPT = p2pkh_script(KEY.key_id)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if WRITE:
        path.write_bytes(text.encode("utf-8"))
    assert text.encode("utf-8") == path.read_bytes()


def _signed(prevouts, outputs, store, hash_types=None) -> Transaction:
    tx = Transaction(version=1, vin=tuple(TxIn(outpoint, b"") for outpoint, _ in prevouts), vout=tuple(outputs))
    sigs = []
    for index, (_, value) in enumerate(prevouts):
        hash_type = hash_types[index] if hash_types else 1
        script_sig, complete = produce_signature(store, SCRIPT, SigningInput(tx, index, value, hash_type, 0))
        assert complete
        sigs.append(script_sig)
    return tx.copy_with(vin=tuple(TxIn(outpoint, sig) for (outpoint, _), sig in zip(prevouts, sigs)))


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """A regtest chain whose last block has P2PKH spends (several sighash types, several inputs) and
    outputs of every standard kind plus a non-standard one."""
    tmp = tmp_path_factory.mktemp("golden")
    memory_chain = MemoryChain(PARAMS, SCRIPT, tmp / "blocks")
    chainstate, mine = memory_chain.chainstate, memory_chain.mine
    store = KeyStore()
    store.add_key(KEY)

    first = mine()
    for _ in range(COINBASE_MATURITY):
        mine()
    coinbase = first.transactions[0]
    value = coinbase.vout[0].value
    piece = (value - 10_000) // 8
    split = _signed([(OutPoint(coinbase.txid_rev, 0), value)], [TxOut(piece, SCRIPT)] * 8, store)
    mine((split,))
    kinds = [
        TxOut(piece - 100_100_000, p2pkh_script(OTHER.key_id)),
        TxOut(12_345, p2sh_script(bytes(range(20)))),
        TxOut(1, multisig_script(1, [KEY.pubkey, OTHER.pubkey])),
        TxOut(0, bytes([OP_RETURN]) + push_data(b"hello \x7f\x00 world")),
        TxOut(100_000_000, b"\x51\x52\x93\x53\x87"),  # OP_1 OP_2 OP_ADD OP_3 OP_EQUAL
        TxOut(5, b"\x4c\x05ab"),  # truncated push: [error]
    ]
    spends = [
        _signed([(OutPoint(split.txid_rev, 0), piece)], kinds, store),
        _signed([(OutPoint(split.txid_rev, 1), piece), (OutPoint(split.txid_rev, 2), piece)], [TxOut(2 * piece - 7_777, SCRIPT)], store,
                hash_types=[0x83, 0x82]),  # fmt: skip
        _signed([(OutPoint(split.txid_rev, n), piece) for n in range(3, 8)], [TxOut(piece, SCRIPT)] * 5, store,
                hash_types=[1, 2, 3, 0x81, 0x82]),  # fmt: skip
    ]
    big = mine(spends)
    mine()  # one more block: confirmations 2 and a nextblockhash
    return SimpleNamespace(chainstate=chainstate, params=PARAMS, block=big, split_block_hash=split.txid_hum)


@pytest.mark.parametrize("verbosity", [0, 1, 2])
def test_getblock_bytes(chain, verbosity):
    node = SimpleNamespace(chainstate=chain.chainstate, params=chain.params)
    check_golden(f"getblock{verbosity}_regtest.json", dumps(rpc_getblock(node, [chain.block.hash_hum, verbosity])) + "\n")


def test_getblock2_pretty_bytes(chain):
    node = SimpleNamespace(chainstate=chain.chainstate, params=chain.params)
    check_golden("getblock2_regtest_indent2.json", dumps(rpc_getblock(node, [chain.block.hash_hum, 2]), 2) + "\n")


def _mainnet_transactions() -> list[Transaction]:
    txs = [Transaction.from_bytes(bytes.fromhex(item["hex"])) for item in load_json("flux_mainnet/transactions.json")["transactions"]]
    for entry in load_json("flux_mainnet/blocks.json")["blocks"]:
        if entry.get("block_hex"):
            txs.extend(Block.from_bytes(bytes.fromhex(entry["block_hex"])).transactions)
    return txs


def test_mainnet_transaction_json_bytes():
    block = {"blockhash": "00" * 32, "height": 7, "confirmations": 3, "time": 1_700_000_000}
    lines = []
    for tx in _mainnet_transactions():
        lines.append(dumps(tx_to_json(tx, MAIN.base58)))
        lines.append(dumps(tx_to_json(tx, MAIN.base58, block)))
        lines.append(dumps(tx_to_univ(tx, MAIN.base58, bytes(range(32)))))
    check_golden("tx_json_mainnet.jsonl", "\n".join(lines) + "\n")


ENCODER_CASES = [
    None, True, False, 0, -1, 2**64 + 1, -(2**70), "", "plain", "q\"b\\s/", "\b\f\n\r\t\x00\x01\x1f\x7f\x80é\u2028😀",
    Decimal("0.00000000"), Decimal("-21000000.12345678"), Decimal("1E+2"), RawNumber("1.50"), RawNumber("-0"),
    0.1, 1e-7, 1e16, 123456789012345678.0, 0.30000000000000004, -2.5, 1.0, 3.141592653589793,
    [], {}, (), [[]], [{}], {"": []}, {"a": {"b": {"c": [1, (2, 3), {"d": None}]}}},
    {1: "int key", "é\n": 2}, [1, "two", Decimal("3.00000000"), RawNumber("4"), 5.5, None, True, [6, {"7": [8]}]],
]


@pytest.mark.parametrize("indent", [0, 1, 2, 4])
def test_encoder_bytes(indent):
    check_golden(f"encoder_indent{indent}.txt", "\n".join(dumps(value, indent) for value in ENCODER_CASES) + "\n")


def _server_exchanges(tmp_path) -> str:
    context = NodeContext(args=parse_parameters([]), params=PARAMS, net_dir=tmp_path)
    register_all(context.rpc_table)
    clock = SimpleNamespace(time=1_600_000_000)
    context.chainstate = Chainstate(PARAMS, MemoryStore(COLUMNS), BlockFiles(tmp_path / "blocks", PARAMS.message_start), lambda: clock.time)
    context.chainstate.load()
    server = RPCServer(context.rpc_table, context, RPCAuth(user_pass={"u:p"}), AllowList([]), threads=1)
    good = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
    bad = {"Authorization": "Basic " + base64.b64encode(b"u:x").decode()}
    post = [
        (good, b'{"method":"getblockcount","params":[],"id":1}'),
        (good, b'{"jsonrpc":"2.0","method":"getblockcount","id":"abc"}'),
        (good, b'{"method":"getbestblockhash","id":1.50}'),
        (good, b'{"method":"getblockcount","params":[1],"id":[1,2]}'),
        (good, b'{"method":"nosuchmethod","params":[],"id":2}'),
        (good, b'{"method":"getblock","params":["zz", 2],"id":3}'),
        (good, b'{"method":"getblockheader","params":[], "id":null}'),
        (good, b'[{"method":"getblockcount","id":1},{"method":"nosuch","id":2},7,{"id":3}]'),
        (good, b"[]"),
        (good, b"not json"),
        (good, b'"a string"'),
        (good, b'{"method":1,"id":4}'),
        (good, b'{"method":"getblockcount","params":{},"id":5}'),
        (good, b'{"params":[],"id":6}'),
        (good, b'{"method":"getblockcount","id":NaN}'),
        (good, b"\xef\xbb\xbf" + b'{"method":"getblockcount","id":1}'),
        (good, '{"method":"getblockcount","id":1}'.encode("utf-16-le")),
        (good, '{"method":"getblockcount","id":1}'.encode("utf-16")),
        (good, '[{"method":"getblockcount","id":1}]'.encode("utf-32-le")),
        (good, b"{"), (good, b"["), (good, b""), (good, b"{\x00"), (good, b'{"method":"getblockcount","id":"\\ud800"}'),
        (good, b'{"method":"getblockcount","id":"\xff"}'),
        ({}, b'{"method":"getblockcount","id":1}'),
        (bad, b'{"method":"getblockcount","id":1}'),
        ({"Authorization": "Bearer x"}, b'{"method":"getblockcount","id":1}'),
    ]
    other = [
        ("GET", "/", good, None),
        ("PUT", "/", good, b"{}"),
        ("POST", "/wallet/x", good, b'{"method":"getblockcount","id":9}'),
        ("GET", "/daemon/getblockcount", good, None),
        ("GET", "/daemon/getblockhash?height=0", good, None),
        ("POST", "/daemon/getblockhash", good, b'{"height":0}'),
        ("GET", "/daemon/nosuch", good, None),
        ("GET", "/daemon/", good, None),
        ("GET", "/daemon/getblockcount", {}, None),
        ("DELETE", "/daemon/getblockcount", good, None),
    ]

    async def run() -> str:
        client = TestClient(TestServer(server.make_app()))
        await client.start_server()
        out = []
        try:
            requests = [("POST", "/", headers, body) for headers, body in post] + other
            for method, path, headers, body in requests:
                response = await client.request(method, path, headers=headers, data=body)
                payload = await response.read()
                shown = {key: value for key, value in response.headers.items() if key not in ("Date", "Server")}
                out.append(f"{method} {path} {body!r} -> {response.status} {response.reason} {shown} {payload!r}")
        finally:
            await client.close()
            server.executor.shutdown()
        return "\n".join(out) + "\n"

    context.rpc_table.set_warmup(None)
    return asyncio.run(run())


def test_server_reply_bytes(tmp_path):
    check_golden("server_replies.txt", _server_exchanges(tmp_path))


class Small(int):
    pass


@pytest.mark.parametrize("value", [
    {"del": "a\x7fb"}, {"big": 2**64}, {"neg": -(2**63) - 1}, {"surrogate": "\ud800"}, {1: "int key"},
    {"sub": Small(5), "bool": True, "raw": RawNumber("1.5"), "dec": Decimal("-0.00000001"), "esc": "\x00\x1f\"\\é"},
    {"nested": [{"a": (1, [Decimal("2.50000000")])}, NoFloats(b=[NoFloats()])], "empty": {}, "list": [], "none": None},
])  # fmt: skip
def test_no_floats_dicts_write_like_plain_dicts(value):
    reference: list[str] = []
    univalue._write(value, 0, 1, reference)  # the general writer the compact fast paths must agree with
    assert dumps(NoFloats(value)) == dumps(dict(value)) == "".join(reference)
    assert dumps([NoFloats(value), NoFloats(value)]) == "[" + dumps(dict(value)) + "," + dumps(dict(value)) + "]"
    listed = [dict(value), value, [value]]
    assert dumps(NoFloatsList(listed)) == dumps(listed) == "[" + ",".join(dumps(item) for item in listed) + "]"
    assert dumps(NoFloatsList()) == "[]" and dumps(NoFloats(rows=NoFloatsList([value]))) == dumps({"rows": [value]})


def _reference_asm(script: bytes, attempt_sighash_decode: bool = False) -> str:
    """script_to_asm as it was before the inline decoder (iter_ops + op_name)."""
    words = []
    attempt_sighash_decode = attempt_sighash_decode and not is_unspendable(script)
    for op in iter_ops(script):
        if op is None:
            words.append("[error]")
            break
        words.append(_push_to_asm(op.data, attempt_sighash_decode) if op.data is not None else op_name(op.opcode))
    return " ".join(words)


def _reference_script_pubkey_json(script: bytes, prefixes) -> dict:
    entry: dict = {"asm": _reference_asm(script), "hex": script.hex()}
    kind, destinations, required = extract_destinations(script)
    if not destinations:
        entry["type"] = kind
        return entry
    entry.update(reqSigs=required, type=kind, addresses=[encode_destination(d, prefixes) for d in destinations])
    return entry


SIGNATURE = bytes.fromhex("3045022100d05b9a4be476eb93c58530edb97580a46dc1bfb8084816bb9e6b484bc31823fe02207ea72a3abea20770a4a8214dfb24b96a96a09d7d88b0f7da951eb7eff64a3ab001")
SCRIPT_CASES = [
    b"", SCRIPT, p2sh_script(bytes(20)), SCRIPT[:-1], SCRIPT + b"\x00", b"\x76\xa9\x4c\x14" + bytes(20) + b"\x88\xac",
    b"\xa9\x14" + bytes(20) + b"\x88", b"\xa9\x4c\x14" + bytes(20) + b"\x87", push_data(KEY.pubkey) + b"\xac",
    push_data(SIGNATURE) + push_data(KEY.pubkey), push_data(SIGNATURE[:-1] + b"\x83"), push_data(SIGNATURE[:-1] + b"\x05"),
    b"\x6a" + push_data(SIGNATURE), b"\x00\x4f\x51\x60\x61\xba\xff", b"\x4c", b"\x4d\x01", b"\x4e\x01\x00\x00", b"\x4d\x02\x00ab",
    b"\x4e\x03\x00\x00\x00abc", b"\x04\x01\x02\x03\x80", b"\x05\x01\x02\x03\x04\x05", b"\x02\xff\xff",
    multisig_script(1, [KEY.pubkey, OTHER.pubkey]), bytes(range(256)), bytes(range(255, -1, -1)),
]  # fmt: skip


@pytest.mark.parametrize("script", SCRIPT_CASES)
def test_inline_asm_and_script_fast_paths_match_the_general_code(script):
    for attempt in (False, True):
        assert script_to_asm(script, attempt) == _reference_asm(script, attempt)
    for prefixes in (PARAMS.base58, MAIN.base58):
        assert dumps(script_pubkey_json(script, prefixes)) == dumps(_reference_script_pubkey_json(script, prefixes))
        assert script_pubkey_json(script, prefixes) == script_pubkey_json(script, prefixes)  # twice: the address cache


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60), st.booleans())
def test_inline_asm_matches_the_general_decoder_on_any_bytes(script, attempt):
    assert script_to_asm(script, attempt) == _reference_asm(script, attempt)
    assert dumps(script_pubkey_json(script, MAIN.base58)) == dumps(_reference_script_pubkey_json(script, MAIN.base58))
