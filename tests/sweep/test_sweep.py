"""Sweeps on a real Dask cluster (loopback): designs, seeds, located errors, the store, resume, DuckDB."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import SCENARIOS, SMALL_WATER, cli_in_process
from rights_market.scenario import ScenarioError
from rights_market.sweep import Store, StoreError, load_sweep, replication_seeds, run_sweep
from rights_market.sweep.design import grid_points
from rights_market.sweep.execute import local_cluster

ROOT = Path(__file__).resolve().parents[2]


def sweep_file(tmp_path: Path, *, design: str | None = None, replications: int = 2, extra_set=(),
               name: str = "tiny") -> Path:
    """A sweep over the small water scenario (``SMALL_WATER``): 2 × 2 grid × ``replications`` seeds."""
    values = dict(s.split("=", 1) for s in [*SMALL_WATER, *extra_set])  # later settings win
    sets = "\n".join(f"  {k}: {v}" for k, v in values.items())
    design = design or """design:
  type: grid
  parameters:
    water.default_base_price_yuan_per_m3: [0.8, 1.2]
    water.market.mechanism.type: [cda, call]"""
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"""name: {name}
scenario: {SCENARIOS / 'dawukou_water.yaml'}
set:
{sets}
{design}
seeds: {{base: 5, replications: {replications}}}
""", encoding="utf-8")
    return path


def files(store: Path) -> dict[str, bytes]:
    """Every Parquet file of a store (KPI rows and run tables) by relative path."""
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*.parquet"))}


# ------------------------------------------------------------------------------------ pure parts
def test_replication_seeds_follow_the_documented_formula() -> None:
    seeds = replication_seeds(20210701, 4)
    assert seeds[0] == 20210701  # replication 0 is the plain run
    for k in (1, 2, 3):
        expected = int(np.random.SeedSequence(20210701, spawn_key=(k,)).generate_state(1, np.uint64)[0] >> 1)
        assert seeds[k] == expected
    assert len(set(seeds)) == 4 and all(0 <= s < 2**63 for s in seeds)
    assert replication_seeds(20210701, 2) == seeds[:2]  # more replications never change the first ones


def test_grid_order_last_parameter_fastest() -> None:
    pts = grid_points({"a": [1, 2], "b": ["x", "y", "z"]}, ("design", "parameters"))
    assert [tuple(p.values.values()) for p in pts] == [(1, "x"), (1, "y"), (1, "z"), (2, "x"), (2, "y"), (2, "z")]
    assert pts[4].source == {"a": ("design", "parameters", "a", 1), "b": ("design", "parameters", "b", 1)}


def test_random_design_is_reproducible_and_typed(tmp_path: Path) -> None:
    design = """design:
  type: random
  samples: 5
  seed: 11
  parameters:
    water.market.mechanism.type: {type: choice, values: [cda, call]}
    water.groups.0.participation: {type: uniform, low: 0.1, high: 0.6, decimals: 2}
    water.groups.1.count: {type: integer, low: 3, high: 6}"""
    a = load_sweep(sweep_file(tmp_path, design=design, replications=1))
    b = load_sweep(sweep_file(tmp_path, design=design, replications=1))
    assert [t.params for t in a.tasks] == [t.params for t in b.tasks]
    assert a.param_types == {"param.water.market.mechanism.type": "string",
                             "param.water.groups.0.participation": "float64",
                             "param.water.groups.1.count": "int64"}
    for t in a.tasks:
        assert 0.1 <= t.params["param.water.groups.0.participation"] <= 0.6
        assert round(t.params["param.water.groups.0.participation"], 2) == t.params["param.water.groups.0.participation"]
        assert 3 <= t.params["param.water.groups.1.count"] <= 6
        assert t.scenario["water"]["groups"][1]["count"] == t.params["param.water.groups.1.count"]


def test_sweep_file_errors_are_located(tmp_path: Path) -> None:
    bad_value = sweep_file(tmp_path, name="bad_value", design="""design:
  type: grid
  parameters:
    water.default_base_price_yuan_per_m3: [0.8, -0.5]""")
    with pytest.raises(ScenarioError) as err:
        load_sweep(bad_value)
    text = str(err.value)
    line = bad_value.read_text().splitlines().index("    water.default_base_price_yuan_per_m3: [0.8, -0.5]") + 1
    assert f"{bad_value}:{line}:49: water.default_base_price_yuan_per_m3: expected greater than or equal to 0" in text

    bad_path = sweep_file(tmp_path, name="bad_path", design="""design:
  type: grid
  parameters:
    water.pricing.industy.surcharge.step_share: [0.5]""")
    with pytest.raises(ScenarioError, match=r"bad_path.yaml:\d+:5: design.parameters.water.pricing.industy"
                                            r".surcharge.step_share: no key 'industy'.*did you mean 'industry'"):
        load_sweep(bad_path)

    typo = tmp_path / "typo.yaml"
    typo.write_text("name: t\nscenario: x.yaml\ndesign:\n  type: grdi\n  parameters: {a: [1]}\n")
    with pytest.raises(ScenarioError, match=r"typo.yaml:4:9: design.type: unknown type 'grdi'.*'grid'"):
        load_sweep(typo)

    p = cli_in_process("sweep", str(bad_value))
    assert p.returncode == 2 and "expected greater than or equal to 0" in p.stderr
    assert "Traceback" not in p.stderr


# ------------------------------------------------------------------------------------ Dask
@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny sweep run in this process (no cluster): the reference for the Dask runs. Two years (a mean
    over years to check) of quarterly sessions: the same bytes on any cluster is a property of every size."""
    tmp = tmp_path_factory.mktemp("ref")
    path = sweep_file(tmp, extra_set=("calendar.years=2", "calendar.sessions_per_year=4"))
    _, store, outcome = run_sweep(path, store=tmp / "store", workers=1, progress=False)
    assert outcome.complete and not outcome.failed
    return path, store.path


