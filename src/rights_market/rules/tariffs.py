"""Block tariffs and progressive surcharges (rules W8 and W9): pure functions, no state.

A bill for one holder and one assessment period has two parts:

* a **block tariff** (rule W8) on all the use: blocks with absolute upper edges in base units per period
  (residential 阶梯水价), or a single block (a flat price: the agricultural quota price, the industrial
  supply price). Tariff lines are paid to the water supplier;
* a **progressive surcharge** (rules W8 and W9) on the use beyond a base volume (the plan or the quota):
  the excess is cut into bands of ``width`` × base; band *k* — over (k−1)·width·base up to and including
  k·width·base — pays ``k × step × reference_price`` per unit on the water in it. With the plan's values
  (width 10 %, step 50 % of the industrial supply price) band 1 pays +50 %, band 2 +100 %, and so on
  (rule W9, [W §二(三)7]). Surcharge lines go to the fiscal account, not to the supplier (rule W9).

Band edges may fall between whole units (10 % of a plan of 1,234 m³ is 123.4 m³). Quantities in a band
are therefore computed exactly as rationals; each line's money is rounded half up to the fen once, and the
bill's total is the sum of its rounded lines. The ``quantity`` of a line is reported rounded half up to a
whole unit; its money always comes from the exact quantity.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..units import TICKS_PER_FEN, div_round_half_up

TARIFF = "tariff"
SURCHARGE = "surcharge"


@dataclass(frozen=True)
class BlockTariff:
    """Rule W8: price blocks over absolute use per assessment period.

    ``edges`` are the upper edges of every block but the last (base units, strictly increasing);
    ``rates`` the price of each block in ticks per base unit (``len(edges) + 1`` of them). One rate and no
    edges is a flat price.
    """

    edges: tuple[int, ...]
    rates: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        if len(self.rates) != len(self.edges) + 1:
            raise ValueError("a block tariff needs one more rate than edges")
        if any(b <= a for a, b in zip(self.edges, self.edges[1:], strict=False)) or any(
            e <= 0 for e in self.edges
        ):
            raise ValueError("block edges must be positive and strictly increasing")
        if any(r < 0 for r in self.rates):
            raise ValueError("block rates must not be negative")


@dataclass(frozen=True)
class ProgressiveSurcharge:
    """Rules W8/W9: bands of ``width`` × base above the base; band k pays k × ``step`` × reference price.

    ``width`` and ``step`` are exact shares (1/10 and 1/2 in the plan); ``reference_price`` is in ticks per
    base unit (the industrial supply price for W9). ``max_band`` caps the multiplier: bands beyond it pay
    the rate of ``max_band`` (None: no cap, as the plan says).
    """

    width: Fraction
    step: Fraction
    reference_price: Fraction
    max_band: int | None = None

    def __post_init__(self) -> None:
        if self.width <= 0:
            raise ValueError("band width must be positive")
        if self.step < 0 or self.reference_price < 0:
            raise ValueError("surcharge step and reference price must not be negative")
        if self.max_band is not None and self.max_band < 1:
            raise ValueError("max_band must be at least 1")

    def rate(self, band: int) -> Fraction:
        """Surcharge in ticks per unit on the water in band ``band`` (1-based)."""
        k = band if self.max_band is None else min(band, self.max_band)
        return k * self.step * self.reference_price


@dataclass(frozen=True)
class ChargeLine:
    """One line of a bill: ``kind`` is 'tariff' or 'surcharge', ``band`` 1-based within its kind."""

    kind: str
    band: int
    quantity: Fraction
    rate: Fraction
    amount_fen: int

    @property
    def quantity_rounded(self) -> int:
        return div_round_half_up(self.quantity.numerator, self.quantity.denominator)


@dataclass(frozen=True)
class Bill:
    """All lines of one holder's bill for one period, and their total in fen."""

    use: int
    base: int
    lines: tuple[ChargeLine, ...]

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    def total_of(self, kind: str) -> int:
        return sum(line.amount_fen for line in self.lines if line.kind == kind)


def _money(quantity: Fraction, rate: Fraction) -> int:
    value = quantity * rate
    return div_round_half_up(value.numerator, value.denominator * TICKS_PER_FEN)


def bill(use: int, base: int, tariff: BlockTariff | None, surcharge: ProgressiveSurcharge | None) -> Bill:
    """Exact bill for ``use`` base units against a plan or quota of ``base`` units (rules W8, W9).

    Lines with zero quantity are left out. ``use`` and ``base`` must not be negative.
    """
    if use < 0 or base < 0:
        raise ValueError("use and base must not be negative")
    lines: list[ChargeLine] = []
    if tariff is not None:
        lower = 0
        for i, rate in enumerate(tariff.rates):
            upper = tariff.edges[i] if i < len(tariff.edges) else None
            top = use if upper is None else min(use, upper)
            q = Fraction(max(0, top - lower))
            if q > 0:
                lines.append(ChargeLine(TARIFF, i + 1, q, rate, _money(q, rate)))
            if upper is None or use <= upper:
                break
            lower = upper
    if surcharge is not None and use > base:
        excess = Fraction(use - base)
        width = surcharge.width * base
        if width == 0:
            # A zero plan: all use is over plan; the plan's bands have no width, so all of it is charged
            # at the rate of the capped band, or band 1 when uncapped (documented behaviour).
            k = surcharge.max_band or 1
            rate = surcharge.rate(k)
            lines.append(ChargeLine(SURCHARGE, k, excess, rate, _money(excess, rate)))
        else:
            k = 1
            while excess > (k - 1) * width:
                q = min(excess, k * width) - (k - 1) * width
                rate = surcharge.rate(k)
                lines.append(ChargeLine(SURCHARGE, k, q, rate, _money(q, rate)))
                k += 1
    return Bill(use, base, tuple(lines))


