"""Scale benchmark for the four rights together (issue 15): every holder group ×k, years 1 and 10.

``scenarios/dawukou_four_rights.yaml`` with every holder group's count multiplied by k (water groups, emission
groups, land villages' households, land operators and firms, forest households, operators and firms; the
water cap and the water reserve's opening stock scaled with them so that the water market keeps its shape),
over 1 and 10 years. Each case runs in its own child process, which reports the CPU seconds (user + system
of the child, so the figure holds on a loaded machine), the wall seconds of ``simulate`` and the peak
resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``). Then the growth exponents: in holders,
log(t_k2 / t_k1) / log(k2 / k1) at a fixed number of years, and in years, log(t_10 / t_1) / log(10) at a fixed
k. Targets (issue 15): ×10 × 10 years ≤ 30 s CPU, ×100 × 1 year ≤ 40 s CPU, exponents ≤ 1.05.

Run from the repository root::

    .venv/bin/python benchmarks/bench_scale.py                  # k = 1, 10, 100; years 1 and 10
    .venv/bin/python benchmarks/bench_scale.py --skip-100x10    # without the ×100 × 10 years case
    .venv/bin/python benchmarks/bench_scale.py --k 1 10 --years 1 10
    .venv/bin/python benchmarks/bench_scale.py --profile 10     # cProfile top functions of ×10 × 10 years
    .venv/bin/python benchmarks/bench_scale.py --hash --k 1 --years 10   # table hashes (fingerprint)
    .venv/bin/python benchmarks/bench_scale.py --water-memory 100 10     # water x100, monthly holdings
    .venv/bin/python benchmarks/bench_scale.py --per-year 10 --years 10  # CPU per year and right, trades
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import math
import pstats
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FOUR_RIGHTS = ROOT / "scenarios" / "dawukou_four_rights.yaml"

WATER_GROUPS = 5
EMISSION_GROUPS = 8
LAND_VILLAGES = 8
WATER_CAP_M3 = 23_000_000
WATER_RESERVE_M3 = 300_000


def scale_overrides(k: int, years: int) -> list[str]:
    """--set overrides: every holder group of the four-rights scenario ×k, ``years`` years."""
    from rights_market import load_scenario

    base = load_scenario(FOUR_RIGHTS)
    out = [f"calendar.years={years}"]
    out += [f"water.groups.{i}.count={g.count * k}" for i, g in enumerate(base.water.groups)]
    out += [f"emission.groups.{i}.count={g.count * k}" for i, g in enumerate(base.emission.groups)]
    out += [f"land.villages.{i}.households={v.households * k}" for i, v in enumerate(base.land.villages)]
    out += [f"land.operators.family_farms={base.land.operators.family_farms * k}",
            f"land.operators.cooperatives={base.land.operators.cooperatives * k}",
            f"land.firms.firms={base.land.firms.firms * k}",
            f"forest.households.count={base.forest.households.count * k}",
            f"forest.operators.count={base.forest.operators.count * k}",
            f"forest.firms.count={base.forest.firms.count * k}",
            f"water.cap_m3={base.water.cap_m3 * k}",
            f"water.reserve.initial_rights_m3={base.water.reserve.initial_rights_m3 * k}"]
    return out


def holders_of(result) -> int:
    holders = result.tables["holders"]
    return int((holders["holder"] >= 0).sum())


def _case(k: int, years: int) -> dict:
    """Child process: one case; CPU of the whole process (imports included) and wall time of simulate."""
    from rights_market import load_scenario, simulate

    scenario = load_scenario(FOUR_RIGHTS, scale_overrides(k, years))
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    result = simulate(scenario)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"k": k, "years": years, "holders": holders_of(result), "cpu_seconds": round(cpu, 2),
            "wall_seconds": round(wall, 2), "process_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mb": round(usage.ru_maxrss / 1024), "trades": result.tables.rows("trades")}


def run_case(k: int, years: int) -> dict:
    """One case in a fresh child process (so that peak memory is that case's own)."""
    p = subprocess.run([sys.executable, __file__, "_case", str(k), str(years)], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"case x{k} x {years} years failed:\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def exponents(rows: list[dict]) -> list[str]:
    """Growth exponents in holders (same years) and in years (same k), from CPU seconds."""
    by = {(r["k"], r["years"]): r for r in rows}
    lines = []
    ks = sorted({r["k"] for r in rows})
    ys = sorted({r["years"] for r in rows})
    for y in ys:
        have = [k for k in ks if (k, y) in by]
        for a, b in zip(have, have[1:], strict=False):
            ra, rb = by[(a, y)], by[(b, y)]
            e = math.log(rb["cpu_seconds"] / ra["cpu_seconds"]) / math.log(rb["holders"] / ra["holders"])
            lines.append(f"exponent in holders x{a} -> x{b} at {y} years: {e:.2f}")
    for k in ks:
        have = [y for y in ys if (k, y) in by]
        for a, b in zip(have, have[1:], strict=False):
            e = math.log(by[(k, b)]["cpu_seconds"] / by[(k, a)]["cpu_seconds"]) / math.log(b / a)
            lines.append(f"exponent in years {a} -> {b} at x{k}: {e:.2f}")
    return lines


WATER = ROOT / "scenarios" / "dawukou_water.yaml"


def _water_case(k: int, years: int, spool: bool) -> dict:
    """Child process: the water scenario's groups ×k with monthly holdings, spooled to a temporary folder
    (as ``run --out`` does) or held in memory; every table is then written to a run directory."""
    import tempfile

    from rights_market import load_scenario, simulate
    from rights_market.results import write_run

    base = load_scenario(WATER)
    overrides = [f"water.groups.{i}.count={g.count * k}" for i, g in enumerate(base.water.groups)]
    overrides += [f"water.cap_m3={base.water.cap_m3 * k}", f"calendar.years={years}",
                  f"water.reserve.initial_rights_m3={base.water.reserve.initial_rights_m3 * k}",
                  "output.holdings_every=period"]
    scenario = load_scenario(WATER, overrides)
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = simulate(scenario, spool=tmp if spool else None)
        write_run(result, Path(tmp) / "run")
        rows = result.tables.rows("holdings")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"k": k, "years": years, "spool": spool, "holders": sum(g.count for g in scenario.water.groups),
            "holdings_rows": rows, "cpu_seconds": round(time.process_time() - cpu0, 2),
            "wall_seconds": round(time.perf_counter() - t0, 2), "peak_mb": round(usage.ru_maxrss / 1024)}


def profile(k: int, years: int, top: int = 25) -> str:
    """cProfile of one case in this process: the ``top`` functions by cumulative and by own time."""
    from rights_market import load_scenario, simulate

    scenario = load_scenario(FOUR_RIGHTS, scale_overrides(k, years))
    prof = cProfile.Profile()
    prof.enable()
    simulate(scenario)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def per_year(k: int, years: int) -> list[str]:
    """CPU seconds of each year by right (the time inside each right's hooks), the trades of the year, and
    the years exponent of the cumulative CPU from year 2 on (after the first year, in which the emission
    market barely trades). Shows whether the cost of a year grows with the history behind it."""
    from collections import defaultdict

    from rights_market import load_scenario
    from rights_market.engine.run import simulate as engine_simulate
    from rights_market.rights.catalogue import CATALOGUE

    cpu: dict[tuple[int, str], float] = defaultdict(float)

    class Timed:
        """A right's policy whose calendar hooks add their CPU time to ``cpu[(year, right)]``."""

        def __init__(self, policy):
            self._policy, self._right = policy, type(policy).__module__.split(".")[-2]

        def __getattr__(self, name):
            hook = getattr(self._policy, name)
            if name not in ("year_start", "session", "period_end", "year_end"):
                return hook

            def timed(world, *args):
                t = time.process_time()
                hook(world, *args)
                cpu[(world.clock.year, self._right)] += time.process_time() - t
            return timed

    class TimedCatalogue:
        def descriptors(self):
            return CATALOGUE.descriptors()

        def policies(self, scenario, weather_years):
            return [Timed(p) for p in CATALOGUE.policies(scenario, weather_years)]

    result = engine_simulate(load_scenario(FOUR_RIGHTS, scale_overrides(k, years)), catalogue=TimedCatalogue())
    trades = result.tables["trades"].groupby("year", observed=True).size()
    rights = sorted({r for _, r in cpu})
    lines = [f"x{k} {years} years: CPU seconds in each right's hooks by year, and trades",
             "year  " + "".join(f"{r:>10}" for r in rights) + f"{'all':>10}{'cumul.':>10}{'trades':>10}"]
    cumul = []
    for y in sorted({y for y, _ in cpu}):
        row = [cpu[(y, r)] for r in rights]
        cumul.append((cumul[-1] if cumul else 0.0) + sum(row))
        lines.append(f"{y}  " + "".join(f"{v:>10.2f}" for v in row)
                     + f"{sum(row):>10.2f}{cumul[-1]:>10.2f}{int(trades.get(y, 0)):>10,}")
    if len(cumul) >= 3:
        e1 = math.log(cumul[-1] / cumul[0]) / math.log(len(cumul))
        e2 = math.log(cumul[-1] / cumul[1]) / math.log(len(cumul) / 2)
        lines.append(f"years exponent of the hooks' CPU: 1 -> {len(cumul)}: {e1:.2f}; 2 -> {len(cumul)}: {e2:.2f}")
    return lines


def table_hashes(k: int, years: int) -> dict[str, str]:
    """Table name → SHA-256 of its canonical CSV for one case (compare before and after a change)."""
    from rights_market import load_scenario, simulate
    from rights_market.results import TABLE_FILES

    result = simulate(load_scenario(FOUR_RIGHTS, scale_overrides(k, years)))
    return {name: hashlib.sha256(result.tables[name].to_csv(index=False, lineterminator="\n").encode()).hexdigest()
            for name in TABLE_FILES}


def main(argv: list[str]) -> int:
    if argv[:1] == ["_case"]:
        print(json.dumps(_case(int(argv[1]), int(argv[2]))))
        return 0
    if argv[:1] == ["_water"]:
        print(json.dumps(_water_case(int(argv[1]), int(argv[2]), argv[3] == "spool")))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, nargs="+", default=[1, 10, 100], help="holder multipliers")
    ap.add_argument("--years", type=int, nargs="+", default=[1, 10], help="run lengths in years")
    ap.add_argument("--skip-100x10", action="store_true", help="leave out the x100 x 10 years case")
    ap.add_argument("--profile", type=int, metavar="K", help="print a cProfile of xK x the largest years instead")
    ap.add_argument("--hash", action="store_true", help="print table hashes of each case instead of timing")
    ap.add_argument("--water-memory", type=int, nargs=2, metavar=("K", "YEARS"),
                    help="peak memory of the water scenario xK over YEARS with monthly holdings, spooled")
    ap.add_argument("--per-year", type=int, metavar="K",
                    help="CPU per year and right of xK x the largest years (where the cost of a year goes)")
    ap.add_argument("--in-memory", action="store_true", help="with --water-memory: tables held in memory")
    args = ap.parse_args(argv)
    if args.water_memory:
        k, y = args.water_memory
        p = subprocess.run([sys.executable, __file__, "_water", str(k), str(y),
                            "memory" if args.in_memory else "spool"], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
        r = json.loads(p.stdout.strip().splitlines()[-1])
        print(f"water x{k} {y} years ({'in memory' if args.in_memory else 'spooled'}): {r['holders']:,} holders, "
              f"{r['holdings_rows']:,} holdings rows, CPU {r['cpu_seconds']} s, wall {r['wall_seconds']} s, "
              f"peak {r['peak_mb']:,} MB  (target <= 2,048 MB at x100 x 10 years)")
        return 0
    if args.per_year is not None:
        print("\n".join(per_year(args.per_year, max(args.years))))
        return 0
    if args.profile is not None:
        print(profile(args.profile, max(args.years)))
        return 0
    cases = [(k, y) for y in args.years for k in args.k if not (args.skip_100x10 and k >= 100 and y >= 10)]
    if args.hash:
        for k, y in cases:
            for name, digest in table_hashes(k, y).items():
                print(f"x{k} {y}y {name} {digest}")
        return 0
    rows = []
    for k, y in cases:
        r = run_case(k, y)
        rows.append(r)
        print(f"x{k:<4} {y:>2} years  {r['holders']:>9,} holders  CPU {r['cpu_seconds']:>8.2f} s  "
              f"wall {r['wall_seconds']:>8.2f} s  peak {r['peak_mb']:>6,} MB  {r['trades']:,} trades", flush=True)
    for line in exponents(rows):
        print(line)
    print("targets: x10 x 10 years <= 30 s CPU; x100 x 1 year <= 40 s CPU; exponents <= 1.05")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
