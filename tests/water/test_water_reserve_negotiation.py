"""Rules W5, W11, W12 (issue 13): who trades, at what negotiated price, and a reserve that acts.

* W11: a group's ``participation`` is its taking part in the market — 0 means no trade of its holders in the
  book (CDA), the call auction or negotiation; a dry-year release (W12) is a government allocation, not a trade.
* W5 + W11: negotiated prices lie between the parties' limits, within the market's price bounds, and are
  anchored on the relation's base price (the benchmark of trading).
* W12: triggers in yuan or relative to a base price (exactly one); on a fixed wet / normal / dry path the
  reserve buys in the wet year and sells or releases in the dry one, within its cash and stock; stock about to
  expire is offered first and what expires is reported.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from conftest import first_fast, two_holder_water
from rights_market import load_scenario, simulate
from rights_market.market.negotiation import anchored_prices
from rights_market.rights.water.reserve import rule_price
from rights_market.rights.water.state import WaterConfig
from rights_market.scenario import ScenarioError
from rights_market.scenario.model import FixedWeather, WeatherState

WATER = Path(__file__).resolve().parents[2] / "scenarios" / "dawukou_water.yaml"


def annual_trades_by_group(r):
    """The run's trades of annual water with the seller's and buyer's group (``reserve`` for the reserve)."""
    t = r.trades[r.trades["product"] == "water.annual"].copy()
    group = dict(zip(r.holders["holder"], r.holders["group"].astype(str), strict=True))
    t["seller_group"] = t["seller"].map(group).fillna("reserve")
    t["buyer_group"] = t["buyer"].map(group).fillna("reserve")
    return t


# --------------------------------------------------------------------------- W11 participation
@pytest.mark.parametrize("mechanism", ["cda", "call"])
@pytest.mark.parametrize("seed", first_fast(3, 11, 29))
def test_w11_participation_zero_means_no_trade_in_the_book_call_auction_or_negotiation(mechanism, seed):
    """Farm households (participation 0 here) and urban households (0 in the scenario) trade in no market
    mechanism, with negotiation on; the same run with farms at 0.3 does see them trade (the test has teeth)."""
    base = ["calendar.years=1", f"water.market.mechanism.type={mechanism}",
            "water.market.negotiation.pairs_per_session=20"]
    off = annual_trades_by_group(simulate(load_scenario(WATER, [*base, "water.groups.0.participation=0"]),
                                          seed=seed))
    market = off[off["mechanism"].isin([mechanism, "negotiation"])]
    assert {mechanism, "negotiation"} <= set(market["mechanism"])  # both mechanisms did trade
    for group in ("farm_households", "urban_households"):
        theirs = market[(market["seller_group"] == group) | (market["buyer_group"] == group)]
        assert theirs.empty, theirs[["mechanism", "relation", "quantity", "price"]].head()
    on = annual_trades_by_group(simulate(load_scenario(WATER, base), seed=seed))
    farms = on[(on["seller_group"] == "farm_households") & on["mechanism"].isin([mechanism, "negotiation"])]
    assert set(farms["mechanism"]) == {mechanism, "negotiation"}


def test_w11_w12_a_dry_year_release_reaches_a_group_that_does_not_trade():
    """A release is a government allocation at a set price: urban households (participation 0) receive it,
    recorded with mechanism ``reserve``, while they make no market trade.

    The dry year leaves them short: 85 % of their confirmed volume is delivered while their use at the
    tariff rises by the need factor 1.15, and the over-use they would pay the tariff on shares only what is
    left of the delivered cap. They bid for nothing (participation 0, and their over-use allowance covers
    the gap on paper), so the release must follow what their rights do not cover, not what they would buy.
    The priority (domestic first) is kept: every household release comes before any other group's."""
    sc = load_scenario(WATER, ["calendar.years=1"])
    sc = sc.model_copy(update={"weather": FixedWeather(
        type="sequence", states={"dry": WeatherState(deliverable_share="0.85", need_factor=1.15)}, sequence=["dry"])})
    r = simulate(sc, seed=5, check=True)
    t = annual_trades_by_group(r)
    urban = t[(t["buyer_group"] == "urban_households") | (t["seller_group"] == "urban_households")]
    assert len(urban) > 0 and set(urban["mechanism"]) == {"reserve"}
    released = t[t["mechanism"] == "reserve"].reset_index(drop=True)
    first_other = released.index[released["buyer_group"] != "urban_households"].min()
    assert (released.loc[: first_other - 1, "buyer_group"] == "urban_households").all()
    # a release fills a gap, it does not hand out a second allocation: no household gets its confirmed volume
    h = r.holdings
    rights = h[(h["product"] == "water.right") & (h["time"] == h["time"].min())]
    confirmed = rights.set_index("holder")["quantity"]
    got = urban.groupby("buyer")["quantity"].sum()
    assert (got.values < confirmed.loc[got.index].values).all()


