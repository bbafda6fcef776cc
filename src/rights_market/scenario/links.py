"""The ``links:`` section of a scenario: what ties the four rights together (rules X3, X4).

* ``pledges`` (X3) — rights as collateral: holders of a product pledge part of it for loans each year; a
  pledged quantity cannot be sold (rejection ``pledged``); at maturity the loan is repaid or defaults and the
  collateral goes to that right's reserve (X2), which pays the lender what its cash allows.
* ``projects`` (X4, 以水定地、以水定产) — an expansion that needs several rights together (m³ of water, kg of each
  pollutant, m² of land, ...): from its start year it acquires what it lacks from each right's reserve at the
  given prices, all or nothing, and proceeds only in the year when every need is held. Products of markets
  absent from the scenario are an error at build time, naming the project and the product.

Quantities are in each product's base unit; prices in yuan per base unit. Like :mod:`.forest`, this module
imports nothing from :mod:`.model`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from .base import MAX_QUANTITY, Money, Share, Strict, Year
from .validators import require_unique

Product = Annotated[str, Field(pattern=r"^(water|emission|land|forest)\.[A-Za-z0-9_.\-]+$",
                               description="a product id of one of the four markets, e.g. water.right")]

RIGHTS = ("water", "emission", "land", "forest")


class PledgeRule(Strict):
    """Rule X3: each year a share of the holders of ``product`` pledge a share of their free holding for a loan
    of loan-to-value × ``value_yuan_per_unit`` × quantity, for ``term_years``; interest yearly; at maturity
    repaid, or by chance defaulted (the collateral goes to the right's reserve)."""

    product: Product
    holder_share: Share = Decimal("0.1")
    pledge_share: Share = Field(Decimal("0.5"), gt=0)
    value_yuan_per_unit: Money
    loan_to_value: Share = Decimal("0.5")
    interest_rate: Share = Decimal("0.0435")
    term_years: int = Field(2, ge=1, le=30)
    default_rate: Share = Decimal("0.05")


class ProjectSpec(Strict):
    """Rule X4: an expansion project that proceeds only when it holds every right it ``needs``."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    start_year: Year
    needs: dict[Product, Annotated[int, Field(le=MAX_QUANTITY)]] = Field(min_length=1, description="product → quantity in its base unit")
    prices_yuan: dict[Product, Money] = Field(
        default_factory=dict,
        description="price per base unit the project pays a reserve for a missing right (absent: 0, allocated); "
                    "for water.right the annual price: the project pays its present value over the industrial "
                    "validity term (W2) at water.economics.discount_rate (X4)")

    @field_validator("needs")
    @classmethod
    def _positive(cls, needs: dict[str, int]) -> dict[str, int]:
        bad = sorted(p for p, q in needs.items() if q <= 0)
        if bad:
            raise ValueError(f"needs must be positive quantities; not for {bad}")
        return needs

    @model_validator(mode="after")
    def _prices_for_needs(self) -> ProjectSpec:
        extra = sorted(set(self.prices_yuan) - set(self.needs))
        if extra:
            raise ValueError(f"prices_yuan names products the project does not need: {extra}")
        return self


class LinksSpec(Strict):
    """Cross-right links: pledges (X3) and multi-right projects (X4)."""

    pledges: list[PledgeRule] = Field(default_factory=list)
    projects: list[ProjectSpec] = Field(default_factory=list)

    @field_validator("projects")
    @classmethod
    def _unique(cls, projects: list[ProjectSpec]) -> list[ProjectSpec]:
        return require_unique(projects, "name", "project names")
