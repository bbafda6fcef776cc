"""Links between the four rights: X1 (one platform, shared mechanisms), X2 (one reserve per right with its own
accounts), X3 (rights as collateral across rights), X4 (a project needs several rights together)."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from pydantic import ValidationError

from conftest import SCENARIOS, two_holder_water
from rights_market import load_scenario, simulate
from rights_market.engine.calendar import CalendarPlan
from rights_market.engine.rng import RngTree
from rights_market.engine.world import World
from rights_market.ledger import Accounts
from rights_market.rights.catalogue import INSTITUTIONS, RESERVES
from rights_market.rights.catalogue import unit_of as base_unit
from rights_market.rights.shared.pledges import free_quantity, pledge, screen_sales
from rights_market.rights.water.descriptor import RESERVE
from rights_market.scenario.model import Scenario

QUIET_FOREST = {
    "zones": [{"name": "farm_forest", "area_mu": 1000, "manager": "forest_farm"}],
    "households": {"count": 0}, "operators": {"count": 0}, "firms": {"count": 0},
    "farm": {"planting_mu_per_year": 0}, "funds": {"concessions": [], "under_forest_lease_share": 0},
    "energy": {"lots_per_year": 0}, "land": {"lots_per_year": 0}, "credit": {"enabled": False},
    "trading": {"transfer_rate_per_year": 0, "retransfer_rate_per_year": 0},
    "reserve": {"budget_yuan_per_year": 1_000_000},
}


def water_forest(links: dict | None = None, years: int = 1, water_reserve_m3: int = 1000,
                 water_budget_yuan: int = 500) -> Scenario:
    """The two-holder water market of conftest, a quiet forest market, and a ``links:`` section."""
    data = two_holder_water().model_dump(mode="json")
    data["calendar"]["years"] = years
    data["weather"]["sequence"] = ["normal"] * years
    data["water"]["reserve"].update(initial_rights_m3=water_reserve_m3, budget_yuan_per_year=water_budget_yuan)
    data["forest"] = QUIET_FOREST
    if links is not None:
        data["links"] = links
    return Scenario.model_validate(data)


def test_x2_one_reserve_per_right_with_its_own_accounts():
    """X2: the water reserve (−1) gets its 500 yuan budget and the forest reserve (−11) its 1,000,000 yuan, each
    in its own account; the water reserve's stock of rights is untouched by the forest and vice versa."""
    assert len(set(RESERVES.values())) == 4 and RESERVES["water"] == RESERVE
    r = simulate(water_forest(), seed=1, check=True)
    res = r.reserve
    budget = res[res.action == "budget"]
    assert sorted(budget[["product", "cash_fen"]].values.tolist()) == [["forest.management", 100_000_000],
                                                                        ["water.annual", 50_000]]
    h = r.holdings
    water_res = h[(h.holder == RESERVE) & (h["product"] == "water.right")]
    assert water_res.quantity.iloc[-1] == 1000
    assert h[(h.holder == RESERVES["forest"]) & h["product"].str.startswith("water")].empty


def test_x3_screen_sales_refuses_more_than_the_free_quantity():
    """X3: holder 0 holds 1,000 and pledged 600: it may sell 400 in all; a 300 then a 200 sale → the second is
    rejected ``pledged`` (sales are checked cumulatively)."""
    acc = Accounts(2, ["water.right", "water.right.pledged"], INSTITUTIONS)
    world = World(calendar=CalendarPlan(2021, 1, 1, 1), rng=RngTree(1), accounts=acc)
    acc.move("water.right", -8, 0, 1000)
    pledge(world, "water.right", 0, 600)
    assert free_quantity(acc, "water.right", np.array([0, 1])).tolist() == [400, 0]
    ok = screen_sales(world, "water.right", np.array([0, 0]), np.array([300, 200]), np.array([10_810, 10_810]))
    assert ok.tolist() == [True, False]
    rej = world.tables["orders_rejected"].to_dataframe()
    assert rej[["trader", "side", "quantity", "reason"]].values.tolist() == [[0, "sell", 200, "pledged"]]
    acc.check()


