"""The forest market on the engine: F1, F2, F3, F5, F6, F7, F8, F9, F10; conservation; determinism."""

from __future__ import annotations

import copy
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from conftest import SCENARIOS
from rights_market import load_scenario, simulate
from rights_market.ledger import COLLECTIVE, ECONOMY, FISCAL, GOVERNMENT
from rights_market.rights.catalogue import RESERVES
from rights_market.rules.forest import annuity_factor
from rights_market.scenario.model import Scenario

QUIET = {  # a forest section with every moving part off; tests switch on what they look at
    "zones": [{"name": "farm_forest", "area_mu": 1000, "manager": "forest_farm", "parcel_mu": 500,
               "stock_m3_per_mu": 4}],
    "households": {"count": 0}, "operators": {"count": 0}, "firms": {"count": 0},
    "farm": {"planting_mu_per_year": 0, "plantable_mu": 10000, "survival": {"mean": 1, "sd": 0},
             "growth": {"rate_mean": 0, "rate_sd": 0}},
    "funds": {"concessions": [], "under_forest_lease_share": 0},
    "energy": {"lots_per_year": 0}, "land": {"lots_per_year": 0},
    "credit": {"enabled": False}, "reserve": {"budget_yuan_per_year": 0},
    "trading": {"transfer_rate_per_year": 0, "retransfer_rate_per_year": 0},
}


def forest(years: int = 1, sessions: int = 4, **changes) -> Scenario:
    """A small forest scenario: QUIET plus ``changes`` (``a__b=v`` sets forest.a.b = v)."""
    data = copy.deepcopy(QUIET)
    for dotted, value in changes.items():
        node = data
        parts = dotted.split("__")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return Scenario.model_validate({
        "name": "forest_test", "calendar": {"start_year": 2021, "years": years, "periods_per_year": 1,
                                            "sessions_per_year": sessions},
        "forest": data,
    })


def two_household_market(mechanism: str, term: int = 10, value: float = 150, **changes) -> Scenario:
    """One household (50 mu at 4 m³/mu, own value 20 yuan/mu/yr) that puts its right on the market in the
    first session, two operators valuing it ``value`` yuan/mu/yr; only ``mechanism`` is used; no noise.

    Hand numbers for a 10-year term at 5 % (a = 7.7217349...): the appraisal (F4) is 101,783 ticks per
    0.01 mu (see test_forest_rules), the household's reservation ⌊20 × 100 × a⌋ = 15,443 and an operator's
    value ⌊150 × 100 × a⌋ = 115,826."""
    weights = {"negotiation": 0, "listing": 0, "directed": 0, mechanism: 1}
    return forest(households={"count": 1, "parcel_mu": {"low": 50, "high": 50}, "stock_m3_per_mu": {"low": 4, "high": 4},
                              "own_value_yuan_per_mu_year": {"low": 20, "high": 20}},
                  operators={"count": 2, "value_yuan_per_mu_year": {"low": value, "high": value}},
                  sessions=1,
                  trading={"transfer_rate_per_year": 1, "retransfer_rate_per_year": 0, "mechanisms": weights,
                           "term_years": {"min": term, "max": term}, "negotiation": {"noise_sd_share": 0}},
                  **changes)


def term_ticks(yuan_per_mu_year: float, years: int) -> int:
    return int(np.floor(yuan_per_mu_year * 100 * float(annuity_factor(Fraction(5, 100), years))))


APPRAISAL, RESERVATION, VALUE = 101_783, 15_443, 115_826


def test_hand_numbers_of_the_two_household_market():
    assert (term_ticks(20, 10), term_ticks(150, 10)) == (RESERVATION, VALUE)


