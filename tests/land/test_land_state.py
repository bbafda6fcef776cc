"""State construction land in the engine: 招拍挂 outcomes (L11), grades (L14), supply modes (L13), mixed use
(L12), the secondary market with monitoring and preemption (L11, L16), idle land (L4), pre-registration and
splitting (L5), zombie firms (L6) and redevelopment (L15).

Tiny world (``test_land_setup.TINY``): accounts 0, 1 households, 2 collective, 3 village fund, then firms and
entrants (4, 5, ...). Industrial benchmark 120 yuan/m² for 50 years = 1,200,000 ticks; commercial 600 yuan/m²
for 40 years. A lot or a firm's parcel is 10,000 m² unless said otherwise; 10,000 m² at 120 yuan = 1.2 M yuan.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_land_setup import const, run_tiny

from rights_market.ledger import FISCAL
from rights_market.rights.catalogue import RESERVES
from rights_market.rules.land import COMMERCIAL, GRADE_A, GRADE_D, INDUSTRIAL, NEW_INDUSTRY, STATE_CON

LAND_RESERVE = RESERVES["land"]


def lot(mechanism: str = "listing", **supply) -> dict:
    """One 10,000 m² reserve lot in the supply plan, sold by ``mechanism``, two entrants (4, 5)."""
    mech = {"tender": 0, "auction": 0, "listing": 0, mechanism: 1}
    return {"firms": {"entrants": 2},
            "supply": {"reserve_parcels": 1, "plan_m2_per_year": 10_000, "mechanisms": mech, **supply}}


def values(*v):
    def tweak(st, world):
        st.firm_value[:] = v

    return tweak


@pytest.mark.parametrize("mechanism", ["listing", "auction"])
def test_l11_listing_and_auction_sell_to_the_highest_value_near_the_second_value(mechanism):
    """L11 挂/拍: entrants value the land at 180 and 144 yuan/m²; from the benchmark start (120) they raise by
    1 % of the start (1.2 yuan); the 180 bidder wins within one increment above 144 — English-auction theory."""
    r = run_tiny(lot(mechanism), tweak=values(1_800_000, 1_440_000))
    t = r.trades
    assert len(t) == 1
    row = t.iloc[0]
    assert (row.seller, row.buyer, row.quantity, row.mechanism) == (LAND_RESERVE, 4, 10_000, mechanism)
    assert 1_440_000 <= row.price_ticks <= 1_440_000 + 12_000 and (row.price_ticks - 1_200_000) % 12_000 == 0
    assert row.amount_fen == 10_000 * row.price_ticks // 100
    assert r.bal("land.state_construction", 4) == 10_000
    res = r.reserve[r.reserve.action == "sell"]
    assert res[["quantity", "amount_fen"]].values.tolist() == [[10_000, row.amount_fen]]
    assert row.base_price == 120.0


def test_l11_tender_weighs_non_price_criteria():
    """L11 招: bids = start + half the surplus: 150 and 132 yuan/m². Scores (price 60, grade 25, output 15):
    the 150 bid scores 60·100 + 25·60 + 15·0 = 7,500 → 75; the 132 bid from a firm at the A output level scores
    60·88 + 25·60 + 15·100 = 8,280 → 82.8 and wins at its own bid: 1.32 M yuan."""
    def tweak(st, world):
        st.firm_value[:] = [1_800_000, 1_440_000]
        st.firm_prod[:] = [0, 200_000_000]  # fen per mu: 0 and the A threshold (2 M yuan)

    r = run_tiny(lot("tender"), tweak=tweak)
    assert r.trades[["buyer", "price_ticks", "amount_fen", "mechanism"]].values.tolist() == [
        [5, 1_320_000, 132_000_000, "tender"]]


def test_l14_grade_d_is_excluded_and_grade_a_pays_less():
    """L14: the D-grade entrant may not bid (recorded ``grade_excluded``); the A-grade one is the lone bidder and
    takes the lot at the start price, 1.2 M yuan, and gets the A multiplier 0.9: a 120,000 yuan rebate."""
    def tweak(st, world):
        st.firm_value[:] = [1_800_000, 1_440_000]
        st.firm_grade[:] = [GRADE_D, GRADE_A]

    r = run_tiny(lot("listing"), tweak=tweak)
    assert r.orders_rejected[["trader", "side", "quantity", "reason"]].values.tolist() == [
        [4, "buy", 10_000, "grade_excluded"]]
    assert r.trades[["buyer", "price_ticks", "amount_fen"]].values.tolist() == [[5, 1_200_000, 120_000_000]]
    c = r.charges[r.charges.kind == "grade_rebate"]
    assert c[["holder", "payee", "amount_fen"]].values.tolist() == [[FISCAL, 5, 12_000_000]]


def test_l13_flexible_term_sells_at_the_pro_rata_price():
    """L13 弹性年期: 20 of 50 years → start 48 yuan/m²; the lone bidder pays 480,000 yuan; the right ends 2040."""
    r = run_tiny({**lot(modes={"sale": 0, "flexible_term": 1, "long_lease": 0, "lease_then_sell": 0}),
                  "firms": {"entrants": 1}})
    assert r.trades[["buyer", "price_ticks", "amount_fen"]].values.tolist() == [[4, 480_000, 48_000_000]]
    p = r.st.parcels
    assert p.term_end[(p.cls == STATE_CON) & (p.holder == 4)].tolist() == [2040]


def test_l13_long_lease_pays_a_yearly_rent_to_the_reserve():
    """L13 长期租赁: rent start 3 % of 120 yuan = 3.60 yuan/m² a year: 36,000 yuan a year, at the deal and at
    the next year start; the reserve keeps the right, the firm uses the land."""
    r = run_tiny({**lot(modes={"sale": 0, "flexible_term": 0, "long_lease": 1, "lease_then_sell": 0}),
                  "firms": {"entrants": 1}}, years=2)
    assert r.trades[["buyer", "price_ticks", "amount_fen"]].values.tolist() == [[4, 36_000, 3_600_000]]
    assert r.trades[["relation", "deal", "lease_years", "price_basis"]].values.tolist() == [
        ["reserve->firm", "primary long_lease", 20, "rent"]]
    rent = r.charges[r.charges.kind == "rent"]
    assert rent[["year", "holder", "payee", "amount_fen"]].values.tolist() == [
        [2021, 4, LAND_RESERVE, 3_600_000], [2022, 4, LAND_RESERVE, 3_600_000]]
    p = r.st.parcels
    i = np.flatnonzero((p.cls == STATE_CON) & (p.user == 4))[0]
    assert p.holder[i] == LAND_RESERVE and r.bal("land.state_construction", 4) == 10_000


@pytest.mark.parametrize("grades, sold", [(["A", "B", "new"], True), (["A"], False)])
def test_l13_lease_then_sell_to_a_tenant_of_an_allowed_grade(grades, sold):
    """L13 先租后让: a one-year lease; at its end a tenant of an allowed grade (a new firm here) buys the other 49
    years by directed transfer at 120 × 49/50 = 117.60 yuan/m² (1,176,000 yuan); otherwise the land returns."""
    r = run_tiny({**lot(modes={"sale": 0, "flexible_term": 0, "long_lease": 0, "lease_then_sell": 1},
                        lease_then_sell_years=1, lease_then_sell_grades=grades), "firms": {"entrants": 1}})
    t = r.trades
    if sold:
        assert t[["mechanism", "buyer", "price_ticks", "amount_fen"]].values.tolist()[1] == [
            "directed", 4, 1_176_000, 117_600_000]
        p = r.st.parcels
        i = np.flatnonzero((p.cls == STATE_CON) & (p.user == 4))[0]
        assert (p.holder[i], p.term_end[i]) == (4, 2070)
    else:
        assert t.mechanism.tolist() == ["listing"]
        assert r.bal("land.state_construction", LAND_RESERVE) == 10_000


def test_l12_mixed_use_gets_at_most_five_percent_supporting_land():
    """L12: a mixed-use project asks for 8 %: it gets 5 % (500 m² commercial), 300 m² are refused; the lot's start
    is the area-weighted benchmark (9,500 × 120 + 500 × 600) / 10,000 = 144 yuan/m²."""
    r = run_tiny({**lot(mixed_use_share=1, supporting_requested_share=const(0.08)), "firms": {"entrants": 1}})
    assert r.orders_rejected[["quantity", "reason"]].values.tolist() == [[300, "supporting_land_over_cap"]]
    assert r.trades[["quantity", "price_ticks"]].values.tolist() == [[9_500, 1_440_000], [500, 1_440_000]]
    p = r.st.parcels
    used = p.active & (p.user == 4)
    assert sorted(p.use[used].tolist()) == sorted([INDUSTRIAL, COMMERCIAL])


# --------------------------------------------------------------------------- the secondary market
PARCEL = 4  # rows 0-1 contract land, 2-3 homesteads, 4 the firm's parcel
SECONDARY = {"firms": {"firms": 1, "entrants": 1}}


def sale(seller_value: int, buyer_value: int, **parcel):
    """Queue the firm's parcel for session 0 with the given parcel columns; values in ticks per m²."""
    def tweak(st, world):
        st.firm_value[:] = [seller_value, buyer_value]
        for col, v in parcel.items():
            getattr(st.parcels, col)[PARCEL] = v
        st.secondary_queue.append((PARCEL, "test", 0))

    return tweak


