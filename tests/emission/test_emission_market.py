"""The emission-rights market end to end, on hand-checkable markets: rules E1, E3–E10, E12–E14.

Every run uses ``check=True``: every pollutant, every allowance and every fen is conserved after every period
and year end. Prices are in ticks per kg: 1 yuan/t = 10 ticks/kg; amounts in fen.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rights_market import load_scenario, simulate
from rights_market.engine import run as run_module
from rights_market.ledger import CONSUMED, ECONOMY, FISCAL, GOVERNMENT
from rights_market.rights import catalogue as catalogue_module
from rights_market.rights.catalogue import RESERVES
from rights_market.scenario.errors import ScenarioError
from rights_market.scenario.model import Scenario

RES = RESERVES["emission"]


def unit(name, permit_t, *, unabated_t=None, sector="industry", kind="existing", count=1, b=2, max_share=None,
         mac=None, pollutant="NOx", **extra):
    """A group of identical units with one pollutant: permit ``permit_t``, unabated emission ``unabated_t``
    (default = permit), quadratic abatement cost b·Z² up to ``max_share`` of the unabated emission (or a
    piecewise MAC ``mac`` = (shares, yuan/t)). Units trade in every session and know the floor."""
    unabated_t = permit_t if unabated_t is None else unabated_t
    if mac is None:
        curve = {"type": "quadratic", "b_yuan_per_t2": b}
        if max_share is not None:
            curve["max_share"] = max_share
    else:
        curve = {"type": "piecewise", "shares": mac[0], "mac_yuan_per_t": mac[1]}
    g = {"name": name, "sector": sector, "kind": kind, "count": count,
         "output_growth": {"type": "constant", "value": 0}, "closure_rate_per_year": 0, "participation": 1,
         "floor_aware_share": 1, "lease_participation": 0,
         "pollutants": {pollutant: {"permitted_t": {"type": "constant", "value": permit_t},
                                    "unabated_share_of_permit": {"type": "constant",
                                                                 "value": unabated_t / permit_t if permit_t else 1},
                                    "abatement": curve}}}
    g.update(extra)
    return g


def scenario(groups, *, years=1, sessions=1, periods=1, mechanism="call", **emission) -> Scenario:
    """One district, NOx only (base 10 yuan/t = 100 ticks/kg, orders up to 1 million yuan/t), no reserve, no
    leases, no off-platform attempts, a 1-year valuation and term, 1 kg lots, no expected price (units abate
    only what their rights do not cover) — so textbook results are exact.
    ``emission`` entries replace (dicts: update) the section's fields."""
    em = {"pollutants": [{"id": "NOx", "base_price_yuan_per_t": 10}], "validity_years": 1,
          "market": {"mechanism": {"type": mechanism}, "lot_t": 0.001, "max_orders_per_side": 100_000,
                     "valuation_years": 1, "off_platform_attempts_per_session": 0,
                     "price_max_multiple_of_base": 100_000,
                     "expectation": {"start_multiple_of_base": 0}},  # no abatement planned ahead (issue 14)
          "reserve": {"enabled": False}, "lease": {"enabled": False}, "groups": groups}
    for key, value in emission.items():
        if isinstance(value, dict) and isinstance(em.get(key), dict):
            em[key] = {**em[key], **value}
        else:
            em[key] = value
    return Scenario.model_validate(copy.deepcopy({
        "name": "emission_test",
        "calendar": {"years": years, "periods_per_year": periods, "sessions_per_year": sessions},
        "weather": {"type": "sequence", "states": {"n": {}}, "sequence": ["n"]},
        "output": {"holdings_every": "year"},
        "emission": em,
    }))


def run(s: Scenario, seed: int = 1, monkeypatch=None):
    """simulate(check=True); with ``monkeypatch`` also return the emission policy's state (per-holder columns)."""
    if monkeypatch is None:
        return simulate(s, seed=seed, check=True)
    captured = []
    original = catalogue_module.build_policies

    def spy(*args, **kwargs):
        policies = original(*args, **kwargs)
        captured.extend(policies)
        return policies

    monkeypatch.setattr(catalogue_module, "build_policies", spy)
    r = simulate(s, seed=seed, check=True)
    return r, next(p for p in captured if p.right == "emission").state


