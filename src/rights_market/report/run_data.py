"""The run the report reads: its manifest and tables (columns and dtypes of the table schema), and the
selections every part of the report makes (rows of one right, rights present, time order).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.calendar import DAYS_PER_YEAR
from ..tables.schema import FISCAL_SECTION, SCHEMA
from .rights_display import RIGHT_ORDER

#: The tables the report reads (the register is not shown).
REPORT_TABLES = ("holders", "trades", "orders_rejected", "holdings", "charges", "reserve", "kpis")


@dataclass
class Run:
    """The manifest and tables of one run directory."""

    path: Path
    manifest: dict
    tables: dict[str, pd.DataFrame]
    _derived: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def derived(self, key: str, make: Callable[[], object]) -> object:
        """``make()``, made once per run under ``key`` (a value several rights' sections read; the tables
        are not changed after loading)."""
        if key not in self._derived:
            self._derived[key] = make()
        return self._derived[key]

    def rights_of(self, name: str) -> tuple[np.ndarray, list[str]]:
        """The right of each row of table ``name`` as ``(codes, rights)`` (``rights[codes[i]]``, the ``right``
        column or the product's prefix), found once per run."""
        def make() -> tuple[np.ndarray, list[str]]:
            df = self.tables[name]
            col = df["right"] if "right" in df.columns else right_of_product(df["product"])
            codes, uniques = pd.factorize(col, use_na_sentinel=False)
            return np.asarray(codes), [str(u) for u in uniques]

        return self.derived(f"rights_of:{name}", make)  # type: ignore[return-value]

    def rows_of(self, name: str, right: str) -> pd.DataFrame:
        """:func:`for_right` of table ``name``, selected once per run and right (callers do not change it)."""
        df = self.tables[name]
        if df.empty:
            return df

        def make() -> pd.DataFrame:
            codes, rights = self.rights_of(name)
            return df[codes == (rights.index(right) if right in rights else -1)]

        return self.derived(f"rows_of:{name}:{right}", make)  # type: ignore[return-value]


def _empty(schema: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in schema.items()})


def read_table(path: Path, schema: dict[str, str]) -> pd.DataFrame:
    """A table file read with the columns and dtypes of ``schema`` (``{column: dtype}``): a missing file is an
    empty table, a missing column is filled (0, NaN or ``""``), strings are plain ``str`` (not categoricals),
    integers have their declared width."""
    if not path.exists():
        return _empty(schema)
    df = _read_parquet(path)
    for col, dtype in schema.items():
        if col not in df.columns:
            fill: object = 0 if dtype.startswith("int") else (float("nan") if dtype == "float64" else "")
            df[col] = pd.Series([fill] * len(df), index=df.index, dtype=dtype)
        elif dtype == "str":
            df[col] = df[col].fillna("").astype(str)
        elif dtype.startswith("int"):
            df[col] = df[col].fillna(0).astype(dtype)
    return df.reset_index(drop=True)


def _read_parquet(path: Path) -> pd.DataFrame:
    """``pd.read_parquet(path)`` with dictionary-encoded text columns decoded by Arrow (to plain ``str``), not
    as categoricals that :func:`read_table` would turn into text value by value."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for i, f in enumerate(table.schema):
        if pa.types.is_dictionary(f.type) and pa.types.is_string(f.type.value_type):
            table = table.set_column(i, f.name, table.column(i).cast(pa.string()))
    return table.to_pandas()


def load_run(run_dir: Path) -> Run:
    """Read ``manifest.json`` and every table of ``run_dir``; absent files become empty tables."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"run directory {run_dir} does not exist")
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    tables = {name: read_table(run_dir / f"{name}.parquet", SCHEMA[name].dtypes()) for name in REPORT_TABLES}
    return Run(run_dir, manifest, tables)


def right_of_product(product: pd.Series) -> pd.Series:
    """``water.annual`` -> ``water`` (split once per distinct product, not once per row)."""
    codes, uniques = pd.factorize(product, use_na_sentinel=False)
    rights = np.array([str(u).split(".", 1)[0] for u in uniques], dtype=object)
    return pd.Series(rights[codes], index=product.index, name=product.name)


def for_right(df: pd.DataFrame, right: str) -> pd.DataFrame:
    if df.empty:
        return df
    rights = df["right"] if "right" in df.columns else right_of_product(df["product"])
    return df[rights == right]


def rights_in_run(run: Run) -> list[str]:
    """Rights present in any table, water first (then emission, land, forest, others alphabetically). The
    fiscal account's KPIs (``right`` = ``fiscal``) are not a right's: see :func:`has_fiscal_section`."""
    found: set[str] = set()
    for name, df in run.tables.items():
        if df.empty:
            continue
        found.update(v for v in run.rights_of(name)[1] if v and v != FISCAL_SECTION)
    known = [r for r in RIGHT_ORDER if r in found]
    return known + sorted(found - set(RIGHT_ORDER))


def has_fiscal_section(run: Run) -> bool:
    """Whether the run recorded KPIs of the shared fiscal account (its own section, not one right's)."""
    k = run.tables["kpis"]
    return not k.empty and bool((k["right"].astype(str) == FISCAL_SECTION).any())


def sorted_in_time(df: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by time, keeping file order among equal times."""
    return df.sort_values("time", kind="stable")


def fractional_year(df: pd.DataFrame) -> pd.Series:
    """Calendar year plus the share of the year elapsed (day ``time`` of a 365-day year)."""
    return df["year"].astype(float) + (df["time"] % DAYS_PER_YEAR).astype(float) / DAYS_PER_YEAR


def ordered(values: Sequence[str], order: Sequence[str]) -> list[str]:
    vals = list(dict.fromkeys(values))
    return [v for v in order if v in vals] + sorted(v for v in vals if v not in order)
