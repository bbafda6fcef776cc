"""The tables of one right as document blocks: indicators per year (split by product, turned when wide),
the largest buyers and sellers per series, charges by kind and band, rejected orders by reason, surcharges
by band and year."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .aggregate import (
    METRIC_ORDER,
    TOP_HOLDERS,
    TOP_HOLDERS_PER_SERIES,
    charges_by_kind_band,
    kpi_table,
    rejected_by_reason,
    top_holders,
)
from .display_units import DisplayUnit, Series, convert_unit, suffix_of
from .document import Heading, Para, TableBlock
from .fmt import fmt_fen, fmt_int, fmt_kpi, fmt_pct, fmt_price
from .labels import BAND_METRIC_PREFIX, Labels
from .right_data import (
    RightData,
    du_of,
    price_unit_text,
    product_name,
    products_of,
    qty_with_unit,
    series_name,
)
from .run_data import Run


def surcharge_year_table(by_band: pd.DataFrame, L: Labels) -> TableBlock:
    bands = [int(b) for b in by_band.columns]
    columns = [L("col.year")] + [L("band.n", band=b) if b > 0 else L("band.none") for b in bands]
    columns.append(L("col.total"))
    rows = []
    for year, row in by_band.iterrows():
        vals = [int(v) for v in row.to_numpy()]
        rows.append([str(int(year))] + [fmt_fen(v) for v in vals] + [fmt_fen(sum(vals))])
    totals = [int(by_band[b].sum()) for b in by_band.columns]
    rows.append([L("col.total")] + [fmt_fen(v) for v in totals] + [fmt_fen(sum(totals))])
    return TableBlock(
        L("table.surcharge_years"), columns, rows, ["l"] + ["r"] * (len(columns) - 1), total=True
    )


def _holder_names(run: Run) -> dict[int, tuple[str, str, str]]:
    """``{holder: (name, group, sector)}`` (the first row of a holder listed twice), made once per run."""
    return run.derived("holder_names", lambda: _names_of(run.tables["holders"]))


def _names_of(holders: pd.DataFrame) -> dict[int, tuple[str, str, str]]:
    h = holders.drop_duplicates("holder")
    texts = [h[c].astype(str).tolist() for c in ("name", "group", "sector")]
    return dict(zip(h["holder"].astype("int64").tolist(), zip(*texts, strict=True), strict=True))


def _holder_table(title: str, top: pd.DataFrame, names: dict, s: Series, L: Labels) -> TableBlock:
    unit, punit = L.unit(s.du.unit), price_unit_text(L, s)
    columns = [
        L("col.rank"),
        L("col.holder"),
        L("col.name"),
        L("col.group"),
        L("col.sector"),
        L("col.trades"),
        L("col.quantity", unit=unit),
        L("col.amount"),
        L("col.mean_price", punit=punit),
    ]
    rows = []
    for rank, r in enumerate(top.itertuples(index=False), start=1):
        acct = int(r.account)
        if acct < 0:
            name, group, sector = L.code("inst", acct), L("inst.group"), ""
        else:
            name, group, sector = names.get(acct, ("", "", ""))
            name, group = L.holder_name(name, group), L.group(group) if group else ""
        price = fmt_price(s.du.mean_price(r.amount_fen, r.quantity)) if int(r.quantity) > 0 else "—"
        rows.append(
            [
                str(rank),
                str(acct),
                name,
                group,
                L.code("sector", sector) if sector else "",
                fmt_int(r.trades),
                s.du.fmt_qty(r.quantity),
                fmt_fen(r.amount_fen),
                price,
            ]
        )
    return TableBlock(title, columns, rows, ["r", "r", "l", "l", "l", "r", "r", "r", "r"])


#: At most this many indicators are shown as columns (one row per year); more are turned into rows.
MAX_KPI_COLUMNS = 8
#: Years per table when indicators are rows (one column per year); more years make further tables.
MAX_YEAR_COLUMNS = 10


def kpi_groups(metrics: Sequence[str], keys: Sequence[str]) -> list[tuple[str, dict[str, str]]]:
    """Indicators split by product: ``("", {metric: metric})`` for the right as a whole, then for each
    product key (``NOx``, ``carbon``) with at least two indicators named ``<name>_<key>`` or ``<key>_<name>``
    ``(key, {metric: name})``. Each metric belongs to one group."""
    left = list(metrics)
    groups: list[tuple[str, dict[str, str]]] = []
    for key in sorted(set(keys), key=lambda k: (-len(k), k)):  # longer keys first: NH3-N before N
        members: dict[str, str] = {}
        for m in left:
            if m.endswith(f"_{key}") and len(m) > len(key) + 1:
                members[m] = m[: -len(key) - 1]
            elif m.startswith(f"{key}_") and len(m) > len(key) + 1:
                members[m] = m[len(key) + 1 :]
        if len(members) >= 2:
            groups.append((key, members))
            left = [m for m in left if m not in members]
    order = {k: i for i, k in enumerate(keys)}
    groups.sort(key=lambda g: order[g[0]])
    return ([("", {m: m for m in left})] if left else []) + groups


def kpi_blocks(d: RightData, L: Labels) -> list[object]:
    """The indicator tables of one right (or of the fiscal account's section)."""
    table, units = kpi_table(d.kpis)
    if table.empty:
        return [Para(L("empty.kpis"), "empty")]
    for m in table.columns:  # kg → t, kgce → tce, 0.01 mu → mu
        unit, mult = convert_unit(units.get(m, ""))
        if mult != 1.0:
            table[m] = table[m] * mult
            units[m] = unit
    keys = {suffix_of(p, d.right): p for p in d.products}
    out: list[object] = []
    groups = kpi_groups(list(table.columns), list(keys))
    recorded = {m: i for i, m in enumerate(dict.fromkeys(d.kpis["metric"].astype(str)))}

    def rank(item: tuple[str, str]) -> tuple[int, int, int]:
        """Known indicators in METRIC_ORDER, bands by number, the rest in the order the run recorded them."""
        metric, name = item
        if name in METRIC_ORDER:
            return (METRIC_ORDER.index(name), 0, 0)
        tail = name[len(BAND_METRIC_PREFIX) :] if name.startswith(BAND_METRIC_PREFIX) else ""
        if tail.isdigit():
            return (len(METRIC_ORDER), int(tail), 0)
        return (len(METRIC_ORDER) + 1, 0, recorded.get(metric, 0))

    groups = [(key, dict(sorted(members.items(), key=rank))) for key, members in groups]
    for key, members in groups:
        def label(m: str, members: dict[str, str] = members) -> str:
            name = members[m] if L.has(f"metric.{members[m]}") or m.startswith(BAND_METRIC_PREFIX) else m
            u = L.unit(units.get(m, ""))
            return L("col.metric_unit", metric=L.metric(name), unit=u) if u else L.metric(name)

        title = L("table.kpis_product", product=product_name(L, keys[key])) if key else ""
        if key == "" and len(groups) > 1:
            title = L("table.kpis_right")
        sub = table[list(members)]
        cells = sub.to_numpy(dtype=float)  # year x indicator, as numpy.float64 values
        whole = {}
        for j, m in enumerate(sub.columns):  # every recorded value whole (float.is_integer: not inf, no fraction)
            v = cells[:, j][~np.isnan(cells[:, j])]
            whole[m] = bool(np.all(np.isfinite(v) & (v == np.trunc(v))))
        note = L("table.kpis.note")
        if len(sub.columns) <= MAX_KPI_COLUMNS:
            columns = [L("col.year")] + [label(m) for m in sub.columns]
            rows = [
                [str(int(year))] + [fmt_kpi(cells[i, j], members[m], units.get(m, ""), whole[m])
                                    for j, m in enumerate(sub.columns)]
                for i, year in enumerate(sub.index)
            ]
            out.append(TableBlock(title, columns, rows, ["l"] + ["r"] * len(sub.columns), note=note))
            continue
        years = [int(y) for y in sub.index]
        chunks = [range(i, min(i + MAX_YEAR_COLUMNS, len(years))) for i in range(0, len(years), MAX_YEAR_COLUMNS)]
        for i, chunk in enumerate(chunks):
            columns = [L("col.indicator")] + [str(years[k]) for k in chunk]
            rows = [
                [label(m)] + [fmt_kpi(cells[k, j], members[m], units.get(m, ""), whole[m]) for k in chunk]
                for j, m in enumerate(sub.columns)
            ]
            last = i == len(chunks) - 1
            out.append(
                TableBlock(title if i == 0 else "", columns, rows, ["l"] + ["r"] * len(chunk), note=note if last else "")
            )
    return out


def right_tables(run: Run, d: RightData, L: Labels) -> list[object]:
    out: list[object] = [Heading(4, L("table.kpis")), *kpi_blocks(d, L)]

    # top holders, per series of trades (a mean price mixes no products or price bases)
    names = _holder_names(run)
    several = len(d.series) > 1
    for key, side in (("table.buyers", "buyer"), ("table.sellers", "seller")):
        out.append(Heading(4, L(key)))
        if d.trades.empty:
            out.append(Para(L("empty.holders"), "empty"))
            continue
        n = TOP_HOLDERS_PER_SERIES if several else TOP_HOLDERS
        for s, t in d.series:
            title = series_name(L, d, s) if several else ""
            out.append(_holder_table(title, top_holders(t, side, n), names, s, L))

    # charges by kind and band (and product, when the right has several)
    out.append(Heading(4, L("table.charges")))
    ch = charges_by_kind_band(d.charges)
    if ch.empty:
        out.append(Para(L("empty.charges"), "empty"))
    else:
        out.append(_charges_table(d, L))

    # rejected orders
    out.append(Heading(4, L("table.rejected")))
    rj = rejected_by_reason(d.rejected)
    if rj.empty:
        out.append(Para(L("empty.rejected"), "empty"))
    else:
        out.append(_rejected_table(d, rj, L))
    return out


#: Kinds of money a right's charges hold, each summed on its own (a total never mixes them): what holders
#: pay (tariffs, surcharges, fees, rents, ...: every kind not listed here), loans granted on pledged rights,
#: loan repayments, and budgets moved from the fiscal account. ``notice`` rows carry no money.
MONEY_CLASS: dict[str, str] = {
    "loan": "loans", "loan_repayment": "repayments", "repayment": "repayments",
    "budget": "budgets", "planting_budget": "budgets", "notice": "notices",
}
#: The order of the total rows of the charges table.
MONEY_CLASSES: tuple[str, ...] = ("payments", "loans", "repayments", "budgets", "notices")


def money_class(kind: str) -> str:
    """The kind of money of a charge kind (:data:`MONEY_CLASS`; ``payments`` for any other kind)."""
    return MONEY_CLASS.get(str(kind), "payments")


def _class_totals(charges: pd.DataFrame) -> list[tuple[str, int, int]]:
    """``(class, count, amount_fen)`` per kind of money present, in :data:`MONEY_CLASSES` order."""
    kinds = charges["kind"].astype(str)
    cls = kinds.map({k: money_class(k) for k in kinds.unique()})  # once per distinct kind
    out = []
    for c in MONEY_CLASSES:
        rows = charges[cls == c]
        if len(rows):
            out.append((c, len(rows), int(rows["amount_fen"].sum())))
    return out


def _charges_table(d: RightData, L: Labels) -> TableBlock:
    """Charges by kind and band; the total rows sum each kind of money apart (:data:`MONEY_CLASS`): what
    holders paid, loans granted, loans repaid, budgets — never one total over them."""
    products = products_of(d.charges, d.right)
    totals = _class_totals(d.charges)
    note = L("table.charges.note") if len(totals) > 1 else ""
    if len(products) <= 1:
        du = du_of(d, products[0]) if products else DisplayUnit(d.unit, d.unit)
        ch = charges_by_kind_band(d.charges)
        columns = [L("col.kind"), L("col.band"), L("col.count"), L("col.quantity", unit=L.unit(du.unit)), L("col.amount")]
        rows = [
            [
                L.code("kind", r.kind),
                L("band.n", band=int(r.band)) if int(r.band) > 0 else L("band.none"),
                fmt_int(r.count),
                du.fmt_qty(r.quantity),
                fmt_fen(r.amount_fen),
            ]
            for r in ch.itertuples(index=False)
        ]
        if len(totals) == 1:
            rows.append([L("col.total"), "", fmt_int(ch["count"].sum()), du.fmt_qty(ch["quantity"].sum()),
                         fmt_fen(ch["amount_fen"].sum())])
        else:
            rows += [[L(f"money.{c}"), "", fmt_int(n), "", fmt_fen(fen)] for c, n, fen in totals]
        return TableBlock("", columns, rows, ["l", "l", "r", "r", "r"], total=True, total_rows=len(totals),
                          note=note)
    columns = [L("col.product"), L("col.kind"), L("col.band"), L("col.count"), L("col.quantity_units"), L("col.amount")]
    rows = []
    for product in products:
        ch = charges_by_kind_band(d.charges[d.charges["product"].astype(str) == product])
        du = du_of(d, product)
        rows += [
            [
                product_name(L, product),
                L.code("kind", r.kind),
                L("band.n", band=int(r.band)) if int(r.band) > 0 else L("band.none"),
                fmt_int(r.count),
                qty_with_unit(L, du, r.quantity),
                fmt_fen(r.amount_fen),
            ]
            for r in ch.itertuples(index=False)
        ]
    if len(totals) == 1:
        rows.append([L("col.total"), "", "", fmt_int(len(d.charges)), "", fmt_fen(d.charges["amount_fen"].sum())])
    else:
        rows += [[L(f"money.{c}"), "", "", fmt_int(n), "", fmt_fen(fen)] for c, n, fen in totals]
    return TableBlock("", columns, rows, ["l", "l", "l", "r", "r", "r"], total=True, total_rows=len(totals),
                      note=note)


def _rejected_table(d: RightData, rj: pd.DataFrame, L: Labels) -> TableBlock:
    total = int(rj["count"].sum())
    products = products_of(d.rejected, d.right)
    if len(products) <= 1:
        du = du_of(d, products[0]) if products else DisplayUnit(d.unit, d.unit)
        columns = [L("col.reason"), L("col.count"), L("col.quantity", unit=L.unit(du.unit)), L("col.share")]
        rows = [
            [L.code("reason", r.reason), fmt_int(r.count), du.fmt_qty(r.quantity), fmt_pct(int(r.count) / total)]
            for r in rj.itertuples(index=False)
        ]
        rows.append([L("col.total"), fmt_int(total), du.fmt_qty(rj["quantity"].sum()), fmt_pct(1.0)])
        return TableBlock("", columns, rows, ["l", "r", "r", "r"], total=True)
    columns = [L("col.product"), L("col.reason"), L("col.count"), L("col.quantity_units"), L("col.share")]
    rows = []
    for product in products:
        du = du_of(d, product)
        for r in rejected_by_reason(d.rejected[d.rejected["product"].astype(str) == product]).itertuples(index=False):
            rows.append(
                [
                    product_name(L, product),
                    L.code("reason", r.reason),
                    fmt_int(r.count),
                    qty_with_unit(L, du, r.quantity),
                    fmt_pct(int(r.count) / total),
                ]
            )
    rows.append([L("col.total"), "", fmt_int(total), "", fmt_pct(1.0)])
    return TableBlock("", columns, rows, ["l", "l", "r", "r", "r"], total=True)
