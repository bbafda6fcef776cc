"""How traders price their orders, vectorised over a batch of traders of one behaviour.

All prices are integer ticks. ``limit`` is the trader's marginal value (buyers) or marginal cost (sellers);
``lo``/``hi`` bound every price of the market (the scenario's price_min and price_max).

* ``truthful``: bid = value, ask = cost.
* ``markup``: ask = cost × (1 + m), bid = value × (1 − m).
* ``zi_c`` — zero intelligence, constrained (Gode & Sunder 1993): bid uniform on [lo, value], ask uniform on
  [cost, hi]; a trader never trades at a loss.
* ``zi_u`` — zero intelligence, unconstrained: uniform on [lo, hi] whatever the limit.

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
    else:
        raise ValueError(f"unknown behaviour {kind!r}")
    price = np.clip(price, lo, hi)
    bad = (price > limit) if side == BUY else (price < limit)
    return np.where(bad, -1, price)
