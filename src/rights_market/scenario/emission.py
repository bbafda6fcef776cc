"""The emission-rights market section of a scenario (排污权, rules E1–E10, E12–E14).

Every number of the Dawukou emission plan (《大武口区排污权有偿使用和交易改革实施方案》, 2021) is a field
here with the plan's value as its default (design principle 1); where the plan gives no number the default
is a documented assumption (see ``scenarios/dawukou_emission.yaml`` for sources).

Units in field names: quantities of pollutants in **tonnes per year** (``_t``; converted exactly to kg, the
base unit, so at most three decimals), prices in **yuan per tonne** (``_yuan_per_t``; converted exactly to
ticks of 0.0001 yuan per kg, 1 yuan/t = 10 ticks/kg, so at most one decimal), money in yuan. Pluggable parts
(abatement curves, mechanisms, distributions, behaviours) are discriminated unions on ``type:``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .base import MAX_COUNT, MAX_SECONDS, MAX_YEARS, MAX_YUAN, Count, Money, Share, Strict, Year
from .common import Behaviour, Constant, Distribution, Normal, Truthful
from .validators import require_unique

EMISSION_SECTORS = ("industry", "agriculture", "services", "thermal_power")
EmissionSector = Literal["industry", "agriculture", "services", "thermal_power"]
UNIT_KINDS = ("existing", "new_project", "major_project", "strategic")
UnitKind = Literal["existing", "new_project", "major_project", "strategic"]
#: The id of the carbon allowance product (rule E14); not allowed as a pollutant id.
CARBON = "carbon"

#: Tonnes a year, at most 10^9 t (10^12 kg, the engine's base unit).
Tonnes = Annotated[Decimal, Field(ge=0, le=10**9, max_digits=18, decimal_places=3)]
PositiveTonnes = Annotated[Decimal, Field(gt=0, le=10**9, max_digits=18, decimal_places=3)]
#: Yuan per tonne, at most 10^9 (10^10 ticks per kg).
PricePerTonne = Annotated[Decimal, Field(ge=0, le=MAX_YUAN, max_digits=18, decimal_places=1)]
#: A multiple of a base price, 1..10^6 (a price cap of 10^6 × a base price of 10^9 yuan/t is 10^16 ticks per kg).
Multiple = Annotated[Decimal, Field(ge=1, le=10**6, max_digits=14, decimal_places=6)]
Yuan = Annotated[Decimal, Field(ge=0, le=MAX_YUAN, max_digits=18, decimal_places=2)]
#: A duration in whole years (at least one), at most 200.
TermYears = Annotated[int, Field(ge=1, le=MAX_YEARS)]
#: A duration in seconds, at most 10^7.
Seconds = Annotated[int, Field(ge=0, le=MAX_SECONDS)]


# --------------------------------------------------------------------------- pollutants (E1, E3)
class Pollutant(Strict):
    """Rule E1: one traded pollutant (product ``emission.<id>``, base unit kg). Rule E3: its base price (基价)
    guides paid acquisition and is a hard floor of every trade (yuan per tonne of annual right, for the
    validity term)."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", description="pollutant id, e.g. NOx, SO2, COD, NH3-N, VOCs")
    base_price_yuan_per_t: PricePerTonne = Field(
        gt=0, description="base price (E3), yuan per t of annual right; every traded pollutant has one"
    )

    @field_validator("id")
    @classmethod
    def _not_carbon(cls, v: str) -> str:
        if v == CARBON:
            raise ValueError(f"{CARBON!r} is the carbon allowance product (E14), configured under emission.carbon")
        return v


def _default_pollutants() -> list[Pollutant]:
    # Sources and reasoning in scenarios/dawukou_emission.yaml: NOx from Yinchuan's 2021 first resale at "twice
    # the base price"; the others in Inner Mongolia's 2012 fee ratios SO2 : NOx : COD : NH3-N = 1 : 1 : 2 : 6.
    return [
        Pollutant(id="NOx", base_price_yuan_per_t=Decimal("2000")),
        Pollutant(id="SO2", base_price_yuan_per_t=Decimal("2000")),
        Pollutant(id="COD", base_price_yuan_per_t=Decimal("4000")),
        Pollutant(id="NH3-N", base_price_yuan_per_t=Decimal("12000")),
    ]