def test_f1_three_rights_are_separate_records_per_parcel():
    """F1: ownership stays with the collective or the state, the contract right with the household or the
    farm, and only the management right moves when a household transfers (5 households, all transfer)."""
    s = forest(years=2, households={"count": 5}, operators={"count": 3},
               trading={"transfer_rate_per_year": 1, "mechanisms": {"negotiation": 0, "listing": 1, "directed": 0}},
               operators__value_yuan_per_mu_year={"low": 500, "high": 900})
    r = simulate(s, seed=3, check=True)
    h, reg = r.holdings, r.registry
    last = h[h.year == 2022]
    own = last[last["product"] == "forest.ownership"].set_index("holder").quantity
    assert set(own.index) == {GOVERNMENT, COLLECTIVE}
    assert own[GOVERNMENT] == 100_000  # the farm's 1,000 mu of state land
    households = r.holders[r.holders.group == "forest_households"].holder.tolist()
    contract = last[last["product"] == "forest.contract"].set_index("holder").quantity
    assert set(households) <= set(contract.index)  # households keep their contract rights
    assert own[COLLECTIVE] == contract[households].sum()
    sold = r.trades[r.trades["product"] == "forest.management"]
    assert len(sold) > 0 and set(sold.seller) <= set(households)
    mgmt = last[last["product"] == "forest.management"].set_index("holder").quantity
    ops = r.holders[r.holders.group == "forest_operators"].holder.tolist()
    assert mgmt.reindex(ops).fillna(0).sum() == sold.quantity.sum()  # operators manage what they bought ...
    assert contract.reindex(ops).fillna(0).sum() == 0  # ... but hold no contract right
    confirm = reg[reg.event == "confirm"]
    assert len(confirm) == 2 + 5  # one confirmation per parcel: 2 farm parcels, 5 household parcels


def test_f5_listing_starts_at_the_appraisal_and_bids_up_to_the_value():
    """F5 listing (挂牌竞价): start = max(appraisal 101,783, reservation 15,443) = 101,783 ticks; both operators
    register; in the round they raise by 2 % of the start (2,035) until the next step passes their value
    115,826: the price ends within one increment below it."""
    r = simulate(two_household_market("listing"), seed=1, check=True)
    t = r.trades[r.trades["product"] == "forest.management"]
    assert len(t) == 1
    row = t.iloc[0]
    assert (row.mechanism, row.quantity, round(row.base_price * 10_000)) == ("listing", 5_000, APPRAISAL)
    assert VALUE - 2_035 < row.price_ticks <= VALUE
    assert row.relation == "household->operator"


def test_f5_listing_without_a_bidder_above_the_start_is_unsold():
    """F5: operators valuing 100 yuan/mu/yr (77,217 ticks) stay below the appraisal start: ``no_bidder``."""
    r = simulate(two_household_market("listing", value=100), seed=1)
    assert len(r.trades) == 0
    assert r.orders_rejected[["side", "reason"]].values.tolist() == [["sell", "no_bidder"]]


def test_f5_negotiation_splits_the_gain_between_reservation_and_value():
    """F5 negotiation (议价协商): price = 15,443 + ⌊½ (115,826 − 15,443)⌋ = 65,634 ticks per 0.01 mu; 50 mu
    (5,000 units) cost 3,281,700 fen = 32,817 yuan."""
    r = simulate(two_household_market("negotiation"), seed=2, check=True)
    t = r.trades[r.trades["product"] == "forest.management"]
    assert t[["mechanism", "price_ticks", "amount_fen"]].values.tolist() == [["negotiation", 65_634, 3_281_700]]
    assert round(t.iloc[0].base_price * 10_000) == APPRAISAL  # the appraisal is recorded beside the price


def test_f5_directed_transfer_is_the_nash_split_inside_the_bounds():
    """F5 directed (定向出让): bounds [0.9, 1.3] × 101,783 = [91,604, 132,317]; overlap with [cost 15,443,
    value 115,826] is [91,604, 115,826]; the split: 91,604 + ⌊½ × 24,222⌋ = 103,715 ticks."""
    r = simulate(two_household_market("directed"), seed=4, check=True)
    t = r.trades[r.trades["product"] == "forest.management"]
    assert t[["mechanism", "price_ticks"]].values.tolist() == [["directed", 103_715]]


def test_f5_a_failed_transfer_is_a_recorded_rejection():
    """F5: an operator whose value is below the household's reservation cannot agree: ``no_agreement``."""
    s = two_household_market("negotiation", households__own_value_yuan_per_mu_year={"low": 900, "high": 900})
    r = simulate(s, seed=2)
    assert len(r.trades) == 0
    assert r.orders_rejected.reason.tolist() == ["no_agreement"]


