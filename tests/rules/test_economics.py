"""The economic core (rules/economics.py): value curves, use chosen at the marginal price (W8, W9),
reservation prices, the competitive benchmark, term pricing (W4, X4), saving investment (W4, W14) and
expectations. Expectations are hand-computed from the formulas in the module docstring."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rights_market.rules.economics import (
    CONSTANT_ELASTICITY,
    LINEAR,
    PriceSchedule,
    ValueCurves,
    annualised_cost,
    annuity_factor,
    buyer_limits,
    choose_use,
    clearing_price,
    expect,
    saving_to_invest,
    seller_limits,
    term_price,
    whole_units,
)
from rights_market.rules.tariffs import BlockTariff, ProgressiveSurcharge, bill

TPY = 10_000  # price ticks per yuan


def schedule(n, *, tariff_yuan=None, plan=None, holding=None, surcharge=None, p_buy=np.inf, p_sell=0.0):
    tariff = None if tariff_yuan is None else BlockTariff((), (Fraction(tariff_yuan) * TPY,))
    plan = np.full(n, np.inf) if plan is None else np.asarray(plan, dtype=float)
    holding = plan if holding is None else np.asarray(holding, dtype=float)
    return PriceSchedule(tariff, surcharge, plan, holding, np.full(n, p_buy, dtype=float), np.full(n, p_sell, dtype=float))


@pytest.mark.parametrize("form", [CONSTANT_ELASTICITY, LINEAR])
def test_value_curve_passes_reference_point_and_demand_inverts_it(form):
    c = ValueCurves.build([100.0, 50.0], [3.3, 0.5], [-0.86, -0.26], form=form, v_max=[50.0, 5.0], q_max=[300.0, 90.0])
    assert np.allclose(c.marginal_value(c.q_ref), c.p_ref)
    assert np.allclose(c.demand(c.p_ref), c.q_ref)
    for price in (0.8, 2.0, 4.0):
        q = c.demand(price)
        inside = (q > 0) & (q < c.q_max)
        assert np.allclose(c.marginal_value(q)[inside], price)
    # downward sloping
    qs = np.linspace(1, 80, 50)
    mv = np.array([c.marginal_value(np.full(2, x)) for x in qs])
    assert np.all(np.diff(mv, axis=0) <= 1e-12)


@pytest.mark.parametrize("form", [CONSTANT_ELASTICITY, LINEAR])
def test_elasticity_at_the_reference_point(form):
    c = ValueCurves.build(100.0, 3.3, -0.86, form=form)
    h = 1e-4
    q_up, q_dn = c.demand(3.3 * (1 + h)), c.demand(3.3 * (1 - h))
    elasticity = (np.log(q_up) - np.log(q_dn)) / (np.log(1 + h) - np.log(1 - h))
    assert elasticity[0] == pytest.approx(-0.86, rel=1e-3)


@pytest.mark.parametrize("form", [CONSTANT_ELASTICITY, LINEAR])
def test_value_between_is_the_area_under_the_curve(form):
    c = ValueCurves.build(100.0, 2.0, -0.5, form=form, v_max=20.0, q_max=250.0)
    x = np.linspace(0.0, 250.0, 200_001)
    mv = c.marginal_value(x) if c.n == x.size else np.array([c.marginal_value(np.array([v]))[0] for v in x[::100]])
    xs = x[::100]
    numeric = np.trapezoid(mv, xs)
    assert c.value_between(0.0, 250.0)[0] == pytest.approx(numeric, rel=2e-3)
    assert c.value_between(120.0, 80.0)[0] == pytest.approx(-c.value_between(80.0, 120.0)[0])


def test_flat_tariff_use_is_demand_at_the_tariff():
    c = ValueCurves.build([100.0, 400.0], [3.3, 3.3], [-0.86, -0.4], v_max=40.0)
    q = choose_use(c, schedule(2, tariff_yuan="4.0"), with_market=False)
    assert np.allclose(q, c.demand(4.0), atol=1e-6)


def test_w9_surcharge_puts_use_at_the_plan_kink():
    """W9: plan 100 m³, tariff 3.30, first band +50 % of 3.30 = 1.65. A holder whose mv at the plan is
    4.0 (between 3.30 and 4.95) stops at the plan; one whose mv at 100 is 6 goes over it."""
    sur = ProgressiveSurcharge(Fraction(1, 10), Fraction(1, 2), Fraction(33_000))
    c = ValueCurves.build([100.0, 100.0], [4.0, 6.0], [-0.5, -0.5], form=LINEAR, v_max=50.0, q_max=400.0)
    s = schedule(2, tariff_yuan="3.3", plan=[100.0, 100.0], surcharge=sur)
    q = choose_use(c, s, with_market=False)
    assert q[0] == pytest.approx(100.0, abs=1e-6)
    # holder 2: slope 6/(100*0.5)=0.12, mv(q)=6-0.12(q-100); band 1 (100..110) costs 4.95 → q=108.75
    assert q[1] == pytest.approx(108.75, abs=1e-6)


def test_steeper_w9_step_cuts_over_plan_use():
    c = ValueCurves.build(np.full(5, 100.0), [5.0, 6.0, 7.0, 8.0, 9.0], -0.6, v_max=60.0)
    over = []
    for step in (Fraction(1, 4), Fraction(1, 2), Fraction(1)):
        sur = ProgressiveSurcharge(Fraction(1, 10), step, Fraction(33_000))
        q = choose_use(c, schedule(5, tariff_yuan="3.3", plan=np.full(5, 80.0), surcharge=sur), with_market=False)
        over.append(float(np.sum(np.maximum(q - 80.0, 0))))
    assert over[0] > over[1] > over[2] > 0


def test_hand_solved_competitive_transfer():
    """Two holders with linear curves, no tariff: A mv = 4 − 0.02 q holds 60; B mv = 6 − 0.04 q holds 120.
    On paper: 4 − 0.02 qA = 6 − 0.04 (180 − qA) → qA = 86.667, qB = 93.333, p = 2.2667 yuan/m³;
    A buys 26.667 from B."""
    c = ValueCurves.build([100.0, 100.0], [2.0, 2.0], [-1.0, -0.5], form=LINEAR, v_max=10.0, q_max=300.0)
    s = schedule(2, holding=[60.0, 120.0], plan=[60.0, 120.0])
    p = clearing_price(c, s)
    assert p == pytest.approx(2.0 + 0.8 / 3.0, rel=1e-6)
    at = PriceSchedule(None, None, s.plan, s.holding, np.full(2, p), np.full(2, p))
    q = choose_use(c, at)
    assert q == pytest.approx([260.0 / 3.0, 280.0 / 3.0], rel=1e-6)


def test_surcharge_makes_the_short_holder_buy_rather_than_pay():
    """With a W9 surcharge above the market price, A covers its over-plan use by buying rights; without a
    market it pays the surcharge on less use."""
    sur = ProgressiveSurcharge(Fraction(1, 10), Fraction(1, 2), Fraction(60_000))  # band k: +3k yuan
    c = ValueCurves.build([100.0], [2.0], [-1.0], form=LINEAR, v_max=10.0, q_max=300.0)
    alone = choose_use(c, schedule(1, plan=[60.0], surcharge=sur), with_market=False)
    assert alone[0] == pytest.approx(60.0, abs=1e-6)  # mv(60) = 2.8 < 3, band 1's rate: stops at the plan
    market = choose_use(c, schedule(1, plan=[60.0], surcharge=sur, p_buy=1.5))
    assert market[0] == pytest.approx(125.0, abs=1e-6)  # mv = 1.5 → q = 125, all over plan bought


def test_limits_are_bounded_by_values_and_fall_lot_by_lot():
    sur = ProgressiveSurcharge(Fraction(1, 10), Fraction(1, 2), Fraction(33_000))
    c = ValueCurves.build([100.0, 100.0], [8.0, 1.0], [-0.5, -0.5], form=LINEAR, v_max=30.0, q_max=400.0)
    s = schedule(2, tariff_yuan="1.0", plan=[80.0, 150.0], surcharge=sur)
    use = choose_use(c, s, with_market=False)
    buy = buyer_limits(c, s, use, lots=6, lot=5.0)
    sell = seller_limits(c, s, use, lots=6, lot=5.0)
    assert np.all(np.diff(buy[0]) <= 1e-12)  # each further lot is worth no more
    assert np.all(np.diff(sell[1]) >= -1e-12)  # each further lot costs no less to give up
    assert np.all(buy[0] <= 30.0) and np.all(buy >= 0)
    assert sell[1, 0] == 0.0  # unused rights cost nothing to sell


def test_w4_term_and_x4_permanent_prices_are_present_values():
    assert annuity_factor(0.05, 5) == pytest.approx(4.329476670630819)
    assert term_price(2.0, 5, 0.05)[()] == pytest.approx(8.658953341261638)
    assert term_price(2.0, None, 0.05)[()] == pytest.approx(40.0)
    assert annualised_cost(100.0, 0.05, 10)[()] == pytest.approx(100.0 / 7.721734929184818)
    with pytest.raises(ValueError):
        term_price(2.0, None, 0.0)


def test_saving_investment_stops_where_cost_meets_worth():
    s = saving_to_invest([5.0, 1.0, 5.0], cost_at_zero=[1.0, 2.0, 1.0], cost_slope=[0.5, 0.5, 0.0], max_saving=[100.0, 100.0, 3.0])
    assert s.tolist() == [8.0, 0.0, 3.0]


def test_adaptive_expectations_keep_the_last_when_nothing_trades():
    assert expect([2.0, 2.0], [4.0, np.nan], 0.25).tolist() == [2.5, 2.0]
    with pytest.raises(ValueError):
        expect(1.0, 1.0, 1.5)


def test_whole_units_floor():
    assert whole_units(np.array([3.9999999999, 2.5, 0.0])).tolist() == [4, 2, 0]


@settings(max_examples=60, deadline=None)
@given(plan=st.integers(10, 5_000), use=st.integers(0, 20_000), step=st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(1)]))
def test_marginal_surcharge_matches_the_w9_bill(plan, use, step):
    """The marginal surcharge rate at use q is the bill of q+1 minus the bill of q (W9), to within rounding."""
    sur = ProgressiveSurcharge(Fraction(1, 10), step, Fraction(33_000))
    s = schedule(1, plan=[float(plan)], surcharge=sur)
    rate = s.surcharge_rate(np.array([float(use)]))[0]
    exact = bill(use + 1, plan, None, sur).total_fen - bill(use, plan, None, sur).total_fen
    # a unit straddling a band edge pays a mix of two rates; allow one band step and 1 fen of rounding
    assert abs(rate * 100 - exact) <= float(step) * 3.3 * 100 + 1


# ------------------------------------------------------------------------------ land rents (issue 14, L10)
def test_net_income_rent_is_output_times_the_net_share():
    """1,600 yuan/mu of output at 35 % net → the household gives up 560 yuan/mu; a tenant netting 50 % → 800."""
    from rights_market.rules.economics import net_income_rent

    assert net_income_rent([1600.0, 1600.0], [0.35, 0.5]).tolist() == pytest.approx([560.0, 800.0])
    assert net_income_rent(-5.0, 0.5) == 0.0  # no output, no income
    with pytest.raises(ValueError, match="within"):
        net_income_rent(1600.0, 1.2)


def _bisect_by_steps(mv, cost, lo: np.ndarray, hi: np.ndarray, steps: int) -> np.ndarray:
    """The definition of choose_use's bisection in numpy: at each step, mid = (lo + hi) / 2 becomes lo where
    mv(mid) ≥ cost(mid), else hi. The final lo."""
    lo, hi = lo.copy(), hi.copy()
    for _ in range(steps):
        mid = (lo + hi) / 2.0
        ok = mv(mid) >= cost(mid)
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    return lo


@pytest.mark.parametrize("form", [CONSTANT_ELASTICITY, LINEAR])
@pytest.mark.parametrize("with_market", [True, False])
def test_choose_use_takes_the_same_bisection_steps_as_the_numpy_definition(form, with_market):
    """choose_use (compiled kernels, trees of midpoints for a few holders, numpy's power) ends on the same floats
    as the step-by-step bisection on the public marginal_value and marginal_cost (own_cost without the market),
    at every tree depth: random curves, tariffs or none, surcharges (capped or not) or hard limits, plans
    (none, infinite), holdings and market prices, including holders for whom no use pays."""
    from rights_market.rules import economics
    from rights_market.rules.economics import _STEPS, _tree_depth

    assert [_tree_depth(n) for n in (1, 2, 3, 4, 5, 24, 25, 1000, 1001)] == [5, 5, 4, 4, 3, 3, 2, 2, 1]
    rng = np.random.default_rng(15)
    holders = interior = 0
    for trial in range(60):
        n = int(rng.choice([1, 2, 3, 5, 17, 40, 80, 1100]))
        q_ref = rng.uniform(1, 10**rng.uniform(1, 7), n)
        curves = ValueCurves.build(q_ref, rng.uniform(0.1, 20, n), -rng.uniform(0.005, 3, n),
                                   q_max=q_ref * rng.uniform(1, 3, n), form=form)
        sur = ProgressiveSurcharge(Fraction(int(rng.integers(1, 5)), 10), Fraction(1, 2), Fraction(33_000),
                                   3 if trial % 5 == 0 else None)
        plan = q_ref * rng.uniform(0, 1.5, n)
        plan[rng.uniform(size=n) < 0.1] = 0.0
        if trial % 7 == 0:
            plan[0] = np.inf
        tariff = BlockTariff((int(np.median(q_ref)) + 1,), (Fraction(3_000), Fraction(9_000))) if trial % 4 else None
        sched = PriceSchedule(tariff, sur if trial % 3 else None, plan, plan * rng.uniform(0, 2, n),
                              rng.uniform(0.5, 30, n), rng.uniform(0, 5, n))
        cost = sched.marginal_cost if with_market else sched.own_cost
        lo = np.zeros(n)
        by_steps = np.where(curves.marginal_value(lo) < cost(lo), 0.0,
                            _bisect_by_steps(curves.marginal_value, cost, lo, curves.q_max, _STEPS))
        holders += n
        interior += np.count_nonzero((by_steps > 0) & (by_steps < curves.q_max))
        for depth in (1, 2, 3, 4, 5, 6):
            economics._tree_depth = lambda _n, d=depth: d
            try:
                got = choose_use(curves, sched, with_market=with_market)
            finally:
                economics._tree_depth = _tree_depth
            assert got.tobytes() == by_steps.tobytes(), (trial, depth)
    assert interior > holders // 4  # most solves end inside the bracket, not at its ends
