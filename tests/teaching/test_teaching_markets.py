"""The teaching / validation market through the whole engine (rule X1: one CDA for every right), checked by
hand, against conservation, and against the experimental-economics literature: Smith (1962), Gode & Sunder
(1993), Cliff (1997), under the rules each used (``teaching.rules``: ``gode_sunder``, ``cliff``; ``cda`` is the
price-time book).

Tolerances are stated where a published figure is compared, in terms of the seeds used and the measured
standard deviation of a seed's result; sizes are chosen to keep this file to seconds.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SCENARIOS, first_fast
from rights_market import load_scenario, simulate
from rights_market.rights.teaching.equilibrium import competitive_equilibrium
from rights_market.scenario.model import Scenario

TEACHING = SCENARIOS / "teaching"


def market(buyers, sellers, behaviour="truthful", days=1, **teaching) -> Scenario:
    """A small teaching scenario built in code: one trading day per session."""
    spec = {"buyers_yuan": buyers, "sellers_yuan": sellers, "buyer_behaviour": {"type": behaviour},
            "seller_behaviour": {"type": behaviour}, **teaching}
    return Scenario.model_validate({
        "name": "teach", "calendar": {"years": 1, "periods_per_year": 1, "sessions_per_year": days},
        "weather": {"type": "sequence", "states": {"n": {}}, "sequence": ["n"]},
        "output": {"holdings_every": "none"}, "teaching": spec})


def daily(result, metric: str) -> np.ndarray:
    k = result.kpis
    return k[k.metric == metric].sort_values("time").value.to_numpy()


@pytest.mark.parametrize("rules", ["cda", "gode_sunder", "cliff"])
def test_x1_teaching_truthful_pair_by_hand(rules):
    """One buyer (value 3.00) and one seller (cost 1.00), truthful: under cda and gode_sunder whoever shouts
    first rests, the other crosses at the resting price; under cliff the first shout is taken at once at its
    own price — either way 1.00 if the seller shouted first, 3.00 if the buyer did. P0 is the middle of the
    competitive range [1, 3] = 2.00, so Smith's alpha is 100·|p − 2|/2 = 50; equilibrium profits are 1.00 each,
    actual 2.00 and 0.00, so the profit dispersion is RMS(1, −1) = 1.00; efficiency 1."""
    r = simulate(market([3], [1], rules=rules), seed=5, check=True)
    t = r.trades
    assert len(t) == 1 and t.price.iloc[0] in (1.0, 3.0)
    assert (t.quantity.iloc[0], t.mechanism.iloc[0], t.right.iloc[0]) == (1, "cda", "teaching")
    assert t.amount_fen.iloc[0] == t.price_ticks.iloc[0] // 100
    assert daily(r, "efficiency").tolist() == [1.0]
    assert daily(r, "smith_alpha") == pytest.approx([50.0])
    assert daily(r, "profit_dispersion") == pytest.approx([1.0])
    assert daily(r, "p0").tolist() == [2.0] and daily(r, "q0").tolist() == [1.0]


def test_x1_teaching_market_settles_through_the_ledger_and_conserves():
    """Smith (1962) Test 1 with ZI-C under Gode & Sunder's rules, conservation checked after every period: each
    seller is endowed with its unit every day, every bought unit is consumed, the money of each trade goes from
    buyer to seller. Shouts that do not improve on the best quote are recorded as rejections (never dropped),
    one row a shout."""
    s = load_scenario(TEACHING / "smith1962_test1.yaml", ["calendar.sessions_per_year=4"])
    r = simulate(s, seed=11, check=True)
    h = r.holders
    assert h[h.right == "teaching"].group.astype(str).value_counts().to_dict() == {"buyers": 11, "sellers": 11}
    assert set(r.trades.seller) <= set(range(11, 22)) and set(r.trades.buyer) <= set(range(11))
    assert daily(r, "trade_count").sum() == len(r.trades)
    assert (r.trades.groupby("time").size().to_numpy() == daily(r, "trade_count")).all()
    rej = r.orders_rejected
    assert len(rej) > 0 and set(rej.reason) == {"not_improving"} and (rej.quantity == 1).all()
    assert rej.price.between(0.01, 4.0).all() and len(rej) + len(r.trades) <= daily(r, "shouts").sum()
    assert (r.trades.amount_fen == (r.trades.price_ticks + 50) // 100).all()  # 1 unit × price, fen half up


def test_x1_teaching_market_is_deterministic_per_seed():
    s = load_scenario(TEACHING / "smith1962_test1_zip.yaml", ["calendar.sessions_per_year=3"])
    a, b, c = simulate(s, seed=4), simulate(s, seed=4), simulate(s, seed=5)
    assert a.trades.equals(b.trades) and a.kpis.equals(b.kpis)
    assert not a.trades.price_ticks.equals(c.trades.price_ticks)


@pytest.mark.parametrize(("name", "p0", "q0"), [
    ("smith1962_test1", 20_000, 6), ("cliff1997_symmetric", 2_000_000, 6), ("cliff1997_flat_supply", 2_000_000, 6),
    ("cliff1997_excess_demand", 2_000_000, 6), ("cliff1997_excess_supply", 2_000_000, 6)])
def test_x1_competitive_equilibrium_of_the_published_designs(name, p0, q0):
    """Smith: P0 = 2.00, Q0 = 6; Cliff's four markets: P0 = 200, Q0 = 6 (ticks: ×10,000)."""
    t = load_scenario(TEACHING / f"{name}.yaml").teaching
    v = [int(x * 10_000) for u in t.buyers_yuan for x in u]
    c = [int(x * 10_000) for u in t.sellers_yuan for x in u]
    assert competitive_equilibrium(np.array(v), np.array(c)) == (q0, p0, p0)
    assert competitive_equilibrium(np.array([5]), np.array([9])) == (0, None, None)