# --------------------------------------------------------------------------- abatement cost curves
class Quadratic(Strict):
    """Abatement cost C(Z) = fixed + b·Z² yuan per year for abating Z tonnes a year (the textbook form, e.g.
    C = 100 + 2Z²); marginal cost 2bZ yuan/t, up to ``max_share`` of the unit's unabated emission."""

    type: Literal["quadratic"]
    fixed_cost_yuan: Money = Decimal("0")
    b_yuan_per_t2: Annotated[Decimal, Field(gt=0, le=MAX_YUAN, max_digits=18, decimal_places=8)]
    max_share: Share = Field(Decimal("1"), gt=0, description="largest abatement, share of unabated emission")


class Piecewise(Strict):
    """A piecewise-linear marginal abatement cost (MAC) curve: at abatement ``shares[k]`` × unabated emission
    the MAC is ``mac_yuan_per_t[k]``, linear in between; nothing can be abated beyond the last share. Shares
    start at 0 and increase; MACs never decrease (a convex cost)."""

    type: Literal["piecewise"]
    fixed_cost_yuan: Money = Decimal("0")
    shares: list[Share] = Field(min_length=2, max_length=1000)
    mac_yuan_per_t: list[Money] = Field(min_length=2, max_length=1000)

    @model_validator(mode="after")
    def _shape(self) -> Piecewise:
        if len(self.shares) != len(self.mac_yuan_per_t):
            raise ValueError("shares and mac_yuan_per_t need the same number of entries")
        if self.shares[0] != 0:
            raise ValueError("shares must start at 0 (no abatement)")
        if any(b <= a for a, b in zip(self.shares, self.shares[1:], strict=False)):
            raise ValueError("shares must be strictly increasing")
        if any(b < a for a, b in zip(self.mac_yuan_per_t, self.mac_yuan_per_t[1:], strict=False)):
            raise ValueError("mac_yuan_per_t must never decrease (a convex abatement cost)")
        return self


AbatementCurve = Annotated[Quadratic | Piecewise, Field(discriminator="type")]


# --------------------------------------------------------------------------- emitting units (E2)
class UnitPollutant(Strict):
    """One pollutant of the units of a group (rule E2: initial right = permitted emission)."""

    permitted_t: Distribution = Field(
        description="permitted emission (许可量) per unit, t/yr: the initial right of existing units (E2), the "
        "quantity new projects must buy (E4)"
    )
    unabated_share_of_permit: Distribution = Field(
        default_factory=lambda: Constant(value=1.0),
        description="emission before further abatement at the first year's output, as a share of the permit",
    )
    abatement: AbatementCurve
    cost_scale: Distribution = Field(
        default_factory=lambda: Constant(value=1.0), description="per-unit factor on the abatement cost curve"
    )


class CarbonUnit(Strict):
    """Rule E14: a key CO2 emitter (重点排放单位): its emission and abatement cost."""

    emission_t: Distribution = Field(description="CO2 emission before abatement at the first year's output, t/yr")
    abatement: AbatementCurve
    cost_scale: Distribution = Field(default_factory=lambda: Constant(value=1.0))


