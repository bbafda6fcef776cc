"""Rules W8 and W9: block tariffs and progressive surcharges, against hand-computed tables."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rights_market.rules.tariffs import BlockTariff, ProgressiveSurcharge, bill, bill_many
from rights_market.units import yuan_to_ticks


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


@settings(max_examples=300, deadline=None)
@given(
    uses=st.lists(st.integers(0, 5_000_000), min_size=1, max_size=30),
    bases=st.lists(st.integers(0, 3_000_000), min_size=30, max_size=30),
    width=st.sampled_from([Fraction(1, 10), Fraction(1, 20), Fraction(1, 4), Fraction(1, 3)]),
    step=st.sampled_from([Fraction(1, 2), Fraction(1, 4), Fraction(1)]),
    ref=st.integers(1, 200_000),
    residential=st.booleans(),
)
def test_w8_w9_vectorised_bills_equal_exact_bills(uses, bases, width, step, ref, residential):
    """The engine's vectorised bills are line for line the exact rational bills."""
    sur = ProgressiveSurcharge(width, step, Fraction(ref), max_band=None)
    tariff = RESIDENTIAL if residential else AGRI_PRICE
    use = np.array(uses, dtype=np.int64)
    base = np.array(bases[: len(uses)], dtype=np.int64)
    base = np.maximum(base, use // 50)  # keep band counts sensible
    out = bill_many(use, base, tariff, sur)
    expected = []
    for i, (u, b) in enumerate(zip(use.tolist(), base.tolist(), strict=True)):
        for ln in bill(u, b, tariff, sur).lines:
            expected.append((i, ln.kind, ln.band, ln.quantity_rounded, ln.amount_fen))
    got = list(zip(out.holder.tolist(), out.kind.tolist(), out.band.tolist(), out.quantity.tolist(),
                   out.amount_fen.tolist(), strict=True))
    assert sorted(got) == sorted(expected)


def test_tariff_rejects_bad_shapes():
    with pytest.raises(ValueError):
        BlockTariff(edges=(10,), rates=(Fraction(1),))
    with pytest.raises(ValueError):
        BlockTariff(edges=(10, 5), rates=(Fraction(1), Fraction(2), Fraction(3)))
    with pytest.raises(ValueError):
        ProgressiveSurcharge(Fraction(0), Fraction(1, 2), Fraction(1))
    with pytest.raises(ValueError):
        bill(-1, 10, None, INDUSTRY_W9)
