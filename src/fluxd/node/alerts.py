"""P2P ``alert`` messages (C++ CAlert::ProcessAlert): fluxd neither shows nor relays alerts, but scores a peer
as C++ does: an alert that is not signed by the network's alert key, or no longer in effect, costs 10 points
(regtest has no alert key, so every alert there does)."""

from __future__ import annotations

from fluxd.core.ecdsa import verify_der
from fluxd.core.hashes import sha256d
from fluxd.util.serialize import DecodeError, Reader

ALERT_KEYS = {  # C++ chainparams.cpp vAlertPubKey
    "main": bytes.fromhex("04025b2cf3a116782a69bb68cb4ae5ba3b7f05069f7139b75573dd28e48f8992d95c118122b618d4943456ad6"
                          "4e7356b0b45b2ef179cbe3d9767a2426662d13d32"),
    "test": bytes.fromhex("044b5cb8fd1db34e2d89a93e7becf3fb35dd08a81bb3080484365e567136403fd4a6682a43d8819522ae35394"
                          "704afa83de1ef069a3104763fd0ebdbdd505a1386"),
}
INVALID_ALERT_SCORE = 10


def alert_score(payload: bytes, network_id: str, now: int) -> int:
    """The Misbehaving score for an alert payload; DecodeError when it does not parse (CAlert vchMsg, vchSig)."""
    reader = Reader(payload)
    message, signature = reader.var_bytes(), reader.var_bytes()
    key = ALERT_KEYS.get(network_id)
    if key is None or not verify_der(key, sha256d(message), signature):
        return INVALID_ALERT_SCORE
    try:
        body = Reader(message)
        body.i32()
        body.i64()  # nRelayUntil
        expiration = body.i64()
    except DecodeError:
        return INVALID_ALERT_SCORE
    return 0 if expiration > now else INVALID_ALERT_SCORE  # IsInEffect