class EmitterGroup(Strict):
    """A group of emitting units of one sector (rules E2, E4, E7) with drawn characteristics."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    sector: EmissionSector = Field(description="trading sector (E7): industry, agriculture, services, thermal_power")
    kind: UnitKind = Field(
        "existing",
        description="existing units get their permit as unpaid rights (E2, E4); new, major and strategic "
        "projects start with no rights and buy their permit on the market (E4); major projects may also buy "
        "by directed negotiation (E4); strategic and major projects may buy reserve releases (E8)",
    )
    count: int = Field(ge=1, le=1_000_000)
    entry_year: Year | None = Field(
        None, description="year a project starts emitting (default: the first year); existing units emit from the start"
    )
    output_growth: Distribution = Field(
        default_factory=lambda: Normal(type="normal", mean=0.03, sd=0.05, min=-0.5),
        description="yearly output growth rate of each unit (emission before abatement grows with output)",
    )
    closure_rate_per_year: float = Field(
        0.01, ge=0, le=1, description="probability a unit closes, goes bankrupt or relocates in a year (E9)"
    )
    pollutants: dict[str, UnitPollutant] = Field(min_length=1)
    carbon: CarbonUnit | None = Field(None, description="set for key CO2 emitters (E14)")
    behaviour: Behaviour = Field(default_factory=lambda: Truthful(type="truthful"))
    participation: float = Field(0.5, ge=0, le=1, description="probability of trading in a session")
    floor_aware_share: Share = Field(
        Decimal("0.8"),
        description="share of units that know the base price is a floor (E3); the others price by their cost "
        "and see below-floor orders rejected until they learn",
    )
    mortgage_rate_per_year: float = Field(
        0.0, ge=0, le=1, description="probability a unit takes a mortgage loan on its rights in a year (E10)"
    )
    lease_participation: float = Field(
        1.0, ge=0, le=1, description="probability a unit takes part in the yearly lease round (E10)"
    )

    @model_validator(mode="after")
    def _entry_for_projects(self) -> EmitterGroup:
        if self.kind == "existing" and self.entry_year is not None:
            raise ValueError("entry_year is for projects (new_project, major_project, strategic); existing units "
                             "emit from the first year")
        return self


# --------------------------------------------------------------------------- fees (E4, E5)
class FeeSpec(Strict):
    """Rules E4/E5: paid use (有偿使用) of rights.

    During the reform period (``reform_years`` from the first year) existing units pay no use fee; after it
    their unpaid rights are converted to paid ones over ``phase_in_years`` by paying the use fee at the base
    price (改革后逐步实现有偿取得). Selling unpaid rights back-pays the use fee at the base price to the fiscal
    account and the seller keeps the premium (E5)."""

    reform_years: int = Field(2, ge=0, le=MAX_YEARS, description="the plan's 2-year reform period (E4)")
    phase_in_years: TermYears = Field(3, description="years over which unpaid rights become paid after the reform")
    sale_draws_first: Literal["unpaid", "paid"] = Field(
        "unpaid", description="which rights a sale takes first: the unpaid (tradable surplus of the initial right) or the paid"
    )


# --------------------------------------------------------------------------- compliance (E12, E13)
class ComplianceSpec(Strict):
    """Rules E12/E13: emitting beyond the rights held is a violation; units short of rights are told to
    complete their trade by the year end."""

    penalty_fixed_yuan: Yuan = Field(
        Decimal("200000"), description="fine per unit, pollutant and year of violation (排污许可管理条例 art. 34: 20–100万元)"
    )
    penalty_yuan_per_t: PricePerTonne = Field(Decimal("0"), description="fine per tonne emitted beyond the rights held")
    notice_day_of_year: int = Field(
        273, ge=0, le=364, description="E13: day of the year the notice letters (告知函) go out (273 = 1 October)"
    )


# --------------------------------------------------------------------------- reserve (E8, E9)
class BuybackSpec(Strict):
    """Rule E8: the district buys back rights at a price based on the base price, within its budget."""

    price_multiple_of_base: Multiple = Field(
        Decimal("1"), description="buy-back price = base price × this (≥ 1: no trade below the base price, E3)"
    )
    max_t_per_year: dict[str, Tonnes] = Field(
        default_factory=dict, description="tonnes a year bought back per pollutant (absent: none)"
    )


class DirectedSpec(Strict):
    """Rule E4: major projects buy from the reserve by directed negotiation (定向协商购买) within bounds."""

    enabled: bool = True
    max_multiple_of_base: Multiple = Field(Decimal("1.5"), description="upper bound = base price × this")
    seller_power: Share = Decimal("0.5")
    noise_sd_share: float = Field(0.1, ge=0, le=1)


class ReleaseSpec(Strict):
    """Rule E8: reserve rights released by listing with bidding (挂牌竞价) to strategic emerging industries and
    major projects. The listing's increment, period and round are the platform's (``market.mechanism`` when it
    is a listing, else the listing defaults)."""

    every_sessions: int = Field(13, ge=1, le=MAX_COUNT, description="a release round every this many trading sessions")
    lot_t: PositiveTonnes = Field(Decimal("1"), description="size of a released lot, t")
    max_lots_per_round: Count = Field(5, description="lots released per pollutant and round")
    start_multiple_of_base: Multiple = Field(Decimal("1"), description="listing start price = base price × this")
    eligible_kinds: list[UnitKind] = Field(default_factory=lambda: ["strategic", "major_project"])


class ReserveSpec(Strict):
    """Rules E8/E9 and X2: the district's emission reserve, with its own accounts. Income from sales is
    non-tax revenue paid straight to the fiscal account and spending comes from a yearly budget (收支两条线)."""

    enabled: bool = True
    budget_yuan_per_year: Yuan = Decimal("500000")
    initial_t: dict[str, Tonnes] = Field(default_factory=dict, description="reserve stock at the start, per pollutant")
    buyback: BuybackSpec = Field(default_factory=BuybackSpec)
    release: ReleaseSpec = Field(default_factory=ReleaseSpec)
    directed: DirectedSpec = Field(default_factory=DirectedSpec)
    closure_paid: Literal["reserve_then_market", "market"] = Field(
        "reserve_then_market",
        description="E9: paid rights of closed units are bought by the reserve within its cash, the rest sold on the "
        "market (reserve_then_market), or all sold on the market",
    )


# --------------------------------------------------------------------------- market (E3, E6, E7)
class CDAMechanism(Strict):
    """Continuous double auction (撮合) on the platform: price-time priority, trades at the resting price."""

    type: Literal["cda"]


class CallMechanism(Strict):
    """Call auction (集合竞价): a session's orders cleared at one uniform price."""

    type: Literal["call"]


