"""Use control and planning quotas (L2, L1), restoration and its quota (L8), unused wasteland (L9), the quota
market, and construction land per GDP (L17) in the engine.

Tiny world (``test_land_setup.TINY``): households 0 and 1 with 10,000 m² of general farmland each (30 mu in
all); accounts 2 collective, 3 village fund, then restorers / firms as switched on. Compensation for converted
farmland 45 yuan/m²; quota bid of the land reserve 40 yuan/m².
"""

from __future__ import annotations

from fractions import Fraction

from test_land_setup import const, run_tiny

from rights_market.ledger import CONSUMED, ECONOMY, FISCAL, GOVERNMENT, ISSUER
from rights_market.rights.catalogue import RESERVES
from rights_market.rules.land import GENERAL

LAND_RESERVE = RESERVES["land"]
QUOTA = "land.farmland_quota"


def give_quota(m2: int):
    def tweak(st, world):
        world.accounts.move(QUOTA, ISSUER, LAND_RESERVE, m2)

    return tweak


BUDGET = {"reserve_budget_yuan_per_year": 1_000_000}  # the land reserve pays compensation from its budget (X2)


def test_l2_permanent_basic_farmland_requests_are_refused_and_recorded():
    r = run_tiny({"rural": {"basic_farmland_share": 1}, "use_control": {"requests_per_year": 2}},
                 tweak=give_quota(50_000))
    rej = r.orders_rejected
    assert rej[["product", "trader", "side", "quantity", "reason"]].values.tolist() == [
        ["land.management", LAND_RESERVE, "convert", 10_000, "basic_farmland"]] * 2
    assert r.kpi("farmland_balance") == 0 and r.kpi("conversions_accepted") == 0


def test_l2_farmland_is_not_lost_without_quota():
    r = run_tiny({"use_control": {"requests_per_year": 2}})
    assert r.orders_rejected.reason.tolist() == ["farmland_loss"] * 2
    assert r.bal("land.contract", 0) == r.bal("land.contract", 1) == 10_000


def test_l2_conversion_with_quota_retires_it_and_compensates_the_household():
    """L2: with 20,000 m² of quota both parcels convert: 20,000 m² of quota retired (占补平衡), 450,000 yuan to
    each household, the contract and management rights end, the land reserve holds the construction land."""
    r = run_tiny({"use_control": {"requests_per_year": 2}, "supply": BUDGET}, tweak=give_quota(20_000))
    assert len(r.orders_rejected) == 0
    comp = r.charges[r.charges.kind == "compensation"].sort_values("payee")
    assert comp[["holder", "payee", "amount_fen"]].values.tolist() == [
        [LAND_RESERVE, 0, 45_000_000], [LAND_RESERVE, 1, 45_000_000]]
    assert r.bal(QUOTA, LAND_RESERVE) == 0 and r.bal(QUOTA, CONSUMED) == 20_000
    assert r.bal("land.contract", 0) == 0 and r.bal("land.management", 0) == 0
    assert r.bal("land.state_construction", LAND_RESERVE) == 20_000
    assert r.kpi("farmland_balance") == -20_000 and r.kpi("quota_retired") == 20_000


def test_x2_conversions_only_within_the_land_reserve_budget():
    """X2: 450,000 yuan of compensation per parcel; a 600,000 yuan budget pays for one conversion only."""
    r = run_tiny({"use_control": {"requests_per_year": 2}, "supply": {"reserve_budget_yuan_per_year": 600_000}},
                 tweak=give_quota(20_000))
    assert r.orders_rejected.reason.tolist() == ["reserve_budget"]
    assert r.kpi("conversions_accepted") == 1 and r.bal(QUOTA, LAND_RESERVE) == 10_000


def test_l1_village_flexible_quota_refuses_an_ordinary_second_conversion():
    """L1: the village plan allows 19,999 m²; its 5 % flexible part (1,000 m²) is not for ordinary projects:
    one 10,000 m² conversion fits, the second does not (recorded ``no_planning_quota``)."""
    r = run_tiny({"use_control": {"requests_per_year": 2, "priority_share": 0}, "supply": BUDGET,
                  "villages": [{"name": "chaohu", "households": 2, "new_construction_quota_m2": 19_999}]},
                 tweak=give_quota(20_000))
    assert r.orders_rejected.reason.tolist() == ["no_planning_quota"]
    assert r.kpi("conversions_accepted") == 1


def test_l1_priority_projects_may_use_the_flexible_quota():
    r = run_tiny({"use_control": {"requests_per_year": 2, "priority_share": 1}, "supply": BUDGET,
                  "villages": [{"name": "chaohu", "households": 2, "new_construction_quota_m2": 20_000}]},
                 tweak=give_quota(20_000))
    assert len(r.orders_rejected) == 0 and r.kpi("conversions_accepted") == 2


RESTORE = {"restoration": {"restorers": 1, "mining_parcels": 1, "mining_per_year": 1, "to_farmland_share": 1}}


def test_l8_who_restores_benefits_the_right_and_the_quota():
    """L8: the restorer pays 15 yuan/m² (150,000 yuan) to restore 10,000 m²; a year later the land is farmland
    in its hands for 20 years and 90 % accepted → 9,000 m² of new cultivated-land quota are its own."""
    r = run_tiny({"restoration": {**RESTORE["restoration"], "accepted_share": 0.9}})
    restorer = 4
    cost = r.charges[r.charges.kind == "restoration_cost"]
    assert cost[["holder", "payee", "amount_fen"]].values.tolist() == [[restorer, ECONOMY, 15_000_000]]
    assert r.bal(QUOTA, restorer) == 9_000 and r.kpi("quota_created") == 9_000
    assert r.bal("land.management", restorer) == 10_000 and r.bal("land.wasteland", restorer) == 0
    p = r.st.parcels
    i = (p.cls == GENERAL) & (p.holder == restorer)
    assert p.owner[i].tolist() == [GOVERNMENT] and p.term_end[i].tolist() == [2021 + 20]
    assert r.kpi("farmland_balance") == 10_000
    assert int(r.st.restorer_ask[0]) == 199_999  # 15 yuan / 0.9 × 1.2 = 20.0 yuan/m² of quota (rounded)


