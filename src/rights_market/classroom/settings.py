"""The classroom scenario language: a ``classroom:`` block (pydantic v2, strict, frozen).

A classroom file is a small market that a trainer runs live in the browser::

    name: classroom_water
    seed: 20210701
    classroom:
      product: water.annual      # <right>.<product>; the right names the reserve account (rule X2)
      unit: m3
      lot: 10                    # orders are whole lots of 10 m³
      price_step_yuan: 0.001     # prices are whole steps; lot × step is a whole number of fen
      base_price_yuan: 1.081
      ...
      roles: {farm_a: {type: farm, ...}, firm_a: {type: firm, ...}}
      seats: [{role: farm_a, player: human, count: 2}, {role: firm_a, player: zi_c, count: 2}]

Roles carry **induced values** (Smith 1962): a ``buyer`` has a value per unit for each successive lot, a
``seller`` a cost; the right-flavoured roles derive theirs from the rules — a ``farm`` with surplus water (its
water is worth its use value up to its need, a salvage value beyond), a ``firm`` with a plan and an abatement
cost (each unit it lacks is either abated or pays the W9 over-plan surcharge, bands computed with
:mod:`rights_market.rules.tariffs`, or a penalty — whichever is cheaper). The roles are declared in
:mod:`rights_market.classroom.roles` (re-exported here); every role's value of holding ``h`` lots is computed by
:mod:`rights_market.classroom.values`, which the spec's validator calls.

Exactness: prices are whole multiples of ``price_step_yuan`` and quantities whole lots, and ``lot × step``
must be a whole number of fen, so the money of every trade is an exact number of fen (no rounding at all).
Times are whole seconds of the session clock (0 = the first period opens).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..rights.descriptors import RESERVES
from ..scenario.model import ZIP, Money, Strict
from ..scenario.validators import repeated
from ..scenario.water import SurchargeSpec
from ..units import TICKS_PER_FEN, yuan_to_ticks
from .roles import MAX_BILL_BANDS, MAX_ROLE_LOTS, BuyerRole, FarmRole, FirmRole, Quantity, Role, SellerRole  # noqa: F401 (re-exported)
from .values import valuation

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]+$", min_length=1, max_length=40)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4)]

#: Players of a seat: a person, or a robot strategy.
PLAYERS = ("human", "zi_c", "truthful", "zip")


class SeatGroup(Strict):
    """``count`` seats of role ``role`` played by ``player``: ``human`` (a participant who joins) or a robot
    strategy — ``zi_c`` (Gode & Sunder's zero-intelligence constrained trader), ``truthful`` (bids its value,
    asks its cost) or ``zip`` (Cliff's ZIP, where available)."""

    role: Name
    player: Literal["human", "zi_c", "truthful", "zip"]
    count: int = Field(1, ge=1, le=500)


class RobotSettings(Strict):
    """Pace of the robots. Each robot wakes after exponential waits of mean ``mean_interval_seconds``,
    cancels its resting order and quotes again — for its next lots of equal value to it, at most
    ``lots_per_order``, one price (a block of equal units is one unit of Gode & Sunder's traders); in a listing's bidding round a willing robot raises
    by the increment after an exponential think time of mean ``listing_response_seconds`` (shared among the
    willing). ``zip``: the learning parameters of ZIP robots (:mod:`rights_market.agents.zip`)."""

    mean_interval_seconds: Annotated[Decimal, Field(gt=0, le=3600, decimal_places=3)] = Decimal("3")
    listing_response_seconds: Annotated[Decimal, Field(gt=0, le=3600, decimal_places=3)] = Decimal("8")
    lots_per_order: int = Field(5, ge=1, le=1000, description="most lots a robot's order holds (all of equal value to it)")
    zip: ZIP = Field(default_factory=lambda: ZIP(type="zip"), description="parameters of ZIP robots (Cliff 1997)")


class BuyBelowRule(Strict):
    """Rule W12 / E8: at a check where the last trade price is below ``trigger_yuan`` the reserve bids at the
    trigger for up to ``max_quantity`` base units (whole lots), within its cash."""

    type: Literal["buy_below"]
    trigger_yuan: PositiveMoney
    max_quantity: Annotated[int, Field(gt=0, le=10**12)]


class SellAboveRule(Strict):
    """Rule W12 / E8: at a check where the last trade price is above ``trigger_yuan`` the reserve offers up to
    ``max_quantity`` base units of its stock at the trigger."""

    type: Literal["sell_above"]
    trigger_yuan: PositiveMoney
    max_quantity: Annotated[int, Field(gt=0, le=10**12)]


ReserveRule = Annotated[BuyBelowRule | SellAboveRule, Field(discriminator="type")]


class ClassroomReserve(Strict):
    """The government reserve of the right (rule X2, its own account): each period it gets ``stock`` base
    units and ``cash_yuan`` from the fiscal account, checks the market every ``check_seconds`` and acts by its
    rules; listing lots are sold from its stock too. Its unsold stock expires at the period end."""

    stock: Quantity = 0
    cash_yuan: Money = Decimal("0")
    check_seconds: int = Field(15, ge=1, le=3600)
    rules: list[ReserveRule] = Field(default_factory=list)


class ListingLot(Strict):
    """A lot the reserve sells by listing with bidding (挂牌竞价, rules E6 / X1; :mod:`rights_market.market.listing`)
    in period ``period``: registration from ``opens_seconds`` to ``closes_seconds`` after the period opens
    (a registration accepts the start price), then, with two or more bidders, a bidding round of
    ``round_seconds`` with the 延时 extension rule; one bidder takes the lot at the start price."""

    name: Name
    period: int = Field(0, ge=0)
    quantity: Annotated[int, Field(gt=0, le=10**12)]
    start_yuan: PositiveMoney
    increment_yuan: PositiveMoney
    opens_seconds: int = Field(0, ge=0)
    closes_seconds: int = Field(gt=0)
    round_seconds: int = Field(60, ge=1)
    extension_window_seconds: int = Field(0, ge=0)
    extension_seconds: int = Field(0, ge=0)
    max_extensions: int = Field(10, ge=0, le=1000)

    @model_validator(mode="after")
    def _times(self) -> ListingLot:
        if self.closes_seconds <= self.opens_seconds:
            raise ValueError("closes_seconds must be after opens_seconds")
        return self

    def latest_end_seconds(self) -> int:
        """Latest second (after the period opens) at which the bidding round can end."""
        return self.closes_seconds + self.round_seconds + self.max_extensions * self.extension_seconds


class ClassroomSpec(Strict):
    """One live classroom market: one product, traded in a continuous double auction (撮合, rule W11) and,
    optionally, listing lots (挂牌竞价); ``periods`` trading periods of ``period_seconds`` each."""

    product: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z0-9_]+$", description="<right>.<product>, e.g. water.annual")
    unit: str = Field(pattern=r"^[A-Za-z0-9_]+$", max_length=12, description="base unit, e.g. m3 or kg")
    lot: int = Field(1, ge=1, le=10**9, description="base units per lot; order quantities are whole lots")
    price_step_yuan: PositiveMoney = Decimal("0.01")
    base_price_yuan: PositiveMoney
    price_min_yuan: PositiveMoney
    price_max_yuan: PositiveMoney
    floor_at_base_price: bool = Field(False, description="the base price is a hard floor (rule E3) rather than a benchmark (W5)")
    year: int = Field(2021, ge=1900, le=3000)
    periods: int = Field(3, ge=1, le=100)
    period_seconds: int = Field(180, ge=10, le=24 * 3600)
    pause_between_periods: bool = Field(True, description="the clock stops when a period ends; the trainer starts the next")
    max_open_orders: int = Field(20, ge=1, le=1000, description="resting orders a seat may have at once")
    robots: RobotSettings = Field(default_factory=RobotSettings)
    surcharge: SurchargeSpec | None = Field(None, description="rule W9 over-plan surcharge paid by firms with charge: surcharge")
    reserve: ClassroomReserve | None = None
    listings: list[ListingLot] = Field(default_factory=list)
    roles: dict[Name, Role] = Field(min_length=1)
    seats: list[SeatGroup] = Field(min_length=1)

    @property
    def right(self) -> str:
        """The right traded (the product's prefix): ``water``, ``emission``, ``land``, ``forest`` or another."""
        return self.product.split(".", 1)[0]

    @property
    def step_ticks(self) -> int:
        return yuan_to_ticks(self.price_step_yuan)

    @property
    def n_seats(self) -> int:
        return sum(g.count for g in self.seats)

    @model_validator(mode="after")
    def _consistent(self) -> ClassroomSpec:
        problems = self._problems()
        if not problems:  # the roles' induced values must be well formed too
            for name, role in self.roles.items():
                try:
                    valuation(name, role, self)
                except ValueError as exc:
                    problems.append(f"roles.{name}: {exc}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _problems(self) -> list[str]:
        out: list[str] = []
        step = self.step_ticks
        if (self.lot * step) % TICKS_PER_FEN:
            out.append(f"lot × price_step_yuan must be a whole number of fen (lot {self.lot} × {self.price_step_yuan} yuan)")

        def on_step(what: str, yuan: Decimal) -> None:
            if yuan_to_ticks(yuan) % step:
                out.append(f"{what} {yuan} is not a multiple of price_step_yuan {self.price_step_yuan}")

        for what in ("base_price_yuan", "price_min_yuan", "price_max_yuan"):
            on_step(what, getattr(self, what))
        if self.price_min_yuan >= self.price_max_yuan:
            out.append("price_min_yuan must be below price_max_yuan")
        if not self.price_min_yuan <= self.base_price_yuan <= self.price_max_yuan:
            out.append("base_price_yuan must lie within [price_min_yuan, price_max_yuan]")
        if self.n_seats > 500:
            out.append(f"at most 500 seats in a classroom (got {self.n_seats})")
        used = set()
        for i, g in enumerate(self.seats):
            used.add(g.role)
            if g.role not in self.roles:
                out.append(f"seats.{i}.role: unknown role {g.role!r}; roles are {', '.join(self.roles)}")
        unused = sorted(set(self.roles) - used)
        if unused:
            out.append(f"roles without seats: {', '.join(unused)} (give them seats or remove them)")
        for name, role in self.roles.items():
            for what in ("holding", "plan"):
                q = getattr(role, what, None)
                if q is not None and q % self.lot:
                    out.append(f"roles.{name}.{what}: {q} is not a whole number of lots of {self.lot} {self.unit}")
            for what in ("holding", "need", "plan"):
                q = getattr(role, what, None)
                if q is not None and q > MAX_ROLE_LOTS * self.lot:
                    out.append(f"roles.{name}.{what}: {q:,} {self.unit} is {-(-q // self.lot):,} lots of {self.lot}, "
                               f"over the {MAX_ROLE_LOTS:,} lots a classroom role may have; lower it or raise lot")
            if isinstance(role, FirmRole) and role.charge == "surcharge" and self.surcharge is None:
                out.append(f"roles.{name}: charge: surcharge needs a classroom surcharge section (rule W9)")
        if self.reserve is not None:
            if self.right not in RESERVES:
                out.append(f"a reserve needs a right with a reserve account ({', '.join(RESERVES)}); got {self.right!r}")
            if self.reserve.stock % self.lot:
                out.append(f"reserve.stock: {self.reserve.stock} is not a whole number of lots of {self.lot}")
            for i, rule in enumerate(self.reserve.rules):
                on_step(f"reserve.rules.{i}.trigger_yuan", rule.trigger_yuan)
                if rule.max_quantity % self.lot:
                    out.append(f"reserve.rules.{i}.max_quantity: {rule.max_quantity} is not a whole number of lots")
        if repeated(lot.name for lot in self.listings):
            out.append("listings: lot names must be unique")
        if self.listings and self.right not in RESERVES:
            out.append(f"listings are sold by the reserve of the right; {self.right!r} has none ({', '.join(RESERVES)})")
        for i, lot in enumerate(self.listings):
            if lot.period >= self.periods:
                out.append(f"listings.{i}.period: {lot.period} is not a period of this classroom (0..{self.periods - 1})")
            if lot.quantity % self.lot:
                out.append(f"listings.{i}.quantity: {lot.quantity} is not a whole number of lots of {self.lot}")
            on_step(f"listings.{i}.start_yuan", lot.start_yuan)
            on_step(f"listings.{i}.increment_yuan", lot.increment_yuan)
            if self.floor_at_base_price and lot.start_yuan < self.base_price_yuan:
                out.append(f"listings.{i}.start_yuan: {lot.start_yuan} is below the base price {self.base_price_yuan} (rule E3 floor)")
            if lot.latest_end_seconds() > self.period_seconds:
                out.append(f"listings.{i}: the bidding round may end at {lot.latest_end_seconds()} s, after the period "
                           f"({self.period_seconds} s); shorten it or lengthen period_seconds")
        return out


class ClassroomScenario(Strict):
    """A classroom scenario file: a name, a seed for the robots, and the ``classroom`` block."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-.]+$", max_length=80)
    description: str = ""
    seed: int = Field(20210701, ge=0, description="seed of the robots' random streams")
    classroom: ClassroomSpec


__all__ = [
    "PLAYERS",
    "BuyBelowRule",
    "BuyerRole",
    "ClassroomReserve",
    "ClassroomScenario",
    "ClassroomSpec",
    "FarmRole",
    "FirmRole",
    "ListingLot",
    "Role",
    "RobotSettings",
    "SeatGroup",
    "SellAboveRule",
    "SellerRole",
]