@pytest.mark.parametrize(("term", "registered"), [(5, True), (4, False)])
def test_f2_transfer_of_five_years_or_more_is_registered(term, registered):
    """F2: a 5-year transfer is registered (registry event ``register``), a 4-year one is not."""
    r = simulate(two_household_market("listing", term=term), seed=1, check=True)
    reg = r.registry
    assert (reg.event == "transfer").sum() == 1
    assert bool((reg.event == "register").sum() == 1) == registered
    if registered:
        row = reg[reg.event == "register"].iloc[0]
        assert row.term_end == 2021 + term - 1 and row.quantity == 5_000


def test_f1_a_term_ends_and_the_right_reverts_to_the_contract_holder():
    """F1/F5: a 1-year term taken in 2021 ends that year; the right reverts to the household (register event
    ``revert``) and is the household's to transfer again in 2022."""
    s = two_household_market("listing", term=1)
    s = s.model_copy(update={"calendar": s.calendar.model_copy(update={"years": 2})})
    r = simulate(s, seed=1, check=True)
    household = r.holders[r.holders.group == "forest_households"].holder.iloc[0]
    reverts = r.registry[r.registry.event == "revert"]
    assert reverts[["year", "holder", "quantity"]].values.tolist()[0] == [2021, household, 5_000]
    t = r.trades
    assert t[["year", "seller"]].values.tolist() == [[2021, household], [2022, household]]  # it can sell again


def test_f3_a_pledged_right_cannot_be_sold_and_the_loan_is_booked():
    """F3/X3: every household pledges its right at the year start (rate 1) for 50 % of the appraisal; its
    attempt to sell is rejected ``pledged``; interest and repayment go to the bank."""
    s = two_household_market("listing", credit={"enabled": True, "pledge_rate_per_year": 1, "default_rate": 0,
                                                 "term_years": 1, "insurance": {"enabled": False}})
    r = simulate(s, seed=1, check=True)
    assert (r.trades["product"] == "forest.management").sum() == 0
    rej = r.orders_rejected
    assert rej.reason.tolist() == ["pledged"]
    c = r.charges
    loan = c[c.kind == "loan"]
    assert len(loan) == 1 and loan.iloc[0].holder == ECONOMY
    assert (c.kind == "loan_repayment").sum() == 1 and c[c.kind == "loan_repayment"].amount_fen.iloc[0] == loan.amount_fen.iloc[0]
    interest = c[c.kind == "interest"].amount_fen.iloc[0]
    assert interest == (loan.amount_fen.iloc[0] * 435 * 2 + 10_000) // 20_000
    assert list(r.registry[r.registry.event.isin(["pledge", "release"])].event) == ["pledge", "release"]


def test_f3_a_defaulted_loan_sends_the_right_to_the_forest_reserve_which_lists_it_again():
    """F3/X2: with certain default the reserve (林权收储) pays the bank from its own cash and takes the right;
    it lists the right in the next year's sessions."""
    s = two_household_market("listing")
    s = s.model_copy(update={"calendar": s.calendar.model_copy(update={"years": 2, "sessions_per_year": 2})})
    f = s.forest.model_dump()
    f["credit"] = {"enabled": True, "pledge_rate_per_year": 1, "default_rate": 1, "term_years": 1,
                   "insurance": {"enabled": False}}
    f["reserve"] = {"enabled": True, "budget_yuan_per_year": 1_000_000}
    f["trading"]["transfer_rate_per_year"] = 0
    s = Scenario.model_validate({**s.model_dump(), "forest": f})
    r = simulate(s, seed=1, check=True)
    res = r.reserve
    buy = res[res.action == "buy"]
    assert len(buy) == 1 and buy.iloc[0].year == 2021
    loan = r.charges[r.charges.kind == "loan"].amount_fen.iloc[0]
    assert buy.iloc[0].amount_fen == loan  # the reserve had the cash (1,000,000 yuan budget)
    sold = r.trades[r.trades.seller == RESERVES["forest"]]
    assert len(sold) == 1 and sold.iloc[0].year == 2022 and sold.iloc[0].mechanism == "listing"


