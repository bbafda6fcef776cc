"""Aggregations of the run's tables the report shows: KPIs per year, mean prices, base price levels,
volumes by mechanism, charges by kind and band, rejections by reason, the largest buyers and sellers.

Money is summed over the integer ``*_fen`` columns; nothing here formats or labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from .grouping import group_sums
from .labels import BAND_METRIC_PREFIX
from .run_data import ordered, sorted_in_time

MECHANISM_ORDER = ("cda", "call", "negotiation", "listing", "auction", "tender", "directed", "reserve")
KIND_ORDER = ("tariff", "surcharge", "use_fee", "proceeds_share", "penalty", "tax", "fee")
METRIC_ORDER = (
    "cap",
    "confirmed",
    "deliverable_share",
    "planned",
    "use",
    "use_over_cap",
    "traded_volume",
    "trade_count",
    "mean_price",
    "base_price",
    "surcharge_revenue",
    "tariff_revenue",
    "reserve_stock",
    "reserve_cash",
    "unmet_need",
    "rejected_orders",
    "efficiency",
)
TOP_HOLDERS = 10
#: Rows of each top-holder table when a right trades several products (one table each).
TOP_HOLDERS_PER_SERIES = 5


def kpi_table(kpis: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """KPIs of one right as a year × metric table (last value of each metric in a year) and metric units."""
    if kpis.empty:
        return pd.DataFrame(), {}
    k = sorted_in_time(kpis)
    last = k.groupby(["year", "metric"], sort=True).tail(1)
    table = last.pivot(index="year", columns="metric", values="value").sort_index()
    units = dict(zip(last["metric"], last["unit"], strict=True))

    def band_no(m: str) -> tuple[int, str]:
        tail = m[len(BAND_METRIC_PREFIX) :]
        return (int(tail), m) if tail.isdigit() else (10**9, m)

    metrics = list(table.columns)
    bands = sorted((m for m in metrics if m.startswith(BAND_METRIC_PREFIX)), key=band_no)
    order = [m for m in METRIC_ORDER if m in metrics] + bands
    order += sorted(m for m in metrics if m not in order)
    table = table[order]
    table.columns.name = None
    return table, units


def yearly_kpi(kpis: pd.DataFrame, metric: str) -> pd.Series:
    """One metric per year (last value of the year)."""
    if kpis.empty:
        return pd.Series(dtype=float)
    rows = np.flatnonzero((kpis["metric"] == metric).to_numpy(dtype=bool, na_value=False))
    if not len(rows):
        return pd.Series(dtype=float)
    rows = rows[np.argsort(kpis["time"].to_numpy()[rows], kind="stable")]  # in time, file order among equals
    years, values = kpis["year"].to_numpy()[rows], kpis["value"].to_numpy(dtype=float)[rows]
    distinct, inverse = np.unique(years, return_inverse=True)
    last = np.full(len(distinct), np.nan)
    known = ~np.isnan(values)  # the year's last recorded value (a missing one does not count)
    last[inverse.reshape(-1)[known]] = values[known]  # later rows overwrite earlier ones
    return pd.Series(last, index=pd.Index(distinct, name="year"), name="value")


def yearly_mean_price_fen(trades: pd.DataFrame) -> pd.DataFrame:
    """Per year: traded quantity and money (fen); the mean price is ``amount_fen / quantity / 100``."""
    (years,), _, (quantity, amount) = group_sums([trades["year"]], [trades["quantity"], trades["amount_fen"]])
    keep = quantity > 0
    index = pd.Index(years[keep], dtype=trades["year"].dtype, name="year")
    return pd.DataFrame({"quantity": quantity[keep], "amount_fen": amount[keep]}, index=index)


class TradeKind(NamedTuple):
    """What a base price belongs to: the trade's ``relation``, ``deal`` and ``lease_years`` columns (the L16
    ``price_flag`` is not part of it). Shown in words by :meth:`~.labels.Labels.relation`."""

    relation: str
    deal: str = ""
    lease_years: int = 0


def _kind_codes(trades: pd.DataFrame) -> tuple[np.ndarray, list[TradeKind]]:
    """The :class:`TradeKind` of each trade as ``(codes, kinds)`` (``kinds[codes[i]]``), each distinct kind
    made once."""
    n = len(trades)
    deal = trades["deal"].astype(str) if "deal" in trades else pd.Series([""] * n, index=trades.index, dtype=str)
    years = trades["lease_years"].astype(int) if "lease_years" in trades else pd.Series(0, index=trades.index)
    parts = [pd.factorize(c) for c in (trades["relation"].astype(str), deal, years)]
    sizes = [max(len(u), 1) for _, u in parts]
    combined = np.ravel_multi_index([np.asarray(c, dtype=np.int64) for c, _ in parts], sizes) if n else np.zeros(0, int)
    ids, codes = np.unique(combined, return_inverse=True)
    at = np.unravel_index(ids, sizes)
    kinds = [TradeKind(str(parts[0][1][r]), str(parts[1][1][d]), int(parts[2][1][y]))
             for r, d, y in zip(*(a.tolist() for a in at), strict=True)]
    return codes.reshape(-1), kinds


@dataclass
class BaseLevels:
    """Base prices of one series of trades, per year, in yuan per shown unit.

    ``lines``: at most ``max_lines`` levels, each keyed by the kinds of trade (:class:`TradeKind`) sharing it (``()`` = the right's
    base price from the kpis). ``band``: instead of lines, the lowest and highest base price of each year
    (columns ``low``, ``high``) when there are more levels or a relation's base price varies within a
    year. ``relations``: number of relations with a base price.
    """

    lines: list[tuple[tuple[TradeKind, ...], pd.Series]]
    band: pd.DataFrame | None
    relations: int


def base_price_levels(
    trades: pd.DataFrame, kpi_base: pd.Series, factor: float = 1.0, max_lines: int = 2
) -> BaseLevels:
    """Base prices of the relations of ``trades`` (``relation``/``base_price``; zero means none), with the
    right's base price ``kpi_base`` (per year, already per shown unit) first if given; relation levels equal
    to it are left out."""
    rel = trades[(trades["relation"] != "") & trades["base_price"].notna() & (trades["base_price"] > 0)]
    rel = sorted_in_time(rel)
    base = np.round(rel["base_price"].to_numpy(dtype=float) * factor, 6)
    years = rel["year"].to_numpy()
    kind_codes, kinds = _kind_codes(rel)
    # One level per base price path: a relation joins a level whose prices it shares (every price of the
    # relation is one of the level's, and equal in the years both have), so relations trading in
    # different years at the same base price are one level.
    levels: list[tuple[dict[int, float], list[TradeKind]]] = []
    varying = False
    for k in sorted(range(len(kinds)), key=kinds.__getitem__):  # kinds in order, as groupby sorts them
        rows = np.flatnonzero(kind_codes == k)  # in time order
        values: dict[int, float] = {}
        for y, v in zip(years[rows].tolist(), base[rows].tolist(), strict=True):
            if y in values and values[y] != v:
                varying = True  # a base price that changes within a year
            values[y] = v  # the year's last base price
        values = dict(sorted(values.items()))
        name = kinds[k]
        for level, names in levels:
            if set(values.values()) <= set(level.values()) and all(
                level.get(y, v) == v for y, v in values.items()
            ):
                level.update(values)
                names.append(name)
                break
        else:
            levels.append((values, [name]))
    lines: list[tuple[tuple[TradeKind, ...], pd.Series]] = []
    kpi = kpi_base.dropna().astype(float)
    kpi = kpi[kpi > 0]
    if not kpi.empty:
        lines.append(((), kpi))
    for values, names in levels:
        if not kpi.empty and all(y in kpi.index and abs(float(kpi[y]) - v) < 1e-9 for y, v in values.items()):
            continue
        lines.append((tuple(names), pd.Series(dict(sorted(values.items())), dtype=float)))
    n_rel = sum(len(names) for _, names in levels)
    if len(lines) <= max_lines and not varying:
        return BaseLevels(lines, None, n_rel)
    all_values = pd.Series(base, index=pd.Index(years, name="year"), name="_base")
    if not kpi.empty:
        all_values = pd.concat([all_values, kpi])
    band = all_values.groupby(level=0, sort=True).agg(["min", "max"]).rename(columns={"min": "low", "max": "high"})
    return BaseLevels([], band, n_rel)


def volume_by_year_mechanism(trades: pd.DataFrame) -> pd.DataFrame:
    if trades.empty:
        return pd.DataFrame()
    (years, mechanisms), _, (quantity,) = group_sums([trades["year"], trades["mechanism"]], [trades["quantity"]])
    rows = pd.Index(np.unique(years), name="year")
    columns = ordered(list(dict.fromkeys(mechanisms.tolist())), MECHANISM_ORDER)
    table = np.zeros((len(rows), len(columns)), dtype=np.int64)
    table[rows.get_indexer(years), pd.Index(columns).get_indexer(mechanisms)] = quantity
    return pd.DataFrame(table, index=rows, columns=columns)


def surcharge_by_year_band(charges: pd.DataFrame) -> pd.DataFrame:
    """Sum of ``amount_fen`` of surcharges, years as rows, bands as columns (integers, fen)."""
    s = charges[charges["kind"] == "surcharge"] if not charges.empty else charges
    if s.empty:
        return pd.DataFrame()
    t = s.pivot_table(
        index="year", columns="band", values="amount_fen", aggfunc="sum", fill_value=0, sort=True
    ).astype("int64")
    t.columns.name = None
    return t


def charges_by_kind_band(charges: pd.DataFrame) -> pd.DataFrame:
    """Count, quantity and ``amount_fen`` of charges by kind and band (integers)."""
    if charges.empty:
        return pd.DataFrame(columns=["kind", "band", "count", "quantity", "amount_fen"])
    (kind, band), count, (quantity, amount) = group_sums([charges["kind"], charges["band"]],
                                                          [charges["quantity"], charges["amount_fen"]])
    kinds = ordered(list(dict.fromkeys(kind.tolist())), KIND_ORDER)
    rank = {k: i for i, k in enumerate(kinds)}
    order = np.lexsort((band, np.array([rank[k] for k in kind.tolist()], dtype=np.int64)))
    return pd.DataFrame({"kind": kind[order], "band": band[order], "count": count[order],
                         "quantity": quantity[order], "amount_fen": amount[order]})


def rejected_by_reason(rejected: pd.DataFrame) -> pd.DataFrame:
    if rejected.empty:
        return pd.DataFrame(columns=["reason", "count", "quantity"])
    (reason,), count, (quantity,) = group_sums([rejected["reason"]], [rejected["quantity"]])
    order = np.lexsort((np.arange(len(reason)), -count))  # groups are in reason order already
    return pd.DataFrame({"reason": reason[order], "count": count[order], "quantity": quantity[order]})


def top_holders(trades: pd.DataFrame, side: str, n: int = TOP_HOLDERS) -> pd.DataFrame:
    """Accounts with the largest quantity bought (``side='buyer'``) or sold (``side='seller'``)."""
    if trades.empty:
        return pd.DataFrame(columns=["account", "trades", "quantity", "amount_fen"])
    (account,), count, (quantity, amount) = group_sums([trades[side]], [trades["quantity"], trades["amount_fen"]])
    order = np.lexsort((np.arange(len(account)), -amount, -quantity))[:n]  # accounts ascending already
    return pd.DataFrame({"account": account[order], "trades": count[order], "quantity": quantity[order],
                         "amount_fen": amount[order]})
