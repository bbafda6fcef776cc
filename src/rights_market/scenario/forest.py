"""The ``forest:`` section of a scenario: the mountain-forest rights market (山林权) of one district.

Rules F1–F10 of ``docs/rules.md``; plan texts: 《大武口区关于深化山林权改革加快推进植绿增绿护绿步伐的实施方案》 [F] and
《关于成立大武口区贺兰山林场的实施方案》 [forest farm plan]. Every number of the plans is a field whose default is
the plan's value; every other default is a documented assumption (the sources are in the field descriptions
and in ``scenarios/dawukou_forest.yaml``).

Units. Areas are written in **mu** (亩, at most two decimals) and kept by the engine in **0.01 mu** (the base
unit of the forest products ``forest.ownership``, ``forest.contract``, ``forest.management``); growing stock is
written in m³ and kept in dm³; energy-use quota in **kg of standard coal equivalent** (kgce; plans write t);
construction-land quota in m²; money in yuan (kept in fen).

This module deliberately imports nothing from :mod:`.model` (which imports it); its ``Strict`` base and number
types come from :mod:`.base`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .base import MAX_FACTOR, MAX_QUANTITY, MAX_SECONDS, MAX_YEARS, Amount, Money, Share, Strict, Year
from .validators import require_unique

Mu = Annotated[Decimal, Field(ge=0, le=10**9, max_digits=14, decimal_places=2,
                               description="area in mu (0.01 mu exact), at most 10^9 mu")]
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]+$")]

#: The five service families of the plan's ecological assessment (rule F4, [F §二(三)6]).
ECO_DIMENSIONS = ("water_conservation", "soil_retention", "carbon_oxygen", "purification", "windbreak_sand")


class Range(Strict):
    """A characteristic drawn per holder uniformly on [low, high] (low = high: every holder the same)."""

    low: float = Field(ge=0, le=10**9)
    high: float = Field(ge=0, le=10**9)

    @model_validator(mode="after")
    def _order(self) -> Range:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        return self


class YearRange(Strict):
    """A whole number of years drawn uniformly on [min, max]."""

    min: int = Field(ge=1, le=100)
    max: int = Field(ge=1, le=100)

    @model_validator(mode="after")
    def _order(self) -> YearRange:
        if self.max < self.min:
            raise ValueError(f"max ({self.max}) must be at least min ({self.min})")
        return self


# --------------------------------------------------------------------------- parcels (F1, F4, F10)
class Incorporation(Strict):
    """Rule F10: the zone enters the forest farm's management (and its per-mu budget) gradually:
    ``mu_per_year`` from ``start_year`` on ("逐步纳入管护范围", [forest farm plan §四二])."""

    start_year: Year = 2021
    mu_per_year: Mu = Field(Decimal("2500"), gt=0)


class ZoneSpec(Strict):
    """A named forest area (rule F4 appraises each; rule F10 manages them). State-owned unless said otherwise.

    ``manager``: who holds the management right at the start — the forest farm, or the government (an area
    still run by the clean-up headquarters or another state unit). ``incorporation``: the area moves from the
    government to the farm over the years (F10). ``in_budget``: the area is funded per mu (650 yuan/mu) rather
    than by the farm's base budget."""

    name: Name
    area_mu: Mu = Field(gt=0)
    ownership: Literal["state", "collective"] = "state"
    manager: Literal["forest_farm", "government"] = "forest_farm"
    parcel_mu: Mu = Field(Decimal("500"), gt=0, description="parcels the zone is split into, mu each (last one smaller)")
    stock_m3_per_mu: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=3)
    incorporation: Incorporation | None = None
    in_budget: bool = False

    @model_validator(mode="after")
    def _incorporation(self) -> ZoneSpec:
        if self.incorporation is not None and self.manager != "government":
            raise ValueError("a zone with `incorporation` starts under the government (manager: government)")
        if self.ownership == "collective" and self.manager == "forest_farm":
            raise ValueError("collective forest land is contracted to households, not managed by the state farm")
        return self


