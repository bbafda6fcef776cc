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


def _labels(args):
    from ..lang import resolve
    from ..report.labels import Labels

    return Labels(resolve(getattr(args, "lang", None)))


def _outcome_lines(outcome, store: Store, L=None) -> list[str]:
    if L is None:
        from ..report.labels import Labels

        L = Labels("en")
    lines = [L("cli.outcome", total=outcome.total, before=outcome.done_before, now=outcome.done_now,
               failed=len(outcome.failed))]
    for run_id, reason in sorted(outcome.failed.items())[:10]:
        lines.append(L("cli.failed", run=run_id, reason=reason))
    if outcome.failed:
        lines.append(L("cli.failed_details", path=store.failed_dir))
    return lines


def _median_lines(store: Store, limit: int = 12, L=None) -> list[str]:
    """Median and 5–95 % of run-level KPIs over the runs (one point)."""
    import numpy as np

    k = store.kpis()
    cols = [c for c in k.columns if "." in c and not c.startswith("param.") and not c.endswith(".last")]
    out = []
    for c in cols[:limit]:
        v = k[c].dropna().to_numpy(dtype=float)
        if len(v):
            lo, med, hi = np.quantile(v, [0.05, 0.5, 0.95])
            if L is None:
                out.append(f"{c:<40} median {med:>16,.4f}   5–95 %: {lo:,.4f} – {hi:,.4f}")
            else:
                right, _, metric = c.partition(".")
                name = f"{L.right(right)}.{L.metric(metric)}" if L.lang != "en" else c
                out.append(L("cli.median", metric=name, median=med, low=lo, high=hi))
    return out


def cmd_sweep(args) -> int:
    """``rights-market sweep SWEEP.yaml``."""
    from . import default_store, execute, load_sweep

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
    for line in _outcome_lines(outcome, store, _labels(args)):
        print(line)
    print(f"store: {store.path}  (KPIs: {store.kpis_dir}/*.parquet; query them with DuckDB, see docs/sweeps.md)")
    if args.report and outcome.complete:
        for p in _report_store(store.path, args.lang).values():
            print(_labels(args)("cli.written", path=p))
    return 0 if not outcome.failed else 1


def cmd_replications(args, scenario) -> int:
    """``rights-market run SCENARIO --replications N``: N seeds into a store, medians and bands printed."""
    from . import default_store, execute
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
    L = _labels(args)
    print(L("cli.replications", name=scenario.name, n=args.replications, seed=study.base_seed))
    for line in _outcome_lines(outcome, store, L) + _median_lines(store, L=L):
        print(line)
    if args.report and outcome.complete:
        for p in _report_store(store.path, L.lang).values():
            print(L("cli.written", path=p))
    print(L("cli.written", path=store.path))
    return 0 if not outcome.failed else 1


def _report_store(path: Path, lang: str) -> dict[str, Path]:
    from ..compare.build import build_comparison
    from ..compare.inputs import CompareInputError, prepare
    from ..report.labels import Labels

    try:
        groups, _, _ = prepare([path], out_dir=path)
    except CompareInputError as exc:
        raise StudyInputError(str(exc)) from exc
    title = Labels(lang)("cmp.title_study", name=Store(path).study().get("name", path.name))
    return build_comparison(groups, path, lang, title=title, xlsx_name="report.xlsx")


def cmd_report_store(args) -> int:
    """``rights-market report STORE``: the study report (fan charts, one variant per point)."""
    for p in _report_store(args.run_dir, args.lang).values():
        print(_labels(args)("cli.written", path=p))
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
            print(_labels(args)("cli.written", path=p))
    print(f"comparison: {paths['dir']}", file=sys.stdout)
    return 0
