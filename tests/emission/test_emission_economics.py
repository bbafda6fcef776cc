"""The economics of the emission market (rule E2: the tradable surplus is what further abatement frees) and
the pure rules of ``rules/emission.py`` (E4, E5, E12).

Least-cost property (Montgomery 1972): when units bid their marginal abatement cost, the market allocation
reaches the least total abatement cost and a price equal to the common marginal cost. Checked on two textbook
cases exactly, and on random many-unit markets against the least-cost solution of an exact KKT solver,
itself cross-checked against an independent greedy optimiser.
"""

from __future__ import annotations

import heapq

import numpy as np
import pytest
from test_emission_market import kpi, run, scenario, unit

from rights_market.rules.emission import (
    MacCurves,
    StepValuer,
    back_payment_fen,
    comply,
    least_cost,
    lot_schedule,
    phase_in_due,
    piecewise_curves,
    quadratic_curves,
    split_sale,
    step_value,
)


# ------------------------------------------------------------------------------------------------ textbook
@pytest.mark.parametrize("mechanism", ["call", "cda"])
def test_e2_montgomery_textbook_quadratic_costs(mechanism):
    """E2, Montgomery: cap 50, A emits 40 and B 50, 25 permits each, C_A = 100 + 2Z², C_B = 100 + 3Z².
    Without trade A abates 15 and B 25 at a total cost of 550 + 1,975 = 2,525. Bidding their marginal costs
    (1 kg steps) they trade 9 t: A abates 24 and B 16, both at marginal cost 96 yuan/t, total 1,252 + 868 =
    2,120. The call auction clears at exactly 96 yuan/t (960 ticks/kg); the CDA trades at resting prices,
    all within the marginal costs of the traded kilograms."""
    s = scenario([unit("A", 25, unabated_t=40, b=2), unit("B", 25, unabated_t=50, b=3)], mechanism=mechanism)
    s = _with_fixed_cost(s)
    r = run(s)
    t = r.trades
    assert t.quantity.sum() == 9000 and (t.seller == 0).all() and (t.buyer == 1).all()
    assert kpi(r, "abatement_NOx") == 40_000 and kpi(r, "abatement_cost_NOx") == pytest.approx(2120.0)
    if mechanism == "call":
        assert t.price_ticks.tolist() == [960] and kpi(r, "mean_price_NOx") == 96.0
    else:
        assert t.price_ticks.between(600, 1500).all()
    no_trade = quadratic_curves(np.array([2.0, 3.0]), np.array([40_000, 50_000]), np.array([100.0, 100.0]))
    assert no_trade.cost(np.array([15_000, 25_000])).sum() == pytest.approx(2525.0)


def _with_fixed_cost(s):
    """The unit() helper has no fixed cost; set it on both groups' curves (C = 100 + bZ²)."""
    groups = []
    for g in s.emission.groups:
        up = g.pollutants["NOx"]
        curve = up.abatement.model_copy(update={"fixed_cost_yuan": 100})
        groups.append(g.model_copy(update={"pollutants": {"NOx": up.model_copy(update={"abatement": curve})}}))
    return s.model_copy(update={"emission": s.emission.model_copy(update={"groups": groups})})


def test_e2_montgomery_textbook_linear_marginal_costs():
    """E2: MAC₁ = 5A, MAC₂ = 3A, each required to abate 16 (emits 32, holds 16): with trade unit 1 abates 12
    and unit 2 abates 20, both at marginal cost 60; unit 2 sells 4 permits at 60 (piecewise-linear MACs)."""
    s = scenario([unit("one", 16, unabated_t=32, mac=([0, 1], [0, 160])),
                  unit("two", 16, unabated_t=32, mac=([0, 1], [0, 96]))])
    r = run(s)
    assert r.trades[["seller", "buyer", "quantity", "price_ticks"]].values.tolist() == [[1, 0, 4000, 600]]
    assert kpi(r, "abatement_NOx") == 32_000
    # 2.5·12² + 1.5·20² = 960 instead of 2.5·16² + 1.5·16² = 1,024
    assert kpi(r, "abatement_cost_NOx") == pytest.approx(960.0)


