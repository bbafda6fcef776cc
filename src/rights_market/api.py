"""The public Python API: load a scenario, simulate it, write and read runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import work
from .engine import run as engine_run
from .engine.run import ProgressFn, Result
from .limits import Limits, using
from .results import read_run, write_run
from .rights.catalogue import CATALOGUE, Catalogue
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


def simulate(scenario: Scenario, seed: int | None = None, *, check: bool = False,
             progress: ProgressFn | None = None, catalogue: Catalogue = CATALOGUE,
             spool: str | Path | None = None) -> Result:
    """Run ``scenario`` with ``seed`` (the scenario's own if None) over the rights of ``catalogue`` (default: the
    four markets, the teaching market and the links). See :func:`rights_market.engine.run.simulate`.

    Without ``spool`` every table is kept in memory (a district of hundreds of thousands of holders with
    monthly holdings needs gigabytes). With ``spool`` (an existing folder, e.g. a temporary one) the large
    tables — trades, rejected orders, holdings, charges — are written there in Parquet row groups as the run
    goes and read back when first asked for; :func:`write_run` then copies them (``run --out`` spools into
    the run directory's staging folder, so nothing is copied)."""
    return engine_run.simulate(scenario, seed, catalogue=catalogue, check=check, progress=progress, spool=spool)


__all__ = ["Limits", "Result", "Scenario", "load_scenario", "read_run", "simulate", "write_run"]