class ListingMechanism(Strict):
    """Listing with competitive bidding (挂牌竞价, E6): sellers list lots at a start price ≥ the base price;
    registered bidders raise by the increment in a timed round with extension (延时)."""

    type: Literal["listing"]
    increment_yuan_per_t: PricePerTonne = Field(Decimal("500"), gt=0)
    listing_days: int = Field(5, ge=1, le=365)
    round_seconds: int = Field(240, ge=1, le=MAX_SECONDS)
    extension_window_s: Seconds = 60
    extension_s: Seconds = 60
    mean_response_s: float = Field(20.0, gt=0, le=MAX_SECONDS)


EmissionMechanism = Annotated[CDAMechanism | CallMechanism | ListingMechanism, Field(discriminator="type")]


class ExpectationSpec(Strict):
    """The permit price units expect (design principle 8): an exponentially weighted average of the yearly
    volume-weighted trade prices, ``expected ← expected + weight × (observed − expected)`` (the core's
    :func:`~rights_market.rules.economics.expect`; a year without trades leaves it), starting at the base price
    × ``start_multiple_of_base``. A unit abates at the year start while its marginal abatement cost is below the
    expected price (per year of the valuation horizon) and buys rights for the rest."""

    start_multiple_of_base: Annotated[Decimal, Field(ge=0, le=10**6, max_digits=14, decimal_places=6)] = Field(
        Decimal("1"), description="the first year's expected price, × the base price (0: units expect nothing and "
        "abate only what their rights do not cover)")
    weight: Share = Field(Decimal("0.5"), description="weight of the latest year's price (1: last year's price only)")
    cap_path_years: Annotated[int, Field(ge=0, le=MAX_YEARS)] = Field(
        0, description="0: adaptive expectations only. H > 0: units also read the published cap path (E2) H years "
        "ahead, this year included, and plan at the higher of the two: the mean over those years of the yearly "
        "price at which the district's abatement meets that year's cap, given the emission expected then (units "
        "grow at their group's mean rate, approved projects enter in their entry year; docs/economics.md)")


