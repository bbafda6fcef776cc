"""The compiled shout-by-shout kernel (market/shout_kernel.py) equals the interactive reference order book, shout
by shout, and the teaching market's compiled ``cda`` day equals its interactive day."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

from conftest import given_fast_and_full
from rights_market import simulate
from rights_market.market import BUY, SELL, ContinuousDoubleAuction
from rights_market.market.shout_kernel import match_shouts
from rights_market.rights.teaching import shouts as teaching_shouts
from rights_market.scenario.model import Scenario


def reference(traders, sides, prices, qtys, replace, floor=0, ceiling=None):
    """The interactive book driven as the teaching market drives it: a shout first cancels its trader's
    resting orders (if ``replace``), then is submitted."""
    book = ContinuousDoubleAuction(floor_ticks=floor, ceiling_ticks=ceiling)
    live: dict[int, list[int]] = {}
    for oid, (tr, s, p, q) in enumerate(zip(traders, sides, prices, qtys, strict=True)):
        if replace:
            for o in live.pop(tr, []):
                book.cancel(o, 0)
        book.submit(oid, tr, s, p, q, 0)
        live.setdefault(tr, []).append(oid)
    resting = np.zeros(len(traders), dtype=np.int64)
    orders = book.open_orders()
    resting[orders["order_id"]] = orders["quantity"]
    return book.take_fills(), book.take_cancellations(), book.take_rejections(), resting


def assert_equal_to_reference(t, s, p, q, replace, floor=0, ceiling=None):
    fills, cancels, rejections, resting = reference(t.tolist(), s.tolist(), p.tolist(), q.tolist(), replace,
                                                    floor, ceiling)
    got = match_shouts(t, s, p, q, replace=replace, floor_ticks=floor, ceiling_ticks=ceiling)
    assert got.fill_buy.tolist() == fills["buy_order"].tolist()
    assert got.fill_sell.tolist() == fills["sell_order"].tolist()
    assert got.fill_price.tolist() == fills["price"].tolist()
    assert got.fill_quantity.tolist() == fills["quantity"].tolist()
    assert got.fill_aggressor.tolist() == fills["aggressor"].tolist()
    assert got.cancel_order.tolist() == cancels["order_id"].tolist()
    assert got.cancel_quantity.tolist() == cancels["quantity"].tolist()
    assert got.cancel_reason.tolist() == cancels["reason"].tolist()
    assert got.rejected.tolist() == rejections["order_id"].tolist()
    assert got.reject_reason.tolist() == rejections["reason"].tolist()
    assert got.resting.tolist() == resting.tolist()
    return got


shout_lists = st.lists(
    st.tuples(st.integers(0, 6), st.sampled_from([BUY, SELL, 0]), st.integers(-2, 30), st.integers(-1, 12)),
    max_size=80,
)


@given_fast_and_full(100, 400, shouts=shout_lists, replace=st.booleans(), floor=st.integers(0, 5),
                     ceiling=st.one_of(st.none(), st.integers(20, 30)))
def test_shout_kernel_equals_reference_book(shouts, replace, floor, ceiling):
    """Same fills in the same order, same cancellations (replaced and self-trade, in order), same rejections,
    same resting quantities — with and without replacement of a trader's resting order."""
    t = np.array([o[0] for o in shouts], dtype=np.int64)
    s = np.array([o[1] for o in shouts], dtype=np.int64)
    p = np.array([o[2] for o in shouts], dtype=np.int64)
    q = np.array([o[3] for o in shouts], dtype=np.int64)
    assert_equal_to_reference(t, s, p, q, replace, floor, ceiling)


@pytest.mark.parametrize("replace", [True, False])
def test_shout_kernel_on_a_long_zi_stream_conserves_quantity(replace):
    """A long one-unit ZI-like stream with sparse trader ids: equal to the book, and every order's quantity is
    filled, resting or cancelled."""
    rng = np.random.default_rng(15)
    n = 20_000
    t = rng.integers(0, 40, n) * 1_000 + 7  # trader ids need not be dense
    s = np.where(rng.random(n) < 0.5, BUY, SELL)
    p = rng.integers(50, 151, n)
    q = rng.integers(1, 4, n)
    got = assert_equal_to_reference(t, s, p, q, replace)
    assert got.fill_quantity.size > 1_000
    filled = np.bincount(got.fill_buy, got.fill_quantity, n) + np.bincount(got.fill_sell, got.fill_quantity, n)
    cancelled = np.bincount(got.cancel_order, got.cancel_quantity, n)
    assert np.array_equal(filled.astype(np.int64) + got.resting + cancelled.astype(np.int64), q)


def teaching(behaviour: dict, **extra) -> Scenario:
    grid = [f"{v:.2f}" for v in np.linspace(0.5, 1.5, 12)]
    return Scenario.model_validate({
        "name": "shout_kernel", "calendar": {"years": 1, "periods_per_year": 1, "sessions_per_year": 6},
        "weather": {"type": "sequence", "states": {"n": {}}, "sequence": ["n"]},
        "output": {"holdings_every": "none"},
        "teaching": {"buyers_yuan": [[g, "0.8"] for g in grid[::-1]], "sellers_yuan": [[g] for g in grid],
                     "shouts_per_period": 400, "price_min_yuan": "0.40", "price_max_yuan": "1.60",
                     "buyer_behaviour": behaviour, "seller_behaviour": {"type": "zi_c"}, **extra},
    })


@pytest.mark.parametrize("behaviour, extra", [
    ({"type": "zi_c"}, {}),
    ({"type": "zi_u"}, {}),
    ({"type": "zi_c"}, {"one_order_per_trader": False}),
    ({"type": "zi_c"}, {"clear_book_after_trade": True}),
    ({"type": "zi_c"}, {"one_order_per_trader": False, "clear_book_after_trade": True}),
    ({"type": "markup", "markup": 0.1}, {"end_after_idle_shouts": 30}),
    ({"type": "truthful"}, {"end_after_idle_shouts": 5}),
    # bounds inside the limits: some traders cannot shout (idle turns)
    ({"type": "zi_c"}, {"price_min_yuan": "0.70", "price_max_yuan": "1.30", "end_after_idle_shouts": 40}),
    ({"type": "markup", "markup": 0.3}, {"price_min_yuan": "0.70", "price_max_yuan": "1.30"}),
])
def test_compiled_teaching_day_gives_the_interactive_tables(monkeypatch, behaviour, extra):
    """The same scenario and seed through the compiled day and the interactive day: every table identical."""
    scenario = teaching(behaviour, **extra)
    calls = []
    kernel = teaching_shouts.teaching_day
    monkeypatch.setattr(teaching_shouts, "teaching_day", lambda *a, **k: calls.append(1) or kernel(*a, **k))
    fast = simulate(scenario, seed=3)
    assert len(calls) == 6  # every trading day went through the kernel
    monkeypatch.setattr(teaching_shouts, "COMPILED", False)
    slow = simulate(scenario, seed=3)
    assert len(slow.trades) > 0
    for name in ("trades", "kpis", "holdings", "orders_rejected"):
        a, b = fast.tables[name], slow.tables[name]
        assert a.to_csv(index=False) == b.to_csv(index=False), name
