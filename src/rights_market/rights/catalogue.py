"""The catalogue of rights: every right's descriptor and how its policy is built from a scenario.

The engine names no right: :func:`rights_market.simulate` hands this catalogue to
:func:`rights_market.engine.run.simulate`, which asks it for the policies of a scenario and the descriptors
of every right (their reserve accounts exist in every run). Adding a right is one line of :data:`ENTRIES`
(``docs/architecture.md``). Policies are built in catalogue order; forest comes after the other markets (it
issues ``land.construction_quota``, F7, only if no market declares it) and the links last (X3 pledges and
X4 projects over the products of whichever markets are present).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..engine.descriptor import RightDescriptor
from ..engine.policy import RightPolicy
from ..engine.run import institutions
from ..rules.economics import annuity_factor
from ..scenario.model import Scenario
from .emission.descriptor import DESCRIPTOR as EMISSION
from .emission.policy import EmissionPolicy
from .forest.descriptor import DESCRIPTOR as FOREST
from .forest.policy import ForestPolicy
from .land.descriptor import DESCRIPTOR as LAND
from .land.policy import LandPolicy
from .links.descriptor import DESCRIPTOR as LINKS
from .links.policy import LinksPolicy
from .teaching.descriptor import DESCRIPTOR as TEACHING
from .teaching.policy import TeachingPolicy
from .water.descriptor import DESCRIPTOR as WATER
from .water.policy import WaterPolicy


@dataclass(frozen=True)
class BuildContext:
    """What a policy may need besides its own scenario section."""

    scenario: Scenario
    weather_years: list[str]
    declared: tuple[str, ...]  # products of the policies built before it
    unit_of: Callable[[str], str]  # base unit of any product of the catalogue


@dataclass(frozen=True)
class Entry:
    """One right: its descriptor and its policy's builder (None if the scenario has no such section)."""

    descriptor: RightDescriptor
    build: Callable[[BuildContext], RightPolicy | None]


def _water(c: BuildContext) -> RightPolicy | None:
    s = c.scenario
    return None if s.water is None else WaterPolicy(s.water, s.weather, c.weather_years, s.output.holdings_every)


def _teaching(c: BuildContext) -> RightPolicy | None:
    s = c.scenario
    return None if s.teaching is None else TeachingPolicy(s.teaching, s.calendar.years * s.calendar.sessions_per_year)


def _land(c: BuildContext) -> RightPolicy | None:
    return None if c.scenario.land is None else LandPolicy(c.scenario.land, c.scenario.output.holdings_every)


def _emission(c: BuildContext) -> RightPolicy | None:
    s = c.scenario
    return None if s.emission is None else EmissionPolicy(s.emission, s.output.holdings_every)


def _forest(c: BuildContext) -> RightPolicy | None:
    s = c.scenario
    return None if s.forest is None else ForestPolicy(s.forest, s.output.holdings_every, set(c.declared))


def _links(c: BuildContext) -> RightPolicy | None:
    s = c.scenario
    if s.links is None:
        return None
    # X4: a project buys water.right for the industrial validity term (W2): it pays the present value of the
    # annual price over that term at the water market's discount rate (docs/economics.md)
    term = {} if s.water is None else {
        "water.right": annuity_factor(s.water.economics.discount_rate, s.water.validity.industry)}
    return LinksPolicy(s.links, list(c.declared), c.unit_of, term)


#: The rights, in the order their policies are built and called.
ENTRIES: tuple[Entry, ...] = (
    Entry(WATER, _water),
    Entry(TEACHING, _teaching),
    Entry(LAND, _land),
    Entry(EMISSION, _emission),
    Entry(FOREST, _forest),
    Entry(LINKS, _links),
)


def unit_of(product: str, entries: Sequence[Entry] = ENTRIES) -> str:
    """Base unit of ``product`` as its right's descriptor declares it (``""`` for a product of no right)."""
    for e in entries:
        unit = e.descriptor.unit_of(product)
        if unit:
            return unit
    return ""


def build_policies(catalogue: Catalogue, scenario: Scenario, weather_years: list[str]) -> list[RightPolicy]:
    """One policy per right present in ``scenario``, in catalogue order."""
    policies: list[RightPolicy] = []
    for e in catalogue.entries:
        ctx = BuildContext(scenario, weather_years, tuple(p for pol in policies for p in pol.products()),
                           lambda p: unit_of(p, catalogue.entries))
        pol = e.build(ctx)
        if pol is not None:
            policies.append(pol)
    return policies


@dataclass(frozen=True)
class Catalogue:
    """A list of rights (the :class:`~rights_market.engine.policy.Catalogue` protocol of the engine)."""

    entries: tuple[Entry, ...] = ENTRIES

    def descriptors(self) -> list[RightDescriptor]:
        return [e.descriptor for e in self.entries]

    def policies(self, scenario: Scenario, weather_years: list[str]) -> list[RightPolicy]:
        return build_policies(self, scenario, weather_years)

    def institutions(self) -> dict[int, str]:
        """Every institution account: the ledger's own and each right's reserve (by its descriptor)."""
        return institutions(self.descriptors())


#: The catalogue of the four rights markets, the teaching market and the links.
CATALOGUE = Catalogue()

#: Right → its reserve account; account → institution name (for readers of the tables).
RESERVES: dict[str, int] = {d.right: d.reserve_account for d in CATALOGUE.descriptors() if d.reserve_account is not None}
INSTITUTIONS: dict[int, str] = CATALOGUE.institutions()
