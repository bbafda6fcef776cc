"""The scenario section of the land-rights market (土地权): rules L1–L17 of docs/rules.md.

Every number of the Dawukou land plan (《大武口区关于深入推进土地权改革完善土地要素市场化配置的实施方案》,
2021, section marks [L §...]) is a field here with the plan's value as default; numbers the plan does not
give are documented assumptions (sources in ``scenarios/dawukou_land.yaml``). Units are in the field names:
``_m2`` square metres, ``_mu`` mu (1 mu = 10000/15 m²), ``_yuan_per_m2`` yuan per m² (for the whole term of a
right unless ``_per_year``), ``_share`` a share in [0, 1], ``_years`` whole years.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .base import (
    MAX_COUNT,
    MAX_FACTOR,
    MAX_QUANTITY,
    MAX_YEARS,
    Amount,
    BigMoney,
    Money,
    Share,
    Strict,
    Year,
)
from .common import Distribution, LogNormal, Uniform
from .land_supply import Grade, MechanismShares, SecondarySpec, SupplyModes, SupplySpec  # noqa: F401
from .validators import require_unique


# --------------------------------------------------------------------------- villages and holders (L3)
class VillageSpec(Strict):
    """One administrative village (行政村) of Xinghai town: its collective owns the village's collective
    land (rule L3); its households hold contract land and homesteads; its members' representatives vote on
    collective construction land entering the market (rule L10)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$", description="ASCII id, e.g. chaohu")
    name_zh: str = Field("", description="Chinese name, e.g. 潮湖村")
    households: int = Field(ge=1, le=1_000_000, description="farm households (members of the collective)")
    representatives: int = Field(30, ge=1, le=MAX_COUNT, description="members' representatives (村民代表) who vote (L10)")
    collective_construction_parcels: int = Field(
        2, ge=0, le=10_000, description="parcels of collective operating construction land (集体经营性建设用地, L3)"
    )
    new_construction_quota_m2: int = Field(
        30_000, ge=0, le=MAX_QUANTITY, description="new construction land the village plan allows over the run, m² (L1)"
    )


def _default_villages() -> list[VillageSpec]:
    # The plan names two of the eight villages (潮湖村、果园村等8个行政村, [L §二(一)1]); the other six names
    # were not found and are placeholders.
    names = [("chaohu", "潮湖村"), ("guoyuan", "果园村")] + [(f"village_{k}", "") for k in range(3, 9)]
    return [VillageSpec(name=n, name_zh=z, households=300) for n, z in names]


class FarmProductivitySpec(Strict):
    """Per-mu productivity of contract farmland (L10 circulation priced from economics, design principle 8).

    Each contract parcel draws its gross output value per mu and year; a household's reservation rent is the
    net income it gives up by letting the parcel go (output × ``household_net_share``), an operator's highest
    rent the net income it expects from it (output × its own ``operator_net_share``, drawn per operator:
    scale, machinery and marketing make the same land earn more in its hands)."""

    output_value_yuan_per_mu_year: Distribution = Field(
        default_factory=lambda: LogNormal(type="lognormal", median=1600, sigma=0.3),
        description="gross output value of farming a parcel, yuan per mu and year, drawn per parcel",
    )
    household_net_share: Share = Field(
        Decimal("0.35"), description="net income of a household farming its own parcel, share of output value"
    )
    operator_net_share: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=0.35, high=0.6),
        description="net income before rent an operator expects from a parcel, share of output value, per operator",
    )