def fiscal_kpi(r, metric):
    """The last value of a KPI of the shared fiscal account (its own section, right ``fiscal``)."""
    k = r.kpis[(r.kpis.right == "fiscal") & (r.kpis.metric == metric)]
    return k.value.iloc[-1]


def kpi(r, metric, year=None):
    k = r.kpis[(r.kpis.right == "emission") & (r.kpis.metric == metric)]
    if year is not None:
        k = k[k.year == year]
    return k.value.iloc[-1]


def money(r, holder):
    """Net money received by ``holder`` over the run: trades and charges (fen)."""
    t, c = r.trades, r.charges
    return int(t[t.seller == holder].amount_fen.sum() - t[t.buyer == holder].amount_fen.sum()
               + c[c.payee == holder].amount_fen.sum() - c[c.holder == holder].amount_fen.sum())


# ------------------------------------------------------------------------------------------------ E1
def test_e1_pollutants_are_scenario_data_and_unknown_ones_are_located_errors(tmp_path):
    """E1: VOCs is added by naming it; a group using an undefined pollutant is a located scenario error."""
    s = scenario([unit("voc_firm", 10, pollutant="VOCs")],
                 pollutants=[{"id": "NOx", "base_price_yuan_per_t": 10}, {"id": "VOCs", "base_price_yuan_per_t": 5}])
    r = run(s)
    h = r.holdings
    assert h[(h["product"] == "emission.VOCs")].quantity.tolist() == [10_000]  # 10 t = 10,000 kg (E2)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nemission:\n  groups:\n    - name: g\n      sector: industry\n      count: 1\n"
        "      pollutants:\n        VOCs:\n          permitted_t: {type: constant, value: 1}\n"
        "          abatement: {type: quadratic, b_yuan_per_t2: 1}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(bad)
    text = str(err.value)
    assert "bad.yaml:2:" in text and "groups.0.pollutants.VOCs: unknown pollutant 'VOCs'" in text


