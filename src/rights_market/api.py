"""The public Python API: load a scenario, simulate it, write and read runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .engine.run import Result, simulate
from .results import read_run, write_run
from .scenario.loader import load_model
from .scenario.model import Scenario


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Load, resolve (``extends:``) and validate a scenario file; ``overrides`` are ``dotted.path=value``.

    Raises :class:`~rights_market.scenario.ScenarioError` listing every problem with file, line and field.
    """
    scenario, _raw = load_model(Path(path), Scenario, overrides)
    return scenario


__all__ = ["Result", "Scenario", "load_scenario", "read_run", "simulate", "write_run"]
