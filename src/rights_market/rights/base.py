"""The contract between the engine and a right kind (water, land, emission, forest).

The engine owns the calendar; at each calendar event it calls the matching hook of every right policy in
the scenario, in scenario order. A policy reads and changes the world only through account movements and
record tables (see :mod:`rights_market.ledger`), so conservation and determinism hold for every right.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..engine.world import World


class RightPolicy(Protocol):
    """What every right kind implements (after Pywr's parameter objects: value, reset, before, after)."""

    #: right name as written in the tables: ``water``, ``emission``, ``land``, ``forest``
    right: str

    def products(self) -> list[str]:
        """Product ids this right trades or tracks (e.g. ``water.annual``, ``water.right``)."""

    def holder_count(self) -> int:
        """How many holder accounts this right needs."""

    def setup(self, world: World, first_holder: int) -> None:
        """Create holders (ids ``first_holder ...``), issue initial rights, record ``holders``."""

    def year_start(self, world: World) -> None:
        """Start of a year: weather, allocations, fees, reserve budget and releases."""

    def session(self, world: World) -> None:
        """One trading session: orders, clearing, settlement."""

    def period_end(self, world: World, period: int) -> None:
        """End of billing period ``period`` (0-based within the year): snapshots."""

    def year_end(self, world: World) -> None:
        """End of a year: use, bills, expiry, declarations, validity, KPIs."""


def sector_codes(names: list[str], sectors: tuple[str, ...]) -> np.ndarray:
    """Integer code of each sector name by its position in ``sectors``."""
    lookup = {s: i for i, s in enumerate(sectors)}
    return np.array([lookup[n] for n in names], dtype=np.int8)