def _default_zones() -> list[ZoneSpec]:
    # [F §二(三)6] and [forest farm plan §三]: greening area 10,000 mu, gully eco-forest 12,000 mu,
    # Beiwudang 2,600 mu. Stocks per mu: 50,000 m³ over the farm's 12,000 mu (plan §一(三)) = 4.167 m³/mu.
    return [
        ZoneSpec(name="gully_eco_forest", area_mu=Decimal("12000"), stock_m3_per_mu=Decimal("4.167")),
        ZoneSpec(name="greening_area", area_mu=Decimal("10000"), manager="government",
                 stock_m3_per_mu=Decimal("0.5"), incorporation=Incorporation(), in_budget=True),
        ZoneSpec(name="beiwudang", area_mu=Decimal("2600"), manager="government", parcel_mu=Decimal("650"),
                 stock_m3_per_mu=Decimal("3")),
    ]


# --------------------------------------------------------------------------- holders
class HouseholdSpec(Strict):
    """Rule F1: households of the collectives hold the contract right and the management right of collective
    forest land (农户通过承包获得承包权和经营权, [F §二(二)3]); one parcel each."""

    count: int = Field(30, ge=0, le=1_000_000)
    parcel_mu: Range = Field(default_factory=lambda: Range(low=20, high=120))
    stock_m3_per_mu: Range = Field(default_factory=lambda: Range(low=0.5, high=3))
    own_value_yuan_per_mu_year: Range = Field(
        default_factory=lambda: Range(low=20, high=80),
        description="what the household earns from managing its parcel itself, yuan/mu/yr (its reservation value)",
    )


class OperatorSpec(Strict):
    """New management entities (enterprises, cooperatives, family forest farms) that take management rights
    by transfer for under-forest economy ([F §二(二)3, 5])."""

    count: int = Field(8, ge=0, le=100_000)
    value_yuan_per_mu_year: Range = Field(
        default_factory=lambda: Range(low=60, high=240),
        description="under-forest economy income the operator earns per mu per year (its value of a right)",
    )


class FirmSpec(Strict):
    """Firms that bid to afforest for energy-use quota (F8) or construction land (F7)."""

    count: int = Field(6, ge=0, le=100_000)
    energy_need_t_per_year: Range = Field(
        default_factory=lambda: Range(low=500, high=3000),
        description="new energy use each firm needs a quota for, t standard coal per year",
    )
    energy_value_yuan_per_t: Range = Field(
        default_factory=lambda: Range(low=6000, high=12000),
        description="what one more tonne of energy-use quota is worth to the firm, yuan/t",
    )
    land_value_yuan_per_m2: Range = Field(
        default_factory=lambda: Range(low=150, high=600),
        description="what one m² of construction-land quota is worth to the firm (F7), yuan/m²",
    )
    quality_score: Range = Field(
        default_factory=lambda: Range(low=50, high=100),
        description="afforestation capability the tender panel grades (0..100), for tender lots",
    )


# --------------------------------------------------------------------------- value assessment (F4)
class ServiceSpec(Strict):
    """One ecological service line of the assessment (rule F4): physical amount per mu per year of a mature
    stand × unit price (LY/T 1721 method: 物质量 × 价格)."""

    dimension: Literal["water_conservation", "soil_retention", "carbon_oxygen", "purification", "windbreak_sand"]
    quantity_per_mu_year: Decimal = Field(ge=0, max_digits=16, decimal_places=6)
    unit: str
    price_yuan_per_unit: Money
    source: str = ""


