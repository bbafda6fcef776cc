"""The public Python API: load a scenario, simulate it, write and read runs."""

from __future__ import annotations

from pathlib import Path

from .engine import run as engine_run
from .engine.run import ProgressFn, Result
from .limits import Limits
from .loading import load_scenario
from .results import read_run, write_run
from .rights.catalogue import CATALOGUE, Catalogue
from .scenario.model import Scenario


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
