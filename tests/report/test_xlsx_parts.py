"""The workbook written without openpyxl (xlsx_parts) is byte for byte the one openpyxl writes: notes, empty
tables, tables without columns, titles that need quoting and escaping, built-in and custom number formats,
formats per row, no table at all; a table with another kind of value still goes through openpyxl."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pandas as pd
import pytest

from rights_market.report import xlsx
from rights_market.report.xlsx import FORMATS_ATTR, INT_FORMAT, MONEY_FORMAT, PRICE_FORMAT, SHARE_FORMAT


def _tables(sheets: list[tuple[str, pd.DataFrame]], notes: dict[str, str] | None = None,
            formats: dict | None = None) -> list[object]:
    used: set[str] = set()
    return [xlsx._Table(title, df, (notes or {}).get(title), (formats or {}).get(title, {}), used)
            for title, df in sheets]


def _mixed() -> pd.DataFrame:
    df = pd.DataFrame({
        "text": ["a&b<c>", " lead", "trail ", "", "x\ry", "bell\x07", "中文=公式"],
        "int": [0, -1, 10**17, 12345678901234567, 5, 6, 7],
        "float": [1.5, float("nan"), float("inf"), 2.0, -0.1, 1e-20, 3.0],
        "per_row": [1, 2.5, 3, None, 4, 5.0, 6],
        "bools": [True, False, True, True, False, False, True],
        "mixed": ["t", 1, 2.5, None, True, "", float("nan")],
        "money": [1.25, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0],
        " lead header & <b>": list(range(7)),
    })
    df.attrs[FORMATS_ATTR] = {"per_row": [INT_FORMAT, PRICE_FORMAT, None, None, SHARE_FORMAT, "0.000", "General"],
                              "money": MONEY_FORMAT, "int": "#,##0.0"}
    return df


CASES = {
    "none": ([], {}, {}),
    "mixed": ([("one", _mixed()), ("two 'quoted' & <tagged>", _mixed().iloc[:, ::-1].copy()),
               ("empty", _mixed().iloc[:0].copy()), ("no columns", pd.DataFrame(index=range(3))),
               ("用水权 按类别和档次汇总的收费（按持有人、产品、类别和档次）", _mixed())],
              {"two 'quoted' & <tagged>": "a note & <more>", "no columns": " spaced note "},
              {"one": {"float": SHARE_FORMAT}}),
    "note first": ([("a", pd.DataFrame({"x": [1.5]})), ("b", pd.DataFrame({"y": ["z"]}))], {"a": "first"}, {}),
    "many columns": ([("wide", pd.DataFrame({f"c{j}": [j, j + 0.5] for j in range(30)}))], {}, {}),
}


@pytest.mark.parametrize("case", CASES)
def test_direct_writer_is_openpyxls_bytes(case: str) -> None:
    sheets, notes, formats = CASES[case]
    direct = xlsx._direct_bytes(_tables(sheets, notes, formats))
    assert direct is not None
    assert direct == xlsx._openpyxl_bytes(_tables(sheets, notes, formats))
    assert direct == xlsx.workbook_bytes(sheets, notes=notes, formats=formats)


def test_other_values_go_through_openpyxl() -> None:
    sheets = [("dates", pd.DataFrame({"d": [dt.date(2021, 1, 2)], "n": [1]}))]
    assert xlsx._direct_bytes(_tables(sheets)) is None
    assert xlsx.workbook_bytes(sheets) == xlsx._openpyxl_bytes(_tables(sheets))
    assert xlsx._direct_bytes(_tables([("tab\there", pd.DataFrame({"n": [1]}))])) is None


def test_plain_workbook_does_not_import_openpyxl() -> None:
    code = ("import sys, pandas as pd; from rights_market.report.xlsx import workbook_bytes; "
            "workbook_bytes([('t', pd.DataFrame({'a': [1, 2.5], 'b': ['x', 'y']}))], notes={'t': 'n'}); "
            "assert 'openpyxl' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
