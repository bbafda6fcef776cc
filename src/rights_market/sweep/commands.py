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


#: The few indicators ``run --replications`` prints per right (``*``: one per pollutant or product, e.g.
#: ``emissions_COD``); a right not listed prints its first three.
KEY_INDICATORS: dict[str, tuple[str, ...]] = {
    "water": ("use", "over_plan", "mean_price"),
    "emission": ("emissions_*", "cap_*", "mean_price_*"),
    "land": ("mean_rent", "mean_sale_price", "farmland_balance_mu"),
    "forest": ("forest_cover", "transferred_area", "mean_price"),
    "links": ("loans_outstanding", "defaults"),
    "fiscal": ("fiscal_net_flow",),
}


def _key_metrics(right: str, present: list[str]) -> list[str]:
    wanted = KEY_INDICATORS.get(right)
    if wanted is None:
        return present[:3]
    out: list[str] = []
    for w in wanted:
        if w.endswith("*"):
            out += sorted(m for m in present if m.startswith(w[:-1]) and not m[len(w) - 1:].count("_"))
        elif w in present:
            out.append(w)
    return out


def summary_lines(yearly, lang: str = "en") -> list[str]:
    """Per right in the runs of ``yearly`` (:meth:`Store.yearly`), its key indicators (:data:`KEY_INDICATORS`)
    with units: the median over the runs of each run's mean over its years, and the band
    (:func:`rights_market.compare.stats.spread_kind`: the range of the runs below 20 runs)."""
    from ..compare import stats
    from ..report.fmt import fmt_kpi
    from ..report.labels import Labels
    from ..report.rights_display import RIGHT_ORDER

    L = Labels(lang)
    if yearly.empty:
        return []
    summ = stats.summary(stats.run_level(yearly.assign(group="runs")))
    rights = [r for r in RIGHT_ORDER if r in set(summ["right"])] + sorted(set(summ["right"]) - set(RIGHT_ORDER))
    lines = []
    for right in rights:
        s = summ[summ["right"] == right].set_index("metric")
        metrics = _key_metrics(right, list(s.index))
        if not metrics:
            continue
        lines.append(f"{L.right(right)}:")
        for m in metrics:
            r = s.loc[m]
            unit = str(r["unit"])
            words = L.unit(unit) if unit not in ("1", "") else ""

            def num(v: float, m: str = m, unit: str = unit) -> str:
                return fmt_kpi(v, m, unit, whole=float(v).is_integer() and not unit.startswith("yuan"))

            n = int(r["n"])
            text = f"  {L.metric(m):<36} {num(r['median']):>16} {words}".rstrip()
            if n > 1:
                band = "5–95 %" if stats.spread_kind(n) == "quantiles" else "range"
                text += f"   ({band} of {n} runs: {num(r['low'])} – {num(r['high'])})"
            lines.append(text)
    return lines


def print_runs(study, store: Store) -> None:
    """``--dry-run``: every run of ``study``, its seed, done or to do in ``store``, and its parameters."""
    done = store.done_ids() if Store.is_store(store.path) else set()
    for t in study.tasks:
        params = ", ".join(f"{k.removeprefix('param.')}={v}" for k, v in t.params.items())
        print(f"{t.run_id}  seed {t.seed:<20} {'done' if t.run_id in done else 'todo'}  {params}")


def run_study(args, study, store: Store, option: str = "--store"):
    """Run what ``store`` lacks of ``study`` with the command's workers, scheduler, progress and
    ``--overwrite``; a store problem is an input error (exit 2) naming ``option``."""
    from .execute import execute

    try:
        return execute(study, store, scheduler=args.scheduler, workers=args.workers, progress=_progress(args),
                       overwrite=args.overwrite, option=option)
    except StoreError as exc:
        raise StudyInputError(str(exc)) from exc


def cmd_sweep(args) -> int:
    """``rights-market sweep SWEEP.yaml``."""
    from .api import default_store
    from .spec import load_sweep

    study = load_sweep(args.sweep, args.overrides)
    store = Store(args.store if args.store is not None else default_store(study))
    if args.dry_run:
        print(f"sweep {study.name}: {len(study.points):,} points × {study.replications:,} seeds = "
              f"{len(study.tasks):,} runs; store {store.path}")
        print_runs(study, store)
        return 0
    outcome = run_study(args, study, store)
    for line in _outcome_lines(outcome, store, _labels(args)):
        print(line)
    print(f"store: {store.path}  (KPIs: {store.kpis_dir}/*.parquet; query them with DuckDB, see docs/sweeps.md)")
    if args.report and outcome.complete:
        for p in _report_store(store.path, args.lang).values():
            print(_labels(args)("cli.written", path=p))
    return 0 if not outcome.failed else 1


def cmd_replications(args, scenario) -> int:
    """``rights-market run SCENARIO --replications N``: N seeds into a store, medians and bands printed."""
    from .api import default_store
    from .study import replication_study

    try:
        study = replication_study(scenario, args.replications, args.seed)
    except WorkLimitError as exc:
        raise StudyInputError(f"--replications {args.replications:,}: {exc}") from exc
    store = Store(args.out if args.out is not None else default_store(study))
    outcome = run_study(args, study, store, option="--out")
    L = _labels(args)
    print(L("cli.replications", name=scenario.name, n=args.replications, seed=study.base_seed))
    for line in _outcome_lines(outcome, store, L) + summary_lines(store.yearly(), L.lang):
        print(line)
    if args.report and outcome.complete:
        for p in _report_store(store.path, L.lang).values():
            print(L("cli.written", path=p))
    print(L("cli.written", path=store.path))
    return 0 if not outcome.failed else 1


def _report_store(path: Path, lang: str) -> dict[str, Path]:
    from . import report_study

    return report_study(path, lang=lang)


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
