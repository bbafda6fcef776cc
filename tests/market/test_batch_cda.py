"""The compiled batch CDA session (rule W11 matching 撮合) equals the interactive reference order book."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from conftest import given_fast_and_full
from rights_market.market import BUY, SELL, ContinuousDoubleAuction
from rights_market.market.batch_cda import match_session


def reference(traders, sides, prices, qtys, floor=0, ceiling=None):
    book = ContinuousDoubleAuction(floor_ticks=floor, ceiling_ticks=ceiling)
    book.submit_many(np.arange(len(traders)), traders, sides, prices, qtys, 0)
    resting = np.zeros(len(traders), dtype=np.int64)
    for oid, q in zip(book.open_orders()["order_id"], book.open_orders()["quantity"], strict=True):
        resting[oid] = q
    return book.take_fills(), book.take_cancellations(), book.take_rejections(), resting


orders = st.lists(
    st.tuples(st.integers(0, 6), st.sampled_from([BUY, SELL]), st.integers(-2, 30), st.integers(-1, 12)),
    max_size=80,
)


@given_fast_and_full(100, 400, orders=orders, floor=st.integers(0, 5),
                     ceiling=st.one_of(st.none(), st.integers(20, 30)))
def test_w11_batch_session_equals_reference_book(orders, floor, ceiling):
    """Same fills in the same order, same self-trade cancellations, same rejections, same resting."""
    t = np.array([o[0] for o in orders], dtype=np.int64)
    s = np.array([o[1] for o in orders], dtype=np.int64)
    p = np.array([o[2] for o in orders], dtype=np.int64)
    q = np.array([o[3] for o in orders], dtype=np.int64)
    fills, cancels, rejections, resting = reference(t, s, p, q, floor, ceiling)
    got = match_session(t, s, p, q, floor_ticks=floor, ceiling_ticks=ceiling)
    assert got.fill_buy.tolist() == fills["buy_order"].tolist()
    assert got.fill_sell.tolist() == fills["sell_order"].tolist()
    assert got.fill_price.tolist() == fills["price"].tolist()
    assert got.fill_quantity.tolist() == fills["quantity"].tolist()
    assert got.fill_aggressor.tolist() == fills["aggressor"].tolist()
    self_trade = cancels["reason"] == "self_trade"
    assert got.cancel_order.tolist() == cancels["order_id"][self_trade].tolist()
    assert got.cancel_quantity.tolist() == cancels["quantity"][self_trade].tolist()
    assert got.rejected.tolist() == rejections["order_id"].tolist()
    assert got.reject_reason.tolist() == rejections["reason"].tolist()
    assert got.resting.tolist() == resting.tolist()


def test_w11_batch_session_on_a_large_random_stream():
    rng = np.random.default_rng(5)
    n = 50_000
    t = rng.integers(0, 2_000, n)
    s = np.where(rng.random(n) < 0.5, BUY, SELL)
    p = rng.integers(9_900, 10_100, n)
    q = rng.integers(1, 500, n)
    fills, cancels, _rej, resting = reference(t, s, p, q)
    got = match_session(t, s, p, q)
    assert np.array_equal(got.fill_buy, fills["buy_order"]) and np.array_equal(got.fill_sell, fills["sell_order"])
    assert np.array_equal(got.fill_price, fills["price"]) and np.array_equal(got.fill_quantity, fills["quantity"])
    assert np.array_equal(got.resting, resting)
    # quantity conservation per order: submitted = filled + resting + cancelled
    filled = np.bincount(got.fill_buy, got.fill_quantity, n) + np.bincount(got.fill_sell, got.fill_quantity, n)
    cancelled = np.bincount(got.cancel_order, got.cancel_quantity, n)
    assert np.array_equal(filled.astype(np.int64) + got.resting + cancelled.astype(np.int64), q)
