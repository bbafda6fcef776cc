"""Single-unit auctions of the zero-intelligence literature (``market/gs_auction.py``): Gode & Sunder's (1993)
improvement rule, trades at the standing quote and book clearing, checked by hand and against a naive
restatement of their rules; Cliff's (1997) NYSE quotes and willing-counterpart rule; both through the engine
(rule X1: one mechanism module for every right)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rights_market import simulate
from rights_market.market import BUY, SELL
from rights_market.market.gs_auction import (
    GS_FILL_COLUMNS,
    GS_REJECTION_COLUMNS,
    QUOTED,
    REJECTED,
    TRADED,
    CliffQuotes,
    GodeSunderAuction,
    cliff_counterpart,
)
from rights_market.scenario.model import Scenario


def market(buyers, sellers, behaviour="truthful", days=1, **teaching) -> Scenario:
    spec = {"buyers_yuan": buyers, "sellers_yuan": sellers, "buyer_behaviour": {"type": behaviour},
            "seller_behaviour": {"type": behaviour}, **teaching}
    return Scenario.model_validate({
        "name": "gs", "calendar": {"years": 1, "periods_per_year": 1, "sessions_per_year": days},
        "weather": {"type": "sequence", "states": {"n": {}}, "sequence": ["n"]},
        "output": {"holdings_every": "none"}, "teaching": spec})


def daily(result, metric: str) -> np.ndarray:
    k = result.kpis
    return k[k.metric == metric].sort_values("time").value.to_numpy()


# ------------------------------------------------------------------------------------ Gode & Sunder, by hand
def test_x1_gode_sunder_improvement_rule_standing_price_and_clearing():
    """Bids must rise and asks fall (equal is not an improvement); a crossing shout trades at the standing
    quote's price; the trade clears the book, so the next shout of either side is valid whatever its price."""
    a = GodeSunderAuction(floor_ticks=1, ceiling_ticks=400)
    assert a.shout(1, BUY, 100, time=0) == QUOTED
    assert a.shout(2, BUY, 100, time=1) == REJECTED  # not above the best bid
    assert a.shout(2, BUY, 90, time=2) == REJECTED
    assert a.shout(2, BUY, 120, time=3) == QUOTED and (a.bid, a.bid_trader) == (120, 2)
    assert a.shout(7, SELL, 300, time=4) == QUOTED
    assert a.shout(8, SELL, 310, time=5) == REJECTED  # not below the best ask
    assert a.shout(8, SELL, 250, time=6) == QUOTED and (a.ask, a.ask_trader) == (250, 8)
    assert a.shout(3, BUY, 260, time=7) == TRADED  # bid crosses the ask: the ask's price
    assert (a.last_buyer, a.last_seller, a.last_price) == (3, 8, 250)
    assert (a.bid, a.ask) == (-1, -1)  # cleared
    assert a.shout(9, SELL, 399, time=8) == QUOTED  # a new spread opens at any price
    assert a.shout(4, BUY, 50, time=9) == QUOTED
    assert a.shout(10, SELL, 40, time=10) == TRADED  # ask crosses the bid: the bid's price
    assert (a.last_buyer, a.last_seller, a.last_price) == (4, 10, 50)
    f = a.take_fills()
    assert list(f) == list(GS_FILL_COLUMNS)
    assert [tuple(f[c].tolist()) for c in GS_FILL_COLUMNS] == [(7, 10), (3, 4), (8, 10), (250, 50), (BUY, SELL)]
    r = a.take_rejections()
    assert list(r) == list(GS_REJECTION_COLUMNS)
    assert r["time"].tolist() == [1, 2, 5] and r["reason"].tolist() == ["not_improving"] * 3
    assert a.take_fills()["price"].size == 0 and a.take_rejections()["reason"].size == 0


def test_x1_gode_sunder_rejects_invalid_shouts_with_a_reason():
    a = GodeSunderAuction(floor_ticks=10, ceiling_ticks=20)
    assert [a.shout(1, BUY, p) for p in (0, 9, 21)] == [REJECTED] * 3
    assert a.shout(1, 0, 15) == REJECTED
    assert a.shout(1, SELL, 15) == QUOTED
    assert a.shout(1, BUY, 16) == REJECTED  # would cross its own ask
    assert a.take_rejections()["reason"].tolist() == [
        "non_positive", "below_floor", "above_ceiling", "invalid_side", "self_trade"]
    with pytest.raises(ValueError, match="ceiling"):
        GodeSunderAuction(floor_ticks=10, ceiling_ticks=5)


def naive_gode_sunder(shouts):
    """Gode & Sunder's rules restated as plainly as possible: the list of trades (buyer, seller, price) and of
    rejected shout indices."""
    bid = ask = None  # (price, trader)
    trades, rejected = [], []
    for k, (trader, side, price) in enumerate(shouts):
        if side == BUY:
            if ask is not None and price >= ask[0]:
                trades.append((trader, ask[1], ask[0]))
                bid = ask = None
            elif bid is None or price > bid[0]:
                bid = (price, trader)
            else:
                rejected.append(k)
        else:
            if bid is not None and price <= bid[0]:
                trades.append((bid[1], trader, bid[0]))
                bid = ask = None
            elif ask is None or price < ask[0]:
                ask = (price, trader)
            else:
                rejected.append(k)
    return trades, rejected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from([BUY, SELL]), st.integers(1, 30)), max_size=80))
