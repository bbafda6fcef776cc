"""Speed-up of a 16-run sweep on a local Dask cluster with 1 and with 2 worker processes.

Each run is the default Dawukou water scenario (3,885 holders, weekly sessions) over 10 years, a few
seconds of work; the sweep is a 2 × 2 grid × 4 seeds. Both timings use a real LocalCluster on 127.0.0.1
(started before the clock starts) and a fresh store; the stores must hold identical KPI files.

    .venv/bin/python benchmarks/bench_sweep.py            # prints both times and the speed-up
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from rights_market.sweep import run_sweep
from rights_market.sweep.execute import local_cluster

ROOT = Path(__file__).resolve().parents[1]
SWEEP = f"""name: bench_sweep
scenario: {ROOT / 'scenarios' / 'dawukou_water.yaml'}
set:
  calendar.years: 10
design:
  type: grid
  parameters:
    water.default_base_price_yuan_per_m3: [0.8, 1.4]
    water.market.mechanism.type: [cda, call]
seeds: {{base: 1, replications: 4}}
keep_tables: [kpis, trades]
"""


def timed(n_workers: int, sweep: Path, store: Path) -> float:
    with local_cluster(n_workers) as cluster:
        cluster.get_client().run(lambda: __import__("rights_market.sweep.task"))  # warm the workers' imports
        t0 = time.perf_counter()
        study, _, outcome = run_sweep(sweep, store=store, scheduler=cluster.scheduler_address, progress=False)
        elapsed = time.perf_counter() - t0
    assert outcome.complete and len(study.tasks) == 16, outcome
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sweep = Path(tmp) / "bench.yaml"
        sweep.write_text(SWEEP, encoding="utf-8")
        one = timed(1, sweep, Path(tmp) / "one")
        two = timed(2, sweep, Path(tmp) / "two")
        same = all((Path(tmp) / "one" / "kpis" / p.name).read_bytes() == p.read_bytes()
                   for p in (Path(tmp) / "two" / "kpis").glob("*.parquet"))
    print(f"16 runs, 1 worker : {one:7.2f} s  ({one / 16:.2f} s per run)")
    print(f"16 runs, 2 workers: {two:7.2f} s")
    print(f"speed-up: {one / two:.2f}   identical KPI rows: {same}")


if __name__ == "__main__":
    main()