#: Overrides running Cliff's four markets (shipped with rules: cliff) under Gode & Sunder's rules instead.
GS_RULES = ["teaching.rules=gode_sunder", "teaching.sessions_per_period=null",
            "teaching.end_after_idle_shouts=null", "teaching.shouts_per_period=500"]
#: Cliff's (1997) predicted mean ZI-C transaction prices; P0 = 200 in all four markets.
CLIFF_PREDICTED = {"symmetric": 200.0, "flat_supply": 233 + 1 / 3, "excess_demand": 125.0, "excess_supply": 260.0}


def mean_price(name: str, seeds: int, overrides=()) -> float:
    """Mean transaction price over ``seeds`` runs (10 days each) of Cliff's market ``name``."""
    s = load_scenario(TEACHING / f"cliff1997_{name}.yaml", list(overrides))
    return float(np.mean([simulate(s, seed=seed).trades.price.mean() for seed in range(seeds)]))


def test_x1_zi_c_is_nearly_efficient_and_zi_u_is_not_smith_test1():
    """Gode & Sunder (1993), their rules: budget-constrained random traders (ZI-C) extract almost all the
    surplus; without the constraint (ZI-U) extramarginal units trade at a loss. 40 seeds × 10 days of Smith's
    Test 1 (shipped with rules: gode_sunder), and 10 seeds of Cliff's flat-supply market under the same rules.

    ZI-C: Gode & Sunder published 97.1–99.9 % on their own five multi-unit markets; on Smith's schedules the
    same rules give 96.4 % (100 seeds; the price-time CDA gives 95.3 %): every trader has one unit, five
    extramarginal traders on each side sit one step (0.25) from the margin and the sixth unit has no surplus,
    so an extramarginal unit that trades displaces an intramarginal one, as in their market 5 (97.1 %). More
    shouts do not raise it (96.2–96.4 % from 500 to 5,000 shouts a day). A seed's 10-day mean has sd 0.012,
    so the mean of 40 seeds has sd 0.002: we require 0.955–0.975 (about ±5 sd around 0.964).
    ZI-U: when all 11 units trade the realised surplus is Σ values − Σ costs = 0 for these symmetric schedules
    (as for flat supply: Σ values = Σ costs = 2,200), so efficiency ≈ 0 (we require ≤ 0.2 and, every day,
    efficiency equal to (Σ traded values − Σ traded costs) / 7.50); ZI-C on flat supply: measured 0.998."""
    zic, ziu = [], []
    s = load_scenario(TEACHING / "smith1962_test1.yaml")
    u = load_scenario(TEACHING / "smith1962_test1.yaml",
                      ["teaching.buyer_behaviour.type=zi_u", "teaching.seller_behaviour.type=zi_u"])
    for seed in range(40):
        zic.append(daily(simulate(s, seed=seed), "efficiency").mean())
        r = simulate(u, seed=seed)
        ziu.append(daily(r, "efficiency").mean())
        assert np.allclose(daily(r, "efficiency"), daily(r, "surplus") / 7.5)
    assert 0.955 <= np.mean(zic) <= 0.975
    assert np.mean(ziu) <= 0.2
    assert min(zic) > max(ziu)
    flat = {b: load_scenario(TEACHING / "cliff1997_flat_supply.yaml", [
        *GS_RULES, f"teaching.buyer_behaviour.type={b}", f"teaching.seller_behaviour.type={b}"]) for b in ("zi_c", "zi_u")}
    assert np.mean([daily(simulate(flat["zi_c"], seed=seed), "efficiency").mean() for seed in range(10)]) >= 0.99
    assert np.mean([daily(simulate(flat["zi_u"], seed=seed), "efficiency").mean() for seed in range(10)]) <= 0.2


