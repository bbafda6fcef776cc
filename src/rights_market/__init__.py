"""rights-market: a discrete-event simulator of Ningxia's four rights markets.

Public API::

    from rights_market import load_scenario, simulate
    scenario = load_scenario("scenarios/dawukou_water.yaml", overrides=["calendar.years=3"])
    result = simulate(scenario, seed=1)
    result.trades  # pandas DataFrame, columns in docs/tables.md
"""

from ._version import __version__  # noqa: E402
from .api import Result, Scenario, load_scenario, read_run, simulate, write_run  # noqa: E402

__all__ = ["Result", "Scenario", "__version__", "load_scenario", "read_run", "simulate", "write_run"]
