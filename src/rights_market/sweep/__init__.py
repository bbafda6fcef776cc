"""What-if studies at scale: sweeps and replications, run on Dask, kept in a resumable results store.

Usage::

    from rights_market.sweep import run_sweep, replicate, Store
    study, store, outcome = run_sweep("scenarios/sweeps/water_price_grid.yaml", workers=2)
    store.kpis()          # one row of KPIs per run (pandas), also queryable with DuckDB: docs/sweeps.md

    study, store, outcome = replicate(scenario, 20, store="results/my-replications")
    report_study(store, lang="zh")   # report.html, report.md, report.xlsx in the store: fan charts per point

The CLI: ``rights-market sweep SWEEP.yaml`` and ``rights-market run SCENARIO --replications N``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..scenario.model import Scenario
from .execute import Outcome, default_workers, execute
from .seeds import replication_seed, replication_seeds
from .spec import SweepSpec, load_sweep
from .store import Store, StoreError
from .study import Study, replication_study
from .summary import kpi_column, run_row, yearly_kpis

__all__ = [
    "Outcome", "Store", "StoreError", "Study", "SweepSpec", "default_workers", "default_store", "execute",
    "kpi_column", "load_sweep", "replicate", "replication_seed", "replication_seeds", "report_study", "run_row",
    "run_sweep", "yearly_kpis",
]


def default_store(study: Study, root: Path = Path("results")) -> Path:
    """Where a study's store goes unless told: ``results/sweeps/<name>`` for sweeps, and
    ``results/<name>-seed<base>-<hash8>-x<N>`` for replications."""
    if study.kind == "sweep":
        return root / "sweeps" / study.name
    h = study.tasks[0].scenario_hash[:8]
    return root / f"{study.name}-seed{study.base_seed}-{h}-x{study.replications}"


def run_sweep(
    path: str | Path,
    *,
    store: str | Path | None = None,
    overrides: Sequence[str] = (),
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
) -> tuple[Study, Store, Outcome]:
    """Load the sweep file ``path`` (``overrides`` change the sweep file) and run what is not yet in its store."""
    study = load_sweep(path, overrides)
    st = Store(store if store is not None else default_store(study))
    return study, st, execute(study, st, scheduler=scheduler, workers=workers, progress=progress)


def replicate(
    scenario: Scenario,
    replications: int,
    *,
    base_seed: int | None = None,
    store: str | Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
) -> tuple[Study, Store, Outcome]:
    """Run ``replications`` seeds of ``scenario`` (seeds from ``base_seed``, the scenario's seed by default)."""
    study = replication_study(scenario, replications, base_seed)
    st = Store(store if store is not None else default_store(study))
    return study, st, execute(study, st, scheduler=scheduler, workers=workers, progress=progress)


def report_study(store: Store | str | Path, *, lang: str = "en") -> dict[str, Path]:
    """Write the study report of a finished sweep or replication ``store`` into it (what
    ``rights-market report STORE`` writes): ``report.html``, ``report.md``, ``report.xlsx`` and the figures,
    one variant per point of the design. Returns the written paths by kind (``"html"``, ``"md"``, ``"xlsx"``,
    ``"figure:<name>"``). Raises :class:`~rights_market.inputerror.StudyInputError` if ``store`` is not a
    results store."""
    from ..compare.build import build_comparison
    from ..compare.inputs import CompareInputError, prepare
    from ..inputerror import StudyInputError
    from ..report.labels import Labels

    path = store.path if isinstance(store, Store) else Path(store)
    try:
        groups, _, _ = prepare([path], out_dir=path)
    except CompareInputError as exc:
        raise StudyInputError(str(exc)) from exc
    title = Labels(lang)("cmp.title_study", name=Store(path).study().get("name", path.name))
    return build_comparison(groups, path, lang, title=title, xlsx_name="report.xlsx")
