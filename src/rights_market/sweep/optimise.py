"""Optimisation: rule parameters that meet constraints at the least burden (Optuna TPE, one or two objectives).

An optimisation file (``scenarios/optimisation/*.yaml``; ``docs/sweeps.md``)::

    name: water_surcharge_step
    scenario: ../dawukou_water.yaml
    parameters:
      water.pricing.industry.surcharge.step_share: {low: 0.1, high: 1.0, step: 0.05}
    constraints:                       # each: a metric and at_most / at_least (absolute) or
      - metric: {charges: [surcharge], sector: industry, field: quantity}
        at_most_share_of_baseline: 0.8 #   a share of the baseline's value (the scenario as written)
    objectives:                        # one or two, each minimised or maximised
      - {name: industry_charges, metric: {charges: [tariff, surcharge], sector: industry}, direction: minimize}
    seeds: {replications: 2}
    search: {trials: 24, batch_size: 4, seed: 0}

The baseline (the scenario with its ``set:``, no parameter changed) runs first on the same seeds. A trial
is *feasible* when every constraint holds for the means over its replications. Optuna sees a feasible
trial's objective values and an infeasible one's values made worse than any feasible value by a penalty
that grows with the violation, so the search is drawn towards the feasible region. The result: the best
feasible trial (one objective) or the Pareto table of the feasible trials (two objectives: no other
feasible trial is at least as good in both and better in one).
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
from .research_spec import ConstraintSpec, MetricSpec, ObjectiveSpec, OptimisationSpec, load_optimisation

__all__ = ["ConstraintSpec", "ObjectiveSpec", "OptimisationResult", "OptimisationSpec", "load_optimisation",
           "optimise"]

#: added to (or, maximising, taken from) the objective of an infeasible trial, per unit of relative violation
PENALTY = 1e12


@dataclass(frozen=True)
class OptimisationResult:
    """Every trial (parameters, objective and constraint values, feasible), the baseline's values, the best
    feasible trial (one objective) and the Pareto table of the feasible trials."""

    trials: pd.DataFrame
    baseline: dict[str, float]
    best: dict[str, Any]
    pareto: pd.DataFrame
    store: Path
    failed: dict[str, str]


def _metrics(spec: OptimisationSpec) -> list[MetricSpec]:
    seen: dict[str, MetricSpec] = {}
    for m in [o.metric for o in spec.objectives] + [c.metric for c in spec.constraints]:
        seen.setdefault(m.label(), m)
    return list(seen.values())


def _values(spec: OptimisationSpec, rec: TrialRecord, baseline: dict[str, float]) -> list[float]:
    """What Optuna sees: the objectives, made worse by a penalty when a constraint is not met."""
    v = sum(c.violation(rec.means[c.metric.label()], baseline) for c in spec.constraints)
    out = []
    for o in spec.objectives:
        x = rec.means[o.metric.label()]
        x = 0.0 if math.isnan(x) else x
        sign = 1 if o.direction == "minimize" else -1
        out.append(x + sign * PENALTY * (1 + v) if v > 0 else x)
    return out


def optimise(
    path: str | Path,
    *,
    store: str | Path | None = None,
    overrides: Sequence[str] = (),
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    overwrite: bool = False,
    max_batches: int | None = None,
) -> OptimisationResult:
    """Run (or resume) the optimisation of ``path`` into ``store`` (default ``results/optimisation/<name>``);
    ``max_batches`` as for :func:`rights_market.sweep.calibrate.calibrate`."""
    opt = load_optimisation(path, overrides)
    spec = opt.spec
    st = Path(store) if store is not None else Path("results") / "optimisation" / spec.name
    open_research_store(st, "optimisation", spec.model_dump(mode="json"), overwrite=overwrite)
    metrics = _metrics(spec)
    kw = {"scheduler": scheduler, "workers": workers, "progress": progress}
    baseline: dict[str, float] = {}
    failed: dict[str, str] = {}
    needs_baseline = any(c.at_most_share_of_baseline is not None or c.at_least_share_of_baseline is not None
                         for c in spec.constraints)
    if needs_baseline:
        base_metrics = [m for m in metrics if m.param is None]
        res = evaluate_batch(spec.name, 0, 0, [{}], spec.parameters, opt.base, base_metrics, spec.seeds, st,
                             folder="baseline", **kw)
        if res.failed:
            return _result(spec, [], {}, st, res.failed)
        baseline = res.trials[0].means
    records: list[TrialRecord] = []
    s = spec.search
    evaluated = 0
    for b in range(math.ceil(s.trials / s.batch_size)):
        size = min(s.batch_size, s.trials - b * s.batch_size)
        finished = [(r.params, _values(spec, r, baseline)) for r in records]
        points = ask_batch(spec.parameters, finished, b, size, s.seed, [o.direction for o in spec.objectives],
                           s.startup_trials)
        if max_batches is not None and evaluated >= max_batches:
            break
        res = evaluate_batch(spec.name, b, b * s.batch_size, points, spec.parameters, opt.base, metrics,
                             spec.seeds, st, **kw)
        evaluated += res.done_now > 0
        failed.update(res.failed)
        if res.failed:
            break
        records.extend(res.trials)
    return _result(spec, records, baseline, st, failed)


def _dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(x <= y for x, y in zip(a, b, strict=True)) and any(x < y for x, y in zip(a, b, strict=True))


def _result(spec: OptimisationSpec, records: list[TrialRecord], baseline: dict[str, float], st: Path,
            failed: dict[str, str]) -> OptimisationResult:
    rows = []
    for r in records:
        row: dict[str, Any] = {"trial": r.number, **{f"param.{k}": v for k, v in r.params.items()}}
        for o in spec.objectives:
            row[o.name] = r.means[o.metric.label()]
        for i, c in enumerate(spec.constraints):
            op, bound = c.bound(baseline)
            cname = c.name or f"constraint{i}"
            row[cname] = r.means[c.metric.label()]
            row[f"{cname}.bound"] = f"{op} {bound:.6g}"
        row["feasible"] = all(c.violation(r.means[c.metric.label()], baseline) == 0 for c in spec.constraints)
        rows.append(row)
    trials = pd.DataFrame(rows)
    best: dict[str, Any] = {}
    pareto = pd.DataFrame()
    if len(trials):
        ok = trials[trials["feasible"]]
        signs = [1 if o.direction == "minimize" else -1 for o in spec.objectives]
        keyed = [(tuple(s * float(r[o.name]) for s, o in zip(signs, spec.objectives, strict=True)), i)
                 for i, r in ok.iterrows()]
        front = [i for k, i in keyed if not any(_dominates(k2, k) for k2, _ in keyed)]
        pareto = ok.loc[front].sort_values([o.name for o in spec.objectives], kind="stable")
        # of equal trials (the same point asked twice) keep the first
        pareto = pareto.drop_duplicates(subset=[c for c in pareto.columns if c.startswith("param.")])
        if len(pareto):
            top = pareto.iloc[0] if len(spec.objectives) == 1 else None
            if top is not None:
                best = {"trial": int(top["trial"]),
                        "params": {k.removeprefix("param."): top[k] for k in pareto.columns if k.startswith("param.")},
                        **{o.name: float(top[o.name]) for o in spec.objectives}}
        trials.to_csv(st / "trials.csv", index=False)
        pareto.to_csv(st / "pareto.csv", index=False)
        (st / "result.json").write_text(json.dumps({"baseline": baseline, "best": best}, indent=1, default=str,
                                                   ensure_ascii=False) + "\n", encoding="utf-8")
    return OptimisationResult(trials, baseline, best, pareto, st, failed)
