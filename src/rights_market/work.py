"""How much work a scenario asks of the machine, estimated before anything is built, and the work limits.

:func:`estimate` is pure: from a validated :class:`~rights_market.scenario.model.Scenario` alone it counts the
holders, years, trading sessions, holdings snapshot rows, teaching shouts and pledge rule-years of one run and
estimates its peak memory. :func:`problems` compares that with the limits in force
(:func:`rights_market.limits.active`); :func:`rights_market.api.load_scenario` refuses a scenario over a limit,
naming the field that drives the figure, its value, the limit and the ``--limit NAME=N`` that raises it.
:func:`check_runs` does the same for the number of runs of a study (sweep, comparison, replications) before the
list of runs is built.

Memory figures (bytes), measured on CPython 3 / numpy / pandas / pyarrow, x86-64 Linux, from the peak resident
set size (``ru_maxrss``) of one run plus writing its run directory, each in a fresh process, by

    PYTHONPATH=src python benchmarks/work_memory.py water N EVERY YEARS   # dawukou_water.yaml with
        # water.groups.3.count=N, output.holdings_every=EVERY, calendar.years=YEARS, water.cap_m3=10^9
    PYTHONPATH=src python benchmarks/work_memory.py shouts N              # N shouts a trading day
    PYTHONPATH=src python benchmarks/work_memory.py pledges N             # N pledge rules

========================  ===========  =============================================
N, holdings_every, years  peak RSS     rows (holdings, charges)
========================  ===========  =============================================
10,000, year, 1           281 MB       10,886; 14,434
100,000, year, 1          374 MB       100,886; 130,087
100,000, period, 1        487 MB       2,421,264; 130,087
100,000, period, 2        667 MB       4,842,528; 260,072
========================  ===========  =============================================

and for teaching shouts ``smith1962_test1.yaml`` with ``teaching.rules=cda`` and ``shouts_per_period`` 10^4,
10^5, 10^6 (10 trading days): 207 MB, 267 MB, 737 MB and 0.7 s, 5.8 s, 48.8 s CPU; for pledges
``dawukou_four_rights.yaml`` with ``calendar.years=2`` and its pledge rule repeated 1, 10, 100 times: 267 MB,
291 MB, 497 MB and 2.8 s, 3.1 s, 8.7 s CPU. Hence:

* :data:`BASE_BYTES` 270 MB — the interpreter, the libraries and a small run;
* :data:`HOLDER_BYTES` 1,100 per holder (374 − 281 MB over 90,000 holders, one year);
* :data:`HOLDER_YEAR_BYTES` 600 per holder and further year (charges and other yearly rows);
* :data:`SNAPSHOT_ROW_BYTES` 50 per holdings row (487 − 374 MB over 2.32 M rows);
* :data:`SHOUT_BYTES` 520 per shout of one trading day (737 − 267 MB over 900,000 shouts a day);
* :data:`PLEDGE_BYTES` 175 per pledge rule, year and holder (230 MB over 99 rules × 2 years × 6,726 holders).

Holders of the other markets are counted at the water figures; a land holder also owns parcels, so land runs
are underestimated by up to the size of their parcel table (a few hundred bytes per household).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .limits import Limits, active
from .scenario.model import Scenario
from .scenario.references import market_products

BASE_BYTES = 270_000_000
HOLDER_BYTES = 1_100
HOLDER_YEAR_BYTES = 600
SNAPSHOT_ROW_BYTES = 50
SHOUT_BYTES = 520
PLEDGE_BYTES = 175

Location = tuple


class WorkLimitError(ValueError):
    """A study asks for more runs than the limit ``runs`` allows (the message says how to raise it)."""


@dataclass(frozen=True)
class Work:
    """What one run of a scenario asks for. ``holder_fields`` maps the location of each field that creates
    holders (``("water", "groups", 3, "count")``) to the holders it creates."""

    holders: int
    years: int
    sessions: int
    snapshot_rows: int
    shouts: int
    shouts_per_day: int
    pledge_rule_years: int
    peak_bytes: int
    holder_fields: dict[Location, int]


def _holder_fields(s: Scenario) -> dict[Location, int]:
    out: dict[Location, int] = {}
    if s.water is not None:
        for i, g in enumerate(s.water.groups):
            out[("water", "groups", i, "count")] = g.count
    if s.teaching is not None:
        out[("teaching", "buyers_yuan")] = len(s.teaching.buyers_yuan)
        out[("teaching", "sellers_yuan")] = len(s.teaching.sellers_yuan)
    if s.land is not None:
        land = s.land
        for i, v in enumerate(land.villages):
            out[("land", "villages", i, "households")] = v.households + 2  # and its collective and village fund
        out[("land", "operators", "family_farms")] = land.operators.family_farms
        out[("land", "operators", "cooperatives")] = land.operators.cooperatives
        out[("land", "firms", "firms")] = land.firms.firms
        out[("land", "firms", "entrants")] = land.firms.entrants
        out[("land", "restoration", "restorers")] = land.restoration.restorers
        out[("land", "homestead_lease", "lessees")] = land.homestead_lease.lessees
    if s.emission is not None:
        for i, g in enumerate(s.emission.groups):
            out[("emission", "groups", i, "count")] = g.count
    if s.forest is not None:
        f = s.forest
        out[("forest",)] = 1  # the forest farm
        out[("forest", "households", "count")] = f.households.count
        out[("forest", "operators", "count")] = f.operators.count
        out[("forest", "firms", "count")] = f.firms.count
    if s.links is not None:
        out[("links", "projects")] = len(s.links.projects)
    return out


def _products_per_holder(s: Scenario) -> dict[str, int]:
    products = market_products(s)
    return {right: sum(p.startswith(right + ".") for p in products) for right in ("water", "teaching", "land",
                                                                                    "emission", "forest", "links")}


def estimate(scenario: Scenario) -> Work:
    """The work one run of ``scenario`` asks for (pure; figures in the module docstring)."""
    s = scenario
    cal = s.calendar
    years = cal.years
    sessions = years * cal.sessions_per_year
    fields = _holder_fields(s)
    holders = sum(fields.values())
    snapshots_per_year = {"period": cal.periods_per_year, "year": 1, "none": 0}[s.output.holdings_every]
    per_holder = _products_per_holder(s)
    snapshot_rows = sum(n * max(per_holder.get(loc[0], 1), 1) for loc, n in fields.items()) * snapshots_per_year * years
    shouts_per_day = shouts = 0
    if s.teaching is not None:
        days = s.teaching.periods if s.teaching.periods is not None else sessions
        shouts_per_day = s.teaching.shouts_per_period
        shouts = days * shouts_per_day
    pledge_rule_years = len(s.links.pledges) * years if s.links is not None else 0
    peak = (BASE_BYTES + holders * HOLDER_BYTES + holders * max(years - 1, 0) * HOLDER_YEAR_BYTES
            + snapshot_rows * SNAPSHOT_ROW_BYTES + shouts_per_day * SHOUT_BYTES
            + pledge_rule_years * holders * PLEDGE_BYTES)
    return Work(holders, years, sessions, snapshot_rows, shouts, shouts_per_day, pledge_rule_years, peak, fields)


def _dotted(loc: Location) -> str:
    return ".".join(str(p) for p in loc)


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def problems(scenario: Scenario, limits: Limits | None = None) -> list[tuple[Location, str]]:
    """Each work limit the scenario exceeds, as ``(location of the field driving it, message)``."""
    lim = limits or active()
    w = estimate(scenario)
    out: list[tuple[Location, str]] = []
    top: Callable[[], Location] = lambda: max(w.holder_fields, key=w.holder_fields.get)  # noqa: E731
    if w.holders > lim.holders:
        loc = top()
        out.append((loc, lim.exceeded("holders", w.holders, f"the number of holders of a run (the largest "
                                      f"part: {_dotted(loc)} = {w.holder_fields[loc]:,})")))
    if w.shouts > lim.shouts:
        out.append((("teaching", "shouts_per_period"),
                    lim.exceeded("shouts", w.shouts, f"the number of shouts of a run ({w.shouts_per_day:,} a trading day "
                                 f"× {w.shouts // max(w.shouts_per_day, 1):,} trading days)")))
    if w.pledge_rule_years > lim.pledges:
        out.append((("links", "pledges"),
                    lim.exceeded("pledges", w.pledge_rule_years, f"the number of pledge rules × years ({len(scenario.links.pledges):,} "
                                 f"rules × {w.years} years)")))
    if w.peak_bytes > lim.memory_bytes and not out:
        parts = {"holders": w.holders * (HOLDER_BYTES + max(w.years - 1, 0) * HOLDER_YEAR_BYTES),
                 "holdings": w.snapshot_rows * SNAPSHOT_ROW_BYTES, "shouts": w.shouts_per_day * SHOUT_BYTES,
                 "pledges": w.pledge_rule_years * w.holders * PLEDGE_BYTES}
        driver = max(parts, key=parts.get)
        loc, why = {
            "holders": (top(), f"{w.holders:,} holders over {w.years} years"),
            "holdings": (("output", "holdings_every"), f"{w.snapshot_rows:,} holdings rows (output.holdings_every="
                         f"{scenario.output.holdings_every}; 'year' or 'none' records fewer)"),
            "shouts": (("teaching", "shouts_per_period"), f"{w.shouts_per_day:,} shouts a trading day"),
            "pledges": (("links", "pledges"), f"{w.pledge_rule_years:,} pledge rule-years over {w.holders:,} holders"),
        }[driver]
        out.append((loc, f"the estimated peak memory of a run is {_gib(w.peak_bytes)} (mostly {why}), over the "
                         f"limit memory_bytes={lim.memory_bytes:,} ({_gib(lim.memory_bytes)}); reduce it, or raise "
                         f"the limit with --limit memory_bytes=N if the machine has the memory"))
    return out


def check_runs(runs: int, what: str, limits: Limits | None = None) -> None:
    """Raise :class:`WorkLimitError` if a study of ``runs`` runs (``what``: how they arise) is over the limit."""
    lim = limits or active()
    if runs > lim.runs:
        raise WorkLimitError(lim.exceeded("runs", runs, f"the number of runs ({what})"))


__all__ = ["Work", "WorkLimitError", "check_runs", "estimate", "problems"]