def test_l11_secondary_sale_by_negotiation_at_the_nash_split():
    """L11 二级市场: seller 100, buyer 140 yuan/m², equal power, no noise → 120 yuan/m² = the benchmark."""
    r = run_tiny(SECONDARY, tweak=sale(1_000_000, 1_400_000))
    t = r.trades
    assert t[["mechanism", "seller", "buyer", "price_ticks", "relation", "deal", "price_flag"]].values.tolist() == [
        ["negotiation", 4, 5, 1_200_000, "firm->firm", "secondary normal test", ""]]
    assert r.kpi("flags_low") == 0


@pytest.mark.parametrize("preempt", [True, False])
def test_l16_a_low_price_is_flagged_and_the_government_buys_first(preempt):
    """L16: values 60 and 100 → 80 yuan/m², 33 % under the benchmark (band 20 %): flagged low; with preemption
    the land reserve buys at the declared price (800,000 yuan) instead of the firm."""
    r = run_tiny({**SECONDARY, "supply": {"reserve_budget_yuan_per_year": 1_000_000},
                  "monitoring": {"preempt_low": preempt}}, tweak=sale(600_000, 1_000_000))
    t = r.trades
    buyer = LAND_RESERVE if preempt else 5
    assert t[["buyer", "price_ticks", "amount_fen"]].values.tolist() == [[buyer, 800_000, 80_000_000]]
    assert t.price_flag.tolist() == ["low"]
    assert t.deal.tolist() == ["secondary normal test preemption" if preempt else "secondary normal test"]
    assert r.kpi("flags_low") == 1 and r.kpi("preemptions") == (1 if preempt else 0)
    if preempt:
        assert r.reserve[r.reserve.action == "buy"].amount_fen.tolist() == [80_000_000]


