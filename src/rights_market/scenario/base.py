"""The base of every scenario model, and the number types with the ranges the engine can hold.

Every section module (:mod:`.model`, :mod:`.water`, :mod:`.emission`, :mod:`.land`, :mod:`.forest`,
:mod:`.links`, :mod:`.teaching`) builds on :class:`Strict`. It forbids unknown fields, is frozen, and refuses
NaN and ±infinity in every float and Decimal field, whether written as a YAML float (``.inf``, ``.nan``) or as
text (``'inf'``, ``'NaN'``); ``'1e999'`` is refused as not finite in a float field, as too many digits in a
bounded Decimal and as not a whole number in an int field.

Ranges. Inside the engine money is int64 fen, prices int64 ticks of 0.0001 yuan per base unit and quantities
int64 base units (:mod:`rights_market.units`); int64 holds 9.2 × 10^18. The bounds below keep every figure a
user writes, and the products the engine forms from them, inside that:

* :data:`MAX_YUAN` — prices and amounts of money, 10^9 yuan (10^13 ticks, 10^11 fen);
* :data:`MAX_BIG_YUAN` — district totals such as GDP, 10^13 yuan (10^15 fen);
* :data:`MAX_QUANTITY` — quantities in a base unit (m³, m², kg, ...), 10^12;
* :data:`MAX_COUNT` — counts of things per year or session (requests, lots, pairs, orders), 10^6; how many
  holders and shouts a whole run may ask for is bounded by the work limits (:mod:`rights_market.work`);
* :data:`MIN_YEAR`..:data:`MAX_START_YEAR` — the first year of a run, 1900..2200; a run lasts at most
  :data:`MAX_YEARS` = 200 years, so every other calendar year is within 1900..:data:`MAX_YEAR` = 2400; durations
  in years are at most 200;
* :data:`MAX_SECONDS` — durations in seconds, 10^7 (about 116 days); :data:`MAX_DISTRIBUTION` — parameters of
  a distribution, ±10^9 (its draws are converted to int64 quantities and ticks); a log-normal sigma at most
  :data:`MAX_SIGMA` (= 3: a draw six sigma out is e^18 ≈ 6.6 × 10^7 times the median);
* :data:`MAX_FACTOR` — dimensionless factors and multipliers (need factors, price multiples, weights), 10^3.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

MAX_YUAN = 10**9
MAX_BIG_YUAN = 10**13
MAX_QUANTITY = 10**12
MAX_COUNT = 10**6
MIN_YEAR = 1900
MAX_START_YEAR = 2200
MAX_YEAR = MAX_START_YEAR + 200
MAX_YEARS = 200
MAX_SECONDS = 10**7
MAX_DISTRIBUTION = 10**9
MAX_SIGMA = 3
MAX_FACTOR = 1000


class Strict(BaseModel):
    """Unknown fields are errors, models are frozen, and NaN and ±infinity are refused in every number."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


Money = Annotated[Decimal, Field(ge=0, le=MAX_YUAN, max_digits=18, decimal_places=4)]
#: An amount of money the engine books in whole fen (a budget, a fee, an investment): at most two decimals.
Amount = Annotated[Decimal, Field(ge=0, le=MAX_YUAN, max_digits=18, decimal_places=2)]
BigMoney = Annotated[Decimal, Field(ge=0, le=MAX_BIG_YUAN, max_digits=18, decimal_places=2)]
Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=12, decimal_places=8)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR, description=f"a calendar year, {MIN_YEAR}..{MAX_YEAR}")]
Years = Annotated[int, Field(ge=0, le=MAX_YEARS)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Quantity = Annotated[int, Field(ge=0, le=MAX_QUANTITY)]
Factor = Annotated[float, Field(ge=0, le=MAX_FACTOR)]

__all__ = [
    "Amount",
    "MAX_BIG_YUAN",
    "MAX_COUNT",
    "MAX_DISTRIBUTION",
    "MAX_FACTOR",
    "MAX_QUANTITY",
    "MAX_SECONDS",
    "MAX_SIGMA",
    "MAX_START_YEAR",
    "MAX_YEAR",
    "MAX_YEARS",
    "MAX_YUAN",
    "MIN_YEAR",
    "BigMoney",
    "Count",
    "Factor",
    "Money",
    "Quantity",
    "Share",
    "Strict",
    "Year",
    "Years",
]
