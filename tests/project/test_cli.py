"""The command line as a user meets it: run, validate, schema, charge, report; errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SCENARIOS, SMALL_WATER, cli_in_process
from rights_market import load_scenario, results, simulate
from rights_market.outdir import OutputError

DEFAULT = str(SCENARIOS / "dawukou_water.yaml")


def cli_subprocess(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The command as a user runs it: a fresh ``python -m rights_market`` process."""
    return subprocess.run([sys.executable, "-m", "rights_market", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


cli = cli_in_process  # what a command prints and returns; the few tests of the real process use cli_subprocess


def sets() -> list[str]:
    out = []
    for s in SMALL_WATER:
        out += ["--set", s]
    return out


@pytest.mark.slow
def test_run_writes_a_complete_run_directory(tmp_path):
    out = tmp_path / "run"
    p = cli_subprocess("run", DEFAULT, "--seed", "3", "--out", str(out), "--check", *sets())
    assert p.returncode == 0, p.stderr
    assert "written:" in p.stdout and "trades water.annual:" in p.stdout
    for name in results.TABLE_FILES:
        assert (out / f"{name}.parquet").is_file()
    man = json.loads((out / "manifest.json").read_text())
    assert man["seed"] == 3 and man["scenario_name"] == "dawukou_water"
    assert len(man["scenario_hash"]) == 64
    assert man["scenario"]["calendar"]["years"] == 3  # the resolved scenario, overrides applied
    assert set(man) >= {"package_version", "wall_seconds", "rows"}


def test_run_with_report_lists_the_documents_written_not_each_figure(tmp_path):
    """``run --report`` prints where the run, its report, Markdown and workbook went; the figures (SVG files in
    ``figures/``, which the HTML holds inline) are not listed one by one."""
    out = tmp_path / "run"
    small = ["calendar.years=1" if s.startswith("calendar.years=") else s for s in SMALL_WATER]
    p = cli("run", DEFAULT, "--seed", "3", "--out", str(out), "--report", "--no-progress",
            *[a for s in small for a in ("--set", s)])
    assert p.returncode == 0, p.stderr
    listed = sorted(line.removeprefix("written: ") for line in p.stdout.splitlines() if line.startswith("written: "))
    assert listed == sorted([str(out), *(str(out / n) for n in ("report.html", "report.md", "report.xlsx"))])
    figures = list((out / "figures").glob("*.svg"))
    assert figures and not list((out / "figures").glob("*.png"))


def test_same_scenario_and_seed_give_the_same_tables_byte_for_byte(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("run", DEFAULT, "--seed", "9", "--out", str(a), *sets()).returncode == 0
    assert cli("run", DEFAULT, "--seed", "9", "--out", str(b), *sets()).returncode == 0
    for name in results.TABLE_FILES:
        assert (a / f"{name}.parquet").read_bytes() == (b / f"{name}.parquet").read_bytes(), name


def test_a_crash_while_writing_leaves_no_half_directory(tmp_path, monkeypatch):
    scenario = load_scenario(DEFAULT, SMALL_WATER)
    result = simulate(scenario, seed=1)
    calls = {"n": 0}
    real = results._write_table

    def failing(df, path):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real(df, path)

    monkeypatch.setattr(results, "_write_table", failing)
    with pytest.raises(OutputError, match="disk full"):  # a file-system error is an input error naming the path
        results.write_run(result, tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_validate_ok_and_schema():
    p = cli("validate", DEFAULT)
    assert p.returncode == 0 and p.stdout.strip() == "ok"
    p = cli("schema")
    schema = json.loads(p.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "water" in schema["$defs"]["Scenario"]["properties"]  # one schema for scenario, classroom, sweep files
    assert "extends" in schema["$defs"]["partial.Scenario"]["properties"]


BAD = {
    "unknown_field": ("name: x\nwater:\n  cap_m3: 100\n  cpa: 3\n", ":4:3: water.cpa: unknown field 'cpa'"),
    "wrong_type": ("name: x\ncalendar:\n  years: many\n", ":3:10: calendar.years:"),
    "bad_union": ("name: x\nweather:\n  type: monsoon\n", ":3:9: weather.type: unknown type 'monsoon'"),
    "syntax": ("name: x\ncalendar: [1, 2\n", ".yaml:"),
    "python_tag": ("name: !!python/object/apply:os.system ['echo hi']\n", ":1:7:"),
    "negative": ("name: x\nwater:\n  cap_m3: -1\n", ":3:11: water.cap_m3: expected greater than 0"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenarios_get_a_located_error_and_exit_2(tmp_path, case):
    text, expected = BAD[case]
    f = tmp_path / f"{case}.yaml"
    f.write_text(text)
    for cmd in ("validate", "run"):
        p = cli(cmd, str(f))
        assert p.returncode == 2, (cmd, p.stdout, p.stderr)
        assert expected in p.stderr, p.stderr
        assert "Traceback" not in p.stderr
        assert str(f) in p.stderr


def test_extends_and_override_errors_point_at_their_source(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("name: base\ncalendar:\n  years: 0\n")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\nname: child\n")
    p = cli("validate", str(child))
    assert p.returncode == 2
    assert "base.yaml:3:10: calendar.years:" in p.stderr
    p = cli("validate", DEFAULT, "--set", "calendar.yeras=3")
    assert p.returncode == 2 and "<--set>:1" in p.stderr and "years" in p.stderr
    p = cli("validate", DEFAULT, "--set", "calender.years=3")
    assert p.returncode == 2 and "calendar" in p.stderr


@pytest.mark.slow
def test_missing_file_and_debug_traceback(tmp_path):
    p = cli_subprocess("run", str(tmp_path / "nope.yaml"))
    assert p.returncode == 2 and "not found" in p.stderr and "Traceback" not in p.stderr
    p = cli_subprocess("report", str(tmp_path))
    assert p.returncode == 2 and "not a run directory" in p.stderr


def test_w9_charge_calculator_band_by_band():
    """W9 through the CLI: plan 1,000 m³, use 1,260 m³ at the default industrial price 3.30 yuan/m³."""
    p = cli("charge", DEFAULT, "--product", "industry", "--plan", "1000", "--use", "1260", "--json")
    assert p.returncode == 0, p.stderr
    bill = json.loads(p.stdout)
    assert [(ln["kind"], ln["band"], ln["quantity_m3"], ln["amount_yuan"]) for ln in bill["lines"]] == [
        ("tariff", 1, "1260", "4158.00"),
        ("surcharge", 1, "100", "165.00"),
        ("surcharge", 2, "100", "330.00"),
        ("surcharge", 3, "60", "297.00"),
    ]
    assert bill["surcharge_yuan"] == "792.00" and bill["total_yuan"] == "4950.00"
    p = cli("charge", DEFAULT, "--product", "water.domestic", "--plan", "0", "--use", "300")
    assert p.returncode == 0 and "1150.56" in p.stdout  # W8 residential blocks
    p = cli("charge", DEFAULT, "--product", "steel", "--plan", "1", "--use", "2")
    assert p.returncode == 2 and "expected one of" in p.stderr
