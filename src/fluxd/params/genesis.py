"""Rebuild a network's genesis block from its parameters (C++ CreateGenesisBlock)."""

from __future__ import annotations

from fluxd.core.block import Block, BlockHeader
from fluxd.core.script import p2pk_script, push_data, push_int
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params.chainparams import ChainParams

GENESIS_TIMESTAMP = b"Zelcash06f40b01ab1f135bd96c5d72f8e37c7906dc216dcaaa36fcd00ebf9b8e109567"
GENESIS_OUTPUT_PUBKEY = bytes.fromhex(
    "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb6"
    "49f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f"
)
_GENESIS_SCRIPT_SIG_BITS = 520617983  # 0x1f07ffff, the mainnet bits, on every network
ZERO_32 = b"\x00" * 32


def genesis_coinbase(reward: int) -> Transaction:
    script_sig = push_int(_GENESIS_SCRIPT_SIG_BITS) + push_data(b"\x04") + push_data(GENESIS_TIMESTAMP)
    return Transaction(
        version=1,
        vin=(TxIn(OutPoint.null(), script_sig, 0xFFFFFFFF),),
        vout=(TxOut(reward, p2pk_script(GENESIS_OUTPUT_PUBKEY)),),
    )


def build_genesis_block(params: ChainParams) -> Block:
    fields = params.genesis
    coinbase = genesis_coinbase(fields.reward)
    header = BlockHeader(
        version=fields.version,
        prev_block_rev=ZERO_32,
        merkle_root_rev=coinbase.txid_rev,
        final_sapling_root_rev=ZERO_32,
        time=fields.time,
        bits=fields.bits,
        nonce_rev=fields.nonce_rev,
        solution=fields.solution,
    )
    return Block(header, (coinbase,))
