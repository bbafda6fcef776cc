"""The contract between the engine and a right kind: the policy protocol and the catalogue protocol.

The engine sits below the rights: it defines these protocols and imports no module of ``rights/``; a
catalogue of rights (``rights_market.rights.catalogue``) builds the policies of a scenario and describes
every right (:class:`~rights_market.engine.descriptor.RightDescriptor`). The engine owns the calendar; at
each calendar event it calls the matching hook of every right policy in the scenario, in catalogue order. A policy reads and changes the world only through account movements and
record tables (see :mod:`rights_market.ledger`), so conservation and determinism hold for every right.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from .descriptor import RightDescriptor
from .world import World

if TYPE_CHECKING:
    from ..scenario.model import Scenario


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

    def notes(self) -> list[str]:
        """Notes for the run's manifest about what the policy did to the input (e.g. W1's scaling)."""


class Catalogue(Protocol):
    """The rights a run may hold: their descriptors, and the policies a scenario asks for."""

    def descriptors(self) -> Sequence[RightDescriptor]:
        """Every right of the catalogue, present in the scenario or not (their accounts always exist)."""

    def policies(self, scenario: Scenario, weather_years: list[str]) -> list[RightPolicy]:
        """One policy per right present in ``scenario``, in the order the engine calls them."""
