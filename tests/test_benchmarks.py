"""The benchmark scripts keep working as the code changes: each runs at a tiny size here.

No timing is asserted (speed targets are checked by the scripts themselves, see benchmarks/README.md); what is
asserted is what the benchmarks rely on: the engine's order stream matched by the bare heapq loop gives the
same number of fills as the engine's own CDA sessions.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
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
