"""How traders price their orders, vectorised over a batch of traders of one behaviour.

All prices are integer ticks. ``limit`` is the trader's marginal value (buyers) or marginal cost (sellers);
``lo``/``hi`` bound every price of the market (the scenario's price_min and price_max).

* ``truthful``: bid = value, ask = cost.
* ``markup``: ask = cost × (1 + m), bid = value × (1 − m).
* ``zi_c`` — zero intelligence, constrained (Gode & Sunder 1993): bid uniform on [lo, value], ask uniform on
  [cost, hi]; a trader never trades at a loss.
* ``zi_u`` — zero intelligence, unconstrained: uniform on [lo, hi] whatever the limit.
* ``zip`` — zero intelligence plus (Cliff 1997): adaptive profit margins; stateful, see
  :mod:`rights_market.agents.zip` (not priced by :func:`quote`).

A buyer whose value is below ``lo`` (or a seller whose cost is above ``hi``) places no order under the
constrained behaviours: the price is returned as −1.
"""

from __future__ import annotations

import numpy as np

BUY, SELL = 1, -1


def quote(kind: str, side: int, limit: np.ndarray, lo: int, hi: int, rng: np.random.Generator,
          markup: float = 0.0) -> np.ndarray:
    """Prices for traders of behaviour ``kind`` on ``side`` (BUY or SELL); −1 where no order is placed."""
    limit = np.asarray(limit, dtype=np.int64)
    n = limit.size
    if kind == "truthful":
        price = limit.copy()
    elif kind == "markup":
        factor = (1.0 - markup) if side == BUY else (1.0 + markup)
        price = np.floor(limit * factor).astype(np.int64) if side == BUY else np.ceil(limit * factor).astype(np.int64)
    elif kind == "zi_c":
        if side == BUY:
            low, high = np.full(n, lo, dtype=np.int64), np.minimum(limit, hi)
        else:
            low, high = np.maximum(limit, lo), np.full(n, hi, dtype=np.int64)
        ok = high >= low
        price = np.full(n, -1, dtype=np.int64)
        if ok.any():
            price[ok] = rng.integers(low[ok], high[ok], endpoint=True)
        return price
    elif kind == "zi_u":
        return rng.integers(lo, hi, size=n, endpoint=True).astype(np.int64)
    elif kind == "zip":
        raise ValueError("behaviour 'zip' keeps a learning state per trader: the market must drive "
                         "rights_market.agents.zip.ZipTraders (this market does not)")
    else:
        raise ValueError(f"unknown behaviour {kind!r}")
    price = np.clip(price, lo, hi)
    bad = (price > limit) if side == BUY else (price < limit)
    return np.where(bad, -1, price)


def quote_one(kind: str, side: int, limit: int, lo: int, hi: int, u: float, markup: float = 0.0) -> int:
    """One trader's price in ticks from one uniform draw ``u`` in [0, 1); −1 where no order is placed.

    The scalar fast path of :func:`quote` for markets that take shouts one at a time (the teaching market):
    the same distributions, with the random draw made by the caller (in bulk, from its own stream). ZI-C and
    ZI-U prices are uniform on the integer ticks of their interval. ``zip`` is not priced here: its traders
    keep state (:class:`rights_market.agents.zip.ZipTraders`).
    """
    if kind == "zi_c":
        if side == BUY:
            top = limit if limit < hi else hi
            return -1 if top < lo else lo + int(u * (top - lo + 1))
        bottom = limit if limit > lo else lo
        return -1 if bottom > hi else bottom + int(u * (hi - bottom + 1))
    if kind == "zi_u":
        return lo + int(u * (hi - lo + 1))
    if kind == "truthful":
        price = limit
    elif kind == "markup":
        price = int(np.floor(limit * (1.0 - markup))) if side == BUY else int(np.ceil(limit * (1.0 + markup)))
    else:
        raise ValueError(f"unknown behaviour {kind!r}")
    price = min(max(price, lo), hi)
    bad = price > limit if side == BUY else price < limit
    return -1 if bad else price