def _default_services() -> dict[str, ServiceSpec]:
    # Unit prices: LY/T 1721-2008 《森林生态系统服务功能评估规范》 Annex A (social public data, 2008 prices).
    # Physical amounts: ASSUMPTIONS for the dry shallow mountains of Helan (≈180 mm precipitation); see
    # scenarios/dawukou_forest.yaml for the derivation of each.
    return {
        "water_conservation": ServiceSpec(
            dimension="water_conservation", quantity_per_mu_year=Decimal("15"), unit="m3",
            price_yuan_per_unit=Decimal("6.1107"), source="LY/T 1721-2008 A: reservoir construction cost 6.1107 yuan/m3"),
        "soil_retention": ServiceSpec(
            dimension="soil_retention", quantity_per_mu_year=Decimal("0.4"), unit="m3",
            price_yuan_per_unit=Decimal("12.6"), source="LY/T 1721-2008 A: earthwork excavation 12.6 yuan/m3"),
        "carbon_fixation": ServiceSpec(
            dimension="carbon_oxygen", quantity_per_mu_year=Decimal("0.065"), unit="t C",
            price_yuan_per_unit=Decimal("1200"), source="LY/T 1721-2008 A: carbon fixation price 1,200 yuan/t C"),
        "oxygen_release": ServiceSpec(
            dimension="carbon_oxygen", quantity_per_mu_year=Decimal("0.175"), unit="t O2",
            price_yuan_per_unit=Decimal("1000"), source="LY/T 1721-2008 A: oxygen production 1,000 yuan/t"),
        "so2_absorption": ServiceSpec(
            dimension="purification", quantity_per_mu_year=Decimal("6"), unit="kg SO2",
            price_yuan_per_unit=Decimal("1.20"), source="LY/T 1721-2008 A: SO2 abatement 1.20 yuan/kg"),
        "dust_retention": ServiceSpec(
            dimension="purification", quantity_per_mu_year=Decimal("670"), unit="kg",
            price_yuan_per_unit=Decimal("0.15"), source="LY/T 1721-2008 A: dust removal 0.15 yuan/kg"),
        "sand_fixation": ServiceSpec(
            dimension="windbreak_sand", quantity_per_mu_year=Decimal("1.2"), unit="t",
            price_yuan_per_unit=Decimal("12.6"), source="ASSUMPTION: sand held valued at the earthwork cost"),
    }


class PriceWeights(Strict):
    """Rule F4: which part of each value the appraisal puts into the starting price of a management right.
    The buyer captures the economic value; only a share of the ecological value reaches it (through eco
    compensation and carbon sinks) — an ASSUMPTION, set 0 to price on economic value alone."""

    ecological: Share = Decimal("0.05")
    economic: Share = Decimal("1")
    social: Share = Decimal("0")
    timber: Share = Decimal("0")


class ValuationSpec(Strict):
    """Rule F4: value assessment of every parcel before trade — ecological, economic and social value.

    Per mu and year: ecological value Σ amount × price over ``services`` scaled by the stand's maturity
    (growing stock / ``reference_stock_m3_per_mu``, at most 1); economic value = under-forest income (plus
    timber = stock × stumpage price, as a stock, not a flow); social value per mu. A management right for
    ``T`` years is worth the weighted flows times the annuity factor a(T, r) = (1 − (1+r)^−T)/r plus the
    weighted timber value; the appraisal sets the starting price of a listing (F5)."""

    services: dict[str, ServiceSpec] = Field(default_factory=_default_services)
    reference_stock_m3_per_mu: Decimal = Field(Decimal("8"), gt=0, max_digits=12, decimal_places=3)
    under_forest_yuan_per_mu_year: Money = Decimal("120")
    timber_yuan_per_m3: Money = Decimal("300")
    social_yuan_per_mu_year: Money = Decimal("30")
    discount_rate: Share = Field(Decimal("0.05"), gt=0)
    price_weights: PriceWeights = Field(default_factory=PriceWeights)

    @field_validator("services")
    @classmethod
    def _all_dimensions(cls, services: dict[str, ServiceSpec]) -> dict[str, ServiceSpec]:
        missing = [d for d in ECO_DIMENSIONS if d not in {s.dimension for s in services.values()}]
        if missing:
            raise ValueError(f"the plan's assessment covers five services; no line for {missing} (F4)")
        return services


