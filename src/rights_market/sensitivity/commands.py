"""``rights-market sensitivity DESIGN.yaml``: run a sensitivity design into its store, print the most
influential parameters per output and write the report. Bad input raises a located ScenarioError or
:class:`~rights_market.inputerror.StudyInputError` (exit 2 in :mod:`rights_market.cli`)."""

from __future__ import annotations

import math

from ..inputerror import StudyInputError
from ..sweep.commands import _outcome_lines, print_runs, run_study
from ..sweep.store import Store

__all__ = ["cmd_report_sensitivity", "cmd_sensitivity"]

#: Parameters listed per output on the terminal (the report has them all).
SHOWN = 5


def _index_lines(indices) -> list[str]:
    key = "mu_star" if indices.method == "morris" else "ST"
    conf = f"{key}_conf"
    lines = []
    for out, t in indices.table.groupby("output", sort=False):
        if out in indices.notes:
            lines.append(f"{out}: no indices ({indices.why(out)})")
            continue
        t = t.sort_values(key, ascending=False, kind="stable")
        lines.append(f"{out}:")
        for r in t.head(SHOWN).itertuples(index=False):
            v, c = getattr(r, key), getattr(r, conf)
            extra = f"   S1 {r.S1:.3f} ± {r.S1_conf:.3f}" if indices.method == "sobol" else f"   sigma {r.sigma:,.4g}"
            lines.append(f"  {r.parameter:<55} {key} {v:>12,.4g} ± {c:,.3g}{extra}" if math.isfinite(v)
                         else f"  {r.parameter:<55} {key} –")
    return lines


def cmd_sensitivity(args) -> int:
    """``rights-market sensitivity DESIGN.yaml``."""
    from . import StudyNotFinished, analyse_store, build_sensitivity_report, default_store, load_design

    design = load_design(args.design, args.overrides)
    study = design.study
    store = Store(args.store if args.store is not None else default_store(design.spec.name))
    if args.dry_run:
        print(f"sensitivity {study.name}: {design.spec.method.type}, {len(design.spec.names())} parameters, "
              f"{len(study.points):,} points × {study.replications:,} seeds = {len(study.tasks):,} runs; "
              f"store {store.path}")
        print_runs(study, store)
        return 0
    outcome = run_study(args, study, store)
    for line in _outcome_lines(outcome, store):
        print(line)
    if not outcome.complete:
        print(f"store: {store.path}  (indices once every run is done)")
        return 1
    try:
        spec, indices = analyse_store(store)
    except StudyNotFinished as exc:
        raise StudyInputError(f"{args.design}: {exc}") from exc
    for line in _index_lines(indices):
        print(line)
    for p in build_sensitivity_report(store.path, spec, indices, len(study.tasks), args.lang).values():
        print(f"written: {p}")
    print(f"store: {store.path}")
    return 0


def cmd_report_sensitivity(path, lang: str) -> int:
    """``rights-market report STORE`` on a sensitivity store: the indices and the report, again."""
    from . import StudyNotFinished, analyse_store, build_sensitivity_report

    store = Store(path)
    try:
        spec, indices = analyse_store(store)
    except StudyNotFinished as exc:
        raise StudyInputError(str(exc)) from exc
    for p in build_sensitivity_report(store.path, spec, indices, len(store.study()["runs"]), lang).values():
        print(f"written: {p}")
    return 0