class RuralSpec(Strict):
    """Rural land of the villages, confirmed per parcel (rule L3). Each household gets one contract-land
    parcel and one homestead (an aggregate of its plots); distributions are drawn per household."""

    contract_mu: Distribution = Field(
        default_factory=lambda: LogNormal(type="lognormal", median=8.0, sigma=0.4),
        description="contract land per household, mu",
    )
    basic_farmland_share: Share = Field(
        Decimal("0.8"), description="probability that a contract parcel is permanent basic farmland (L2)"
    )
    homestead_m2: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=200, high=300), description="homestead per household, m²"
    )
    collective_construction_m2: Distribution = Field(
        default_factory=lambda: LogNormal(type="lognormal", median=5000, sigma=0.5),
        description="area of a collective operating construction land parcel, m²",
    )
    second_round_end_year: Year = Field(2028, description="year the second-round land contracts end (L3)")
    extension_years: int = Field(30, ge=0, le=MAX_YEARS, description="second-round contracts are extended by 30 years (L3)")
    farming_value_yuan_per_mu_year: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=300, high=600),
        description="a household's own net return from farming, yuan per mu and year (its reservation rent)",
    )
    expanding_share: Share = Field(
        Decimal("0.1"), description="share of households that would farm more land (members bidding, L10)"
    )
    expanding_value_yuan_per_mu_year: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=400, high=800),
        description="what an expanding household would pay, yuan per mu and year",
    )
    idle_homestead_share: Share = Field(Decimal("0.1"), description="share of homesteads left idle (L7)")
    productivity: FarmProductivitySpec | None = Field(
        None, description="per-parcel productivity pricing circulation rents (L10); absent: the flat values above"
    )


class OperatorsSpec(Strict):
    """New agricultural operators outside the collectives (新型经营主体): family farms and cooperatives
    that take management rights in circulation (rule L10)."""

    family_farms: int = Field(20, ge=0, le=MAX_COUNT)
    cooperatives: int = Field(8, ge=0, le=MAX_COUNT)
    value_yuan_per_mu_year: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=450, high=750),
        description="what an operator would pay as rent, yuan per mu and year",
    )
    demand_mu: Distribution = Field(
        default_factory=lambda: LogNormal(type="lognormal", median=150, sigma=0.5),
        description="land an operator wants to take in, mu",
    )


# --------------------------------------------------------------------------- prices (L11)
class BenchmarkSpec(Strict):
    """Benchmark land prices (基准地价) and other reference prices (rule L11). Land prices are per m² for the
    legal maximum term of the use (full_term_years); rents per m² or mu and year."""

    industrial_yuan_per_m2: Money = Decimal("120")
    new_industry_yuan_per_m2: Money = Decimal("150")
    commercial_yuan_per_m2: Money = Decimal("600")
    collective_construction_yuan_per_m2: Money = Decimal("120")
    industrial_full_term_years: int = Field(50, ge=1, le=MAX_YEARS, description="legal maximum term of industrial land")
    commercial_full_term_years: int = Field(40, ge=1, le=MAX_YEARS, description="legal maximum term of commercial land")
    farmland_quota_yuan_per_m2: Money = Field(Decimal("30"), description="new cultivated-land quota (L8)")
    circulation_rent_yuan_per_mu_year: Money = Field(Decimal("600"), description="management rights (L10)")
    homestead_rent_yuan_per_m2_year: Money = Field(Decimal("8"), description="idle homesteads (L7)")
    wasteland_fee_yuan_per_mu_year: Money = Field(Decimal("20"), description="unused state wasteland (L9)")
    expropriation_yuan_per_m2: Money = Field(Decimal("45"), description="compensation for converted farmland (L2)")


