"""English auction with a reserve (拍卖), tender (招标) and directed transfer (定向): mechanisms of rule X1,
checked by hand-worked examples."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from rights_market.market import (
    EnglishAuction,
    RoundRules,
    TenderTerms,
    check_directed,
    english_auction,
    negotiate_directed,
    run_tender,
)

UNTIMED = RoundRules(increment=1_000)


# --------------------------------------------------------------------------- auction
def test_x1_auction_reserve_not_met_leaves_the_lot_unsold():
    """Start 10,000, secret reserve 15,000: bidding stops at 11,000 → unsold, reason reserve_not_met."""
    auc = EnglishAuction(quantity=1, start=10_000, reserve=15_000, rules=UNTIMED, bidders=[1, 2])
    assert auc.bid(1, 10_000, 5) is None  # the first bid may be the start price
    assert auc.bid(2, 10_500, 6) == "below_increment"
    assert auc.bid(2, 11_000, 9) is None
    r = auc.hammer()
    assert (r.outcome, r.reason, r.winner, r.price, r.n_bids) == ("unsold", "reserve_not_met", None, None, 2)


def test_x1_auction_reaching_the_reserve_sells_to_the_highest_bid():
    auc = EnglishAuction(1, 10_000, 15_000, UNTIMED, [1, 2])
    for b, p, t in ((1, 10_000, 1), (2, 12_000, 2), (1, 15_000, 3)):
        assert auc.bid(b, p, t) is None
    r = auc.hammer()
    assert (r.outcome, r.winner, r.price) == ("sold", 1, 15_000)


def test_x1_auction_no_bid_floor_and_eligibility():
    assert EnglishAuction(1, 10_000, 0, UNTIMED, [1]).hammer().reason == "no_bid"
    r = EnglishAuction(1, 10_000, 12_000, UNTIMED, [1], floor=13_000).hammer()
    assert (r.outcome, r.reason) == ("rejected", "below_floor")
    auc = EnglishAuction(1, 10_000, 0, UNTIMED, [1, 2, 3], eligible=np.array([True, True, False, True]))
    assert auc.registered == (1, 3)
    assert auc.bid(2, 10_000, 1) == "not_registered"
    r = auc.hammer()
    assert r.rejections["reason"].tolist() == ["not_eligible", "not_registered"]


def test_x1_english_auction_price_within_one_increment_of_the_second_value():
    """Untimed English auction among private values (Vickrey 1961): the highest value wins and pays within one
    increment of the second-highest value, for every seed."""
    for seed in range(50):
        rng = np.random.default_rng(seed)
        values = rng.integers(10_000, 60_000, size=5)
        r = english_auction(1, 10_000, 0, UNTIMED, np.arange(5), values, rng)
        v = np.sort(values)[::-1]
        assert r.sold and r.price <= values[r.winner]
        assert v[1] - 1_000 < r.price <= v[1] + 1_000
        assert values[r.winner] == v[0] or v[0] < r.price + 1_000
        # with a reserve of 30,000 the sale stands or falls with v2: sold if v2 >= 30,000 (the price ends above
        # v2 − 1,000 on the grid 10,000 + k·1,000), unsold if v2 + 1,000 < 30,000; in between either can happen
        r2 = english_auction(1, 10_000, 30_000, UNTIMED, np.arange(5), values, np.random.default_rng(seed))
        if v[1] >= 30_000:
            assert r2.sold and r2.price >= 30_000
        elif v[1] + 1_000 < 30_000:
            assert (r2.outcome, r2.reason) == ("unsold", "reserve_not_met")


# --------------------------------------------------------------------------- tender
TERMS = TenderTerms(quantity=20_000, price_weight=60, criteria=("investment", "jobs"), weights=(30, 10),
                    floor=1_500_000, deadline=30)


def test_x1_tender_scoring_by_hand():
    """Price scores 100·p/1.8M: 88⅞, 100, 83⅓. Totals (60·price + 30·investment + 10·jobs)/100:
    bidder 1 (1.6M; 90, 70): (5,333⅓ + 2,700 + 700)/100 = 87⅓; bidder 2 (1.8M; 60, 50): 83;
    bidder 3 (1.5M = floor; 100, 100): (5,000 + 3,000 + 1,000)/100 = 90 → bidder 3 wins at 1.5M."""
    r = run_tender(TERMS, [1, 2, 3], [1_600_000, 1_800_000, 1_500_000], [[90, 70], [60, 50], [100, 100]],
                   [3, 5, 8])
    assert (r.winner, r.price, r.quantity) == (3, 1_500_000, 20_000)
    assert r.valid.tolist() == [2, 0, 1]
    assert r.score == (Fraction(90), Fraction(262, 3), Fraction(83))
    assert r.price_score == (Fraction(250, 3), Fraction(800, 9), Fraction(100))


def test_x1_tender_tie_goes_to_the_earlier_submission():
    """Bidder 2 (1.8M; 80, 60): (6,000 + 2,400 + 600)/100 = 90 = bidder 3's 90; bidder 2 submitted first."""
    r = run_tender(TERMS, [1, 2, 3], [1_600_000, 1_800_000, 1_500_000], [[90, 70], [80, 60], [100, 100]],
                   [3, 5, 8])
    assert r.score[:2] == (Fraction(90), Fraction(90))
    assert r.winner == 2
    r = run_tender(TERMS, [3, 2], [1_500_000, 1_800_000], [[100, 100], [80, 60]], [4, 5])
    assert r.winner == 3