# --------------------------------------------------------------------------- trading (F1, F2, F5)
class ListingSpec(Strict):
    """Listing with bidding (挂牌竞价) at the public resource trading centre (F5, X1)."""

    days: int = Field(20, ge=1, le=365, description="listing period, days")
    increment_share: Share = Field(Decimal("0.02"), gt=0, description="bid increment as a share of the start")
    round_seconds: int = Field(240, ge=1, le=MAX_SECONDS)
    extension_window_seconds: int = Field(60, ge=0, le=MAX_SECONDS)
    extension_seconds: int = Field(60, ge=0, le=MAX_SECONDS)


class NegotiationSpec(Strict):
    """Negotiation (议价协商, F5): one buyer meets the seller; Nash split of the gain."""

    seller_power: Share = Decimal("0.5")
    noise_sd_share: float = Field(0.1, ge=0, le=1)


class DirectedSpec(Strict):
    """Directed transfer (定向出让, F5): to a designated buyer at a price within bounds around the appraisal,
    agreed by the Nash split (the noise of ``negotiation.noise_sd_share``)."""

    min_share_of_appraisal: Decimal = Field(Decimal("0.9"), ge=0, max_digits=8, decimal_places=4)
    max_share_of_appraisal: Decimal = Field(Decimal("1.3"), gt=0, max_digits=8, decimal_places=4)
    seller_power: Share = Decimal("0.5")

    @model_validator(mode="after")
    def _bounds(self) -> DirectedSpec:
        if self.max_share_of_appraisal < self.min_share_of_appraisal:
            raise ValueError("max_share_of_appraisal must be at least min_share_of_appraisal")
        return self


class MechanismWeights(Strict):
    """How often each F5 mechanism is used for a transfer (relative weights)."""

    negotiation: Decimal = Field(Decimal("1"), ge=0, le=MAX_FACTOR, max_digits=12, decimal_places=6)
    listing: Decimal = Field(Decimal("2"), ge=0, le=MAX_FACTOR, max_digits=12, decimal_places=6)
    directed: Decimal = Field(Decimal("1"), ge=0, le=MAX_FACTOR, max_digits=12, decimal_places=6)

    @model_validator(mode="after")
    def _some(self) -> MechanismWeights:
        if self.negotiation + self.listing + self.directed <= 0:
            raise ValueError("at least one mechanism weight must be positive")
        return self


class TradingSpec(Strict):
    """Rules F1, F2, F5: management rights change hands for a term and can be transferred again; transfers
    of ``registration_min_years`` or more are registered (F2, 经营权流转期五年以上的…可申请登记)."""

    transfer_rate_per_year: Share = Field(
        Decimal("0.15"), description="chance a household puts its management right on the market in a year")
    retransfer_rate_per_year: Share = Field(
        Decimal("0.05"), description="chance an operator transfers a right it took again (再流转) in a year")
    term_years: YearRange = Field(default_factory=lambda: YearRange(min=3, max=15))
    registration_min_years: int = Field(5, ge=1, le=MAX_YEARS, description="F2: transfers of this many years or more are registered")
    mechanisms: MechanismWeights = Field(default_factory=MechanismWeights)
    listing: ListingSpec = Field(default_factory=ListingSpec)
    negotiation: NegotiationSpec = Field(default_factory=NegotiationSpec)
    directed: DirectedSpec = Field(default_factory=DirectedSpec)


# --------------------------------------------------------------------------- forest farm (F10)
class SurvivalSpec(Strict):
    """Share of a planting that survives (drawn per planting: normal(mean, sd) clipped to [0, 1])."""

    mean: Share = Decimal("0.80")
    sd: float = Field(0.05, ge=0, le=1)


class GrowthSpec(Strict):
    """Growing stock grows logistically per parcel: Δ = r·S·(1 − S/(K·area)), r drawn per year
    (normal(rate_mean, rate_sd), one draw for the whole forest: weather) — calibrated so that the farm's
    50,000 m³ approaches 100,000 m³ in about five years with the planned planting (F10)."""

    rate_mean: float = Field(0.15, ge=0, le=2)
    rate_sd: float = Field(0.03, ge=0, le=1)
    capacity_m3_per_mu: Decimal = Field(Decimal("12"), gt=0, max_digits=10, decimal_places=3)
    new_stock_m3_per_mu: Decimal = Field(Decimal("0.2"), ge=0, max_digits=10, decimal_places=3)


