"""Shouts per second of a ZI-C market through the whole engine, against the bare heapq matching loop.

The market is the teaching market (``scenario/teaching.py``, ``rights/teaching.py``): ``--traders`` buyers and as
many sellers, one unit each, values and costs spread evenly over 0.75–3.25 yuan (Smith's Test 1 stretched), ZI-C
on both sides, ``--shouts`` shouts a trading day for ``--days`` days. Every shout goes through the whole path: a
trader drawn at random, its ZI-C price, the continuous double auction (for ZI traders the compiled
shout kernel, ``market/shout_kernel.py``, equal to :class:`rights_market.market.ContinuousDoubleAuction`), and
for trades the ledger, the record tables and the KPIs — run by :func:`rights_market.simulate` on the SimPy calendar. The symmetric schedule keeps extramarginal
traders shouting all day, so every day makes all its shouts (counted by the ``shouts`` KPI).

The baseline is ``benchmarks/baseline_heapq.py``'s ``bare_match`` on a random order stream of the same length
(``make_order_stream``): the least a price-time matcher can do in pure Python. The ratio says how many bare
matches one engine shout costs.

Run: ``python benchmarks/bench_shouts.py [--traders 100] [--shouts 100000] [--days 5] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from baseline_heapq import bare_match, make_order_stream  # noqa: E402
from rights_market import simulate  # noqa: E402
from rights_market.scenario.model import Scenario  # noqa: E402


def zic_market(traders: int, shouts: int, days: int) -> Scenario:
    """``traders`` buyers and sellers with one unit each on 0.75–3.25 yuan, ZI-C, ``days`` trading days."""
    grid = np.round(np.linspace(0.75, 3.25, traders), 4)
    return Scenario.model_validate({
        "name": "bench_shouts",
        "calendar": {"years": 1, "periods_per_year": 1, "sessions_per_year": days},
        "weather": {"type": "sequence", "states": {"n": {}}, "sequence": ["n"]},
        "output": {"holdings_every": "none"},
        "teaching": {
            "buyers_yuan": [str(v) for v in grid[::-1]], "sellers_yuan": [str(c) for c in grid],
            "shouts_per_period": shouts, "price_min_yuan": "0.01", "price_max_yuan": "4",
            "buyer_behaviour": {"type": "zi_c"}, "seller_behaviour": {"type": "zi_c"},
        },
    })


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--traders", type=int, default=100, help="buyers (and as many sellers)")
    ap.add_argument("--shouts", type=int, default=100_000, help="shouts per trading day")
    ap.add_argument("--days", type=int, default=5, help="trading days")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    scenario = zic_market(args.traders, args.shouts, args.days)
    best, shouts, trades = float("inf"), 0, 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        r = simulate(scenario, seed=args.seed)
        wall = time.perf_counter() - t0
        k = r.kpis
        shouts = int(k[k.metric == "shouts"].value.sum())
        trades = len(r.trades)
        best = min(best, wall)
    engine_rate = shouts / best

    stream = make_order_stream(np.random.default_rng(args.seed), shouts)
    bare = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        bare_match(stream["side"], stream["price"], stream["quantity"])
        bare = min(bare, time.perf_counter() - t0)
    bare_rate = shouts / bare

    print(f"ZI-C market: {args.traders} buyers + {args.traders} sellers, {args.days} days × {args.shouts:,} shouts "
          f"(best of {args.repeat})")
    print(f"engine (simulate, whole path):  {engine_rate:12,.0f} shouts/s  ({shouts:,} shouts, {trades:,} trades, "
          f"{best:.2f} s)")
    print(f"bare heapq loop (bare_match):   {bare_rate:12,.0f} orders/s  ({bare:.2f} s)")
    print(f"ratio engine/bare time per shout: {bare_rate / engine_rate:.2f}x")


if __name__ == "__main__":
    main()