# --------------------------------------------------------------------------- firms (L14)
class FirmsSpec(Strict):
    """Industrial firms on state construction land (rules L4–L6, L11, L14, L15) and entrants that want land."""

    firms: int = Field(120, ge=0, le=MAX_COUNT, description="firms holding state industrial land at the start")
    entrants: int = Field(30, ge=0, le=MAX_COUNT, description="investors without land who bid for it")
    parcel_m2: Distribution = Field(
        default_factory=lambda: LogNormal(type="lognormal", median=20000, sigma=0.8),
        description="a firm's initial parcel, m²",
    )
    parcel_age_years: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=0, high=25),
        description="years since an initial parcel was sold (its remaining term is the full term minus this)",
    )
    output_yuan_per_mu_year: Distribution = Field(
        default_factory=lambda: LogNormal(type="lognormal", median=1_200_000, sigma=0.8),
        description="output (产值) per mu of used land and year",
    )
    tax_share_of_output: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=0.02, high=0.06), description="tax / output"
    )
    value_added_share: Share = Field(Decimal("0.25"), description="value added (GDP) / output (L17)")
    output_growth_share_per_year: Decimal = Field(Decimal("0.05"), ge=-1, le=10)
    land_value_share_of_benchmark: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=0.8, high=1.5),
        description="a firm's value of land, as a multiple of the industrial benchmark price",
    )
    expanding_share: Share = Field(Decimal("0.2"), description="share of firms that want more land")
    demand_m2: Distribution = Field(
        default_factory=lambda: LogNormal(type="lognormal", median=15000, sigma=0.6),
        description="land an expanding firm or an entrant wants, m²",
    )
    new_industry_share: Share = Field(
        Decimal("0.2"), description="share of entrants in new industries and new business forms (L4)"
    )
    planned_investment_yuan_per_mu: Amount = Field(Decimal("3000000"), description="investment intensity (L5)")
    under_invested_share: Share = Field(
        Decimal("0.1"), description="share of initial parcels with under 25 % of the investment made (L5)"
    )
    investment_share_per_year: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=0.05, high=0.3),
        description="share of the planned investment made per year on a parcel still being developed",
    )
    voluntary_sale_share_per_year: Share = Field(
        Decimal("0.03"), description="probability that a firm valuing land below the benchmark offers it"
    )


class GradingSpec(Strict):
    """Rule L14 (亩均论英雄): yearly grades by output and tax per mu; supply and prices by grade."""

    output_thresholds_yuan_per_mu: tuple[Amount, Amount, Amount] = Field(
        (Decimal("2000000"), Decimal("1000000"), Decimal("400000")),
        description="output per mu for grades A, B, C (below: D)",
    )
    tax_thresholds_yuan_per_mu: tuple[Amount, Amount, Amount] = Field(
        (Decimal("80000"), Decimal("40000"), Decimal("12000")), description="tax per mu for grades A, B, C"
    )
    grace_years: int = Field(
        2, ge=0, le=MAX_YEARS, description="land acquired in the last this many years is not graded yet (construction period)"
    )
    excluded_from_supply: list[Grade] = Field(default_factory=lambda: ["D"], description="no new land")
    price_multiplier: dict[Grade, Annotated[Decimal, Field(le=MAX_FACTOR, max_digits=12, decimal_places=6)]] = Field(
        default_factory=lambda: {"A": Decimal("0.9"), "B": Decimal("1"), "C": Decimal("1.1"), "D": Decimal("1.2"),
                                 "new": Decimal("1")},
        description="a winner of the grade pays the price × this (the difference to or from the fiscal account)",
    )
    tender_score: dict[Grade, Annotated[int, Field(ge=0, le=100)]] = Field(
        default_factory=lambda: {"A": 100, "B": 75, "C": 50, "D": 0, "new": 60},
        description="non-price score of a grade in tenders (0..100)",
    )

    @field_validator("output_thresholds_yuan_per_mu", "tax_thresholds_yuan_per_mu")
    @classmethod
    def _descending(cls, v: tuple[Decimal, Decimal, Decimal]) -> tuple[Decimal, Decimal, Decimal]:
        if not (v[0] >= v[1] >= v[2]):
            raise ValueError("thresholds are for grades A, B, C and must not increase")
        return v

    @field_validator("price_multiplier")
    @classmethod
    def _all_grades(cls, v: dict[str, Decimal]) -> dict[str, Decimal]:
        missing = sorted({"A", "B", "C", "D", "new"} - set(v))
        if missing:
            raise ValueError(f"price_multiplier needs every grade; missing {missing}")
        if any(m <= 0 for m in v.values()):
            raise ValueError("price multipliers must be positive")
        return v

    @field_validator("tender_score")
    @classmethod
    def _scores(cls, v: dict[str, int]) -> dict[str, int]:
        missing = sorted({"A", "B", "C", "D", "new"} - set(v))
        if missing:
            raise ValueError(f"tender_score needs every grade; missing {missing}")
        if any(not 0 <= s <= 100 for s in v.values()):
            raise ValueError("tender scores must be within 0..100")
        return v


