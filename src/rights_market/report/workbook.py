"""The workbook of a run (``report.xlsx``) for office staff: the report's tables, then the run's tables.

Sheets, with headings in the report language: per right its indicators in long form (one row per year and
indicator: year, indicator, code, value, unit; a right with a hundred indicators stays five columns wide and
filterable) and its charges by kind and band (money in yuan), and who paid what (charges summed per holder,
product, kind and band, with the product's unit); then the run's own tables ``trades``, ``reserve``,
``kpis``, ``orders_rejected`` and ``holders`` with the columns of ``docs/tables.md``. The charge lines and
``holdings`` (each easily hundreds of thousands of rows) stay in Parquet only.

Every number carries a number format by its unit (:func:`rights_market.report.xlsx.number_format`: money
``#,##0.00``, quantities and counts ``#,##0``, shares ``0.0%``, prices 2 to 4 decimals), attached to the
tables as ``attrs[FORMATS_ATTR]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..tables.schema import FISCAL_SECTION
from ..units import FEN_PER_YUAN
from .aggregate import charges_by_kind_band, kpi_table
from .display_units import product_units, unit_of_right
from .grouping import group_sums
from .labels import Labels
from .raw_sheets import raw_sheet
from .run_data import Run, has_fiscal_section, rights_in_run
from .xlsx import FORMATS_ATTR, INT_FORMAT, MONEY_FORMAT, PRICE_FORMAT, number_format

__all__ = ["RAW_FORMATS", "RAW_TABLES", "kpi_sheet", "run_sheets"]

RAW_TABLES = ("trades", "reserve", "kpis", "orders_rejected", "holders")
#: Number formats of the columns of the run's tables (``docs/tables.md``); ``kpis.value`` goes by its unit.
RAW_FORMATS = {"quantity": INT_FORMAT, "stock": INT_FORMAT, "amount_fen": INT_FORMAT, "cash_fen": INT_FORMAT,
               "price_ticks": INT_FORMAT, "price": PRICE_FORMAT, "base_price": PRICE_FORMAT,
               "amount": MONEY_FORMAT, "cash": MONEY_FORMAT}


def _formatted(df: pd.DataFrame, formats: dict[str, object]) -> pd.DataFrame:
    df.attrs[FORMATS_ATTR] = formats
    return df


def kpi_sheet(kpis: pd.DataFrame, L: Labels) -> pd.DataFrame:
    """The indicators of one right in long form: year, indicator (in words), code, value, unit; the value's
    number format by unit (and by the values of the indicator), in the indicators' order of the report."""
    table, units = kpi_table(kpis)
    if table.empty:
        return pd.DataFrame()
    metrics = [str(m) for m in table.columns]
    values = table.to_numpy(dtype=float)
    present = ~np.isnan(values)
    at_year, at_metric = np.nonzero(present)  # year by year, each year's indicators in the table's order
    fmt = [number_format(units.get(m, ""), values[present[:, j], j].tolist(), m) for j, m in enumerate(metrics)]
    names, unit_names = [L.metric(m) for m in metrics], [L.unit(units.get(m, "")) for m in metrics]
    which = at_metric.tolist()
    out = pd.DataFrame({
        L("col.year"): table.index.to_numpy()[at_year].astype("int64"),
        L("col.indicator"): [names[j] for j in which],
        "metric": [metrics[j] for j in which],
        L("col.value"): values[present],
        L("col.unit"): [unit_names[j] for j in which],
    })
    return _formatted(out, {L("col.value"): [fmt[j] for j in which]})


def run_sheets(run: Run, L: Labels) -> list[tuple[str, pd.DataFrame]]:
    """``(sheet title, table)`` pairs of the run's workbook (number formats in each table's attrs)."""
    sheets: list[tuple[str, pd.DataFrame]] = []
    for right in rights_in_run(run) + ([FISCAL_SECTION] if has_fiscal_section(run) else []):
        name = L.code("xlsx.right", right)  # a short name: the sheet title stays whole within 31 characters
        t = kpi_sheet(run.rows_of("kpis", right), L)
        if not t.empty:
            sheets.append((L("xlsx.sheet.kpis", right=name), t))
        ch = charges_by_kind_band(run.rows_of("charges", right))
        if not ch.empty:
            quantity = L("col.quantity", unit=L.unit(unit_of_right(run, right)))
            sheets.append((L("xlsx.sheet.charges", right=name), _formatted(pd.DataFrame({
                L("col.kind"): [L.code("kind", k) for k in ch["kind"]],
                L("col.band"): ch["band"].astype("int64"),
                L("col.count"): ch["count"].astype("int64"),
                quantity: ch["quantity"].astype("int64"),
                L("col.amount"): ch["amount_fen"].astype(float) / FEN_PER_YUAN,
            }), {L("col.count"): INT_FORMAT, quantity: INT_FORMAT, L("col.amount"): MONEY_FORMAT})))
    charges = run.tables["charges"]
    if not charges.empty:
        (holder, product, kind, band), _, (quantity, amount) = group_sums(
            [charges["holder"], charges["product"], charges["kind"], charges["band"]],
            [charges["quantity"], charges["amount_fen"]])
        names = run.tables["holders"].drop_duplicates("holder")
        ids = names["holder"].tolist()
        name_of = dict(zip(ids, names["name"].tolist(), strict=True))
        group_of = dict(zip(ids, names["group"].tolist(), strict=True))
        products, kinds = product.tolist(), kind.tolist()
        product_unit = product_units(run, "", list(dict.fromkeys(products)))
        kind_name = {k: L.code("kind", k) for k in dict.fromkeys(kinds)}
        unit_name = {p: L.unit(product_unit.get(p, "")) for p in product_unit}
        group_name = {g: L.group(g) for g in dict.fromkeys(group_of.values())}
        holders = holder.tolist()
        sheets.append((L("xlsx.charges_by_holder"), _formatted(pd.DataFrame({
            L("col.holder"): holder.astype("int64"),
            L("col.name"): [str(name_of.get(h, "")) if h >= 0 else L.code("inst", h) for h in holders],
            L("col.group"): [group_name[group_of[h]] if h in group_of else "" for h in holders],
            L("col.product"): products,
            L("col.kind"): [kind_name[k] for k in kinds],
            L("col.band"): band.astype("int64"),
            L("col.quantity_units"): quantity,
            L("col.unit"): [unit_name[p] for p in products],
            L("col.amount"): amount.astype(float) / FEN_PER_YUAN,
        }), {L("col.quantity_units"): INT_FORMAT, L("col.amount"): MONEY_FORMAT})))
    for name in RAW_TABLES:
        path = run.path / f"{name}.parquet"
        if path.is_file():
            t = pd.read_parquet(path)
            formats: dict[str, object] = {c: f for c, f in RAW_FORMATS.items() if c in t.columns}
            if name == "kpis" and not t.empty:
                keys = list(zip(t["metric"].astype(str), t["unit"].astype(str), strict=True))
                values: dict[tuple[str, str], list[float]] = {}
                for key, v in zip(keys, t["value"], strict=True):
                    values.setdefault(key, []).append(v)
                by_key = {k: number_format(k[1], v, k[0]) for k, v in values.items()}
                formats["value"] = [by_key[k] for k in keys]
            title, shown = raw_sheet(name, t, L)  # in Chinese: names, headers, codes
            header = dict(zip(t.columns, shown.columns, strict=True))
            sheets.append((title, _formatted(shown, {header[c]: f for c, f in formats.items()})))
    return sheets

