"""The workbooks read back as office staff open them: number formats with units, full sheet titles,
filters and frozen headers, long-form indicator sheets (``report.xlsx`` of a four-rights run and the
``compare.xlsx`` of a comparison)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from rights_market.report.xlsx import (
    FLOAT_FORMAT,
    INT_FORMAT,
    MONEY_FORMAT,
    PRICE_FORMAT,
    SHARE_FORMAT,
    number_format,
    sheet_title,
    workbook_bytes,
)

MAX_COLUMNS = 20
#: A unit in brackets with nothing in it ("成交笔数（）", "Quantity ()").
EMPTY_BRACKETS = re.compile(r"\(\s*\)|（\s*）")


@pytest.fixture(scope="module")
def four_rights(shared_run) -> Path:
    """The session's two-year four-rights run with its English report (read only)."""
    return shared_run("dawukou_four_rights.yaml", ["calendar.years=2"], reports=("en",))


def _check_sheets(path: Path) -> dict[str, list[tuple]]:
    """Every sheet: at most MAX_COLUMNS wide, a filter over its header row, the header frozen, no empty unit
    brackets in a header, no float in the General format. Returns the cells (value, number format) by sheet."""
    wb = load_workbook(path)
    cells = {}
    for ws in wb.worksheets:
        assert len(ws.title) <= 31
        assert ws.max_column <= MAX_COLUMNS, (ws.title, ws.max_column)
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws.freeze_panes == "A2", ws.title
        header = [c.value for c in ws[1]]
        assert not any(EMPTY_BRACKETS.search(str(h)) for h in header), (ws.title, header)
        rows = [[(c.value, c.number_format) for c in row] for row in ws.iter_rows(min_row=2)]
        bad = [(ws.title, header[j], v) for row in rows for j, (v, f) in enumerate(row)
               if isinstance(v, float) and f == "General"]
        assert not bad, bad[:5]
        cells[ws.title] = [tuple(header), *rows]
    return cells


def _column(sheet: list[tuple], name: str) -> list[tuple]:
    j = list(sheet[0]).index(name)
    return [row[j] for row in sheet[1:]]


def test_report_xlsx_numbers_carry_formats_by_unit(four_rights: Path) -> None:
    cells = _check_sheets(four_rights / "report.xlsx")
    titles = list(cells)
    assert titles[:4] == ["Water rights indicators", "Water rights charges", "Emission rights indicators",
                          "Emission rights charges"]
    assert "Forest rights indicators" in titles and "Fiscal account indicators" in titles
    # indicators in long form: year, indicator, code, value, unit; each value formatted by its unit
    emission = cells["Emission rights indicators"]
    assert emission[0] == ("Year", "Indicator", "metric", "Value", "Unit")
    by_metric: dict[str, set[tuple[str, str]]] = {}
    for row in emission[1:]:
        by_metric.setdefault(row[2][0], set()).add((row[3][1], row[4][0]))
    assert by_metric["emissions_COD"] == {(INT_FORMAT, "kg")}
    assert by_metric["mean_price_COD"] == {(PRICE_FORMAT, "yuan/t")}
    assert by_metric["penalty_revenue_COD"] == {(MONEY_FORMAT, "yuan")}
    water = cells["Water rights indicators"]
    formats = {r[2][0]: r[3][1] for r in water[1:]}
    assert formats["efficiency"] == SHARE_FORMAT and formats["use_over_cap"] == SHARE_FORMAT
    assert formats["trade_count"] == INT_FORMAT and formats["surcharge_revenue"] == MONEY_FORMAT
    # money columns: yuan in the header, #,##0.00
    charges = cells["Water rights charges"]
    assert "Amount (yuan)" in charges[0] and {f for _, f in _column(charges, "Amount (yuan)")} == {MONEY_FORMAT}
    by_holder = cells["Charges by holder"]
    assert {"Quantity", "Unit", "Amount (yuan)"} <= set(by_holder[0])
    trades = cells["trades"]
    assert {f for _, f in _column(trades, "price")} == {PRICE_FORMAT}
    assert {f for _, f in _column(trades, "amount")} == {MONEY_FORMAT}
    assert {f for _, f in _column(trades, "quantity")} == {INT_FORMAT}


