"""One run of a study, as a worker executes it: scenario + seed in, serialized tables and a KPI row out.

A :class:`RunTask` carries the **resolved** scenario as plain JSON data (no file is read on the worker, so
remote Dask workers need nothing but the installed package). :func:`run_task` simulates it and returns a
:class:`RunPayload` whose tables are already Parquet bytes, exactly as :func:`rights_market.write_run`
writes them; the client only moves bytes into the store. The result depends on the scenario and the seed
alone, so it is the same on any worker (design principle 4).
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..api import simulate
from ..results import TABLE_FILES, scenario_hash, write_run
from ..scenario.model import Scenario
from .runs import ID_COLUMNS, RunTask
from .summary import run_row

__all__ = ["ID_COLUMNS", "RunPayload", "RunTask", "kpi_row_table", "run_task", "table_bytes"]

_PARAM_TYPES = {"int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(), "string": pa.string()}


@dataclass(frozen=True)
class RunPayload:
    """What a run produced: Parquet bytes per kept table, the run manifest, the one-row KPI table (bytes)."""

    run_id: str
    tables: dict[str, bytes]
    manifest: dict[str, Any]
    kpi_row: bytes


def table_bytes(table: pa.Table) -> bytes:
    """A table as Parquet bytes (zstd, statistics) — the format of every table of a run directory."""
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", write_statistics=True)
    return buf.getvalue()


def kpi_row_table(task: RunTask, kpis: dict[str, float]) -> pa.Table:
    """The one-row KPI table of a run: ``ID_COLUMNS``, parameter columns, KPI columns (float64)."""
    cols: dict[str, pa.Array] = {
        "run_id": pa.array([task.run_id], pa.string()),
        "point": pa.array([task.point], pa.int64()),
        "replication": pa.array([task.replication], pa.int64()),
        "seed": pa.array([task.seed], pa.int64()),
        "scenario_hash": pa.array([task.scenario_hash], pa.string()),
    }
    for name, value in task.params.items():
        typ = _PARAM_TYPES[task.param_types.get(name, "string")]
        if typ == pa.string() and not isinstance(value, str):
            value = json.dumps(value, sort_keys=True, ensure_ascii=False)
        cols[name] = pa.array([value], typ)
    for name, value in kpis.items():
        cols[name] = pa.array([value], pa.float64())
    return pa.table(cols)


def run_task(task: RunTask) -> RunPayload:
    """Simulate ``task`` and serialize what is to be stored (runs on a Dask worker or in-process).

    The run is written with :func:`rights_market.write_run` into a temporary directory of the worker and
    read back as bytes, so a store holds exactly the files ``rights-market run`` writes.
    """
    scenario = Scenario.model_validate(task.scenario)
    if scenario_hash(scenario) != task.scenario_hash:
        raise RuntimeError(f"run {task.run_id}: the scenario changed on its way to the worker (hash mismatch)")
    result = simulate(scenario, seed=task.seed)
    with tempfile.TemporaryDirectory(prefix="rights-market-") as tmp:
        run_dir = write_run(result, Path(tmp) / "run")
        tables = {name: (run_dir / f"{name}.parquet").read_bytes() for name in TABLE_FILES if name in task.keep}
        man = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        kpis = pd.read_parquet(run_dir / "kpis.parquet")
    row = kpi_row_table(task, run_row(kpis))
    return RunPayload(task.run_id, tables, man, table_bytes(row))
