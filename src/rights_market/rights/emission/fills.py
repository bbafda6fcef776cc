"""Pure helpers of the emission market's clearings: merging the fills of a call auction into trades, and a random
arrival order of orders that keeps each unit's steps in order. No state; arrays in, arrays out."""

from __future__ import annotations

import numpy as np


def merge_fills(seller: np.ndarray, buyer: np.ndarray, qty: np.ndarray, price: np.ndarray):
    """Fills of one clearing with the same seller, buyer and price merged into one trade (first-occurrence
    order kept): a call auction cuts a trade into pieces per pair of orders."""
    key = np.stack([seller, buyer, price], axis=1)
    uniq, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    total = np.zeros(uniq.shape[0], np.int64)
    np.add.at(total, inv.ravel(), qty)
    order = np.argsort(first, kind="stable")
    return uniq[order, 0], uniq[order, 1], total[order], uniq[order, 2]


def arrival_order(rng: np.random.Generator, unit: np.ndarray, side: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """A random arrival order of orders in which each unit's orders of one side still come in step order
    (its most favourable step first): random times, handed out within each (unit, side) by rank."""
    n = unit.size
    key = rng.random(n)
    group = unit.astype(np.int64) * 2 + (side > 0)
    by_key = np.lexsort((key, group))
    by_rank = np.lexsort((rank, group))
    times = np.empty(n)
    times[by_rank] = key[by_key]
    return np.argsort(times, kind="stable")