def test_l8_quota_is_sold_and_lets_farmland_convert():
    """L8 + L2: 10,000 m² of quota (restorer's ask 15 × 1.2 = 18 yuan) meets the reserve's 40 yuan bid in the
    2022 call auction at the midpoint 29 yuan: 290,000 yuan; in 2023 the reserve converts a farmland parcel with
    it — refused for lack of quota in 2021 and 2022."""
    r = run_tiny({**RESTORE, "use_control": {"requests_per_year": 1},
                  "supply": {"reserve_budget_yuan_per_year": 10_000_000}}, years=3)
    t = r.trades[r.trades["product"] == QUOTA]
    assert t[["year", "mechanism", "seller", "buyer", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [
        [2022, "call", 4, LAND_RESERVE, 10_000, 290_000, 29_000_000]]
    rej = r.orders_rejected
    assert rej[["year", "reason"]].values.tolist() == [[2021, "farmland_loss"], [2022, "farmland_loss"]]
    assert r.kpi("conversions_accepted", 2023) == 1 and r.bal(QUOTA, CONSUMED) == 10_000
    assert r.kpi("farmland_balance", 2023) == 0  # 10,000 m² restored, 10,000 m² converted


def test_l8_government_restoration_for_construction_goes_to_the_reserve():
    r = run_tiny({"restoration": {**RESTORE["restoration"], "to_farmland_share": 0}, "supply": BUDGET})
    cost = r.charges[r.charges.kind == "restoration_cost"]
    assert cost[["holder", "payee", "amount_fen"]].values.tolist() == [[LAND_RESERVE, ECONOMY, 15_000_000]]
    assert r.bal("land.state_construction", LAND_RESERVE) == 10_000
    assert r.kpi("construction_area") == 500 + 10_000 and r.kpi("quota_created") == 0


def test_l9_unused_wasteland_contracted_out_and_its_new_farmland_quota_banked_by_the_state():
    """L9: 100,000 m² (150 mu) listed at 20 yuan/mu a year (300 ticks/m²); the lone restorer takes it for 30
    years at 300,000 fen a year to the fiscal account; reclaimed within the year, its quota (100,000 m²) goes
    into the state's balance (the land reserve), the farmland stays with the contractor."""
    r = run_tiny({"restoration": {"restorers": 1, "unused_parcels": 1, "unused_per_year": 1,
                                  "farm_suitable_share": 1}})
    t = r.trades
    assert t[["product", "seller", "buyer", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [
        ["land.wasteland", GOVERNMENT, 4, 100_000, 300, 300_000]]
    rent = r.charges[r.charges.kind == "rent"]
    assert rent[["holder", "payee", "amount_fen"]].values.tolist() == [[4, FISCAL, 300_000]]
    assert r.bal(QUOTA, LAND_RESERVE) == 100_000 and r.bal("land.management", 4) == 100_000
    p = r.st.parcels
    i = (p.cls == GENERAL) & (p.user == 4)
    assert p.holder[i].tolist() == [GOVERNMENT] and p.user_until[i].tolist() == [2050]
    assert r.reserve[r.reserve.action == "issue"].quantity.tolist() == [100_000]


def test_l17_construction_land_per_gdp_against_the_targets():
    """L17: in 2021 nothing changes (change 0 > −3 %: not met); in 2022 GDP grows (other GDP +4 %, firm output
    +5 %) with the same construction land, so land per GDP changes by GDP₀ / GDP₁ − 1."""
    r = run_tiny({"firms": {"firms": 1}}, years=2)
    assert r.kpi("construction_land_per_gdp_change", 2021) == 0
    assert r.kpi("construction_land_per_gdp_target", 2021) == -0.03
    assert r.kpi("construction_land_per_gdp_target_met", 2021) == 0
    gdp0 = 450_000_000 + 3_600_000 + 1_200_000_000_000
    gdp1 = 472_500_000 + 3_600_000 + 1_248_000_000_000
    assert r.kpi("gdp", 2022) * 100 == gdp1
    assert r.kpi("construction_land_per_gdp_change", 2022) == float(Fraction(gdp0, gdp1) - 1)
    assert r.kpi("construction_area", 2022) == 10_500
    assert r.kpi("construction_land_per_gdp", 2021) == 10_500 * 1_000_000 / gdp0


def test_farmland_quota_created_is_never_more_than_farmland_gained():
    """L2/L8 accounting: over a run with restorations and conversions, farmland gained − lost equals restored −
    converted area, and quota in circulation never exceeds it."""
    r = run_tiny({**RESTORE, "restoration": {**RESTORE["restoration"], "mining_parcels": 3,
                                            "mining_parcel_m2": const(10_000)},
                  "use_control": {"requests_per_year": 1}, "supply": {"reserve_budget_yuan_per_year": 10_000_000}},
                 years=4)
    st = r.st
    assert r.kpi("farmland_balance") == st.restored_farmland - st.converted_farmland >= 0
    quota_out = -r.bal(QUOTA, ISSUER) - r.bal(QUOTA, CONSUMED)
    assert 0 <= quota_out <= st.restored_farmland - st.converted_farmland
