"""Rule X3 (rights as collateral, after W14, E10, F3): a right pledged through the ``links:`` section of a scenario
cannot be sold. Each market lets a holder sell no more than its balance minus its pledged balance (the ledger
product ``<product>.pledged``); what is above is refused and recorded (reason ``pledged``), the free part goes
ahead. Every run here is ``simulate(..., check=True)``: every right, every encumbrance and every fen is conserved
after every period and year end.

Pledges are made at the year start, after the markets' own year starts (the links act last), with
``holder_share: 1`` (every holder with a free quantity pledges) and interest and default rates 0.
"""

from __future__ import annotations

import copy

from test_land_setup import TINY, const, merge

from conftest import CHEAP_SAVING, two_holder_water
from rights_market import simulate
from rights_market.ledger import ECONOMY
from rights_market.rights.land.policy import LandPolicy
from rights_market.scenario.model import Scenario


def pledge_rule(product: str, share: str, value_yuan: str = "1") -> dict:
    """Every holder of ``product`` pledges ``share`` of its free holding for one year, loan-to-value 0.5."""
    return {"product": product, "holder_share": 1, "pledge_share": share, "value_yuan_per_unit": value_yuan,
            "loan_to_value": "0.5", "interest_rate": 0, "term_years": 1, "default_rate": 0}


def with_links(s: Scenario, *rules: dict) -> Scenario:
    data = s.model_dump(mode="json")
    data["links"] = {"pledges": list(rules)}
    return Scenario.model_validate(data)


def pledged_rows(r):
    rej = r.orders_rejected
    return rej[rej.reason == "pledged"]


