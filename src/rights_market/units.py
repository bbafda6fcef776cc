"""Exact units at the edges of the simulator.

Inside the engine every quantity and every amount of money is an integer:

* **money** is held in *fen* (分, 0.01 yuan) — ``int``;
* **prices** are held in *price ticks* of 0.0001 yuan (0.01 fen) per base unit of the product — ``int``.
  Plan figures such as the Yellow River irrigation price 0.0305 yuan/m³ are exact in this unit (305);
* **quantities** are held in the product's base unit (m³ of water, kg of a pollutant, m² of land,
  0.01 mu of forest, ...) — ``int``.

An amount of money is ``quantity × price`` converted to fen and rounded half away from zero, once per
charge line or trade (:func:`amount_fen`). Whatever rounding happens, the same integer is debited from one
account and credited to another, so money is conserved exactly.

Conversions from user input go through :class:`decimal.Decimal` built from the *text* of the number, so a
YAML value ``1.081`` becomes exactly 10810 ticks, never a binary-float approximation.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np

FEN_PER_YUAN = 100
TICKS_PER_YUAN = 10_000
TICKS_PER_FEN = TICKS_PER_YUAN // FEN_PER_YUAN

#: 1 mu (亩) = 10000/15 m² exactly.
M2_PER_MU = Fraction(10_000, 15)

#: Days of a simulated year (the calendar has no leap days).
DAYS_PER_YEAR = 365


class UnitError(ValueError):
    """A number from the user cannot be represented exactly in the engine's integer units."""


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise UnitError(f"expected a number, got {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | str):
        try:
            return Decimal(str(value).strip().replace("_", ""))
        except InvalidOperation as exc:
            raise UnitError(f"expected a number, got {value!r}") from exc
    if isinstance(value, float):
        # repr() of a float is the shortest text that round-trips: 1.081 -> "1.081".
        return Decimal(repr(value))
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    raise UnitError(f"expected a number, got {value!r}")


def to_scaled_int(value: object, scale: int, what: str = "value") -> int:
    """Return ``value × scale`` as an exact integer, or raise :class:`UnitError` if it has more digits."""
    d = _decimal(value) * scale
    if d != d.to_integral_value():
        raise UnitError(f"{what} {value} has more decimals than the engine keeps (1/{scale} of a unit)")
    return int(d)


def yuan_to_fen(value: object) -> int:
    """Yuan (text or number) → integer fen, exactly."""
    return to_scaled_int(value, FEN_PER_YUAN, "amount in yuan")


def yuan_to_ticks(value: object) -> int:
    """A price in yuan per base unit → integer ticks (0.0001 yuan), exactly."""
    return to_scaled_int(value, TICKS_PER_YUAN, "price in yuan")


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen → exact Decimal yuan (for reports)."""
    return Decimal(int(fen)) / FEN_PER_YUAN


def ticks_to_yuan(ticks: int) -> Decimal:
    """Integer price ticks → exact Decimal yuan per base unit (for reports)."""
    return Decimal(int(ticks)) / TICKS_PER_YUAN


def div_round_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounding half away from zero (the usual rule for money in China's billing)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return q if numerator >= 0 else -q


def amount_fen(quantity: int, price_ticks: int) -> int:
    """Money for ``quantity`` base units at ``price_ticks`` per unit, in fen, rounded half up."""
    return div_round_half_up(int(quantity) * int(price_ticks), TICKS_PER_FEN)


def amount_fen_array(quantity: np.ndarray, price_ticks: np.ndarray) -> np.ndarray:
    """Vectorised :func:`amount_fen` over int64 arrays (non-negative quantities and prices)."""
    q = np.asarray(quantity, dtype=np.int64)
    p = np.asarray(price_ticks, dtype=np.int64)
    if q.size and (q.min() < 0 or p.min() < 0):
        raise ValueError("amount_fen_array takes non-negative quantities and prices")
    prod = q * p
    if q.size and int(np.max(q)) and int(np.max(p)) > np.iinfo(np.int64).max // max(int(np.max(q)), 1):
        raise OverflowError("quantity × price overflows int64")
    return (prod + TICKS_PER_FEN // 2) // TICKS_PER_FEN


def per_mu_total(area_m2, per_mu):
    """⌊area × amount per mu⌋ for an area in m² (int or int64 array) and an integer amount per mu (fen, ...),
    exactly: ``area_m2 × per_mu ÷ M2_PER_MU`` rounded down."""
    return area_m2 * per_mu * M2_PER_MU.denominator // M2_PER_MU.numerator


def decimal_to_rational(value: object) -> Fraction:
    """An exact rational from user text (``"0.1"`` → 1/10), for shares and band widths."""
    return Fraction(_decimal(value))
