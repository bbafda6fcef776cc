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
scenario's directory, when the loader passes it) or else from the current directory. The kind of file is
decided by the name written (a link named ``x.csv`` is read as CSV, wherever it points); only a regular file
is read (a pipe or a device is refused, see :mod:`.files`).

Bounded while reading (limits from :func:`rights_market.limits.active`, raised with ``--limit NAME=N``): the
file's size (``table_bytes``) is checked before reading; a CSV is streamed, and reading stops at the first
row past ``table_rows``, the first cell longer than ``table_cell_chars`` or the first line longer than
``64 × table_cell_chars`` characters; an xlsx is refused when it unpacks to more than ``8 × table_bytes``
bytes or its shared-strings part alone to more than ``table_bytes`` (a "zip bomb"), then read row by row
under the same row and cell limits.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .. import limits as _limits
from .errors import Problem, ScenarioError, shorten
from .files import FileRefused, open_regular

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


_KIND = "table file (.csv or .xlsx)"
_LINE_CELLS = 64  # a CSV line may be at most this many cells' worth of characters
_UNPACKED = 8  # an xlsx may unpack to at most this many times table_bytes


def _check_cell(display: str, row: int, col: int, cell: Any, max_chars: int) -> None:
    if isinstance(cell, str) and len(cell) > max_chars:
        raise ValueError(f"{display}: row {row}, column {col}: " + _limits.active().exceeded(
            "table_cell_chars", len(cell), "the length of this cell in characters"))


def _check_rows(display: str, n_rows: int) -> None:
    limit = _limits.active().table_rows
    if n_rows > limit:
        raise ValueError(f"{display}: more than {limit:,} rows, over the limit table_rows={limit:,}; "
                         "split the file, or raise the limit with --limit table_rows=N if you mean it")


def _bounded_lines(lines: Any, display: str, max_line: int) -> Any:
    """The lines of a CSV file, refusing one longer than ``max_line`` characters (before the reader splits it)."""
    for n, line in enumerate(lines, start=1):
        if len(line) > max_line:
            raise ValueError(f"{display}: line {n} has {len(line):,} characters, more than {_LINE_CELLS} cells of "
                             f"table_cell_chars={_limits.active().table_cell_chars:,}; a holder list has one "
                             "short line per holder")
        yield line


def _csv_rows(fh: Any, encoding: str, display: str) -> TableFile:
    limits = _limits.active()
    text = io.TextIOWrapper(fh, encoding=encoding, newline="")
    rows: list[tuple[int, list[Any]]] = []
    header: list[str] | None = None
    start = 1
    try:
        first = text.readline(_LINE_CELLS * limits.table_cell_chars + 1)
        delimiter = max((",", ";", "\t"), key=first.count)
        max_line = _LINE_CELLS * limits.table_cell_chars
        reader = csv.reader(_bounded_lines(itertools.chain([first], text), display, max_line), delimiter=delimiter)
        for cells in reader:
            for col, cell in enumerate(cells, start=1):
                _check_cell(display, start, col, cell, limits.table_cell_chars)
            if header is None:
                header = [str(c).strip() for c in cells]
            else:
                rows.append((start, cells))
                _check_rows(display, len(rows))
            start = reader.line_num + 1
    except csv.Error as exc:  # a cell over the csv module's own limit, a NUL byte...
        if "field limit" in str(exc):
            raise ValueError(f"{display}: row {start}: a cell is longer than {csv.field_size_limit():,} characters, "
                             f"over the limit table_cell_chars={limits.table_cell_chars:,}") from None
        raise ValueError(f"{display}: row {start}: not readable as CSV ({exc})") from None
    finally:
        text.detach()
    if header is None:
        raise ValueError(f"{display}: the file is empty; expected a header row and one row per holder")
    return TableFile(display, header, rows)


def _read_csv(path: Path, display: str) -> TableFile:
    """UTF-8 (BOM or not) streamed row by row; failing that, the whole file again as GB 18030."""
    try:
        with open_regular(path, "table_bytes", _KIND) as fh:
            try:
                return _csv_rows(fh, "utf-8-sig", display)
            except UnicodeDecodeError:
                fh.seek(0)
            try:
                return _csv_rows(fh, "gb18030", display)
            except UnicodeDecodeError as exc:
                raise ValueError(f"{display}: not UTF-8 or GB 18030 text ({exc.reason}); save it as UTF-8") from None
    except FileRefused as exc:
        raise ValueError(f"{display}: {exc}") from None


def _check_unpacked(path: Path, display: str) -> None:
    """Refuse an xlsx that unpacks to far more than its size allows (a "zip bomb") before openpyxl unpacks it."""
    limit = _limits.active().table_bytes
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValueError(f"{display}: not a readable xlsx workbook ({exc})") from None
    total = sum(i.file_size for i in infos)
    shared = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
    if total > _UNPACKED * limit or shared > limit:
        raise ValueError(f"{display}: the workbook unpacks to {total:,} bytes ({shared:,} of shared text), over "
                         f"{_UNPACKED} × table_bytes={limit:,} (table_bytes for the shared text); raise the limit "
                         "with --limit table_bytes=N if you mean it")


def _read_xlsx(path: Path, display: str, sheet: str | None) -> TableFile:
    from openpyxl import load_workbook

    limits = _limits.active()
    try:
        open_regular(path, "table_bytes", _KIND).close()
    except FileRefused as exc:
        raise ValueError(f"{display}: {exc}") from None
    _check_unpacked(path, display)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValueError(f"{display}: not a readable xlsx workbook ({type(exc).__name__}: "
                         f"{shorten(str(exc), 200)})") from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise ValueError(f"{display}: no sheet '{shorten(sheet)}'; sheets: "
                             f"{shorten(', '.join(wb.sheetnames), 400)}")
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        first = next(it, None)
        if first is None:
            raise ValueError(f"{display}: the sheet is empty; expected a header row and one row per holder")
        for col, cell in enumerate(first, start=1):
            _check_cell(display, 1, col, cell, limits.table_cell_chars)
        header = ["" if c is None else str(c).strip() for c in first]
        rows: list[tuple[int, list[Any]]] = []
        for i, cells in enumerate(it, start=2):
            for col, cell in enumerate(cells, start=1):
                _check_cell(display, i, col, cell, limits.table_cell_chars)
            rows.append((i, list(cells)))
            _check_rows(display, len(rows))
    finally:
        wb.close()
    return TableFile(display, header, rows)


@lru_cache(maxsize=32)
def _cached(path: str, suffix: str, mtime_ns: int, size: int, sheet: str | None, display: str,
            limits: _limits.Limits) -> TableFile:
    with _limits.using(limits):
        if suffix == ".csv":
            return _read_csv(Path(path), display)
        return _read_xlsx(Path(path), display, sheet)


def read_table(path: Path, display: str | None = None, sheet: str | None = None) -> TableFile:
    """Header and rows of a ``.csv`` or ``.xlsx`` file (cached while the file is unchanged).

    The kind is taken from the name as written (``path``'s suffix), not from where a link points. Raises
    ``ValueError`` with a message naming the file when it cannot or may not be read (see the module doc).
    """
    display = shorten(display or str(path), 200)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"{display}: expected a .csv or .xlsx file")
    try:
        with open_regular(path, "table_bytes", _KIND) as fh:
            st = os.fstat(fh.fileno())
    except FileRefused as exc:
        raise ValueError(f"{display}: {exc}") from None
    return _cached(os.path.realpath(path), suffix, st.st_mtime_ns, st.st_size, sheet, display, _limits.active())


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
