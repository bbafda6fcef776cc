"""No mechanism lets an account trade with itself (rule X1; issue: a call auction matched unit 88 with itself).

Property tests over 1,000 random order streams per mechanism (150 in the inner loop; hypothesis): call auction, listing with bidding,
English auction, tender, negotiation and directed transfer. The continuous book has its own self-trade
prevention (tests/market/test_orderbook*). The run's check (``check=True``) refuses a recorded trade with itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import fast_and_full
from rights_market.api import load_scenario, simulate
from rights_market.ledger import SelfTradeError, Table, check_trades
from rights_market.market import ListingTerms, RoundRules, TenderTerms, clear_call_auction, english_auction
from rights_market.market.auction import AscendingRound
from rights_market.market.directed import check_directed, negotiate_directed
from rights_market.market.listing import run_listing
from rights_market.market.negotiation import nash_prices
from rights_market.market.tender import run_tender

# each property runs on 150 streams in the inner loop and on 1,000 in the whole suite (derandomized: the same
# streams every run)
STREAM_SIZES = fast_and_full(150, 1000)


def streams(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True)


order = st.tuples(st.integers(0, 3), st.integers(1, 20), st.integers(0, 6))  # owner, price (ticks), quantity


@pytest.mark.parametrize("examples", STREAM_SIZES)
def test_call_auction_never_matches_an_owner_with_itself(examples):
    streams(examples)(given(
        bids=st.lists(order, max_size=8),
        asks=st.lists(order, max_size=8),
        data=st.data(),
    )(_call_auction_never_matches_an_owner_with_itself))()


def _call_auction_never_matches_an_owner_with_itself(bids, asks, data):
    seq = data.draw(st.permutations(range(len(bids) + len(asks))))
    bo, bp, bq = (np.array(c, dtype=np.int64) for c in zip(*bids, strict=True)) if bids else [np.zeros(0, np.int64)] * 3
    ao, ap, aq = (np.array(c, dtype=np.int64) for c in zip(*asks, strict=True)) if asks else [np.zeros(0, np.int64)] * 3
    bs, as_ = np.array(seq[: len(bids)], dtype=np.int64), np.array(seq[len(bids):], dtype=np.int64)
    r = clear_call_auction(bp, bq, bs, ap, aq, as_, bid_owner=bo, ask_owner=ao)
    assert not np.any(bo[r.fill_bid] == ao[r.fill_ask])
    assert r.bid_executed.sum() == r.ask_executed.sum() == r.volume == r.fill_quantity.sum()
    # a refused order never executes, and is refused only if it crosses an order of its owner on the other side
    assert not r.bid_executed[r.bid_refused].any() and not r.ask_executed[r.ask_refused].any()
    for i in np.flatnonzero(r.bid_refused):
        assert np.any((ao == bo[i]) & (ap <= bp[i]))
    for j in np.flatnonzero(r.ask_refused):
        assert np.any((bo == ao[j]) & (bp >= ap[j]))
    # an owner keeps one side of its crossing orders: never a refusal on both sides
    assert not set(bo[r.bid_refused].tolist()) & set(ao[r.ask_refused].tolist())


def test_call_auction_refuses_the_later_crossing_side():
    # owner 7 bids first (seq 0) at 10 and asks later (seq 1) at 5: its ask is refused; the bid still trades
    r = clear_call_auction([10], [4], [0], [5, 8], [4, 4], [1, 2], bid_owner=[7], ask_owner=[7, 3])
    assert r.ask_refused.tolist() == [True, False] and not r.bid_refused.any()
    assert r.volume == 4 and r.fill_ask.tolist() == [1] and r.price == 9
    # without owners the same orders match the owner with itself (the old behaviour)
    assert clear_call_auction([10], [4], [0], [5, 8], [4, 4], [1, 2]).fill_ask.tolist() == [0]


bidder_set = st.lists(st.tuples(st.integers(0, 5), st.integers(1, 60)), min_size=0, max_size=5,
                      unique_by=lambda b: b[0])  # (account, value in ticks)


@pytest.mark.parametrize("examples", STREAM_SIZES)
def test_listing_never_sells_to_its_seller(examples):
    streams(examples)(given(
        bidders=bidder_set,
        seller=st.integers(0, 5),
        start=st.integers(1, 40),
        seed=st.integers(0, 2**16),
    )(_listing_never_sells_to_its_seller))()


def _listing_never_sells_to_its_seller(bidders, seller, start, seed):
    ids = np.array([b[0] for b in bidders], dtype=np.int64)
    vals = np.array([b[1] for b in bidders], dtype=np.int64)
    terms = ListingTerms(quantity=5, start=start, increment=2, opens=0, closes=3, round_seconds=60, seller=seller)
    res = run_listing(terms, ids, vals, np.random.default_rng(seed))
    assert res.winner != seller
    assert seller not in res.registered and seller not in res.bids["bidder"].tolist()
    keen_seller = bool(np.any((ids == seller) & (vals >= start)))
    refused = res.rejections["bidder"][res.rejections["reason"] == "self_trade"].tolist()
    assert refused == ([seller] if keen_seller else [])


@pytest.mark.parametrize("examples", STREAM_SIZES)
def test_english_auction_never_sells_to_its_seller(examples):
    streams(examples)(given(
        bidders=bidder_set,
        seller=st.integers(0, 5),
        start=st.integers(1, 40),
        reserve=st.integers(0, 50),
        seed=st.integers(0, 2**16),
    )(_english_auction_never_sells_to_its_seller))()


def _english_auction_never_sells_to_its_seller(bidders, seller, start, reserve, seed):
    ids = np.array([b[0] for b in bidders], dtype=np.int64)
    vals = np.array([b[1] for b in bidders], dtype=np.int64)
    res = english_auction(5, start, reserve, RoundRules(increment=2, duration=120), ids, vals,
                          np.random.default_rng(seed), seller=seller)
    assert res.winner != seller and seller not in res.bids["bidder"].tolist()
    refused = res.rejections["bidder"][res.rejections["reason"] == "self_trade"].tolist()
    assert refused == ([seller] if seller in ids.tolist() else [])


def test_round_refuses_the_sellers_bid():
    rnd = AscendingRound(10, RoundRules(increment=1), seller=4)
    assert rnd.bid(4, 20, 1) == "self_trade"
    assert rnd.bid(5, 11, 2) is None and rnd.leader == 5


@pytest.mark.parametrize("examples", STREAM_SIZES)
def test_tender_never_awards_its_seller(examples):
    streams(examples)(given(
        bids=st.lists(st.tuples(st.integers(0, 4), st.integers(-2, 30), st.integers(0, 100)), max_size=7),
        seller=st.integers(0, 4),
    )(_tender_never_awards_its_seller))()


def _tender_never_awards_its_seller(bids, seller):
    ids = np.array([b[0] for b in bids], dtype=np.int64)
    prices = np.array([b[1] for b in bids], dtype=np.int64)
    scores = np.array([[b[2]] for b in bids], dtype=np.int64).reshape(-1, 1)
    terms = TenderTerms(quantity=3, price_weight=60, criteria=("quality",), weights=(40,), seller=seller)
    res = run_tender(terms, ids, prices, scores)
    assert res.winner != seller
    assert seller not in ids[res.valid].tolist()
    refused = res.rejections["bidder"][res.rejections["reason"] == "self_trade"].tolist()
    assert refused == [seller] * int((ids == seller).sum())


pairs = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(1, 50), st.integers(1, 50)),
                 max_size=8)  # buyer, seller, buyer's value, seller's cost


@pytest.mark.parametrize("examples", STREAM_SIZES)
def test_negotiation_never_pairs_an_account_with_itself(examples):
    streams(examples)(given(
        deals=pairs,
        power=st.floats(0, 1),
        seed=st.integers(0, 2**16),
    )(_negotiation_never_pairs_an_account_with_itself))()


def _negotiation_never_pairs_an_account_with_itself(deals, power, seed):
    buyer, seller, bid, ask = (np.array(c, dtype=np.int64) for c in zip(*deals, strict=True)) if deals else \
        [np.zeros(0, np.int64)] * 4
    noise = np.random.default_rng(seed).normal(0, 0.2, buyer.size)
    p = nash_prices(bid, ask, power, noise, buyer=buyer, seller=seller)
    assert np.all(p[buyer == seller] == -1)
    other = buyer != seller
    assert np.array_equal(p[other], nash_prices(bid, ask, power, noise)[other])


@pytest.mark.parametrize("examples", STREAM_SIZES)
def test_directed_transfer_never_pairs_an_account_with_itself(examples):
    streams(examples)(given(
        deals=pairs,
        power=st.floats(0, 1),
        seed=st.integers(0, 2**16),
    )(_directed_transfer_never_pairs_an_account_with_itself))()


def _directed_transfer_never_pairs_an_account_with_itself(deals, power, seed):
    buyer, seller, value, cost = (np.array(c, dtype=np.int64) for c in zip(*deals, strict=True)) if deals else \
        [np.zeros(0, np.int64)] * 4
    noise = np.random.default_rng(seed).normal(0, 0.2, buyer.size)
    res = negotiate_directed(buyer, np.full(buyer.size, 3), value, cost, 5, 40, power, noise, sellers=seller)
    same = buyer == seller
    assert not res.accepted[same].any() and set(res.reason[same].tolist()) <= {"self_trade"}
    assert np.all(res.price[same] == -1)
    checked = check_directed(buyer, np.full(buyer.size, 3), np.full(buyer.size, 10), 5, 40, sellers=seller)
    assert not checked.accepted[same].any() and checked.accepted[~same].all()


def test_the_runs_check_refuses_a_trade_with_itself():
    trades = Table("trades", {"time": "int64", "seller": "int64", "buyer": "int64"})
    trades.append(time=np.array([1, 2]), seller=np.array([3, 4]), buyer=np.array([5, 6]))
    cursor = check_trades(trades)
    assert cursor == 2  # rows checked so far (cursors count rows)
    trades.append(time=np.array([60]), seller=np.array([88]), buyer=np.array([88]))
    with pytest.raises(SelfTradeError, match="day 60 by account 88"):
        check_trades(trades, cursor)


def test_the_reported_call_auction_run_has_no_self_trade():
    """The run of the report (emission, call auction, ZI-U quotes, seed 1, one year) under ``check=True``: the
    unit's crossing orders are refused ``self_trade`` and recorded, and no trade has seller == buyer."""
    sc = load_scenario("scenarios/dawukou_emission.yaml", overrides=[
        "calendar.years=1", "emission.market.mechanism={type: call}", "emission.groups.1.behaviour={type: zi_u}"])
    res = simulate(sc, seed=1, check=True)
    t = res.tables["trades"]
    assert len(t) and not (t["seller"] == t["buyer"]).any()
    rej = res.tables["orders_rejected"]
    assert (rej["reason"].astype(str) == "self_trade").sum() > 0
