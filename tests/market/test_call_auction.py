"""Uniform-price call auction: hand examples and property tests against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

from conftest import given_fast_and_full
from rights_market.market import CallResult, clear_call_auction


def clear(bids, asks, **kw) -> CallResult:
    """``bids``/``asks`` as lists of (price, qty, seq)."""
    b = np.array(bids, dtype=np.int64).reshape(-1, 3)
    a = np.array(asks, dtype=np.int64).reshape(-1, 3)
    return clear_call_auction(b[:, 0], b[:, 1], b[:, 2], a[:, 0], a[:, 1], a[:, 2], **kw)


def fill_list(r: CallResult) -> list[tuple[int, int, int]]:
    return list(zip(r.fill_bid.tolist(), r.fill_ask.tolist(), r.fill_quantity.tolist(), strict=True))


# ---------------------------------------------------------------------------------------------- hand examples


def test_hand_example_price_is_midpoint_of_volume_maximising_interval():
    # D: 90->15, 95->15, 98->10, 100->10; S: 90->8, 95->8, 98->18, 100->18; V max 10 on [98, 100].
    r = clear(bids=[(100, 10, 0), (95, 5, 1)], asks=[(90, 8, 0), (98, 10, 1)])
    assert (r.volume, r.price_low, r.price_high, r.price) == (10, 98, 100, 99)
    assert r.bid_executed.tolist() == [10, 0]
    assert r.ask_executed.tolist() == [8, 2]  # cheaper ask first, marginal ask rationed
    assert fill_list(r) == [(0, 0, 8), (0, 1, 2)]


def test_midpoint_is_rounded_down_to_a_tick():
    r = clear(bids=[(101, 5, 0)], asks=[(100, 5, 0)])
    assert (r.price_low, r.price_high, r.price, r.volume) == (100, 101, 100, 5)


def test_single_volume_maximising_price_is_used_as_is():
    r = clear(bids=[(100, 10, 0), (99, 10, 1)], asks=[(99, 15, 0)])
    # V(99) = min(20, 15) = 15 beats V(100) = min(10, 15) = 10.
    assert (r.price, r.volume) == (99, 15)
    assert r.bid_executed.tolist() == [10, 5]


def test_marginal_orders_at_one_price_are_rationed_by_time():
    r = clear(bids=[(100, 10, 0)], asks=[(100, 6, 7), (100, 6, 3), (100, 6, 5)])
    assert r.price == 100
    assert r.ask_executed.tolist() == [0, 6, 4]  # seq 3 first, then seq 5, seq 7 gets nothing
    assert fill_list(r) == [(0, 1, 6), (0, 2, 4)]


def test_equal_seq_falls_back_to_input_position():
    r = clear(bids=[(100, 3, 1), (100, 3, 1)], asks=[(100, 4, 0)])
    assert r.bid_executed.tolist() == [3, 1]


def test_nothing_crosses_gives_no_price_and_no_fills():
    r = clear(bids=[(99, 10, 0)], asks=[(100, 10, 0)])
    assert r.price is None and r.volume == 0 and r.price_low is None
    assert r.bid_executed.tolist() == [0] and r.ask_executed.tolist() == [0]
    assert r.fill_quantity.size == 0


def test_empty_sides_give_no_trade():
    r = clear(bids=[], asks=[(100, 10, 0)])
    assert r.price is None and r.volume == 0
    assert r.bid_executed.size == 0 and r.ask_executed.tolist() == [0]
    r = clear(bids=[], asks=[])
    assert r.price is None and r.fill_bid.size == 0


def test_order_ids_are_carried_into_fills():
    r = clear(
        bids=[(100, 10, 0)],
        asks=[(90, 4, 0), (95, 4, 1)],
        bid_ids=np.array([501]),
        ask_ids=np.array([701, 702]),
    )
    assert r.fill_bid_id.tolist() == [501, 501]
    assert r.fill_ask_id.tolist() == [701, 702]
    assert clear(bids=[(100, 1, 0)], asks=[(90, 1, 0)]).fill_bid_id is None


def test_zero_quantity_orders_are_allowed_and_never_executed():
    r = clear(bids=[(100, 0, 0), (100, 5, 1)], asks=[(90, 5, 0)])
    assert r.bid_executed.tolist() == [0, 5]
    assert fill_list(r) == [(1, 0, 5)]


@pytest.mark.parametrize(
    ("bids", "asks", "error"),
    [
        ([(0, 1, 0)], [(90, 1, 0)], ValueError),
        ([(100, 1, 0)], [(90, -1, 0)], ValueError),
        ([(100.5, 1, 0)], [(90, 1, 0)], TypeError),
    ],
)
def test_invalid_input_is_refused(bids, asks, error):
    b = np.array(bids).reshape(-1, 3)
    a = np.array(asks).reshape(-1, 3)
    with pytest.raises(error):
        clear_call_auction(b[:, 0], b[:, 1], b[:, 2], a[:, 0], a[:, 1], a[:, 2])


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError):
        clear_call_auction([100, 101], [1], [0], [90], [1], [0])
    with pytest.raises(ValueError):
        clear_call_auction([100], [1], [0], [90], [1], [0], ask_ids=[1, 2])


# ---------------------------------------------------------------------------------------------- property tests

MAX_PRICE = 30
orders = st.lists(
    st.tuples(st.integers(1, MAX_PRICE), st.integers(0, 12), st.integers(0, 5)), min_size=0, max_size=25
)


def brute_force_volumes(bids, asks) -> dict[int, int]:
    """Executable volume at every integer price, by direct summation."""
    return {
        p: min(sum(q for bp, q, _ in bids if bp >= p), sum(q for ap, q, _ in asks if ap <= p))
        for p in range(1, MAX_PRICE + 2)
    }


#: The property tests: 75 examples each in the inner loop, 300 in the slow set.
PROPERTY_SETTINGS = given_fast_and_full(75, 300, orders, orders)


@PROPERTY_SETTINGS
def test_volume_is_the_brute_force_maximum_and_price_the_midpoint_of_its_maximisers(bids, asks):
    r = clear(bids, asks)
    volumes = brute_force_volumes(bids, asks)
    best = max(volumes.values())
    assert r.volume == best
    if best == 0:
        assert r.price is None
        return
    maximisers = [p for p, v in volumes.items() if v == best]
    assert maximisers == list(range(maximisers[0], maximisers[-1] + 1))  # one interval of ticks
    assert (r.price_low, r.price_high) == (maximisers[0], maximisers[-1])
    assert r.price == (maximisers[0] + maximisers[-1]) // 2


@PROPERTY_SETTINGS
def test_executed_orders_respect_their_limits_and_quantities(bids, asks):
    r = clear(bids, asks)
    for (price, qty, _), ex in zip(bids, r.bid_executed.tolist(), strict=True):
        assert 0 <= ex <= qty
        assert ex == 0 or price >= r.price
    for (price, qty, _), ex in zip(asks, r.ask_executed.tolist(), strict=True):
        assert 0 <= ex <= qty
        assert ex == 0 or price <= r.price
    assert int(r.bid_executed.sum()) == int(r.ask_executed.sum()) == r.volume


@PROPERTY_SETTINGS
def test_rationing_follows_price_then_time_priority(bids, asks):
    r = clear(bids, asks)
    if r.price is None:
        return
    for side, sign, executed in ((bids, 1, r.bid_executed.tolist()), (asks, -1, r.ask_executed.tolist())):
        eligible = [i for i, (p, q, _) in enumerate(side) if sign * p >= sign * r.price and q > 0]
        ranked = sorted(eligible, key=lambda i: (-sign * side[i][0], side[i][2], i))
        # Along the priority ranking: fully executed orders, at most one partial, then nothing.
        status = [0 if executed[i] == 0 else 2 if executed[i] == side[i][1] else 1 for i in ranked]
        assert status == sorted(status, reverse=True)
        assert status.count(1) <= 1


@PROPERTY_SETTINGS
def test_bilateral_fills_add_up_to_the_executed_quantities(bids, asks):
    r = clear(bids, asks, bid_ids=np.arange(len(bids)) + 1000, ask_ids=np.arange(len(asks)) + 2000)
    assert (r.fill_quantity > 0).all()
    assert np.array_equal(np.bincount(r.fill_bid, r.fill_quantity, minlength=len(bids)), r.bid_executed)
    assert np.array_equal(np.bincount(r.fill_ask, r.fill_quantity, minlength=len(asks)), r.ask_executed)
    assert len(r.fill_quantity) <= max(
        0, np.count_nonzero(r.bid_executed) + np.count_nonzero(r.ask_executed) - 1
    )
    assert r.fill_bid_id.tolist() == (r.fill_bid + 1000).tolist()
    assert r.fill_ask_id.tolist() == (r.fill_ask + 2000).tolist()
    assert all(r.fill_quantity.dtype == a.dtype == np.int64 for a in (r.fill_bid, r.fill_ask))