def test_f10_budget_from_the_fiscal_account_is_12_6_million_plus_650_per_incorporated_mu():
    """F10, default zones: in 2021 the farm receives 12,600,000 + 650 × 2,500 mu = 14,225,000 yuan from the
    fiscal account; planting 8,000 mu at 3,000 yuan/mu = 24,000,000 yuan flows fiscal → farm → contractors."""
    s = forest(zones=[z.model_dump() for z in Scenario.model_validate({"name": "d", "forest": {}}).forest.zones],
               farm={"planting_mu_per_year": 8000, "plantable_mu": 40000, "survival": {"mean": 0.8, "sd": 0}})
    r = simulate(s, seed=1, check=True)
    c = r.charges
    farm = r.holders[r.holders.group == "forest_farm"].holder.iloc[0]
    budget = c[c.kind == "budget"]
    assert budget[["holder", "payee", "quantity", "amount_fen"]].values.tolist() == [[FISCAL, farm, 250_000,
                                                                                      1_422_500_000]]
    pb = c[c.kind == "planting_budget"]
    assert pb[["holder", "payee", "amount_fen"]].values.tolist() == [[FISCAL, farm, 2_400_000_000]]
    assert c[(c.kind == "planting") & (c.holder == farm)].amount_fen.sum() == 2_400_000_000
    k = r.kpis.set_index("metric").value
    # managed: 12,000 gully + 2,500 incorporated + 80 % of 8,000 planted = 20,900 mu
    assert k["managed_area"] == 20_900 and k["survived_area"] == 6_400
    assert k["maintenance_budget"] == 14_225_000
    # need: 12.6 M + 650 × (2,500 + 6,400) = 18,385,000; gap 4,160,000 (new planting enters the budget next year)
    assert k["maintenance_need"] == 18_385_000 and k["maintenance_gap"] == 4_160_000


def test_f10_farm_grows_towards_the_plans_targets(tmp_path):
    """F10 on the default scenario: managed area and growing stock rise every year towards 50,000 mu and
    100,000 m³ by 2025 (within 15 % of both), and the budget grows with the planting."""
    s = load_scenario(SCENARIOS / "dawukou_forest.yaml", ["output.holdings_every=none"])
    r = simulate(s, seed=7, check=True)
    k = r.kpis.pivot_table(index="year", columns="metric", values="value")
    for m in ("managed_area", "growing_stock", "maintenance_budget", "forest_cover"):
        assert (np.diff(k[m].to_numpy()) > 0).all(), m
    assert k.loc[2025, "managed_area"] > 0.85 * 50_000 and k.loc[2025, "growing_stock"] > 0.85 * 100_000
    assert k.loc[2021, "managed_area"] > 12_000