def test_x1_gode_sunder_matches_a_naive_restatement_of_the_rules(raw):
    """Random shout streams (buyers 0–5 bid, sellers 100–105 ask): same trades and same rejections."""
    shouts = [(t if s == BUY else 100 + t, s, p) for t, s, p in raw]
    a = GodeSunderAuction(floor_ticks=1, ceiling_ticks=30)
    outcome = [a.shout(t, s, p, time=k) for k, (t, s, p) in enumerate(shouts)]
    trades, rejected = naive_gode_sunder(shouts)
    f = a.take_fills()
    assert list(zip(f["buyer"].tolist(), f["seller"].tolist(), f["price"].tolist(), strict=True)) == trades
    assert a.take_rejections()["time"].tolist() == rejected == [k for k, o in enumerate(outcome) if o == REJECTED]


# ------------------------------------------------------------------------------------------- Cliff, by hand
def test_x1_cliff_nyse_quotes_and_willing_counterpart():
    """Cliff's NYSE rule: before any shout everybody may shout; afterwards a zero-intelligence seller only if
    its cost is at most the best offer (a buyer: value at least the best bid), a deterministic trader only if
    its price is strictly better. A shout need not improve: the best quote keeps the better of the two. Takers:
    strictly better fresh draws (zero intelligence) or prices reaching the shout (deterministic); negative
    responses (cannot price) never take; one willing taker chosen by ``u``."""
    q = CliffQuotes()
    assert q.able(SELL, 390, strict=False) and q.able(BUY, 5, strict=True)
    q.note(SELL, 250)
    q.note(SELL, 260)  # worse: the best offer stays 250
    assert q.offer == 250
    assert q.able(SELL, 250, strict=False) and not q.able(SELL, 251, strict=False)
    assert not q.able(SELL, 250, strict=True) and q.able(SELL, 249, strict=True)
    q.note(BUY, 100)
    assert q.able(BUY, 100, strict=False) and not q.able(BUY, 99, strict=False) and not q.able(BUY, 100, strict=True)
    q.reset()
    assert (q.bid, q.offer) == (-1, -1)
    # an offer at 150 to three buyers: fresh draws 150 (not strictly better), 170, 160
    assert cliff_counterpart(SELL, 150, [150, 170, 160], [True] * 3, 0.0) == 1
    assert cliff_counterpart(SELL, 150, [150, 170, 160], [True] * 3, 0.99) == 2
    assert cliff_counterpart(SELL, 150, [150, 120, -1], [False, True, True], 0.5) == 0  # deterministic: ≥
    assert cliff_counterpart(BUY, 150, [-1, 160, 150], [True] * 3, 0.3) == -1  # nobody strictly below 150


# ------------------------------------------------------------------------------------- through the engine
@pytest.mark.parametrize("rules", ["gode_sunder", "cliff"])
def test_x1_single_unit_rules_trade_units_in_order_through_the_ledger(rules):
    """Truthful traders, buyer values [3.00, 2.50], seller costs [1.00, 1.50]: the first units trade first,
    then the second ones — two trades, surplus (3 − 1) + (2.5 − 1.5) = 3.00, efficiency 1; under
    gode_sunder at the standing quote (the first shouter's price), under cliff at the shout's price: either
    way a price equal to one side's limit for that unit."""
    r = simulate(market([[3, 2.5]], [[1, 1.5]], rules=rules, end_after_idle_shouts=50), seed=3, check=True)
    t = r.trades.sort_values("time")
    assert len(t) == 2 and t.price.iloc[0] in (1.0, 3.0) and t.price.iloc[1] in (1.5, 2.5)
    assert daily(r, "efficiency").tolist() == [1.0] and daily(r, "surplus").tolist() == [3.0]
    assert (t.mechanism == "cda").all()


def test_x1_gode_sunder_records_every_rejected_shout():
    """Buyer value 2.00, seller cost 2.50, truthful: no trade is possible; the first bid and ask stand and
    every later shout repeats them, so it does not improve: all rejected (``not_improving``), at the trader's
    limit, and counted in the day's shouts."""
    r = simulate(market([2], [2.5], rules="gode_sunder", shouts_per_period=40), seed=1, check=True)
    rej = r.orders_rejected
    assert len(r.trades) == 0 and len(rej) == 38 and set(rej.reason) == {"not_improving"}
    assert set(zip(rej.side, rej.price, strict=True)) == {("buy", 2.0), ("sell", 2.5)}
    assert daily(r, "shouts").tolist() == [40.0]


def test_x1_zi_u_efficiency_is_a_property_of_the_schedules_when_every_unit_trades():
    """Gode & Sunder's ZI-U traders (prices uniform over the whole range, whatever their limits) trade every
    unit when both sides hold as many units and there are enough shouts, so a day's surplus is Σ values −
    Σ costs, whatever the prices: their Table 2 ZI-U efficiencies follow from their schedules alone. An
    illustrative multi-unit market (not one of Gode & Sunder's, whose schedules we do not have): 3 buyers and 3
    sellers with 3 units each; Σ values − Σ costs = 15.00 − 11.00 = 4.00, maximum surplus 7.50 (six units), so
    every day 8/15. ZI-C traders on the same schedules never trade at a loss and do far better."""
    buyers = [[3.0, 2.0, 1.0], [2.5, 1.5, 1.0], [2.0, 1.5, 0.5]]
    sellers = [[0.5, 1.0, 2.5], [0.5, 1.5, 2.0], [1.0, 1.0, 1.0]]
    days = {"days": 5, "rules": "gode_sunder", "shouts_per_period": 3000, "price_min_yuan": 0.01,
            "price_max_yuan": 4}
    r = simulate(market(buyers, sellers, "zi_u", **days), seed=2, check=True)
    assert daily(r, "trade_count").tolist() == [9.0] * 5
    assert daily(r, "efficiency") == pytest.approx([8 / 15] * 5)
    z = simulate(market(buyers, sellers, "zi_c", **days), seed=2, check=True)
    assert daily(z, "efficiency").mean() > 0.9
