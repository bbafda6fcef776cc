"""The public Python API: load a scenario, simulate it, write and read runs."""

from __future__ import annotations

from .engine import run as engine_run
from .engine.run import ProgressFn, Result
from .limits import Limits
from .loading import load_scenario
from .results import read_run, write_run
from .rights.catalogue import CATALOGUE, Catalogue
from .scenario.model import Scenario


def simulate(scenario: Scenario, seed: int | None = None, *, check: bool = False,
             progress: ProgressFn | None = None, catalogue: Catalogue = CATALOGUE) -> Result:
    """Run ``scenario`` with ``seed`` (the scenario's own if None) over the rights of ``catalogue`` (default: the
    four markets, the teaching market and the links). See :func:`rights_market.engine.run.simulate`."""
    return engine_run.simulate(scenario, seed, catalogue=catalogue, check=check, progress=progress)


__all__ = ["Limits", "Result", "Scenario", "load_scenario", "read_run", "simulate", "write_run"]
