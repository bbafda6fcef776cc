"""KPIs of a run, per year and reduced to one row (generic over rights and metrics).

A run's ``kpis`` table (``docs/tables.md``) may hold several values of a metric in one year; the value of
a year is the **last** one in time order (as in the run report). A run reduces to one row with two columns
per ``(right, metric)``:

* ``<right>.<metric>``: the mean over the years of the run of the yearly values;
* ``<right>.<metric>.last``: the value of the last year.

Nothing here knows which rights or metrics exist.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["LAST_SUFFIX", "kpi_column", "run_row", "yearly_kpis"]

LAST_SUFFIX = ".last"
YEARLY_COLUMNS = ["right", "metric", "unit", "year", "value"]


def kpi_column(right: str, metric: str, last: bool = False) -> str:
    """Column name of a run-level KPI: ``water.efficiency`` or ``water.efficiency.last``."""
    return f"{right}.{metric}{LAST_SUFFIX if last else ''}"


def yearly_kpis(kpis: pd.DataFrame) -> pd.DataFrame:
    """One value per ``(right, metric, year)`` (the last of the year), sorted; columns ``YEARLY_COLUMNS``."""
    if kpis.empty:
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in
                             zip(YEARLY_COLUMNS, ("str", "str", "str", "int64", "float64"), strict=True)})
    k = kpis[["time", "year", "right", "metric", "value", "unit"]].copy()
    for col in ("right", "metric", "unit"):
        k[col] = k[col].astype(str)
    k = k.sort_values("time", kind="stable")
    last = k.groupby(["right", "metric", "year"], sort=True).tail(1)
    out = last[YEARLY_COLUMNS].sort_values(["right", "metric", "year"], kind="stable").reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype("float64")
    return out


def run_row(kpis: pd.DataFrame) -> dict[str, float]:
    """The run-level KPIs of one run: ``{"water.efficiency": mean over years, "water.efficiency.last": ...}``.

    Keys are in a fixed order (right, then metric, alphabetically), so rows of runs line up.
    """
    y = yearly_kpis(kpis)
    out: dict[str, float] = {}
    for (right, metric), grp in y.groupby(["right", "metric"], sort=True):
        values = grp.sort_values("year")["value"]
        out[kpi_column(str(right), str(metric))] = float(values.mean())
        out[kpi_column(str(right), str(metric), last=True)] = float(values.iloc[-1])
    return out