def test_x1_zip_prices_converge_to_p0_and_smiths_alpha_falls():
    """Cliff (1997): ZIP traders in Smith's Test 1, in his simulator as his control file for this very market
    runs them (zip1hii.dat: NYSE rule off, 9 sessions a day; rules: cliff). Over 8 seeds, Smith's alpha falls
    from day 1 to day 10 (measured ≈ 20 → ≈ 0.7) and ends below 4; day-10 mean price within 2 % of P0 = 2.00;
    efficiency from day 5 on ≥ 0.97 (measured 1.0: ZIP traders never trade at a loss and the margins shrink
    towards P0)."""
    alpha, price, eff = [], [], []
    for seed in range(8):
        r = simulate(load_scenario(TEACHING / "smith1962_test1_zip.yaml"), seed=seed, check=seed == 0)
        alpha.append(daily(r, "smith_alpha"))
        price.append(daily(r, "mean_price"))
        eff.append(daily(r, "efficiency"))
    a = np.mean(alpha, axis=0)
    assert a[0] > 2 * a[-1]
    assert a[-3:].mean() < a[:3].mean()
    assert a[-1] < 4.0
    assert np.mean(price, axis=0)[-1] == pytest.approx(2.0, rel=0.02)
    assert np.mean(eff, axis=0)[4:].mean() >= 0.97


@pytest.mark.parametrize("name", first_fast("cliff1997_excess_demand", "cliff1997_excess_supply"))
def test_x1_zip_in_cliffs_boxes_approaches_p0_from_the_predicted_side(name):
    """Cliff (1997) figs. 38 and 40: in excess demand ZIP prices rise towards P0 = 200 from below, in excess
    supply they fall towards it from above (5 seeds × 10 days each, his simulator with the NYSE rule off as for
    his ZIP runs; measured 137 → 199 and 245 → 200)."""
    sign = -1 if name.endswith("demand") else 1  # below P0 in excess demand, above it in excess supply
    s = load_scenario(TEACHING / f"{name}.yaml", ["teaching.buyer_behaviour.type=zip",
                                                  "teaching.seller_behaviour.type=zip", "teaching.nyse_rule=false"])
    p = np.mean([daily(simulate(s, seed=seed), "mean_price") for seed in range(5)], axis=0)
    assert (sign * (p - 200) > 0).all() or abs(p[-1] - 200) < 2  # on its side of P0 throughout
    assert sign * (p[0] - 200) > sign * (p[-1] - 200)  # and closer at the end
    assert abs(p[-1] - 200) < abs(p[0] - 200) / 2


def acceptance_weighted_price(n_buyers: int, value: float, n_sellers: int, cost: float, lo: float = 1.0,
                              hi: float = 400.0) -> float:
    """Expected price of the next trade in Cliff's simulator when every buyer values its unit at ``value`` and
    every seller's cost is ``cost`` (his excess-demand and excess-supply boxes), all ZI-C on ``[lo, hi]``.

    The NYSE rule never binds there (every limit can beat any quote), so the shouts until a trade are
    independent: a side is drawn with probability proportional to its traders; an offer ``p ~ U[cost, hi]``
    trades if one of the buyers' fresh bids ``U[lo, value]`` beats it, with probability
    ``1 − ((p − lo)/(value − lo))^n_buyers`` (``p < value``); a bid ``b ~ U[lo, value]`` trades if one of the
    sellers' fresh offers ``U[cost, hi]`` is below it, with probability ``1 − (1 − (b − cost)/(hi − cost))^n_sellers``
    (``b > cost``); the trade is at the shout's price. The expectation is the mean shout price weighted by
    these probabilities, on a fine grid."""
    p = np.linspace(lo, hi, 200_001)
    offer = np.where((p >= cost) & (p < value), 1 - np.clip((p - lo) / (value - lo), 0, 1) ** n_buyers, 0) / (hi - cost)
    bid = np.where((p > cost) & (p <= value), 1 - (1 - np.clip((p - cost) / (hi - cost), 0, 1)) ** n_sellers, 0) / (
        value - lo)
    w = n_sellers * offer + n_buyers * bid
    return float((w * p).sum() / w.sum())


