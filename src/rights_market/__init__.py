"""rights-market: a discrete-event simulator of Ningxia's four rights markets.

Public API::

    from rights_market import load_scenario, simulate
    scenario = load_scenario("scenarios/dawukou_water.yaml", overrides=["calendar.years=3"])
    result = simulate(scenario, seed=1)
    result.trades  # pandas DataFrame, columns in docs/tables.md

The API names load :mod:`rights_market.api` (and with it the engine, numpy, pandas, numba) on first use, not
when the package is imported: the command line imports the package for every command, and ``validate``,
``schema``, ``charge`` and ``--help`` need none of that (issue 15).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:
    from .api import Result, Scenario, load_scenario, read_run, simulate, write_run

__all__ = ["Result", "Scenario", "__version__", "load_scenario", "read_run", "simulate", "write_run"]

_API = frozenset(__all__) - {"__version__"}


def __getattr__(name: str):
    if name in _API:
        from . import api

        value = getattr(api, name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _API)
