"""Continuous double auction: hand examples and property tests against a naive reference book."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import fast_and_full
from rights_market.market import (
    BUY,
    CANCEL_COLUMNS,
    FILL_COLUMNS,
    ORDER_COLUMNS,
    REJECTION_COLUMNS,
    SELL,
    ContinuousDoubleAuction,
)


def fills_as_tuples(book: ContinuousDoubleAuction) -> list[tuple[int, ...]]:
    f = book.take_fills()
    return list(zip(*(f[c].tolist() for c in FILL_COLUMNS), strict=True))


def rows(table: dict[str, np.ndarray], columns: tuple[str, ...]) -> list[tuple]:
    return list(zip(*(np.asarray(table[c]).tolist() for c in columns), strict=True))


# ---------------------------------------------------------------------------------------------- hand examples


def test_buy_walks_two_ask_levels_at_resting_prices_and_rests_nothing_when_filled():
    book = ContinuousDoubleAuction()
    book.submit(1, trader=10, side=SELL, price=100, quantity=30, time=0)
    book.submit(2, trader=11, side=SELL, price=101, quantity=50, time=0)
    book.submit(3, trader=12, side=BUY, price=105, quantity=60, time=1)
    assert fills_as_tuples(book) == [
        (1, 3, 1, 12, 10, 100, 30, BUY),
        (1, 3, 2, 12, 11, 101, 30, BUY),
    ]
    assert book.best_ask() == 101
    assert book.best_bid() is None
    assert book.resting_quantity(2) == 20
    assert book.resting_quantity(3) == 0


def test_partial_fill_leaves_remainder_resting_at_its_limit():
    book = ContinuousDoubleAuction()
    book.submit(1, 10, SELL, 100, 30, 0)
    book.submit(2, 11, BUY, 102, 50, 0)
    assert [f[6] for f in fills_as_tuples(book)] == [30]
    assert book.best_bid() == 102
    assert book.best_ask() is None
    assert book.depth() == ([(102, 20)], [])


def test_sell_aggressor_fill_names_buyer_and_seller_correctly():
    book = ContinuousDoubleAuction()
    book.submit(1, 10, BUY, 100, 5, 0)
    book.submit(2, 11, SELL, 90, 5, 3)
    assert fills_as_tuples(book) == [(3, 1, 2, 10, 11, 100, 5, SELL)]


def test_earlier_order_at_same_price_is_filled_first():
    book = ContinuousDoubleAuction()
    book.submit(1, 10, SELL, 100, 50, time=5)
    book.submit(2, 11, SELL, 100, 50, time=5)
    book.submit(3, 12, BUY, 100, 60, time=6)
    assert [(f[2], f[6]) for f in fills_as_tuples(book)] == [(1, 50), (2, 10)]
    assert book.resting_quantity(2) == 40


def test_better_price_beats_earlier_time():
    book = ContinuousDoubleAuction()
    book.submit(1, 10, BUY, 100, 10, 0)
    book.submit(2, 11, BUY, 101, 10, 1)
    book.submit(3, 12, SELL, 100, 10, 2)
    assert [(f[1], f[5]) for f in fills_as_tuples(book)] == [(2, 101)]


def test_cancel_removes_order_records_it_and_is_idempotent():
    book = ContinuousDoubleAuction()
    book.submit(1, 10, SELL, 100, 30, 0)
    book.submit(2, 11, SELL, 101, 30, 0)
    assert book.cancel(1, time=4) is True
    assert book.cancel(1) is False
    assert book.cancel(999) is False
    assert book.best_ask() == 101
    book.submit(3, 12, BUY, 101, 10, 5)
    assert [f[2] for f in fills_as_tuples(book)] == [2]
    assert rows(book.take_cancellations(), CANCEL_COLUMNS) == [(4, 1, 10, SELL, 100, 30, "cancelled")]
    assert book.take_cancellations()["order_id"].size == 0


def test_self_trade_cancels_resting_order_and_continues_matching():
    book = ContinuousDoubleAuction()
    book.submit(1, trader=7, side=SELL, price=100, quantity=20, time=0)
    book.submit(2, trader=8, side=SELL, price=101, quantity=20, time=0)
    book.submit(3, trader=7, side=BUY, price=101, quantity=30, time=1)
    assert fills_as_tuples(book) == [(1, 3, 2, 7, 8, 101, 20, BUY)]
    assert rows(book.take_cancellations(), CANCEL_COLUMNS) == [(1, 1, 7, SELL, 100, 20, "self_trade")]
    assert book.best_bid() == 101
    assert book.resting_quantity(3) == 10
    assert book.best_ask() is None


def test_self_trade_never_cancels_the_incoming_order():
    book = ContinuousDoubleAuction()
    book.submit(1, 7, BUY, 100, 20, 0)
    book.submit(2, 7, SELL, 100, 5, 0)
    assert fills_as_tuples(book) == []
    assert book.best_bid() is None
    assert book.best_ask() == 100
    assert book.resting_quantity(2) == 5


def test_rejections_carry_reasons_and_touch_nothing():
    book = ContinuousDoubleAuction(floor_ticks=305, ceiling_ticks=1000)
    book.submit(1, 10, SELL, 304, 10, 0)
    book.submit(2, 10, SELL, 1001, 10, 0)
    book.submit(3, 10, SELL, 0, 10, 0)
    book.submit(4, 10, BUY, 400, 0, 0)
    book.submit(5, 10, BUY, 400, -3, 0)
    book.submit(6, 10, 0, 400, 3, 0)
    book.submit(7, 10, BUY, 305, 3, 1)
    book.submit(7, 11, BUY, 306, 4, 2)
    assert rows(book.take_rejections(), REJECTION_COLUMNS) == [
        (0, 1, 10, SELL, 304, 10, "below_floor"),
        (0, 2, 10, SELL, 1001, 10, "above_ceiling"),
        (0, 3, 10, SELL, 0, 10, "non_positive"),
        (0, 4, 10, BUY, 400, 0, "non_positive"),
        (0, 5, 10, BUY, 400, -3, "non_positive"),
        (0, 6, 10, 0, 400, 3, "invalid_side"),
        (2, 7, 11, BUY, 306, 4, "duplicate_id"),
    ]
    assert book.depth() == ([(305, 3)], [])
    assert fills_as_tuples(book) == []


def test_floor_applies_to_orders_submitted_after_it_changes():
    book = ContinuousDoubleAuction()
    book.submit(1, 10, SELL, 100, 10, 0)
    book.floor_ticks = 150
    book.submit(2, 10, SELL, 120, 10, 0)
    assert book.take_rejections()["reason"].tolist() == ["below_floor"]
    assert book.best_ask() == 100


def test_constructor_rejects_inconsistent_bounds():
    with pytest.raises(ValueError):
        ContinuousDoubleAuction(floor_ticks=-1)
    with pytest.raises(ValueError):
        ContinuousDoubleAuction(floor_ticks=10, ceiling_ticks=9)


def test_end_session_cancels_and_returns_all_resting_orders_in_priority_order():
    book = ContinuousDoubleAuction()
    book.submit(1, 10, BUY, 99, 5, 0)
    book.submit(2, 11, BUY, 100, 6, 1)
    book.submit(3, 12, SELL, 103, 7, 2)
    book.submit(4, 13, SELL, 102, 8, 3)
    book.submit(5, 14, SELL, 102, 9, 4)
    book.cancel(5)
    out = book.end_session(time=9)
    assert rows(out, ORDER_COLUMNS) == [
        (2, 11, BUY, 100, 6, 1),
        (1, 10, BUY, 99, 5, 0),
        (4, 13, SELL, 102, 8, 3),
        (3, 12, SELL, 103, 7, 2),
    ]
    cancels = book.take_cancellations()
    assert cancels["reason"].tolist() == ["cancelled"] + ["session_end"] * 4
    assert cancels["time"].tolist() == [4, 9, 9, 9, 9]
    assert len(book) == 0
    assert book.best_bid() is None and book.best_ask() is None
    assert book.open_orders()["order_id"].size == 0


def test_depth_aggregates_levels_and_skips_cancelled_quantity():
    book = ContinuousDoubleAuction()
    for i, (side, price, qty) in enumerate(
        [(BUY, 100, 5), (BUY, 100, 7), (BUY, 98, 1), (BUY, 97, 2), (SELL, 105, 3), (SELL, 104, 4)]
    ):
        book.submit(i, 50 + i, side, price, qty, 0)
    book.cancel(2)
    assert book.depth(levels=2) == ([(100, 12), (97, 2)], [(104, 4), (105, 3)])
    assert book.depth(levels=0) == ([], [])


def test_submit_many_equals_repeated_submit():
    rng = np.random.default_rng(3)
    n = 2_000
    ids = np.arange(n)
    traders = rng.integers(0, 20, n)
    sides = rng.choice([BUY, SELL], n)
    prices = rng.integers(-1, 40, n)
    qty = rng.integers(-1, 30, n)
    times = np.arange(n) // 10
    a = ContinuousDoubleAuction(floor_ticks=3, ceiling_ticks=35)
    a.submit_many(ids, traders, sides, prices, qty, times)
    b = ContinuousDoubleAuction(floor_ticks=3, ceiling_ticks=35)
    for row in zip(ids, traders, sides, prices, qty, times, strict=True):
        b.submit(*row)
    assert fills_as_tuples(a) == fills_as_tuples(b)
    assert rows(a.take_rejections(), REJECTION_COLUMNS) == rows(b.take_rejections(), REJECTION_COLUMNS)
    assert rows(a.take_cancellations(), CANCEL_COLUMNS) == rows(b.take_cancellations(), CANCEL_COLUMNS)
    assert rows(a.open_orders(), ORDER_COLUMNS) == rows(b.open_orders(), ORDER_COLUMNS)


def test_submit_many_rejects_mismatched_lengths():
    book = ContinuousDoubleAuction()
    with pytest.raises(ValueError):
        book.submit_many(np.arange(3), np.arange(3), np.ones(2, int), np.ones(3, int), np.ones(3, int), 0)
    with pytest.raises(ValueError):
        book.submit_many(
            np.arange(3), np.arange(3), np.ones(3, int), np.ones(3, int), np.ones(3, int), [0, 1]
        )


def test_take_outputs_are_int64_columns_and_empty_when_nothing_happened():
    book = ContinuousDoubleAuction()
    fills = book.take_fills()
    assert tuple(fills) == FILL_COLUMNS
    assert all(a.dtype == np.int64 and a.size == 0 for a in fills.values())
    rej = book.take_rejections()
    assert tuple(rej) == REJECTION_COLUMNS and rej["reason"].size == 0
    book.submit(1, 1, SELL, 10, 5, 0)
    book.submit(2, 2, BUY, 10, 5, 0)
    assert book.pending_fills == 1
    fills = book.take_fills()
    assert all(a.dtype == np.int64 and a.flags.c_contiguous for a in fills.values())
    assert book.pending_fills == 0


# ---------------------------------------------------------------------------------------------- property tests

FLOOR, CEILING = 2, 11
N_TRADERS = 4


N_VALID_PRICES = CEILING - FLOOR + 1
INVALID_PRICES = (0, FLOOR - 1, CEILING + 1)  # non_positive, below_floor, above_ceiling
INVALID_QUANTITIES = (0, -1)
# kind, trader, side, price code, quantity code
_ACTION_FIELDS = (15, N_TRADERS, 2, 3 * N_VALID_PRICES + len(INVALID_PRICES), 3 * 9 + len(INVALID_QUANTITIES))


def decode_action(code: int) -> tuple:
    """One action from one integer (a single draw per action keeps hypothesis generation fast).

    Twelve times in fifteen a submission, twice a cancel of an earlier order, once a session end. Prices and
    quantities are mostly valid, so that books build up and cross often, and sometimes not: non_positive,
    below the floor, above the ceiling. Every field decodes 0 to a valid, plain value, so examples shrink well.
    """
    fields = []
    for size in _ACTION_FIELDS:
        code, x = divmod(code, size)
        fields.append(x)
    kind, trader, side, p, q = fields
    if kind == 14:
        return ("end",)
    if kind >= 12:
        return ("cancel", p)
    price = FLOOR + p % N_VALID_PRICES if p < 3 * N_VALID_PRICES else INVALID_PRICES[p - 3 * N_VALID_PRICES]
    qty = 1 + q % 9 if q < 27 else INVALID_QUANTITIES[q - 27]
    return ("submit", trader, SELL if side else BUY, price, qty)


actions_strategy = st.lists(
    st.integers(0, math.prod(_ACTION_FIELDS) - 1).map(decode_action), min_size=20, max_size=80
)


@dataclass
class Step:
    """What one submit did, with the book before and after it."""

    order_id: int
    trader: int
    side: int
    price: int
    quantity: int
    before: dict[str, np.ndarray]
    after: dict[str, np.ndarray]
    best_bid_before: int | None
    best_ask_before: int | None
    best_bid_after: int | None
    best_ask_after: int | None
    fills: list[tuple[int, ...]]
    cancels: list[tuple]
    depth_after: tuple[list[tuple[int, int]], list[tuple[int, int]]]


@dataclass
class Run:
    steps: list[Step] = field(default_factory=list)
    #: order id -> (trader, side, price, quantity) as submitted
    submitted: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    fills: list[tuple[int, ...]] = field(default_factory=list)
    rejections: list[tuple] = field(default_factory=list)
    cancels: list[tuple] = field(default_factory=list)
    final: dict[str, np.ndarray] = field(default_factory=dict)


def drive(actions, unique_traders: bool = False) -> Run:
    """Play the actions through a book, snapshotting around every submit."""
    book = ContinuousDoubleAuction(floor_ticks=FLOOR, ceiling_ticks=CEILING)
    run = Run()
    next_id = 0
    for t, action in enumerate(actions):
        if action[0] == "submit":
            _, trader, side, price, qty = action
            oid = next_id
            next_id += 1
            if unique_traders:
                trader = 1_000 + oid
            run.submitted[oid] = (trader, side, price, qty)
            before = book.open_orders()
            bb, ba = book.best_bid(), book.best_ask()
            book.submit(oid, trader, side, price, qty, t)
            fills = fills_as_tuples(book)
            cancels = rows(book.take_cancellations(), CANCEL_COLUMNS)
            run.fills += fills
            run.cancels += cancels
            run.rejections += rows(book.take_rejections(), REJECTION_COLUMNS)
            run.steps.append(
                Step(
                    oid,
                    trader,
                    side,
                    price,
                    qty,
                    before,
                    book.open_orders(),
                    bb,
                    ba,
                    book.best_bid(),
                    book.best_ask(),
                    fills,
                    cancels,
                    book.depth(levels=100),
                )
            )
        elif action[0] == "cancel":
            if next_id:
                book.cancel(action[1] % next_id, time=t)
        else:
            book.end_session(time=t)
        run.cancels += rows(book.take_cancellations(), CANCEL_COLUMNS)
    run.final = book.open_orders()
    return run


class NaiveBook:
    """Reference: a flat list of resting orders, best match found by a linear scan each time."""

    def __init__(self, floor: int, ceiling: int) -> None:
        self.floor, self.ceiling = floor, ceiling
        self.resting: list[list[int]] = []  # [seq, oid, trader, side, price, remaining]
        self.seq = 0
        self.fills: list[tuple[int, ...]] = []
        self.cancels: list[tuple] = []
        self.rejections: list[tuple] = []

    def submit(self, oid, trader, side, price, qty, t):
        if qty <= 0 or price <= 0:
            reason = "non_positive"
        elif price < self.floor:
            reason = "below_floor"
        elif price > self.ceiling:
            reason = "above_ceiling"
        elif any(r[1] == oid for r in self.resting):
            reason = "duplicate_id"
        else:
            reason = None
        if reason:
            self.rejections.append((t, oid, trader, side, price, qty, reason))
            return
        while qty:
            crossing = [r for r in self.resting if r[3] == -side and (r[4] - price) * side <= 0]
            if not crossing:
                break
            best = min(crossing, key=lambda r: (r[4] * side, r[0]))
            if best[2] == trader:
                self.cancels.append((t, best[1], trader, best[3], best[4], best[5], "self_trade"))
                self.resting.remove(best)
                continue
            q = min(qty, best[5])
            buy, sell = (oid, best[1]) if side == BUY else (best[1], oid)
            buyer, seller = (trader, best[2]) if side == BUY else (best[2], trader)
            self.fills.append((t, buy, sell, buyer, seller, best[4], q, side))
            qty -= q
            best[5] -= q
            if not best[5]:
                self.resting.remove(best)
        if qty:
            self.resting.append([self.seq, oid, trader, side, price, qty])
            self.seq += 1

    def cancel(self, oid, t):
        for r in self.resting:
            if r[1] == oid:
                self.cancels.append((t, oid, r[2], r[3], r[4], r[5], "cancelled"))
                self.resting.remove(r)
                return

    def end_session(self, t):
        def key(r):
            return (-r[3], -r[4] * r[3], r[0])  # bids first, best price first, then arrival

        for r in sorted(self.resting, key=key):
            self.cancels.append((t, r[1], r[2], r[3], r[4], r[5], "session_end"))
        self.resting.clear()


def book_property(check):
    """A property of the book that must hold on every list of actions: run by hypothesis on 50 drawn lists in
    the inner loop and on 150 in the slow set (:func:`conftest.fast_and_full`)."""

    @pytest.mark.parametrize("examples", fast_and_full(50, 150))
    def test(examples: int) -> None:
        settings(max_examples=examples, deadline=None)(given(actions_strategy)(check))()

    test.__name__, test.__qualname__, test.__doc__ = check.__name__, check.__qualname__, check.__doc__
    return test


@book_property
def test_book_reproduces_naive_reference_exactly(actions):
    book = ContinuousDoubleAuction(floor_ticks=FLOOR, ceiling_ticks=CEILING)
    ref = NaiveBook(FLOOR, CEILING)
    next_id = 0
    for t, action in enumerate(actions):
        if action[0] == "submit":
            _, trader, side, price, qty = action
            book.submit(next_id, trader, side, price, qty, t)
            ref.submit(next_id, trader, side, price, qty, t)
            next_id += 1
        elif action[0] == "cancel":
            if next_id:
                book.cancel(action[1] % next_id, time=t)
                ref.cancel(action[1] % next_id, t)
        else:
            book.end_session(time=t)
            ref.end_session(t)
    assert fills_as_tuples(book) == ref.fills
    assert rows(book.take_cancellations(), CANCEL_COLUMNS) == ref.cancels
    assert rows(book.take_rejections(), REJECTION_COLUMNS) == ref.rejections
    assert sorted(book.open_orders()["order_id"].tolist()) == sorted(r[1] for r in ref.resting)


@book_property
def test_every_fill_price_lies_between_seller_and_buyer_limits(actions):
    run = drive(actions)
    for _, buy, sell, buyer, seller, price, _, _ in run.fills:
        assert run.submitted[sell][2] <= price <= run.submitted[buy][2]
        assert buyer != seller


@book_property
def test_fills_stay_between_touch_and_limit_and_never_skip_a_better_quote(actions):
    run = drive(actions)
    for s in run.steps:
        if not s.fills:
            continue
        prices = [f[5] for f in s.fills]
        assert all(f[7] == s.side for f in s.fills)
        if s.side == BUY:
            assert s.best_ask_before is not None
            assert all(s.best_ask_before <= p <= s.price for p in prices)
            assert prices == sorted(prices)
            after_asks = s.after["price"][s.after["side"] == SELL]
            assert after_asks.size == 0 or after_asks.min() >= prices[-1]
        else:
            assert s.best_bid_before is not None
            assert all(s.price <= p <= s.best_bid_before for p in prices)
            assert prices == sorted(prices, reverse=True)
            after_bids = s.after["price"][s.after["side"] == BUY]
            assert after_bids.size == 0 or after_bids.max() <= prices[-1]


@book_property
def test_earlier_order_at_same_or_better_price_is_filled_before_a_later_one(actions):
    run = drive(actions, unique_traders=True)  # no self-trade cancellations to muddy priority
    for s in run.steps:
        filled_resting = {f[2] if s.side == BUY else f[1] for f in s.fills}
        if not filled_resting:
            continue
        still_resting = set(s.after["order_id"].tolist())
        sign = -s.side  # of the resting side: +1 bids (higher is better), -1 asks (lower is better)
        # Order ids are handed out in submission order, so they are the true arrival order.
        opposite = [
            (oid, price) for oid, _, side, price, _, _ in rows(s.before, ORDER_COLUMNS) if side == sign
        ]
        for filled in filled_resting:
            filled_price = run.submitted[filled][2]
            ahead = {
                oid
                for oid, price in opposite
                if sign * price > sign * filled_price or (price == filled_price and oid < filled)
            }
            assert not still_resting & ahead


@book_property
def test_quantity_is_conserved_per_order(actions):
    run = drive(actions)
    filled: dict[int, int] = {}
    for f in run.fills:
        filled[f[1]] = filled.get(f[1], 0) + f[6]
        filled[f[2]] = filled.get(f[2], 0) + f[6]
    cancelled: dict[int, int] = {}
    for c in run.cancels:
        cancelled[c[1]] = cancelled.get(c[1], 0) + c[5]
    rejected = {r[1]: r[5] for r in run.rejections}
    resting = dict(zip(run.final["order_id"].tolist(), run.final["quantity"].tolist(), strict=True))
    for oid, (_, _, _, qty) in run.submitted.items():
        assert qty == filled.get(oid, 0) + resting.get(oid, 0) + cancelled.get(oid, 0) + rejected.get(oid, 0)


@book_property
def test_nothing_negative_and_book_never_crossed_after_a_submit(actions):
    run = drive(actions)
    assert all(f[5] > 0 and f[6] > 0 for f in run.fills)
    assert all(c[5] > 0 for c in run.cancels)
    for s in run.steps:
        assert (s.after["quantity"] > 0).all()
        assert (s.after["price"] >= FLOOR).all() and (s.after["price"] <= CEILING).all()
        if s.best_bid_after is not None and s.best_ask_after is not None:
            assert s.best_bid_after < s.best_ask_after
        # the aggregated depth agrees with the individual resting orders
        for side, sign in ((BUY, -1), (SELL, 1)):
            mask = s.after["side"] == side
            levels: dict[int, int] = {}
            for p, q in zip(s.after["price"][mask].tolist(), s.after["quantity"][mask].tolist(), strict=True):
                levels[p] = levels.get(p, 0) + q
            expected = sorted(levels.items(), key=lambda kv: sign * kv[0])
            assert s.depth_after[0 if side == BUY else 1] == expected
