"""The rural land market in the engine: management rights with first refusal and rents (rule L10), collective
construction land by vote with shared proceeds (rule L10), idle homestead leases (rule L7).

Tiny world (``test_land_setup.TINY``): households 0 and 1 of 潮湖村 with 10,000 m² (15 mu) of contract land
each; collective account 2, village fund 3, then the accounts a test switches on. Benchmark rent 500 yuan/mu
= 7,500 ticks per m² and year; a household's own farming value 300 yuan/mu = 4,500 ticks; a family farm's
value 800 yuan/mu = 12,000 ticks.
"""

from __future__ import annotations

import numpy as np
from test_land_setup import const, run_tiny

from rights_market.ledger import FISCAL

CIRCULATE = {"operators": {"family_farms": 1}, "circulation": {"offer_share_per_year": 1}}
FARM = 4  # households 0, 1; collective 2; village fund 3; the family farm


def member_wants(value_ticks: int):
    def tweak(st, world):
        st.hh_expanding[:] = [False, True]
        st.hh_expand_value[:] = [0, value_ticks]

    return tweak


def test_l10_member_takes_a_matched_outside_offer_on_equal_terms():
    """L10 first refusal: both households list their management right (start = max(benchmark 7,500, own 4,500));
    the family farm is the lone bidder at 7,500. Household 0's deal is first offered to the members: household 1
    values land at 9,000 ≥ 7,500, so it takes it at 7,500. Household 1's deal finds no willing member (household
    0 does not want land), so the farm keeps it. Rent 10,000 m² × 0.75 yuan = 7,500 yuan a year, paid at the
    deal and then every year start."""
    r = run_tiny(CIRCULATE, years=2, tweak=member_wants(9_000))
    t = r.trades
    assert t[["seller", "buyer", "quantity", "price_ticks", "amount_fen", "mechanism"]].values.tolist() == [
        [0, 1, 10_000, 7_500, 750_000, "listing"], [1, FARM, 10_000, 7_500, 750_000, "listing"]]
    assert t[["relation", "deal", "lease_years", "price_basis"]].values.tolist() == [
        ["household->member", "subcontract first_refusal", 5, "rent"],
        ["household->family_farm", "subcontract", 5, "rent"]]
    rent = r.charges[r.charges.kind == "rent"]
    assert rent[["year", "holder", "payee", "amount_fen"]].values.tolist() == [
        [2021, 1, 0, 750_000], [2021, FARM, 1, 750_000], [2022, 1, 0, 750_000], [2022, FARM, 1, 750_000]]
    assert r.kpi("first_refusal_exercised", 2021) == 1 and r.kpi("first_refusal_declined", 2021) == 1
    # the contract right stays with the household; the management right is with the member
    assert r.bal("land.contract", 0) == 10_000 and r.bal("land.management", 0) == 0
    assert r.bal("land.management", 1) == 10_000 and r.bal("land.management", FARM) == 10_000


def test_l10_a_member_below_the_offer_leaves_the_deal_to_the_outsider():
    """L10: a member valuing 400 yuan/mu (6,000 ticks) < the 7,500 offer does not take it."""
    r = run_tiny(CIRCULATE, tweak=member_wants(6_000))
    assert r.trades.buyer.tolist() == [FARM, FARM]
    assert r.kpi("first_refusal_exercised") == 0 and r.kpi("first_refusal_declined") == 2


def test_l10_without_first_refusal_the_outsider_keeps_every_deal():
    r = run_tiny({**CIRCULATE, "circulation": {"offer_share_per_year": 1, "first_refusal": False}},
                 tweak=member_wants(9_000))
    assert r.trades.buyer.tolist() == [FARM, FARM]


def test_l10_management_right_returns_to_the_household_at_the_end_of_the_term():
    """L10: a 1-year circulation ends at the year end; the household can list it again the next year."""
    r = run_tiny({**CIRCULATE, "circulation": {"offer_share_per_year": 1, "term_years": [1]},
                  "villages": [{"name": "chaohu", "households": 1}]}, years=2)
    assert r.trades[["year", "seller", "buyer"]].values.tolist() == [[2021, 0, 3], [2022, 0, 3]]
    assert r.bal("land.management", 0) == 10_000  # the second lease ended with 2022 too
    assert r.kpi("circulated_m2", 2022) == 10_000


