"""The engine's fast path for a continuous double auction session: a compiled batch matcher.

:func:`match_session` processes a session's orders **one at a time, in arrival order**, with exactly the
rules of :class:`~rights_market.market.orderbook.ContinuousDoubleAuction` (price-time priority, trades at
the resting order's price, partial fills, self-trade prevention by cancelling the resting order, the same
rejection reasons) — it is the same continuous mechanism, not a call auction. It only differs in *how*: the
whole session's order stream is known when the session opens (orders live for one session), so the matching
loop runs compiled (numba) over int64 arrays, with two binary heaps of order indices keyed by (price, arrival).
The interactive book (``ContinuousDoubleAuction``: cancel, depth, quotes) stays the reference
implementation; the tests prove both give identical fills, cancellations and rejections on random streams.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .orderbook import (
    BUY,
    REASON_ABOVE_CEILING,
    REASON_BELOW_FLOOR,
    REASON_INVALID_SIDE,
    REASON_NON_POSITIVE,
    SELL,
)


@dataclass(frozen=True)
class SessionResult:
    """Outcome of one session. Order references are positions in the submitted arrays.

    ``fill_buy``/``fill_sell``: positions of the buy and sell order of each fill, in the order fills
    happened; ``fill_price`` (ticks, the resting order's price), ``fill_quantity``, ``fill_aggressor``
    (side of the incoming order). ``cancel_order``/``cancel_quantity``: resting orders cancelled by
    self-trade prevention and the quantity they still had. ``rejected``/``reject_reason``: positions and
    reasons of orders refused before matching. ``resting``: each order's quantity still resting at the end.
    """

    fill_buy: np.ndarray
    fill_sell: np.ndarray
    fill_price: np.ndarray
    fill_quantity: np.ndarray
    fill_aggressor: np.ndarray
    cancel_order: np.ndarray
    cancel_quantity: np.ndarray
    rejected: np.ndarray
    reject_reason: np.ndarray
    resting: np.ndarray


@njit(cache=True, inline="always")
def _before(prices, a, b, sign):
    # sign = +1 for asks (lower price first), -1 for bids (higher price first); ties by arrival
    pa = prices[a] * sign
    pb = prices[b] * sign
    return pa < pb or (pa == pb and a < b)


@njit(cache=True)
def _push(heap, size, item, prices, sign):
    i = size
    heap[i] = item
    while i > 0:
        parent = (i - 1) >> 1
        if _before(prices, heap[i], heap[parent], sign):
            heap[i], heap[parent] = heap[parent], heap[i]
            i = parent
        else:
            break
    return size + 1


@njit(cache=True)
def _pop(heap, size, prices, sign):
    size -= 1
    heap[0] = heap[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        best = left
        right = left + 1
        if right < size and _before(prices, heap[right], heap[left], sign):
            best = right
        if _before(prices, heap[best], heap[i], sign):
            heap[i], heap[best] = heap[best], heap[i]
            i = best
        else:
            break
    return size


@njit(cache=True)
def _match(traders, sides, prices, qtys, valid):
    n = traders.shape[0]
    rem = np.zeros(n, dtype=np.int64)
    bids = np.empty(n, dtype=np.int64)
    asks = np.empty(n, dtype=np.int64)
    nb = 0
    na = 0
    cap = 2 * n + 1
    f_buy = np.empty(cap, dtype=np.int64)
    f_sell = np.empty(cap, dtype=np.int64)
    f_price = np.empty(cap, dtype=np.int64)
    f_qty = np.empty(cap, dtype=np.int64)
    f_aggr = np.empty(cap, dtype=np.int64)
    c_ord = np.empty(n, dtype=np.int64)
    c_qty = np.empty(n, dtype=np.int64)
    nf = 0
    nc = 0
    for i in range(n):
        if not valid[i]:
            continue
        q = qtys[i]
        if sides[i] == 1:
            while q > 0 and na > 0:
                j = asks[0]
                if prices[j] > prices[i]:
                    break
                if traders[j] == traders[i]:
                    c_ord[nc] = j
                    c_qty[nc] = rem[j]
                    nc += 1
                    rem[j] = 0
                    na = _pop(asks, na, prices, 1)
                    continue
                f = min(q, rem[j])
                f_buy[nf] = i
                f_sell[nf] = j
                f_price[nf] = prices[j]
                f_qty[nf] = f
                f_aggr[nf] = 1
                nf += 1
                rem[j] -= f
                q -= f
                if rem[j] == 0:
                    na = _pop(asks, na, prices, 1)
            rem[i] = q
            if q > 0:
                nb = _push(bids, nb, i, prices, -1)
        else:
            while q > 0 and nb > 0:
                j = bids[0]
                if prices[j] < prices[i]:
                    break
                if traders[j] == traders[i]:
                    c_ord[nc] = j
                    c_qty[nc] = rem[j]
                    nc += 1
                    rem[j] = 0
                    nb = _pop(bids, nb, prices, -1)
                    continue
                f = min(q, rem[j])
                f_buy[nf] = j
                f_sell[nf] = i
                f_price[nf] = prices[j]
                f_qty[nf] = f
                f_aggr[nf] = -1
                nf += 1
                rem[j] -= f
                q -= f
                if rem[j] == 0:
                    nb = _pop(bids, nb, prices, -1)
            rem[i] = q
            if q > 0:
                na = _push(asks, na, i, prices, 1)
    return f_buy[:nf], f_sell[:nf], f_price[:nf], f_qty[:nf], f_aggr[:nf], c_ord[:nc], c_qty[:nc], rem


def match_session(traders: np.ndarray, sides: np.ndarray, prices: np.ndarray, quantities: np.ndarray, *,
                  floor_ticks: int = 0, ceiling_ticks: int | None = None) -> SessionResult:
    """Run one CDA session over orders in arrival order; see the module docstring for the rules.

    Orders are rejected before matching, in this order of checks, with the reasons of the interactive
    book: quantity or price not positive (``non_positive``), price below ``floor_ticks``
    (``below_floor``), above ``ceiling_ticks`` (``above_ceiling``), side neither BUY nor SELL
    (``invalid_side``).
    """
    traders, sides, prices, qtys, code = checked_orders("match_session", traders, sides, prices, quantities,
                                                        floor_ticks, ceiling_ticks)
    valid = code == 0
    fb, fs, fp, fq, fa, co, cq, rem = _match(traders, sides, prices, qtys, valid)
    rejected = np.nonzero(~valid)[0]
    return SessionResult(fb, fs, fp, fq, fa, co, cq, rejected, REJECT_REASONS[code[rejected]], rem)


#: The reason of each code :func:`checked_orders` gives (0: valid), in the interactive book's words.
REJECT_REASONS = np.array(["", REASON_NON_POSITIVE, REASON_BELOW_FLOOR, REASON_ABOVE_CEILING, REASON_INVALID_SIDE])


def checked_orders(caller: str, traders, sides, prices, quantities, floor_ticks: int, ceiling_ticks: int | None):
    """The orders as contiguous int64 arrays and a reason code per order (0 valid, else an index of
    :data:`REJECT_REASONS`), checked in the interactive book's order: quantity or price not positive, price
    below the floor, above the ceiling, side neither BUY nor SELL. Shared by the compiled session and shout
    paths. Raises ValueError naming ``caller`` when the arrays' lengths differ."""
    traders = np.ascontiguousarray(traders, dtype=np.int64)
    sides = np.ascontiguousarray(sides, dtype=np.int64)
    prices = np.ascontiguousarray(prices, dtype=np.int64)
    qtys = np.ascontiguousarray(quantities, dtype=np.int64)
    n = traders.size
    if not (sides.size == prices.size == qtys.size == n):
        raise ValueError(f"{caller}: all arrays must have the same length")
    code = np.zeros(n, dtype=np.int8)
    code[(qtys <= 0) | (prices <= 0)] = 1
    code[(code == 0) & (prices < floor_ticks)] = 2
    if ceiling_ticks is not None:
        code[(code == 0) & (prices > ceiling_ticks)] = 3
    code[(code == 0) & (sides != BUY) & (sides != SELL)] = 4
    return traders, sides, prices, qtys, code
