"""IsMine as C++ wallet_ismine.cpp: every standard form, watch-only, P2SH recursion, and the P2PKH fast path."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey
from fluxd.core.script import p2pkh_script, p2sh_script, push_data
from fluxd.wallet.ismine import ISMINE_NO, ISMINE_SPENDABLE, ISMINE_WATCH_ONLY, extract_destination, is_mine
from fluxd.wallet.key_store import WalletKeys

KEY = PrivateKey(b"\x05" * 32)
OTHER = PrivateKey(b"\x06" * 32)


def _store(*keys: PrivateKey) -> WalletKeys:
    store = WalletKeys()
    for key in keys:
        store.pubkeys[key.key_id] = key.pubkey
        store.secrets[key.key_id] = key
    return store


def _multisig(*keys: PrivateKey, required: int = 1) -> bytes:
    return bytes([0x50 + required]) + b"".join(push_data(k.pubkey) for k in keys) + bytes([0x50 + len(keys), 0xAE])


def test_standard_forms():
    store = _store(KEY)
    assert is_mine(store, p2pkh_script(KEY.key_id)) == ISMINE_SPENDABLE
    assert is_mine(store, push_data(KEY.pubkey) + b"\xac") == ISMINE_SPENDABLE  # P2PK
    assert is_mine(store, p2pkh_script(OTHER.key_id)) == ISMINE_NO
    assert is_mine(store, _multisig(KEY, OTHER)) == ISMINE_NO  # every key is needed
    assert is_mine(_store(KEY, OTHER), _multisig(KEY, OTHER)) == ISMINE_SPENDABLE
    assert is_mine(store, b"\x6a\x04abcd") == ISMINE_NO  # OP_RETURN


def test_p2sh_needs_the_redeem_script_and_its_keys():
    store = _store(KEY)
    redeem = _multisig(KEY)
    assert is_mine(store, p2sh_script(hash160(redeem))) == ISMINE_NO
    store.add_script(redeem)
    assert is_mine(store, p2sh_script(hash160(redeem))) == ISMINE_SPENDABLE
    other_redeem = _multisig(OTHER)
    store.add_script(other_redeem)
    assert is_mine(store, p2sh_script(hash160(other_redeem))) == ISMINE_NO


def test_watch_only_when_not_spendable():
    store = _store()
    script = p2pkh_script(OTHER.key_id)
    store.watch_only.add(script)
    assert is_mine(store, script) == ISMINE_WATCH_ONLY
    store.watch_only.add(b"\x01\x02")  # a script the solver cannot read
    assert is_mine(store, b"\x01\x02") == ISMINE_WATCH_ONLY


def test_destinations():
    assert extract_destination(push_data(KEY.pubkey) + b"\xac").hash160 == KEY.key_id  # P2PK -> its key id
    assert extract_destination(b"\x6a") is None


@given(st.binary(min_size=20, max_size=20), st.booleans(), st.booleans())
@settings(max_examples=200)
def test_p2pkh_fast_path_equals_the_solver_path(key_id, owned, watched):
    from fluxd.wallet import ismine

    store = WalletKeys()
    script = p2pkh_script(key_id)
    if owned:
        store.pubkeys[key_id] = b"\x02" + bytes(32)
    if watched:
        store.watch_only.add(script)
    slow = ISMINE_SPENDABLE if ismine._spendable(store, "pubkeyhash", [key_id]) else (
        ISMINE_WATCH_ONLY if watched else ISMINE_NO)
    assert is_mine(store, script) == slow
