"""The study commands of the CLI: ``sweep``, ``run --replications``, ``compare``, ``report STORE``.

Each takes the parsed ``argparse`` namespace and returns an exit code; bad input raises
:class:`StudyInputError` (exit 2 in :mod:`rights_market.cli`) or a located ScenarioError.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..inputerror import StudyInputError
from ..work import WorkLimitError
from .store import Store, StoreError

__all__ = ["StudyInputError", "cmd_compare", "cmd_replications", "cmd_report_store", "cmd_sweep"]


def _progress(args) -> bool | None:
    return False if getattr(args, "no_progress", False) else None


def _outcome_lines(outcome, store: Store) -> list[str]:
    lines = [f"runs: {outcome.total:,} in the study, {outcome.done_before:,} already in the store, "
             f"{outcome.done_now:,} done now, {len(outcome.failed):,} failed"]
    for run_id, reason in sorted(outcome.failed.items())[:10]:
        lines.append(f"failed: {run_id}: {reason}")
    if outcome.failed:
        lines.append(f"details in {store.failed_dir}; run the same command again to retry the failed runs")
    return lines


def _median_lines(store: Store, limit: int = 12) -> list[str]:
    """Median and 5–95 % of run-level KPIs over the runs (one point)."""
    import numpy as np

    k = store.kpis()
    cols = [c for c in k.columns if "." in c and not c.startswith("param.") and not c.endswith(".last")]
    out = []
    for c in cols[:limit]:
        v = k[c].dropna().to_numpy(dtype=float)
        if len(v):
            lo, med, hi = np.quantile(v, [0.05, 0.5, 0.95])
            out.append(f"{c:<40} median {med:>16,.4f}   5–95 %: {lo:,.4f} – {hi:,.4f}")
    return out


def cmd_sweep(args) -> int:
    """``rights-market sweep SWEEP.yaml``."""
    from .api import default_store
    from .execute import execute
    from .spec import load_sweep

    study = load_sweep(args.sweep, args.overrides)
    store = Store(args.store if args.store is not None else default_store(study))
    if args.dry_run:
        print(f"sweep {study.name}: {len(study.points):,} points × {study.replications:,} seeds = "
              f"{len(study.tasks):,} runs; store {store.path}")
        done = store.done_ids() if Store.is_store(store.path) else set()
        for t in study.tasks:
            params = ", ".join(f"{k.removeprefix('param.')}={v}" for k, v in t.params.items())
            print(f"{t.run_id}  seed {t.seed:<20} {'done' if t.run_id in done else 'todo'}  {params}")
        return 0
    try:
        outcome = execute(study, store, scheduler=args.scheduler, workers=args.workers, progress=_progress(args),
                          overwrite=args.overwrite)
    except StoreError as exc:
        raise StudyInputError(str(exc)) from exc
    for line in _outcome_lines(outcome, store):
        print(line)
    print(f"store: {store.path}  (KPIs: {store.kpis_dir}/*.parquet; query them with DuckDB, see docs/sweeps.md)")
    if args.report and outcome.complete:
        for p in _report_store(store.path, args.lang).values():
            print(f"written: {p}")
    return 0 if not outcome.failed else 1


def cmd_replications(args, scenario) -> int:
    """``rights-market run SCENARIO --replications N``: N seeds into a store, medians and bands printed."""
    from .api import default_store
    from .execute import execute
    from .study import replication_study

    try:
        study = replication_study(scenario, args.replications, args.seed)
    except WorkLimitError as exc:
        raise StudyInputError(f"--replications {args.replications:,}: {exc}") from exc
    store = Store(args.out if args.out is not None else default_store(study))
    try:
        outcome = execute(study, store, scheduler=args.scheduler, workers=args.workers, progress=_progress(args),
                          overwrite=args.overwrite, option="--out")
    except StoreError as exc:
        raise StudyInputError(str(exc)) from exc
    print(f"run: {scenario.name}  {args.replications} replications from seed {study.base_seed}")
    for line in _outcome_lines(outcome, store) + _median_lines(store):
        print(line)
    if args.report and outcome.complete:
        for p in _report_store(store.path, "en").values():
            print(f"written: {p}")
    print(f"written: {store.path}")
    return 0 if not outcome.failed else 1


def _report_store(path: Path, lang: str) -> dict[str, Path]:
    from . import report_study

    return report_study(path, lang=lang)


def cmd_report_store(args) -> int:
    """``rights-market report STORE``: the study report (fan charts, one variant per point)."""
    for p in _report_store(args.run_dir, args.lang).values():
        print(f"written: {p}")
    return 0


def cmd_compare(args) -> int:
    """``rights-market compare BASELINE [VARIANT ...]``."""
    from ..compare import compare
    from ..compare.inputs import CompareInputError, parse_variants

    try:
        paths = compare(
            args.inputs, variants=parse_variants(args.vary), overrides=args.overrides,
            replications=args.replications, seed=args.seed, out_dir=args.out, lang=args.lang,
            metrics=args.metric, workers=args.workers, scheduler=args.scheduler, progress=_progress(args),
            overwrite=args.overwrite,
        )
    except (CompareInputError, StoreError, WorkLimitError) as exc:
        raise StudyInputError(str(exc)) from exc
    for key, p in paths.items():
        if key != "dir":
            print(f"written: {p}")
    print(f"comparison: {paths['dir']}", file=sys.stdout)
    return 0
