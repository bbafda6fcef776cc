"""The run's own tables as workbook sheets in the report's language.

In English the sheets keep the names, headers and codes of ``docs/tables.md`` (``trades``, ``amount_fen``,
``water.annual``). In Chinese the sheet name (``raw.<table>``), every header (``raw.col.<column>``) and the
code values of the columns below are shown in words through the label catalogue; numbers are left as they
are (money in fen stays integer fen, its header says so).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .labels import Labels

__all__ = ["raw_sheet"]


def _codes(L: Labels) -> dict[str, Callable[[object], str]]:
    """How each column of codes is put into words."""
    return {
        "right": L.right,
        "product": lambda v: L.code("product", v),
        "mechanism": lambda v: L.code("mech", v),
        "unit": lambda v: L.unit(str(v)),
        "relation": lambda v: L.relation(v),
        "deal": lambda v: L.relation("", deal=v),
        "action": lambda v: L.code("action", v),
        "reason": lambda v: L.code("reason", v),
        "metric": L.metric,
        "group": L.group,
        "sector": lambda v: L.code("sector", v),
        "side": lambda v: L.code("side", v),
        "price_basis": lambda v: L.code("basis", v),
        "price_flag": lambda v: L.code("relation.flag", v),
    }


def raw_sheet(table: str, df: pd.DataFrame, L: Labels) -> tuple[str, pd.DataFrame]:
    """``(sheet title, table)`` of the run's table ``table`` in ``L``'s language (see the module docstring)."""
    if L.lang == "en":
        return table, df
    out = df.copy()
    codes = _codes(L)
    for col in out.columns:
        if col in codes and not pd.api.types.is_numeric_dtype(out[col]):
            f = codes[col]
            mapping = {v: (f(v) if str(v) else "") for v in out[col].astype(str).unique()}
            out[col] = out[col].astype(str).map(mapping)
    if "name" in out.columns and "group" in df.columns:
        out["name"] = [L.holder_name(n, g) for n, g in zip(df["name"].astype(str), df["group"].astype(str),
                                                               strict=True)]
    out.columns = [L(f"raw.col.{c}") if L.has(f"raw.col.{c}") else c for c in out.columns]
    title = L(f"raw.{table}") if L.has(f"raw.{table}") else table
    return title, out
