"""Global sensitivity analysis of scenario parameters: Morris screening and Sobol indices (SALib), run on
the sweep machinery (Dask or in-process, resumable store, deterministic on any number of workers).

A design file names parameters (dotted scenario paths) with ranges, a method and the outputs (KPI columns)
to explain; it becomes a list of runs like a sweep's (:func:`load_design`), executed into a store
(:func:`rights_market.sweep.execute`), from whose KPI rows the indices are computed (:func:`analyse_store`)
and reported (:func:`build_sensitivity_report`). Usage::

    from rights_market.sensitivity import run_sensitivity
    result = run_sensitivity("scenarios/sweeps/water_sensitivity.yaml", workers=2)
    result.indices.table        # one row per output × parameter (mu_star ... or S1, ST ... with intervals)

The CLI: ``rights-market sensitivity DESIGN.yaml`` (docs/sweeps.md, "Sensitivity").
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The names load on first use (PEP 562): ``validate`` and ``schema`` import the light ``sensitivity.spec``,
# which must not start Dask, pandas, SALib and the engine. No name here is also the name of a submodule (once
# imported, the submodule would shadow it): the function ``analyse`` is ``sensitivity.analyse.analyse``.
_HOME = {
    "DUMMY": "spec", "SensitivitySpec": "spec",
    "INDEX_COLUMNS": "analyse", "Indices": "analyse",
    "build_sensitivity_report": "report",
    "SensitivityStudy": "study", "load_design": "study", "output_problem": "study",
    "SensitivityResult": "api", "StudyNotFinished": "api", "analyse_store": "api", "default_store": "api",
    "run_sensitivity": "api", "spec_of_store": "api",
}

if TYPE_CHECKING:
    from .analyse import INDEX_COLUMNS, Indices
    from .api import (
        SensitivityResult,
        StudyNotFinished,
        analyse_store,
        default_store,
        run_sensitivity,
        spec_of_store,
    )
    from .report import build_sensitivity_report
    from .spec import DUMMY, SensitivitySpec
    from .study import SensitivityStudy, load_design, output_problem

__all__ = [
    "DUMMY", "INDEX_COLUMNS", "Indices", "SensitivityResult", "SensitivitySpec", "SensitivityStudy",
    "StudyNotFinished", "analyse_store", "build_sensitivity_report", "default_store", "load_design",
    "output_problem", "run_sensitivity", "spec_of_store",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value
