"""Market performance measures, pure: maximum gains from trade, allocative efficiency, Smith's alpha."""

from __future__ import annotations

import numpy as np


def max_gains(values: np.ndarray, demand: np.ndarray, costs: np.ndarray, supply: np.ndarray) -> int:
    """Largest total gain from trade (value − cost summed over traded units), in value units × quantity.

    ``values``/``demand``: buyers' value per unit and the units wanted at that value; ``costs``/``supply``:
    sellers' cost per unit and units offered. The competitive (Marshallian) surplus: buyers sorted by value
    descending meet sellers sorted by cost ascending while value exceeds cost. Integers in, integer out.
    """
    v = np.asarray(values, dtype=np.int64)
    dq = np.asarray(demand, dtype=np.int64)
    c = np.asarray(costs, dtype=np.int64)
    sq = np.asarray(supply, dtype=np.int64)
    keep_b, keep_s = dq > 0, sq > 0
    v, dq, c, sq = v[keep_b], dq[keep_b], c[keep_s], sq[keep_s]
    if not v.size or not c.size:
        return 0
    ob = np.argsort(-v, kind="stable")
    os_ = np.argsort(c, kind="stable")
    v, dq, c, sq = v[ob], dq[ob], c[os_], sq[os_]
    cum_d, cum_s = np.cumsum(dq), np.cumsum(sq)
    edges = np.union1d(cum_d, cum_s)
    edges = edges[edges <= min(cum_d[-1], cum_s[-1])]
    lower = np.concatenate([[0], edges[:-1]])
    width = edges - lower
    # the unit just above `lower` belongs to buyer i = first with cum_d > lower, seller j likewise
    bi = np.searchsorted(cum_d, lower, side="right")
    sj = np.searchsorted(cum_s, lower, side="right")
    gain = v[bi] - c[sj]
    return int(np.sum(np.where(gain > 0, gain * width, 0)))


def smith_alpha(prices: np.ndarray, p0: float) -> float:
    """Smith's (1962) convergence coefficient: 100 × RMS(price − P0) / P0."""
    p = np.asarray(prices, dtype=float)
    if not p.size or p0 == 0:
        return float("nan")
    return float(100.0 * np.sqrt(np.mean((p - p0) ** 2)) / p0)