def test_f8_huinong_case_on_the_engine():
    """F8: the Huinong lot — 6,583.62 mu, 42,000,000 yuan of investment at 7,000 yuan/t — sold to the one
    firm short of quota: it pays 42,000,000 yuan, gets 6,000,000 kgce of quota and the management right of the
    6,583.62 mu it planted (100 % survival here) for 30 years, registered (F2); it uses 6,000 t of its 7,000 t
    need at the year end."""
    s = forest(firms={"count": 1, "energy_need_t_per_year": {"low": 7000, "high": 7000},
                      "energy_value_yuan_per_t": {"low": 8000, "high": 8000}},
               energy={"lots": [{"year": 2021, "area_mu": "6583.62", "investment_yuan": 42000000}],
                       "lots_per_year": 0})
    r = simulate(s, seed=1, check=True)
    firm = r.holders[r.holders.group == "forest_firms"].holder.iloc[0]
    t = r.trades[r.trades["product"] == "forest.energy_quota"]
    assert t[["buyer", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [[firm, 6_000_000, 70_000,
                                                                                     4_200_000_000]]
    reg = r.registry
    planted = reg[(reg.event == "afforest") & (reg.holder == firm)]
    assert planted.quantity.sum() == 658_362 and (planted.term_end == 2050).all()
    assert reg[(reg.event == "register") & (reg.holder == firm)].quantity.sum() == 658_362
    k = r.kpis.set_index("metric").value
    assert k["energy_quota_issued"] == 6_000_000 and k["energy_quota_used"] == 6_000_000
    assert k["energy_unmet"] == 1_000_000 and k["energy_quota_cost"] == 7000


def test_f8_surplus_quota_is_auctioned_to_a_firm_short_of_it():
    """F8: a firm whose quota exceeds its need sells the surplus mid-year by listing to a firm that lacks it."""
    s = forest(sessions=4, firms={"count": 2, "energy_need_t_per_year": {"low": 1000, "high": 4000},
                                  "energy_value_yuan_per_t": {"low": 9000, "high": 9000}},
               energy={"lots": [{"year": 2021, "area_mu": 1000, "quota_t_sce": 6000}], "lots_per_year": 0})
    r = simulate(s, seed=5, check=True)
    t = r.trades[r.trades["product"] == "forest.energy_quota"]
    assert t.relation.tolist() == ["afforestation->firm", "firm->firm"]
    first, resale = t.iloc[0], t.iloc[1]
    assert resale.seller == first.buyer and resale.buyer != first.buyer
    assert first.quantity == 6_000_000 and resale.price_ticks >= 70_000


def test_f7_afforestation_earns_three_percent_construction_land():
    """F7: a 1,000 mu lot earns 20,000 m² of construction-land quota; its start price makes the standard
    investment: 3,000,000 yuan / 20,000 m² = 150 yuan/m²; the lone bidder takes it at the start."""
    s = forest(firms={"count": 1, "land_value_yuan_per_m2": {"low": 300, "high": 300}},
               land={"lots_per_year": 1, "lot_area_mu": 1000, "investment_yuan_per_mu": 3000})
    r = simulate(s, seed=1, check=True)
    t = r.trades[r.trades["product"] == "land.construction_quota"]
    assert t[["quantity", "price_ticks", "amount_fen", "mechanism"]].values.tolist() == [[20_000, 1_500_000,
                                                                                        300_000_000, "listing"]]
    firm = r.holders[r.holders.group == "forest_firms"].holder.iloc[0]
    h = r.holdings
    assert h[(h.holder == firm) & (h["product"] == "land.construction_quota")].quantity.iloc[-1] == 20_000
    assert h[(h.holder == firm) & (h["product"] == "forest.management")].quantity.iloc[-1] == 100_000


def test_f6_concessions_and_leases_pay_the_farm_and_fill_the_gap():
    """F6: five concessions (1,700,000 yuan) and 10 % of the farm's 1,000 mu leased at 60 yuan/mu (6,000 yuan)
    pay the farm; a need of 650 yuan/mu on 1,000 mu without budget is the gap they fill."""
    spec = Scenario.model_validate({"name": "d", "forest": {}}).forest
    s = forest(funds={"concessions": [c.model_dump() for c in spec.funds.concessions],
                      "under_forest_lease_share": "0.1"},
               zones=[{"name": "farm_forest", "area_mu": 1000, "manager": "forest_farm", "in_budget": False}],
               farm={"base_budget_yuan_per_year": 0, "base_cost_yuan_per_year": 0, "planting_mu_per_year": 0,
                     "growth": {"rate_mean": 0, "rate_sd": 0}})
    r = simulate(s, seed=1, check=True)
    c = r.charges
    assert c[c.kind == "concession"].amount_fen.sum() == 170_000_000
    assert c[c.kind == "lease"].amount_fen.tolist() == [600_000]
    k = r.kpis.set_index("metric").value
    assert k["own_revenue"] == 1_706_000
    assert k["maintenance_gap"] == 0  # the 1,000 mu are the base area here: no per-mu need beyond it


def test_f9_forest_cover_is_forest_area_over_the_district():
    """F9: cover = (parcels + other forest) / 949.89 km²; target 7.5 %."""
    r = simulate(forest(cover={"other_forest_mu": 30000}), seed=1, check=True)
    k = r.kpis.set_index("metric").value
    assert k["forest_area"] == 31_000
    assert k["forest_cover"] == pytest.approx(31_000 / (949.89 * 1500))
    assert k["forest_cover_target"] == 0.075


def test_forest_conservation_every_period_and_same_seed_same_tables():
    """Every right (three forest rights, the pledge encumbrance, energy and land quota) and every fen is
    conserved after every period (check=True); the same seed gives identical tables, another seed differs."""
    s = load_scenario(SCENARIOS / "dawukou_forest.yaml", ["calendar.years=3", "calendar.sessions_per_year=12",
                                                          "calendar.periods_per_year=4"])
    a = simulate(s, seed=11, check=True)
    b = simulate(s, seed=11)
    c = simulate(s, seed=12)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)
    assert not a.trades.equals(c.trades)
    t = a.trades
    assert (t.amount_fen == (t.quantity * t.price_ticks + 50) // 100).all()
    assert {"forest.management", "forest.energy_quota", "land.construction_quota"} <= set(t["product"])
