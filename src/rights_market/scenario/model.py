"""The scenario language: what a user writes in a YAML scenario file (pydantic v2, strict, frozen).

Every number from the plans is a field here with the plan's value as its default (design principle 1).
Units are in the field names (``_m3``, ``_yuan_per_m3``, ``_share``) or stated in the field's description.
Pluggable parts (distributions, behaviours, mechanisms, reserve rules, weather) are discriminated unions on
``type:``. Unknown fields are errors (``extra="forbid"``).

This module holds calendar, weather, output, the ``Scenario`` itself and ``MARKET_SECTIONS``; each market's
section is a module of its own (:mod:`.water`, :mod:`.emission`, :mod:`.land`, :mod:`.forest`, :mod:`.teaching`,
:mod:`.links`). The parts the sections share live below them — the ``Strict`` base and number types in
:mod:`.base`, distributions and behaviours in :mod:`.common` — and are re-exported here, as are the water
section's models, so that ``scenario.model`` imports keep working; no section imports this module.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import MAX_FACTOR, MAX_START_YEAR, MIN_YEAR, Money, Share, Strict  # noqa: F401 (Money: re-export)
from .common import (  # noqa: F401 (re-exported: ``scenario.model`` imports keep working)
    ZIC,
    ZIP,
    ZIU,
    Behaviour,
    Constant,
    Distribution,
    LogNormal,
    Markup,
    Normal,
    Param,
    Spread,
    Truthful,
    Uniform,
    Unit,
)
from .emission import EmissionSpec
from .forest import ForestSpec
from .land import LandSpec
from .links import LinksSpec
from .references import raise_located, reference_problems
from .teaching import TeachingSpec
from .water import (  # noqa: F401 (the water models lived here before :mod:`.water`)
    CDA,
    SECTOR_NAMES_ZH,
    SECTORS,
    BasePrice,
    BlockTariffSpec,
    BuyBelow,
    CallAuction,
    DryYearRelease,
    FeeSpec,
    HolderGroup,
    HolderRow,
    LongTermSpec,
    MarketSpec,
    Mechanism,
    NegotiationSpec,
    OfferBeforeExpiry,
    OfferStock,
    ProceedsSpec,
    ReserveRule,
    ReserveSpec,
    Sector,
    SectorPricing,
    SellAbove,
    SupervisionSpec,
    SurchargeSpec,
    ValiditySpec,
    WaterSpec,
)


# --------------------------------------------------------------------------- calendar and weather
class Calendar(Strict):
    """Years, billing periods and trading sessions. A year has 365 days; periods and sessions are spread
    evenly over it (day ⌊k·365/n⌋)."""

    start_year: int = Field(2021, ge=MIN_YEAR, le=MAX_START_YEAR, description="the first year, 1900..2200")
    years: int = Field(5, ge=1, le=200)
    periods_per_year: int = Field(12, ge=1, le=365, description="billing periods per year (months)")
    sessions_per_year: int = Field(52, ge=1, le=365, description="trading sessions per year (weekly)")


class WeatherState(Strict):
    """One weather state: the share of confirmed rights that can be delivered (dry years cut it, rule W12)
    and the factor on every holder's need."""

    deliverable_share: Share = Decimal("1")
    need_factor: float = Field(1.0, gt=0, le=MAX_FACTOR)


class MarkovWeather(Strict):
    """Wet / normal / dry years as a Markov chain; ``transition[a][b]`` = P(next = b | now = a)."""

    type: Literal["markov"] = "markov"
    states: dict[str, WeatherState] = Field(
        default_factory=lambda: {
            "wet": WeatherState(deliverable_share=Decimal("1"), need_factor=0.9),
            "normal": WeatherState(deliverable_share=Decimal("1"), need_factor=1.0),
            "dry": WeatherState(deliverable_share=Decimal("0.85"), need_factor=1.15),
        }
    )
    initial: str = "normal"
    transition: dict[str, dict[str, Unit]] = Field(
        default_factory=lambda: {
            "wet": {"wet": 0.4, "normal": 0.5, "dry": 0.1},
            "normal": {"wet": 0.2, "normal": 0.6, "dry": 0.2},
            "dry": {"wet": 0.1, "normal": 0.5, "dry": 0.4},
        }
    )

    @model_validator(mode="after")
    def _consistent(self) -> MarkovWeather:
        names = set(self.states)
        if self.initial not in names:
            raise ValueError(f"initial state {self.initial!r} is not one of the states {sorted(names)}")
        if set(self.transition) != names:
            raise ValueError(f"transition must have one row per state {sorted(names)}")
        for a, row in self.transition.items():
            if set(row) - names:
                raise ValueError(f"transition row {a!r} names unknown states {sorted(set(row) - names)}")
            if any(p < 0 for p in row.values()) or abs(sum(row.values()) - 1.0) > 1e-9:
                raise ValueError(f"transition row {a!r} must hold non-negative probabilities summing to 1")
        return self


class FixedWeather(Strict):
    """A given sequence of weather states, one per year (repeated if the run is longer)."""

    type: Literal["sequence"]
    states: dict[str, WeatherState]
    sequence: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> FixedWeather:
        unknown = sorted(set(self.sequence) - set(self.states))
        if unknown:
            raise ValueError(f"sequence names unknown states {unknown}")
        return self


Weather = Annotated[MarkovWeather | FixedWeather, Field(discriminator="type")]


class OutputSpec(Strict):
    """What a run records."""

    holdings_every: Literal["period", "year", "none"] = "period"


class Scenario(Strict):
    """A complete scenario file."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-.]+$")
    description: str = ""
    seed: int = Field(20210701, ge=0, le=2**63 - 1, description="default seed; `--seed` overrides it")
    calendar: Calendar = Field(default_factory=Calendar)
    weather: Weather = Field(default_factory=MarkovWeather)
    water: WaterSpec | None = None
    # Markets of the other rights are added here, one optional section each (see MARKET_SECTIONS).
    emission: EmissionSpec | None = None
    teaching: TeachingSpec | None = None
    forest: ForestSpec | None = None
    land: LandSpec | None = None
    links: LinksSpec | None = Field(None, description="cross-right links: pledges (X3), multi-right projects (X4)")
    output: OutputSpec = Field(default_factory=OutputSpec)

    @model_validator(mode="after")
    def _some_right(self) -> Scenario:
        present = [name for name in MARKET_SECTIONS if getattr(self, name, None) is not None]
        if not present:
            raise ValueError(f"a scenario needs at least one market section: one of {', '.join(MARKET_SECTIONS)}")
        return self

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        """What one section names from another exists (links to products of absent markets, teaching days
        beyond the calendar, ...): see :mod:`.references`."""
        raise_located("Scenario", reference_problems(self))
        return self


#: The market sections a scenario may hold, in the order the engine runs them.
MARKET_SECTIONS: tuple[str, ...] = ("water", "teaching", "forest", "land", "emission")
