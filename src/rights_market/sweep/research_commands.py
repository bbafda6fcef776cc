"""The CLI commands ``calibrate`` and ``optimise``: run or resume, then print the fit or the Pareto table."""

from __future__ import annotations

import math

from .commands import _progress

__all__ = ["cmd_calibrate", "cmd_optimise"]


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:,.6g}"
    return str(v)


def _failed(failed: dict[str, str], store) -> int:
    for run_id, reason in sorted(failed.items())[:10]:
        print(f"failed: {run_id}: {reason}")
    print(f"details in {store}/batches/*/failed; run the same command again to retry")
    return 1


def cmd_calibrate(args) -> int:
    """``rights-market calibrate CALIBRATION.yaml``."""
    from .calibrate import calibrate

    r = calibrate(args.file, store=args.store, overrides=args.overrides, scheduler=args.scheduler,
                  workers=args.workers, progress=_progress(args), overwrite=args.overwrite)
    if r.failed:
        return _failed(r.failed, r.store)
    print(f"calibration: {len(r.trials):,} trials, {r.runs_done_now:,} runs done now; store {r.store}")
    print(f"best: trial {r.best['trial']}, loss {r.best['loss']:.4g}  "
          + ", ".join(f"{k} = {_fmt(v)}" for k, v in r.best["params"].items()))
    print(f"{'target':<24} {'observed':>14} {'model':>14} {'residual':>12} {'tolerance':>10}  within  source")
    for t in r.residuals.itertuples(index=False):
        print(f"{t.target:<24} {_fmt(t.observed):>14} {_fmt(t.model):>14} {_fmt(t.residual):>12} "
              f"{_fmt(t.tolerance):>10}  {'yes' if t.within else 'no ':<6}  {t.source}")
    for u in r.uncertainty.itertuples(index=False):
        span = (f"{_fmt(u.low)} – {_fmt(u.high)} over {u.acceptable_trials} acceptable trials"
                if u.acceptable_trials else "no trial fits every target within its tolerance")
        print(f"uncertainty: {u.parameter}: {span}")
    print(f"written: {r.store}/trials.csv, residuals.csv, uncertainty.csv, best.json")
    return 0


def cmd_optimise(args) -> int:
    """``rights-market optimise OPTIMISATION.yaml``."""
    from .optimise import optimise

    r = optimise(args.file, store=args.store, overrides=args.overrides, scheduler=args.scheduler,
                 workers=args.workers, progress=_progress(args), overwrite=args.overwrite)
    if r.failed:
        return _failed(r.failed, r.store)
    n_ok = int(r.trials["feasible"].sum()) if len(r.trials) else 0
    print(f"optimisation: {len(r.trials):,} trials, {n_ok:,} feasible; store {r.store}")
    for k, v in r.baseline.items():
        print(f"baseline: {k} = {_fmt(v)}")
    if not len(r.pareto):
        print("no trial meets every constraint: widen the parameter ranges or add trials")
        return 0
    print("best (feasible, non-dominated):" if len(r.pareto) > 1 else "best (feasible):")
    cols = [c for c in r.pareto.columns if c != "feasible"]
    print("  ".join(f"{c.removeprefix('param.'):>16}" for c in cols))
    for row in r.pareto[cols].itertuples(index=False):
        print("  ".join(f"{_fmt(v):>16}" for v in row))
    print(f"written: {r.store}/trials.csv, pareto.csv, result.json")
    return 0
