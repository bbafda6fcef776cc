"""Tables that offices keep (CSV or xlsx) as scenario input, read and validated row by row.

Generic: :func:`read_rows` reads a file, maps its columns to the fields of a pydantic *row model* and
validates every row. Problems are collected for the whole file and raised together as a
:class:`~rights_market.scenario.ScenarioError` whose lines read ``file:row: column: message`` (row numbers
as a spreadsheet shows them: the header is row 1), so ``rights-market validate`` and ``run`` print them and
exit with code 2 like any other scenario problem.

Files:

* ``.csv`` — UTF-8 (with or without BOM) or, failing that, GB 18030 (what Excel on a Chinese Windows
  writes); comma, semicolon or tab separated (taken from the header line).
* ``.xlsx`` — the first sheet, or the one named; cell values as Excel last calculated them.

Cells: surrounding spaces are dropped, an empty cell is a missing value, numbers may use thousands
separators (``12,000``) and full-width digits (``１２０００``).

Column mapping: ``columns`` maps a field of the row model to the header of its column in the file
(``{"confirmed_m3": "确权水量"}``); unmapped fields are looked for under their own name. A mapped column
missing from the file is an error; so is a missing column for a required field.

Paths: a relative path is taken from the directory in the validation context (``CONTEXT_KEY``, the
scenario's directory, when the loader passes it) or else from the current directory.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Problem, ScenarioError

__all__ = ["CONTEXT_KEY", "SUFFIXES", "TableFile", "read_rows", "read_table", "resolve_path"]

#: Key of the validation context holding the directory that relative file names are taken from.
CONTEXT_KEY = "scenario_dir"
SUFFIXES = (".csv", ".xlsx")
MAX_PROBLEMS = 50
R = TypeVar("R", bound=BaseModel)

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class TableFile:
    """A file's header and data rows: ``rows`` are ``(row number, cells)`` with cells as read."""

    display: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]