class FarmTargets(Strict):
    """Rule F10 targets ([forest farm plan §一(三)]): managed area 50,000 mu and growing stock 100,000 m³ in
    3–5 years."""

    managed_mu: Mu = Decimal("50000")
    stock_m3: Decimal = Field(Decimal("100000"), ge=0, le=MAX_QUANTITY, max_digits=18, decimal_places=3)
    by_year: Year = 2025


class FarmSpec(Strict):
    """Rule F10: the Helan Mountain forest farm (大武口区贺兰山林场).

    Budget each year from the fiscal account: ``base_budget_yuan_per_year`` (the 12.6 million yuan of the old
    protection station) plus ``budget_yuan_per_mu_year`` (650 yuan/mu) for the incorporated greening area and
    for new planting the farm manages, the latter ``new_area_budget_lag_years`` after planting ("后期根据新增造林
    管护面积动态增加"). The farm plan (§四 二是) sets 650 yuan/mu for the 10,000 mu greening area only; that new
    planting is funded at the same rate is an ASSUMPTION (the plan says the budget grows with it, at no rate). Needs: ``base_cost_yuan_per_year`` plus ``cost_yuan_per_mu_year`` per mu managed beyond
    the base area, from the moment it is managed. The difference is the maintenance gap that forest-funds-
    forest revenue (F6) fills. Planting: ``planting_mu_per_year`` of the plantable land, paid from the
    afforestation budget (fiscal) at ``planting_cost_yuan_per_mu``; a share survives (F10)."""

    base_budget_yuan_per_year: Amount = Decimal("12600000")
    budget_yuan_per_mu_year: Money = Decimal("650")
    base_cost_yuan_per_year: Amount = Decimal("12600000")
    cost_yuan_per_mu_year: Money = Decimal("650")
    new_area_budget_lag_years: int = Field(1, ge=0, le=10)
    planting_mu_per_year: Mu = Decimal("8000")
    plantable_mu: Mu = Field(Decimal("40000"), description="wasteland of the shallow mountains open to afforestation")
    planting_cost_yuan_per_mu: Money = Decimal("3000")
    parcel_mu: Mu = Field(Decimal("500"), gt=0, description="new plantings are registered as parcels of this size")
    survival: SurvivalSpec = Field(default_factory=SurvivalSpec)
    growth: GrowthSpec = Field(default_factory=GrowthSpec)
    targets: FarmTargets = Field(default_factory=FarmTargets)


# --------------------------------------------------------------------------- forest funds forest (F6)
class Concession(Strict):
    """A tourism concession (特许经营) in a forest scenic area, paying the farm a yearly fee (F6)."""

    name: Name
    yuan_per_year: Amount


def _default_concessions() -> list[Concession]:
    # The five scenic areas named in [F §二(四)8]; fees are ASSUMPTIONS.
    return [Concession(name=n, yuan_per_year=Decimal(v)) for n, v in (
        ("sheyu_garden", "300000"), ("forest_park", "400000"), ("beiwudang_scenic", "500000"),
        ("gully_eco_park", "300000"), ("huaxia_stone_mountain", "200000"))]


class FundsSpec(Strict):
    """Rule F6: forest funds forest (以林养林) — concessions and under-forest economy leases pay the farm and
    fill its maintenance gap."""

    concessions: list[Concession] = Field(default_factory=_default_concessions)
    under_forest_lease_share: Share = Field(
        Decimal("0.10"), description="share of the farm's managed area leased out for under-forest planting/breeding")
    under_forest_rent_yuan_per_mu_year: Money = Decimal("60")


