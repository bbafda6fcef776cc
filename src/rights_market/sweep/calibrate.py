"""Calibration: fit named scenario parameters to observed figures with Optuna's TPE sampler.

A calibration file (``scenarios/calibration/*.yaml``; ``docs/sweeps.md``)::

    name: yinchuan_2021_buyer_value
    scenario: ../cases/yinchuan_2021_nox_resale.yaml
    parameters:                      # dotted scenario paths; float {low, high, step?, decimals?} or int
      emission.groups.1.pollutants.NOx.abatement.mac_yuan_per_t.0:
        {type: int, low: 600, high: 2000, also: [emission.groups.1.pollutants.NOx.abatement.mac_yuan_per_t.1]}
    targets:
      - name: price
        metric: {kpi: emission.mean_price_NOx, year: 2021}
        observed: 4000
        tolerance: 100               # a fit within it is acceptable
        source: "[R] nxnews.net 2021-11-30"
    seeds: {replications: 2}
    search: {trials: 24, batch_size: 4, seed: 0}

The loss of a trial is ``Σ ((model − observed) / tolerance)²`` over the targets, the model's value being the
mean over the trial's replications. The result: the best trial, each target's residual, and the parameter
uncertainty as the range of each parameter over the *acceptable* trials (every target within its
tolerance). Results go into a store (:mod:`rights_market.sweep.research`), resumable.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .research import (
    TrialRecord,
    ask_batch,
    evaluate_batch,
    open_research_store,
)
from .research_spec import CalibrationSpec, SearchSpec, TargetSpec, load_calibration

__all__ = ["CalibrationResult", "CalibrationSpec", "SearchSpec", "TargetSpec", "calibrate", "load_calibration"]

#: the loss given to a trial whose model value of a target is missing (the run never recorded it)
MISSING_LOSS = 1e12


def loss(spec: CalibrationSpec, means: dict[str, float]) -> float:
    total = 0.0
    for t in spec.targets:
        v = means[t.metric.label()]
        if math.isnan(v):
            return MISSING_LOSS
        total += ((v - t.observed) / t.tolerance) ** 2
    return total


@dataclass(frozen=True)
class CalibrationResult:
    """The trials (one row each: number, parameters, loss, model value per target, acceptable), the best
    trial, its residuals per target, the parameter ranges over the acceptable trials, and the store."""

    trials: pd.DataFrame
    best: dict[str, Any]
    residuals: pd.DataFrame
    uncertainty: pd.DataFrame
    store: Path
    runs_done_now: int
    failed: dict[str, str]


def _row(spec: CalibrationSpec, rec: TrialRecord) -> dict[str, Any]:
    row: dict[str, Any] = {"trial": rec.number, **{f"param.{k}": v for k, v in rec.params.items()}}
    row["loss"] = loss(spec, rec.means)
    ok = True
    for t in spec.targets:
        v = rec.means[t.metric.label()]
        row[f"model.{t.name}"] = v
        ok = ok and not math.isnan(v) and abs(v - t.observed) <= t.tolerance
    row["acceptable"] = ok
    return row


def calibrate(
    path: str | Path,
    *,
    store: str | Path | None = None,
    overrides: Sequence[str] = (),
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    overwrite: bool = False,
    max_batches: int | None = None,
) -> CalibrationResult:
    """Run (or resume) the calibration of ``path`` into ``store`` (default ``results/calibration/<name>``).

    ``max_batches`` stops after that many batches have been evaluated in this call (a partial run, resumed
    by the next call)."""
    cal = load_calibration(path, overrides)
    spec = cal.spec
    st = Path(store) if store is not None else Path("results") / "calibration" / spec.name
    open_research_store(st, "calibration", spec.model_dump(mode="json"), overwrite=overwrite)
    metrics = [t.metric for t in spec.targets]
    records: list[TrialRecord] = []
    s = spec.search
    n_batches = math.ceil(s.trials / s.batch_size)
    done_now, failed, evaluated = 0, {}, 0
    for b in range(n_batches):
        size = min(s.batch_size, s.trials - b * s.batch_size)
        finished = [(r.params, [loss(spec, r.means)]) for r in records]
        points = ask_batch(spec.parameters, finished, b, size, s.seed, ["minimize"], s.startup_trials)
        if max_batches is not None and evaluated >= max_batches:
            break
        res = evaluate_batch(spec.name, b, b * s.batch_size, points, spec.parameters, cal.base, metrics,
                             spec.seeds, st, scheduler=scheduler, workers=workers, progress=progress)
        evaluated += res.done_now > 0
        done_now += res.done_now
        failed.update(res.failed)
        if res.failed:
            break
        records.extend(res.trials)
    return _result(spec, records, st, done_now, failed)


def _result(spec: CalibrationSpec, records: list[TrialRecord], st: Path, done_now: int,
            failed: dict[str, str]) -> CalibrationResult:
    trials = pd.DataFrame([_row(spec, r) for r in records])
    best: dict[str, Any] = {}
    residuals = pd.DataFrame(columns=["target", "metric", "observed", "model", "replication_sd", "residual",
                                      "tolerance", "within", "source"])
    unc = pd.DataFrame(columns=["parameter", "best", "acceptable_trials", "low", "high"])
    if len(trials):
        i = int(trials["loss"].idxmin())
        rec = records[i]
        best = {"trial": rec.number, "loss": float(trials.loc[i, "loss"]), "params": rec.params}
        residuals = pd.DataFrame([
            {"target": t.name, "metric": t.metric.label(), "observed": t.observed,
             "model": rec.means[t.metric.label()], "replication_sd": rec.sds[t.metric.label()],
             "residual": rec.means[t.metric.label()] - t.observed, "tolerance": t.tolerance,
             "within": abs(rec.means[t.metric.label()] - t.observed) <= t.tolerance, "source": t.source}
            for t in spec.targets])
        ok = trials[trials["acceptable"]]
        unc = pd.DataFrame([
            {"parameter": name, "best": rec.params[name], "acceptable_trials": len(ok),
             "low": float(ok[f"param.{name}"].min()) if len(ok) else math.nan,
             "high": float(ok[f"param.{name}"].max()) if len(ok) else math.nan}
            for name in spec.parameters])
        trials.to_csv(st / "trials.csv", index=False)
        residuals.to_csv(st / "residuals.csv", index=False)
        unc.to_csv(st / "uncertainty.csv", index=False)
        (st / "best.json").write_text(json.dumps(best, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return CalibrationResult(trials, best, residuals, unc, st, done_now, failed)