def test_x1_tender_linear_price_scoring():
    """Linear above the floor 1.5M: 1.8M scores 100, 1.65M 50, the floor 0; with price weight only."""
    terms = TenderTerms(quantity=1, price_weight=1, floor=1_500_000, price_scoring="linear_above_floor")
    r = run_tender(terms, [1, 2, 3], [1_650_000, 1_800_000, 1_500_000])
    assert r.winner == 2
    assert r.price_score == (Fraction(100), Fraction(50), Fraction(0))


def test_x1_tender_rejections_with_reasons():
    r = run_tender(TERMS, [1, 1, 2, 3, 4, 5, 6], [1_600_000, 1_700_000, 1_400_000, 0, 1_900_000, 1_900_000, 1_600_000],
                   [[90, 70], [90, 70], [50, 50], [50, 50], [101, 0], [50, 50], [50, 50]],
                   [1, 2, 3, 4, 5, 30, 6], eligible=lambda b: b != 6)
    assert dict(zip(r.rejections["bidder"].tolist(), r.rejections["reason"].tolist(), strict=True)) == {
        1: "duplicate_bid", 2: "below_floor", 3: "non_positive", 4: "invalid_score", 5: "late", 6: "not_eligible"}
    assert (r.winner, r.price) == (1, 1_600_000)  # the first of bidder 1's bids counts
    empty = run_tender(TERMS, [2], [1_000_000], [[50, 50]])
    assert (empty.outcome, empty.reason, empty.winner) == ("unsold", "no_valid_bid", None)


def test_tender_terms_are_validated():
    with pytest.raises(ValueError):
        TenderTerms(quantity=1, price_weight=0)
    with pytest.raises(ValueError):
        TenderTerms(quantity=1, price_weight=1, criteria=("a",), weights=())


# --------------------------------------------------------------------------- directed
def test_x1_directed_transfer_bounds_and_designation():
    """Bounds [210,000, 250,000]: 210,000 and 250,000 are inside (inclusive), 260,000 and 200,000 outside;
    buyer 9 is not designated; a zero quantity is non_positive."""
    mask = np.zeros(10, dtype=bool)
    mask[[7, 8]] = True
    r = check_directed([7, 8, 7, 8, 9, 7], [500, 500, 500, 500, 500, 0],
                       [210_000, 250_000, 260_000, 200_000, 230_000, 230_000], 210_000, 250_000, mask)
    assert r.accepted.tolist() == [True, True, False, False, False, False]
    assert r.reason.tolist() == ["", "", "outside_bounds", "outside_bounds", "not_designated", "non_positive"]
    assert r.price.tolist() == [210_000, 250_000, -1, -1, -1, -1]


def test_x1_directed_negotiation_splits_the_gain_inside_the_bounds():
    """Bounds [10, 20]. Value 25, cost 5: overlap [10, 20], Nash split ½ → 15. Value 15, cost 12: overlap
    [12, 15] → 13 (floor of 13.5). Value 5, cost 10: no agreement. Value 30, cost 22: gains exist but the
    overlap [22, 20] is empty → outside_bounds. Buyer 4 is not designated."""
    r = negotiate_directed([1, 2, 3, 4, 5], [5, 5, 5, 5, 5], [25, 15, 5, 30, 25], [5, 12, 10, 22, 5], 10, 20,
                           0.5, np.zeros(5), designated=lambda b: b != 5)
    assert r.price.tolist() == [15, 13, -1, -1, -1]
    assert r.reason.tolist() == ["", "", "no_agreement", "outside_bounds", "not_designated"]
