"""Rules W8 and W9: block tariffs and progressive surcharges, against hand-computed tables."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import fast_and_full, given_fast_and_full
from rights_market.rules.tariffs import (
    BAND_ROWS,
    BlockTariff,
    ProgressiveSurcharge,
    SurchargeBands,
    bill,
    bill_many,
    floor_sum,
)
from rights_market.units import div_round_half_up, yuan_to_ticks


def ticks(yuan: str) -> Fraction:
    return Fraction(yuan_to_ticks(yuan))


INDUSTRY_W9 = ProgressiveSurcharge(width=Fraction(1, 10), step=Fraction(1, 2), reference_price=ticks("3.30"))
RESIDENTIAL = BlockTariff(edges=(144, 240), rates=(ticks("2.40"), ticks("4.16"), ticks("6.76")))
AGRI_PRICE = BlockTariff(edges=(), rates=(ticks("0.0305"),))
AGRI_MARKUP = ProgressiveSurcharge(width=Fraction(1, 10), step=Fraction(1, 2), reference_price=ticks("0.0305"))


# plan 1,000 m³, industrial supply price 3.30 yuan/m³: band k pays k × 1.65 yuan/m³ on the water in it
W9_TABLE = [
    (1000, 0, []),
    (1001, 165, [(1, 1, 165)]),  # 1 m³ in band 1 at 1.65 yuan = 1.65 yuan
    (1100, 16500, [(1, 100, 16500)]),  # the edge 110 % belongs to band 1 ("up to and including")
    (1101, 16830, [(1, 100, 16500), (2, 1, 330)]),
    (1200, 49500, [(1, 100, 16500), (2, 100, 33000)]),
    (1250, 74250, [(1, 100, 16500), (2, 100, 33000), (3, 50, 24750)]),
    (1500, 247500, [(1, 100, 16500), (2, 100, 33000), (3, 100, 49500), (4, 100, 66000), (5, 100, 82500)]),
    (900, 0, []),
]


@pytest.mark.parametrize(("use", "total_fen", "bands"), W9_TABLE)
def test_w9_progressive_overplan_surcharge_hand_table(use, total_fen, bands):
    """W9: each 10 % band over plan pays a further 50 % of the industrial supply price, cumulatively."""
    b = bill(use, 1000, None, INDUSTRY_W9)
    assert b.total_fen == total_fen
    assert [(ln.band, ln.quantity_rounded, ln.amount_fen) for ln in b.lines] == bands
    assert all(ln.kind == "surcharge" for ln in b.lines)


def test_w9_fractional_band_edges_are_exact():
    """W9: 10 % of a plan of 1,234 m³ is 123.4 m³; band quantities stay exact, money rounds per line."""
    b = bill(1500, 1234, None, INDUSTRY_W9)
    assert [ln.quantity for ln in b.lines] == [Fraction(1234, 10), Fraction(1234, 10), Fraction(192, 10)]
    # 123.4 × 1.65 = 203.61; 123.4 × 3.30 = 407.22; 19.2 × 4.95 = 95.04
    assert [ln.amount_fen for ln in b.lines] == [20361, 40722, 9504]
    assert sum(ln.quantity for ln in b.lines) == 1500 - 1234


def test_w9_max_band_caps_the_multiplier():
    capped = ProgressiveSurcharge(Fraction(1, 10), Fraction(1, 2), ticks("3.30"), max_band=2)
    b = bill(1300, 1000, None, capped)
    assert [ln.rate for ln in b.lines] == [ticks("1.65"), ticks("3.30"), ticks("3.30")]


def test_w9_zero_plan_charges_all_use_at_band_one():
    b = bill(50, 0, None, INDUSTRY_W9)
    assert [(ln.band, ln.quantity, ln.amount_fen) for ln in b.lines] == [(1, 50, 8250)]


RESIDENTIAL_TABLE = [
    (0, 0),
    (100, 24000),  # 100 × 2.40
    (144, 34560),  # block edge: 144 × 2.40
    (145, 34976),  # + 1 × 4.16
    (240, 74496),  # 345.60 + 96 × 4.16
    (300, 115056),  # 744.96 + 60 × 6.76
]


@pytest.mark.parametrize(("use", "total_fen"), RESIDENTIAL_TABLE)
def test_w8_residential_block_tariff_hand_table(use, total_fen):
    """W8: Yinchuan residential tiers 2.40 / 4.16 / 6.76 yuan/m³ over 144 and 240 m³ a year."""
    assert bill(use, 0, RESIDENTIAL, None).total_fen == total_fen


def test_w8_agricultural_quota_price_and_progressive_markup():
    """W8: concessional price within quota (0.0305 yuan/m³) and progressive mark-up above the quota.

    Quota 4,100 m³, use 4,920 m³ (20 % over): tariff 4,920 × 0.0305 = 150.06; band 1: 410 × 0.01525 =
    6.2525 → 6.25; band 2: 410 × 0.0305 = 12.505 → 12.51 (half up). Total 168.82 yuan.
    """
    b = bill(4920, 4100, AGRI_PRICE, AGRI_MARKUP)
    assert [(ln.kind, ln.band, ln.amount_fen) for ln in b.lines] == [
        ("tariff", 1, 15006), ("surcharge", 1, 625), ("surcharge", 2, 1251)
    ]
    assert b.total_fen == 16882
    assert b.total_of("surcharge") == 1876


VECTOR_BILLS = dict(
    uses=st.lists(st.integers(0, 5_000_000), min_size=1, max_size=30),
    bases=st.lists(st.integers(0, 3_000_000), min_size=30, max_size=30),
    width=st.sampled_from([Fraction(1, 10), Fraction(1, 20), Fraction(1, 4), Fraction(1, 3)]),
    step=st.sampled_from([Fraction(1, 2), Fraction(1, 4), Fraction(1)]),
    ref=st.integers(1, 200_000),
    residential=st.booleans(),
    band_rows=st.sampled_from([1, 3, 20, BAND_ROWS]),
)


@pytest.mark.parametrize("examples", fast_and_full(30, 300))
def test_w8_w9_vectorised_bills_equal_exact_bills(examples):
    settings(max_examples=examples, deadline=None)(given(**VECTOR_BILLS)(_vectorised_bills_equal_exact_bills))()


def _vectorised_bills_equal_exact_bills(uses, bases, width, step, ref, residential, band_rows):
    """The engine's vectorised bills are line for line the exact rational bills; bands past ``band_rows``
    are one line whose money is the sum of their lines and whose quantity is theirs."""
    sur = ProgressiveSurcharge(width, step, Fraction(ref), max_band=None)
    tariff = RESIDENTIAL if residential else AGRI_PRICE
    use = np.array(uses, dtype=np.int64)
    base = np.array(bases[: len(uses)], dtype=np.int64)
    base = np.maximum(base, use // 50)  # keep band counts sensible for the band-by-band reference
    out = bill_many(use, base, tariff, sur, band_rows=band_rows)
    expected = []
    for i, (u, b) in enumerate(zip(use.tolist(), base.tolist(), strict=True)):
        lines = list(bill(u, b, tariff, sur).lines)
        tail = [ln for ln in lines if ln.kind == "surcharge" and ln.band > band_rows]
        for ln in lines:
            if ln not in tail:
                expected.append((i, ln.kind, ln.band, ln.quantity_rounded, ln.amount_fen))
        if tail:
            q = sum(ln.quantity for ln in tail)
            expected.append((i, "surcharge", band_rows + 1, round_half_up(q), sum(ln.amount_fen for ln in tail)))
    got = list(zip(out.holder.tolist(), out.kind.tolist(), out.band.tolist(), out.quantity.tolist(),
                   out.amount_fen.tolist(), strict=True))
    assert sorted(got) == sorted(expected)


def round_half_up(q: Fraction) -> int:
    return div_round_half_up(q.numerator, q.denominator)


def test_tariff_rejects_bad_shapes():
    with pytest.raises(ValueError):
        BlockTariff(edges=(10,), rates=(Fraction(1),))
    with pytest.raises(ValueError):
        BlockTariff(edges=(10, 5), rates=(Fraction(1), Fraction(2), Fraction(3)))
    with pytest.raises(ValueError):
        ProgressiveSurcharge(Fraction(0), Fraction(1, 2), Fraction(1))
    with pytest.raises(ValueError):
        bill(-1, 10, None, INDUSTRY_W9)


# ------------------------------------------------------------------ W9 bands summed in closed form
@given_fast_and_full(
    100, 400,
    base=st.integers(0, 5_000),
    over=st.integers(0, 3_000),
    width=st.sampled_from([Fraction(1, 10), Fraction(1, 20), Fraction(1, 4), Fraction(1, 3), Fraction(7, 10),
                           Fraction(2)]),
    step=st.sampled_from([Fraction(0), Fraction(1, 2), Fraction(1, 4), Fraction(1, 3), Fraction(1)]),
    ref=st.integers(0, 200_000),
    max_band=st.one_of(st.none(), st.integers(1, 40)),
    first=st.integers(1, 60),
    span=st.integers(0, 400),
)
def test_w9_closed_form_equals_band_by_band_sum(base, over, width, step, ref, max_band, first, span):
    """W9: the closed-form money of any range of bands is the sum of those bands' rounded lines, for any
    plan, use, band width, step, price and cap (the bands are an arithmetic series)."""
    sur = ProgressiveSurcharge(width, step, Fraction(ref), max_band=max_band)
    b = bill(base + over, base, None, sur)
    lines = list(b.lines)
    assert b.total_of("surcharge") == b.total_fen == sum(ln.amount_fen for ln in lines)
    assert sum(ln.quantity for ln in lines) == over
    bands = b.surcharge_lines
    if over:
        assert isinstance(bands, SurchargeBands) and len(bands) == len(lines)
        last = first + span
        assert bands.fen(first, last) == sum(ln.amount_fen for ln in lines[first - 1:last])
        assert bands.quantity(first, last) == sum(ln.quantity for ln in lines[first - 1:last])


def test_w9_readme_example_plan_1000_use_1260_pays_792_yuan_surcharge():
    """W9, the README's hand-computed example: 100 m³ × 1.65 + 100 m³ × 3.30 + 60 m³ × 4.95 = 792.00 yuan."""
    b = bill(1260, 1000, BlockTariff(edges=(), rates=(ticks("3.30"),)), INDUSTRY_W9)
    assert b.total_of("surcharge") == 79200
    assert b.total_of("tariff") == 415800
    assert [(ln.band, ln.quantity_rounded, ln.amount_fen) for ln in b.surcharge_lines] == [
        (1, 100, 16500), (2, 100, 33000), (3, 60, 29700)
    ]
    assert b.surcharge_lines.fen(1, 2) == 49500 and b.surcharge_lines.fen(3) == 29700


