"""Statistics of groups of runs (a baseline and its variants), generic over rights and metrics.

Inputs are the long yearly KPI tables of :func:`rights_market.sweep.yearly_kpis` with a ``group`` column.
Across the replications of a group: the **median** and a band whose meaning depends on the number of runs
``n`` (:func:`spread_kind`): from :data:`QUANTILE_MIN_RUNS` runs on the **5 % and 95 % quantiles** (NumPy's
linear interpolation between order statistics), the middle 90 % of the runs; with fewer runs those quantiles
fall between the two lowest and the two highest runs and mean little, so the band is the **range** (lowest
to highest run). With one run the band is that run. Run-level values are the means over the years of a run
(see ``sweep.summary``).

Statistics are over **all** runs of a group: an indicator recorded only when something happened (a
surcharge band's revenue, :data:`ABSENT_IS_ZERO`) counts as zero in a run year where it is missing
(:func:`fill_absent`), so a band's median is never that of the few runs in which the band occurred.

**Paired differences** (:func:`paired`): variants run with the same seeds as the baseline (common random
numbers), so ``variant − baseline`` seed by seed removes the chance both share; their median and band show
how much and how surely a variant moves an indicator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ABSENT_IS_ZERO", "BAND", "BEHAVIOUR_METRICS", "QUANTILE_MIN_RUNS", "REVENUE_ONLY_TOLERANCE", "bands",
           "fill_absent", "flatten", "is_revenue_metric", "paired", "paired_runs", "paired_yearly",
           "relative_change", "revenue_only", "run_level", "scenario_changes", "spread_kind", "summary"]

#: Lower and upper quantile of the band (with at least :data:`QUANTILE_MIN_RUNS` runs).
BAND = (0.05, 0.95)
#: Fewest runs whose band is the 5–95 % quantiles; with fewer the band is the range (lowest to highest).
#: With 20 runs the 5 % quantile lies between the lowest two runs: fewer say nothing beyond the range.
QUANTILE_MIN_RUNS = 20
#: Prefixes of indicators recorded only when what they count happened (``docs/tables.md``): a missing value
#: in a run year where the right recorded anything is a zero.
ABSENT_IS_ZERO: tuple[str, ...] = ("surcharge_revenue_band_",)
_RUN_KEYS = ("group", "replication", "seed")

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


def spread_kind(n: int) -> str:
    """What the band of ``n`` runs is: ``"single"`` (one run), ``"range"`` (lowest to highest run) or
    ``"quantiles"`` (5 % to 95 %, from :data:`QUANTILE_MIN_RUNS` runs)."""
    if n <= 1:
        return "single"
    return "quantiles" if n >= QUANTILE_MIN_RUNS else "range"


def _agg(values: pd.Series) -> pd.Series:
    v = values.to_numpy(dtype=float)
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return pd.Series({"n": 0, "median": np.nan, "low": np.nan, "high": np.nan})
    lo, hi = np.quantile(v, BAND) if spread_kind(len(v)) == "quantiles" else (v.min(), v.max())
    return pd.Series({"n": len(v), "median": float(np.median(v)), "low": float(lo), "high": float(hi)})


def fill_absent(yearly: pd.DataFrame) -> pd.DataFrame:
    """``yearly`` with a zero for every :data:`ABSENT_IS_ZERO` indicator missing from a run year in which the
    right recorded some indicator: the indicator as recorded in any run of any group, so a band that occurred
    in one variant only is a zero in the others. Runs are told apart by the columns of ``group``,
    ``replication`` and ``seed`` that ``yearly`` has."""
    if yearly.empty:
        return yearly
    zero = yearly["metric"].astype(str).str.startswith(ABSENT_IS_ZERO)
    if not zero.any():
        return yearly
    run = [c for c in _RUN_KEYS if c in yearly.columns]
    run_years = yearly[[*run, "right", "year"]].drop_duplicates()
    keys = yearly.loc[zero, ["right", "metric", "unit"]].drop_duplicates(["right", "metric"])
    grid = run_years.merge(keys, on="right")
    on = [*run, "right", "metric", "year"]
    have = yearly.loc[zero, on].drop_duplicates()
    missing = grid.merge(have, on=on, how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    if missing.empty:
        return yearly
    missing = missing.assign(value=0.0).reindex(columns=yearly.columns)
    out = pd.concat([yearly, missing], ignore_index=True)
    if "group" in out.columns:  # groups in their order (the baseline first), not alphabetically
        order = {g: i for i, g in enumerate(dict.fromkeys(yearly["group"]))}
        out = out.assign(_g=out["group"].map(order))
        return (out.sort_values(["_g", *run[1:], "right", "metric", "year"], kind="stable")
                .drop(columns="_g").reset_index(drop=True))
    return out.sort_values([*run, "right", "metric", "year"], kind="stable").reset_index(drop=True)


def bands(yearly: pd.DataFrame) -> pd.DataFrame:
    """Per group, right, metric and year: ``n``, ``median``, ``low``, ``high`` over all runs (the band of
    :func:`spread_kind`; absent indicators counted as zero, :func:`fill_absent`)."""
    cols = ["group", "right", "metric", "unit", "year", "n", "median", "low", "high"]
    if yearly.empty:
        return pd.DataFrame(columns=cols)
    yearly = fill_absent(yearly)
    g = yearly.groupby(["group", "right", "metric", "unit", "year"], sort=False)["value"]
    out = g.apply(_agg).unstack().reset_index()
    out["n"] = out["n"].astype("int64")
    return out[cols]


def run_level(yearly: pd.DataFrame) -> pd.DataFrame:
    """Per run (group, replication) and metric: the mean over its years and the last year's value (absent
    indicators counted as zero, :func:`fill_absent`)."""
    cols = ["group", "replication", "seed", "right", "metric", "unit", "mean", "last"]
    if yearly.empty:
        return pd.DataFrame(columns=cols)
    y = fill_absent(yearly).sort_values("year", kind="stable")
    g = y.groupby(["group", "replication", "seed", "right", "metric", "unit"], sort=False)["value"]
    out = pd.DataFrame({"mean": g.mean(), "last": g.last()}).reset_index()
    return out[cols]


def summary(runs: pd.DataFrame) -> pd.DataFrame:
    """Per group and metric: median and band (:func:`spread_kind`) of the run-level means over the runs of
    the group."""
    cols = ["group", "right", "metric", "unit", "n", "median", "low", "high"]
    if runs.empty:
        return pd.DataFrame(columns=cols)
    g = runs.groupby(["group", "right", "metric", "unit"], sort=False)["mean"]
    out = g.apply(_agg).unstack().reset_index()
    out["n"] = out["n"].astype("int64")
    return out[cols]


def paired_runs(runs: pd.DataFrame, base: str) -> pd.DataFrame:
    """Per variant (every group but ``base``), seed, right and metric: the run-level mean of the baseline's run
    with that seed (``base_value``), the variant's (``value``) and ``difference`` = value − base_value. Only
    seeds both ran are paired (one run per seed: the first replication with it)."""
    cols = ["group", "seed", "right", "metric", "unit", "base_value", "value", "difference"]
    if runs.empty:
        return pd.DataFrame(columns=cols)
    key = ["seed", "right", "metric"]
    r = runs.drop_duplicates(["group", *key])
    b = r[r["group"] == base][[*key, "mean"]].rename(columns={"mean": "base_value"})
    v = r[r["group"] != base].rename(columns={"mean": "value"})
    out = v.merge(b, on=key, how="inner")
    out["difference"] = out["value"] - out["base_value"]
    return out[cols].reset_index(drop=True)


def paired(runs: pd.DataFrame, base: str) -> pd.DataFrame:
    """Per variant, right and metric: ``n`` paired seeds, ``median``, ``low`` and ``high`` (the band of
    :func:`spread_kind`) of the seed-by-seed differences of :func:`paired_runs`."""
    cols = ["group", "right", "metric", "unit", "n", "median", "low", "high"]
    p = paired_runs(runs, base)
    if p.empty:
        return pd.DataFrame(columns=cols)
    out = p.groupby(["group", "right", "metric", "unit"], sort=False)["difference"].apply(_agg).unstack().reset_index()
    out["n"] = out["n"].astype("int64")
    return out[cols]


def paired_yearly(yearly: pd.DataFrame, base: str) -> pd.DataFrame:
    """As :func:`bands`, of the yearly ``variant − baseline`` differences seed by seed (variants only)."""
    cols = ["group", "right", "metric", "unit", "year", "n", "median", "low", "high"]
    if yearly.empty:
        return pd.DataFrame(columns=cols)
    y = fill_absent(yearly)
    key = ["seed", "right", "metric", "year"]
    y = y.drop_duplicates(["group", *key])
    b = y[y["group"] == base][[*key, "value"]].rename(columns={"value": "base_value"})
    d = y[y["group"] != base].merge(b, on=key, how="inner")
    if d.empty:
        return pd.DataFrame(columns=cols)
    d["value"] = d["value"] - d["base_value"]
    return bands(d.drop(columns="base_value"))


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
