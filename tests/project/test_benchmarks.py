"""The benchmark scripts keep working as the code changes: each runs at a tiny size here.

No timing is asserted (speed targets are checked by the scripts themselves, see benchmarks/README.md); what is
asserted is what the benchmarks rely on: the engine's order stream matched by the bare heapq loop gives the
same number of fills as the engine's own CDA sessions.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench_bse  # noqa: E402
import bench_engine  # noqa: E402

pytestmark = pytest.mark.slow  # a notebook kernel, a browser or a benchmark run: not in the inner loop


def test_w11_engine_orders_benchmark_replays_the_same_stream_with_the_same_fills():
    r = bench_engine.bench_orders(traders=3_000, sessions=2, repeat=1)
    assert r["orders"] > 1_000
    assert r["engine_trades"] == r["bare_fills"] > 0


def test_district_scale_overrides_build_a_valid_scenario():
    scenario = bench_engine.load_scenario(bench_engine.DEFAULT, bench_engine.district_overrides(2_000, 1))
    assert abs(bench_engine.holders_of(scenario) - 2_000) <= 5


def test_bse_benchmark_runs_the_project_and_the_heapq_model_on_the_same_market(capsys):
    """Both sides make every shout of every period (neither side sells out in this ZI-C market) and trade
    about nine units a period near the middle of the 50..150 schedule; without --bse, BSE is skipped, said so."""
    bench_bse.main(["--periods", "4", "--repeat", "1"])
    out = capsys.readouterr().out
    assert "BSE      skipped: no --bse folder given" in out and "project / heapq:" in out
    res = bench_bse.bench(periods=4, repeat=1)
    assert set(res) == {"project", "heapq"}
    for side in res.values():
        assert side["shouts"] == 4 * bench_bse.SHOUTS
        assert 4 <= side["trades"] / 4 <= 14 and 80 <= side["mean_price"] <= 130


def test_bse_benchmark_refuses_a_folder_without_bse(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench_bse.main(["--periods", "1", "--bse", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "no BSE.py in that folder" in capsys.readouterr().err


import bench_scale  # noqa: E402


def test_scale_benchmark_runs_one_small_case_and_reports_cpu_memory_and_exponents():
    row = bench_scale.run_case(1, 1)  # a child process, as the benchmark runs every case
    assert row["holders"] > 5_000 and row["trades"] > 0
    assert row["cpu_seconds"] > 0 and row["peak_mb"] > 0
    ten = dict(row, k=10, holders=row["holders"] * 10, cpu_seconds=row["cpu_seconds"] * 10)
    assert bench_scale.exponents([row, ten]) == ["exponent in holders x1 -> x10 at 1 years: 1.00"]


def test_scale_overrides_multiply_every_holder_group():
    from rights_market import load_scenario

    base = load_scenario(bench_scale.FOUR_RIGHTS)
    scaled = load_scenario(bench_scale.FOUR_RIGHTS, bench_scale.scale_overrides(3, 1))
    assert [g.count for g in scaled.water.groups] == [g.count * 3 for g in base.water.groups]
    assert [g.count for g in scaled.emission.groups] == [g.count * 3 for g in base.emission.groups]
    assert [v.households for v in scaled.land.villages] == [v.households * 3 for v in base.land.villages]
    assert scaled.forest.households.count == base.forest.households.count * 3
    assert scaled.land.firms.firms == base.land.firms.firms * 3
    assert scaled.water.cap_m3 == base.water.cap_m3 * 3


import bench_report  # noqa: E402


def test_report_benchmark_times_the_english_and_the_chinese_report_of_a_one_year_run(tmp_path, capsys):
    """The script makes the run once and times a report in each language into a fresh copy of it: SVG figures
    (no PNG), the workbook, and in Chinese the figures beside a page that embeds its font subset."""
    from conftest import svg_texts
    from rights_market.report.webfont import EMBEDDED_FAMILY

    res = bench_report.main(["--years", "1", "--repeat", "1", "--work", str(tmp_path)])
    out = capsys.readouterr().out
    assert list(res) == ["en", "zh"] and "target <= 3.0 s CPU" in out
    assert [line.split()[0] for line in out.splitlines()[2:4]] == ["en", "zh"]
    assert all(cpu > 0 and wall > 0 for cpu, wall in res.values())
    en, zh = tmp_path / "report-en", tmp_path / "report-zh"
    svgs = sorted(p.name for p in (en / "figures").glob("*.svg"))
    assert svgs and not list((en / "figures").glob("*.png")) and (en / "report.xlsx").is_file()
    assert not (en / "report.zh.html").exists() and not (zh / "report.html").exists()  # one language each
    # the Chinese report draws the same figures, labelled in Chinese, and embeds the font they and its page use
    assert sorted(p.name for p in (zh / "figures").glob("*.zh.svg")) == [n.replace(".svg", ".zh.svg") for n in svgs]
    assert not list((zh / "figures").glob("*.png")) and (zh / "report.zh.xlsx").is_file()
    html = (zh / "report.zh.html").read_text(encoding="utf-8")
    assert html.count("<svg ") == len(svgs) and html.count("data:font/woff;base64,") == 1
    assert f'@font-face{{font-family:"{EMBEDDED_FAMILY}"' in html
    assert any("年" in t for p in (zh / "figures").glob("*.zh.svg") for t in svg_texts(p.read_text(encoding="utf-8")))
    assert (tmp_path / "run-1y" / "manifest.json").is_file() and not (tmp_path / "run-1y" / "report.md").exists()


def test_scale_per_year_reports_each_right_each_year_and_the_years_exponent():
    lines = bench_scale.per_year(1, 3)
    assert lines[1].split() == ["year", "emission", "forest", "land", "links", "water", "all", "cumul.", "trades"]
    years = [line.split() for line in lines[2:5]]
    assert [row[0] for row in years] == ["2021", "2022", "2023"]
    assert all(float(row[6]) > 0 and int(row[8].replace(",", "")) > 0 for row in years)
    assert float(years[2][7]) == pytest.approx(sum(float(row[6]) for row in years), abs=0.02)
    assert lines[5].startswith("years exponent of the hooks' CPU: 1 -> 3: ")