def test_e3_prices_need_exact_ticks_and_curves_must_be_convex(tmp_path):
    """Scenario errors are located and say what is wrong: a base price finer than 0.1 yuan/t (one tick per
    kg), a MAC curve that falls."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nemission:\n  pollutants:\n    - {id: NOx, base_price_yuan_per_t: 2000.05}\n  groups:\n"
        "    - name: g\n      sector: industry\n      count: 1\n      pollutants:\n        NOx:\n"
        "          permitted_t: {type: constant, value: 1}\n"
        "          abatement: {type: piecewise, shares: [0, 0.5], mac_yuan_per_t: [100, 50]}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(bad)
    text = str(err.value)
    assert "bad.yaml:4:" in text and "base_price_yuan_per_t" in text and "decimal" in text
    assert "mac_yuan_per_t must never decrease" in text


# ------------------------------------------------------------------------------------------------ E3
def test_e3_base_price_is_a_hard_floor():
    """E3: a seller unaware of the floor asks its cost — 1 tick for surplus it need not abate — and the
    platform rejects the asks ``below_floor`` and records them; the seller learns and next session asks the
    floor; no trade is ever below the base price.

    Seller: permit 10 t, emits 5 t (5 t surplus), abating costs 100,000·Z² yuan. Buyer: permit 10 t, emits
    12 t, cost 1,000·Z²: it values its 2nd and 1st missing tonne at 3,000 and 1,000 yuan/t. Lots of 1 t.
    Session 0: the 5 surplus asks are rejected (the abatement asks, ≥ 100,000 yuan/t, find no bid). Session
    1: asks at the floor 10 yuan/t; the call auction trades 2 t at the midpoint of [10, 1,000] yuan/t =
    505 yuan/t (5,050 ticks/kg)."""
    s = scenario([unit("seller", 10, unabated_t=5, b=100_000, floor_aware_share=0),
                  unit("buyer", 10, unabated_t=12, b=1000)], sessions=2, market={"lot_t": 1})
    r = run(s)
    rej = r.orders_rejected
    assert rej[["session", "trader", "side", "quantity", "reason"]].values.tolist() == [
        [0, 0, "sell", 1000, "below_floor"]] * 5
    assert (rej.price == 0.0001).all()  # 1 tick per kg
    t = r.trades
    assert t[["session", "seller", "buyer", "quantity", "price_ticks"]].values.tolist() == [[1, 0, 1, 2000, 5050]]
    assert kpi(r, "floor_rejections") == 5 and kpi(r, "floor_rejections_NOx") == 5


def test_e3_share_of_trades_at_the_floor_is_reported():
    """E3 KPI: the seller can sell 10 t (5 t surplus, 5 t by abating) in 5 steps of 2 t; its first listing
    (2 t of surplus) starts at the floor; the buyer, short 2 t, is the lone bidder and takes it at the start
    price. The one trade is at the base price: floor_trade_share = 1."""
    s = scenario([unit("seller", 10, unabated_t=5), unit("buyer", 10, unabated_t=12, b=1000)],
                 mechanism="listing", market={"max_orders_per_side": 5, "lot_t": 1})
    r = run(s)
    t = r.trades
    assert t[["mechanism", "quantity", "price_ticks"]].values.tolist() == [["listing", 2000, 100]]
    assert kpi(r, "floor_trade_share") == 1.0 and kpi(r, "floor_trade_share_NOx") == 1.0


# ------------------------------------------------------------------------------------------------ E4, E5
def test_e5_selling_unpaid_rights_back_pays_the_use_fee_and_keeps_the_premium():
    """E5: the textbook trade (A sells 9 t at 96 yuan/t) in the reform period: A's rights are unpaid, so A
    back-pays 9 t × base 10 yuan/t = 90 yuan to the fiscal account and keeps 9 × (96 − 10) = 774 yuan."""
    s = scenario([unit("A", 25, unabated_t=40, b=2), unit("B", 25, unabated_t=50, b=3)])
    r = run(s)
    fee = r.charges[r.charges.kind == "use_fee"]
    assert fee[["holder", "payee", "quantity", "rate_ticks", "amount_fen"]].values.tolist() == [
        [0, FISCAL, 9000, 100, 9000]]
    assert money(r, 0) == 77_400
    assert kpi(r, "back_payment_revenue_NOx") == 90.0


def test_e5_selling_paid_rights_keeps_all_proceeds(monkeypatch):
    """E4/E5: with no reform period and a 1-year phase-in, existing units pay the use fee on all their rights
    at the first year start (25 t × 10 yuan/t = 250 yuan each); A's later sale back-pays nothing and A keeps
    the whole 864 yuan. Paid and unpaid rights are tracked per holder."""
    s = scenario([unit("A", 25, unabated_t=40, b=2), unit("B", 25, unabated_t=50, b=3)],
                 fees={"reform_years": 0, "phase_in_years": 1}, validity_years=5)
    r, st = run(s, monkeypatch=monkeypatch)
    fee = r.charges[r.charges.kind == "use_fee"]
    assert fee[["time", "holder", "quantity", "amount_fen"]].values.tolist() == [[0, 0, 25_000, 25_000],
                                                                                   [0, 1, 25_000, 25_000]]
    assert money(r, 0) == 86_400 - 25_000
    assert st.paid[0].tolist() == [16_000, 34_000]  # A sold 9 t of paid rights; B bought 9 t (paid)
    assert kpi(r, "paid_NOx") == 50_000 and kpi(r, "unpaid_NOx") == 0


def test_e5_term_end_renews_rights_unpaid_keeping_the_set_share(monkeypatch):
    """E5: at the end of the validity term rights are renewed: with keep share 0.9 a 10 t holding becomes 9 t
    (1 t retired to the issuer), and paid rights become unpaid for the new term."""
    s = scenario([unit("A", 10, participation=0)], years=2, validity_years=1, renewal_keep_share="0.9",
                 fees={"reform_years": 0, "phase_in_years": 1})
    r, st = run(s, monkeypatch=monkeypatch)
    h = r.holdings[r.holdings.holder == 0]
    assert h[["year", "quantity"]].values.tolist() == [[2021, 9000], [2022, 8100]]
    fee = r.charges[r.charges.kind == "use_fee"]  # the new term's fee on the renewed 9 t, at 10 yuan/t
    assert fee[["year", "quantity", "amount_fen"]].values.tolist() == [[2021, 10_000, 10_000], [2022, 9000, 9000]]
    assert kpi(r, "renewed", 2022) == 1.0 and st.paid[0].tolist() == [0]


def test_e4_existing_units_are_exempt_during_the_reform_then_pay_in_phases():
    """E4: reform 2 years (2021–2022) exempt; phase-in over 2 years: 2023 pays ⌈10,001/2⌉ = 5,001 kg, 2024 the
    remaining 5,000 kg, at the base price 100 ticks/kg (1 fen per kg)."""
    s = scenario([unit("old", 10.001, participation=0)], years=4, validity_years=10,
                 fees={"reform_years": 2, "phase_in_years": 2})
    r = run(s)
    fee = r.charges[r.charges.kind == "use_fee"]
    assert fee[["year", "quantity", "amount_fen"]].values.tolist() == [[2023, 5001, 5001], [2024, 5000, 5000]]
    assert kpi(r, "unpaid_NOx", 2022) == 10_001 and kpi(r, "unpaid_NOx", 2024) == 0


def test_e4_new_project_buys_its_permit_on_the_market_and_it_is_paid(monkeypatch):
    """E4: a new project starts with no rights and buys its permitted 8 t on the market (it can hardly abate:
    it bids the price cap); what it buys is paid (E5) and it emits within its rights (no E12 excess)."""
    s = scenario([unit("old", 30, unabated_t=10), unit("project", 8, kind="new_project", max_share="0.000001")],
                 validity_years=5)
    r, st = run(s, monkeypatch=monkeypatch)
    h = r.holdings
    assert h[h.holder == 1].quantity.tolist() == [8_000]
    assert st.paid[0].tolist() == [0, 8_000]
    assert kpi(r, "excess_NOx") == 0 and (r.trades.buyer == 1).all()


def test_e4_major_project_buys_from_the_reserve_by_directed_negotiation():
    """E4: a major project short 5 t buys from the reserve by directed negotiation within [base, 1.5 × base]
    = [100, 150] ticks/kg: its value (the cap) and the reserve's cost (the base) overlap on the whole band, the
    Nash split with power 0.5 and no noise gives 125 ticks; 5,000 kg cost 6,250 fen, paid to the fiscal
    account (收支两条线, E9)."""
    s = scenario([unit("major", 5, kind="major_project", max_share="0.000001")],
                 reserve={"enabled": True, "budget_yuan_per_year": 0, "initial_t": {"NOx": 10},
                          "directed": {"max_multiple_of_base": 1.5, "noise_sd_share": 0}})
    r = run(s)
    t = r.trades
    assert t[["mechanism", "seller", "buyer", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [
        ["directed", RES, 0, 5000, 125, 6250]]
    assert kpi(r, "reserve_income") == 62.5 and kpi(r, "reserve_stock_NOx") == 5000


# ------------------------------------------------------------------------------------------------ E6, E7
def test_e6_off_platform_attempts_are_rejected():
    """E6: bilateral deals off the platform are refused: every attempt is recorded ``off_platform`` and no
    trade other than the platform's mechanisms exists."""
    s = scenario([unit("seller", 20, unabated_t=10, participation=0), unit("buyer", 10, unabated_t=15, b=1000,
                                                                           participation=0)],
                 sessions=12, market={"off_platform_attempts_per_session": 3})
    r = run(s)
    rej = r.orders_rejected
    assert len(rej) > 10 and set(rej.reason) == {"off_platform"} and (rej.trader == 1).all()
    assert r.trades.empty
    assert kpi(r, "off_platform_rejections") == len(rej)