@pytest.mark.slow
@pytest.mark.parametrize("n_workers", [1, 2])
def test_same_results_on_a_real_cluster_with_1_and_2_workers(reference, tmp_path: Path, n_workers: int) -> None:
    """Deterministic: a real scheduler and ``n_workers`` worker processes on 127.0.0.1 write the same bytes."""
    path, ref_store = reference
    with local_cluster(n_workers) as cluster:
        assert len(cluster.workers) == n_workers
        study, store, outcome = run_sweep(path, store=tmp_path / "store", scheduler=cluster.scheduler_address,
                                          progress=False)
    assert outcome.done_now == len(study.tasks) == 8 and not outcome.failed
    assert files(store.path) == files(ref_store)
    kpis = store.kpis()
    assert len(kpis) == 8 and kpis["run_id"].is_unique
    assert list(kpis["seed"].unique()) == replication_seeds(5, 2)
    # each run's KPI row agrees with its own kpis table
    run = pd_read(store.run_dir("p0003-r01") / "kpis.parquet")
    eff = run[run["metric"] == "efficiency"].sort_values("time").groupby("year")["value"].last()
    assert kpis.set_index("run_id").loc["p0003-r01", "water.efficiency"] == pytest.approx(eff.mean())
    assert kpis.set_index("run_id").loc["p0003-r01", "param.water.market.mechanism.type"] == "call"


def pd_read(path: Path):
    import pandas as pd

    return pd.read_parquet(path)


