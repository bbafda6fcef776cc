"""Engine benchmarks for the water market (issue: foundation and the water-rights market).

1. **Orders per second through the whole engine** (SimPy calendar, order generation, the continuous double
   auction, settlement, the ledger and the records) against a bare heapq matching loop
   (``baseline_heapq.bare_match``) on the *same* order stream, measured in the same run. The engine's order
   stream is captured as it is submitted to the book, session by session; the bare loop then matches each
   session's stream on fresh heaps, as the engine does. Target ratio ≥ 0.5.
2. **District scale**: a generated district of 10,000 and of 100,000 holders (the default scenario's groups
   scaled up) over 10 years of weekly sessions, each size in its own process: wall time and peak memory
   (ru_maxrss). Targets: 100,000 holders in ≤ 60 s and ≤ 2 GB; 100k/10k time ratio ≤ 11.

Run from the repository root::

    .venv/bin/python benchmarks/bench_engine.py            # both parts
    .venv/bin/python benchmarks/bench_engine.py orders     # part 1 only
    .venv/bin/python benchmarks/bench_engine.py scale      # part 2 only
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from baseline_heapq import bare_match  # noqa: E402
from rights_market import load_scenario, simulate  # noqa: E402
from rights_market.rights.water import trading as water_trading  # noqa: E402

DEFAULT = ROOT / "scenarios" / "dawukou_water.yaml"
BASE_COUNTS = [800, 20, 60, 3000, 5]  # the default scenario's groups
BASE_CAP = 23_000_000


def district_overrides(holders: int, years: int, participation: float | None = None) -> list[str]:
    """--set overrides that scale the default district to about ``holders`` holders."""
    factor = holders / sum(BASE_COUNTS)
    counts = [max(1, round(c * factor)) for c in BASE_COUNTS]
    out = [f"water.groups.{i}.count={c}" for i, c in enumerate(counts)]
    out += [f"water.cap_m3={round(BASE_CAP * factor)}", f"calendar.years={years}", "calendar.sessions_per_year=52"]
    out += [f"water.reserve.initial_rights_m3={round(300_000 * factor)}"]
    out += [f"water.reserve.rules.0.max_m3_per_session={max(1, round(20_000 * factor))}",
            f"water.reserve.rules.1.max_m3_per_session={max(1, round(20_000 * factor))}"]
    if participation is not None:
        out += [f"water.groups.{i}.participation={participation}" for i in (0, 1, 2)]
    return out


def trading_district(traders: int, sessions: int) -> list[str]:
    """A district of ``traders`` farms, cooperatives and firms who all place an order in every session
    (households and ecological units, who do not trade, reduced to one each): the densest order stream the
    water engine produces, so that orders per second measure the engine's per-order cost."""
    counts = [round(traders * 0.92), round(traders * 0.01), round(traders * 0.07), 1, 1]
    cap = 800 * 5_500 + 20 * 210_000 + 60 * 200_000  # the default groups' mean confirmed volumes
    cap = round(cap * traders / 880 * 1.1)
    out = [f"water.groups.{i}.count={c}" for i, c in enumerate(counts)]
    out += [f"water.groups.{i}.participation=1.0" for i in (0, 1, 2)]
    out += [f"water.cap_m3={cap}", "calendar.years=1", f"calendar.sessions_per_year={sessions}",
            "water.supervision.max_holding_share_of_cap=1"]
    return out


def bench_orders(traders: int = 100_000, sessions: int = 12, repeat: int = 3) -> dict:
    """Part 1: engine orders/s vs bare heapq orders/s on the captured stream (best of ``repeat`` each)."""
    holders = traders
    scenario = load_scenario(DEFAULT, trading_district(traders, sessions))
    captured: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    original = water_trading.clear

    def capturing(*args):  # clear(state, world, config, traders, sides, prices, qtys)
        sides, prices, qtys = args[-3:]
        captured.append((sides.copy(), prices.copy(), qtys.copy()))
        return original(*args)

    water_trading.clear = capturing
    engine_times = []
    try:
        for _ in range(repeat):
            captured.clear()
            t0 = time.perf_counter()
            result = simulate(scenario, seed=1)
            engine_times.append(time.perf_counter() - t0)
    finally:
        water_trading.clear = original
    engine_s = min(engine_times)
    n_orders = sum(len(c[0]) for c in captured)
    bare_times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        bare_fills = 0
        for sides, prices, qtys in captured:
            nf, _vol = bare_match(sides, prices, qtys)
            bare_fills += nf
        bare_times.append(time.perf_counter() - t0)
    bare_s = min(bare_times)
    engine_rate = n_orders / engine_s
    bare_rate = n_orders / bare_s
    return {
        "holders": holders, "sessions": len(captured), "orders": n_orders,
        "engine_trades": int((result.trades["mechanism"] == "cda").sum()), "bare_fills": bare_fills,
        "engine_seconds": round(engine_s, 2), "bare_seconds": round(bare_s, 2),
        "engine_orders_per_s": round(engine_rate), "bare_orders_per_s": round(bare_rate),
        "ratio": round(engine_rate / bare_rate, 3),
    }


def holders_of(scenario) -> int:
    return sum(g.count for g in scenario.water.groups)


def _one_size(holders: int, years: int) -> None:
    """Child process: run one district size, print JSON with wall time and peak memory."""
    scenario = load_scenario(DEFAULT, district_overrides(holders, years))
    t0 = time.perf_counter()
    result = simulate(scenario, seed=1)
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "holders": holders_of(scenario),
        "years": years, "wall_seconds": round(wall, 2), "peak_mb": round(peak_kb / 1024),
        "trades": result.tables.rows("trades"), "holdings_rows": result.tables.rows("holdings"),
    }))


def bench_scale(sizes=(10_000, 100_000), years: int = 10) -> list[dict]:
    out = []
    for n in sizes:
        p = subprocess.run([sys.executable, __file__, "_one", str(n), str(years)], capture_output=True, text=True,
                           check=True)
        out.append(json.loads(p.stdout.strip().splitlines()[-1]))
    return out


def main(argv: list[str]) -> None:
    what = argv[1] if len(argv) > 1 else "all"
    if what == "_one":
        _one_size(int(argv[2]), int(argv[3]))
        return
    if what in ("all", "orders"):
        r = bench_orders()
        print(f"[orders] {r['orders']:,} orders in {r['sessions']} sessions ({r['holders']:,} holders)")
        print(f"[orders] engine: {r['engine_orders_per_s']:,} orders/s ({r['engine_seconds']} s, "
              f"{r['engine_trades']:,} trades)")
        print(f"[orders] bare heapq: {r['bare_orders_per_s']:,} orders/s ({r['bare_seconds']} s, "
              f"{r['bare_fills']:,} fills)")
        print(f"[orders] ratio engine/bare: {r['ratio']}  (target >= 0.5)")
    if what in ("all", "scale"):
        rows = bench_scale()
        for r in rows:
            print(f"[scale] {r['holders']:,} holders x {r['years']} years x 52 sessions: {r['wall_seconds']} s, "
                  f"peak {r['peak_mb']:,} MB, {r['trades']:,} trades, {r['holdings_rows']:,} holdings rows")
        if len(rows) == 2:
            print(f"[scale] time ratio {rows[1]['holders']:,}/{rows[0]['holders']:,}: "
                  f"{rows[1]['wall_seconds'] / rows[0]['wall_seconds']:.2f}  (target <= 11; 100k target <= 60 s, 2 GB)")


if __name__ == "__main__":
    main(sys.argv)