def test_e7_cross_sector_bids_are_not_eligible_and_units_learn_the_rule():
    """E7: an industrial unit lists 5 lots of 2 t; a services unit short 2 t registers for the first it
    values, is refused ``not_eligible``, and stays away from the others; nothing trades. Without the sector
    rule the same services unit buys its 2 t at the floor."""
    groups = [unit("seller", 10, unabated_t=5), unit("hotel", 10, unabated_t=12, b=1000, sector="services")]
    r = run(scenario(groups, mechanism="listing", market={"lot_t": 1, "max_orders_per_side": 5}))
    rej = r.orders_rejected
    assert rej[["trader", "side", "quantity", "reason"]].values.tolist() == [[1, "buy", 2000, "not_eligible"]]
    assert r.trades.empty and kpi(r, "not_eligible_rejections") == 1
    r2 = run(scenario(groups, mechanism="listing",
                      market={"lot_t": 1, "max_orders_per_side": 5, "same_sector_only": False}))
    assert r2.trades[["relation", "quantity", "price_ticks"]].values.tolist() == [["industry->services", 2000, 100]]


# ------------------------------------------------------------------------------------------------ E8, E9
def test_e8_reserve_buys_back_at_a_multiple_of_the_base_price_within_target_and_budget():
    """E8: buy-back at 1.5 × base = 150 ticks/kg, target 5 t a year, budget 1,000 yuan: the seller's surplus
    asks (at the floor) are bought 5 t for 7,500 fen; the unpaid rights back-pay 50 yuan (E5); the reserve's
    cash is budget − spending = 925 yuan."""
    s = scenario([unit("seller", 20, unabated_t=5)], market={"lot_t": 1, "max_orders_per_side": 20},
                 reserve={"enabled": True, "budget_yuan_per_year": 1000,
                          "buyback": {"price_multiple_of_base": 1.5, "max_t_per_year": {"NOx": 5}}})
    r = run(s)
    t = r.trades
    assert t.mechanism.unique().tolist() == ["reserve"] and (t.buyer == RES).all() and (t.price_ticks == 150).all()
    assert t.quantity.sum() == 5000 and t.amount_fen.sum() == 7500
    res = r.reserve
    assert res[res.action == "buy"].amount_fen.sum() == 7500
    assert kpi(r, "reserve_spending") == 75.0 and kpi(r, "reserve_cash") == 925.0
    assert kpi(r, "back_payment_revenue_NOx") == 50.0