class CapSpec(Strict):
    """E2 with the plan's aim (推动主要污染物排放总量明显下降): the district's total of rights per pollutant (the
    cap) follows a path. The cap of year y is the rights issued at set-up × (1 − reduction share)^(y − base_year),
    or the tonnes of ``path_t`` where it names the year. At each year start rights above the cap are retired pro
    rata over the units' free rights (not pledged, not leased in) and the reserve's stock."""

    base_year: Year | None = Field(
        None, description="the year whose cap is the rights issued at set-up (default: the first simulated year)"
    )
    reduction_share_per_year: dict[str, Share] = Field(
        default_factory=dict, description="yearly cut of the cap per pollutant (absent: no cut)"
    )
    path_t: dict[str, dict[Year, Tonnes]] = Field(
        default_factory=dict, description="the cap per pollutant and year, t (overrides the reduction share that year)"
    )


class EmissionMarketSpec(Strict):
    """The unified platform (E6): one mechanism, same-sector trading (E7), the base price as floor (E3)."""

    mechanism: EmissionMechanism = Field(default_factory=lambda: ListingMechanism(type="listing"))
    trade_every_sessions: int = Field(1, ge=1, le=MAX_COUNT, description="the platform trades every this many calendar sessions")
    lot_t: PositiveTonnes = Field(Decimal("1"), description="smallest quantity a unit's schedule steps by, t")
    max_orders_per_side: int = Field(5, ge=1, le=MAX_COUNT, description="orders (or listings) per unit, pollutant, side and session")
    valuation_years: int = Field(
        5, ge=1, le=MAX_YEARS, description="a unit values a right (a tonne a year) at its yearly marginal abatement cost × this"
    )
    price_max_multiple_of_base: Multiple = Field(
        Decimal("15"),
        description="highest price any order may carry, base price × this: bounds random quotes and the value of "
        "rights a unit cannot abate (NOx: 15 × 2,000 = 30,000 yuan/t, near the 28,800 yuan/t Yinchuan paid in 2022)",
    )
    same_sector_only: bool = Field(True, description="E7: trades stay within one sector")
    off_platform_attempts_per_session: float = Field(
        0.1, ge=0, le=MAX_COUNT, description="E6: mean number of bilateral off-platform attempts a session (all rejected)"
    )
    transaction_cost_yuan_per_trade: Yuan = Field(
        Decimal("0"),
        description="fixed cost a unit bears for each trade it makes (verification of the tradable surplus, "
        "application, platform and permit-change paperwork), yuan: a unit places an order only when its gain at "
        "the expected price exceeds it, and its quotes carry it (0: a frictionless market)",
    )
    reference_trades_per_year: float | None = Field(
        None, ge=0, le=MAX_COUNT,
        description="a published trading rate the district's yearly trade count is reported against "
        "(KPI trade_count_vs_reference); None: not reported",
    )
    expectation: ExpectationSpec = Field(default_factory=lambda: ExpectationSpec())


# --------------------------------------------------------------------------- finance (E10)
class LeaseSpec(Strict):
    """Rule E10: short-term leasing (租赁): each year start, units holding more than they emit offer a share of
    the surplus for lease; units short bid a yearly rent; a call auction on the rent clears it (same sector,
    E7). Leased rights move to the lessee for the term and return at its end; rent is paid each year."""

    enabled: bool = True
    offer_share_of_surplus: Share = Decimal("0.3")
    term_years: TermYears = 1


class MortgageSpec(Strict):
    """Rule E10: mortgage loans (抵押贷款) on rights: the pledged rights stay with the unit but cannot be sold
    while pledged; the bank (the rest of the economy) lends the loan-to-value share of their value at the base
    price and is repaid with interest at the term end."""

    pledge_share: Share = Field(Decimal("0.5"), description="share of held rights pledged")
    loan_to_value: Share = Decimal("0.7")
    interest_rate: Share = Field(Decimal("0.0385"), description="yearly; 1-year LPR of 2021")
    term_years: TermYears = 1