# --------------------------------------------------------------------------- use control and planning (L1, L2)
class UseControlSpec(Strict):
    """Rules L2 (use control) and L1 (flexible planning quotas): yearly requests to convert land into state
    construction land for the land reserve, each checked and recorded."""

    requests_per_year: int = Field(6, ge=0, le=MAX_COUNT, description="conversion requests per year")
    basic_farmland_request_share: Share = Field(
        Decimal("0.3"), description="share of requests that target permanent basic farmland (always refused)"
    )
    priority_share: Share = Field(
        Decimal("0.3"), description="share of requests for key industries or major projects (may use flexible quota)"
    )
    parcel_m2_max: int = Field(40_000, gt=0, le=MAX_QUANTITY, description="requests target farmland parcels up to this size")
    balance_ratio: Share = Field(
        Decimal("1"), description="quota retired per m² of farmland converted (占补平衡, 1:1)", gt=0
    )
    village_flexible_share: Share = Field(Decimal("0.05"), description="village plans' flexible quota (L1): 5 %")
    township_flexible_share: Share = Field(
        Decimal("0.10"), description="township plan's reserved quota (L1): at least 10 %"
    )
    township_new_construction_quota_m2: int = Field(
        400_000, ge=0, le=MAX_QUANTITY, description="new construction land the township plan allows over the run, m² (L1)"
    )


# --------------------------------------------------------------------------- rural market (L7, L10)
class CirculationSpec(Strict):
    """Rule L10: circulation of contract-land management rights by subcontracting (转包) or share-holding
    (入股), listed with bidding; members have the right of first refusal on equal terms."""

    offer_share_per_year: Share = Field(
        Decimal("0.05"), description="probability that a household offers its management right in a year"
    )
    term_years: list[Annotated[int, Field(le=MAX_YEARS)]] = Field(default_factory=lambda: [5, 10, 15], min_length=1, max_length=1000, description="drawn uniformly")
    share_holding_share: Share = Field(Decimal("0.3"), description="share of offers made as 入股 (to cooperatives)")
    first_refusal: bool = Field(True, description="members of the collective take a matched offer first (L10)")
    increment_share: Share = Field(Decimal("0.02"), gt=0, description="bid increment / start rent")
    listing_days: int = Field(10, ge=1, le=365, description="registration period of a listing, days")
    bidders_per_offer: int = Field(
        3, ge=1, le=MAX_COUNT, description="interested bidders drawn for one rural listing (management rights, homesteads, "
        "wasteland contracts)",
    )

    @field_validator("term_years")
    @classmethod
    def _terms(cls, v: list[int]) -> list[int]:
        if any(t < 1 for t in v):
            raise ValueError("terms must be at least one year")
        return v


class CollectiveEntrySpec(Strict):
    """Rule L10: collective operating construction land enters the market after a democratic decision and
    shares its proceeds by the collective's rule."""

    proposal_share_per_year: Share = Field(
        Decimal("0.25"), description="probability that a village proposes an unsold parcel in a year"
    )
    approval_numerator: int = Field(2, ge=1, le=MAX_COUNT, description="passes with ≥ numerator/denominator of representatives")
    approval_denominator: int = Field(3, ge=1, le=MAX_COUNT, description="Land Administration Law art. 63: two thirds")
    yes_probability: Share = Field(Decimal("0.75"), description="each representative votes yes independently")
    term_years: int = Field(50, ge=1, le=MAX_YEARS, description="term of the use right sold")
    adjustment_fee_share: Share = Field(
        Decimal("0.20"), description="land value-gain adjustment fee (调节金) to the fiscal account, share of proceeds"
    )
    collective_share: Share = Decimal("0.5")
    members_share: Share = Decimal("0.3")
    village_fund_share: Share = Decimal("0.2")

    @model_validator(mode="after")
    def _consistent(self) -> CollectiveEntrySpec:
        if self.approval_numerator > self.approval_denominator:
            raise ValueError("approval_numerator must not exceed approval_denominator")
        if self.collective_share + self.members_share + self.village_fund_share != 1:
            raise ValueError("collective_share + members_share + village_fund_share must be exactly 1")
        return self


