"""Holder lists from CSV and xlsx files: read, validated row by row, errors as file:row: column: message."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import SCENARIOS, cli_in_process
from rights_market import simulate
from rights_market.compare import load_scenario_file
from rights_market.scenario import ScenarioError
from rights_market.scenario.model import HolderRow
from rights_market.scenario.tables_input import CONTEXT_KEY, read_rows

ROOT = Path(__file__).resolve().parents[2]


def test_reads_the_shipped_example_with_chinese_sectors() -> None:
    rows = read_rows(ROOT / "scenarios" / "data" / "firms.csv", HolderRow, unique=("name",),
                     keep={"sector": "industry"})
    assert [n for n, _ in rows] == [2, 3, 4, 5, 6]  # spreadsheet rows: the header is row 1
    assert rows[0][1].name == "宁夏大武口热电有限公司" and rows[0][1].confirmed_m3 == 1_200_000
    assert rows[2][1].need_share is None  # empty cell: drawn from the group's distribution


def test_every_bad_row_is_reported_with_file_row_and_column(tmp_path: Path) -> None:
    f = tmp_path / "firms.csv"
    f.write_text("企业名称,行业,确权水量\n甲厂,工业,\"12,000\"\n乙厂,钢铁,500\n丙厂,工业,abc\n甲厂,工业,10\n,,\n丁厂,工业,-3\n",
                 encoding="utf-8")
    cols = {"name": "企业名称", "sector": "行业", "confirmed_m3": "确权水量"}
    with pytest.raises(ScenarioError) as err:
        read_rows(f, HolderRow, cols, display="firms.csv", unique=("name",))
    lines = str(err.value).splitlines()
    assert lines[0].startswith("firms.csv:3: 行业: expected 'agriculture', 'industry', 'domestic' or 'ecology'")
    assert lines[1].startswith("firms.csv:4: 确权水量: expected a valid integer") and "'abc'" in lines[1]
    assert lines[2] == "firms.csv:5: 企业名称: '甲厂' appears again (first in row 2); values must be unique"
    assert lines[3].startswith("firms.csv:7: 确权水量: expected greater than or equal to 0")
    assert len(lines) == 4  # row 2 is fine ("12,000" has a thousands separator), row 6 is empty


def test_missing_column_names_the_columns_found(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("name;volume\nx;1\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"a.csv:1: confirmed_m3: column 'confirmed_m3' not found; "
                                            r"columns in the file: name, volume"):
        read_rows(f, HolderRow, display="a.csv")


def test_gb18030_csv_and_xlsx(tmp_path: Path) -> None:
    f = tmp_path / "gbk.csv"
    f.write_bytes("name,confirmed_m3\n石嘴山厂,１２０００\n".encode("gb18030"))
    (_, row), = read_rows(f, HolderRow)
    assert (row.name, row.confirmed_m3) == ("石嘴山厂", 12000)

    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    wb.create_sheet("2021")
    ws2 = wb["2021"]
    for r in (["单位", "水量", "价值"], ["A 厂", 1500.0, 8.5], [1001, 200, None], ["C 厂", "x", 3]):
        ws2.append(r)
    path = tmp_path / "list.xlsx"
    wb.save(path)
    cols = {"name": "单位", "confirmed_m3": "水量", "marginal_value_yuan_per_m3": "价值"}
    with pytest.raises(ScenarioError, match=r"list.xlsx:4: 水量: expected a valid integer"):
        read_rows(path, HolderRow, cols, display="list.xlsx", sheet="2021")
    ws2.delete_rows(4)
    wb.save(path)
    rows = read_rows(path, HolderRow, cols, sheet="2021")
    assert [(n, r.name, r.confirmed_m3, r.marginal_value_yuan_per_m3) for n, r in rows] == [
        (2, "A 厂", 1500, 8.5), (3, "1001", 200, None)]
    with pytest.raises(ValueError, match="no sheet '2022'; sheets: 名单, 2021"):
        read_rows(path, HolderRow, cols, sheet="2022")


def test_scenario_with_holders_from_a_file_runs_and_conserves() -> None:
    scenario = load_scenario_file(SCENARIOS / "data" / "dawukou_water_firms.yaml",
                                  ["calendar.years=2", "calendar.sessions_per_year=12",
                                   "water.groups.0.count=50", "water.groups.3.count=40"])
    firms = scenario.water.groups[2]
    assert firms.count == 5 and firms.from_file == "firms.csv"
    result = simulate(scenario, seed=3, check=True)
    h = result.holders
    listed = h[h["group"] == "industrial_firms"]
    assert list(listed["name"]) == firms.holder_names()
    # the resolved scenario carries the rows: it validates again without the file
    again = type(scenario).model_validate(scenario.model_dump(mode="json"))
    assert again.water.groups[2].members == firms.members


def test_file_errors_go_through_the_cli_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "firms.csv"
    bad.write_text("name,sector,confirmed_m3\n甲厂,industry,many\n", encoding="utf-8")
    scen = tmp_path / "s.yaml"
    scen.write_text(f"""extends: {SCENARIOS / 'dawukou_water.yaml'}
name: s
water:
  groups:
    - name: firms
      sector: industry
      from_file: {bad}
      marginal_value_yuan_per_m3: {{type: constant, value: 5}}
""", encoding="utf-8")
    p = cli_in_process("validate", str(scen))
    assert p.returncode == 2, p.stderr
    assert ":2: confirmed_m3: expected a valid integer" in p.stderr and "'many'" in p.stderr
    assert "Traceback" not in p.stderr
    missing = tmp_path / "m.yaml"
    missing.write_text(scen.read_text().replace(str(bad), "nope.csv"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"m.yaml:5:7: water.groups.0: .*nope.csv: file not found"):
        load_scenario_file(missing)
    assert CONTEXT_KEY == "scenario_dir"