@pytest.mark.parametrize("idle_since, gov, paid, reason", [
    (2020, False, False, "idle_fee_unpaid"),
    (2020, False, True, None),
    (2019, False, True, "idle_not_transferable"),
    (2015, True, False, None),
])
def test_l4_idle_industrial_land_transfers_only_under_the_conditions(idle_since, gov, paid, reason):
    """L4: firm-caused idle land transfers under 2 years idle with the fee paid; government-caused any time."""
    r = run_tiny({**SECONDARY, "idle": {"recover_after_years": None}},
                 tweak=sale(1_000_000, 1_400_000, idle_since=idle_since, idle_gov=gov, fee_paid=paid))
    if reason:
        assert r.orders_rejected[["trader", "reason"]].values.tolist() == [[4, reason]]
        assert len(r.trades) == 0
    else:
        assert r.trades.buyer.tolist() == [5]


def test_l4_idle_fee_then_recovery_without_compensation():
    """L4: idle (firm's fault) since 2021: the fee, 20 % of 1.2 M yuan = 240,000 yuan, at the end of 2021; at
    the end of 2022, two years idle, the land goes back to the reserve for nothing."""
    def tweak(st, world):
        st.parcels.idle_since[PARCEL] = 2021

    r = run_tiny({"firms": {"firms": 1}}, years=2, tweak=tweak)
    fee = r.charges[r.charges.kind == "idle_fee"]
    assert fee[["year", "holder", "payee", "amount_fen"]].values.tolist() == [[2021, 4, FISCAL, 24_000_000]]
    rec = r.reserve[r.reserve.action == "reclaim"]
    assert rec[["year", "quantity", "amount_fen"]].values.tolist() == [[2022, 10_000, 0]]
    assert r.bal("land.state_construction", 4) == 0 and r.bal("land.state_construction", LAND_RESERVE) == 10_000