# --------------------------------------------------------------------------- carbon (E14)
class CarbonSpec(Strict):
    """Rule E14: annual carbon allowances (碳排放配额) for key emitters, a surrender (清缴) check at the year
    end. Allowances are product ``emission.carbon`` in kg CO2."""

    enabled: bool = True
    allocation_share: Share = Field(
        Decimal("0.95"), description="free allocation as a share of the unit's CO2 emission before abatement"
    )
    penalty_multiple_of_price: Multiple = Field(
        Decimal("5"), description="fine per t not surrendered = reference price × this (暂行条例 2024: 5–10×)"
    )
    reference_price_yuan_per_t: PricePerTonne = Field(
        Decimal("60"), gt=0, description="reference allowance price (national ETS 2021–2023), yuan/t CO2"
    )
    banking: bool = Field(True, description="unused allowances carry over to the next year")
    trade: bool = Field(
        True, description="allowances trade among key emitters in the sessions: a call auction, no floor, no sectors"
    )
    lot_t: PositiveTonnes = Field(Decimal("1000"), description="step of the emitters' schedules, t CO2")
    max_orders_per_side: int = Field(20, ge=1, le=MAX_COUNT, description="orders per emitter, side and session")


# --------------------------------------------------------------------------- the section
class EmissionSpec(Strict):
    """The emission-rights market (排污权) of one district: rules E1–E10, E12–E14."""

    pollutants: list[Pollutant] = Field(default_factory=_default_pollutants, min_length=1)
    validity_years: TermYears = Field(5, description="term of a right (E5); renewed at its end")
    first_term_start_year: Year | None = Field(None, description="first year of the current term (default: the first year)")
    renewal_keep_share: Share = Field(
        Decimal("1"), description="share of rights kept when they are renewed at the term end; the rest is retired"
    )
    fees: FeeSpec = Field(default_factory=FeeSpec)
    compliance: ComplianceSpec = Field(default_factory=ComplianceSpec)
    reserve: ReserveSpec = Field(default_factory=ReserveSpec)
    market: EmissionMarketSpec = Field(default_factory=EmissionMarketSpec)
    lease: LeaseSpec = Field(default_factory=LeaseSpec)
    mortgage: MortgageSpec = Field(default_factory=MortgageSpec)
    carbon: CarbonSpec = Field(default_factory=CarbonSpec)
    cap: CapSpec = Field(default_factory=CapSpec)
    durable_abatement: bool = Field(
        False, description="abatement capital is durable: a unit abates at least the share of its emission before "
        "abatement that it abated the year before (installed equipment keeps working; docs/economics.md)")
    groups: list[EmitterGroup] = Field(min_length=1)

    @field_validator("pollutants")
    @classmethod
    def _unique_pollutants(cls, pollutants: list[Pollutant]) -> list[Pollutant]:
        return require_unique(pollutants, "id", "pollutant ids")

    @field_validator("groups")
    @classmethod
    def _unique_names(cls, groups: list[EmitterGroup]) -> list[EmitterGroup]:
        return require_unique(groups, "name", "group names")

    @model_validator(mode="after")
    def _known_pollutants(self) -> EmissionSpec:
        known = [p.id for p in self.pollutants]
        problems = []
        for gi, g in enumerate(self.groups):
            for pid in g.pollutants:
                if pid not in known:
                    problems.append(f"groups.{gi}.pollutants.{pid}: unknown pollutant {pid!r}")
        for where, table in (("reserve.initial_t", self.reserve.initial_t),
                             ("reserve.buyback.max_t_per_year", self.reserve.buyback.max_t_per_year),
                             ("cap.reduction_share_per_year", self.cap.reduction_share_per_year),
                             ("cap.path_t", self.cap.path_t)):
            for pid in table:
                if pid not in known:
                    problems.append(f"{where}.{pid}: unknown pollutant {pid!r}")
        if problems:
            raise ValueError("; ".join(problems) + f" (pollutants defined: {', '.join(known)})")
        return self


__all__ = [
    "CARBON",
    "EMISSION_SECTORS",
    "UNIT_KINDS",
    "AbatementCurve",
    "BuybackSpec",
    "CallMechanism",
    "CapSpec",
    "CarbonSpec",
    "CarbonUnit",
    "CDAMechanism",
    "ComplianceSpec",
    "DirectedSpec",
    "EmissionMarketSpec",
    "EmissionSpec",
    "EmitterGroup",
    "ExpectationSpec",
    "FeeSpec",
    "LeaseSpec",
    "ListingMechanism",
    "MortgageSpec",
    "Piecewise",
    "Pollutant",
    "Quadratic",
    "ReleaseSpec",
    "ReserveSpec",
    "UnitPollutant",
]