def plan_1_fen(n: int) -> int:
    """Hand-derived: plan 1 m³, bands of 0.1 m³, band k pays 0.1 × k × 1.65 yuan = 16.5 k fen, rounded half
    up: 16 k + ⌊(k + 1) / 2⌋; summed over k = 1..n: 8 n (n + 1) + ⌊(n + 1)² / 4⌋."""
    return 8 * n * (n + 1) + (n + 1) ** 2 // 4


def test_w9_200000_bands_in_closed_form():
    """W9: plan 1 m³, use 20,001 m³ is 200,000 bands over plan; the closed form equals the band-by-band sum
    and the hand-derived series, and the engine's vectorised bill gives the same money in 101 lines."""
    b = bill(20_001, 1, None, INDUSTRY_W9)
    assert len(b.surcharge_lines) == 200_000
    by_band = sum(16 * k + (k + 1) // 2 for k in range(1, 200_001))  # each band's line, rounded half up
    assert b.total_of("surcharge") == by_band == plan_1_fen(200_000) == 330_001_700_000
    assert b.surcharge_lines[-1].band == 200_000 and b.surcharge_lines[-1].amount_fen == 16 * 200_000 + 100_000
    out = bill_many(np.array([20_001]), np.array([1]), None, INDUSTRY_W9)
    assert len(out.band) == BAND_ROWS + 1 and out.band[-1] == BAND_ROWS + 1
    assert int(out.amount_fen.sum()) == 330_001_700_000
    assert int(out.quantity[-1]) == 20_000 - BAND_ROWS // 10  # 0.1 m³ per band
    assert int(out.amount_fen[-1]) == plan_1_fen(200_000) - plan_1_fen(BAND_ROWS)


def test_w9_far_over_plan_costs_no_more_than_a_few_bands():
    """W9: 10¹³ bands over plan are summed without visiting them (this would take days band by band)."""
    n = 10**13
    b = bill(n // 10 + 1, 1, None, INDUSTRY_W9)
    assert len(b.surcharge_lines) == n
    assert b.total_of("surcharge") == plan_1_fen(n)
    assert b.surcharge_lines.fen(n - 1, n) == sum(16 * k + (k + 1) // 2 for k in (n - 1, n))


@settings(max_examples=300, deadline=None)
@given(n=st.integers(0, 60), m=st.integers(1, 50), a=st.integers(0, 200), b=st.integers(0, 200))
def test_floor_sum_equals_the_plain_sum(n, m, a, b):
    assert floor_sum(n, m, a, b) == sum((a * i + b) // m for i in range(n))