# ------------------------------------------------------------------------------------------------ water (W14)
def test_x3_w14_pledged_annual_water_is_not_offered_beyond_the_free_quantity():
    """X3/W14, water sessions: the farmer receives 1,000 m³ of annual water and pledges 90 % of it (900 m³): it may
    sell 100 m³. Its order for its whole surplus (1,000 − plan 500 = 500 m³, asked at the 0.01 yuan guard: unused
    water is worth nothing to it) is cut to 100 m³; the 400 m³ above are refused ``pledged``. The firm bids
    its net value 10 − 3.30 = 6.70 yuan for its 200 m³; the call clears the 100 m³ at the midpoint of
    [0.01, 6.70] = 3.355 yuan/m³ (33,550 ticks): 335.50 yuan = 33,550 fen. The firm's own pledge
    (900 of its 1,000 m³) does not limit its buying."""
    s = with_links(two_holder_water(), pledge_rule("water.annual", "0.9"))
    r = simulate(s, seed=1, check=True)
    reg = r.registry
    assert reg[reg.event == "pledge"][["holder", "quantity"]].values.tolist() == [[0, 900], [1, 900]]
    rej = pledged_rows(r)
    assert rej[["product", "trader", "side", "quantity", "price"]].values.tolist() == [
        ["water.annual", 0, "sell", 400, 0.01]]
    t = r.trades
    assert t[["seller", "buyer", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [[0, 1, 100, 33_550,
                                                                                               33_550]]
    c = r.charges
    assert c[c.kind == "loan"][["payee", "amount_fen"]].values.tolist() == [[0, 45_000], [1, 45_000]]  # 900 × 0.5


def test_x3_w14_without_pledges_the_same_market_trades_the_firms_whole_demand():
    """X3 control: the same market without the ``links:`` section trades 200 m³ at 3.355 yuan, refuses nothing."""
    r = simulate(two_holder_water(), seed=1, check=True)
    assert r.trades[["quantity", "price_ticks"]].values.tolist() == [[200, 33_550]]
    assert pledged_rows(r).empty


def test_x3_w14_a_negotiated_deal_is_cut_to_the_sellers_free_water():
    """X3/W14, negotiation (W11): the book cannot match (the firm shades its 6.70 yuan limit by 99 % to
    0.067, the farmer asks its unused surplus at the 0.01 guard, and both are below the W5 floor of 1.081
    the scenario sets here); the one
    negotiated pair is the farmer (surplus 500 m³) and the firm (wants 200), bargaining between their
    reservation prices, unanchored (``anchor_weight`` 0): the farmer's unused surplus is worth nothing to it,
    so the zone starts at the W5 floor 1.081; the firm's limit is 6.70; 200 m³ at the Nash split
    1.081 + ⌊½ × (6.70 − 1.081)⌋ = 3.8905 yuan. The farmer pledged 900 of its 1,000 m³, so 100 m³ change
    hands (38,905 fen) and 100 m³ are refused ``pledged``."""
    s = two_holder_water(water__market={"mechanism": {"type": "call"},
                                        "negotiation": {"pairs_per_session": 1, "noise_sd_share": 0,
                                                        "anchor_weight": 0},
                                        "floor_at_base_price": True},
                         water__groups__0__behaviour={"type": "markup", "markup": 0.99},
                         water__groups__1__behaviour={"type": "markup", "markup": 0.99})
    r = simulate(with_links(s, pledge_rule("water.annual", "0.9")), seed=1, check=True)
    # the book's offer of the surplus (500 m³ at 0.01) is cut to the free 100 m³ as well, then the deal
    assert pledged_rows(r)[["trader", "side", "quantity", "price"]].values.tolist() == [
        [0, "sell", 400, 0.01], [0, "sell", 100, 3.8905]]
    t = r.trades
    assert t[["mechanism", "seller", "buyer", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [
        ["negotiation", 0, 1, 100, 38_905, 38_905]]


def test_x3_w14_a_pledged_confirmed_right_is_not_sold_in_a_long_term_deal():
    """X3/W14, medium- and long-term deals (W4): the farmer (confirmed 1,000 m³, reference use 500) invests
    in saving 250 m³ (the cheap cost curve); the firm plans 1,200 m³ with 1,000 confirmed (short 200). The
    deal would pass 200 m³ of the farmer's confirmed right for 5 years at the present value of the expected
    annual price: after the year's session sale at 3.355 the expectation is ½ × 1.081 + ½ × 3.355 = 2.218,
    × 4.212364 (5 years at 6 %) = 9.3430 yuan per m³. The farmer pledged 90 % of its right (900 m³), so
    only 100 m³ pass (934.30 yuan = 93,430 fen); 100 m³ are refused ``pledged``. This year's annual water
    is not encumbered: no session sale is refused."""
    s = two_holder_water(water__long_term={"enabled": True, "term_years": 5, "pairs_per_year": 1},
                         water__groups__0__saving=CHEAP_SAVING)
    r = simulate(with_links(s, pledge_rule("water.right", "0.9")), seed=1, check=True)
    assert pledged_rows(r)[["product", "trader", "quantity", "price"]].values.tolist() == [
        ["water.right", 0, 100, 9.343]]
    t = r.trades
    right = t[t["product"] == "water.right"]
    assert right[["seller", "buyer", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [
        [0, 1, 100, 93_430, 93_430]]
    assert t[t["product"] == "water.annual"].quantity.tolist() == [200]  # the session sale is untouched


# ------------------------------------------------------------------------------------------------ emission (E10)
def emission_scenario() -> Scenario:
    """NOx only, base 10 yuan/t (100 ticks/kg), 1-t lots, a call auction, no reserve, up to 10 orders a side;
    units know the floor. Seller: 10 t of rights, emits 5 t, abatement cost 2·Z² yuan (Z in t). Buyer: 10 t of
    rights, emits 12 t, cost 1,000·Z²."""
    def group(name, unabated_t, b):
        return {"name": name, "sector": "industry", "kind": "existing", "count": 1,
                "output_growth": const(0), "closure_rate_per_year": 0, "participation": 1, "floor_aware_share": 1,
                "lease_participation": 0,
                "pollutants": {"NOx": {"permitted_t": const(10), "unabated_share_of_permit": const(unabated_t / 10),
                                       "abatement": {"type": "quadratic", "b_yuan_per_t2": b}}}}

    em = {"pollutants": [{"id": "NOx", "base_price_yuan_per_t": 10}], "validity_years": 1,
          "market": {"mechanism": {"type": "call"}, "lot_t": 1, "max_orders_per_side": 10, "valuation_years": 1,
                     "off_platform_attempts_per_session": 0, "price_max_multiple_of_base": 100_000,
                     "expectation": {"start_multiple_of_base": 0}},  # no abatement planned ahead: the textbook case
          "reserve": {"enabled": False}, "lease": {"enabled": False},
          "groups": [group("seller", 5, 2), group("buyer", 12, 1000)]}
    return Scenario.model_validate(copy.deepcopy({
        "name": "emission_pledge", "calendar": {"years": 1, "periods_per_year": 1, "sessions_per_year": 1},
        "weather": {"type": "sequence", "states": {"n": {}}, "sequence": ["n"]},
        "output": {"holdings_every": "year"}, "emission": em}))


def test_x3_e10_pledged_emission_rights_are_not_sold_beyond_the_free_quantity():
    """X3/E10, emission platform: both units pledge 90 % of their 10,000 kg (9,000 kg) through the links; each
    may sell 1,000 kg. The seller asks 10 lots of 1 t: 5 t of surplus and 5 t it could free by abating, at its
    abatement cost 2, 6, 10, 14, 18 yuan/t, lifted to the floor 10 yuan/t where below. The first lot is
    accepted; lots 2–10 are refused ``pledged``. The buyer (short 2 t, bids 3,000 and 1,000 yuan/t for its 2nd
    and 1st missing tonne) would also sell tonnes it abates beyond its need, at 1,000·((2+j)² − (1+j)²) =
    5,000, 7,000, … 23,000 yuan/t: its first ask is accepted, the other nine are refused. The call auction
    trades the seller's 1 t: volume 1 t is executable from the ask 100 to the top bid 30,000 ticks/kg, so the
    price is the midpoint 15,050 ticks (1,505 yuan/t): 150,500 fen. Without the pledge the seller's two floor
    lots would have met both bids (2 t at 505 yuan/t, see the control below)."""
    r = simulate(with_links(emission_scenario(), pledge_rule("emission.NOx", "0.9", "0.01")), seed=1, check=True)
    reg = r.registry
    assert reg[reg.event == "pledge"][["holder", "quantity"]].values.tolist() == [[0, 9000], [1, 9000]]
    rej = pledged_rows(r)
    assert (rej["product"] == "emission.NOx").all() and (rej.side == "sell").all() and (rej.quantity == 1000).all()
    assert rej[rej.trader == 0].price.tolist() == [0.01] * 7 + [0.014, 0.018]
    assert rej[rej.trader == 1].price.tolist() == [7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 19.0, 21.0, 23.0]
    t = r.trades
    assert t[["seller", "buyer", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [[0, 1, 1000, 15_050,
                                                                                               150_500]]
    k = r.kpis[(r.kpis.right == "emission") & (r.kpis.metric == "pledged_rejections")]
    assert k.value.tolist() == [18]
    h = r.holdings
    assert h[(h.holder == 0) & (h["product"] == "emission.NOx")].quantity.tolist() == [9000]


def test_x3_e10_control_without_pledges_both_floor_lots_sell():
    """X3 control: the same emission market without the links trades 2 t at the midpoint of [10, 1,000] yuan/t
    = 505 yuan/t (5,050 ticks/kg), 101,000 fen, and refuses nothing."""
    r = simulate(emission_scenario(), seed=1, check=True)
    assert r.trades[["seller", "buyer", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [
        [0, 1, 2000, 5050, 101_000]]
    assert r.orders_rejected.empty


def test_x3_e10_a_mortgaged_part_is_not_pledged_again_through_the_links():
    """X3/E10, one encumbrance for both: the seller (10,000 kg of NOx) mortgages 40 % of it under E10 (4,000 kg,
    value 4,000 kg × 1 fen = 4,000 fen at the base price, loan 50 % = 2,000 fen, interest 0). The links' X3
    rule then asks every holder for all of its NOx (pledge share 1): the seller's free quantity is only the
    6,000 kg left, so its X3 pledge is 6,000 kg (3,000 fen at 0.01 yuan × 50 %) and the 4,000 kg under
    mortgage are not pledged a second time; the buyer, with no mortgage, pledges its 10,000 kg (5,000 fen).
    Each unit now has nothing free: all 10 of the seller's 1-t asks are refused ``pledged`` and nothing trades.
    At the year end the E10 loan is repaid (2,000 fen) and its 4,000 kg released, then the X3 loans."""
    data = emission_scenario().model_dump(mode="json")
    data["emission"]["groups"][0]["mortgage_rate_per_year"] = 1
    data["emission"]["mortgage"] = {"pledge_share": "0.4", "loan_to_value": "0.5", "interest_rate": 0,
                                    "term_years": 1}
    s = with_links(Scenario.model_validate(data), pledge_rule("emission.NOx", "1", "0.01"))
    r = simulate(s, seed=1, check=True)
    reg = r.registry
    assert reg[["event", "right", "product", "holder", "quantity", "unit", "term_end", "amount_fen", "note"]
               ].values.tolist() == [
        ["pledge", "emission", "emission.NOx", 0, 4000, "kg", 2021, 2000, "mortgage loan (E10)"],
        ["pledge", "emission", "emission.NOx", 0, 6000, "kg", 2021, 3000, "loan (X3)"],
        ["pledge", "emission", "emission.NOx", 1, 10_000, "kg", 2021, 5000, "loan (X3)"],
        ["release", "emission", "emission.NOx", 0, 4000, "kg", -1, 2000, "loan repaid"],
        ["release", "emission", "emission.NOx", 0, 6000, "kg", -1, 3000, "loan repaid"],
        ["release", "emission", "emission.NOx", 1, 10_000, "kg", -1, 5000, "loan repaid"]]
    rej = pledged_rows(r)
    seller = rej[rej.trader == 0]
    assert seller[["product", "side", "quantity"]].values.tolist() == [["emission.NOx", "sell", 1000]] * 10
    assert r.trades.empty
    c = r.charges
    assert c[c.kind == "loan"][["payee", "amount_fen"]].values.tolist() == [[0, 2000], [0, 3000], [1, 5000]]
    k = r.kpis
    assert k[(k.right == "emission") & (k.metric == "mortgage_credit")].value.tolist() == [20.0]  # 2,000 fen


# ------------------------------------------------------------------------------------------------ land (X3)
def land_scenario(land: dict, links: dict) -> Scenario:
    return Scenario.model_validate({
        "name": "land_pledge", "calendar": {"years": 1, "periods_per_year": 1, "sessions_per_year": 1},
        "weather": {"type": "sequence", "states": {"n": {}}, "sequence": ["n"]},
        "output": {"holdings_every": "year"}, "land": merge(TINY, land), "links": links})


def test_x3_pledged_land_lots_are_refused_once_the_free_area_is_used(monkeypatch):
    """X3 on land, secondary market with splitting (L5): the firm (account 4) holds one parcel of 100,000 m² of
    state construction land and pledges half of it (50,000 m²). It offers the parcel; five entrants want
    20,000 m² each, so it is split into five lots of 20,000 m². Each lot is sold only while the firm's free area
    covers it: lots 1 and 2 go (to entrants 5 and 6, at the Nash split 120 yuan/m²), leaving 10,000 m² free;
    lots 3–5 are refused ``pledged`` (20,000 m² each) and stay with the firm, which keeps 60,000 m² ≥ its
    50,000 m² pledge."""
    original = LandPolicy.setup

    def setup(self, world, first_holder):
        original(self, world, first_holder)
        self.state.firm_value[:] = [1_000_000] + [1_400_000] * 5
        self.state.secondary_queue.append((4, "test", 0))  # parcel row 4: the firm's

    monkeypatch.setattr(LandPolicy, "setup", setup)
    s = land_scenario({"firms": {"firms": 1, "entrants": 5, "parcel_m2": const(100_000), "demand_m2": const(20_000)}},
                      {"pledges": [pledge_rule("land.state_construction", "0.5", "120")]})
    r = simulate(s, seed=1, check=True)
    reg = r.registry
    assert reg[reg.event == "pledge"][["holder", "quantity", "amount_fen"]].values.tolist() == [
        [4, 50_000, 300_000_000]]  # 50,000 m² × 120 yuan × 0.5 = 3,000,000 yuan
    t = r.trades
    assert t[["seller", "buyer", "quantity", "price_ticks"]].values.tolist() == [[4, 5, 20_000, 1_200_000],
                                                                                [4, 6, 20_000, 1_200_000]]
    rej = pledged_rows(r)
    assert rej[["product", "trader", "side", "quantity"]].values.tolist() == [
        ["land.state_construction", 4, "sell", 20_000]] * 3
    h = r.holdings
    assert h[(h.holder == 4) & (h["product"] == "land.state_construction")].quantity.tolist() == [60_000]
    k = r.kpis[(r.kpis.right == "land") & (r.kpis.metric == "rejected")]
    assert k.value.tolist() == [3]  # the land KPI of refusals counts them


def test_x3_a_pledged_management_right_is_not_circulated():
    """X3 on land, circulation (L10): households 0 and 1 each hold one parcel with 10,000 m² of management right
    and pledge 60 % of it (6,000 m²). Both offer their parcel for circulation; a parcel changes hands whole and
    10,000 m² > the 4,000 m² free, so both are refused ``pledged`` at the benchmark rent 0.75 yuan per m² and
    year; the family farm gets nothing and the rights stay with the households."""
    s = land_scenario({"operators": {"family_farms": 1}, "circulation": {"offer_share_per_year": 1}},
                      {"pledges": [pledge_rule("land.management", "0.6")]})
    r = simulate(s, seed=1, check=True)
    reg = r.registry
    assert reg[reg.event == "pledge"][["holder", "quantity"]].values.tolist() == [[0, 6000], [1, 6000]]
    assert pledged_rows(r)[["product", "trader", "quantity", "price"]].values.tolist() == [
        ["land.management", 0, 10_000, 0.75], ["land.management", 1, 10_000, 0.75]]
    assert r.trades.empty
    h = r.holdings
    assert h[h["product"] == "land.management"][["holder", "quantity"]].values.tolist() == [[0, 10_000],
                                                                                        [1, 10_000]]


def test_x3_a_quota_ask_is_cut_to_the_free_quota():
    """X3 on land, the quota market (L8): the restorer (account 4) restores a mining parcel in 2021 and holds
    10,000 m² of new cultivated-land quota in 2022; at the 2022 year start it pledges half (5,000 m²). Its ask
    (18 yuan/m²) for all 10,000 m² is cut to 5,000 m²; 5,000 m² are refused ``pledged``. The land reserve bids
    40 yuan/m²; the call clears the 5,000 m² at the midpoint 29 yuan/m²: 145,000 yuan = 14,500,000 fen."""
    s = land_scenario({"restoration": {"restorers": 1, "mining_parcels": 1, "mining_per_year": 1,
                                       "to_farmland_share": 1},
                       "supply": {"reserve_budget_yuan_per_year": 10_000_000}},
                      {"pledges": [pledge_rule("land.farmland_quota", "0.5", "30")]})
    s = Scenario.model_validate({**s.model_dump(mode="json"),
                                 "calendar": {"years": 2, "periods_per_year": 1, "sessions_per_year": 1},
                                 "weather": {"type": "sequence", "states": {"n": {}}, "sequence": ["n", "n"]}})
    r = simulate(s, seed=1, check=True)
    reg = r.registry
    assert reg[reg.event == "pledge"][["year", "holder", "quantity"]].values.tolist() == [[2022, 4, 5000]]
    assert pledged_rows(r)[["year", "product", "trader", "quantity", "price"]].values.tolist() == [
        [2022, "land.farmland_quota", 4, 5000, 18.0]]
    t = r.trades[r.trades["product"] == "land.farmland_quota"]
    assert t[["seller", "quantity", "price_ticks", "amount_fen"]].values.tolist() == [[4, 5000, 290_000, 14_500_000]]


def test_x3_encumbrance_of_expiring_collateral_is_cut_to_the_holding():
    """X3: annual water pledged for a year expires at the water year end, before the links settle the loan, so
    each encumbrance of 900 m³ is cut to what is held (0: event ``collateral_lost``, 900 m³), the loan is then
    released with nothing left pledged (0 m³) and repaid in full: 2 × 450 yuan to the bank."""
    r = simulate(with_links(two_holder_water(), pledge_rule("water.annual", "0.9")), seed=1, check=True)
    reg = r.registry
    ev = reg[reg.event.isin(["pledge", "collateral_lost", "release"])]
    assert ev[["event", "holder", "quantity"]].values.tolist() == [
        ["pledge", 0, 900], ["pledge", 1, 900], ["collateral_lost", 0, 900], ["release", 0, 0],
        ["collateral_lost", 1, 900], ["release", 1, 0]]
    c = r.charges
    repaid = c[c.kind == "loan_repayment"]
    assert repaid[["holder", "payee", "amount_fen"]].values.tolist() == [[0, ECONOMY, 45_000], [1, ECONOMY, 45_000]]
