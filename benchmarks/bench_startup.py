"""CPU seconds (user + sys) of whole ``rights-market`` processes that do little work: start-up cost.

Each command runs as its own process (``python -m rights_market ...``) ``--repeat`` times; the script prints the
median user + sys CPU seconds of the child (from ``os.wait4``'s resource usage, so the figures hold on a loaded
machine) and its median wall time. Target: ``validate`` and ``charge`` at most 0.5 s CPU each.

Run from the repository root: ``python benchmarks/bench_startup.py [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (label, arguments after ``python -m rights_market``)
COMMANDS = [
    ("--version", ["--version"]),
    ("--help", ["--help"]),
    ("schema", ["schema"]),
    ("validate", ["validate", "scenarios/dawukou_water.yaml"]),
    ("charge", ["charge", "scenarios/dawukou_water.yaml", "--product", "industry", "--plan", "1000",
                "--use", "1500"]),
]

TARGET_CPU_S = 0.5


def cpu_of(argv: list[str]) -> tuple[float, float]:
    """(user + sys CPU seconds, wall seconds) of one child process running ``argv``; fails if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err}")
    return usage.ru_utime + usage.ru_stime, wall


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="median of this many processes per command")
    args = ap.parse_args(argv)
    base = [sys.executable, "-m", "rights_market"]
    print(f"{'command':<10} {'CPU s (user+sys)':>17} {'wall s':>8}   median of {args.repeat}")
    for label, rest in COMMANDS:
        runs = [cpu_of(base + rest) for _ in range(args.repeat)]
        cpu = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        mark = ""
        if label in ("validate", "charge"):
            mark = f"   (target <= {TARGET_CPU_S} s CPU: {'met' if cpu <= TARGET_CPU_S else 'NOT met'})"
        print(f"{label:<10} {cpu:>17.3f} {wall:>8.3f}{mark}")


if __name__ == "__main__":
    main()