def test_e8_reserve_releases_by_listing_only_to_strategic_and_major_projects():
    """E8: the reserve lists 3 lots of 1 t at the base price; a strategic project short 2 t and an existing
    unit short 2 t both want them. The existing unit is refused (``not_eligible``) once and stays away; the
    strategic project, the lone registrant, takes two lots at the start price; the third is unsold. The
    income (2 × 1,000 fen) goes to the fiscal account."""
    s = scenario([unit("strategic", 2, kind="strategic", max_share="0.000001"),
                  unit("old", 10, unabated_t=12, b=1000)],
                 reserve={"enabled": True, "budget_yuan_per_year": 0, "initial_t": {"NOx": 3},
                          "release": {"lot_t": 1, "max_lots_per_round": 3}})
    r = run(s)
    t = r.trades
    assert t[["mechanism", "seller", "buyer", "quantity", "price_ticks"]].values.tolist() == [
        ["listing", RES, 0, 1000, 100]] * 2
    assert r.orders_rejected[["trader", "reason"]].values.tolist() == [[1, "not_eligible"]]
    assert r.reserve[r.reserve.action == "release"].amount_fen.tolist() == [1000, 1000]
    assert kpi(r, "reserve_income") == 20.0 and kpi(r, "reserve_stock_NOx") == 1000


def test_e9_closure_reclaims_unpaid_rights_free():
    """E9: a unit with 10 t of unpaid rights closes at the start of 2022: the reserve reclaims them free."""
    s = scenario([unit("closing", 10, participation=0, closure_rate_per_year=1)], years=2, validity_years=5,
                 reserve={"enabled": True, "budget_yuan_per_year": 0})
    r = run(s)
    rec = r.reserve[r.reserve.action == "reclaim"]
    assert rec[["year", "quantity", "amount_fen", "stock"]].values.tolist() == [[2022, 10_000, 0, 10_000]]
    assert kpi(r, "closures", 2022) == 1 and kpi(r, "active_units", 2022) == 0


