"""Emergency blocks (Flux C++ rpc/emergencyblock.cpp): createemergencyblock, signemergencyblock,
submitemergencyblock, verifyemergencyblock.

An emergency block is a PoN block on the chain's emergency collateral (hash ``emergency_collateral_hash``,
index 0) paying the dev fund, whose ``vchBlockSig`` carries the DER signatures of the block hash by the
chain's emergency keys (consensus/emergency.py).  As in C++, regtest lets any key sign.
"""

from __future__ import annotations

from fluxd.chainstate.block_index import BLOCK_FAILED_MASK, BLOCK_VALID_SCRIPTS
from fluxd.consensus.emergency import decode_multisig, encode_multisig, is_emergency_block, validate_emergency_signatures
from fluxd.consensus.validation import ValidationError
from fluxd.core.address import address_to_script
from fluxd.core.block import PON_VERSION, Block
from fluxd.core.ecdsa import sign_der, verify_der
from fluxd.core.keys import InvalidKeyError, decode_wif
from fluxd.core.tx_parts import OutPoint
from fluxd.params.upgrades import is_pon_active
from fluxd.rpc.block_assembler import AssemblerSettings
from fluxd.rpc.errors import RPC_INVALID_PARAMETER, RPC_MISC_ERROR, RPC_VERIFY_ERROR, RPCError
from fluxd.rpc.methods.emergency_help import HELP
from fluxd.rpc.methods.mining import assemble, decode_block
from fluxd.rpc.params import check_count, get_str
from fluxd.rpc.registry import RPCTable
from fluxd.util.hexutil import rev_to_hum

NOT_EMERGENCY = "Block is not an emergency block"
NOT_ALLOWED = "Emergency block not allowed at current height/time"


def _emergency_block(params_value) -> Block:
    return decode_block(get_str(params_value))


def _require_emergency(node, block: Block) -> None:
    if not is_emergency_block(node.params, block.header):
        raise RPCError(RPC_INVALID_PARAMETER, NOT_EMERGENCY)


def rpc_createemergencyblock(node, params):
    check_count(params, 0, 0, HELP["createemergencyblock"])
    height = node.chainstate.view().height + 1
    if not is_pon_active(node.params, height):  # C++ IsEmergencyBlockAllowed
        raise RPCError(RPC_MISC_ERROR, NOT_ALLOWED)
    script = address_to_script(node.params.dev_fund_address, node.params.base58)
    collateral = OutPoint(node.params.emergency_collateral_hash_rev, 0)
    settings = AssemblerSettings.from_args(node.args, node.params)
    template = assemble(node, script, settings, collateral, node.clock.now())
    header = template.block.header.copy_with(version=PON_VERSION, block_sig=b"")
    block = Block(header, template.block.transactions)
    return {
        "hex": block.to_bytes().hex(),
        "hash": block.hash_hum,
        "height": height,
        "collateral": rev_to_hum(node.params.emergency_collateral_hash_rev),
        "signatures_required": node.params.emergency_min_signatures,
        "authorized_keys": [key.hex() for key in node.params.emergency_pubkeys],
    }


def rpc_signemergencyblock(node, params):
    check_count(params, 2, 2, HELP["signemergencyblock"])
    block = _emergency_block(params[0])
    _require_emergency(node, block)
    try:
        key = decode_wif(get_str(params[1]), node.params.base58)
    except InvalidKeyError:
        raise RPCError(RPC_INVALID_PARAMETER, "Invalid private key") from None
    pubkey = key.pubkey
    if not node.params.is_regtest and pubkey not in node.params.emergency_pubkeys:
        raise RPCError(RPC_INVALID_PARAMETER, "Private key does not correspond to an authorized emergency key")
    signatures = decode_multisig(block.header.block_sig)
    block_hash = block.hash_rev
    if any(verify_der(pubkey, block_hash, signature) for signature in signatures):
        raise RPCError(RPC_INVALID_PARAMETER, "This key has already signed the block")
    signatures.append(sign_der(key.secret, block_hash))
    signed = Block(block.header.copy_with(block_sig=encode_multisig(signatures)), block.transactions)
    return {
        "hex": signed.to_bytes().hex(),
        "hash": signed.hash_hum,
        "signatures": len(signatures),
        "complete": len(signatures) >= node.params.emergency_min_signatures,
    }


def rpc_submitemergencyblock(node, params):
    check_count(params, 1, 1, HELP["submitemergencyblock"])
    block = _emergency_block(params[0])
    _require_emergency(node, block)
    if not validate_emergency_signatures(node.params, block.header):
        raise RPCError(RPC_VERIFY_ERROR, "Emergency block has invalid or insufficient signatures")
    if not is_pon_active(node.params, node.chainstate.view().height + 1):
        raise RPCError(RPC_VERIFY_ERROR, NOT_ALLOWED)
    return node.chainstate.run_command(_submit, node.chainstate, block)


def _submit(chainstate, block: Block) -> str:
    """A chain-writer command: ProcessNewBlock, answered as C++ submitemergencyblock does."""
    known = chainstate.view().lookup(block.hash_rev)
    if known is not None:
        if known.is_valid(BLOCK_VALID_SCRIPTS):
            return block.hash_hum
        if known.status & BLOCK_FAILED_MASK:
            raise RPCError(RPC_VERIFY_ERROR, "Block has been previously rejected")
    try:
        entry = chainstate.process_block(block)
    except ValidationError as failure:
        raise RPCError(RPC_VERIFY_ERROR, failure.reason) from None
    if entry.status & BLOCK_FAILED_MASK:
        raise RPCError(RPC_VERIFY_ERROR, chainstate.invalid_reasons.get(block.hash_rev, ""))
    return block.hash_hum


def rpc_verifyemergencyblock(node, params):
    check_count(params, 1, 1, HELP["verifyemergencyblock"])
    block = _emergency_block(params[0])
    _require_emergency(node, block)
    signatures = decode_multisig(block.header.block_sig)
    signers = []
    for signature in signatures:
        for key in node.params.emergency_pubkeys:
            if verify_der(key, block.hash_rev, signature):
                signers.append(key.hex())
                break
    return {
        "valid": validate_emergency_signatures(node.params, block.header),
        "signatures": len(signatures),
        "signatures_required": node.params.emergency_min_signatures,
        "signers": signers,
    }


METHODS = {
    "createemergencyblock": rpc_createemergencyblock,
    "signemergencyblock": rpc_signemergencyblock,
    "submitemergencyblock": rpc_submitemergencyblock,
    "verifyemergencyblock": rpc_verifyemergencyblock,
}


def register(table: RPCTable) -> None:
    for name, handler in METHODS.items():
        table.register(name, "emergencyblock", handler, HELP[name])