def test_compare_xlsx_long_form_with_formats(tmp_path: Path) -> None:
    from test_compare import _synthetic_group

    from rights_market.compare.build import build_comparison

    groups = [_synthetic_group(tmp_path / str(i), f"variant_{i}", ["use", "efficiency"]) for i in range(12)]
    paths = build_comparison(groups, tmp_path / "cmp")
    cells = _check_sheets(paths["xlsx"])  # 12 variants: still long form, narrow
    kpis = cells["Water rights indicators"]
    assert len(kpis) - 1 == 12 * 2  # one row per variant and indicator
    med = {(row[2][0], row[5][1]) for row in kpis[1:]}  # (metric, format of the median)
    # m³ (the synthetic groups record both in m³), medians of two runs: halves, so 2 to 4 decimals
    assert med == {("use", FLOAT_FORMAT), ("efficiency", FLOAT_FORMAT)}
    assert {f for v, f in _column(kpis, "Δ") if v is not None} == {SHARE_FORMAT}
    assert "Paired differences" in cells and "Paired runs" in cells


def test_number_format_rules() -> None:
    assert number_format("yuan", [1.5]) == MONEY_FORMAT
    assert number_format("yuan/yr", [3.0]) == MONEY_FORMAT
    assert number_format("yuan/m3", [1.081]) == PRICE_FORMAT
    assert number_format("m2/10k yuan", [0.3]) != MONEY_FORMAT
    assert number_format("1", [0.91]) == SHARE_FORMAT
    assert number_format("1", [3.0, 4.0]) == INT_FORMAT
    assert number_format("1", [3.5], "trade_count") == INT_FORMAT
    assert number_format("m3", [1_000_000.0]) == INT_FORMAT


def test_sheet_titles_abbreviated_by_word_and_unique() -> None:
    used: set[str] = set()
    long = "Cross-right links (pledges and projects) indicators"
    assert sheet_title(long, used) == "Cross-right links indicators"
    assert sheet_title(long, used) == "Cros. links indicators (2)"  # 4 characters fewer for " (2)"
    title = sheet_title("Mountain-forest rights charges by kind and band", used)
    words = ["Mountain-forest", "rights", "charges", "by", "kind", "and", "band"]
    assert len(title) <= 31 and all(w.endswith(".") or w in words for w in title.split())


def test_a_float_without_a_given_format_is_not_general(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(workbook_bytes([("floats", pd.DataFrame({"x": [0.9143170434782608], "n": [3]}))]))
    ws = load_workbook(path)["floats"]
    assert (ws["A2"].value, ws["A2"].number_format) == (0.9143170434782608, "#,##0.00##")
    assert ws["B2"].number_format == "General" and ws.auto_filter.ref == "A1:B2"


def test_table_bodies_are_the_bytes_openpyxl_writes_cell_by_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows written column-wise from row templates (xlsx._body_rows) are byte for byte those of openpyxl
    writing every cell (the path a table with other values takes): texts that need escaping, spaces to
    preserve, control characters, empty texts, huge integers, missing and infinite numbers, booleans, mixed
    columns, formats per column and per row, empty cells in different patterns."""
    from rights_market.report import xlsx

    n = 7
    df = pd.DataFrame({
        "text": ["a&b<c>", " lead", "trail ", "", "x\ry", "bell\x07", "中文=公式"],
        "repeated": ["same"] * 5 + ["other", "same"],
        "int": [0, -1, 10**17, 12345678901234567, 5, 6, 7],
        "float": [1.5, float("nan"), float("inf"), 2.0, -0.1, 1e-20, 3.0],
        "float_fmt": [0.25, 0.5, float("nan"), 1.0, 2.0, 3.0, 4.0],
        "per_row": [1, 2.5, 3, None, 4, 5.0, 6],
        "bools": [True, False, True, True, False, False, True],
        "mixed": ["t", 1, 2.5, None, True, "", float("nan")],
        "ints_unformatted": list(range(n)),
        "ints_at_float_limit": [2**53, -(2**53), 2**53 - 1, 0, -7, 10**15, 9_999_999],  # written as str() does
    })
    df.attrs[xlsx.FORMATS_ATTR] = {"per_row": [INT_FORMAT, PRICE_FORMAT, None, None, SHARE_FORMAT, None, INT_FORMAT],
                                   "float_fmt": SHARE_FORMAT, "int": MONEY_FORMAT}
    sheets = [("one", df), ("two", df.iloc[:, ::-1].copy()), ("empty", df.iloc[:0].copy()),
              ("no columns", pd.DataFrame(index=range(3)))]
    notes = {"two": "a note"}
    fast = workbook_bytes(sheets, notes=notes)
    monkeypatch.setattr(xlsx, "_body_rows", lambda *a, **k: None)
    assert fast == workbook_bytes(sheets, notes=notes)