# --------------------------------------------------------------------------- energy and land for forest (F8, F7)
class AfforestationLot(Strict):
    """One afforestation lot offered to firms (F7/F8). An energy lot converts the investment into energy-use
    quota at the conversion rate: either give ``investment_yuan`` or the quota ``quota_t_sce`` (quota =
    investment ÷ rate); by default the investment is area × the standard investment per mu."""

    year: Year
    area_mu: Mu = Field(gt=0)
    investment_yuan: Amount | None = None
    quota_t_sce: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=3)

    @model_validator(mode="after")
    def _one_of(self) -> AfforestationLot:
        if self.investment_yuan is not None and self.quota_t_sce is not None:
            raise ValueError("give investment_yuan or quota_t_sce, not both (quota = investment ÷ conversion rate)")
        return self


class EnergyForForestSpec(Strict):
    """Rule F8: energy for forest (能耗换林) — firms bid for afforestation lots in the shallow mountains; the
    management right of what they plant is theirs and tradable; their investment converts into energy-use
    quota (``forest.energy_quota``, kgce) at ``yuan_per_t_sce`` that they use or auction.

    Default rate: the Huinong district case (Shizuishan, December 2021), a coking firm paid 42 million yuan for
    6,583.62 mu of forest tickets at about 7,000 yuan per tonne of energy use: 42,000,000 ÷ 7,000 = 6,000 t."""

    enabled: bool = True
    yuan_per_t_sce: Decimal = Field(
        Decimal("7000"), gt=0, le=10**9, max_digits=18, decimal_places=1,
        description="conversion rate, yuan per t of standard coal; one decimal at most (a whole tick per kgce)")
    mechanism: Literal["listing", "tender"] = "listing"
    tender_price_weight: int = Field(60, ge=0, le=MAX_FACTOR)
    tender_quality_weight: int = Field(40, ge=0, le=MAX_FACTOR)
    lots: list[AfforestationLot] = Field(default_factory=list, description="explicit lots (added to the yearly ones)")
    lots_per_year: int = Field(1, ge=0, le=100)
    lot_area_mu: Mu = Field(Decimal("2000"), gt=0)
    investment_yuan_per_mu: Money = Field(
        Decimal("6380"), gt=0, description="standard investment per mu (42,000,000 / 6,583.62 ≈ 6,379.5 in the case)")
    term_years: int = Field(30, ge=1, le=70, description="term of the firm's management right (ASSUMPTION)")
    investment_to: Literal["forest_farm", "economy"] = Field(
        "forest_farm", description="who receives the investment: the farm that plants, or outside contractors")
    auction_surplus: bool = Field(True, description="firms sell quota above their need on the platform")


class LandForForestSpec(Strict):
    """Rule F7: land for forest (以地换林) — a firm that afforests earns construction-land quota
    (``land.construction_quota``, m²) of ``construction_share`` of the afforested area. Default 3 %: the State
    Council's 国办发〔2021〕40号 lets eco-restoration investors use up to 3 % of the restored area for
    tourism, health care and similar development (20 m² per mu)."""

    enabled: bool = True
    construction_share: Share = Decimal("0.03")
    lots: list[AfforestationLot] = Field(default_factory=list)
    lots_per_year: int = Field(1, ge=0, le=100)
    lot_area_mu: Mu = Field(Decimal("1000"), gt=0)
    investment_yuan_per_mu: Money = Field(Decimal("3000"), gt=0)
    term_years: int = Field(30, ge=1, le=70)


# --------------------------------------------------------------------------- credit (F3)
class InsuranceSpec(Strict):
    """Rule F3: forest insurance — premium per mu, partly paid by the fiscal account; a loss (fire, pests)
    destroys part of a parcel's growing stock and pays the sum insured on the area hit."""

    enabled: bool = True
    premium_yuan_per_mu_year: Money = Decimal("2.4")
    fiscal_subsidy_share: Share = Decimal("0.9")
    sum_insured_yuan_per_mu: Money = Decimal("800")
    loss_rate_per_year: Share = Decimal("0.01")
    loss_stock_share: Share = Decimal("0.5")