def resolve_path(name: str, context: Mapping[str, Any] | None) -> Path:
    """``name`` as a path: absolute as is; relative to ``context[CONTEXT_KEY]`` or the current directory."""
    path = Path(name).expanduser()
    if path.is_absolute():
        return path
    base = (context or {}).get(CONTEXT_KEY)
    return Path(base) / path if base else path


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _read_csv(path: Path, display: str) -> TableFile:
    try:
        text = _decode(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise ValueError(f"{display}: not UTF-8 or GB 18030 text (byte {exc.start})") from exc
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    header: list[str] | None = None
    start = 1
    for cells in reader:
        if header is None:
            header = [str(c).strip() for c in cells]
        else:
            rows.append((start, list(cells)))
        start = reader.line_num + 1
    if header is None:
        raise ValueError(f"{display}: the file is empty; expected a header row and one row per holder")
    return TableFile(display, header, rows)


def _read_xlsx(path: Path, display: str, sheet: str | None) -> TableFile:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValueError(f"{display}: not a readable xlsx workbook ({type(exc).__name__}: {exc})") from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise ValueError(f"{display}: no sheet {sheet!r}; sheets: {', '.join(wb.sheetnames)}")
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        first = next(it, None)
        if first is None:
            raise ValueError(f"{display}: the sheet is empty; expected a header row and one row per holder")
        header = ["" if c is None else str(c).strip() for c in first]
        rows = [(i, list(cells)) for i, cells in enumerate(it, start=2)]
    finally:
        wb.close()
    return TableFile(display, header, rows)


@lru_cache(maxsize=32)
def _cached(path: str, mtime_ns: int, size: int, sheet: str | None, display: str) -> TableFile:
    p = Path(path)
    if p.suffix.lower() == ".csv":
        return _read_csv(p, display)
    return _read_xlsx(p, display, sheet)


def read_table(path: Path, display: str | None = None, sheet: str | None = None) -> TableFile:
    """Header and rows of a ``.csv`` or ``.xlsx`` file (cached while the file is unchanged).

    Raises ``ValueError`` with a message naming the file when it cannot be read.
    """
    display = display or str(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ValueError(f"{display}: expected a .csv or .xlsx file")
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ValueError(f"{display}: file not found") from None
    if not path.is_file():
        raise ValueError(f"{display}: is a directory, not a table file")
    return _cached(str(path.resolve()), st.st_mtime_ns, st.st_size, sheet, display)


def _clean(cell: Any) -> Any:
    """A cell as a value for validation: None when empty, numbers from number-like text."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if not isinstance(cell, str):
        return cell
    text = cell.strip()
    if not text:
        return None
    number = unicodedata.normalize("NFKC", text).replace(" ", "")
    if _THOUSANDS.match(number):
        number = number.replace(",", "")
    return number if _NUMBER.match(number) else text


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err.get("msg", ""))
    value = err.get("input")
    if err.get("type") == "missing":
        return "required value missing"
    if msg.startswith("Value error, "):
        return msg[len("Value error, "):]
    if msg.startswith("Input should be "):
        msg = "expected " + msg[len("Input should be "):]
    return f"{msg}; got {value!r}" if value is not None and not isinstance(value, dict | list) else msg


def read_rows(
    path: Path,
    model: type[R],
    columns: Mapping[str, str] | None = None,
    *,
    display: str | None = None,
    sheet: str | None = None,
    unique: Sequence[str] = (),
    keep: Mapping[str, Any] | None = None,
) -> list[tuple[int, R]]:
    """Validated rows of ``path`` as ``(row number, model instance)``.

    ``columns``: field → header (see the module docstring). ``unique``: fields whose values must differ
    between rows. ``keep``: only rows whose field has this value are returned (after validation; e.g. the
    rows of one sector). Empty rows are skipped. Raises ``ValueError`` for an unreadable file and
    :class:`ScenarioError` listing every bad row (at most ``MAX_PROBLEMS``).
    """
    table = read_table(path, display, sheet)
    shown = table.display
    columns = dict(columns or {})
    fields = model.model_fields
    problems: list[Problem] = []
    unknown = sorted(set(columns) - set(fields))
    if unknown:
        raise ValueError(f"columns names unknown fields {unknown}; fields: {', '.join(fields)}")
    index: dict[str, int] = {}
    header_pos = {h: i for i, h in reversed(list(enumerate(table.header))) if h}
    for name, info in fields.items():
        head = columns.get(name, name)
        if head in header_pos:
            index[name] = header_pos[head]
        elif name in columns or info.is_required():
            where = f"column '{head}'" + (f" (for {name})" if head != name else "")
            problems.append(Problem(shown, 1, None, head,
                                    f"{where} not found; columns in the file: {', '.join(table.header)}"))
    if problems:
        raise ScenarioError(problems)
    head_of = {name: table.header[i] for name, i in index.items()}
    out: list[tuple[int, R]] = []
    seen: dict[str, dict[Any, int]] = {u: {} for u in unique}
    for row_no, cells in table.rows:
        values = {name: _clean(cells[i]) if i < len(cells) else None for name, i in index.items()}
        if all(v is None for v in values.values()):
            continue
        try:
            row = model.model_validate({k: v for k, v in values.items() if v is not None})
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                field = str(err["loc"][0]) if err.get("loc") else ""
                problems.append(Problem(shown, row_no, None, head_of.get(field, field), _message(err)))
            continue
        dup = False
        for u in unique:
            v = getattr(row, u)
            if v in seen[u]:
                problems.append(Problem(shown, row_no, None, head_of.get(u, u),
                                        f"{v!r} appears again (first in row {seen[u][v]}); values must be unique"))
                dup = True
            else:
                seen[u][v] = row_no
        if not dup and all(getattr(row, k) in (None, v) for k, v in (keep or {}).items()):
            out.append((row_no, row))
    if problems:
        if len(problems) > MAX_PROBLEMS:
            rest = len(problems) - MAX_PROBLEMS
            problems = [*problems[:MAX_PROBLEMS], Problem(shown, None, None, "", f"... and {rest} more problems")]
        raise ScenarioError(problems)
    return out


def display_name(path: Path) -> str:
    """How a file is named in messages: relative to the current directory when it is below it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