# ------------------------------------------------------------------------------------------------ random markets
def _random_market(seed: int, n: int):
    """``n`` units with random quadratic or 3-segment piecewise costs; each holds 60–100 % of its emission."""
    rng = np.random.default_rng(seed)
    groups = []
    for i in range(n):
        e = int(rng.integers(5, 40))
        held = int(round(e * rng.uniform(0.6, 1.0)))
        if i % 2:
            g = unit(f"u{i}", held, unabated_t=e, b=round(float(rng.uniform(1, 20)), 2))
        else:
            m1 = round(float(rng.uniform(10, 200)))
            g = unit(f"u{i}", held, unabated_t=e,
                     mac=([0, 0.3, 0.6, 0.9], [0, m1, m1 + round(float(rng.uniform(0, 400))), 2000]))
        groups.append(g)
    return groups


def _greedy_least_cost(curves: MacCurves, total_kg: int, step: int) -> float:
    """An independent optimiser: abate ``total_kg`` in ``step`` kg increments, each to the unit whose next
    increment is cheapest (optimal for separable convex costs on the grid). Returns the total cost, yuan."""
    z = np.zeros(curves.n)
    def nxt(i):
        lo = np.zeros(curves.n)
        lo[i] = z[i]
        hi = lo.copy()
        hi[i] = z[i] + step
        if hi[i] > curves.zmax[i] + 1e-9:
            return np.inf
        c = curves.take(np.array([i]))
        return float(c.area(np.array([hi[i]]))[0] - c.area(np.array([lo[i]]))[0])
    heap = [(nxt(i), i) for i in range(curves.n)]
    heapq.heapify(heap)
    for _ in range(total_kg // step):
        _, i = heapq.heappop(heap)
        z[i] += step
        heapq.heappush(heap, (nxt(i), i))
    return float(curves.cost(z).sum())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_e2_random_markets_reach_the_least_cost_allocation(seed, monkeypatch):
    """E2, Montgomery on random markets of 24 units: a one-session call auction of truthful 10 kg steps and a
    4-session CDA both reach total abatement cost within 1 % of the least cost; the call auction's price is
    within 1 % of the common marginal cost λ of the least-cost solution (KKT), which an independent greedy
    optimiser confirms to 0.1 %."""
    groups = _random_market(seed, 24)
    s_call = scenario(groups, market={"lot_t": 0.01})
    r, st = run(s_call, monkeypatch=monkeypatch)
    curves = st.curves[0]
    total = int(st.E[0].sum() - r.holdings.quantity.sum())  # required district abatement, kg
    z, lam = least_cost(curves, total)
    best = float(curves.cost(z).sum())
    assert _greedy_least_cost(curves, total - total % 100, 100) == pytest.approx(best, rel=1e-3)
    assert kpi(r, "abatement_NOx") == total
    assert kpi(r, "abatement_cost_NOx") == pytest.approx(best, rel=0.01)
    assert kpi(r, "abatement_cost_NOx") >= best * (1 - 1e-9)  # nothing beats the least cost
    assert r.trades.price_ticks.iloc[0] == pytest.approx(lam, rel=0.01)
    r_cda = run(scenario(groups, sessions=4, mechanism="cda", market={"lot_t": 0.01}))
    assert kpi(r_cda, "abatement_cost_NOx") == pytest.approx(best, rel=0.01)


def test_e2_least_cost_splits_flat_marginal_costs_and_refuses_the_impossible():
    """KKT solver: two units with a flat MAC of 50 ticks/kg share 1,500 kg in proportion to their flat
    stretches (1,000 and 2,000 kg); asking more than both can abate is an error."""
    c = piecewise_curves(np.array([0.0, 1.0]), np.array([5.0, 5.0]), np.array([1000.0, 2000.0]), np.ones(2),
                         np.zeros(2))
    z, lam = least_cost(c, 1500)
    assert lam == pytest.approx(50.0) and z.tolist() == pytest.approx([500.0, 1000.0])
    with pytest.raises(ValueError, match="at most 3000"):
        least_cost(c, 3001)


# ------------------------------------------------------------------------------------------------ curves
def test_e2_quadratic_curve_cost_mac_and_abatement_agree_with_the_formula():
    """C = 100 + 2Z² (Z in t): at Z = 24 t, C = 1,252 yuan and MAC = 96 yuan/t = 960 ticks/kg; a price of 960
    ticks calls for 24,000 kg; the average MAC of the 24th tonne is 2·(2·24 − 1) = 94 yuan/t."""
    c = quadratic_curves(np.array([2.0]), np.array([40_000.0]), np.array([100.0]))
    assert c.cost(np.array([24_000]))[0] == pytest.approx(1252.0)
    assert c.mac(np.array([24_000.0]))[0] == pytest.approx(960.0)
    assert c.abatement_at(960.0)[0] == pytest.approx(24_000.0)
    assert c.mean_mac(np.array([23_000.0]), np.array([24_000.0]))[0] == pytest.approx(940.0)
    assert np.isinf(c.cost(np.array([40_001]))[0]) and np.isinf(c.mac(np.array([40_000.0]))[0])


def test_e2_piecewise_curve_hand_values():
    """MAC 0 → 2,000 → 6,000 yuan/t at 0, 20 %, 40 % of 100 t: at 30 t the MAC is 4,000 yuan/t; the cost of
    30 t is ½·20·2,000 + 10·(2,000 + 4,000)/2 = 50,000 yuan; 5,000 yuan/t calls for 35 t."""
    c = piecewise_curves(np.array([0, 0.2, 0.4]), np.array([0, 2000, 6000]), np.array([100_000.0]), np.ones(1),
                         np.zeros(1))
    assert c.mac(np.array([30_000.0]))[0] == pytest.approx(40_000.0)
    assert c.cost(np.array([30_000]))[0] == pytest.approx(50_000.0)
    assert c.abatement_at(50_000.0)[0] == pytest.approx(35_000.0)


def test_e2_schedule_bids_and_asks_the_marginal_cost_of_each_step():
    """A unit short 2,000 kg (cost 1,000·Z²) bids 3,000 then 1,000 yuan/t for its two 1 t steps (rounded down),
    and asks 5,000 and 7,000 yuan/t (rounded up) to abate a 3rd and 4th tonne; a unit with 1 t of surplus asks
    0 for it. ``step_value`` of the whole 2 t is their average, 2,000 yuan/t."""
    c = quadratic_curves(np.array([1000.0, 1000.0]), np.array([12_000.0, 5_000.0]), np.zeros(2))
    s = lot_schedule(c, np.array([2000, -1000]), np.array([2000, 1000]), 1000, 10, 1, 10**9)
    rows = sorted(zip(s.unit.tolist(), s.side.tolist(), s.quantity.tolist(), s.limit.tolist(), strict=True))
    assert rows == [(0, -1, 1000, 50_000), (0, -1, 1000, 70_000), (0, 1, 1000, 10_000), (0, 1, 1000, 30_000),
                    (1, -1, 1000, 0)]
    assert step_value(c.take(np.array([0])), np.array([2000]), np.array([2000]), 1, 10**9).tolist() == [20_000]
    capped = lot_schedule(c, np.array([2000, -1000]), np.array([2000, 1000]), 1000, 10, 1, 40_000)
    assert sorted(capped.limit[capped.side == -1].tolist()) == [0, 40_001, 40_001]  # above the cap: never placed



@pytest.mark.parametrize("segments", [1, 4, 8, 16, 39])
def test_step_valuer_is_step_value_of_the_chosen_rows_bit_for_bit(segments):
    """``StepValuer`` (the listings' valuer of a pool's rows) returns exactly ``step_value`` of the rows' curves,
    and the areas it computes once for the whole pool are the very same bits as the rows': random curves (flat
    and zero-length segments included, 1 to 39 segments: numpy's pairwise summation starts at 8), random
    requirements (negative, within and above the largest abatement), random row sets, quantities, valuation
    years and caps, each asked first for some rows then again (valued for all rows and kept)."""
    rng = np.random.default_rng(segments)
    n = 200
    z = np.cumsum(rng.random((n, segments + 1)) * rng.choice([0.0, 1.0, 1.0], (n, segments + 1)) * 1e4, axis=1)
    z[:, 0] = 0.0
    m = np.cumsum(rng.random((n, segments + 1)) * rng.choice([0.0, 1.0], (n, segments + 1)) * 1e3, axis=1)
    curves = MacCurves(z, m, np.zeros(n))
    required = rng.integers(-500, int(z[:, -1].max()) + 500, n)
    valuer = StepValuer(curves, required)
    for _ in range(200):
        rows = np.sort(rng.choice(n, int(rng.integers(1, 60)), replace=False))
        qty, years, cap = int(rng.integers(1, 8000)), int(rng.integers(1, 6)), int(rng.integers(10**4, 10**7))
        want = step_value(curves.take(rows), required[rows], np.full(rows.size, qty), years, cap)
        got = valuer.values(rows, qty, years, cap)
        assert got.dtype == np.int64 and np.array_equal(got, want)
        # asked again, the quantity is valued for every row and kept: the same values, for any rows
        assert np.array_equal(valuer.values(rows, qty, years, cap), want)
        other = np.sort(rng.choice(n, int(rng.integers(1, 60)), replace=False))
        assert np.array_equal(valuer.values(other, qty, years, cap),
                              step_value(curves.take(other), required[other], np.full(other.size, qty), years, cap))
        sub = curves.take(rows)  # the area up to the requirement, computed once for the pool: the same bits
        assert np.array_equal(valuer._area_hi[rows], sub.area(required[rows].astype(float)))


# ------------------------------------------------------------------------------------------------ fees, compliance
def test_e5_split_sale_and_back_payment():
    """E5: owned 10 t of which 4 t paid; selling 7 t takes the 6 t unpaid first, then 1 t paid (or the 4 t paid
    first, then 3 t unpaid); the back-payment on 6 t at 2,000 yuan/t is 12,000 yuan."""
    u, p = split_sale(np.array([7000]), np.array([10_000]), np.array([4000]), "unpaid")
    assert (u.tolist(), p.tolist()) == ([6000], [1000])
    u, p = split_sale(np.array([7000]), np.array([10_000]), np.array([4000]), "paid")
    assert (u.tolist(), p.tolist()) == ([3000], [4000])
    assert back_payment_fen(np.array([6000]), 20_000).tolist() == [1_200_000]


def test_e4_phase_in_of_the_use_fee():
    """E4: nothing during the reform; then the remaining unpaid rights over the years left, rounded up."""
    u = np.array([10_001, 9])
    assert phase_in_due(u, 0, 3).tolist() == [0, 0]
    assert phase_in_due(u, 1, 3).tolist() == [3334, 3]
    assert phase_in_due(np.array([6667, 6]), 2, 3).tolist() == [3334, 3]
    assert phase_in_due(np.array([3333, 3]), 3, 3).tolist() == [3333, 3]
    assert phase_in_due(np.array([500]), 7, 3).tolist() == [500]


def test_e12_comply_abates_or_violates_whichever_is_cheaper():
    """E12 with a fixed fine of 1,000 yuan and 100 yuan/t: unit 0 (cost 2·Z²) short 10 t abates it (200 yuan);
    unit 1 (cost 100·Z²) short 10 t would pay 10,000 yuan to abate, so it abates to MAC = 100 yuan/t (0.5 t)
    and pays 1,000 + 9.5 × 100 = 1,950 yuan; unit 2 can abate at most 5 t of its 10 t shortfall and must
    violate (1,000 + 5 × 100 = 1,500 yuan); unit 3 is not short."""
    c = quadratic_curves(np.array([2.0, 100.0, 2.0, 2.0]), np.array([20_000.0, 20_000.0, 5_000.0, 20_000.0]),
                         np.zeros(4))
    out = comply(c, np.array([20_000, 20_000, 20_000, 20_000]), np.array([10_000, 10_000, 10_000, 30_000]),
                 100_000, 1000)
    assert out.abatement.tolist() == [10_000, 500, 5000, 0]
    assert out.excess.tolist() == [0, 9500, 5000, 0]
    assert out.penalty_fen.tolist() == [0, 195_000, 150_000, 0]
    assert out.cost_yuan.tolist() == pytest.approx([200.0, 25.0, 50.0, 0.0])
