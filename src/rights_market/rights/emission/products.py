"""Products of the emission market: constants and unit conversions (no state; see :mod:`.state`).

Quantities are kg (int64), prices ticks per kg (1 yuan/t = 10 ticks/kg).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ...scenario.emission import CARBON, EMISSION_SECTORS, UNIT_KINDS, EmissionSpec
from ...units import decimal_to_rational, to_scaled_int
from ..shared.reserves import RESERVES

RIGHT = "emission"
UNIT = "kg"
RES = RESERVES["emission"]
NOT_YET, ACTIVE, CLOSED = 0, 1, 2
KIND = {k: i for i, k in enumerate(UNIT_KINDS)}
SECTOR_NAMES = np.array([*EMISSION_SECTORS, "reserve"], dtype=object)


def t_to_kg(value: object) -> int:
    """Tonnes (text or number) → kg, exactly."""
    return to_scaled_int(value, 1000, "quantity in tonnes")


def yuan_per_t_to_ticks(value: object) -> int:
    """Yuan per tonne → ticks (0.0001 yuan) per kg, exactly (1 yuan/t = 10 ticks/kg)."""
    return to_scaled_int(value, 10, "price in yuan per tonne")


def frac_of(q: np.ndarray, share: Fraction) -> np.ndarray:
    """⌊q × share⌋ exactly."""
    return (np.asarray(q, dtype=np.int64) * share.numerator) // share.denominator


def product_keys(spec: EmissionSpec) -> tuple[list[str], bool, list[str]]:
    """(pollutant ids, whether E14 carbon allowances are on, product keys: the pollutants then ``carbon``)."""
    pollutants = [p.id for p in spec.pollutants]
    carbon_on = spec.carbon.enabled and any(g.carbon is not None for g in spec.groups)
    return pollutants, carbon_on, pollutants + ([CARBON] if carbon_on else [])


def carbon_fine_ticks(spec: EmissionSpec) -> int:
    """E14: the fine per kg of CO2 not surrendered, ticks/kg (reference price × multiple). No emitter values
    an allowance above it, so it also bounds the prices of allowance orders."""
    c = spec.carbon
    rate = yuan_per_t_to_ticks(c.reference_price_yuan_per_t) * decimal_to_rational(c.penalty_multiple_of_price)
    return int(rate)
