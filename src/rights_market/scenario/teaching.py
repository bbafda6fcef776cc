"""The scenario section of the teaching / validation market (``teaching:``): an induced-values double auction.

Each buyer has unit values (redemption values) and each seller unit costs, set by the experimenter, in yuan
per unit; they trade units one at a time in a continuous double auction, a whole trading day ("period") per
trading session of the calendar. The classic laboratory designs (Smith 1962; Gode & Sunder 1993; Cliff 1997)
are written in this language in ``scenarios/teaching/``. Right-agnostic: it proves the engine's mechanism,
ledger and records against the experimental-economics literature (rule X1: the same mechanisms for every
right).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from .base import MAX_COUNT, Money, Strict
from .common import ZIC, Behaviour


def _units(value: object) -> object:
    """A trader written as one number has one unit: ``2.5`` → ``[2.5]``."""
    return value if isinstance(value, list | tuple) else [value]


_UnitList = Annotated[list[Money], Field(min_length=1, max_length=MAX_COUNT)]
#: A trader's unit limits: a list, or one number for one unit (the JSON Schema accepts both, as the files do).
UnitLimits = Annotated[
    list[Money], BeforeValidator(_units, json_schema_input_type=_UnitList | Money), Field(min_length=1, max_length=MAX_COUNT)
]


class TeachingSpec(Strict):
    """An induced-values market traded in a continuous double auction, one trading day per calendar session.

    Every trading day each seller is re-endowed with one unit per cost and each buyer may buy one unit per
    value; units are traded in the listed order (a trader's first unit first: list a buyer's values from the
    highest and a seller's costs from the lowest, as Gode & Sunder did). Shouts arrive one at a time; the
    trader prices its current unit by its side's behaviour. At the end of the day the book is cleared and units
    left are void. ``rules`` selects the auction:

    * ``cda`` — a price-time priority book (``market/orderbook.py``), trades at the resting order's price; a
      trader drawn uniformly among those with a unit left; by default its new shout replaces its resting one;
    * ``gode_sunder`` — Gode & Sunder's (1993) single-unit auction (``market/gs_auction.py``): a shout must
      improve on its side's best quote, a crossing shout trades at the standing quote's price, every trade
      clears the book; traders drawn as for ``cda``;
    * ``cliff`` — the market of Cliff's (1997) simulator (``market/gs_auction.py``): a side drawn in proportion
      to its active traders, then a trader able to shout under the NYSE rule; the other side's traders respond
      with fresh prices and a random willing one trades at the shout's price; quotes reset on each trade.
    """

    rules: Literal["cda", "gode_sunder", "cliff"] = Field(
        "cda", description="auction rules: price-time CDA (cda), Gode & Sunder 1993 (gode_sunder), Cliff 1997 (cliff)"
    )

    buyers_yuan: list[UnitLimits] = Field(min_length=1, description="each buyer's unit values, yuan per unit")
    sellers_yuan: list[UnitLimits] = Field(min_length=1, description="each seller's unit costs, yuan per unit")
    periods: int | None = Field(
        None, ge=1, le=200 * 365, description="trading days; default: every session of the calendar is a trading day"
    )
    shouts_per_period: int = Field(500, ge=1, le=10_000_000, description="shouts in a trading day at most")
    end_after_idle_shouts: int | None = Field(
        None, ge=1, le=10_000_000, description="end the day early after this many shouts in a row without a trade (Cliff 1997: 100)"
    )
    sessions_per_period: int | None = Field(
        None, ge=1, le=10_000_000, description="rules cliff only: a trading day is at most this many sessions, each ending with a "
        "trade or after end_after_idle_shouts failed shouts in a row (Cliff's 'max trades per day'); default: "
        "a run of failed shouts ends the day"
    )
    nyse_rule: bool = Field(
        True, description="rules cliff only: a trader may shout only if it can beat its side's best quote in the "
        "session (Cliff's ZI-C runs); false: anyone with a unit left may shout (his ZIP runs)"
    )
    clear_book_after_trade: bool = Field(
        False, description="rules cda only: cancel every resting order after each trade; by default the book is "
        "cleared only at the end of the day (gode_sunder and cliff always clear it)"
    )
    one_order_per_trader: bool = Field(
        True, description="rules cda only: a trader's new shout replaces its resting one"
    )
    price_min_yuan: Money = Field(Decimal("0.01"), gt=0, description="lowest admissible price, yuan per unit")
    price_max_yuan: Money = Field(Decimal("10"), gt=0, description="highest admissible price, yuan per unit")
    buyer_behaviour: Behaviour = Field(default_factory=lambda: ZIC(type="zi_c"))
    seller_behaviour: Behaviour = Field(default_factory=lambda: ZIC(type="zi_c"))
    p0_yuan: Money | None = Field(
        None, description="competitive equilibrium price for the KPIs; default: middle of the competitive range"
    )
    q0: int | None = Field(None, ge=0, le=10**12, description="competitive equilibrium quantity (reported only)")

    @model_validator(mode="after")
    def _bounds(self) -> TeachingSpec:
        if self.price_max_yuan <= self.price_min_yuan:
            raise ValueError(
                f"price_max_yuan ({self.price_max_yuan}) must be above price_min_yuan ({self.price_min_yuan})"
            )
        if self.rules != "cda" and (self.clear_book_after_trade or not self.one_order_per_trader):
            raise ValueError(
                f"clear_book_after_trade and one_order_per_trader apply to rules: cda only; rules: {self.rules} "
                "keeps one best quote a side and clears it after every trade"
            )
        if self.rules != "cliff" and (not self.nyse_rule or self.sessions_per_period is not None):
            raise ValueError(
                f"nyse_rule and sessions_per_period apply to rules: cliff only (rules: {self.rules})"
            )
        for side, traders in (("buyers_yuan", self.buyers_yuan), ("sellers_yuan", self.sellers_yuan)):
            for i, units in enumerate(traders):
                if any(v <= 0 for v in units):
                    raise ValueError(f"{side}[{i}]: unit values and costs must be positive")
        return self
