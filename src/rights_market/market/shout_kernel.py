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
trade bookkeeping. ``tests/test_shout_kernel.py`` proves both equal to the interactive book.

Integers throughout: prices ticks, quantities base units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .orderbook import (
    BUY,
    REASON_ABOVE_CEILING,
    REASON_BELOW_FLOOR,
    REASON_CANCELLED,
    REASON_INVALID_SIDE,
    REASON_NON_POSITIVE,
    REASON_SELF_TRADE,
    SELL,
)

__all__ = ["KIND_CODES", "ShoutResult", "match_shouts", "teaching_day"]

#: Behaviour names priced inside the kernel, and their codes (``teaching_day``'s ``kind`` array).
KIND_CODES = {"zi_c": 0, "zi_u": 1, "truthful": 2, "markup": 3}

# The book's state is a few 2-D arrays, so that a helper takes few array arguments (every array argument of a
# compiled call costs reference counting). Rows of ``orders`` (one column per order):
_TRADER, _PRICE, _REM, _LINK = range(4)
# rows of ``heaps``: the bids (highest price first) and the asks (lowest first), ties by arrival
_BIDS, _ASKS = 0, 1
# entries of ``cnt``: heap sizes, fills written, cancellations written
_NB, _NA, _NF, _NC = range(4)
# rows of ``fills`` and ``cancels``
_F_BUY, _F_SELL, _F_PRICE, _F_QTY, _F_AGGR = range(5)
_C_ORD, _C_QTY, _C_WHY = range(3)


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


@njit(cache=True, inline="always")
def _before(orders, a, b, sign):
    # sign = +1 for asks (lower price first), -1 for bids (higher price first); ties by arrival
    pa = orders[_PRICE, a] * sign
    pb = orders[_PRICE, b] * sign
    return pa < pb or (pa == pb and a < b)


@njit(cache=True)
def _push(heaps, row, size, item, orders, sign):
    i = size
    heaps[row, i] = item
    while i > 0:
        parent = (i - 1) >> 1
        up = heaps[row, parent]
        if _before(orders, item, up, sign):
            heaps[row, i] = up
            i = parent
        else:
            break
    heaps[row, i] = item
    return size + 1


