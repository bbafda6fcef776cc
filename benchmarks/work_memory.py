"""Peak memory and CPU of one run, for the figures of :mod:`rights_market.work` (docs/reliability.md).

    PYTHONPATH=src python benchmarks/work_memory.py water N EVERY YEARS   # N urban households
    PYTHONPATH=src python benchmarks/work_memory.py shouts N              # N shouts a trading day, 10 days
    PYTHONPATH=src python benchmarks/work_memory.py pledges N             # N pledge rules, 2 years

Run each in a fresh process: it prints the peak resident set size (ru_maxrss) in bytes, the CPU seconds of the
run and the rows of its tables. The ``water`` case also writes the run directory (into a temporary folder).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from rights_market.api import load_scenario, simulate, write_run

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def main(argv: list[str]) -> None:
    kind, n = argv[0], int(argv[1])
    if kind == "water":
        every, years = argv[2], int(argv[3])
        s = load_scenario(SCENARIOS / "dawukou_water.yaml", [
            f"water.groups.3.count={n}", f"output.holdings_every={every}", f"calendar.years={years}",
            "water.cap_m3=1000000000"])
    elif kind == "shouts":
        s = load_scenario(SCENARIOS / "teaching" / "smith1962_test1.yaml",
                          [f"teaching.shouts_per_period={n}", "teaching.rules=cda"])
    else:
        base = load_scenario(SCENARIOS / "dawukou_four_rights.yaml", ["calendar.years=2"])
        links = base.links.model_copy(update={"pledges": [base.links.pledges[0]] * n})
        s = base.model_copy(update={"links": links})
    t = time.process_time()
    r = simulate(s)
    if kind == "water":
        with tempfile.TemporaryDirectory() as d:
            write_run(r, Path(d) / "run")
    rows = {k: r.tables.rows(k) for k in r.tables}
    print(kind, *argv[1:], f"{time.process_time() - t:.1f} s CPU",
          resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "bytes peak", rows)


if __name__ == "__main__":
    main(sys.argv[1:])