# --------------------------------------------------------------------------- W5 + W11 negotiated prices
def test_w5_w11_negotiated_price_is_the_base_anchored_nash_split_of_the_zone():
    """Hand-solved: ask 100, bid 1,000 ticks, power ½, anchor ½, no noise.

    Zone [100, 1000], Nash 550; base 300 → (300 + 550) / 2 = 425. With the cap at 400 the zone is [100, 400]:
    Nash 250, → (300 + 250) / 2 = 275. Base 2,000 is brought into the zone (1,000): (1000 + 550) / 2 = 775.
    No gain (bid = ask), a floor above the bid, or a zone outside the bounds: no deal (−1)."""
    half = Fraction(1, 2)

    def p(ask, bid, base, lo=0, hi=10_000, floor=0, noise=0.0):
        return int(anchored_prices(np.array([ask]), np.array([bid]), np.array([base]), lo, hi, np.array([floor]),
                                 half, half, np.array([noise]))[0])

    assert p(100, 1000, 300) == 425
    assert p(100, 1000, 300, hi=400) == 275
    assert p(100, 1000, 2000) == 775
    assert p(500, 500, 500) == -1
    assert p(100, 1000, 300, floor=1200) == -1
    assert p(100, 1000, 300, lo=1500, hi=2000) == -1
    # noise moves the price but never out of the zone
    assert p(100, 1000, 300, noise=5.0) == 1000 and p(100, 1000, 300, noise=-5.0) == 100


@pytest.mark.parametrize("seed", first_fast(3, 11))
def test_w5_w11_negotiated_prices_stay_within_the_price_bounds(seed):
    """With the quote cap at 2 yuan/m³ every negotiated price of annual water lies in [0.01, 2]."""
    sc = load_scenario(WATER, ["calendar.years=2", "water.market.price_max_yuan_per_m3=2",
                               "water.market.negotiation.pairs_per_session=20"])
    t = annual_trades_by_group(simulate(sc, seed=seed))
    neg = t[t["mechanism"] == "negotiation"]
    assert len(neg) > 20
    assert neg["price"].max() <= 2 and neg["price"].min() >= 0.01


def test_w5_median_negotiated_price_of_a_relation_moves_with_its_base_price():
    """The agriculture → agriculture base price is the anchor of that relation's negotiations: raising it
    from 0.40 to 0.90 yuan/m³ raises the relation's median negotiated price; the floor, when on, holds.

    Farms buy from farms only when they are short: in the shipped scenario a farm may use 30 % above its
    quota at the irrigation price plus the agricultural mark-up (1.5 fen a band), far below any price of
    rights, so it pays that rather than buy. Here the farms are held to their quota (no over-use allowance,
    strict total-volume control, W1), so those short of their intended use bid — at reservation prices from
    their value curves (``limits_for_negotiation``)."""
    strict = ["water.groups.0.max_overuse_share=0", "water.groups.1.max_overuse_share=0"]

    def median(base, extra=()):
        sc = load_scenario(WATER, ["calendar.years=1", "water.market.negotiation.pairs_per_session=20",
                                   f"water.base_prices.0.yuan_per_m3={base}", *strict, *extra])
        t = annual_trades_by_group(simulate(sc, seed=7))
        neg = t[(t["mechanism"] == "negotiation") & (t["relation"] == "agriculture->agriculture")]
        assert len(neg) >= 20
        return neg

    low, high = median("0.40"), median("0.90")
    assert high["price"].median() > low["price"].median() + 0.1
    floored = median("0.90", ["water.market.floor_at_base_price=true"])
    assert floored["price"].min() >= 0.90