class HomesteadLeaseSpec(Strict):
    """Rule L7: idle homesteads and farm houses are leased to people and firms for new business forms."""

    lessees: int = Field(15, ge=0, le=MAX_COUNT, description="outside lessees (B&B, e-commerce, leisure farming)")
    lease_share_per_year: Share = Field(Decimal("0.05"), description="probability an idle homestead is listed")
    term_years: int = Field(10, ge=1, le=20, description="lease term (Civil Code art. 705: at most 20 years)")
    value_yuan_per_m2_year: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=6, high=11), description="what a lessee would pay"
    )
    homesteads_per_lessee: int = Field(2, ge=1, le=MAX_COUNT)




class MonitoringSpec(Strict):
    """Rule L16: price monitoring and risk warning on every land trade with a benchmark."""

    band_share: Share = Field(Decimal("0.20"), description="a trade more than this off its benchmark is flagged")
    preempt_low: bool = Field(True, description="the government buys first when a secondary price is flagged low")


class IdleSpec(Strict):
    """Rule L4: idle industrial land, the idle fee, transfers and the new-industry transition."""

    probability_per_year: Share = Field(Decimal("0.03"), description="a used industrial parcel becomes idle")
    government_share: Share = Field(Decimal("0.3"), description="share of idling caused by the government")
    resume_probability_per_year: Share = Decimal("0.3")
    fee_share: Share = Field(Decimal("0.20"), description="idle fee / land price (闲置土地处置办法 art. 14)")
    fee_after_years: int = Field(1, ge=0, le=MAX_YEARS, description="the fee is due after this many years idle")
    fee_paid_probability: Share = Field(Decimal("0.8"), description="a firm pays a due fee")
    transfer_max_years: int = Field(2, ge=1, le=MAX_YEARS, description="firm-caused idle land transfers only under 2 years (L4)")
    recover_after_years: int | None = Field(
        2, ge=1, le=MAX_YEARS, description="firm-caused idle land is recovered without compensation after this many years"
    )
    sell_probability_per_year: Share = Field(Decimal("0.5"), description="an idle parcel's firm offers it")
    transition_years: int = Field(5, ge=0, le=MAX_YEARS, description="a new-industry buyer keeps the original use 5 years (L4)")
    gov_buyback_after_years: int | None = Field(
        2, ge=1, le=MAX_YEARS,
        description="land idle this many years for government reasons is bought back by the land reserve at the "
                    "benchmark for its remaining term, if the reserve can pay (协议有偿收回); absent: never",
    )


class PreregistrationSpec(Strict):
    """Rule L5: industrial land with under 25 % of the planned investment made changes hands by
    pre-registration (预告登记); large parcels may be split (分割转让)."""

    enabled: bool = True
    investment_threshold_share: Share = Field(Decimal("0.25"))
    exit_probability_per_year: Share = Field(Decimal("0.3"), description="an under-invested firm offers its land")
    split_above_m2: int = Field(60_000, gt=0, le=MAX_QUANTITY, description="parcels larger than this may be split")
    split_lot_m2: int = Field(20_000, gt=0, le=MAX_QUANTITY, description="largest lot of a split")


