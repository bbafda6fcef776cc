"""The workbook of a run (``report.xlsx``) for office staff: the report's tables, then the run's tables.

Sheets, with headings in the report language: per right its indicators per year and its charges by kind
and band (money in yuan), and who paid what (charges summed per holder, product, kind and band); then the
run's own tables ``trades``, ``reserve``, ``kpis``, ``orders_rejected`` and ``holders`` with the columns of
``docs/tables.md``. The charge lines and ``holdings`` (each easily hundreds of thousands of rows) stay in
Parquet only.
"""

from __future__ import annotations

import pandas as pd

from ..tables.schema import FISCAL_SECTION
from ..units import FEN_PER_YUAN
from .aggregate import charges_by_kind_band, kpi_table
from .display_units import unit_of_right
from .labels import Labels
from .raw_sheets import raw_sheet
from .run_data import Run, for_right, has_fiscal_section, rights_in_run

__all__ = ["RAW_TABLES", "run_sheets"]

RAW_TABLES = ("trades", "reserve", "kpis", "orders_rejected", "holders")


def run_sheets(run: Run, L: Labels) -> list[tuple[str, pd.DataFrame]]:
    """``(sheet title, table)`` pairs of the run's workbook."""
    sheets: list[tuple[str, pd.DataFrame]] = []
    for right in rights_in_run(run) + ([FISCAL_SECTION] if has_fiscal_section(run) else []):
        name = L.right(right)
        table, units = kpi_table(for_right(run.tables["kpis"], right))
        if not table.empty:
            t = table.reset_index()
            t.columns = [L("col.year")] + [
                L("col.metric_unit", metric=L.metric(m), unit=L.unit(units.get(m, ""))) if units.get(m)
                else L.metric(m) for m in table.columns
            ]
            sheets.append((f"{name} {L('table.kpis')}", t))
        ch = charges_by_kind_band(for_right(run.tables["charges"], right))
        if not ch.empty:
            sheets.append((f"{name} {L('table.charges')}", pd.DataFrame({
                L("col.kind"): [L.code("kind", k) for k in ch["kind"]],
                L("col.band"): ch["band"].astype("int64"),
                L("col.count"): ch["count"].astype("int64"),
                L("col.quantity", unit=L.unit(unit_of_right(run, right))): ch["quantity"].astype("int64"),
                L("col.amount"): ch["amount_fen"].astype(float) / FEN_PER_YUAN,
            })))
    charges = run.tables["charges"]
    if not charges.empty:
        g = (charges.groupby(["holder", "product", "kind", "band"], sort=True)
             .agg(quantity=("quantity", "sum"), amount_fen=("amount_fen", "sum")).reset_index())
        names = run.tables["holders"].drop_duplicates("holder").set_index("holder")
        sheets.append((L("xlsx.charges_by_holder"), pd.DataFrame({
            L("col.holder"): g["holder"].astype("int64"),
            L("col.name"): [str(names["name"].get(h, "")) if h >= 0 else L.code("inst", h) for h in g["holder"]],
            L("col.group"): [L.group(names["group"].get(h, "")) if h in names.index else "" for h in g["holder"]],
            "product": g["product"],
            L("col.kind"): [L.code("kind", k) for k in g["kind"]],
            L("col.band"): g["band"].astype("int64"),
            L("col.quantity", unit="").replace(" ()", "").replace("（）", ""): g["quantity"].astype("int64"),
            L("col.amount"): g["amount_fen"].astype(float) / FEN_PER_YUAN,
        })))
    for name in RAW_TABLES:
        path = run.path / f"{name}.parquet"
        if path.is_file():
            sheets.append(raw_sheet(name, pd.read_parquet(path), L))  # in Chinese: names, headers, codes
    return sheets
