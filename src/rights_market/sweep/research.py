"""What calibration and optimisation share: parameters with ranges, metrics of a run, batches of trials.

A *trial* is one point (a value for each named parameter, a dotted scenario path as for ``--set``); it is
evaluated over the same seeds as every other trial (common random numbers, :mod:`rights_market.sweep.seeds`).
Trials are asked from Optuna in **batches** of a fixed size; each batch is an ordinary sweep study
(:func:`rights_market.sweep.study.build_study`) run by :func:`rights_market.sweep.execute.execute` — on Dask
or in this process — into its own resumable store ``STORE/batches/b<NNNN>/``. The batch size is part of the
file, never the number of workers, so the trials and their results do not depend on the workers.

Determinism and resume: the sampler of batch *b* is a fresh ``TPESampler`` seeded with
``SeedSequence(seed, spawn_key=(b,))`` that has seen exactly the finished trials of the batches before *b*.
A batch's points are therefore a pure function of the file and of the results before it: a re-run asks the
same points again, finds their runs finished in the batch's store (re-creating the Optuna trials from it)
and goes on with the first unfinished batch.

Metrics (``metric:`` of a target, objective or constraint), one of:

* ``{kpi: water.mean_price, year: 2021}`` — a KPI of ``kpis.parquet`` (``docs/tables.md``): its value in
  ``year``, or without a year the ``reduce`` (``mean``, ``sum``, ``last``) of its yearly values;
* ``{charges: [surcharge], sector: industry, field: amount}`` — charges of those kinds paid by holders of a
  sector (and/or ``group``), summed over the run (or in ``year``): ``amount`` in yuan or ``quantity`` in
  base units (the surcharged quantity of W9 is the volume used over plan, m³);
* ``{param: water.pricing.industry.surcharge.step_share}`` — the trial's own value of a parameter.

A trial's value of a metric is the mean over its replications.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..inputerror import StudyInputError
from .design import Point
from .execute import execute
from .research_spec import Base, FloatRange, IntRange, MetricSpec, Range, TrialSeedsSpec
from .store import Store, StoreError
from .study import Study, build_study
from .summary import yearly_kpis

__all__ = ["Base", "BatchResult", "FloatRange", "IntRange", "MetricSpec", "Range", "TrialSeedsSpec", "TrialRecord",
           "batch_seed", "evaluate_batch", "open_research_store"]


def batch_seed(seed: int, batch: int) -> int:
    """The sampler seed of batch ``batch``: independent streams per batch, from one seed."""
    return int(np.random.SeedSequence(seed, spawn_key=(batch,)).generate_state(1, np.uint32)[0])


# ------------------------------------------------------------------------------------------- metrics
def metric_value(spec: MetricSpec, run_dir: Path, params: dict[str, Any]) -> float:
    """The value of ``spec`` in one finished run (NaN when the run did not record it)."""
    if spec.param is not None:
        return float(params[spec.param])
    if spec.kpi is not None:
        right, metric = spec.kpi.split(".", 1)
        y = yearly_kpis(pd.read_parquet(run_dir / "kpis.parquet"))
        v = y[(y["right"] == right) & (y["metric"] == metric)].sort_values("year")
        if spec.year is not None:
            v = v[v["year"] == spec.year]
            return float(v["value"].iloc[-1]) if len(v) else math.nan
        if not len(v):
            return math.nan
        vals = v["value"]
        return float({"mean": vals.mean, "sum": vals.sum, "last": lambda: vals.iloc[-1]}[spec.reduce]())
    c = pd.read_parquet(run_dir / "charges.parquet")
    h = pd.read_parquet(run_dir / "holders.parquet")[["holder", "group", "sector"]]
    c = c[c["kind"].astype(str).isin(spec.charges or [])].merge(h, on="holder", how="left")
    if spec.sector is not None:
        c = c[c["sector"].astype(str) == spec.sector]
    if spec.group is not None:
        c = c[c["group"].astype(str) == spec.group]
    if spec.year is not None:
        c = c[c["year"] == spec.year]
    return float(c["amount_fen"].sum()) / 100 if spec.field == "amount" else float(c["quantity"].sum())


# ------------------------------------------------------------------------------------------- batches
@dataclass(frozen=True)
class TrialRecord:
    """A finished trial: its number, parameter values, and per metric label the mean and the standard
    deviation over its replications."""

    number: int
    params: dict[str, Any]
    means: dict[str, float]
    sds: dict[str, float]


@dataclass(frozen=True)
class BatchResult:
    trials: list[TrialRecord]
    done_before: int
    done_now: int
    failed: dict[str, str]


def evaluate_batch(
    name: str,
    batch: int,
    first_number: int,
    points: list[dict[str, Any]],
    parameters: dict[str, Range],
    base: Base,
    metrics: Sequence[MetricSpec],
    seeds: TrialSeedsSpec,
    store: Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    folder: str = "batches",
) -> BatchResult:
    """Run the trials ``points`` (numbered from ``first_number``) × the replications into
    ``store/<folder>/b<batch>`` and measure ``metrics`` on each trial."""
    pts = [Point(first_number + i, dict(v), {k: ("parameters", k, "low") for k in v}) for i, v in enumerate(points)]
    scenarios = [base.trial(parameters, p.values) for p in pts]
    base_seed = seeds.base if seeds.base is not None else scenarios[0].seed
    keep = ("kpis", *sorted(set().union(*(m.tables() for m in metrics)))) if metrics else ("kpis",)
    study: Study = build_study(f"{name}-{folder}-{batch:04d}", "sweep", pts, scenarios, base_seed,
                               seeds.replications, keep)
    st = Store(store / folder / f"b{batch:04d}")
    try:
        outcome = execute(study, st, scheduler=scheduler, workers=workers, progress=progress)
    except StoreError as exc:
        raise StudyInputError(str(exc)) from exc
    records = []
    if not outcome.failed:
        for p in pts:
            runs = [t for t in study.tasks if t.point == p.index]
            values = {m.label(): [metric_value(m, st.run_dir(t.run_id), p.values) for t in runs] for m in metrics}
            records.append(TrialRecord(
                p.index, dict(p.values),
                {k: float(np.nanmean(v)) if not all(math.isnan(x) for x in v) else math.nan
                 for k, v in values.items()},
                {k: float(np.nanstd(v)) if sum(not math.isnan(x) for x in v) > 1 else 0.0
                 for k, v in values.items()},
            ))
    return BatchResult(records, outcome.done_before, outcome.done_now, dict(outcome.failed))


# ------------------------------------------------------------------------------------------- the store
def spec_hash(spec: dict[str, Any]) -> str:
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def open_research_store(path: Path, kind: str, spec: dict[str, Any], *, overwrite: bool = False) -> None:
    """Make ``path`` the store of this calibration or optimisation (``kind``), or check that it is.

    A store holds ``<kind>.json`` (the file as validated, and its hash); one of another file is refused
    unless ``overwrite`` (then emptied). A new store must be a new or empty folder."""
    import shutil

    from ..atomic import write_atomic
    from ..outdir import OutputError, claim

    marker = path / f"{kind}.json"
    record = {"kind": kind, "spec_hash": spec_hash(spec), "spec": spec}
    if marker.is_file():
        old = json.loads(marker.read_text(encoding="utf-8"))
        if old.get("spec_hash") == record["spec_hash"]:
            return
        if not overwrite:
            raise StudyInputError(f"{path}: this store holds another {kind} ('{old.get('spec', {}).get('name')}'); "
                                  f"nothing was written: use a new --store, or add --overwrite to replace it")
        for p in path.iterdir():
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
    else:
        try:
            claim(path, "store", option="--store")
        except OutputError as exc:
            raise StudyInputError(str(exc)) from None
        if path.is_dir() and any(not p.name.startswith(".") for p in path.iterdir()):
            raise StudyInputError(f"{path}: the folder is not empty and is not a {kind} store; nothing was "
                                  f"written: choose an empty or new folder with --store")
    path.mkdir(parents=True, exist_ok=True)
    write_atomic(marker, (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


# ------------------------------------------------------------------------------------------- optuna
def ask_batch(
    parameters: dict[str, Range],
    finished: Sequence[tuple[dict[str, Any], list[float]]],
    batch: int,
    size: int,
    seed: int,
    directions: Sequence[str],
    startup_trials: int,
) -> list[dict[str, Any]]:
    """The ``size`` points of batch ``batch``: asked from a fresh TPE sampler seeded for this batch that has
    seen the ``finished`` trials (``(params, objective values)``, in trial order) and nothing else."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=batch_seed(seed, batch), n_startup_trials=startup_trials)
    study = optuna.create_study(directions=list(directions), sampler=sampler)
    dists = {name: rng.distribution() for name, rng in parameters.items()}
    for params, values in finished:
        study.add_trial(optuna.trial.create_trial(
            params=params, distributions=dists, values=[float(v) for v in values]))
    out = []
    for _ in range(size):
        trial = study.ask(dists)
        out.append({name: parameters[name].value(trial.params[name]) for name in parameters})
    return out