#: Cliff's excess-demand and excess-supply boxes: buyers, their value, sellers, their cost.
CLIFF_BOXES = {"excess_demand": (11, 200, 6, 50), "excess_supply": (6, 320, 11, 200)}
#: Cliff's four markets as test cases: one of each kind (P0 in the middle; a box) in the inner loop, the other
#: two in the slow set (plain ``pytest`` runs all four).
CLIFF_MARKETS = [pytest.param("symmetric"), pytest.param("excess_demand"),
                 pytest.param("flat_supply", marks=pytest.mark.slow), pytest.param("excess_supply", marks=pytest.mark.slow)]


@pytest.mark.parametrize("name", CLIFF_MARKETS)
def test_x1_cliffs_zi_c_prices_in_his_own_simulator(name):
    """Cliff (1997) predicted ZI-C mean prices of 200, 233⅓, 125 and 260 in his symmetric, flat-supply,
    excess-demand and excess-supply markets (P0 = 200 in all four), shipped with his simulator's rules.

    Symmetric and flat supply: within ±3 of his figures (measured over 100 seeds: 199.9 and 234.1; a seed's
    10-day mean has sd 5.1 and 3.2, so the 30 seeds here give sd 0.9 and 0.6).

    Excess demand and supply: his 125 and 260 are the centres of the overlaps [50, 200] and [200, 320] of the
    ZI-C offer and bid ranges — the mean price if every price where a bid and an offer can meet were equally
    likely to become a transaction price. In his mechanism it is not: a shout at p trades only if a trader of
    the other side, drawing a fresh random price, beats it, with a probability that depends on p and on how
    many traders are left (:func:`acceptance_weighted_price`); the longer side also shouts more often. Weighted
    so, a day's expected mean price (all six units trade, with 11, 10, … and 6, 5, … traders left) is 137.2
    and 251.1: between his figures and P0, and what his simulator gives (measured 137.7 ± 0.3 over 400 seeds,
    251.2 ± 0.4 over 100). We require ±3 of these expectations (a seed's mean has sd 5.7 and 4.0; 40 seeds
    give sd 0.9 and 0.6), and that they lie between Cliff's figure and P0."""
    if name not in CLIFF_BOXES:
        assert abs(mean_price(name, 30) - CLIFF_PREDICTED[name]) <= 3, name
        return
    buyers, value, sellers, cost = CLIFF_BOXES[name]
    expected = np.mean([acceptance_weighted_price(buyers - k, value, sellers - k, cost) for k in range(6)])
    assert abs(mean_price(name, 40) - expected) <= 3, name
    assert min(CLIFF_PREDICTED[name], 200) < expected < max(CLIFF_PREDICTED[name], 200)
    assert acceptance_weighted_price(11, 200, 6, 50) == pytest.approx(134.5, abs=0.1)  # the day's first trade


@pytest.mark.parametrize("name", CLIFF_MARKETS)
def test_x1_gode_sunder_rules_halve_cliffs_zi_c_price_bias(name):
    """Cliff's four markets under Gode & Sunder's rules (30 seeds × 10 days, 500 shouts a day): ZI-C prices are
    biased the way Cliff predicted, but only about half as far from P0 as his figures — a trade is at the
    standing quote, the best of a run of improving shouts, not at a random point of the overlap. Measured (100
    seeds): 200.9, 218.8 (0.57 of his 33⅓ above P0), 162.1 (0.51 of his 75 below), 232.5 (0.54 of his 60
    above). We require the symmetric market within ±4 of 200 and, in the three others, a deviation from P0
    between 0.4 and 0.7 of Cliff's (a seed's mean has sd 2.7–4.8, so 30 seeds give at most 0.9, i.e. at most
    0.03 of the deviation)."""
    if name == "symmetric":
        assert abs(mean_price(name, 30, GS_RULES) - 200) <= 4
        return
    share = (mean_price(name, 30, GS_RULES) - 200) / (CLIFF_PREDICTED[name] - 200)
    assert 0.4 <= share <= 0.7, (name, share)


def test_teaching_scenario_errors_are_clear():
    with pytest.raises(ValueError, match="price_max_yuan"):
        market([3], [1], price_min_yuan=5, price_max_yuan=4)
    with pytest.raises(ValueError, match="trading sessions"):
        simulate(market([3], [1], days=2, periods=3), seed=1)
    with pytest.raises(ValueError, match="rules: cda only"):
        market([3], [1], rules="gode_sunder", clear_book_after_trade=True)
    with pytest.raises(ValueError, match="rules: cliff only"):
        market([3], [1], rules="gode_sunder", nyse_rule=False)
    with pytest.raises(ValueError, match="rules: cliff only"):
        market([3], [1], sessions_per_period=9)
    with pytest.raises(ValueError, match="rules"):
        market([3], [1], rules="nyse")
