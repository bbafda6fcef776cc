"""Distributions and behaviours: the pluggable parts every market section of a scenario shares.

A distribution says how a quantity is spread over holders (``type: constant | uniform | normal | lognormal``);
a behaviour says how a trader prices its shouts (``type: truthful | markup | zi_c | zi_u | zip``). Both are
discriminated unions on ``type:``. The market sections (:mod:`.water`, :mod:`.emission`, :mod:`.land`,
:mod:`.teaching`) take them from here and :mod:`.model` re-exports them, so the sections never import
:mod:`.model` (which imports the sections). From the scenario package it imports only :mod:`.base`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import MAX_DISTRIBUTION, MAX_SIGMA, Money, Strict

# --------------------------------------------------------------------------- distributions
#: A parameter of a distribution: finite and within ±10^9 (draws become int64 quantities and ticks).
Param = Annotated[float, Field(ge=-MAX_DISTRIBUTION, le=MAX_DISTRIBUTION)]
#: A non-negative parameter of a distribution (a spread), at most 10^9.
Spread = Annotated[float, Field(ge=0, le=MAX_DISTRIBUTION)]
#: A number in [0, 1] (a rate, a probability, a margin).
Unit = Annotated[float, Field(ge=0, le=1)]


class Constant(Strict):
    """Every holder gets ``value``."""

    type: Literal["constant"] = "constant"
    value: Param


class Uniform(Strict):
    """Uniform on [low, high]."""

    type: Literal["uniform"]
    low: Param
    high: Param

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if self.high < self.low:
            raise ValueError("high must be at least low")
        return self


class Normal(Strict):
    """Normal(mean, sd), truncated below at ``min`` (0 by default) by clipping."""

    type: Literal["normal"]
    mean: Param
    sd: Spread
    min: Param = 0.0


class LogNormal(Strict):
    """Log-normal with the given median and log-scale sigma (a right-skewed size distribution)."""

    type: Literal["lognormal"]
    median: float = Field(gt=0, le=MAX_DISTRIBUTION)
    sigma: float = Field(ge=0, le=MAX_SIGMA, description="at most 3: six sigma out is e^18 times the median")


Distribution = Annotated[Constant | Uniform | Normal | LogNormal, Field(discriminator="type")]


# --------------------------------------------------------------------------- behaviours
class Truthful(Strict):
    """Bid the marginal value, ask the marginal cost."""

    type: Literal["truthful"]


class Markup(Strict):
    """Ask cost × (1 + markup), bid value × (1 − markup)."""

    type: Literal["markup"]
    markup: float = Field(0.1, ge=0, lt=1)


class ZIC(Strict):
    """Zero intelligence, constrained (Gode & Sunder 1993): bids uniform on [price_min, value], asks
    uniform on [cost, price_max]."""

    type: Literal["zi_c"]


class ZIU(Strict):
    """Zero intelligence, unconstrained (Gode & Sunder 1993): prices uniform on [price_min, price_max]
    whatever the value or cost."""

    type: Literal["zi_u"]


class ZIP(Strict):
    """Zero intelligence plus (Cliff 1997, HP Labs HPL-97-91): each trader shouts its limit times (1 + its
    profit margin) and moves the margin after every shout towards a perturbed copy of that shout's price
    (Widrow-Hoff with momentum). Defaults are Cliff's published values; see ``agents/zip.py``."""

    type: Literal["zip"]
    learning_rate: tuple[Unit, Unit] = Field((0.1, 0.5), description="range of each trader's learning rate beta")
    momentum: tuple[Unit, Unit] = Field((0.2, 0.8), description="range of each trader's momentum gamma")
    initial_margin: tuple[Unit, Unit] = Field((0.05, 0.35), description="range of the initial |profit margin|")
    relative_perturbation: float = Field(0.05, ge=0, le=1, description="c_r: target = R q + A, R within 1 ± c_r")
    absolute_perturbation_yuan: Money = Field(
        Decimal("0.05"), description="c_a: A within ± c_a, yuan per base unit"
    )

    @model_validator(mode="after")
    def _ranges(self) -> ZIP:
        for name in ("learning_rate", "momentum", "initial_margin"):
            lo, hi = getattr(self, name)
            if not 0 <= lo <= hi:
                raise ValueError(f"{name} must be [low, high] with 0 <= low <= high")
        if self.learning_rate[1] > 1 or self.momentum[1] >= 1:
            raise ValueError("learning_rate must stay within [0, 1] and momentum below 1")
        return self


Behaviour = Annotated[Truthful | Markup | ZIC | ZIU | ZIP, Field(discriminator="type")]


__all__ = [
    "ZIC",
    "ZIP",
    "ZIU",
    "Behaviour",
    "Constant",
    "Distribution",
    "LogNormal",
    "Markup",
    "Normal",
    "Param",
    "Spread",
    "Truthful",
    "Uniform",
    "Unit",
]