def test_x3_pledged_water_rights_default_to_the_water_reserve():
    """X3: both water holders pledge half of their 1,000 m³ right (500 m³) for a loan of 50 % × 1.081 yuan ×
    500 = 270.25 yuan each; the loans default at maturity (rate 1): the 500 m³ go to the water reserve, which
    pays the bank what its cash allows (its 500 yuan budget covers 270.25 + 229.75 of 270.25); the forest
    reserve is not touched."""
    links = {"pledges": [{"product": "water.right", "holder_share": 1, "pledge_share": 0.5,
                          "value_yuan_per_unit": "1.081", "loan_to_value": 0.5, "interest_rate": 0,
                          "term_years": 1, "default_rate": 1}]}
    r = simulate(water_forest(links, water_reserve_m3=0), seed=1, check=True)
    c = r.charges
    assert c[c.kind == "loan"][["payee", "amount_fen"]].values.tolist() == [[0, 27_025], [1, 27_025]]
    reg = r.registry
    forfeit = reg[reg.event == "forfeit"]
    assert forfeit[["holder", "counterparty", "quantity"]].values.tolist() == [[RESERVE, 0, 500], [RESERVE, 1, 500]]
    assert forfeit.amount_fen.tolist() == [27_025, 22_975]  # 500 yuan of reserve cash runs out on the second
    res = r.reserve
    taken = res[(res["product"] == "water.right") & (res.action == "buy")]
    assert taken[["quantity", "stock", "amount_fen"]].values.tolist() == [[500, 500, 27_025], [500, 1000, 22_975]]
    assert res[res.reason.str.contains("X3")]["product"].unique().tolist() == ["water.right"]
    assert (res[res["product"] == "forest.management"].action == "budget").all()


def test_x4_project_waits_until_it_can_hold_every_right():
    """X4: a project needing 200 m³ of water rights and 1,000 kg of energy quota: the forest reserve has no
    quota, so nothing is taken — not even the water the water reserve could give (all or nothing) — and the
    missing quota is a rejected buy order ``insufficient_rights``, every year."""
    links = {"projects": [{"name": "expansion", "start_year": 2021,
                           "needs": {"water.right": 200, "forest.energy_quota": 1000},
                           "prices_yuan": {"water.right": "1.081"}}]}
    r = simulate(water_forest(links, years=2), seed=1, check=True)
    rej = r.orders_rejected
    assert rej[["year", "product", "quantity", "reason"]].values.tolist() == [
        [2021, "forest.energy_quota", 1000, "insufficient_rights"], [2022, "forest.energy_quota", 1000,
                                                                     "insufficient_rights"]]
    assert r.trades[r.trades.right == "water"].empty or (r.trades.buyer != rej.trader.iloc[0]).all()
    k = r.kpis[r.kpis.right == "links"].set_index(["year", "metric"]).value
    assert k[(2022, "projects_started")] == 0 and k[(2022, "projects_blocked")] == 1


def test_x4_water_bounds_the_project_which_proceeds_once_the_water_is_there():
    """X4 (以水定产): with 200 m³ in the water reserve the project buys them and proceeds; with 100 m³ it
    cannot (short 100 m³) and takes nothing. The right is held for the industrial validity term (W2, 10
    years), so the price is the present value of 1.081 yuan a year over 10 years at the 6 % default rate:
    10,810 ticks × 7.360087 = 79,562 ticks (7.9562 yuan/m³), 200 m³ for 1,591.24 yuan."""
    links = {"projects": [{"name": "expansion", "start_year": 2021, "needs": {"water.right": 200},
                           "prices_yuan": {"water.right": "1.081"}}]}
    r = simulate(water_forest(links, water_reserve_m3=200), seed=1, check=True)
    project = r.holders[r.holders.group == "projects"].holder.iloc[0]
    t = r.trades[r.trades.buyer == project]
    assert t[["right", "product", "seller", "quantity", "price_ticks", "amount_fen", "mechanism"]].values.tolist() == [
        ["water", "water.right", RESERVE, 200, 79_562, 159_124, "directed"]]
    assert (r.registry.event == "project_start").sum() == 1
    r = simulate(water_forest(links, water_reserve_m3=100), seed=1, check=True)
    assert r.orders_rejected[["product", "quantity", "reason"]].values.tolist() == [
        ["water.right", 100, "insufficient_rights"]]
    assert (r.registry.event == "project_start").sum() == 0


def test_x3_x4_rows_of_the_links_carry_the_base_unit_of_their_product():
    """X3, X4: the trades and registry rows the links write name the base unit of their product, as the markets
    do (``m3`` of water here; a project's ``project_start`` lists the units of its products in order)."""
    assert [base_unit(p) for p in ("water.right", "water.annual", "emission.NOx", "land.management",
                                   "land.construction_quota", "forest.management", "forest.energy_quota")] == [
        "m3", "m3", "kg", "m2", "m2", "0.01mu", "kgce"]
    links = {"pledges": [{"product": "water.right", "holder_share": 1, "pledge_share": 0.5,
                          "value_yuan_per_unit": "1.081", "loan_to_value": 0.5, "interest_rate": 0,
                          "term_years": 1, "default_rate": 0}],
             "projects": [{"name": "expansion", "start_year": 2021, "needs": {"water.right": 200},
                           "prices_yuan": {"water.right": "1.081"}}]}
    r = simulate(water_forest(links, water_reserve_m3=200), seed=1, check=True)
    project = r.holders[r.holders.group == "projects"].holder.iloc[0]
    assert r.trades[r.trades.buyer == project].unit.astype(str).tolist() == ["m3"]
    reg = r.registry
    x3 = reg[reg.event.isin(["pledge", "release"])]
    assert len(x3) == 4 and set(x3["product"].astype(str)) == {"water.right"} and set(x3.unit.astype(str)) == {"m3"}
    assert reg[reg.event == "project_start"].unit.astype(str).tolist() == ["m3"]


