"""The public Python API: load a scenario, simulate it, write and read runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .engine.run import Result, simulate
from .results import read_run, write_run
from .scenario.loader import load_raw, validate
from .scenario.model import Scenario
from .scenario.tables_input import CONTEXT_KEY


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Load, resolve (``extends:``) and validate a scenario file; ``overrides`` are ``dotted.path=value``.

    Raises :class:`~rights_market.scenario.ScenarioError` listing every problem with file, line and field.
    """
    path = Path(path)
    raw, source_map = load_raw(path, overrides)
    # holder files (from_file:) are found relative to the scenario file
    return validate(raw, source_map, Scenario, context={CONTEXT_KEY: path.parent})


__all__ = ["Result", "Scenario", "load_scenario", "read_run", "simulate", "write_run"]
