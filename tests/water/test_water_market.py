"""The water use rights market end to end: rules W1–W3, W5–W7, W9, W11, W12, W16; conservation; determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import CHEAP_SAVING, two_holder_water
from rights_market import simulate
from rights_market.ledger import COLLECTIVE, FISCAL, SUPPLIER
from rights_market.rights.water.descriptor import RESERVE


def test_w1_confirmed_rights_never_exceed_the_cap(small_water):
    """W1: confirmed volumes of the district stay within the cap (scaled down if the draws exceed it)."""
    for cap in (3_500_000, 1_000_000):
        s = small_water.model_copy(update={"water": small_water.water.model_copy(update={"cap_m3": cap})})
        r = simulate(s, seed=3)
        k = r.kpis
        confirmed = k[(k.metric == "confirmed")]["value"]
        reserve = k[(k.metric == "reserve_rights")]["value"]
        assert (confirmed.to_numpy() + reserve.to_numpy() <= cap).all()
    assert any("scaled down" in n for n in r.notes)


def test_w3_w11_call_auction_trades_the_declared_surplus_at_the_uniform_price():
    """W3 + W11: the farmer's surplus (1,000 − plan 500) meets the firm's shortfall (200 m³).

    Reservation prices (design principle 8): the farmer's unused surplus is worth nothing to it, so its
    truthful ask is the 0.01 yuan guard; the firm's bid is the larger of the net value of its top m³
    (10.00 − tariff 3.30 = 6.70) and the surcharge it avoids (band 3 × 1.65 = 4.95): 6.70. The call
    auction's volume-maximising prices are [0.01, 6.70]; the midpoint is 3.355 yuan/m³; 200 m³ cost
    671.00 yuan.
    """
    r = simulate(two_holder_water(), seed=1)
    t = r.trades
    assert len(t) == 1
    row = t.iloc[0]
    assert (row.seller, row.buyer, row.quantity, row.price_ticks, row.amount_fen) == (0, 1, 200, 33550, 67100)
    assert row.mechanism == "call" and row.relation == "agriculture->industry"
    assert row.base_price == pytest.approx(1.081)  # W5: the relation's base price is recorded


def test_w7_farmer_selling_to_industry_keeps_the_set_share():
    """W7: sold to industry the farmer keeps 70 % (default); 30 % of 671.00 = 201.30 yuan goes to the
    collective."""
    r = simulate(two_holder_water(), seed=1)
    c = r.charges
    share = c[c.kind == "proceeds_share"]
    assert share[["holder", "payee", "amount_fen"]].values.tolist() == [[0, COLLECTIVE, 20130]]


def test_w7_inside_agriculture_the_farmer_keeps_everything():
    """W7: the buyer is a farm (no over-use allowance, so it buys rather than pay the tiny W8 mark-up)."""
    s = two_holder_water(water__groups__1__sector="agriculture", water__groups__1__max_overuse_share=0.0)
    r = simulate(s, seed=1)
    assert len(r.trades) == 1
    assert (r.charges.kind == "proceeds_share").sum() == 0


def test_w9_over_plan_use_is_billed_band_by_band_to_the_fiscal_account():
    """W9 in the engine: without a market the firm (plan 1,000, need 1,200) uses 1,200 m³ (its 50 %
    over-use allowance covers it) and pays +50 % then +100 % of 3.30 yuan on bands 1 and 2."""
    s = two_holder_water(water__groups__0__participation=0.0)
    r = simulate(s, seed=1)
    c = r.charges
    sur = c[(c.kind == "surcharge") & (c.holder == 1)].sort_values("band")
    assert sur[["band", "quantity", "amount_fen", "payee"]].values.tolist() == [
        [1, 100, 16500, FISCAL], [2, 100, 33000, FISCAL]
    ]
    tariff = c[(c.kind == "tariff") & (c.holder == 1)]
    assert tariff[["quantity", "amount_fen", "payee"]].values.tolist() == [[1200, 396000, SUPPLIER]]


def test_w9_buying_rights_raises_the_plan_and_avoids_the_surcharge():
    r = simulate(two_holder_water(), seed=1)
    c = r.charges
    assert ((c.kind == "surcharge") & (c.holder == 1)).sum() == 0


def test_w6_industry_pays_the_use_fee_and_farmers_are_exempt():
    """W6: industrial rights pay 0.10 yuan/m³ a year (default); farmers are exempt through 2025."""
    s = two_holder_water(calendar={"start_year": 2025, "years": 2, "periods_per_year": 1, "sessions_per_year": 1},
                         water__fees={"industrial_use_fee_yuan_per_m3": "0.10",
                                      "agricultural_use_fee_yuan_per_m3": "0.02",
                                      "farmer_fee_exempt_until_year": 2025})
    r = simulate(s, seed=1)
    fees = r.charges[r.charges.kind == "use_fee"]
    assert fees[["year", "holder", "amount_fen"]].values.tolist() == [
        [2025, 1, 10000], [2026, 0, 2000], [2026, 1, 10000]
    ]


def test_w2_industrial_rights_return_to_the_reserve_at_expiry():
    """W2: an industrial right ends after its term and goes to the reserve; agriculture is re-verified."""
    s = two_holder_water(
        calendar={"start_year": 2021, "years": 3, "periods_per_year": 1, "sessions_per_year": 1},
        water__validity={"industry": 2, "agriculture": 2, "reverify_keep_share": "0.9"},
    )
    r = simulate(s, seed=1)
    res = r.reserve
    reclaim = res[res.action == "reclaim"]
    assert reclaim[["year", "product", "quantity"]].values.tolist() == [[2022, "water.right", 1000]]
    k = r.kpis
    assert k[(k.metric == "reserve_rights")]["value"].tolist() == [0, 1000, 1000]
    h = r.holdings
    farmer_2023 = h[(h.holder == 0) & (h["product"] == "water.right") & (h.year == 2023)]["quantity"]
    assert farmer_2023.tolist() == [900]


def test_w12_dry_year_release_goes_to_protected_sectors_first():
    """W12: in a dry year the reserve releases its stock by sector priority at the base price."""
    s = two_holder_water(
        weather={"type": "sequence", "states": {"dry": {"deliverable_share": "0.5", "need_factor": 1.0}},
                 "sequence": ["dry"]},
        water__reserve={"initial_rights_m3": 1000, "budget_yuan_per_year": 0,
                        "rules": [{"type": "dry_year_release", "below_share": "1", "priority": ["industry"]}]},
    )
    r = simulate(s, seed=1)
    rel = r.reserve[r.reserve.action == "release"]
    # reserve annual stock: 1,000 × 0.5 = 500 m³; the firm holds 500 and needs 1,200 -> gets all 500
    assert rel[["quantity", "stock"]].values.tolist() == [[500, 0]]
    t = r.trades[r.trades.mechanism == "reserve"]
    assert t[["seller", "buyer", "quantity", "price_ticks"]].values.tolist() == [[RESERVE, 1, 500, 10810]]


def test_w12_reserve_stock_kpi_is_the_stock_at_the_year_end_before_it_expires():
    """W12: the reserve's unsold annual water (1,000 m³ of rights × share 1, no rule sells it) is its
    ``reserve_stock`` at the year end; the same quantity then expires (``expire`` in the reserve table)."""
    s = two_holder_water(water__reserve={"initial_rights_m3": 1000, "budget_yuan_per_year": 0, "rules": []})
    r = simulate(s, seed=1, check=True)
    k = r.kpis
    assert k[k.metric == "reserve_stock"]["value"].tolist() == [1000]
    assert r.reserve[r.reserve.action == "expire"][["quantity", "stock"]].values.tolist() == [[1000, 0]]


def test_w12_reserve_buys_below_trigger_within_its_cash(small_water):
    water = small_water.water.model_copy(deep=True)
    s = small_water.model_copy(update={"water": water})
    r = simulate(s, seed=5)
    res = r.reserve
    assert (res.cash_fen >= 0).all(), "the reserve never spends more than its cash"
    buys = res[res.action == "buy"]
    assert len(buys) > 0  # the scenario's trigger: 0.8 × the reserve's base price 1.081 = 0.8648 yuan/m³
    assert (buys.price <= 0.8648 + 1e-12).all()


def test_w16_hoarding_orders_are_rejected_with_a_reason():
    """W16: a purchase that would take a holder above the holding limit is rejected and recorded."""
    s = two_holder_water(water__supervision={"max_holding_share_of_cap": "0.1"})  # limit 1,000 m³
    r = simulate(s, seed=1)
    rej = r.orders_rejected
    assert rej[["trader", "side", "quantity", "reason"]].values.tolist() == [[1, "buy", 200, "over_holding_limit"]]
    assert len(r.trades) == 0


def test_w16_protected_water_is_not_sold_to_industry():
    s = two_holder_water(water__groups__0__sector="domestic",
                         water__market={"mechanism": {"type": "call"},
                                        "negotiation": {"pairs_per_session": 1}})
    r = simulate(s, seed=1)
    assert len(r.trades) == 0
    assert r.orders_rejected.reason.tolist() == ["protected_use"]


def test_conservation_of_every_right_and_every_yuan_after_every_period(small_water):
    """Accounts.check() runs after every billing period and year end (check=True) and at the end."""
    r = simulate(small_water, seed=11, check=True)
    assert len(r.trades) > 0
    # and the records agree with one another: fiscal income = surcharges + use fees - reserve budgets
    c = r.charges
    fiscal_in = int(c.loc[c.payee == FISCAL, "amount_fen"].sum())
    budgets = int(r.reserve.loc[r.reserve.action == "budget", "amount_fen"].sum())
    k = r.kpis
    sur = round(k.loc[k.metric == "surcharge_revenue", "value"].sum() * 100)
    fees = int(c.loc[c.kind == "use_fee", "amount_fen"].sum())
    assert fiscal_in == sur + fees
    assert budgets == 3 * 500_000 * 100


def test_no_trade_below_zero_or_with_oneself(small_water):
    r = simulate(small_water, seed=2)
    t = r.trades
    assert (t.quantity > 0).all() and (t.price_ticks > 0).all()
    assert (t.seller != t.buyer).all()
    assert (t.amount_fen == (t.quantity * t.price_ticks + 50) // 100).all()


def test_same_seed_same_ledger_and_different_seed_differs(small_water):
    a = simulate(small_water, seed=7)
    b = simulate(small_water, seed=7)
    c = simulate(small_water, seed=8)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)
    assert not a.trades.equals(c.trades)


def test_efficiency_is_a_share_of_the_maximum_gains(small_water):
    r = simulate(small_water, seed=4)
    eff = r.kpis[r.kpis.metric == "efficiency"]["value"].to_numpy()
    assert np.all((eff > 0) & (eff <= 1.0 + 1e-12))


def test_efficiency_of_a_competitive_two_holder_market_is_one():
    """All 200 m³ of possible gains ((10.00 − 0.50) × 200) are realised by the call auction."""
    r = simulate(two_holder_water(), seed=1)
    k = r.kpis
    assert k.loc[k.metric == "efficiency", "value"].tolist() == [1.0]


def test_w4_savings_from_retrofits_are_sold_in_term_deals_at_the_present_value_and_return():
    """W4 (and W13: the saving farm gets the proceeds): at the end of 2021 the farm invests in saving: a
    saved m³ is worth at least tariff + the 1.081 yuan/m³ industry expects to pay, and the annualised
    cost at 6 % over 10 years is at most 2 / 7.3601 = 0.27 yuan, so it saves the most it can, half its
    reference use: 250 m³ (capital 250 × 1 + 1 × 250² / (2 × 250) = 375 yuan). Its 250 m³ of freed
    right meet the firm's structural shortfall of 200 m³ (plans 1,200 over 1,000 confirmed). The term
    price is the present value of the expected 1.081 yuan a year over 2 years at 6 %: 1.081 × 1.833393
    = 1.9818 yuan per m³ of annual right → 200 m³ for 396.36 yuan. The right goes back at the end of 2023,
    when the firm is short again and the farm's remaining 50 m³ of saving are sold the same way."""
    s = two_holder_water(
        calendar={"start_year": 2021, "years": 3, "periods_per_year": 1, "sessions_per_year": 1},
        water__groups__0__participation=0.0, water__groups__0__saving=CHEAP_SAVING,
        water__long_term={"enabled": True, "term_years": 2, "pairs_per_year": 1},
    )
    r = simulate(s, seed=1, check=True)
    t = r.trades[r.trades["product"] == "water.right"]
    assert t[["year", "seller", "buyer", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [
        [2021, 0, 1, 200, 19818, 39636], [2023, 0, 1, 50, 19818, 9909]
    ]
    k = r.kpis
    assert k[k.metric == "saving_invested"]["value"].tolist() == [250.0, 0.0, 0.0]
    assert k[k.metric == "saving_capital"]["value"].tolist() == [375.0, 0.0, 0.0]
    h = r.holdings[r.holdings["product"] == "water.right"]
    firm = h[h.holder == 1].set_index("year")["quantity"].to_dict()
    assert firm == {2021: 1000, 2022: 1200, 2023: 1200}
    assert (r.charges.kind == "proceeds_share").sum() == 0  # W13: the whole saving proceeds go to the farm


def test_w4_no_saving_where_it_does_not_pay():
    """W4: the same farm with a capital cost of 20 yuan per m³/yr (2.72 yuan a year at 6 % over 10 years)
    against a saved m³ worth 1.11 yuan to it saves nothing, and no term deal is made."""
    dear = {**CHEAP_SAVING, "capital_yuan_per_m3": 20, "capital_at_max_yuan_per_m3": 40}
    s = two_holder_water(water__groups__0__participation=0.0, water__groups__0__saving=dear,
                         water__long_term={"enabled": True, "term_years": 2, "pairs_per_year": 1})
    r = simulate(s, seed=1, check=True)
    assert r.kpis[r.kpis.metric == "saving_invested"]["value"].tolist() == [0.0]
    assert (r.trades["product"] == "water.right").sum() == 0


def test_w2_w4_expiry_of_an_industrial_right_leaves_term_deals_running():
    """W2 + W4: the firm's own right expires into the reserve while a term deal it bought still runs;
    only its own 1,000 m³ are reclaimed and the leased 200 m³ go back to the farm at the deal's end."""
    s = two_holder_water(
        calendar={"start_year": 2021, "years": 3, "periods_per_year": 1, "sessions_per_year": 1},
        water__groups__0__participation=0.0, water__groups__0__saving=CHEAP_SAVING,
        water__validity={"industry": 2},
        water__long_term={"enabled": True, "term_years": 2, "pairs_per_year": 1},
    )
    r = simulate(s, seed=1, check=True)
    reclaim = r.reserve[r.reserve.action == "reclaim"]
    assert reclaim[["year", "quantity"]].values.tolist() == [[2022, 1000]]


def test_zip_is_refused_for_water_groups_with_a_located_reason():
    """ZIP learns shout by shout; water groups quote once a session, so the scenario is refused up front."""
    from conftest import SCENARIOS
    from rights_market import load_scenario
    from rights_market.scenario import ScenarioError

    with pytest.raises(ScenarioError) as err:
        load_scenario(SCENARIOS / "dawukou_water.yaml", ["water.groups.0.behaviour.type=zip"])
    (problem,) = err.value.problems
    assert problem.path == "water.groups.0.behaviour" and "shout-by-shout" in problem.message
    assert problem.line is not None