class CreditSpec(Strict):
    """Rule F3 / X3: mortgage loans on management rights. A holder pledges a parcel for a loan of
    ``loan_to_value`` × its appraisal; a pledged right cannot be sold (rejection ``pledged``). At maturity it
    repays principal and interest, or defaults (chance ``default_rate``): the forest reserve (林权收储) buys the
    collateral for the debt and lists it again."""

    enabled: bool = True
    pledge_rate_per_year: Share = Decimal("0.10")
    loan_to_value: Share = Decimal("0.5")
    interest_rate: Share = Decimal("0.0435")
    term_years: int = Field(3, ge=1, le=30)
    default_rate: Share = Decimal("0.05")
    insurance: InsuranceSpec = Field(default_factory=InsuranceSpec)


# --------------------------------------------------------------------------- cover (F9) and reserve (X2)
class CoverSpec(Strict):
    """Rule F9: forest cover of the district against 7.5 % by 2025 ([F §一(三)]).

    District area: 949.89 km² (Dawukou district, zh.wikipedia.org "大武口区"; includes the former Shitanjing
    district merged in 2002). Forest outside the simulated parcels (town green, shelter belts, natural forest
    of the reserve core) is ``other_forest_mu`` — an ASSUMPTION."""

    district_area_km2: Decimal = Field(Decimal("949.89"), gt=0, max_digits=12, decimal_places=4)
    other_forest_mu: Mu = Decimal("30000")
    target_share: Share = Decimal("0.075")
    target_year: Year = 2025


class ForestReserveSpec(Strict):
    """Rule X2: the forest reserve (林权收储), with its own accounts: a yearly budget from the fiscal account;
    it buys defaulted collateral (F3) and lists it again, and it trades against the F4 value assessment:

    * **buys below** — a management right offered at the trading centre that the market did not take, whose
      seller would accept ``buy_below_value_share`` × its assessed value (the seller's reservation is at most
      that), is bought by the reserve at that price, within the reserve's cash (收储: the buyer of last resort
      that keeps prices from falling far below the assessed value);
    * **sells above** — the reserve lists what it holds at no less than ``sell_above_value_share`` × the
      assessed value of the remaining term (its reservation), so it releases only when the market pays above
      the trigger.

    The plans name the reserve (X2) but give no trigger: both shares are ASSUMPTIONS (a ±10 % band around the
    assessed value, the order of the appraisal's own spread). ``buy_below_value_share`` 0 switches buying off."""

    enabled: bool = True
    budget_yuan_per_year: Amount = Decimal("2000000")
    buy_below_value_share: Share = Decimal("0.9")
    sell_above_value_share: Decimal = Field(Decimal("1.1"), ge=1, le=10, max_digits=6, decimal_places=4)


class ForestSpec(Strict):
    """The mountain-forest rights market (山林权) of one district: rules F1–F10."""

    zones: list[ZoneSpec] = Field(default_factory=_default_zones)
    households: HouseholdSpec = Field(default_factory=HouseholdSpec)
    operators: OperatorSpec = Field(default_factory=OperatorSpec)
    firms: FirmSpec = Field(default_factory=FirmSpec)
    valuation: ValuationSpec = Field(default_factory=ValuationSpec)
    trading: TradingSpec = Field(default_factory=TradingSpec)
    farm: FarmSpec = Field(default_factory=FarmSpec)
    funds: FundsSpec = Field(default_factory=FundsSpec)
    energy: EnergyForForestSpec = Field(default_factory=EnergyForForestSpec)
    land: LandForForestSpec = Field(default_factory=LandForForestSpec)
    credit: CreditSpec = Field(default_factory=CreditSpec)
    cover: CoverSpec = Field(default_factory=CoverSpec)
    reserve: ForestReserveSpec = Field(default_factory=ForestReserveSpec)

    @field_validator("zones")
    @classmethod
    def _unique_zones(cls, zones: list[ZoneSpec]) -> list[ZoneSpec]:
        return require_unique(zones, "name", "zone names")
