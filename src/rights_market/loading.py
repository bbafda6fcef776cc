"""Loading a scenario file: :func:`load_scenario` (re-exported by :mod:`rights_market.api`).

Its own module, apart from the API, so that the commands that only read a scenario (``validate``, ``charge``)
load pydantic and the scenario models but not the engine, numpy, pandas or numba (issue 15).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import work
from .limits import Limits, using
from .scenario.errors import ScenarioError
from .scenario.loader import load_raw, validate
from .scenario.model import Scenario
from .scenario.tables_input import CONTEXT_KEY


def load_scenario(path: str | Path, overrides: Sequence[str] = (), *, limits: Limits | None = None) -> Scenario:
    """Load, resolve (``extends:``) and validate a scenario file; ``overrides`` are ``dotted.path=value``.

    ``limits``: what the input may ask of the machine (:class:`~rights_market.limits.Limits`; default: those
    in force, normally the defaults). Raises :class:`~rights_market.scenario.ScenarioError` listing every
    problem with file, line and field, including work over a limit (:func:`rights_market.work.problems`:
    holders, shouts, pledges, estimated peak memory).
    """
    path = Path(path)
    with using(limits) as in_force:
        raw, source_map = load_raw(path, overrides)
        # holder files (from_file:) are found relative to the scenario file
        scenario = validate(raw, source_map, Scenario, context={CONTEXT_KEY: path.parent})
        # the work it asks for (holders, shouts, pledges, memory), refused up front if over a limit
        over = work.problems(scenario, in_force)
        if over:
            raise ScenarioError([source_map.problem(loc, message) for loc, message in over])
        return scenario
