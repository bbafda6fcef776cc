"""Exact integer sums per group of rows with NumPy, for the report's small aggregations.

The report's tables group a few thousand rows into a handful of groups (accounts, kinds and bands, reasons,
years) about a hundred times per report. ``DataFrame.groupby(...).agg(...)`` costs some milliseconds a call
whatever the size, most of it building indexes; :func:`group_sums` does the same sums in a few NumPy passes.

Contract (that of ``groupby(keys, sort=True, dropna=True).agg(count=size, col=sum)`` over integer columns):
groups are the distinct combinations of the key columns present in the rows, in ascending order of the
keys (first key first; text by code point, numbers by value); rows with a missing key are left out; each
group has its row count and the exact ``int64`` sum of every value column (summed in integers, never in
floats, so money in fen stays exact). Key columns keep their values and dtypes (as ``pd.factorize`` returns
them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["Groups", "group_sums"]


class Groups(NamedTuple):
    """The result of :func:`group_sums`: per group (in key order) its key values (one array per key column),
    its row count and its sums (one ``int64`` array per value column)."""

    keys: list[np.ndarray]
    count: np.ndarray
    sums: list[np.ndarray]


def group_sums(keys: Sequence[pd.Series | np.ndarray], values: Sequence[pd.Series | np.ndarray]) -> Groups:
    """Rows grouped by the columns ``keys`` (all of one length), with the row count and the exact integer
    sums of the columns ``values`` per group (see the module docstring)."""
    factors = [pd.factorize(k, sort=True) for k in keys]
    codes = [np.asarray(c, dtype=np.int64) for c, _ in factors]
    uniques = [u for _, u in factors]
    present = np.ones(len(codes[0]) if codes else 0, dtype=bool)
    for c in codes:
        if len(c) and c.min() < 0:  # a missing key: the row is in no group
            present &= c >= 0
    if not present.all():
        codes = [c[present] for c in codes]
    sizes = [max(len(u), 1) for u in uniques]
    combined = np.ravel_multi_index(codes, sizes) if len(codes) > 1 else codes[0]
    ids, inverse, count = np.unique(combined, return_inverse=True, return_counts=True)
    per_key = np.unravel_index(ids, sizes) if len(codes) > 1 else (ids,)
    key_values = [np.asarray(u.take(c)) for u, c in zip(uniques, per_key, strict=True)]
    if not len(ids):
        return Groups(key_values, count.astype(np.int64), [np.zeros(0, dtype=np.int64) for _ in values])
    order = np.argsort(inverse.reshape(-1), kind="stable")
    starts = np.concatenate(([0], np.cumsum(count)[:-1]))
    sums = []
    for v in values:
        arr = np.asarray(v, dtype=np.int64)
        if not present.all():
            arr = arr[present]
        sums.append(np.add.reduceat(arr[order], starts))
    return Groups(key_values, count.astype(np.int64), sums)
