"""A compiled shout-by-shout continuous double auction: the interactive book's rules, one shout at a time.

The teaching market (and any market of zero-intelligence traders) sends shouts one at a time, and almost every
shout first withdraws the trader's resting shout. :func:`match_shouts` runs such a stream compiled (numba), with
exactly the rules of :class:`~rights_market.market.orderbook.ContinuousDoubleAuction` — price-time priority,
trades at the resting order's price, partial fills, self-trade prevention by cancelling the resting order, the
same rejection reasons — plus, when ``replace`` is set, **replacement**: before a shout is matched, the trader's
resting orders are cancelled, exactly as ``book.cancel(o)`` for each of them followed by ``book.submit(...)``.

How it is fast: orders are positions in the stream (arrival order = position), each side is a binary heap of
positions keyed by (price, arrival), and a cancelled order is only marked dead (remaining quantity 0) — *lazy
deletion*: it leaves its heap when it reaches the top. A trader's resting orders are a linked list through the
orders, so replacing them costs nothing when they have already traded.

:func:`teaching_day` is the teaching market's rules ``cda`` day for traders without per-shout learning
(truthful, markup, ZI-C, ZI-U) run entirely in the kernel: the trader draw, its price
(:func:`~rights_market.agents.behaviour.quote_one`, same arithmetic), replacement, matching and the day's
trade bookkeeping. ``tests/market/test_shout_kernel.py`` proves both equal to the interactive book.

Integers throughout: prices ticks, quantities base units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .batch_cda import REJECT_REASONS, checked_orders
from .orderbook import (
    REASON_CANCELLED,
    REASON_SELF_TRADE,
)

__all__ = ["KIND_CODES", "DayTraders", "ShoutResult", "match_shouts", "teaching_day"]

#: Behaviour names priced inside the kernel, and their codes (``teaching_day``'s ``kind`` array).
KIND_CODES = {"zi_c": 0, "zi_u": 1, "truthful": 2, "markup": 3}

# The whole state of a book is one 2-D int64 array, ``book``, one row per field: every array argument of a
# compiled call costs reference counting, and a shout makes several calls. Columns are orders (rows _TRADER …
# _LINK), heap slots (_BIDS, _ASKS), traders (_HEAD: a trader's latest resting order, the head of a list
# linked through _LINK), fills (_F_*) and cancellations (_C_*) in the order they happened; _CNT holds the
# counters (heap sizes, fills and cancellations written).
(_TRADER, _PRICE, _REM, _LINK, _BIDS, _ASKS, _HEAD, _CNT, _F_BUY, _F_SELL, _F_PRICE, _F_QTY, _F_AGGR,
 _C_ORD, _C_QTY, _C_WHY) = range(16)
_ROWS = 16
# columns of the _CNT row
_NB, _NA, _NF, _NC = range(4)


@dataclass(frozen=True)
class ShoutResult:
    """Outcome of a shout stream. Order references are positions in the stream.

    ``fill_buy``/``fill_sell``: the buy and sell order of each fill, in execution order; ``fill_price`` (ticks,
    the resting order's price), ``fill_quantity``, ``fill_aggressor`` (side of the incoming order).
    ``cancel_order``/``cancel_quantity``/``cancel_reason``: cancellations in the order they happened —
    ``"cancelled"`` when a shout replaced the trader's resting order, ``"self_trade"`` by self-trade
    prevention — and the quantity still resting. ``rejected``/``reject_reason``: shouts refused before matching.
    ``resting``: each order's quantity still resting at the end.
    """

    fill_buy: np.ndarray
    fill_sell: np.ndarray
    fill_price: np.ndarray
    fill_quantity: np.ndarray
    fill_aggressor: np.ndarray
    cancel_order: np.ndarray
    cancel_quantity: np.ndarray
    cancel_reason: np.ndarray
    rejected: np.ndarray
    reject_reason: np.ndarray
    resting: np.ndarray


@njit(cache=True)
def _new_book(width, n_traders):
    book = np.empty((_ROWS, max(width, n_traders, 4)), dtype=np.int64)
    book[_REM] = 0
    book[_LINK] = -1
    book[_HEAD] = -1
    book[_CNT] = 0
    return book


@njit(cache=True, inline="always")
def _before(book, a, b, sign):
    # sign = +1 for asks (lower price first), -1 for bids (higher price first); ties by arrival
    pa = book[_PRICE, a] * sign
    pb = book[_PRICE, b] * sign
    return pa < pb or (pa == pb and a < b)


@njit(cache=True)
def _push(book, row, size, item, sign):
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        up = book[row, parent]
        if _before(book, item, up, sign):
            book[row, i] = up
            i = parent
        else:
            break
    book[row, i] = item
    return size + 1


@njit(cache=True)
def _pop(book, row, size, sign):
    size -= 1
    item = book[row, size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        best = left
        right = left + 1
        if right < size and _before(book, book[row, right], book[row, left], sign):
            best = right
        child = book[row, best]
        if _before(book, child, item, sign):
            book[row, i] = child
            i = best
        else:
            break
    book[row, i] = item
    return size


@njit(cache=True, inline="always")
def _note_cancel(book, o, q, why):
    k = book[_CNT, _NC]
    book[_C_ORD, k] = o
    book[_C_QTY, k] = q
    book[_C_WHY, k] = why
    book[_CNT, _NC] = k + 1


@njit(cache=True)
def _withdraw(book, trader, record):
    """Cancel every resting order of ``trader`` (lazily: marked dead, left in its heap)."""
    o = book[_HEAD, trader]
    while o >= 0:
        r = book[_REM, o]
        if r > 0:
            if record:
                _note_cancel(book, o, r, 0)
            book[_REM, o] = 0
        o = book[_LINK, o]
    book[_HEAD, trader] = -1


@njit(cache=True)
def _shout(book, i, side, q, record):
    """Match order ``i`` (its trader and price already in ``book``, validated) against the book, then rest
    its remainder.

    Dead orders met at the top of a heap are popped (lazy deletion); a live resting order of the same trader
    is cancelled (self-trade prevention). Fills are appended at ``_CNT[_NF]``, cancellations at ``_CNT[_NC]``
    (only if ``record``)."""
    trader = book[_TRADER, i]
    price = book[_PRICE, i]
    row, ni, sign = (_ASKS, _NA, 1) if side == 1 else (_BIDS, _NB, -1)
    n = book[_CNT, ni]
    while q > 0 and n > 0:
        j = book[row, 0]
        r = book[_REM, j]
        if r == 0:  # cancelled or filled earlier: lazy deletion
            n = _pop(book, row, n, sign)
            continue
        pj = book[_PRICE, j]
        if (pj - price) * sign > 0:  # the best resting order is beyond the limit
            break
        if book[_TRADER, j] == trader:
            if record:
                _note_cancel(book, j, r, 1)
            book[_REM, j] = 0
            n = _pop(book, row, n, sign)
            continue
        f = min(q, r)
        k = book[_CNT, _NF]
        book[_F_BUY, k] = i if side == 1 else j
        book[_F_SELL, k] = j if side == 1 else i
        book[_F_PRICE, k] = pj
        book[_F_QTY, k] = f
        book[_F_AGGR, k] = side
        book[_CNT, _NF] = k + 1
        book[_REM, j] = r - f
        q -= f
        if r == f:
            n = _pop(book, row, n, sign)
    book[_CNT, ni] = n
    book[_REM, i] = q
    if q > 0:
        own, no = (_BIDS, _NB) if side == 1 else (_ASKS, _NA)
        book[_CNT, no] = _push(book, own, book[_CNT, no], i, -sign)
        book[_LINK, i] = book[_HEAD, trader]
        book[_HEAD, trader] = i


@njit(cache=True)
def _stream(traders, sides, prices, qtys, valid, n_traders, replace):
    n = traders.shape[0]
    book = _new_book(2 * n + 1, n_traders)  # fills: at most one per order plus one per order consumed
    book[_TRADER, :n] = traders
    book[_PRICE, :n] = prices
    for i in range(n):
        if replace:
            _withdraw(book, traders[i], True)
        if valid[i]:
            _shout(book, i, sides[i], qtys[i], True)
    nf, nc = book[_CNT, _NF], book[_CNT, _NC]
    return book[_F_BUY:_F_AGGR + 1, :nf].copy(), book[_C_ORD:_C_WHY + 1, :nc].copy(), book[_REM, :n].copy()


def match_shouts(traders: np.ndarray, sides: np.ndarray, prices: np.ndarray, quantities: np.ndarray, *,
                 replace: bool = True, floor_ticks: int = 0, ceiling_ticks: int | None = None) -> ShoutResult:
    """Run a stream of shouts in arrival order (module docstring); with ``replace``, each shout first
    cancels its trader's resting orders (reason ``"cancelled"``) — an invalid shout too: it withdraws the old
    shout, then is rejected.

    Shouts are rejected before matching, in the interactive book's order of checks: quantity or price not positive (``non_positive``), price below ``floor_ticks``
    (``below_floor``), above ``ceiling_ticks`` (``above_ceiling``), side neither BUY nor SELL
    (``invalid_side``). Trader ids are any integers.
    """
    traders, sides, prices, qtys, code = checked_orders("match_shouts", traders, sides, prices, quantities,
                                                        floor_ticks, ceiling_ticks)
    valid = code == 0
    ids, dense = np.unique(traders, return_inverse=True)
    fills, cancels, rem = _stream(dense.astype(np.int64), sides, prices, qtys, valid, max(ids.size, 1),
                                  bool(replace))
    fb, fs, fp, fq, fa = fills
    co, cq, cw = cancels
    rejected = np.nonzero(~valid)[0]
    why = np.array([REASON_CANCELLED, REASON_SELF_TRADE])[cw]
    return ShoutResult(fb, fs, fp, fq, fa, co, cq, why, rejected, REJECT_REASONS[code[rejected]], rem)


@njit(cache=True)
def _quote(kind, side, limit, lo, hi, u, markup):
    # the arithmetic of agents.behaviour.quote_one, code for code
    if kind == 0:
        if side == 1:
            top = limit if limit < hi else hi
            return -1 if top < lo else lo + int(u * (top - lo + 1))
        bottom = limit if limit > lo else lo
        return -1 if bottom > hi else bottom + int(u * (hi - bottom + 1))
    if kind == 1:
        return lo + int(u * (hi - lo + 1))
    if kind == 2:
        price = limit
    else:
        price = int(math.floor(limit * (1.0 - markup))) if side == 1 else int(math.ceil(limit * (1.0 + markup)))
    price = min(max(price, lo), hi)
    bad = price > limit if side == 1 else price < limit
    return -1 if bad else price


@njit(cache=True)
def _teaching_day(pick, draw, lim_flat, lim_start, n_units, side, kind, markup, lo, hi, n_buyers,
                  idle_stop, one_order, clear_after):
    n = side.shape[0]
    shouts = pick.shape[0]
    nxt = np.zeros(n, dtype=np.int64)
    active = np.arange(n)
    n_active = n
    where = np.arange(n)
    left0 = n_buyers
    left1 = n - n_buyers
    book = _new_book(shouts, n)  # cancellations are not recorded; a one-unit shout fills at most once
    t_buyer = np.empty(min(n_units.sum(), shouts), dtype=np.int64)
    t_seller = np.empty_like(t_buyer)
    t_price = np.empty_like(t_buyer)
    t_value = np.empty_like(t_buyer)
    t_cost = np.empty_like(t_buyer)
    nt = 0
    n_shouts = 0
    idle = 0
    oid = 0
    for k in range(shouts):
        if left0 == 0 or left1 == 0:
            break
        n_shouts += 1
        i = active[int(pick[k] * n_active)]
        s = side[i]
        lim = lim_flat[lim_start[i] + nxt[i]]
        price = _quote(kind[i], s, lim, lo, hi, draw[k], markup[i])
        if price < 0:  # this trader cannot shout inside the price bounds
            idle += 1
            if idle_stop >= 0 and idle >= idle_stop:
                break
            continue
        if one_order:
            _withdraw(book, i, False)
        book[_TRADER, oid] = i
        book[_PRICE, oid] = price
        book[_CNT, _NF] = 0
        _shout(book, oid, s, 1, False)
        oid += 1
        if book[_CNT, _NF] > 0:
            b = book[_TRADER, book[_F_BUY, 0]]
            se = book[_TRADER, book[_F_SELL, 0]]
            _withdraw(book, b, False)
            _withdraw(book, se, False)
            t_buyer[nt] = b
            t_seller[nt] = se
            t_price[nt] = book[_F_PRICE, 0]
            t_value[nt] = lim_flat[lim_start[b] + nxt[b]]
            t_cost[nt] = lim_flat[lim_start[se] + nxt[se]]
            nt += 1
            for j in (b, se):  # Day.trade: next unit; a trader with none left is done for the day
                nxt[j] += 1
                if nxt[j] == n_units[j]:
                    n_active -= 1
                    last = active[n_active]
                    if last != j:
                        active[where[j]] = last
                        where[last] = where[j]
                    if j < n_buyers:
                        left0 -= 1
                    else:
                        left1 -= 1
            if clear_after:
                book[_CNT, _NB] = 0
                book[_CNT, _NA] = 0
                book[_HEAD, :n] = -1
            idle = 0
        else:
            idle += 1
        if idle_stop >= 0 and idle >= idle_stop:
            break
    return (t_buyer[:nt], t_seller[:nt], t_price[:nt], t_value[:nt], t_cost[:nt], nxt, active[:n_active],
            where, left0, left1, n_shouts)


@dataclass(frozen=True)
class DayTraders:
    """The traders of a teaching market as the day kernel reads them, built once per market by :meth:`of`:
    unit limits flattened (``lim_flat``; trader ``i``'s units start at ``lim_start[i]``, ``n_units[i]`` of
    them), side (BUY/SELL), behaviour code (:data:`KIND_CODES`) and markup share per trader."""

    lim_flat: np.ndarray
    lim_start: np.ndarray
    n_units: np.ndarray
    side: np.ndarray
    kind: np.ndarray
    markup: np.ndarray

    @classmethod
    def of(cls, limits: list[list[int]], side, kind: list[str], markup: list[float]) -> DayTraders:
        """``limits``: each trader's unit values or costs in trading order (ticks); a ``ValueError`` names a
        behaviour the kernel does not price."""
        n_units = np.array([len(u) for u in limits], dtype=np.int64)
        lim_start = np.zeros(len(limits), dtype=np.int64)
        np.cumsum(n_units[:-1], out=lim_start[1:])
        unknown = sorted({k for k in kind if k not in KIND_CODES})
        if unknown:
            raise ValueError(f"teaching_day: behaviour {unknown[0]!r} is not priced in the kernel "
                             f"(one of {sorted(KIND_CODES)})")
        return cls(np.array([v for u in limits for v in u], dtype=np.int64), lim_start, n_units,
                   np.ascontiguousarray(side, dtype=np.int64),
                   np.array([KIND_CODES[k] for k in kind], dtype=np.int64), np.array(markup, dtype=np.float64))


def teaching_day(pick: np.ndarray, draw: np.ndarray, traders: DayTraders, lo: int, hi: int, n_buyers: int, *,
                 idle_stop: int | None = None, one_order_per_trader: bool = True,
                 clear_book_after_trade: bool = False) -> dict:
    """One rules-``cda`` trading day of the teaching market, compiled (see :func:`.shouts.day_cda`, whose loop
    this is, shout for shout, for behaviours in :data:`KIND_CODES`).

    ``pick[k]``/``draw[k]`` are the uniform draws of shout ``k`` (which active trader, its price); traders
    ``0 … n_buyers−1`` buy. Returns the day's trades (``buyer``, ``seller``, ``price``, ``value``, ``cost``
    int64 arrays, in order), every trader's next unit ``nxt``, the traders still active in the interactive
    loop's order (``active``, ``where``), ``left`` (active buyers, sellers) and ``n_shouts``.
    """
    tr = traders
    out = _teaching_day(np.ascontiguousarray(pick, dtype=np.float64), np.ascontiguousarray(draw, dtype=np.float64),
                        tr.lim_flat, tr.lim_start, tr.n_units, tr.side, tr.kind, tr.markup,
                        int(lo), int(hi), int(n_buyers), -1 if idle_stop is None else int(idle_stop),
                        bool(one_order_per_trader), bool(clear_book_after_trade))
    tb, ts, tp, tv, tc, nxt, active, where, l0, l1, n_shouts = out
    return {"buyer": tb, "seller": ts, "price": tp, "value": tv, "cost": tc, "nxt": nxt, "active": active,
            "where": where, "left": [int(l0), int(l1)], "n_shouts": int(n_shouts)}