@dataclass(frozen=True)
class ChargeArrays:
    """Columnar charge lines for many holders: row ``i`` belongs to holder index ``holder[i]``."""

    holder: np.ndarray
    kind: np.ndarray  # object array of 'tariff' / 'surcharge'
    band: np.ndarray
    quantity: np.ndarray  # rounded half up to whole units
    rate_ticks: np.ndarray  # rounded half up to whole ticks
    amount_fen: np.ndarray


def _round_div(num: np.ndarray, den: int) -> np.ndarray:
    """Round-half-up division of non-negative int64 numerators by a positive int."""
    return (2 * num + den) // (2 * den)


def bill_many(
    use: np.ndarray,
    base: np.ndarray,
    tariff: BlockTariff | None,
    surcharge: ProgressiveSurcharge | None,
    max_surcharge_bands: int = 10_000,
) -> ChargeArrays:
    """Vectorised :func:`bill` over holders, same lines and same rounding, in int64 arithmetic.

    Raises OverflowError when the exact integer arithmetic would not fit in int64.
    """
    use = np.asarray(use, dtype=np.int64)
    base = np.asarray(base, dtype=np.int64)
    if use.shape != base.shape:
        raise ValueError("use and base must have the same shape")
    if use.size and (use.min() < 0 or base.min() < 0):
        raise ValueError("use and base must not be negative")
    parts: list[tuple] = []
    if tariff is not None:
        lower = np.zeros_like(use)
        for i, rate in enumerate(tariff.rates):
            upper = tariff.edges[i] if i < len(tariff.edges) else None
            top = use if upper is None else np.minimum(use, upper)
            q = np.maximum(top - lower, 0)
            _append(parts, TARIFF, i + 1, q, 1, rate)
            if upper is None:
                break
            lower = np.full_like(use, upper)
    if surcharge is not None:
        excess = np.maximum(use - base, 0)
        over = np.nonzero(excess > 0)[0]
        if over.size:
            w = surcharge.width
            d = w.denominator
            excess_d = excess * d  # excess in 1/d units
            width_d = base * w.numerator  # band width in 1/d units
            zero = width_d == 0
            if zero.any():
                k0 = surcharge.max_band or 1
                q = np.where(zero, excess_d, 0)
                _append(parts, SURCHARGE, k0, q, d, surcharge.rate(k0))
            safe = np.where(zero, 1, width_d)
            n_bands = np.where(zero, 0, -(-excess_d // safe))
            kmax = int(n_bands.max()) if n_bands.size else 0
            if kmax > max_surcharge_bands:
                raise ValueError(f"use exceeds the plan by more than {max_surcharge_bands} surcharge bands")
            for k in range(1, kmax + 1):
                q = np.where(zero, 0, np.minimum(excess_d, k * width_d) - np.minimum(excess_d, (k - 1) * width_d))
                _append(parts, SURCHARGE, k, q, d, surcharge.rate(k))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return ChargeArrays(empty, np.zeros(0, dtype=object), empty, empty, empty, empty)
    holder = np.concatenate([p[0] for p in parts])
    order = np.lexsort((np.concatenate([p[2] for p in parts]), np.concatenate([p[6] for p in parts]), holder))
    return ChargeArrays(
        holder=holder[order],
        kind=np.concatenate([p[1] for p in parts])[order],
        band=np.concatenate([p[2] for p in parts])[order],
        quantity=np.concatenate([p[3] for p in parts])[order],
        rate_ticks=np.concatenate([p[4] for p in parts])[order],
        amount_fen=np.concatenate([p[5] for p in parts])[order],
    )


def _append(parts: list, kind: str, band: int, q_scaled: np.ndarray, q_den: int, rate: Fraction) -> None:
    """Add the non-zero lines of one band: ``q_scaled / q_den`` units at ``rate`` ticks per unit."""
    idx = np.nonzero(q_scaled > 0)[0]
    if not idx.size:
        return
    q = q_scaled[idx]
    big = int(q.max()) * max(rate.numerator, 1)
    if big > np.iinfo(np.int64).max:
        raise OverflowError("charge does not fit in int64")
    den = q_den * rate.denominator * TICKS_PER_FEN
    amount = _round_div(q * rate.numerator, den)
    qty = _round_div(q, q_den)
    rate_ticks = div_round_half_up(rate.numerator, rate.denominator)
    n = idx.size
    parts.append(
        (
            idx.astype(np.int64),
            np.full(n, kind, dtype=object),
            np.full(n, band, dtype=np.int64),
            qty.astype(np.int64),
            np.full(n, rate_ticks, dtype=np.int64),
            amount.astype(np.int64),
            np.full(n, 0 if kind == TARIFF else 1, dtype=np.int64),
        )
    )
