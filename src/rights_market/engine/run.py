"""The run loop: SimPy drives the calendar; right policies do the work at each event.

Three SimPy processes — years, sessions, billing periods — wait for their next calendar time and call the
hooks of every right policy. Same-day ordering is fixed by the calendar's intra-day offsets, so the order
of events never depends on the order of process creation. There is no process per holder.
"""

from __future__ import annotations

import time as wallclock
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import simpy

from ..ledger import CORE_INSTITUTIONS, FISCAL, Accounts, Table, check_trades
from ..scenario.model import Scenario
from ..tables.schema import FISCAL_SECTION
from ..units import FEN_PER_YUAN
from .calendar import CalendarPlan
from .descriptor import RightDescriptor
from .policy import Catalogue
from .rng import RngTree
from .weather import weather_sequence
from .world import World

ProgressFn = Callable[[int, int], None]

#: The large record tables, written to Parquet as the run goes when the run is given a spool folder.
SPILL_TABLES: tuple[str, ...] = ("trades", "orders_rejected", "holdings", "charges")
#: Rows of one table held in memory before they are written as a row group (when spilling).
SPILL_ROWS = 500_000


def institutions(descriptors: list[RightDescriptor]) -> dict[int, str]:
    """Every institution account of a run: the ledger's own and each right's reserve."""
    out = dict(CORE_INSTITUTIONS)
    out.update({d.reserve_account: d.reserve_name for d in descriptors if d.reserve_account is not None})
    return out


class LazyTables(Mapping[str, pd.DataFrame]):
    """The run's record tables by name; each becomes a pandas DataFrame on first access (then cached)."""

    def __init__(self, raw: dict[str, Table]):
        self._raw = raw
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            self._frames[name] = self._raw[name].to_dataframe()
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def raw(self, name: str) -> Table:
        """The columnar record itself (for writing Parquet without pandas)."""
        return self._raw[name]

    def rows(self, name: str) -> int:
        return len(self._raw[name])