@njit(cache=True)
def _pop(heaps, row, size, orders, sign):
    size -= 1
    item = heaps[row, size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        best = left
        right = left + 1
        if right < size and _before(orders, heaps[row, right], heaps[row, left], sign):
            best = right
        child = heaps[row, best]
        if _before(orders, child, item, sign):
            heaps[row, i] = child
            i = best
        else:
            break
    heaps[row, i] = item
    return size


@njit(cache=True, inline="always")
def _withdraw(trader, orders, head, cnt, cancels, record):
    """Cancel every resting order of ``trader`` (lazily: marked dead, left in its heap)."""
    o = head[trader]
    while o >= 0:
        r = orders[_REM, o]
        if r > 0:
            if record:
                k = cnt[_NC]
                cancels[_C_ORD, k] = o
                cancels[_C_QTY, k] = r
                cancels[_C_WHY, k] = 0
                cnt[_NC] = k + 1
            orders[_REM, o] = 0
        o = orders[_LINK, o]
    head[trader] = -1


@njit(cache=True, inline="always")
def _shout(i, side, q, orders, heaps, head, cnt, fills, cancels, record):
    """Match order ``i`` (its trader and price already in ``orders``, validated) against the book, then rest
    its remainder.

    Dead orders met at the top of a heap are popped (lazy deletion); a live resting order of the same trader
    is cancelled (self-trade prevention). Fills are appended at ``cnt[_NF]``, cancellations at ``cnt[_NC]``
    (only if ``record``)."""
    trader = orders[_TRADER, i]
    price = orders[_PRICE, i]
    row, ni, sign = (_ASKS, _NA, 1) if side == 1 else (_BIDS, _NB, -1)
    n = cnt[ni]
    while q > 0 and n > 0:
        j = heaps[row, 0]
        r = orders[_REM, j]
        if r == 0:  # cancelled or filled earlier: lazy deletion
            n = _pop(heaps, row, n, orders, sign)
            continue
        pj = orders[_PRICE, j]
        if (pj - price) * sign > 0:  # the best resting order is beyond the limit
            break
        if orders[_TRADER, j] == trader:
            if record:
                k = cnt[_NC]
                cancels[_C_ORD, k] = j
                cancels[_C_QTY, k] = r
                cancels[_C_WHY, k] = 1
                cnt[_NC] = k + 1
            orders[_REM, j] = 0
            n = _pop(heaps, row, n, orders, sign)
            continue
        f = min(q, r)
        k = cnt[_NF]
        fills[_F_BUY, k] = i if side == 1 else j
        fills[_F_SELL, k] = j if side == 1 else i
        fills[_F_PRICE, k] = pj
        fills[_F_QTY, k] = f
        fills[_F_AGGR, k] = side
        cnt[_NF] = k + 1
        orders[_REM, j] = r - f
        q -= f
        if r == f:
            n = _pop(heaps, row, n, orders, sign)
    cnt[ni] = n
    orders[_REM, i] = q
    if q > 0:
        own, no = (_BIDS, _NB) if side == 1 else (_ASKS, _NA)
        cnt[no] = _push(heaps, own, cnt[no], i, orders, -sign)
        orders[_LINK, i] = head[trader]
        head[trader] = i


@njit(cache=True)
def _stream(traders, sides, prices, qtys, valid, n_traders, replace):
    n = traders.shape[0]
    orders = np.empty((4, n), dtype=np.int64)
    orders[_TRADER] = traders
    orders[_PRICE] = prices
    orders[_REM] = 0
    orders[_LINK] = -1
    heaps = np.empty((2, n), dtype=np.int64)
    head = np.full(n_traders, -1, dtype=np.int64)
    cnt = np.zeros(4, dtype=np.int64)
    fills = np.empty((5, 2 * n + 1), dtype=np.int64)
    cancels = np.empty((3, 2 * n + 1), dtype=np.int64)
    for i in range(n):
        if replace:
            _withdraw(traders[i], orders, head, cnt, cancels, True)
        if valid[i]:
            _shout(i, sides[i], qtys[i], orders, heaps, head, cnt, fills, cancels, True)
    return fills[:, :cnt[_NF]], cancels[:, :cnt[_NC]], orders[_REM].copy()


def match_shouts(traders: np.ndarray, sides: np.ndarray, prices: np.ndarray, quantities: np.ndarray, *,
                 replace: bool = True, floor_ticks: int = 0, ceiling_ticks: int | None = None) -> ShoutResult:
    """Run a stream of shouts in arrival order (module docstring); with ``replace``, each shout first
    cancels its trader's resting orders (reason ``"cancelled"``) — an invalid shout too: it withdraws the old
    shout, then is rejected.

    Shouts are rejected before matching, in the interactive book's order of checks: quantity or price not positive (``non_positive``), price below ``floor_ticks``
    (``below_floor``), above ``ceiling_ticks`` (``above_ceiling``), side neither BUY nor SELL
    (``invalid_side``). Trader ids are any integers.
    """
    traders = np.ascontiguousarray(traders, dtype=np.int64)
    sides = np.ascontiguousarray(sides, dtype=np.int64)
    prices = np.ascontiguousarray(prices, dtype=np.int64)
    qtys = np.ascontiguousarray(quantities, dtype=np.int64)
    n = traders.size
    if not (sides.size == prices.size == qtys.size == n):
        raise ValueError("match_shouts: all arrays must have the same length")
    code = np.zeros(n, dtype=np.int8)
    code[(qtys <= 0) | (prices <= 0)] = 1
    code[(code == 0) & (prices < floor_ticks)] = 2
    if ceiling_ticks is not None:
        code[(code == 0) & (prices > ceiling_ticks)] = 3
    code[(code == 0) & (sides != BUY) & (sides != SELL)] = 4
    valid = code == 0
    ids, dense = np.unique(traders, return_inverse=True)
    fills, cancels, rem = _stream(dense.astype(np.int64), sides, prices, qtys, valid, max(ids.size, 1),
                                  bool(replace))
    fb, fs, fp, fq, fa = fills
    co, cq, cw = cancels
    rejected = np.nonzero(~valid)[0]
    reasons = np.array(["", REASON_NON_POSITIVE, REASON_BELOW_FLOOR, REASON_ABOVE_CEILING, REASON_INVALID_SIDE])
    why = np.array([REASON_CANCELLED, REASON_SELF_TRADE])[cw]
    return ShoutResult(fb, fs, fp, fq, fa, co, cq, why, rejected, reasons[code[rejected]], rem)


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
    orders = np.empty((4, shouts), dtype=np.int64)
    heaps = np.empty((2, shouts), dtype=np.int64)
    head = np.full(n, -1, dtype=np.int64)
    cnt = np.zeros(4, dtype=np.int64)
    fills = np.empty((5, 2), dtype=np.int64)  # a one-unit shout fills at most once
    none = np.empty((3, 0), dtype=np.int64)  # cancellations are not recorded
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
            _withdraw(i, orders, head, cnt, none, False)
        orders[_TRADER, oid] = i
        orders[_PRICE, oid] = price
        orders[_LINK, oid] = -1
        cnt[_NF] = 0
        _shout(oid, s, 1, orders, heaps, head, cnt, fills, none, False)
        oid += 1
        if cnt[_NF] > 0:
            b = orders[_TRADER, fills[_F_BUY, 0]]
            se = orders[_TRADER, fills[_F_SELL, 0]]
            _withdraw(b, orders, head, cnt, none, False)
            _withdraw(se, orders, head, cnt, none, False)
            t_buyer[nt] = b
            t_seller[nt] = se
            t_price[nt] = fills[_F_PRICE, 0]
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
                cnt[_NB] = 0
                cnt[_NA] = 0
                head[:] = -1
            idle = 0
        else:
            idle += 1
        if idle_stop >= 0 and idle >= idle_stop:
            break
    return (t_buyer[:nt], t_seller[:nt], t_price[:nt], t_value[:nt], t_cost[:nt], nxt, active[:n_active],
            where, left0, left1, n_shouts)


def teaching_day(pick: np.ndarray, draw: np.ndarray, limits: list[list[int]], side: np.ndarray,
                 kind: list[str], markup: list[float], lo: int, hi: int, n_buyers: int, *,
                 idle_stop: int | None = None, one_order_per_trader: bool = True,
                 clear_book_after_trade: bool = False) -> dict:
    """One rules-``cda`` trading day of the teaching market, compiled (see :func:`.shouts.day_cda`, whose loop
    this is, shout for shout, for behaviours in :data:`KIND_CODES`).

    ``pick[k]``/``draw[k]`` are the uniform draws of shout ``k`` (which active trader, its price); ``limits``
    each trader's unit values or costs in trading order (ticks); traders ``0 … n_buyers−1`` buy. Returns
    the day's trades (``buyer``, ``seller``, ``price``, ``value``, ``cost`` int64 arrays, in order), every
    trader's next unit ``nxt``, the traders still active in the interactive loop's order (``active``,
    ``where``), ``left`` (active buyers, sellers) and ``n_shouts``.
    """
    lim_flat, lim_start, n_units, kind_c, mk = _day_inputs(limits, kind, markup)
    out = _teaching_day(np.ascontiguousarray(pick, dtype=np.float64), np.ascontiguousarray(draw, dtype=np.float64),
                        lim_flat, lim_start, n_units, np.ascontiguousarray(side, dtype=np.int64), kind_c, mk,
                        int(lo), int(hi), int(n_buyers), -1 if idle_stop is None else int(idle_stop),
                        bool(one_order_per_trader), bool(clear_book_after_trade))
    tb, ts, tp, tv, tc, nxt, active, where, l0, l1, n_shouts = out
    return {"buyer": tb, "seller": ts, "price": tp, "value": tv, "cost": tc, "nxt": nxt, "active": active,
            "where": where, "left": [int(l0), int(l1)], "n_shouts": int(n_shouts)}


def _day_inputs(limits: list[list[int]], kind: list[str], markup: list[float]):
    n_units = np.array([len(u) for u in limits], dtype=np.int64)
    lim_start = np.zeros(len(limits), dtype=np.int64)
    np.cumsum(n_units[:-1], out=lim_start[1:])
    lim_flat = np.array([v for u in limits for v in u], dtype=np.int64)
    try:
        kind_c = np.array([KIND_CODES[k] for k in kind], dtype=np.int64)
    except KeyError as e:
        raise ValueError(f"teaching_day: behaviour {e.args[0]!r} is not priced in the kernel "
                         f"(one of {sorted(KIND_CODES)})") from None
    return lim_flat, lim_start, n_units, kind_c, np.array(markup, dtype=np.float64)
