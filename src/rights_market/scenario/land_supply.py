"""Land supply of the primary market (rules L11, L12): supply modes, mechanisms, the yearly plan and how it
follows demand, and the secondary market. A part of the land section (:mod:`.land`), kept apart for length."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from .base import (
    MAX_COUNT,
    MAX_FACTOR,
    MAX_QUANTITY,
    MAX_SECONDS,
    MAX_YEARS,
    Amount,
    Share,
    Strict,
)
from .common import Distribution, LogNormal, Uniform

#: Grades of firms and land (L14): A–D, and new firms not yet graded.
Grade = Literal["A", "B", "C", "D", "new"]


# --------------------------------------------------------------------------- state land (L11-L13, L16)
class SupplyModes(Strict):
    """Rule L13: shares of industrial lots supplied by each mode (sum 1)."""

    sale: Share = Decimal("0.6")
    flexible_term: Share = Decimal("0.2")
    long_lease: Share = Decimal("0.1")
    lease_then_sell: Share = Decimal("0.1")

    @model_validator(mode="after")
    def _sum(self) -> SupplyModes:
        if self.sale + self.flexible_term + self.long_lease + self.lease_then_sell != 1:
            raise ValueError("supply mode shares must sum to exactly 1")
        return self


class MechanismShares(Strict):
    """Rule L11: shares of lots sold by tender (招), auction (拍) and listing (挂); sum 1."""

    tender: Share = Decimal("0.1")
    auction: Share = Decimal("0.3")
    listing: Share = Decimal("0.6")

    @model_validator(mode="after")
    def _sum(self) -> MechanismShares:
        if self.tender + self.auction + self.listing != 1:
            raise ValueError("tender + auction + listing shares must sum to exactly 1")
        return self


class SupplySpec(Strict):
    """Rules L11–L13: the government's annual supply plan of state construction land from the land reserve,
    sold by tender, auction or listing (招拍挂) with the benchmark price as reserve or start price."""

    reserve_parcels: int = Field(15, ge=0, le=MAX_COUNT, description="state construction parcels in the land reserve at the start")
    reserve_parcel_m2: Distribution = Field(
        default_factory=lambda: LogNormal(type="lognormal", median=25000, sigma=0.5)
    )
    plan_m2_per_year: int = Field(150_000, ge=0, le=MAX_QUANTITY, description="annual supply plan, m²")
    commercial_share: Share = Field(Decimal("0.2"), description="share of lots supplied for commercial use")
    mechanisms: MechanismShares = Field(default_factory=MechanismShares)
    increment_share: Share = Field(Decimal("0.01"), gt=0, description="bid increment / start price")
    bidders_per_lot: int = Field(
        2, ge=1, le=MAX_COUNT, description="eligible firms wanting land that take part in one lot (drawn at random)"
    )
    listing_days: int = Field(10, ge=1, le=365, description="listing period (挂牌时间不得少于10日, MLR order 39 art. 19)")
    round_seconds: int = Field(300, ge=1, le=MAX_SECONDS, description="length of a bidding round, s")
    tender_price_weight: int = Field(60, ge=0, le=MAX_FACTOR)
    tender_grade_weight: int = Field(25, ge=0, le=MAX_FACTOR)
    tender_investment_weight: int = Field(15, ge=0, le=MAX_FACTOR, description="weight of the output-per-mu score")
    tender_bid_share_of_surplus: Share = Field(
        Decimal("0.5"), description="a tenderer bids start + this share of (its value − start)"
    )
    modes: SupplyModes = Field(default_factory=SupplyModes)
    flexible_term_years: int = Field(20, ge=1, le=MAX_YEARS, description="term of a flexible-term sale (弹性年期, L13)")
    lease_years: int = Field(20, ge=1, le=20, description="long lease term (长期租赁, ≤ 20 years, L13)")
    lease_then_sell_years: int = Field(5, ge=1, le=MAX_YEARS, description="lease period before the sale (先租后让, L13)")
    lease_then_sell_grades: list[Grade] = Field(
        default_factory=lambda: ["A", "B", "new"], description="grades that may buy after the lease (L13)"
    )
    lease_rent_share_per_year: Share = Field(
        Decimal("0.03"), gt=0, description="yearly rent of a leased lot / its full-term benchmark price"
    )
    standard_land_share: Share = Field(
        Decimal("0.2"), description="share of industrial lots listed as 'standard land' (标准地, L13)"
    )
    standard_min_output_yuan_per_mu: Amount = Field(
        Decimal("1000000"), description="industry condition of standard land: the bidder's output per mu at least"
    )
    mixed_use_share: Share = Field(Decimal("0.1"), description="share of industrial lots that are mixed-use (L12)")
    supporting_requested_share: Distribution = Field(
        default_factory=lambda: Uniform(type="uniform", low=0.02, high=0.08),
        description="supporting construction land a mixed-use project asks for, share of its area (L12)",
    )
    supporting_cap_share: Share = Field(Decimal("0.05"), description="at most 5 % supporting land (L12)")
    reserve_budget_yuan_per_year: Amount = Field(Decimal("20000000"), description="from the fiscal account (X2)")
    min_start_share_of_benchmark: Share = Field(
        Decimal("0.8"), gt=0,
        description="floor of a lot's start price / its benchmark-based start (MLR order 39 art. 10: the reserve price "
                    "may not be below the minimum price standard); a re-listed lot never starts lower",
    )
    relist_cut_share: Share = Field(
        Decimal("0.05"), description="an unsold lot is re-listed the next land session with its start price cut by "
                                     "this share (down to the floor)",
    )
    sell_through_low_share: Share = Field(
        Decimal("0.5"), description="below this share of lots sold last year, the supply plan shrinks by the step"
    )
    sell_through_high_share: Share = Field(
        Decimal("0.9"), description="at or above this share of lots sold last year, the supply plan grows by the step"
    )
    plan_step_share: Share = Field(Decimal("0.2"), description="change of the supply plan after a low or high year")
    plan_min_m2_per_year: int = Field(50_000, ge=0, le=MAX_QUANTITY, description="smallest supply plan, m²")
    plan_max_m2_per_year: int = Field(300_000, ge=0, le=MAX_QUANTITY, description="largest supply plan, m²")
    reserve_cash_keep_yuan: Amount | None = Field(
        Decimal("50000000"),
        description="the land reserve keeps this working balance at a year end and pays the rest of its cash "
                    "(land sale revenue) to the fiscal account; absent: it keeps all",
    )

    @model_validator(mode="after")
    def _plan_bounds(self) -> SupplySpec:
        if self.plan_min_m2_per_year > self.plan_max_m2_per_year:
            raise ValueError("plan_min_m2_per_year must not exceed plan_max_m2_per_year")
        if self.sell_through_low_share > self.sell_through_high_share:
            raise ValueError("sell_through_low_share must not exceed sell_through_high_share")
        return self


class SecondarySpec(Strict):
    """Rule L11: the secondary market of state construction land, by negotiation between firms."""

    seller_power: Share = Decimal("0.5")
    noise_sd_share: float = Field(0.1, ge=0, le=1)
    buyers_per_parcel: int = Field(5, ge=1, le=MAX_COUNT, description="candidate buyers a seller negotiates with (best first)")