# --------------------------------------------------------------------------- W12 the reserve
def test_w12_triggers_relative_to_a_base_price_are_priced_from_it():
    """``trigger_base_share`` × the base price: 0.8 × 1.081 (the reserve's default) = 0.8648 yuan; with
    ``relation`` agriculture → agriculture, 1.5 × 0.40 = 0.60 yuan; a yuan trigger is taken as it is."""
    s = two_holder_water(water__base_prices=[{"seller": "agriculture", "buyer": "agriculture", "yuan_per_m3": "0.40"}],
                         water__reserve={"rules": [
                             {"type": "buy_below", "trigger_base_share": "0.8", "max_m3_per_session": 1},
                             {"type": "sell_above", "trigger_base_share": "1.5", "max_m3_per_session": 1,
                              "relation": {"seller": "agriculture", "buyer": "agriculture"}},
                             {"type": "sell_above", "trigger_yuan_per_m3": "2.5", "max_m3_per_session": 1}]})
    cfg = WaterConfig.from_spec(s.water)
    assert [rule_price(r, cfg) for r in s.water.reserve.rules] == [8648, 6000, 25000]


@pytest.mark.parametrize("rule, message", [
    ({"type": "buy_below", "max_m3_per_session": 1}, "give trigger_yuan_per_m3"),
    ({"type": "sell_above", "max_m3_per_session": 1, "trigger_yuan_per_m3": "2", "trigger_base_share": "1.5"},
     "not both"),
    ({"type": "buy_below", "max_m3_per_session": 1, "trigger_yuan_per_m3": "2",
      "relation": {"seller": "agriculture", "buyer": "industry"}}, "give trigger_base_share with it"),
    ({"type": "offer_before_expiry", "price_yuan_per_m3": "1", "price_base_share": "1"}, "not both"),
])
def test_w12_a_reserve_rule_gives_exactly_one_kind_of_trigger(tmp_path, rule, message):
    """Exactly one of the yuan and the base-share trigger, located in the file."""
    import yaml

    text = WATER.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["water"]["reserve"]["rules"] = [rule]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    (problem,) = err.value.problems
    assert problem.path.startswith("water.reserve.rules.0") and message in problem.message
    assert problem.line is not None


def reserve_books(r, initial_rights: int, shares: dict[int, Fraction]) -> None:
    """W12 / X2 conservation of the reserve's own accounts, row by row of the ``reserve`` table: each year its
    stock starts (after the budget row) at ⌊rights × deliverable share⌋, moves by every buy, sale, release and expiry and ends at 0;
    its cash moves by every budget, buy, sale and release and is never negative."""
    res = r.reserve[r.reserve["product"] == "water.annual"]
    cash = 0
    for year, rows in res.groupby("year", sort=True):
        share = shares[year]
        stock = 0
        for row in rows.itertuples():
            if row.action == "budget":  # recorded before the year's annual water is delivered
                assert row.stock == 0
                stock = initial_rights * share.numerator // share.denominator
            sign = {"budget": 0, "buy": 1, "sell": -1, "release": -1, "expire": -1}[row.action]
            stock += sign * row.quantity
            cash += row.amount_fen if row.action in ("budget", "sell", "release") else 0
            cash -= row.amount_fen if row.action == "buy" else 0
            if row.action != "budget":
                assert row.stock == stock, row
            assert row.cash_fen == cash, row
            assert stock >= 0 and cash >= 0
        assert stock == 0  # nothing carried over: what was not sold expired, on the record


@pytest.mark.parametrize("seed", first_fast(11, 23, 47))
def test_w12_reserve_buys_in_a_wet_year_and_sells_or_releases_in_a_dry_year(seed):
    """Fixed weather wet, normal, dry on the default scenario (triggers 0.8 × and 1.5 × the base price):
    the reserve buys back in the wet year, and sells or releases in the dry year; its books balance row by row
    and every right and yuan is conserved (check)."""
    sc = load_scenario(WATER, ["calendar.years=3"])
    states = {"wet": WeatherState(deliverable_share="1", need_factor=0.9),
              "normal": WeatherState(deliverable_share="1", need_factor=1.0),
              "dry": WeatherState(deliverable_share="0.85", need_factor=1.15)}
    sc = sc.model_copy(update={"weather": FixedWeather(type="sequence", states=states,
                                                       sequence=["wet", "normal", "dry"])})
    r = simulate(sc, seed=seed, check=True)
    assert r.weather == ["wet", "normal", "dry"]
    res = r.reserve
    bought = res[res["action"] == "buy"].groupby("year")["quantity"].sum()
    out = res[res["action"].isin(["sell", "release"])].groupby("year")["quantity"].sum()
    assert bought.get(2021, 0) > 0, "the reserve buys back in the wet year"
    assert out.get(2023, 0) > 0, "the reserve sells or releases in the dry year"
    assert (res[res["action"] == "buy"]["price"] <= 0.8 * 1.081 + 1e-9).all()
    k = r.kpis
    assert k[k["metric"] == "reserve_rights"]["value"].tolist() == [300_000] * 3
    reserve_books(r, 300_000, {2021: Fraction(1), 2022: Fraction(1), 2023: Fraction(85, 100)})


