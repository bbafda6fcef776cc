"""Statistics of groups of runs (a baseline and its variants), generic over rights and metrics.

Inputs are the long yearly KPI tables of :func:`rights_market.sweep.yearly_kpis` with a ``group`` column.
Across the replications of a group: the **median** and the **5 % and 95 % quantiles** (NumPy's linear
interpolation between order statistics), so the band holds the middle 90 % of the runs. With one run the
band is that run. Run-level values are the means over the years of a run (see ``sweep.summary``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["BAND", "BEHAVIOUR_METRICS", "REVENUE_ONLY_TOLERANCE", "bands", "flatten", "is_revenue_metric",
           "relative_change", "revenue_only", "run_level", "scenario_changes", "summary"]

#: Lower and upper quantile of the band.
BAND = (0.05, 0.95)

#: What holders did, per right: use, over-plan use (in total and per sector, so a response of one sector
#: is not hidden in the total), trades and prices (docs/tables.md). A variant moves behaviour when any of
#: these present in both groups changes by more than :data:`REVENUE_ONLY_TOLERANCE`.
BEHAVIOUR_METRICS: Mapping[str, tuple[str, ...]] = {
    "water": ("use", "over_plan", "traded_volume", "trade_count", "mean_price",
              *(f"{m}_{s}" for m in ("use", "over_plan") for s in ("agriculture", "industry", "domestic", "ecology"))),
}
#: Largest relative change of a median (run-level means over the runs of a group) that counts as "did not
#: move": 0.5 %. A revenue indicator moved when it changed by more than this.
REVENUE_ONLY_TOLERANCE = 0.005


def is_revenue_metric(right: str, metric: str) -> bool:
    """Revenue indicators: the surcharge and tariff revenue of a right (bands included) and every indicator
    of the fiscal account."""
    return right == "fiscal" or metric in ("surcharge_revenue", "tariff_revenue") or metric.startswith(
        "surcharge_revenue_band_")


def _agg(values: pd.Series) -> pd.Series:
    v = values.to_numpy(dtype=float)
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return pd.Series({"n": 0, "median": np.nan, "low": np.nan, "high": np.nan})
    lo, hi = np.quantile(v, BAND)
    return pd.Series({"n": len(v), "median": float(np.median(v)), "low": float(lo), "high": float(hi)})


def bands(yearly: pd.DataFrame) -> pd.DataFrame:
    """Per group, right, metric and year: ``n``, ``median``, ``low`` (5 %), ``high`` (95 %) over runs."""
    cols = ["group", "right", "metric", "unit", "year", "n", "median", "low", "high"]
    if yearly.empty:
        return pd.DataFrame(columns=cols)
    g = yearly.groupby(["group", "right", "metric", "unit", "year"], sort=False)["value"]
    out = g.apply(_agg).unstack().reset_index()
    out["n"] = out["n"].astype("int64")
    return out[cols]


def run_level(yearly: pd.DataFrame) -> pd.DataFrame:
    """Per run (group, replication) and metric: the mean over its years and the last year's value."""
    cols = ["group", "replication", "seed", "right", "metric", "unit", "mean", "last"]
    if yearly.empty:
        return pd.DataFrame(columns=cols)
    y = yearly.sort_values("year", kind="stable")
    g = y.groupby(["group", "replication", "seed", "right", "metric", "unit"], sort=False)["value"]
    out = pd.DataFrame({"mean": g.mean(), "last": g.last()}).reset_index()
    return out[cols]


def summary(runs: pd.DataFrame) -> pd.DataFrame:
    """Per group and metric: median, 5 % and 95 % of the run-level means over the runs of the group."""
    cols = ["group", "right", "metric", "unit", "n", "median", "low", "high"]
    if runs.empty:
        return pd.DataFrame(columns=cols)
    g = runs.groupby(["group", "right", "metric", "unit"], sort=False)["mean"]
    out = g.apply(_agg).unstack().reset_index()
    out["n"] = out["n"].astype("int64")
    return out[cols]


def relative_change(value: float, base: float) -> float | None:
    """``value / base - 1``; None when the base is zero or either is missing."""
    if base is None or value is None or np.isnan(base) or np.isnan(value) or base == 0:
        return None
    return float(value / base - 1.0)


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """A nested scenario as ``{dotted.path: leaf value}`` (list items by index)."""
    out: dict[str, Any] = {}
    if isinstance(data, Mapping):
        for k, v in data.items():
            out.update(flatten(v, f"{prefix}{k}."))
    elif isinstance(data, list) and data and all(isinstance(v, Mapping | list) for v in data):
        for i, v in enumerate(data):
            out.update(flatten(v, f"{prefix}{i}."))
    else:
        out[prefix[:-1]] = data
    return out


def scenario_changes(base: Mapping[str, Any], other: Mapping[str, Any],
                     ignore: Sequence[str] = ("name", "description", "seed")) -> list[tuple[str, Any, Any]]:
    """Fields of the resolved scenario ``other`` that differ from ``base``: ``(path, base value, value)``."""
    a, b = flatten(base), flatten(other)
    out = []
    for key in sorted(set(a) | set(b)):
        if key in ignore:
            continue
        if a.get(key, "—") != b.get(key, "—"):
            out.append((key, a.get(key, "—"), b.get(key, "—")))
    return out


def _moved(value: float, base: float, tolerance: float) -> bool:
    """Whether ``value`` differs from ``base`` by more than ``tolerance`` of the base (any change from 0)."""
    if np.isnan(value) and np.isnan(base):
        return False
    if np.isnan(value) or np.isnan(base):
        return True
    if base == 0:
        return value != 0
    return abs(value / base - 1.0) > tolerance


def revenue_only(summ: pd.DataFrame, base: str, group: str, right: str,
                 tolerance: float = REVENUE_ONLY_TOLERANCE) -> bool:
    """Whether ``group`` differs from the baseline ``base`` (labels in :func:`summary`'s table) in revenue
    only, for ``right``: some revenue indicator (:func:`is_revenue_metric`, of the right or of the fiscal
    account) moved by more than ``tolerance`` while every behaviour indicator of the right
    (:data:`BEHAVIOUR_METRICS`, those both groups recorded; at least one) moved by less."""
    med = {(g, r, m): float(v) for g, r, m, v in zip(summ["group"], summ["right"], summ["metric"], summ["median"],
                                                    strict=True)}
    behaviour = [m for m in BEHAVIOUR_METRICS.get(right, ()) if (base, right, m) in med and (group, right, m) in med]
    if not behaviour:
        return False
    if any(_moved(med[(group, right, m)], med[(base, right, m)], tolerance) for m in behaviour):
        return False
    revenue = [(r, m) for (g, r, m) in med if g == base and r in (right, "fiscal") and is_revenue_metric(r, m)]
    return any(_moved(med.get((group, r, m), float("nan")), med[(base, r, m)], tolerance) for r, m in revenue)
