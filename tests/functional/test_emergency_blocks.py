"""Emergency blocks on regtest (PoN from height 0): created, signed, verified, submitted, relayed; refusals with
C++'s codes and texts (rpc/emergencyblock.cpp)."""

from __future__ import annotations

import pytest

from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.params import networks
from tests.functional.framework import NodeProcess, RPCFailure, connect_nodes, sync_blocks

pytestmark = pytest.mark.functional
REGTEST = networks.regtest_params()
SIGNER = encode_wif(PrivateKey(b"\x51" * 32), REGTEST.base58)
OTHER = encode_wif(PrivateKey(b"\x52" * 32), REGTEST.base58)
ARGS = ["-listen=1", "-connect=0", "-disablewallet", f"-mineraddress={REGTEST.dev_fund_address}"]


def _error(node, method, *params) -> tuple[int, str]:
    with pytest.raises(RPCFailure) as failure:
        node.rpc(method, *params)
    return failure.value.code, failure.value.message


def test_emergency_block_round_trip(tmp_path):
    a, b = (NodeProcess(tmp_path / name, ARGS).start() for name in "ab")
    try:
        connect_nodes(a, b)
        a.rpc("generate", 2)
        sync_blocks([a, b])
        later = a.rpc("getblockheader", a.rpc("getbestblockhash"))["time"] + 120  # the template takes the time now
        for node in (a, b):
            node.rpc("setmocktime", later)
        template = a.rpc("createemergencyblock")
        assert list(template) == ["hex", "hash", "height", "collateral", "signatures_required", "authorized_keys"]
        assert template["height"] == 3 and template["collateral"] == "11" * 32
        assert template["signatures_required"] == 1 and len(template["authorized_keys"]) >= 1
        assert _error(a, "submitemergencyblock", template["hex"]) == (
            -25, "Emergency block has invalid or insufficient signatures")
        signed = a.rpc("signemergencyblock", template["hex"], SIGNER)
        assert (signed["signatures"], signed["complete"]) == (1, True)
        assert _error(a, "signemergencyblock", signed["hex"], SIGNER) == (-8, "This key has already signed the block")
        twice = a.rpc("signemergencyblock", signed["hex"], OTHER)
        assert twice["signatures"] == 2
        assert _error(a, "signemergencyblock", template["hex"], "notakey") == (-8, "Invalid private key")
        verified = a.rpc("verifyemergencyblock", signed["hex"])
        assert list(verified) == ["valid", "signatures", "signatures_required", "signers"]
        assert verified["valid"] is True and verified["signatures"] == 1
        assert a.rpc("submitemergencyblock", signed["hex"]) == signed["hash"]
        assert a.rpc("submitemergencyblock", signed["hex"]) == signed["hash"]  # already accepted: its hash again
        sync_blocks([a, b])
        assert b.rpc("getbestblockhash") == signed["hash"] and b.rpc("getblockcount") == 3
        ordinary = a.rpc("getblock", a.rpc("getblockhash", 1), 0)
        assert _error(a, "verifyemergencyblock", ordinary) == (-8, "Block is not an emergency block")
        assert _error(a, "submitemergencyblock", "zz") == (-22, "Block decode failed")
    finally:
        for node in (a, b):
            node.stop()