class ZombieSpec(Strict):
    """Rule L6: land of zombie firms, disposed of one firm at a time (一企一策)."""

    initial_share: Share = Field(Decimal("0.03"), description="share of firms that are zombies at the start")
    grade_d_years: int = Field(2, ge=1, le=MAX_YEARS, description="a firm graded D this many years in a row becomes a zombie")
    firms_per_year: int = Field(1, ge=0, le=MAX_COUNT, description="firms disposed of per year")
    routes: list[Literal["transfer", "auction", "buyback"]] = Field(
        default_factory=lambda: ["transfer", "auction", "buyback"], min_length=1, description="tried in order"
    )
    transfer_min_share: Share = Field(Decimal("0.8"), description="lowest transfer price / benchmark")
    auction_start_share: Share = Field(Decimal("0.7"), description="start price / benchmark (judicial sale: ≥ 70 %)")
    buyback_share: Share = Field(Decimal("0.6"), description="buyback price / benchmark")


class RestorationSpec(Strict):
    """Rules L8, L9: restoring industrial/mining wasteland (谁修复谁受益) and contracting out unused state
    wasteland; new farmland yields tradable new cultivated-land quota (新增耕地指标, product
    ``land.farmland_quota``, m²)."""

    restorers: int = Field(5, ge=0, le=MAX_COUNT, description="social investors who restore and contract wasteland")
    mining_parcels: int = Field(8, ge=0, le=MAX_COUNT)
    mining_parcel_m2: Distribution = Field(default_factory=lambda: LogNormal(type="lognormal", median=80000, sigma=0.5))
    unused_parcels: int = Field(8, ge=0, le=MAX_COUNT)
    unused_parcel_m2: Distribution = Field(default_factory=lambda: LogNormal(type="lognormal", median=150000, sigma=0.5))
    mining_per_year: int = Field(2, ge=0, le=MAX_COUNT, description="mining parcels taken up for restoration per year")
    unused_per_year: int = Field(1, ge=0, le=MAX_COUNT, description="unused parcels contracted out per year (L9)")
    to_farmland_share: Share = Field(
        Decimal("0.7"), description="share of mining parcels restored to farmland (else to construction land)"
    )
    cost_yuan_per_m2: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=10, high=25), description="restoration cost"
    )
    years: int = Field(2, ge=1, le=MAX_YEARS, description="years a restoration or reclamation takes")
    accepted_share: Share = Field(Decimal("1"), description="share of restored farmland accepted as new quota")
    right_term_years: int = Field(20, ge=1, le=MAX_YEARS, description="term of the use right the restorer gets (谁修复谁受益)")
    farm_suitable_share: Share = Field(
        Decimal("0.5"), description="share of unused wasteland where water allows farming (以水定地, L9)"
    )
    contract_term_years: int = Field(30, ge=1, le=MAX_YEARS, description="term of a wasteland contract (L9)")
    quota_markup: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=0.1, high=0.6),
        description="restorers ask cost per m² of quota × (1 + markup)",
    )
    wasteland_value_share_of_fee: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=0.8, high=1.2),
        description="what a bidder would pay for a wasteland contract, as a multiple of the benchmark fee (L9)",
    )
    reserve_bid_yuan_per_m2: Money = Field(Decimal("40"), description="the land reserve's bid for quota")
    reserve_quota_target_m2: int = Field(
        60_000, ge=0, le=MAX_QUANTITY, description="quota stock the land reserve keeps for conversions (L2)"
    )
    outside_demand_m2_per_year: int = Field(
        50_000, ge=0, le=MAX_QUANTITY, description="quota wanted by other districts per year (autonomous-region market)"
    )
    outside_bid_yuan_per_m2: Money = Decimal("35")