def test_x4_a_need_of_an_absent_market_is_a_clear_error():
    """X4: a project needing emission rights in a scenario without the emission market is refused when the
    scenario is validated (not when it runs), at the need, naming the project, the product and the section to add."""
    links = {"projects": [{"name": "expansion", "start_year": 2021, "needs": {"emission.NOx": 1000}}]}
    with pytest.raises(ValidationError) as info:
        water_forest(links)
    (error,) = info.value.errors()
    assert error["loc"] == ("links", "projects", 0, "needs", "emission.NOx")
    assert re.search(r"expansion needs 'emission\.NOx'.*add the emission section", error["msg"])


def test_x1_four_rights_on_one_platform_conserved(tmp_path):
    """X1/X2/X3/X4: the four markets run together (shrunk: 2 years, monthly sessions); every right of every
    market and every fen is conserved after every period; the markets share the platform's mechanisms
    (listing and negotiation serve several rights); the expansion project gets its water, NOx and SO2 in
    2022; every reserve keeps to its own right."""
    over = ["calendar.years=2", "calendar.sessions_per_year=12", "calendar.periods_per_year=4",
            "water.groups.0.count=80", "water.groups.1.count=4", "water.groups.2.count=12",
            "water.groups.3.count=60", "water.groups.4.count=2", "water.cap_m3=3500000"]
    s = load_scenario(SCENARIOS / "dawukou_four_rights.yaml", over)
    t0 = time.perf_counter()
    r = simulate(s, seed=3, check=True)
    assert time.perf_counter() - t0 < 60
    t = r.trades
    assert set(t.right) == {"water", "emission", "land", "forest"}
    by_mech = t.groupby("mechanism").right.agg(lambda x: set(x))
    assert len(by_mech["listing"]) >= 3 and len(by_mech["negotiation"]) >= 2
    k = r.kpis[r.kpis.right == "links"].set_index(["year", "metric"]).value
    assert k[(2022, "projects_started")] == 1
    project = r.holders[r.holders.group == "projects"].holder.iloc[0]
    got = t[t.buyer == project].groupby("product").quantity.sum().to_dict()
    assert got == {"water.right": 200_000, "emission.NOx": 10_000, "emission.SO2": 10_000}
    res = r.reserve
    own = {"water": RESERVE, "emission": RESERVES["emission"], "land": RESERVES["land"], "forest": RESERVES["forest"]}
    for _, row in t[t.seller.isin(list(own.values())) | t.buyer.isin(list(own.values()))].iterrows():
        reserve = row.seller if row.seller < 0 else row.buyer
        assert reserve == own[row.right], (row.right, reserve)  # X2: a reserve trades its own right only
    assert not res.empty


FOUR_RIGHTS_SMALL = ["calendar.years=3", "calendar.sessions_per_year=12", "calendar.periods_per_year=4",
                     "water.groups.0.count=80", "water.groups.1.count=4", "water.groups.2.count=12",
                     "water.groups.3.count=60", "water.groups.4.count=2", "water.cap_m3=3500000"]


