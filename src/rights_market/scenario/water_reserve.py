"""The water reserve's rules (W12, X2): triggers in yuan or relative to a relation's base price, dry-year
release, offers of stock, and the reserve's budget. A part of the water section (:mod:`.water`), kept apart for
length."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from .base import (
    MAX_COUNT,
    MAX_QUANTITY,
    Amount,
    Money,
    Share,
    Strict,
)
from .water_sectors import Sector

BaseShare = Annotated[Decimal, Field(gt=0, le=1000, max_digits=12, decimal_places=6)]


class Relation(Strict):
    """A trading relation, seller sector → buyer sector, whose base price (W5) a reserve rule refers to."""

    seller: Sector
    buyer: Sector


class ReservePrice(Strict):
    """A price of a reserve rule (W12), in yuan or relative to a base price (W5): exactly one of
    ``*_yuan_per_m3`` and ``*_base_share`` (× the base price of ``relation``, or of the reserve's own
    relations — ``default_base_price_yuan_per_m3`` — without one). Subclasses name the pair of fields."""

    relation: Relation | None = Field(
        None, description="the relation whose base price a *_base_share multiplies (default: the reserve's own)"
    )
    price_fields: ClassVar[tuple[str, str]] = ("trigger_yuan_per_m3", "trigger_base_share")
    price_required: ClassVar[bool] = True

    @model_validator(mode="after")
    def _one_price(self) -> ReservePrice:
        yuan, share = self.price_fields
        given = [f for f in (yuan, share) if getattr(self, f) is not None]
        if len(given) > 1:
            raise ValueError(f"give either {yuan} or {share}, not both")
        if not given and self.price_required:
            raise ValueError(f"give {yuan} (yuan per m³) or {share} (a multiple of the base price, e.g. 0.8)")
        if self.relation is not None and getattr(self, share) is None:
            raise ValueError(f"relation names whose base price {share} multiplies; give {share} with it")
        return self


class BuyBelow(ReservePrice):
    """Rule W12: in every session after one whose market price (the volume-weighted mean price of holders'
    trades of annual water in the last session that had any) fell below the trigger, the reserve bids for up
    to ``max_m3_per_session`` at the trigger price, within its cash. The trigger is
    ``trigger_yuan_per_m3``, or ``trigger_base_share`` × the base price (e.g. 0.8: buy below 80 % of it)."""

    type: Literal["buy_below"]
    trigger_yuan_per_m3: Money | None = None
    trigger_base_share: BaseShare | None = None
    max_m3_per_session: int = Field(ge=1, le=MAX_QUANTITY)


class SellAbove(ReservePrice):
    """Rule W12: in every session after one whose market price rose above the trigger, the reserve offers
    up to ``max_m3_per_session`` of its stock at the trigger price. The trigger is ``trigger_yuan_per_m3``,
    or ``trigger_base_share`` × the base price (e.g. 1.5: sell above 150 % of it)."""

    type: Literal["sell_above"]
    trigger_yuan_per_m3: Money | None = None
    trigger_base_share: BaseShare | None = None
    max_m3_per_session: int = Field(ge=1, le=MAX_QUANTITY)


class DryYearRelease(Strict):
    """Rule W12: at the start of a year whose deliverable share is below ``below_share``, the reserve
    releases stock at ``price`` (the base price of the buyer's relation if omitted) to holders short of
    need, in the priority order of sectors given (domestic and ecology first by default). A release is a
    government allocation at a set price, not a market trade: it reaches holders whatever their
    ``participation`` (which governs only the market: book, call auction and negotiation)."""

    type: Literal["dry_year_release"]
    below_share: Share = Decimal("1")
    priority: list[Sector] = Field(default_factory=lambda: ["domestic", "ecology", "agriculture", "industry"])
    yuan_per_m3: Money | None = None


class OfferStock(Strict):
    """Rule W12: every session the reserve offers ``share_per_session`` of its stock at ``yuan_per_m3``
    (the default base price if omitted) — how reclaimed industrial rights (W2) go back to the market."""

    type: Literal["offer_stock"]
    share_per_session: Share = Decimal("1")
    yuan_per_m3: Money | None = None


class OfferBeforeExpiry(ReservePrice):
    """Rule W12: the reserve's annual water expires at the year end, so in each of the last ``last_sessions``
    sessions of the year it offers its stock spread evenly over the sessions left (all of it in the last
    one) at ``price_yuan_per_m3`` or ``price_base_share`` × the base price (the reserve's default base price
    if neither is given). What is still unsold at the year end expires and is reported (``expire`` rows of
    the ``reserve`` table, the ``reserve_stock`` KPI)."""

    type: Literal["offer_before_expiry"]
    last_sessions: int = Field(4, ge=1, le=MAX_COUNT)
    price_yuan_per_m3: Money | None = None
    price_base_share: BaseShare | None = None
    price_fields: ClassVar[tuple[str, str]] = ("price_yuan_per_m3", "price_base_share")
    price_required: ClassVar[bool] = False


ReserveRule = Annotated[BuyBelow | SellAbove | DryYearRelease | OfferStock | OfferBeforeExpiry,
                        Field(discriminator="type")]


class ReserveSpec(Strict):
    """Rule W12 / X2: the government water reserve, with its own accounts."""

    enabled: bool = True
    initial_rights_m3: int = Field(
        0, ge=0, le=MAX_QUANTITY, description="confirmed volume held by the reserve at the start (m³/yr)"
    )
    budget_yuan_per_year: Amount = Decimal("500000")
    rules: list[ReserveRule] = Field(default_factory=list)
