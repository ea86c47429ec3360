"""Mining RPCs: generate (regtest) and submitblock (C++ rpc/mining.cpp); getblocktemplate is in block_template.py."""

from __future__ import annotations

from fluxd.chainstate.block_index import BLOCK_FAILED_MASK, BLOCK_VALID_SCRIPTS
from fluxd.consensus.equihash_epochs import valid_eh_parameter_list
from fluxd.consensus.equihash_solver import solve_header
from fluxd.consensus.pon import TEST_BYPASS_COLLATERAL
from fluxd.consensus.validation import ValidationError
from fluxd.core.address import AddressError, address_to_script
from fluxd.core.block import Block
from fluxd.core.merkle import block_merkle_root
from fluxd.core.hashes import hash160
from fluxd.core.script import p2pkh_script, push_data, push_int, script_num_encode
from fluxd.core.tx_parts import TxIn
from fluxd.params.upgrades import is_pon_active
from fluxd.rpc.block_assembler import AssemblerSettings, BlockTemplate, create_new_block
from fluxd.rpc.errors import RPC_DESERIALIZATION_ERROR, RPC_INTERNAL_ERROR, RPC_METHOD_NOT_FOUND, RPC_MISC_ERROR, RPCError
from fluxd.rpc.params import check_count, get_int, get_str
from fluxd.rpc.registry import RPCTable
from fluxd.util.hexutil import is_hex
from fluxd.util.serialize import DecodeError

GENERATE_HELP = """generate numblocks

Mine blocks immediately (before the RPC call returns)

Note: this function can only be used on the regtest network

Arguments:
1. numblocks    (numeric) How many blocks are generated immediately.

Result
[ blockhashes ]     (array) hashes of blocks generated

Examples:

Generate 11 blocks
> flux-cli generate 11
"""
SUBMITBLOCK_HELP = """submitblock "hexdata" ( "jsonparametersobject" )

Attempts to submit new block to network.
The 'jsonparametersobject' parameter is currently ignored.
See https://en.bitcoin.it/wiki/BIP_0022 for full specification.

Arguments
1. "hexdata"    (string, required) the hex-encoded block data to submit
2. "jsonparametersobject"     (string, optional) object of optional parameters
    {
      "workid" : "id"    (string, optional) if the server provided a workid, it MUST be included with submissions
    }

Result:
"duplicate" - node already has valid copy of block
"duplicate-invalid" - node already has block, but it is invalid
"duplicate-inconclusive" - node already has block but has not validated it
"inconclusive" - node has not validated the block, it may not be on the node's current best chain
"rejected" - block was rejected as invalid
For more information on submitblock parameters and results, see: https://github.com/bitcoin/bips/blob/master/bip-0022.mediawiki#block-submission

Examples:
> flux-cli submitblock "mydata"
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "submitblock", "params": ["mydata"] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""


NO_SCRIPT_TEXT = "No coinbase script available (mining requires a wallet or -mineraddress)"


class MiningScript:
    """C++ CReserveScript from ScriptForMining: -mineraddress, else a reserved wallet pool key (P2PKH)."""

    def __init__(self, node) -> None:
        self.wallet, self.index, self.pubkey = None, -1, None
        address = node.args.get("-mineraddress")
        if address:
            try:
                self.script = address_to_script(address, node.params.base58)
            except AddressError:
                raise RPCError(RPC_INTERNAL_ERROR, NO_SCRIPT_TEXT) from None
            return
        wallet = node.wallet
        if wallet is None:
            raise RPCError(RPC_INTERNAL_ERROR, NO_SCRIPT_TEXT)
        self.index, self.pubkey = wallet.reserve_key()
        if self.index == -1:
            raise RPCError(RPC_INTERNAL_ERROR, NO_SCRIPT_TEXT)
        self.wallet = wallet
        self.script = p2pkh_script(hash160(self.pubkey))

    def keep(self) -> None:
        """KeepScript: the key was used for a coinbase; it leaves the pool for good."""
        if self.wallet is not None and self.index != -1:
            self.wallet.keep_key(self.index)
            self.index = -1

    def release(self) -> None:
        """The reservation's end: an unused key goes back to the pool (CReserveKey's destructor)."""
        if self.wallet is not None and self.index != -1:
            self.wallet.return_key(self.index, self.pubkey)
            self.index = -1


def mining_script(node) -> bytes:
    """A coinbase script kept at once (getblocktemplate builds on it)."""
    reserved = MiningScript(node)
    reserved.keep()
    return reserved.script


def rpc_generate(node, params):
    check_count(params, 1, 1, GENERATE_HELP)
    if not node.params.mine_blocks_on_demand:
        raise RPCError(RPC_METHOD_NOT_FOUND, "This method can only be used on regtest")
    count = get_int(params[0])
    reserved = MiningScript(node)
    settings = AssemblerSettings.from_args(node.args, node.params)
    hashes = []
    chainstate = node.chainstate
    try:
        for _ in range(max(0, count)):
            hashes.append(chainstate.run_command(_generate_one, node, reserved.script, settings))
            reserved.keep()
    finally:
        reserved.release()
    return hashes


def _generate_one(node, script: bytes, settings: AssemblerSettings) -> str:
    """A chain-writer command: assemble, solve and connect one block on the tip."""
    chainstate = node.chainstate
    block = _generated_block(node, script, settings)
    try:
        entry = chainstate.process_block(block)
    except ValidationError:
        raise RPCError(RPC_INTERNAL_ERROR, "ProcessNewBlock, block not accepted") from None
    if not chainstate.contains(entry):
        raise RPCError(RPC_INTERNAL_ERROR, "ProcessNewBlock, block not accepted")
    return block.hash_hum


def _generated_block(node, script: bytes, settings: AssemblerSettings) -> Block:
    """C++ generate: a template from CreateNewBlock, then PoN's test collateral and dummy signature, or Equihash."""
    params, tip, now = node.params, node.chainstate.tip, node.clock.now()
    height = tip.height + 1
    collateral, enforce_time = None, 0
    if is_pon_active(params, height):
        collateral, enforce_time = TEST_BYPASS_COLLATERAL, max(now, tip.time + 1)
        script = address_to_script(params.dev_fund_address, params.base58)
    template = assemble(node, script, settings, collateral, enforce_time)
    header, transactions = template.block.header, template.block.transactions
    if collateral is not None:
        header = header.copy_with(block_sig=b"\x00" * 64)
    else:
        transactions = _with_extra_nonce(transactions, height)
        header = header.copy_with(merkle_root_rev=block_merkle_root([tx.txid_rev for tx in transactions])[0])
        eh_params = valid_eh_parameter_list(params, height)[0]
        nonce_rev, solution = solve_header(eh_params, header.prefix_bytes(), start_nonce=height << 32)
        header = header.copy_with(nonce_rev=nonce_rev, solution=solution)
    return Block(header, transactions)


