"""Amounts: money range and exact 8-decimal conversion (C++ AmountFromValue / ValueFromAmount)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fluxd.core.amount import COIN, MAX_MONEY, AmountError, format_amount, money_range, parse_amount


def test_money_range_edges():
    assert money_range(0) and money_range(MAX_MONEY)
    assert not money_range(-1) and not money_range(MAX_MONEY + 1)
    assert MAX_MONEY == 440_000_000 * COIN


@pytest.mark.parametrize(
    "value,text",
    [(0, "0.00000000"), (1, "0.00000001"), (COIN, "1.00000000"), (-150_000_000, "-1.50000000"), (MAX_MONEY, "440000000.00000000")],
)
def test_format(value, text):
    assert format_amount(value) == text


@pytest.mark.parametrize(
    "value,zatoshi",
    [(0, 0), ("0.00000001", 1), (1, COIN), (0.1, 10_000_000), ("20999999.9999999", 2_099_999_999_999_990), (Decimal("440000000"), MAX_MONEY)],
)
def test_parse(value, zatoshi):
    assert parse_amount(value) == zatoshi


@pytest.mark.parametrize("value", ["0.000000001", "abc", "1e-9", "nan", "inf", ""])
def test_parse_rejects_malformed(value):
    with pytest.raises(AmountError, match="Invalid amount"):
        parse_amount(value)


@pytest.mark.parametrize("value", [-1, "440000000.00000001", 10**10])
def test_parse_rejects_out_of_range(value):
    with pytest.raises(AmountError, match="Amount out of range"):
        parse_amount(value)


@pytest.mark.parametrize("value", [None, True, [1], {"a": 1}])
def test_parse_rejects_other_types(value):
    with pytest.raises(AmountError, match="Amount is not a number or string"):
        parse_amount(value)


@given(st.integers(min_value=0, max_value=MAX_MONEY))
def test_round_trip(value):
    assert parse_amount(format_amount(value)) == value
