"""The simulation calendar: when years, trading sessions and billing periods happen.

Time is measured in days from 1 January of the first year; a year has 365 days. Within a day, events
happen in a fixed order so that the SimPy schedule never depends on insertion order:
year start (day + 0.0) < trading session (+0.5) < period end (+0.7) < year end (+0.8); period ends and year
ends are on the last day of the period or year.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..units import DAYS_PER_YEAR

YEAR_START, SESSION, PERIOD_END, YEAR_END = 0.0, 0.5, 0.7, 0.8


@dataclass(frozen=True)
class CalendarPlan:
    """Days of every session and period end of a run (pure, derived from the scenario's calendar)."""

    start_year: int
    years: int
    periods_per_year: int
    sessions_per_year: int

    def year_start(self, y: int) -> float:
        return y * DAYS_PER_YEAR + YEAR_START

    def year_end(self, y: int) -> float:
        return (y + 1) * DAYS_PER_YEAR - 1 + YEAR_END

    def sessions(self, y: int) -> list[float]:
        n = self.sessions_per_year
        return [y * DAYS_PER_YEAR + (k * DAYS_PER_YEAR) // n + SESSION for k in range(n)]

    def period_ends(self, y: int) -> list[float]:
        n = self.periods_per_year
        return [y * DAYS_PER_YEAR + ((k + 1) * DAYS_PER_YEAR) // n - 1 + PERIOD_END for k in range(n)]

    @property
    def total_sessions(self) -> int:
        return self.years * self.sessions_per_year
