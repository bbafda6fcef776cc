"""Trader behaviours: ZIP's margin learning (Cliff 1997) by hand, and the scalar quotes of truthful, markup,
ZI-C and ZI-U traders (Gode & Sunder 1993)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from rights_market.agents.behaviour import BUY, SELL, quote, quote_one
from rights_market.agents.zip import ZipParams, ZipTraders
from rights_market.scenario.model import ZIP, Scenario


def fixed(margin: float, beta: float = 0.5, gamma: float = 0.0, cr: float = 0.0, ca: float = 0.0) -> ZipParams:
    """Parameters with degenerate ranges, so a hand calculation is exact."""
    return ZipParams(learning_rate=(beta, beta), momentum=(gamma, gamma), initial_margin=(margin, margin),
                     relative_perturbation=cr, absolute_perturbation_ticks=ca)


def test_zip_seller_margin_by_hand():
    """Cliff (1997): λ = 100, μ = 0.2 (p = 120), β = 0.5, γ = 0, no perturbation (τ = q).
    A bid accepted at 130: p ≤ q → raise: Δ = 0.5·(130 − 120) = 5, μ = 125/100 − 1 → shouts 125.
    An offer at 110 not accepted: active, p ≥ q → lower: Δ = 0.5·(110 − 125) = −7.5 → p = 117.5, shout 118.
    An offer at 50 not accepted: μ would be −0.1625 → clipped to 0: the seller shouts its cost, 100."""
    z = ZipTraders(np.array([SELL]), fixed(0.2), np.random.default_rng(0))
    lim, on = np.array([100]), np.array([True])
    assert z.price_of(0, 100) == 120
    z.respond(lim, on, 130, BUY, True, np.random.default_rng(1))
    assert z.margin[0] == pytest.approx(0.25) and z.price_of(0, 100) == 125
    z.respond(lim, on, 110, SELL, False, np.random.default_rng(1))
    assert z.margin[0] == pytest.approx(0.175) and z.price_of(0, 100) == 118
    z.respond(lim, on, 50, SELL, False, np.random.default_rng(1))
    assert z.margin[0] == 0.0 and z.price_of(0, 100) == 100


def test_zip_buyer_margin_by_hand_and_clipping():
    """λ = 200, μ = −0.2 (p = 160). An offer accepted at 150: p ≥ q → raise the margin (bid lower):
    Δ = 0.5·(150 − 160) = −5 → p = 155. A bid at 170 not accepted: active, p ≤ q → bid higher:
    Δ = 0.5·(170 − 155) = 7.5 → p = 162.5, shout 162 (buyers round down). A bid at 300: μ clipped to 0."""
    z = ZipTraders(np.array([BUY]), fixed(0.2), np.random.default_rng(0))
    lim, on = np.array([200]), np.array([True])
    assert z.price_of(0, 200) == 160
    z.respond(lim, on, 150, SELL, True, np.random.default_rng(1))
    assert z.price_of(0, 200) == 155
    z.respond(lim, on, 170, BUY, False, np.random.default_rng(1))
    assert z.margin[0] == pytest.approx(-0.1875) and z.price_of(0, 200) == 162
    z.respond(lim, on, 300, BUY, False, np.random.default_rng(1))
    assert z.margin[0] == 0.0 and z.price_of(0, 200) == 200


def test_zip_momentum_and_who_reacts():
    """γ = 0.5: Γ = 0.5·0 + 0.5·Δ. Inactive sellers do not lower their margins, but still raise them after a
    deal (Cliff's rule 1 applies to every seller); buyers ignore offers that are not accepted."""
    z = ZipTraders(np.array([SELL, SELL, BUY]), fixed(0.2, gamma=0.5), np.random.default_rng(0))
    lim = np.array([100, 100, 200])
    z.respond(lim, np.array([True, False, True]), 130, BUY, True, np.random.default_rng(1))
    assert z.margin[:2] == pytest.approx([0.225, 0.225])  # Δ = 5, Γ = 2.5
    assert z.momentum_term[:2] == pytest.approx([2.5, 2.5])
    before = z.margin.copy()
    z.respond(lim, np.array([True, False, True]), 100, SELL, False, np.random.default_rng(1))
    assert z.margin[0] < before[0]  # active seller with p ≥ q lowers
    assert z.margin[1] == before[1]  # inactive seller does not
    assert z.margin[2] == before[2]  # an offer not accepted says nothing to buyers


def test_zip_targets_stay_within_cliffs_perturbation_ranges():
    """With β = 1 and γ = 0 the new price is the target τ = R q + A: in [q, 1.05 q + c_a] when rising and in
    [0.95 q − c_a, q] when falling (c_r = 0.05, c_a = 500 ticks)."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        z = ZipTraders(np.array([SELL, BUY]), fixed(0.1, beta=1.0, cr=0.05, ca=500), rng)
        lim = np.array([10_000, 40_000])
        z.respond(lim, np.array([True, True]), 20_000, BUY, True, rng)  # seller p 11,000 ≤ q: rises
        p_sell = lim[0] * (1 + z.margin[0])
        assert 20_000 - 1e-6 <= p_sell <= 1.05 * 20_000 + 500 + 1e-6
        p_buy = lim[1] * (1 + z.margin[1])  # buyer p 36,000 ≥ q = 20,000: bid falls
        assert 0.95 * 20_000 - 500 - 1e-6 <= p_buy <= 20_000 + 1e-6


def test_zip_parameters_are_drawn_from_cliffs_ranges():
    z = ZipTraders(np.array([BUY] * 500 + [SELL] * 500), ZipParams(), np.random.default_rng(3))
    assert (z.beta >= 0.1).all() and (z.beta <= 0.5).all()
    assert (z.gamma >= 0.2).all() and (z.gamma <= 0.8).all()
    assert (z.margin[:500] <= -0.05).all() and (z.margin[:500] >= -0.35).all()
    assert (z.margin[500:] >= 0.05).all() and (z.margin[500:] <= 0.35).all()


def test_zip_scenario_model_validates_ranges():
    assert ZIP(type="zip").learning_rate == (0.1, 0.5)
    with pytest.raises(ValidationError, match="momentum"):
        ZIP(type="zip", momentum=(0.5, 0.2))
    with pytest.raises(ValidationError):
        ZIP(type="zip", momentum=(0.2, 1.0))


def test_zip_is_selectable_per_side_in_a_scenario():
    s = Scenario.model_validate({"name": "t", "teaching": {
        "buyers_yuan": [2], "sellers_yuan": [1], "buyer_behaviour": {"type": "zip"},
        "seller_behaviour": {"type": "markup", "markup": 0.1}}})
    assert s.teaching.buyer_behaviour.type == "zip"
    with pytest.raises(ValueError, match="learning state"):
        quote("zip", BUY, np.array([100]), 1, 200, np.random.default_rng(0))


def test_quote_one_zi_c_never_trades_at_a_loss_and_covers_its_range():
    """ZI-C (Gode & Sunder 1993): bids uniform on [lo, value], asks on [cost, hi], every tick reachable."""
    u = np.linspace(0, 1, 10_001, endpoint=False)
    bids = {quote_one("zi_c", BUY, 30, 10, 100, x) for x in u}
    asks = {quote_one("zi_c", SELL, 30, 10, 100, x) for x in u}
    assert bids == set(range(10, 31)) and asks == set(range(30, 101))
    assert quote_one("zi_c", BUY, 5, 10, 100, 0.5) == -1  # value below every admissible price
    assert quote_one("zi_c", SELL, 150, 10, 100, 0.5) == -1
    assert {quote_one("zi_u", BUY, 30, 10, 100, x) for x in u} == set(range(10, 101))


def test_quote_one_truthful_and_markup_match_the_vector_quote():
    rng = np.random.default_rng(0)
    for kind, m in (("truthful", 0.0), ("markup", 0.1)):
        for side in (BUY, SELL):
            limits = np.array([5, 50, 95, 150])
            vec = quote(kind, side, limits, 10, 100, rng, m)
            assert [quote_one(kind, side, int(v), 10, 100, 0.3, m) for v in limits] == vec.tolist()
    with pytest.raises(ValueError):
        quote_one("zip", BUY, 10, 1, 100, 0.5)