def test_l4_new_industry_buyer_keeps_the_use_five_years_then_pays_the_difference():
    """L4: a new-industry buyer in 2021 keeps the industrial use to 2026; then the use becomes new industry
    and it pays the benchmark difference for the 45 years left: (150 − 120) × 45/50 × 10,000 m² = 270,000 yuan."""
    def tweak(st, world):
        sale(1_000_000, 1_400_000)(st, world)
        st.firm_new[1] = True

    r = run_tiny(SECONDARY, years=6, tweak=tweak)
    p = r.st.parcels
    diff = r.charges[r.charges.kind == "land_price_difference"]
    assert diff[["year", "holder", "payee", "amount_fen"]].values.tolist() == [[2026, 5, FISCAL, 27_000_000]]
    assert p.use[PARCEL] == NEW_INDUSTRY and p.transition_end[PARCEL] == -1


def test_l5_under_invested_land_changes_hands_by_pre_registration():
    """L5: 20 % of the planned investment made (< 25 %): the sale is a pre-registration (预告登记); the parcel
    registers once the buyer brings the investment to 30 % at the year end."""
    def tweak(st, world):
        sale(1_000_000, 1_400_000)(st, world)
        st.parcels.invested[PARCEL] = st.parcels.planned_inv[PARCEL] // 5

    r = run_tiny({**SECONDARY, "firms": {"firms": 1, "entrants": 1,
                                         "investment_share_per_year": const(0.1)}}, tweak=tweak)
    assert r.trades.deal.tolist() == ["secondary pre_registration test"]
    assert r.kpi("prereg_transfers") == 1 and r.kpi("prereg_registered") == 1
    assert not r.st.parcels.prereg[PARCEL]


def test_l5_without_pre_registration_under_invested_land_is_refused():
    def tweak(st, world):
        sale(1_000_000, 1_400_000)(st, world)
        st.parcels.invested[PARCEL] = 0

    r = run_tiny({**SECONDARY, "preregistration": {"enabled": False}}, tweak=tweak)
    assert r.orders_rejected.reason.tolist() == ["investment_below_threshold"] and len(r.trades) == 0


def test_l5_a_large_parcel_nobody_takes_whole_is_split_and_sold_in_lots():
    """L5 分割转让: 100,000 m² > 60,000; five buyers want 20,000 m² each → five lots of 20,000 m², one each."""
    def tweak(st, world):
        st.firm_value[:] = [1_000_000] + [1_400_000] * 5
        st.secondary_queue.append((PARCEL, "test", 0))

    r = run_tiny({"firms": {"firms": 1, "entrants": 5, "parcel_m2": const(100_000), "demand_m2": const(20_000)}},
                 tweak=tweak)
    t = r.trades
    assert t[["buyer", "quantity", "price_ticks"]].values.tolist() == [[b, 20_000, 1_200_000] for b in range(5, 10)]
    assert (t.deal == "secondary normal test split").all() and r.kpi("splits") == 1
    assert int(r.st.parcels.area[r.st.parcels.active].sum()) == r.st.total_area


# --------------------------------------------------------------------------- zombies and redevelopment
def zombie(*flags):
    def tweak(st, world):
        st.firm_zombie[: len(flags)] = flags

    return tweak


def test_l6_zombie_land_bought_back_by_the_government():
    """L6 政府回购: 60 % of the benchmark for the 50 years left: 72 yuan/m² → 720,000 yuan into the reserve."""
    r = run_tiny({"firms": {"firms": 1}, "zombie": {"firms_per_year": 1, "routes": ["buyback"]},
                  "supply": {"reserve_budget_yuan_per_year": 1_000_000}}, tweak=zombie(True))
    assert r.trades[["mechanism", "seller", "buyer", "price_ticks", "amount_fen"]].values.tolist() == [
        ["reserve", 4, LAND_RESERVE, 720_000, 72_000_000]]
    assert r.reserve[r.reserve.action == "buy"].reason.tolist() == ["zombie firm buyback (L6)"]
    assert not r.st.firm_active[0] and r.kpi("zombies_disposed") == 1


def test_l6_zombie_land_transferred_first_when_a_buyer_pays_enough():
    """L6 转让: the floor is 80 % of the benchmark (96 yuan); a buyer valuing 144 → Nash split 120 yuan/m²."""
    r = run_tiny({"firms": {"firms": 1, "entrants": 1}, "zombie": {"firms_per_year": 1}},
                 tweak=lambda st, world: (zombie(True)(st, world), values(1_000_000, 1_440_000)(st, world)))
    assert r.trades[["mechanism", "buyer", "price_ticks", "relation", "deal"]].values.tolist() == [
        ["negotiation", 5, 1_200_000, "firm->firm", "zombie transfer"]]