def test_e9_closed_units_paid_rights_are_bought_by_the_reserve_then_sold_on_the_market():
    """E9: paid rights (use fee paid in 2021) of a unit closing in 2022: the reserve buys what its cash
    affords at the buy-back price (50 yuan / 100 ticks/kg = 5 t); the closed unit sells the other 5 t on the
    market to a unit short of rights; nothing is reclaimed free."""
    s = scenario([unit("closing", 10, b=1_000_000, participation=1, closure_rate_per_year=1),
                  unit("buyer", 10, unabated_t=16, b=1000)], years=2, validity_years=5,
                 fees={"reform_years": 0, "phase_in_years": 1}, market={"lot_t": 1, "max_orders_per_side": 10},
                 reserve={"enabled": True, "budget_yuan_per_year": 50})
    r = run(s)
    res = r.reserve
    assert res[res.action == "buy"][["year", "quantity", "price", "amount_fen"]].values.tolist() == [
        [2022, 5000, 0.01, 5000]]
    assert res[res.action == "reclaim"].empty
    sold = r.trades[(r.trades.seller == 0) & (r.trades.buyer == 1)]
    assert sold.year.unique().tolist() == [2022] and sold.quantity.sum() == 5000
    assert r.charges[(r.charges.kind == "use_fee") & (r.charges.year == 2022)].empty  # paid: no back-payment


def test_e9_reserve_income_and_spending_are_kept_apart_and_reconcile():
    """E9 收支两条线: sale income goes straight to the fiscal account and never funds buy-backs; spending comes
    from the budget. Reserve cash = budget − spending exactly; the fiscal account = use fees + penalties +
    income − budgets."""
    s = scenario([unit("seller", 20, unabated_t=5), unit("strategic", 3, kind="strategic", max_share="0.000001")],
                 years=2, sessions=4, validity_years=5, market={"lot_t": 1, "max_orders_per_side": 20},
                 reserve={"enabled": True, "budget_yuan_per_year": 30, "initial_t": {"NOx": 2},
                          "buyback": {"max_t_per_year": {"NOx": 4}}, "release": {"every_sessions": 2}})
    r = run(s)
    res = r.reserve
    income = res[res.action == "release"].amount_fen.sum()
    spending = res[res.action == "buy"].amount_fen.sum()
    assert income > 0 and spending > 0
    assert kpi(r, "reserve_income") * 100 == income and kpi(r, "reserve_spending") * 100 == spending
    assert kpi(r, "reserve_budget") == 60.0
    assert kpi(r, "reserve_cash") * 100 == 6000 - spending and kpi(r, "reserve_balance_gap") == 0
    c = r.charges
    to_fiscal = c[(c.payee == FISCAL)].amount_fen.sum()
    assert fiscal_kpi(r, "fiscal_balance") * 100 == to_fiscal + income - 6000


# ------------------------------------------------------------------------------------------------ E10
def test_e10_lease_moves_rights_for_the_term_with_rent_and_returns_them():
    """E10: a 2-year lease. The lessor (permit 20 t, emits 10 t) offers half its 10 t surplus; the lessee
    (permit 10 t, emits 13 t, cost 1,000·Z²) bids its yearly MAC, 5,000/3,000/1,000 yuan/t for its 3 missing
    tonnes. The rent call auction clears 3 t at the midpoint of [1 tick, 10,000 ticks] = 5,000 ticks/kg
    (500 yuan/t): 1,500 yuan a year, in 2021 and 2022; the rights come back at the end of 2022."""
    s = scenario([unit("lessor", 20, unabated_t=10, participation=0, lease_participation=1),
                  unit("lessee", 10, unabated_t=13, b=1000, participation=0, lease_participation=1)],
                 years=2, validity_years=5, market={"lot_t": 1, "max_orders_per_side": 5},
                 lease={"enabled": True, "offer_share_of_surplus": 0.5, "term_years": 2})
    r = run(s)
    rent = r.charges[r.charges.kind == "rent"]
    assert rent[["year", "holder", "payee", "quantity", "rate_ticks", "amount_fen"]].values.tolist() == [
        [2021, 1, 0, 3000, 5000, 150_000], [2022, 1, 0, 3000, 5000, 150_000]]
    h = r.holdings.pivot_table(index="year", columns="holder", values="quantity")
    assert h.loc[2021].tolist() == [17_000, 13_000] and h.loc[2022].tolist() == [20_000, 10_000]
    assert kpi(r, "excess_NOx", 2021) == 0 and r.trades.empty