def _with_extra_nonce(transactions: tuple, height: int, extra_nonce: int = 1) -> tuple:
    """C++ IncrementExtraNonce for PoW blocks: the coinbase script becomes ``<height> CScriptNum(nExtraNonce)``.

    generate's nExtraNonce restarts at 0 whenever the parent changes and is
    incremented once, so every generated block carries 1 (PoN blocks keep ``<height> OP_0``).
    """
    coinbase = transactions[0]
    script_sig = push_int(height) + push_data(script_num_encode(extra_nonce))
    coinbase = coinbase.copy_with(vin=(TxIn(coinbase.vin[0].prevout, script_sig, coinbase.vin[0].sequence),))
    return (coinbase, *transactions[1:])


def assemble(node, script: bytes, settings: AssemblerSettings, collateral=None, enforce_time: int = 0) -> BlockTemplate:
    """CreateNewBlock, recording nLastBlockSize / nLastBlockTx for getmininginfo."""
    try:
        template = create_new_block(node.chainstate, node.mempool, script, node.clock.now(), settings, collateral, enforce_time)
    except ValidationError as failure:
        raise RPCError(RPC_MISC_ERROR, f"CreateNewBlock(): TestBlockValidity failed: {failure.reason}") from None
    node.last_template_stats = (template.size, template.tx_count)
    return template


def decode_block(text: str) -> Block:
    """DecodeHexBlk, or -22 "Block decode failed"."""
    try:
        if not is_hex(text):
            raise DecodeError("not hex")
        return Block.from_bytes(bytes.fromhex(text))
    except (DecodeError, ValueError):
        raise RPCError(RPC_DESERIALIZATION_ERROR, "Block decode failed") from None


def duplicate_status(known) -> str | None:
    """A block already in the index: "duplicate" when fully valid, "duplicate-invalid" when failed, else None."""
    if known is None:
        return None
    if known.is_valid(BLOCK_VALID_SCRIPTS):
        return "duplicate"
    if known.status & BLOCK_FAILED_MASK:
        return "duplicate-invalid"
    return None


def rpc_submitblock(node, params):
    check_count(params, 1, 2, SUBMITBLOCK_HELP)
    block = decode_block(get_str(params[0]))
    return node.chainstate.run_command(_submit_block, node.chainstate, block)


def _submit_block(chainstate, block: Block):
    """A chain-writer command: ProcessNewBlock and what C++'s submitblock_StateCatcher saw of it."""
    known = chainstate.view().lookup(block.hash_rev)
    duplicate = duplicate_status(known)
    if duplicate is not None:
        return duplicate
    earlier_reason = chainstate.invalid_reasons.get(block.hash_rev)
    try:
        entry = chainstate.process_block(block)
    except ValidationError as failure:
        return "duplicate" if known is not None else (failure.reason or "rejected")
    reason = chainstate.invalid_reasons.get(block.hash_rev)
    checked_invalid = reason is not None and (earlier_reason is None or entry.status & BLOCK_FAILED_MASK)
    checked = entry.is_valid(BLOCK_VALID_SCRIPTS) or checked_invalid  # C++ BlockChecked fired for it
    if known is not None:
        return "duplicate" if checked else "duplicate-inconclusive"
    if not checked:
        return "inconclusive"
    return (reason or "rejected") if checked_invalid else None


def register(table: RPCTable) -> None:
    table.register("generate", "generating", rpc_generate, GENERATE_HELP)
    table.register("submitblock", "mining", rpc_submitblock, SUBMITBLOCK_HELP)
