"""The Excel round trip of the lab: changed rules out to one sheet, and back in, checked row by row.

The sheet (title ``lab.sheet.name``: ``参数`` / ``parameters``) has one row per field: path, label, unit, plan
value, value. Every text cell is written as inert text (:func:`rights_market.report.xlsx.text_cell`, through
:func:`~rights_market.report.xlsx.workbook_bytes`), values included, so ``0.0305`` stays ``0.0305`` and a
``=...`` typed by someone never becomes a formula.

:func:`read_sheet` takes back exactly the rows the sheet lists: the path (column A) and the value (column E);
label, unit and plan value are there for people and ignored. Each row is checked on its own — a known field
of this scenario, listed once, with a value — and the values together with the scenario's checks
(:func:`rights_market.lab.fields.check`); every problem is reported as ``sheet:row: field: problem``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..report.labels import LABELS, Labels
from ..report.xlsx import workbook_bytes
from .fields import Field, check

#: Rows read from a sheet at most (a parameter sheet has a few dozen).
MAX_SHEET_ROWS = 2000
#: Uncompressed bytes of a workbook read at most (a parameter sheet is a few kB; a zip bomb is refused).
MAX_UNZIPPED_BYTES = 16 * 1024 * 1024


def sheet_bytes(fields: Sequence[Field], values: Mapping[str, str], lang: str = "zh") -> bytes:
    """The ``.xlsx`` bytes of the fields in ``values`` (all fields when ``values`` is empty), in form order."""
    L = Labels(lang)
    rows = [f for f in fields if f.path in values] if values else list(fields)
    frame = pd.DataFrame(
        [[f.path, f.label, L.unit(f.unit), f.plan, values.get(f.path, f.plan)] for f in rows],
        columns=[L("lab.sheet.path"), L("lab.sheet.label"), L("lab.sheet.unit"), L("lab.sheet.plan"),
                 L("lab.sheet.value")], dtype=object)
    return workbook_bytes([(L("lab.sheet.name"), frame)])


@dataclass
class Imported:
    """What a sheet set (``changes``: path → value text, in row order) and what was wrong with it."""

    changes: dict[str, str]
    errors: list[str]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value).strip()


def read_sheet(data: bytes, scenario: str | Path, fields: Sequence[Field], lang: str = "zh") -> Imported:
    """The values a lab sheet sets, each row checked (module docstring)."""
    from openpyxl import load_workbook

    L = Labels(lang)
    names = {LABELS[code]["lab.sheet.name"] for code in LABELS}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_UNZIPPED_BYTES:
                raise zipfile.BadZipFile("too large when unpacked")
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        return Imported({}, [f"{L('lab.sheet.unreadable')} ({exc})"])
    try:
        title = next((ws.title for ws in wb.worksheets if ws.title in names), None)
        if title is None:
            return Imported({}, [L("lab.sheet.no_sheet", name=L("lab.sheet.name"))])
        ws = wb[title]
        known = {f.path: f for f in fields}
        changes: dict[str, str] = {}
        rows: dict[str, int] = {}
        errors: list[str] = []
        for n, row in enumerate(ws.iter_rows(min_row=2, max_col=5, values_only=True), start=2):
            if n > MAX_SHEET_ROWS:
                break
            cells = list(row) + [None] * (5 - len(row))
            path, value = _cell_text(cells[0]), _cell_text(cells[4])
            if not path and not value:
                continue
            where = f"{title}:{n}: {path or '?'}"
            if path not in known:
                errors.append(f"{where}: {L('lab.sheet.not_a_field')}")
            elif path in rows:
                errors.append(f"{where}: {L('lab.sheet.repeated', row=rows[path])}")
            elif not value:
                errors.append(f"{where}: {L('lab.sheet.empty_value')}")
            else:
                rows[path] = n
                changes[path] = value
    finally:
        wb.close()
    if changes:
        checked = check(scenario, changes)
        for path, messages in checked.by_field.items():
            errors += [f"{title}:{rows[path]}: {path}: {m}" for m in messages]
        errors += checked.general
    return Imported(changes, errors)


__all__ = ["MAX_SHEET_ROWS", "Imported", "read_sheet", "sheet_bytes"]