def test_e10_mortgage_pledges_rights_without_moving_them_and_blocks_their_sale():
    """E10: a unit pledges all its 10 t (value 10,000 fen at the base price) for a loan of 70 % = 7,000 fen at
    3.85 % (interest 269.5 → 270 fen); the rights stay with it; its asks are rejected ``pledged``; at the
    term end it repays 7,270 fen to the bank."""
    s = scenario([unit("borrower", 10, unabated_t=5, mortgage_rate_per_year=1),
                  unit("buyer", 10, unabated_t=12, b=1000)], market={"lot_t": 1, "max_orders_per_side": 5},
                 mortgage={"pledge_share": 1, "loan_to_value": 0.7, "interest_rate": 0.0385, "term_years": 1})
    r = run(s)
    c = r.charges
    loans = c[c.kind.isin(["loan", "loan_repayment", "interest"])]
    assert loans[["kind", "holder", "payee", "quantity", "amount_fen"]].values.tolist() == [
        ["loan", ECONOMY, 0, 10_000, 7000], ["loan_repayment", 0, ECONOMY, 10_000, 7000],
        ["interest", 0, ECONOMY, 0, 270]]
    rej = r.orders_rejected
    assert (rej.reason == "pledged").all() and (rej.trader == 0).all() and len(rej) > 0
    assert r.trades.empty and r.holdings[r.holdings.holder == 0].quantity.tolist() == [10_000]
    assert kpi(r, "mortgage_loans") == 1 and kpi(r, "mortgage_credit") == 70.0


# ------------------------------------------------------------------------------------------------ E12, E13
def test_e12_emitting_beyond_rights_pays_the_fine_and_e13_notice_goes_out_first():
    """E13: a new project that still lacks its 5 t permit on the notice day gets a notice (amount 0, quantity
    5,000 kg, to the government). E12: it cannot abate nor buy (no seller), so it emits 5 t beyond its rights
    and pays 200,000 yuan + 100 yuan/t × 5 t = 200,500 yuan to the fiscal account."""
    s = scenario([unit("project", 5, kind="new_project", max_share="0.000001")], periods=12,
                 compliance={"penalty_fixed_yuan": 200000, "penalty_yuan_per_t": 100, "notice_day_of_year": 273})
    r = run(s)
    c = r.charges
    notice = c[c.kind == "notice"]
    assert notice[["time", "holder", "payee", "quantity", "amount_fen"]].values.tolist() == [
        [303, 0, GOVERNMENT, 5000, 0]]  # the first period end on or after day 273 (end of October)
    pen = c[c.kind == "penalty"]
    assert pen[["holder", "payee", "quantity", "rate_ticks", "amount_fen"]].values.tolist() == [
        [0, FISCAL, 5000, 1000, 20_050_000]]
    assert kpi(r, "excess_NOx") == 5000 and kpi(r, "violators_NOx") == 1 and kpi(r, "notices") == 1


def test_e12_a_unit_abates_rather_than_pay_a_dearer_fine():
    """E12: short 2 t with cost 2·Z² yuan (8 yuan) against a 200,000 yuan fine: it abates 2 t, no penalty."""
    r = run(scenario([unit("firm", 10, unabated_t=12, participation=0)]))
    assert kpi(r, "abatement_NOx") == 2000 and kpi(r, "excess_NOx") == 0
    assert (r.charges.kind == "penalty").sum() == 0 and kpi(r, "abatement_cost_NOx") == 8.0


