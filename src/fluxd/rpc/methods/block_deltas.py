"""getblockdeltas (C++ rpc/blockchain.cpp getblockdeltas / blockToDeltasJSON, insightexplorer).

Every transaction's transparent inputs (the spent coin's address and value, from
the spent index) and outputs.  C++ pushes an output's "address" twice when the
script is P2PKH or P2SH and once, empty, otherwise (UniValue::pushKV appends);
``RepeatedKeys`` writes the same text.
"""

from __future__ import annotations

from fluxd.consensus.difficulty import median_time_past
from fluxd.core.address import destination_from_script, encode_destination
from fluxd.core.transaction import Transaction
from fluxd.rpc.errors import RPC_INTERNAL_ERROR, RPC_INVALID_ADDRESS_OR_KEY, RPC_MISC_ERROR, RPCError
from fluxd.rpc.insight import SPENT_INDEX, SpentLookup, address_text, help_text, index_enabled, require_index, spent_lookup
from fluxd.rpc.methods.blockchain import difficulty_from_bits
from fluxd.rpc.params import get_str, uint256_from_text
from fluxd.rpc.registry import RPCTable
from fluxd.util.hexutil import rev_to_hum
from fluxd.util.univalue import RepeatedKeys

RPC = "getblockdeltas"
GETBLOCKDELTAS_HEAD = """getblockdeltas "blockhash"

Returns information about the given block and its transactions.
"""
GETBLOCKDELTAS_TAIL = """
Arguments:
1. "hash"          (string, required) The block hash

Result:
{
  "hash": "hash",              (string) block ID
  "confirmations": n,          (numeric) number of confirmations
  "size": n,                   (numeric) block size in bytes
  "height": n,                 (numeric) block height
  "version": n,                (numeric) block version (e.g. 4)
  "merkleroot": "hash",        (hexstring) block Merkle root
  "deltas": [
    {
      "txid": "hash",          (hexstring) transaction ID
      "index": n,              (numeric) The offset of the tx in the block
      "inputs": [                (array of json objects)
        {
          "address": "taddr",  (string) transparent address
          "satoshis": n,       (numeric) negative of spend amount
          "index": n,          (numeric) vin index
          "prevtxid": "hash",  (string) source utxo tx ID
          "prevout": n         (numeric) source utxo index
        }, ...
      ],
      "outputs": [             (array of json objects)
        {
          "address": "taddr",  (string) transparent address
          "satoshis": n,       (numeric) amount
          "index": n           (numeric) vout index
        }, ...
      ]
    }, ...
  ],
  "time" : n,                  (numeric) The block version
  "mediantime": n,             (numeric) The most recent blocks' ave time
  "nonce" : "nonce",           (hex string) The nonce
  "bits" : "1d00ffff",         (hex string) The bits
  "difficulty": n,             (numeric) the current difficulty
  "chainwork": "xxxx"          (hex string) total amount of work in active chain
  "previousblockhash" : "hash",(hex string) The hash of the previous block
  "nextblockhash" : "hash"     (hex string) The hash of the next block
}

Examples:
> flux-cli getblockdeltas 00227e566682aebd6a7a5b772c96d7a999cadaebeaf1ce96f4191a3aad58b00b
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getblockdeltas", "params": ["00227e566682aebd6a7a5b772c96d7a999cadaebeaf1ce96f4191a3aad58b00b"] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""


def input_deltas(tx: Transaction, lookup: SpentLookup, prefixes) -> list[dict]:
    """The "inputs" of one transaction: none for a coinbase; every input's spent coin from GetSpentIndex."""
    if tx.is_coinbase():
        return []
    inputs = []
    for index, txin in enumerate(tx.vin):
        found = lookup(txin.prevout.txid_rev, txin.prevout.n)
        if found is None:
            raise RPCError(RPC_INTERNAL_ERROR, "Spent information not available")
        delta: dict = {}
        address = address_text(found.address_key, prefixes)
        if address is not None:
            delta["address"] = address
        delta.update(satoshis=-found.satoshis, index=index, prevtxid=txin.prevout.txid_hum, prevout=txin.prevout.n)
        inputs.append(delta)
    return inputs


def output_deltas(tx: Transaction, prefixes) -> list[dict]:
    """The "outputs": "address" twice for P2PKH / P2SH, "" once otherwise (as C++ writes it)."""
    outputs = []
    for index, output in enumerate(tx.vout):
        destination = destination_from_script(output.script_pubkey)
        address = encode_destination(destination, prefixes) if destination is not None else ""
        pairs = [("address", address)] * (2 if destination is not None else 1)
        outputs.append(RepeatedKeys([*pairs, ("satoshis", output.value), ("index", index)]))
    return outputs


def tx_deltas(tx: Transaction, position: int, lookup: SpentLookup, prefixes) -> dict:
    return {"txid": tx.txid_hum, "index": position, "inputs": input_deltas(tx, lookup, prefixes), "outputs": output_deltas(tx, prefixes)}


def block_deltas_json(node, entry, block, view, lookup: SpentLookup) -> dict:
    """blockToDeltasJSON (the block is on the active chain of ``view``)."""
    header = block.header
    result = {
        "hash": block.hash_hum,
        "confirmations": view.height - entry.height + 1,
        "size": len(block.to_bytes()),
        "height": entry.height,
        "version": header.version,
        "merkleroot": rev_to_hum(header.merkle_root_rev),
        "deltas": [tx_deltas(tx, position, lookup, node.params.base58) for position, tx in enumerate(block.transactions)],
        "time": header.time,
        "mediantime": median_time_past(entry),
        "nonce": rev_to_hum(header.nonce_rev),
        "bits": f"{header.bits:08x}",
        "difficulty": difficulty_from_bits(node.params, header.bits),
        "chainwork": f"{entry.chainwork:064x}",
    }
    if entry.prev is not None:
        result["previousblockhash"] = entry.prev.hash_hum
    following = view.at(entry.height + 1)
    if following is not None:
        result["nextblockhash"] = following.hash_hum
    return result


def rpc_getblockdeltas(node, params):
    if len(params) != 1:
        raise RPCError(RPC_MISC_ERROR, help_text(RPC, GETBLOCKDELTAS_HEAD, GETBLOCKDELTAS_TAIL, index_enabled(node, SPENT_INDEX)))
    require_index(node, SPENT_INDEX, RPC)
    view = node.chainstate.view()
    entry = view.lookup(uint256_from_text(get_str(params[0])))
    if entry is None:
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found")
    if not entry.have_data():
        raise RPCError(RPC_INTERNAL_ERROR, "Can't read block from disk")
    block = node.chainstate.read_block(entry)
    if not view.contains(entry):
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Block is an orphan")
    return block_deltas_json(node, entry, block, view, spent_lookup(node))


def register(table: RPCTable) -> None:
    table.register(RPC, "blockchain", rpc_getblockdeltas, GETBLOCKDELTAS_HEAD + GETBLOCKDELTAS_TAIL)