@dataclass
class Result:
    """What a run produced: every table as a pandas DataFrame (columns in ``docs/tables.md``).

    ``result.trades`` is ``result.tables["trades"]``; tables are converted to DataFrames on first use.
    """

    scenario: Scenario
    seed: int
    tables: LazyTables
    wall_seconds: float
    weather: list[str]
    notes: list[str]
    rights: list[RightDescriptor] = field(default_factory=list)  # the catalogue's descriptors (manifest)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables")
        if tables is not None and name in tables:
            return tables[name]
        raise AttributeError(name)


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    *,
    catalogue: Catalogue,
    check: bool = False,
    progress: ProgressFn | None = None,
    spool: str | Path | None = None,
    spill_rows: int = SPILL_ROWS,
) -> Result:
    """Run ``scenario`` with ``seed`` (the scenario's own seed if None) and return its tables.

    ``spool``: an existing folder (normally the staging folder of the run directory, see
    :func:`rights_market.results.write_run`); the large tables (:data:`SPILL_TABLES`) are then written there
    as ``<name>.parquet`` in row groups of at least ``spill_rows`` rows between sessions and billing periods,
    so memory holds only the rows since the last row group, and are read back from there when asked for.
    Without it every table stays in memory. The tables are the same either way.

    ``check``: prove conservation of every right and every fen after every billing period and year end
    and that no trade has the same seller and buyer (raises :class:`~rights_market.ledger.ConservationError`,
    :class:`~rights_market.ledger.SelfTradeError`). ``progress(done, total)`` is called after
    every trading session. ``catalogue`` lists the rights (``rights_market.rights.catalogue.CATALOGUE`` through
    the public :func:`rights_market.simulate`): it builds the scenario's policies and declares every right's
    reserve account; the engine names no right.
    """
    t0 = wallclock.perf_counter()
    seed = scenario.seed if seed is None else int(seed)
    cal = scenario.calendar
    plan = CalendarPlan(cal.start_year, cal.years, cal.periods_per_year, cal.sessions_per_year)
    rng = RngTree(seed)
    weather_years = weather_sequence(scenario.weather, cal.years, rng.stream("weather"))
    descriptors = list(catalogue.descriptors())
    policies = catalogue.policies(scenario, weather_years)
    products = [p for pol in policies for p in pol.products()]
    n_holders = sum(pol.holder_count() for pol in policies)
    world = World(calendar=plan, rng=rng, accounts=Accounts(n_holders, products, institutions(descriptors),
                                                                journal=check))
    spilled = []
    if spool is not None:
        for name in SPILL_TABLES:
            world.tables[name].spill_to(Path(spool) / f"{name}.parquet", spill_rows)
            spilled.append(world.tables[name])
    first = 0
    for pol in policies:
        pol.setup(world, first)
        first += pol.holder_count()
    inst = sorted(world.accounts.institutions.items(), reverse=True)
    world.tables["holders"].append(
        holder=np.array([i for i, _ in inst], dtype=np.int64), name=np.array([n for _, n in inst], dtype=object),
        group="institution", sector="", right="",
    )
    trade_cursor = [0]

    def verify() -> None:
        """Principle 3: rights and money conserved, and no recorded trade with itself."""
        world.accounts.check()
        trade_cursor[0] = check_trades(world.tables["trades"], trade_cursor[0])

    if check:
        verify()

    def flush() -> None:
        """Between sessions and periods: full row groups of the spilled tables go to their files (trades
        checked for self-trades first when checking, as their rows then leave memory)."""
        if not spilled:
            return
        if check:
            trade_cursor[0] = check_trades(world.tables["trades"], trade_cursor[0])
        for table in spilled:
            table.flush()

    env = simpy.Environment()
    total_sessions = plan.total_sessions
    done = {"sessions": 0}

    fiscal = world.accounts.idx(FISCAL)

    def fiscal_kpis(start_fen: int) -> None:
        """The shared fiscal account's own section (not one right's): its balance and the year's net flow,
        once money has moved through it."""
        balance = int(world.accounts.balance[0, fiscal])
        if balance or start_fen or fiscal_seen[0]:
            fiscal_seen[0] = True
            world.record_kpi(FISCAL_SECTION, "fiscal_balance", balance / FEN_PER_YUAN, "yuan")
            world.record_kpi(FISCAL_SECTION, "fiscal_net_flow", (balance - start_fen) / FEN_PER_YUAN, "yuan")

    fiscal_seen = [False]

    def years():
        for y in range(cal.years):
            yield env.timeout(plan.year_start(y) - env.now)
            world.clock.now, world.clock.year_index, world.clock.year = plan.year_start(y), y, cal.start_year + y
            fiscal_start = int(world.accounts.balance[0, fiscal])
            for pol in policies:
                pol.year_start(world)
            yield env.timeout(plan.year_end(y) - env.now)
            world.clock.now = plan.year_end(y)
            for pol in policies:
                pol.year_end(world)
            fiscal_kpis(fiscal_start)
            if check:
                verify()

    def sessions():
        n = 0
        for y in range(cal.years):
            for t in plan.sessions(y):
                yield env.timeout(t - env.now)
                world.clock.now, world.clock.session = t, n
                for pol in policies:
                    pol.session(world)
                world.clock.session = -1  # records made outside a session carry session -1
                flush()
                n += 1
                done["sessions"] = n
                if progress is not None:
                    progress(n, total_sessions)

    def periods():
        for y in range(cal.years):
            for k, t in enumerate(plan.period_ends(y)):
                yield env.timeout(t - env.now)
                world.clock.now = t
                for pol in policies:
                    pol.period_end(world, k)
                if check:
                    verify()
                flush()

    env.process(years())
    env.process(sessions())
    env.process(periods())
    env.run()
    if check:
        verify()
    for table in spilled:
        table.close()
    tables = LazyTables(world.tables)
    notes = [note for pol in policies for note in pol.notes()]
    return Result(scenario, seed, tables, wallclock.perf_counter() - t0, weather_years, notes, descriptors)


__all__ = ["Result", "simulate"]