# ------------------------------------------------------------------------------------------------ E14
def carbon_emitter(name, b):
    g = unit(name, 1, participation=1)
    g["carbon"] = {"emission_t": {"type": "constant", "value": 1000},
                   "abatement": {"type": "quadratic", "b_yuan_per_t2": b}}
    return g


def test_e14_allowances_are_allocated_and_surrendered_with_a_fine_on_shortfalls():
    """E14: 2 key emitters of 1,000 t CO2 get 90 % = 900 t free. X (cost 0.1·Z²) abates its 100 t shortfall
    (MAC 20 yuan/t). Y (cost 10·Z²) abates while its MAC is below the fine 5 × 60 = 300 yuan/t — 15 t — and
    pays 300 yuan/t on the other 85 t: 25,500 yuan. Both surrender 900 t (retired to ``consumed``)."""
    carbon = {"allocation_share": 0.9, "penalty_multiple_of_price": 5, "reference_price_yuan_per_t": 60,
              "trade": False}
    r = run(scenario([carbon_emitter("X", "0.1"), carbon_emitter("Y", 10)], carbon=carbon))
    assert kpi(r, "carbon_allocated") == 1_800_000 and kpi(r, "carbon_surrendered") == 1_800_000
    pen = r.charges[(r.charges.kind == "penalty")]
    assert pen[["holder", "product", "quantity", "rate_ticks", "amount_fen"]].values.tolist() == [
        [1, "emission.carbon", 85_000, 3000, 2_550_000]]
    assert kpi(r, "carbon_shortfall") == 85_000 and kpi(r, "carbon_compliance_rate") == 0.5


def test_e14_allowance_trading_lets_both_emitters_comply_at_least_cost():
    """E14 with trading (1 t steps): X sells Y 98 t (X's 98th extra tonne costs 39.5 yuan, Y's 98th bought
    tonne saves 50; the 99th: 39.7 > 30). Both comply; abatement 198 t + 2 t costs 0.1·198² + 10·2² =
    3,960.4 yuan instead of 1,000 + 2,250 + the 25,500 yuan fine."""
    carbon = {"allocation_share": 0.9, "lot_t": 1, "max_orders_per_side": 1000}
    r = run(scenario([carbon_emitter("X", "0.1"), carbon_emitter("Y", 10)], carbon=carbon))
    t = r.trades[r.trades["product"] == "emission.carbon"]
    assert t[["seller", "buyer", "quantity"]].values.tolist() == [[0, 1, 98_000]]
    assert kpi(r, "carbon_shortfall") == 0 and kpi(r, "carbon_compliance_rate") == 1.0
    assert kpi(r, "carbon_abatement_cost") == pytest.approx(3960.4)


# ------------------------------------------------------------------------------------------------ default
def test_default_scenario_conserves_everything_and_is_deterministic():
    """The Dawukou default (2 years): conservation after every period (check=True), no pollutant trade below
    its base price (E3), reserve income and spending reconcile (E9), the same seed gives identical tables."""
    s = load_scenario(run_module.__file__.replace("src/rights_market/engine/run.py", "scenarios/dawukou_emission.yaml"),
                      ["calendar.years=2"])
    a = simulate(s, seed=11, check=True)
    b = simulate(s, seed=11)
    for name in ("trades", "charges", "reserve", "kpis", "orders_rejected", "holdings"):
        assert a.tables[name].equals(b.tables[name]), name
    t = a.trades[a.trades["product"] != "emission.carbon"]
    base = {"emission.NOx": 20_000, "emission.SO2": 20_000, "emission.COD": 40_000, "emission.NH3-N": 120_000}
    assert len(t) > 50 and (t.price_ticks >= t["product"].map(base)).all()
    assert set(t.mechanism) <= {"listing", "reserve", "directed"}
    assert kpi(a, "reserve_balance_gap") == 0
    assert np.isfinite(kpi(a, "mean_price_NOx"))
    assert CONSUMED not in a.trades.buyer.tolist()


def test_e4_entry_year_is_for_projects_only():
    """E4: an existing unit emits from the first year; giving it an entry year is a scenario error."""
    with pytest.raises(ValueError, match="entry_year is for projects"):
        scenario([unit("old", 10, entry_year=2023)])
