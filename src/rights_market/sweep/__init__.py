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

import importlib
from typing import TYPE_CHECKING, Any

# The names load on first use (PEP 562): importing one light module of the package (``sweep.spec`` for
# ``validate``) must not start Dask, pandas and the engine. The function ``execute`` shares its name with its
# submodule (which becomes the package's attribute once imported): import it as ``sweep.execute.execute``.
_HOME = {
    "Outcome": "execute", "default_workers": "execute",
    "replication_seed": "seeds", "replication_seeds": "seeds",
    "SweepSpec": "spec", "load_sweep": "spec",
    "Store": "store", "StoreError": "store",
    "Study": "study", "replication_study": "study",
    "kpi_column": "summary", "run_row": "summary", "yearly_kpis": "summary",
    "default_store": "api", "replicate": "api", "report_study": "api", "run_sweep": "api",
}

if TYPE_CHECKING:
    from .api import default_store, replicate, report_study, run_sweep
    from .execute import Outcome, default_workers
    from .seeds import replication_seed, replication_seeds
    from .spec import SweepSpec, load_sweep
    from .store import Store, StoreError
    from .study import Study, replication_study
    from .summary import kpi_column, run_row, yearly_kpis

__all__ = [
    "Outcome", "Store", "StoreError", "Study", "SweepSpec", "default_workers", "default_store",
    "kpi_column", "load_sweep", "replicate", "replication_seed", "replication_seeds", "replication_study",
    "report_study", "run_row", "run_sweep", "yearly_kpis",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value
