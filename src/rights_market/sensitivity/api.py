"""Running a sensitivity design and reading its store: :func:`run_sensitivity`, :func:`analyse_store`
(re-exported by :mod:`rights_market.sensitivity`, which loads this module on first use)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..sweep.execute import Outcome, execute
from ..sweep.store import Store
from ..sweep.task import RunPayload, RunTask, run_task
from .analyse import Indices, analyse
from .report import build_sensitivity_report
from .spec import SensitivitySpec
from .study import SensitivityStudy, load_design, output_problem

__all__ = ["SensitivityResult", "StudyNotFinished", "analyse_store", "default_store", "run_sensitivity",
           "spec_of_store"]


class StudyNotFinished(Exception):
    """The store does not hold every run of the design yet (or an output is not a KPI of the runs)."""


@dataclass(frozen=True)
class SensitivityResult:
    """What :func:`run_sensitivity` did: the design, its store, the execution outcome, and the indices
    (None while runs are missing or failed) with the report files written."""

    design: SensitivityStudy
    store: Store
    outcome: Outcome
    indices: Indices | None
    written: dict[str, Path]


def default_store(name: str, root: Path = Path("results")) -> Path:
    """Where a design's store goes unless told: ``results/sensitivity/<name>``."""
    return root / "sensitivity" / name


def spec_of_store(store: Store) -> SensitivitySpec:
    """The design recorded in a sensitivity store's ``study.json``."""
    study = store.study()
    if study.get("kind") != "sensitivity":
        raise StudyNotFinished(f"{store.path}: not a sensitivity store (its study is a {study.get('kind')!r})")
    return SensitivitySpec.model_validate(study["spec"])


def analyse_store(store: Store | str | Path) -> tuple[SensitivitySpec, Indices]:
    """The indices of a finished sensitivity store (from ``study.json`` and the KPI rows only)."""
    st = store if isinstance(store, Store) else Store(store)
    spec = spec_of_store(st)
    study = st.study()
    n_points = len(study["points"])
    kpis = st.kpis()
    if len(st.done_ids()) < len(study["runs"]):
        left = len(study["runs"]) - len(st.done_ids())
        raise StudyNotFinished(f"{st.path}: {left:,} of {len(study['runs']):,} runs are not finished; run the "
                               f"same command again to finish them")
    known = [c for c in kpis.columns if "." in c and not c.startswith("param.")]
    absent = [(o, output_problem(o, known)) for o in spec.outputs if o not in kpis.columns]
    if absent:
        raise StudyNotFinished("; ".join(f"outputs: {why}" for _, why in absent))
    return spec, analyse(kpis, spec, n_points)


def run_sensitivity(
    path: str | Path,
    *,
    store: str | Path | None = None,
    overrides: Sequence[str] = (),
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    overwrite: bool = False,
    lang: str | None = "en",
    runner: Callable[[RunTask], RunPayload] = run_task,
) -> SensitivityResult:
    """Load the design ``path``, run what is not yet in its store and, once every run is there, compute the
    indices and (unless ``lang`` is None) write the report into the store.

    ``runner`` replaces the simulator (a model stand-in: a module-level function from a
    :class:`~rights_market.sweep.task.RunTask` to a :class:`~rights_market.sweep.task.RunPayload`)."""
    design = load_design(path, overrides)
    st = Store(store if store is not None else default_store(design.spec.name))
    outcome = execute(design.study, st, scheduler=scheduler, workers=workers, progress=progress,
                      overwrite=overwrite, runner=runner)
    if not outcome.complete:
        return SensitivityResult(design, st, outcome, None, {})
    spec, indices = analyse_store(st)
    written = (build_sensitivity_report(st.path, spec, indices, len(design.study.tasks), lang)
               if lang is not None else {})
    return SensitivityResult(design, st, outcome, indices, written)
