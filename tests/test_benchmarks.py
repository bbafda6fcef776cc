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

import bench_engine  # noqa: E402

pytestmark = pytest.mark.slow  # a notebook kernel, a browser or a benchmark run: not in the inner loop


def test_w11_engine_orders_benchmark_replays_the_same_stream_with_the_same_fills():
    r = bench_engine.bench_orders(traders=3_000, sessions=2, repeat=1)
    assert r["orders"] > 1_000
    assert r["engine_trades"] == r["bare_fills"] > 0


def test_district_scale_overrides_build_a_valid_scenario():
    scenario = bench_engine.load_scenario(bench_engine.DEFAULT, bench_engine.district_overrides(2_000, 1))
    assert abs(bench_engine.holders_of(scenario) - 2_000) <= 5
