"""The roles of a classroom (``classroom.roles``): who a seat plays and what holding lots is worth to it.

Each role carries **induced values** (Smith 1962): a ``buyer`` values each successive lot, a ``seller`` has a
cost per lot, a ``farm`` has surplus water, a ``firm`` a plan and an abatement cost. :mod:`.values` turns a
role into its exact :class:`~rights_market.classroom.values.Valuation`; :mod:`.settings` holds them in the
``classroom:`` block (and re-exports these names). This module imports neither.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from ..scenario.base import Money, Strict

Quantity = Annotated[int, Field(ge=0, le=10**12)]

#: most lots a role may hold, need or plan: its induced values are a list of one value per lot, built up front
MAX_ROLE_LOTS = 10_000
#: the languages a role's label may be given in (the classroom pages' languages)
LABEL_LANGS = ("en", "zh")
_LABEL_MAX = 80


def _check_label(value: object) -> object:
    """A role label: one text, or one text per language (``{en: ..., zh: ...}``, ``en`` required); each 1–80
    characters. ValueError with what was expected otherwise."""
    texts = value if isinstance(value, dict) else {"en": value}
    if not isinstance(value, (str, dict)):
        raise ValueError(f"a label is a text, or one text per language such as {{en: Farm, zh: 农户}}; "
                         f"got {type(value).__name__}")
    unknown = [str(k) for k in texts if k not in LABEL_LANGS]
    if unknown:
        raise ValueError(f"label languages are {', '.join(LABEL_LANGS)}; got {', '.join(unknown)} — "
                         "write e.g. {en: Farm, zh: 农户}")
    if "en" not in texts:
        raise ValueError("a label given per language needs its English text (en), the pages' fallback")
    for lang, text in texts.items():
        if not isinstance(text, str) or not 1 <= len(text) <= _LABEL_MAX:
            raise ValueError(f"label {lang}: expected a text of 1 to {_LABEL_MAX} characters, got {text!r}")
    return value


#: A role's label: one text for every language, or ``{en: ..., zh: ...}`` (:func:`label_text`).
_LabelText = Annotated[str, Field(min_length=1, max_length=_LABEL_MAX)]
RoleLabel = Annotated[
    _LabelText | dict[Literal["en", "zh"], _LabelText],
    BeforeValidator(_check_label),
    Field(description="what the role's page says it plays: one text, or one per language ({en: ..., zh: ...}, "
                      "en required)"),
]


def label_texts(label: str | dict[str, str]) -> dict[str, str]:
    """A label's text in each language it is given in (a plain text counts as English)."""
    return dict(label) if isinstance(label, dict) else {"en": label}


def label_text(label: str | dict[str, str], lang: str = "en") -> str:
    """A label in ``lang``, else its English text."""
    texts = label_texts(label)
    return texts.get(lang) or texts["en"]


#: most W9 surcharge bands a firm's bill may have (bills list band by band, and are priced for every lot held)
MAX_BILL_BANDS = 1_000


class BuyerRole(Strict):
    """A buyer with induced values: ``values_yuan[k]`` is its value per base unit of its (k+1)-th lot
    (non-increasing). It starts with no units and ``cash_yuan``."""

    type: Literal["buyer"]
    label: RoleLabel = Field(default_factory=lambda: {"en": "Buyer", "zh": "买方"})
    sector: str = Field("", max_length=40, description="sector for the trade's relation column, e.g. industry")
    values_yuan: list[Money] = Field(min_length=1, max_length=1000)
    cash_yuan: Money = Decimal("1000")

    @model_validator(mode="after")
    def _decreasing(self) -> BuyerRole:
        if any(b > a for a, b in zip(self.values_yuan, self.values_yuan[1:], strict=False)):
            raise ValueError("values_yuan must not increase from one lot to the next (diminishing value)")
        return self


class SellerRole(Strict):
    """A seller with induced costs: ``costs_yuan[k]`` is its cost per base unit of its (k+1)-th lot sold
    (non-decreasing). It starts holding one lot per entry and ``cash_yuan``."""

    type: Literal["seller"]
    label: RoleLabel = Field(default_factory=lambda: {"en": "Seller", "zh": "卖方"})
    sector: str = Field("", max_length=40)
    costs_yuan: list[Money] = Field(min_length=1, max_length=1000)
    cash_yuan: Money = Decimal("0")

    @model_validator(mode="after")
    def _increasing(self) -> SellerRole:
        if any(b < a for a, b in zip(self.costs_yuan, self.costs_yuan[1:], strict=False)):
            raise ValueError("costs_yuan must not decrease from one lot to the next (rising cost)")
        return self


class FarmRole(Strict):
    """A farm holding ``holding`` base units this period that needs ``need`` of them (rule W3: the surplus
    above the plan is tradable). Each unit it uses is worth ``use_value_yuan`` (crop revenue per m³); units
    beyond its need are worth ``salvage_yuan`` (0: unused water expires)."""

    type: Literal["farm"]
    label: RoleLabel = Field(default_factory=lambda: {"en": "Farm with surplus water", "zh": "有余水的农户"})
    sector: str = Field("agriculture", max_length=40)
    holding: Quantity
    need: Quantity
    use_value_yuan: Money
    salvage_yuan: Money = Decimal("0")
    cash_yuan: Money = Decimal("0")

    @model_validator(mode="after")
    def _salvage(self) -> FarmRole:
        if self.salvage_yuan > self.use_value_yuan:
            raise ValueError("salvage_yuan must not exceed use_value_yuan (used water is worth at least unused)")
        return self


class FirmRole(Strict):
    """A firm with a plan (its rights at the start of a period, ``plan`` base units) that will use or emit
    ``need`` base units. Each unit it lacks at the period end is either abated at ``abatement_yuan`` or,
    by ``charge``: pays the over-plan surcharge of the classroom's ``surcharge`` (rule W9, bands of the
    rights held), or pays ``penalty_yuan``; ``abate`` means it must abate (rule E2: emissions may never exceed
    the rights held). It chooses the cheaper for every unit."""

    type: Literal["firm"]
    label: RoleLabel = Field(default_factory=lambda: {"en": "Firm with a plan", "zh": "有计划指标的企业"})
    sector: str = Field("industry", max_length=40)
    plan: Quantity
    need: Quantity
    abatement_yuan: Money
    charge: Literal["surcharge", "penalty", "abate"] = "surcharge"
    penalty_yuan: Money | None = None
    cash_yuan: Money = Decimal("0")

    @model_validator(mode="after")
    def _penalty(self) -> FirmRole:
        if self.charge == "penalty" and self.penalty_yuan is None:
            raise ValueError("charge: penalty needs penalty_yuan")
        if self.charge != "penalty" and self.penalty_yuan is not None:
            raise ValueError("penalty_yuan is only used with charge: penalty")
        return self


Role = Annotated[BuyerRole | SellerRole | FarmRole | FirmRole, Field(discriminator="type")]
