"""Coin encoding and the dirty/fresh write-back cache."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from fluxd.chainstate.coins import Coin, CoinsCache, outpoint_from_key, outpoint_key
from fluxd.core.tx_parts import OutPoint


def _op(i: int, n: int = 0) -> OutPoint:
    return OutPoint(i.to_bytes(32, "little"), n)


def _coin(value: int = 5, height: int = 7, coinbase: bool = False) -> Coin:
    return Coin(value, b"\x76\xa9", height, coinbase)


@given(st.integers(0, 2**62), st.binary(max_size=100), st.integers(0, 2**31 - 1), st.booleans())
def test_coin_round_trip(value, script, height, coinbase):
    coin = Coin(value, script, height, coinbase)
    assert Coin.from_bytes(coin.to_bytes()) == coin


def test_outpoint_key_sorts_outputs_of_one_tx_together():
    keys = sorted(outpoint_key(_op(1, n)) for n in (300, 2, 1))
    assert [outpoint_from_key(k).n for k in keys] == [1, 2, 300]


class _Store:
    def __init__(self):
        self.coins: dict[OutPoint, Coin] = {}
        self.reads = 0

    def get_coin(self, outpoint):
        self.reads += 1
        return self.coins.get(outpoint)

    def apply(self, cache: CoinsCache):
        for outpoint, coin in list(cache.dirty_items()):
            if coin is None:
                self.coins.pop(outpoint, None)
            else:
                self.coins[outpoint] = coin
        cache.mark_flushed()


def test_fresh_coin_spent_before_flush_writes_nothing():
    store = _Store()
    cache = CoinsCache(store)
    cache.add_coin(_op(1), _coin())
    assert cache.spend_coin(_op(1)) == _coin()
    assert list(cache.dirty_items()) == []


def test_spending_a_stored_coin_deletes_it_on_flush():
    store = _Store()
    store.coins[_op(1)] = _coin()
    cache = CoinsCache(store)
    assert cache.spend_coin(_op(1)) == _coin()
    assert cache.get_coin(_op(1)) is None
    store.apply(cache)
    assert store.coins == {}


def test_overwrite_of_unspent_coin_is_refused():
    cache = CoinsCache(_Store())
    cache.add_coin(_op(1), _coin())
    try:
        cache.add_coin(_op(1), _coin(6))
    except ValueError:
        pass
    else:
        raise AssertionError("overwrite accepted")
    cache.add_coin(_op(1), _coin(6), possible_overwrite=True)
    assert cache.get_coin(_op(1)).value == 6


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "spend", "flush"]), st.integers(0, 6)), max_size=60))
def test_cache_matches_a_plain_dict(ops):
    store = _Store()
    cache = CoinsCache(store)
    model: dict[OutPoint, Coin] = {}
    for step, (action, index) in enumerate(ops):
        outpoint = _op(index)
        if action == "add" and outpoint not in model:
            coin = _coin(value=step)
            cache.add_coin(outpoint, coin)
            model[outpoint] = coin
        elif action == "spend":
            assert cache.spend_coin(outpoint) == model.pop(outpoint, None)
        elif action == "flush":
            store.apply(cache)
            assert store.coins == model
    store.apply(cache)
    assert store.coins == model
    assert all(cache.get_coin(op) == coin for op, coin in model.items())


@given(
    st.lists(st.lists(st.builds(Coin, st.integers(0, 10**15), st.binary(max_size=40), st.integers(0, 10**7), st.booleans()), max_size=4), max_size=5),
    st.lists(st.tuples(st.text(max_size=10), st.binary(max_size=50)), max_size=3),
)
def test_block_undo_round_trip(coins, extensions):
    from fluxd.chainstate.undo import BlockUndo

    undo = BlockUndo(tuple(tuple(c) for c in coins), tuple(extensions))
    again = BlockUndo.from_bytes(undo.to_bytes())
    assert again.spent_coins == undo.spent_coins
    assert [n for n, _ in again.extensions] == [n.encode().decode() for n, _ in extensions]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["add", "spend"]), st.integers(0, 11)), max_size=40),
       st.lists(st.integers(0, 11), max_size=8), st.booleans())
def test_any_unspent_answers_as_have_coin_through_every_layer(operations, asked, batched_store):
    """BIP30's batched question equals asking each outpoint, whatever the layers hold (added, spent, unknown)."""
    store = _Store()
    for index in range(0, 12, 3):
        store.coins[_op(index)] = _coin(index + 1)

    def stored_any(outpoints):
        return any(store.coins.get(outpoint) is not None for outpoint in outpoints)

    bottom = CoinsCache(store, stored_any if batched_store else None)
    layers = [bottom, bottom.layered()]
    layers.append(layers[1].layered())
    for layer, action, index in operations:
        cache = layers[layer]
        if action == "add" and cache.get_coin(_op(index)) is None:
            cache.add_coin(_op(index), _coin(index + 100))
        elif action == "spend":
            cache.spend_coin(_op(index))
    top = layers[2]
    outpoints = [_op(index) for index in asked]
    expected = any(top.peek(outpoint) is not None for outpoint in outpoints)
    assert top.any_unspent(outpoints) is expected
    assert top.any_unspent(outpoints) is any(top.have_coin(outpoint) for outpoint in outpoints)
