"""Exact units: money in fen, prices in ticks, conversions from the text of numbers."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from rights_market.units import (
    UnitError,
    amount_fen,
    amount_fen_array,
    div_round_half_up,
    yuan_to_fen,
    yuan_to_ticks,
)


def test_plan_prices_are_exact_in_ticks():
    assert yuan_to_ticks(1.081) == 10810
    assert yuan_to_ticks("0.0305") == 305
    assert yuan_to_ticks(0.728) == 7280
    assert yuan_to_ticks(Decimal("3.30")) == 33000
    assert yuan_to_fen("12.60") == 1260


def test_too_many_decimals_is_an_error_not_a_rounding():
    with pytest.raises(UnitError):
        yuan_to_ticks("0.00001")
    with pytest.raises(UnitError):
        yuan_to_fen(True)


def test_amounts_round_half_up_once():
    assert amount_fen(1, 305) == 3  # 0.0305 yuan = 3.05 fen -> 3
    assert amount_fen(10, 305) == 31  # 30.5 fen -> 31
    assert div_round_half_up(-5, 2) == -3
    q = np.array([1, 10, 200, 7], dtype=np.int64)
    p = np.array([305, 305, 52500, 1], dtype=np.int64)
    assert amount_fen_array(q, p).tolist() == [amount_fen(a, b) for a, b in zip(q, p, strict=True)]