@pytest.mark.slow
def test_a_killed_sweep_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    """SIGKILL a sweep (client, scheduler and workers) mid-way, run it again: every run once, none redone."""
    path = sweep_file(tmp_path, replications=4)  # 16 runs
    store = tmp_path / "store"
    cmd = [sys.executable, "-m", "rights_market", "sweep", str(path), "--store", str(store), "--workers", "2",
           "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = list((store / "kpis").glob("*.parquet")) if (store / "kpis").is_dir() else []
            if len(done) >= 3 or proc.poll() is not None:
                break
            time.sleep(0.02)
    finally:
        with contextlib.suppress(ProcessLookupError):  # the sweep's own process group: client and workers
            os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, err.decode()
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (store / "kpis").glob("*.parquet")}
    assert 3 <= len(before) < 16, "the sweep should have been killed mid-way"
    for name in before:  # every finished run is whole
        run = store / "runs" / name.removesuffix(".parquet")
        assert (run / "manifest.json").is_file() and (run / "kpis.parquet").is_file()

    # resumed in this process, on one worker: the store does not care how (the killed process is the subprocess)
    p = cli_in_process("sweep", str(path), "--store", str(store), "--workers", "1", "--no-progress")
    assert p.returncode == 0, p.stderr
    assert f"{len(before)} already in the store, {16 - len(before)} done now, 0 failed" in p.stdout
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (store / "kpis").glob("*.parquet")}
    assert len(after) == 16
    assert {k: after[k] for k in before} == before  # finished runs were not redone
    assert not list(store.rglob(".tmp-*")) and not list(store.rglob("*.tmp"))
    kpis = Store(store).kpis()
    assert len(kpis) == 16 and kpis["run_id"].is_unique
    assert sorted(d.name for d in (store / "runs").iterdir()) == sorted(kpis["run_id"])


def test_store_refuses_another_study_and_a_second_writer(reference, tmp_path: Path) -> None:
    path, ref_store = reference
    other = sweep_file(tmp_path, replications=3)
    with pytest.raises(StoreError, match="holds another study"):
        run_sweep(other, store=ref_store, workers=1, progress=False)
    _, store, outcome = run_sweep(path, store=ref_store, workers=1, progress=False)  # same study: nothing to do
    assert outcome.done_before == 8 and outcome.done_now == 0
    study = load_sweep(path)
    store.open(study.record())
    try:
        with pytest.raises(StoreError, match="another process is writing"):
            Store(ref_store).open(study.record())
    finally:
        store.close()
    nonempty = tmp_path / "nonempty"
    nonempty.mkdir()
    (nonempty / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not empty"):
        run_sweep(path, store=nonempty, workers=1, progress=False)


def test_documented_duckdb_query_runs_on_the_store(tmp_path: Path) -> None:
    """The queries of docs/sweeps.md, run on a store of the documented sweep file (shrunk)."""
    import duckdb

    doc = (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")
    queries = re.findall(r"```sql\n(.*?)```", doc, re.S)
    assert len(queries) == 2
    # the documented sweep, extended to the small scenario for one year of quarterly sessions
    shrunk = tmp_path / "shrunk.yaml"
    small = [s for s in SMALL_WATER if not s.startswith("calendar.")] + ["calendar.years=1",
                                                                         "calendar.sessions_per_year=4"]
    sets = "\n".join(f"  {s.split('=')[0]}: {s.split('=')[1]}" for s in small)
    shrunk.write_text(f"extends: {ROOT / 'scenarios' / 'sweeps' / 'water_price_grid.yaml'}\nset:\n{sets}\n")
    _, store, outcome = run_sweep(shrunk, store=tmp_path / "s", overrides=["seeds.replications=2"], workers=1,
                                  progress=False)
    assert outcome.complete
    con = duckdb.connect()
    rows = con.sql(queries[0].replace("results/sweeps/water_price_grid", str(store.path))).fetchall()
    assert len(rows) == 6  # 3 base prices × 2 surcharge steps
    assert [(r[0], r[1]) for r in rows] == [(0.8, 0.5), (0.8, 1.0), (1.081, 0.5), (1.081, 1.0), (1.4, 0.5), (1.4, 1.0)]
    assert all(r[2] == 2 for r in rows)
    kpis = store.kpis()
    first = kpis[kpis["point"] == 0]["water.efficiency"]
    assert rows[0][3] == pytest.approx(float(np.median(first)))
    assert rows[0][4] <= rows[0][3] <= rows[0][5]
    assert con.sql(f"SELECT count(*), count(DISTINCT run_id) FROM read_parquet('{store.path}/kpis/*.parquet', "
                   f"union_by_name = true)").fetchall() == [(12, 12)]
    trades = con.sql(queries[1].replace("results/sweeps/water_price_grid", str(store.path))).df()
    assert set(trades["run_id"]) == set(kpis["run_id"])
    study = json.loads((store.path / "study.json").read_text())
    assert study["kind"] == "sweep" and len(study["runs"]) == 12