def test_l10_share_holding_goes_to_cooperatives_and_pays_a_dividend():
    """L10 入股: only cooperatives take shares; the yearly payment is a dividend; members have no refusal."""
    r = run_tiny({"operators": {"family_farms": 1, "cooperatives": 1},
                  "circulation": {"offer_share_per_year": 1, "share_holding_share": 1}}, tweak=member_wants(9_000))
    coop = 5
    assert r.trades.buyer.tolist() == [coop, coop]
    assert (r.trades.relation == "household->cooperative").all() and (r.trades.deal == "share-holding").all()
    assert (r.trades.lease_years == 5).all()
    assert set(r.charges.kind) == {"dividend"}


def test_l10_term_longer_than_the_contract_is_refused():
    """L10: 流转期限不得超过承包期的剩余期限 — with the contract ending in 2025 a 10-year term is refused."""
    r = run_tiny({**CIRCULATE, "circulation": {"offer_share_per_year": 1, "term_years": [10]},
                  "rural": {"second_round_end_year": 1995}})
    assert r.orders_rejected.reason.tolist() == ["term_exceeds_contract"] * 2
    assert len(r.trades) == 0


COLLECTIVE = {"villages": [{"name": "chaohu", "households": 2, "representatives": 3,
                            "collective_construction_parcels": 1}],
              "firms": {"entrants": 1}, "collective_entry": {"proposal_share_per_year": 1, "yes_probability": 1}}


def test_l10_collective_land_enters_the_market_after_the_vote_and_shares_its_proceeds():
    """L10: 3 of 3 representatives vote yes (≥ 2/3); the entrant is the lone bidder at the start price, the
    benchmark 120 yuan/m² for 50 years: 6,000 m² → 720,000 yuan. Adjustment fee 20 % = 144,000 yuan to the
    fiscal account; of the 576,000 yuan left the collective keeps 50 %, the members get 30 % = 172,800 yuan
    (86,400 each) and the village fund 20 % = 115,200 yuan."""
    r = run_tiny(COLLECTIVE)
    coll, fund, firm = 2, 3, 4
    t = r.trades
    assert t[["seller", "buyer", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [
        [coll, firm, 6_000, 1_200_000, 72_000_000]]
    c = r.charges.sort_values(["kind", "payee"])
    assert c[["kind", "holder", "payee", "amount_fen"]].values.tolist() == [
        ["adjustment_fee", coll, FISCAL, 14_400_000],
        ["proceeds_share", coll, 0, 8_640_000], ["proceeds_share", coll, 1, 8_640_000],
        ["proceeds_share", coll, fund, 11_520_000]]
    assert r.bal("money", coll) == 72_000_000 - 14_400_000 - 17_280_000 - 11_520_000 == 28_800_000
    assert r.bal("land.collective_construction", firm) == 6_000
    assert int(r.st.parcels.term_end[r.st.parcels.cls == 3][0]) == 2021 + 50 - 1


def test_l10_collective_land_stays_off_the_market_when_the_vote_fails():
    r = run_tiny({**COLLECTIVE, "collective_entry": {"proposal_share_per_year": 1, "yes_probability": 0}})
    rej = r.orders_rejected
    assert rej[["trader", "quantity", "reason"]].values.tolist() == [[2, 6_000, "vote_failed"]]
    assert len(r.trades) == 0 and r.kpi("votes_failed") == 1


def test_l7_idle_homesteads_are_leased_to_outside_lessees():
    """L7: both households' homesteads are idle and listed; the one lessee (two slots, 10 yuan/m² a year)
    takes both at the 8 yuan start: 250 m² × 8 = 2,000 yuan a year each, paid to the household."""
    r = run_tiny({"rural": {"idle_homestead_share": 1},
                  "homestead_lease": {"lessees": 1, "lease_share_per_year": 1, "value_yuan_per_m2_year": const(10)}})
    lessee = 4
    t = r.trades
    assert t[["product", "seller", "buyer", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [
        ["land.homestead", 0, lessee, 250, 80_000, 200_000], ["land.homestead", 1, lessee, 250, 80_000, 200_000]]
    rent = r.charges[r.charges.kind == "rent"]
    assert rent[["holder", "payee", "amount_fen"]].values.tolist() == [[lessee, 0, 200_000], [lessee, 1, 200_000]]
    assert r.bal("land.homestead", lessee) == 500 and np.all(r.st.lessee_slots == 0)
