"""The sweep package's functions: run a sweep file, replicate a scenario, write a study's report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..scenario.model import Scenario
from .execute import Outcome, execute
from .spec import load_sweep
from .store import Store
from .study import Study, replication_study


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