def test_e9_x2_x4_every_reserve_reconciles_in_the_four_rights_run():
    """E9 (收支两条线), X2, X4 on the four-rights scenario (shrunk: 3 years with the 2023 dry year, monthly
    sessions). The expansion project buys 10,000 kg of NOx and of SO2 from the emission reserve at 2 yuan/kg in
    2022: 2 × 20,000 yuan go to the fiscal account, exactly like the emission market's own releases — recorded
    as reserve ``release`` rows, counted as reserve income, never in the reserve's cash. So the emission
    ``reserve_balance_gap`` (budget − spending − cash) is 0 every year (it was −40,000 yuan in 2022 when the
    project paid the reserve), and every reserve's cash at each year end equals its records: budget + kept
    income − spending − cash remitted to the fiscal account ± charges it paid or received (the emission reserve
    keeps no income; the others do, X2).
    Collateral of defaulted X3 loans is bought after the markets' year-end KPIs (the links act last), so it
    counts from the next year."""
    s = load_scenario(SCENARIOS / "dawukou_four_rights.yaml", FOUR_RIGHTS_SMALL)
    r = simulate(s, seed=3, check=True)
    res, c, k = r.reserve, r.charges, r.kpis
    em = k[k.right == "emission"].set_index(["year", "metric"]).value
    assert [em[(y, "reserve_balance_gap")] for y in (2021, 2022, 2023)] == [0.0, 0.0, 0.0]
    project = r.holders[r.holders.group == "projects"].holder.iloc[0]
    x4 = res[res.reason.str.contains("coking_expansion")]
    assert x4[["year", "product", "action", "quantity", "amount_fen"]].values.tolist() == [
        [2022, "water.right", "sell", 200_000, 145_070_000],  # 1.081 × 6.710081 (10 years at 8 %)
        [2022, "emission.NOx", "release", 10_000, 2_000_000], [2022, "emission.SO2", "release", 10_000, 2_000_000]]
    assert x4[x4["product"].str.startswith("emission")].reason.str.endswith("(E9)").all()
    bought = r.trades[(r.trades.buyer == project) & (r.trades.right == "emission")]
    assert bought.amount_fen.sum() == 4_000_000  # 40,000 yuan of non-tax revenue
    product_right = res["product"].astype(str).str.split(".").str[0]
    late = res.reason.str.endswith("(X3)") & (res.action == "buy")  # links' year-end forfeits
    rec_year = res.year + late.astype(int)
    for right, reserve in RESERVES.items():
        for y in (2021, 2022, 2023):
            rows = res[(product_right == right) & (rec_year <= y)]
            budget = rows[rows.action == "budget"].amount_fen.sum()
            income = rows[rows.action.isin(["sell", "release"])].amount_fen.sum()
            spending = rows[rows.action == "buy"].amount_fen.sum()
            remitted = rows[rows.action == "remit"].amount_fen.sum()  # land: cash above its working balance
            cc = c[c.year <= y]
            charges = cc[cc.payee == reserve].amount_fen.sum() - cc[cc.holder == reserve].amount_fen.sum()
            kept = 0 if right == "emission" else income
            cash = k[(k.right == right) & (k.metric == "reserve_cash") & (k.year == y)].value.iloc[0]
            assert round(cash * 100) == budget + kept - spending - remitted + charges, (right, y)
            if right == "emission":
                assert em[(y, "reserve_income")] * 100 == income and em[(y, "reserve_spending")] * 100 == spending
                assert em[(y, "reserve_budget")] * 100 == budget
    assert em[(2022, "reserve_income")] - em[(2021, "reserve_income")] >= 40_000  # the project's 40,000 yuan count


def test_x4_a_project_holding_water_rights_gets_its_annual_water():
    """X4/W12: the project buys 200 m³ of water rights from the reserve at the 2021 year start (after that year's
    allocation), so it gets no annual water in 2021; in the dry 2022 (deliverable share 0.85) it gets
    ⌊200 × 0.85⌋ = 170 m³ of ``water.annual`` like any holder (the farmer and the firm ⌊1,000 × 0.85⌋ = 850
    each). The water market neither bills nor uses the project's water: no charge is made to it, and its
    annual water expires unused at the year end (conservation checked)."""
    links = {"projects": [{"name": "expansion", "start_year": 2021, "needs": {"water.right": 200},
                           "prices_yuan": {"water.right": "1.081"}}]}
    data = water_forest(links, years=2, water_reserve_m3=200).model_dump(mode="json")
    data["weather"] = {"type": "sequence", "states": {"normal": {}, "dry": {"deliverable_share": "0.85"}},
                       "sequence": ["normal", "dry"]}
    r = simulate(Scenario.model_validate(data), seed=1, check=True)
    project = int(r.holders[r.holders.group == "projects"].holder.iloc[0])
    h = r.holdings
    annual = h[h["product"] == "water.annual"].pivot_table(index="holder", columns="year", values="quantity",
                                                             aggfunc="sum", fill_value=0)
    assert annual.loc[project].tolist() == [0, 170]
    # the firm means to use 1,200 m³ but buys only 265 of the 350 it lacks: it expects a right to cost
    # ½ × 1.081 + ½ × 3.355 = 2.218 yuan after 2021, more than the 1.65 surcharge of band 1 (10 % of its
    # 850 m³ plan), which it pays instead (W9); the farmer sells those 265 of its 850 m³
    assert annual.loc[0, 2022] == 585 and annual.loc[1, 2022] == 1115
    right = h[(h["product"] == "water.right") & (h.holder == project)]
    assert right.quantity.tolist() == [200, 200]
    c = r.charges
    assert c[c.holder == project].empty  # the project is never billed (it pays the reserve by trade)