def test_l6_one_zombie_firm_at_a_time():
    """L6 一企一策: two zombie firms, one disposed of per year (the larger holding, then the lower id)."""
    r = run_tiny({"firms": {"firms": 2}, "zombie": {"firms_per_year": 1, "routes": ["buyback"]},
                  "supply": {"reserve_budget_yuan_per_year": 1_000_000}}, years=2, tweak=zombie(True, True))
    assert r.trades[["year", "seller"]].values.tolist() == [[2021, 4], [2022, 5]]


def test_l6_graded_d_two_years_running_makes_a_zombie():
    """L6 + L14: output 100 yuan/mu is grade D; after two D years the firm is a zombie and disposed of."""
    r = run_tiny({"firms": {"firms": 1, "output_yuan_per_mu_year": const(100)},
                  "zombie": {"firms_per_year": 1, "routes": ["buyback"], "grade_d_years": 2},
                  "supply": {"reserve_budget_yuan_per_year": 1_000_000}}, years=2)
    assert r.kpi("grade_D", 2021) == 1
    assert r.trades.year.tolist() == [2022]


def test_l14_grade_of_a_firm_from_its_output_and_tax_per_mu():
    """L14: 1.2 M yuan output per mu (B: ≥ 1 M) and 5 % tax = 60,000 per mu (B: ≥ 40,000) → grade B."""
    r = run_tiny({"firms": {"firms": 1}})
    assert r.kpi("grade_B") == 1 and r.kpi("grade_A") == 0
    assert int(r.st.firm_output[0]) == 15 * 1_200_000 * 100


def test_l15_redevelopment_pays_the_land_price_difference_to_change_use():
    """L15: a grade C firm (500,000 yuan/mu) changes its 10,000 m² to commercial: (600 − 120) yuan × 10,000 m²
    (50 years left, the commercial price for its full 40-year term) = 4.8 M yuan to the fiscal account."""
    r = run_tiny({"firms": {"firms": 1, "output_yuan_per_mu_year": const(500_000)},
                  "redevelopment": {"probability_per_year": 1, "change_use_share": 1}})
    assert r.kpi("grade_C") == 1
    diff = r.charges[r.charges.kind == "land_price_difference"]
    assert diff[["holder", "payee", "amount_fen"]].values.tolist() == [[4, FISCAL, 480_000_000]]
    assert r.st.parcels.use[PARCEL] == COMMERCIAL


def test_l15_building_higher_splits_off_the_saved_land_for_sale_without_a_fee():
    """L15: 30 % saved (3,000 m²) is split off, no fee for more floor area, sold the next year."""
    def tweak(st, world):
        st.firm_value[:] = [1_000_000, 1_400_000]

    r = run_tiny({"firms": {"firms": 1, "entrants": 1, "output_yuan_per_mu_year": const(500_000)},
                  "redevelopment": {"probability_per_year": 1, "change_use_share": 0}}, years=2, tweak=tweak)
    assert r.trades[["year", "seller", "buyer", "quantity"]].values.tolist() == [[2022, 4, 5, 3_000]]
    assert r.trades.deal.iloc[0] == "secondary normal redevelopment saved land"
    assert "land_price_difference" not in set(r.charges.kind)
    assert r.bal("land.state_construction", 4) == 7_000


def test_l13_standard_land_admits_only_firms_meeting_the_industry_condition():
    """L13 标准地: the lot requires 1 M yuan output per mu; the entrant at 0.5 M is refused ``below_standard``,
    the one at 1.2 M bids alone and takes the lot at the start price."""
    def tweak(st, world):
        st.firm_value[:] = [1_800_000, 1_440_000]
        st.firm_prod[:] = [50_000_000, 120_000_000]  # fen per mu

    r = run_tiny(lot("listing", standard_land_share=1), tweak=tweak)
    assert r.orders_rejected[["trader", "reason"]].values.tolist() == [[4, "below_standard"]]
    assert r.trades[["buyer", "price_ticks", "relation", "deal", "lease_years"]].values.tolist() == [
        [5, 1_200_000, "reserve->firm", "primary sale standard", 0]]