def test_w12_stock_about_to_expire_is_offered_in_the_last_sessions_and_the_rest_expires_on_the_record():
    """Reserve 1,000 m³, four sessions, ``offer_before_expiry`` over the last two at 1.00 yuan; the farmer
    does not take part (participation 0), the firm wants 200 m³. Nothing is offered in sessions 0 and 1; in
    session 2 the reserve offers ⌈1000 / 2⌉ = 500 and the firm buys its 200; 800 m³ expire, reported as the
    year's ``expire`` row and the ``reserve_stock`` KPI."""
    s = two_holder_water(
        calendar={"start_year": 2021, "years": 1, "periods_per_year": 1, "sessions_per_year": 4},
        water__groups__0__participation=0.0,
        water__reserve={"initial_rights_m3": 1000, "budget_yuan_per_year": 0,
                        "rules": [{"type": "offer_before_expiry", "last_sessions": 2, "price_yuan_per_m3": "1"}]},
    )
    r = simulate(s, seed=1, check=True)
    t = r.trades
    assert t[["session", "seller", "quantity"]].values.tolist() == [[2, -1, 200]]
    assert r.reserve[r.reserve["action"] == "expire"]["quantity"].tolist() == [800]
    assert r.kpis[r.kpis["metric"] == "reserve_stock"]["value"].tolist() == [800]


def test_w5_w11_negotiation_bargains_between_the_holders_reservation_prices(monkeypatch):
    """Design principle 8 in negotiation: the limits are the holders' reservation prices from their value
    curves, the book's (``decisions.order_limits`` with the pair's quantity as one lot), not their reference
    values; every agreed price lies between them; no pair has a participation-0 holder (households,
    ecology). On the shipped scenario agriculture → industry prices centre on the base price (1.081 yuan/m³)."""
    from rights_market.rights.water import trading

    seen = []
    real_limits, real_prices = trading.limits_for_negotiation, trading.anchored_prices

    def limits(st, world, cfg, sellers, buyers, qty):
        ask, bid = real_limits(st, world, cfg, sellers, buyers, qty)
        assert not (st.participation[sellers] == 0).any() and not (st.participation[buyers] == 0).any()
        differs = (ask != st.mv[sellers]) | (bid != st.mv[buyers])
        seen.append(("limits", bool(differs.any())))
        return ask, bid

    def prices(ask, bid, *args, **kw):
        p = real_prices(ask, bid, *args, **kw)
        seen.append(("prices", ask.copy(), bid.copy(), p.copy()))
        return p

    monkeypatch.setattr(trading, "limits_for_negotiation", limits)
    monkeypatch.setattr(trading, "anchored_prices", prices)
    r = simulate(load_scenario(WATER, ["calendar.years=1"]), seed=3)
    assert any(flag for kind, flag, *_ in seen if kind == "limits")  # not the reference values
    deals = 0
    for kind, *rest in seen:
        if kind == "prices":
            ask, bid, p = rest
            ok = p >= 0
            deals += int(ok.sum())
            assert ((ask[ok] <= p[ok]) & (p[ok] <= bid[ok])).all()
    assert deals > 20
    t = annual_trades_by_group(r)
    neg = t[t["mechanism"] == "negotiation"]
    assert not neg["seller_group"].isin(["urban_households", "ecological_units"]).any()
    assert not neg["buyer_group"].isin(["urban_households", "ecological_units"]).any()
    a2i = neg[neg["relation"] == "agriculture->industry"]
    assert 0.7 * 1.081 <= a2i["price"].median() <= 1.5 * 1.081