class RedevelopmentSpec(Strict):
    """Rule L15: low-efficiency industrial land pays the land price difference to change use, or builds
    higher and splits off the land saved for sale."""

    probability_per_year: Share = Field(Decimal("0.1"), description="a grade C or D firm redevelops")
    change_use_share: Share = Field(Decimal("0.5"), description="share of redevelopments that change use")
    saved_share: Share = Field(Decimal("0.3"), description="share of a parcel saved by multi-storey building")
    min_parcel_m2: int = Field(10_000, gt=0, le=MAX_QUANTITY, description="smaller parcels are not split")


class TargetSpec(Strict):
    """Rule L17: construction land per unit of GDP against the plan's targets (change from the base year)."""

    year: Year
    change_share: Decimal = Field(ge=-1, le=1, description="e.g. -0.03 for −3 %")


class EconomySpec(Strict):
    """GDP outside the modelled firms (rule L17)."""

    other_gdp_yuan: BigMoney = Field(Decimal("12000000000"), description="GDP of the rest of the district, base year")
    other_gdp_growth_share_per_year: Decimal = Field(Decimal("0.04"), ge=-1, le=10)
    farm_value_added_yuan_per_mu: Amount = Decimal("1200")
    targets: list[TargetSpec] = Field(
        default_factory=lambda: [TargetSpec(year=2021, change_share=Decimal("-0.03")),
                                 TargetSpec(year=2025, change_share=Decimal("-0.15"))]
    )


class LandMarketSpec(Strict):
    """When the land market meets."""

    sessions_per_year: int = Field(12, ge=1, le=365, description="land sessions per year (≤ calendar sessions)")


class LandSpec(Strict):
    """The land-rights market (土地权) of one district: rules L1–L17."""

    villages: list[VillageSpec] = Field(default_factory=_default_villages, min_length=1)
    rural: RuralSpec = Field(default_factory=RuralSpec)
    operators: OperatorsSpec = Field(default_factory=OperatorsSpec)
    benchmarks: BenchmarkSpec = Field(default_factory=BenchmarkSpec)
    firms: FirmsSpec = Field(default_factory=FirmsSpec)
    grading: GradingSpec = Field(default_factory=GradingSpec)
    use_control: UseControlSpec = Field(default_factory=UseControlSpec)
    circulation: CirculationSpec = Field(default_factory=CirculationSpec)
    collective_entry: CollectiveEntrySpec = Field(default_factory=CollectiveEntrySpec)
    homestead_lease: HomesteadLeaseSpec = Field(default_factory=HomesteadLeaseSpec)
    supply: SupplySpec = Field(default_factory=SupplySpec)
    secondary: SecondarySpec = Field(default_factory=SecondarySpec)
    monitoring: MonitoringSpec = Field(default_factory=MonitoringSpec)
    idle: IdleSpec = Field(default_factory=IdleSpec)
    preregistration: PreregistrationSpec = Field(default_factory=PreregistrationSpec)
    zombie: ZombieSpec = Field(default_factory=ZombieSpec)
    restoration: RestorationSpec = Field(default_factory=RestorationSpec)
    redevelopment: RedevelopmentSpec = Field(default_factory=RedevelopmentSpec)
    economy: EconomySpec = Field(default_factory=EconomySpec)
    market: LandMarketSpec = Field(default_factory=LandMarketSpec)

    @field_validator("villages")
    @classmethod
    def _unique(cls, v: list[VillageSpec]) -> list[VillageSpec]:
        return require_unique(v, "name", "village names")

    @model_validator(mode="after")
    def _consistent(self) -> LandSpec:
        s = self.supply
        if s.lease_then_sell_years >= self.benchmarks.industrial_full_term_years:
            raise ValueError("supply.lease_then_sell_years must be shorter than the industrial full term")
        if s.flexible_term_years > self.benchmarks.industrial_full_term_years:
            raise ValueError("supply.flexible_term_years may not exceed benchmarks.industrial_full_term_years")
        if self.preregistration.split_lot_m2 > self.preregistration.split_above_m2:
            raise ValueError("preregistration.split_lot_m2 must not exceed split_above_m2")
        return self


__all__ = ["LandSpec", "VillageSpec"]
