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

The surcharge bands form an arithmetic series (full bands hold the same water at rates rising by one step),
so their money is summed in closed form (:meth:`SurchargeBands.fen`), equal to the band-by-band sum of
rounded lines: a use 200,000 bands over plan costs no more than one 3 bands over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import overload

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
class SurchargeBands(Sequence[ChargeLine]):
    """The surcharge lines of one bill (rules W8, W9), made on demand: ``len`` is the number of bands.

    ``excess`` is the use above the base; ``width`` the exact band width (``surcharge.width`` × base), 0
    for a base of 0. Indexing gives band ``i + 1``'s line; :meth:`fen` sums any range of bands in closed
    form, so a bill far over its plan costs O(log bands), not O(bands), and equals the band-by-band sum.
    """

    excess: Fraction
    width: Fraction
    surcharge: ProgressiveSurcharge

    def __len__(self) -> int:
        if self.excess <= 0:
            return 0
        if self.width == 0:
            return 1
        return -(-self.excess // self.width)

    @overload
    def __getitem__(self, index: int) -> ChargeLine: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[ChargeLine, ...]: ...

    def __getitem__(self, index):
        n = len(self)
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(n)))
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("surcharge band out of range")
        if self.width == 0:
            k = zero_plan_band(self.surcharge)
            rate = self.surcharge.rate(k)
            return ChargeLine(SURCHARGE, k, self.excess, rate, _money(self.excess, rate))
        k = index + 1
        q = min(self.excess, k * self.width) - (k - 1) * self.width
        rate = self.surcharge.rate(k)
        return ChargeLine(SURCHARGE, k, q, rate, _money(q, rate))

    def quantity(self, first: int = 1, last: int | None = None) -> Fraction:
        """Exact quantity in bands ``first`` to ``last`` (1-based, inclusive; None: the last band)."""
        n = len(self)
        last = n if last is None else min(last, n)
        if first > last:
            return Fraction(0)
        if self.width == 0:
            return self.excess
        return min(self.excess, last * self.width) - (first - 1) * self.width

    def fen(self, first: int = 1, last: int | None = None) -> int:
        """Money (fen) of bands ``first`` to ``last`` (1-based, inclusive; None: the last band), in closed form.

        Equal to the sum of those bands' lines, each rounded half up to the fen: every full band holds
        ``width`` units, so band k's money is ``round(k × c)`` with ``c = width × step × price``, and the sum
        of ``floor(k × a / m + b)`` over a range of k is a floor sum (:func:`floor_sum`). Bands past
        ``max_band`` all pay the same, and the last band may be partial.
        """
        n = len(self)
        last = n if last is None else min(last, n)
        first = max(first, 1)
        if first > last:
            return 0
        if self.width == 0:
            return self[0].amount_fen
        full = min(last, self.excess // self.width)  # bands 1..full hold `width` units each
        total = 0
        if last > full:  # the partial last band
            total += self[last - 1].amount_fen
        cap = self.surcharge.max_band
        lo, hi = first, full if cap is None else min(full, cap)
        if lo <= hi:
            total += _rising_bands_fen(self.width * self.surcharge.step * self.surcharge.reference_price, lo, hi)
        if cap is not None:
            lo = max(first, cap + 1)
            if lo <= full:
                total += (full - lo + 1) * _money(self.width, self.surcharge.rate(cap))
        return total


def zero_plan_band(surcharge: ProgressiveSurcharge) -> int:
    """Rule W9 with a plan (or quota) of 0: the band whose rate all the use pays — see :func:`bill`."""
    return surcharge.max_band or 1


def _rising_bands_fen(per_band: Fraction, lo: int, hi: int) -> int:
    """Sum over k = lo..hi of ``k × per_band`` ticks rounded half up to the fen (``per_band`` ≥ 0)."""
    c = per_band / TICKS_PER_FEN
    p, q = c.numerator, c.denominator
    # round_half_up(k p / q) = floor((2 p k + q) / (2 q)); with k = lo + i, i = 0 .. hi - lo
    return floor_sum(hi - lo + 1, 2 * q, 2 * p, 2 * p * lo + q)


def floor_sum(n: int, m: int, a: int, b: int) -> int:
    """Sum over i = 0..n−1 of floor((a·i + b) / m), for n ≥ 0, m ≥ 1, a ≥ 0, b ≥ 0, in O(log) steps.

    The Euclid-like reduction of the lattice-point count (as in the AtCoder Library); exact integers."""
    if n < 0 or m < 1 or a < 0 or b < 0:
        raise ValueError("floor_sum needs n ≥ 0, m ≥ 1, a ≥ 0, b ≥ 0")
    total = 0
    while True:
        if a >= m:
            total += (n - 1) * n // 2 * (a // m)
            a %= m
        if b >= m:
            total += n * (b // m)
            b %= m
        y_max = a * n + b
        if y_max < m:
            return total
        n, b = divmod(y_max, m)
        m, a = a, m


@dataclass(frozen=True)
class Bill:
    """All lines of one holder's bill for one period, and their total in fen.

    ``tariff_lines`` are few (one per block); ``surcharge_lines`` may be millions of bands, made on demand.
    """

    use: int
    base: int
    tariff_lines: tuple[ChargeLine, ...]
    surcharge_lines: SurchargeBands | tuple[ChargeLine, ...] = ()

    @property
    def lines(self) -> Sequence[ChargeLine]:
        """Every line, tariff lines first; iterating the surcharge bands one by one is O(bands)."""
        return _Chain(self.tariff_lines, self.surcharge_lines)

    @property
    def total_fen(self) -> int:
        return self.total_of(TARIFF) + self.total_of(SURCHARGE)

    def total_of(self, kind: str) -> int:
        if kind == TARIFF:
            return sum(line.amount_fen for line in self.tariff_lines)
        if kind == SURCHARGE:
            s = self.surcharge_lines
            return s.fen() if isinstance(s, SurchargeBands) else sum(line.amount_fen for line in s)
        return 0


@dataclass(frozen=True)
class _Chain(Sequence[ChargeLine]):
    head: Sequence[ChargeLine]
    tail: Sequence[ChargeLine]

    def __len__(self) -> int:
        return len(self.head) + len(self.tail)

    def __getitem__(self, index):
        n = len(self)
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(n)))
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("bill line out of range")
        h = len(self.head)
        return self.head[index] if index < h else self.tail[index - h]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _money(quantity: Fraction, rate: Fraction) -> int:
    value = quantity * rate
    return div_round_half_up(value.numerator, value.denominator * TICKS_PER_FEN)


def bill(use: int, base: int, tariff: BlockTariff | None, surcharge: ProgressiveSurcharge | None) -> Bill:
    """Exact bill for ``use`` base units against a plan or quota of ``base`` units (rules W8, W9).

    Lines with zero quantity are left out. ``use`` and ``base`` must not be negative. The surcharge lines
    are a :class:`SurchargeBands`: the bill's totals are in closed form whatever the number of bands.

    **A plan (or quota) of 0** (rule W9, [W §二(三)7]: "实际用水每超过用水计划量的 10%, 超过量按 …
    50% 累进加价"). All the use is over plan, but the plan text measures the bands in tenths of the plan,
    so a plan of 0 has no band edges and the text cannot place the excess in bands. The simulator charges
    all of it at one rate, in one line:

    * bands capped at ``max_band``: the cap's rate — what every band past the cap pays, and what bands
      narrowing to zero width tend to;
    * uncapped (as in the plan): band 1's rate (+50 % of the supply price with the plan's values) — the
      narrowing limit is unbounded, so the one mark-up any over-plan use certainly owes is charged.
      A scenario that wants zero plans to pay more sets ``max_band``.
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
    bands: SurchargeBands | tuple[ChargeLine, ...] = ()
    if surcharge is not None and use > base:
        bands = SurchargeBands(Fraction(use - base), surcharge.width * base, surcharge)
    return Bill(use, base, tuple(lines), bands)


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


#: surcharge bands the engine records one row each, per holder and period; bands past it share one row
BAND_ROWS = 100


def bill_many(
    use: np.ndarray,
    base: np.ndarray,
    tariff: BlockTariff | None,
    surcharge: ProgressiveSurcharge | None,
    band_rows: int = BAND_ROWS,
) -> ChargeArrays:
    """Vectorised :func:`bill` over holders, same lines and same rounding, in int64 arithmetic.

    Surcharge bands 1 to ``band_rows`` are one line each, as in :func:`bill`. A holder more than
    ``band_rows`` bands over its base gets one more line for all its bands from ``band_rows + 1`` on: band
    ``band_rows + 1``, their quantity, their money (the sum of their rounded lines, in closed form) and
    their mean rate (money ÷ quantity, whole ticks). The cost is O(holders × ``band_rows``), whatever the
    excess. Raises OverflowError when the exact integer arithmetic would not fit in int64.
    """
    if band_rows < 1:
        raise ValueError("band_rows must be at least 1")
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
                k0 = zero_plan_band(surcharge)
                q = np.where(zero, excess_d, 0)
                _append(parts, SURCHARGE, k0, q, d, surcharge.rate(k0))
            safe = np.where(zero, 1, width_d)
            n_bands = np.where(zero, 0, -(-excess_d // safe))
            kmax = min(int(n_bands.max()), band_rows)
            for k in range(1, kmax + 1):
                q = np.where(zero, 0, np.minimum(excess_d, k * width_d) - np.minimum(excess_d, (k - 1) * width_d))
                _append(parts, SURCHARGE, k, q, d, surcharge.rate(k))
            far = np.nonzero(n_bands > band_rows)[0]
            if far.size:
                parts.append(_tail_lines(far, excess[far], base[far], surcharge, band_rows))
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


def _tail_lines(idx: np.ndarray, excess: np.ndarray, base: np.ndarray, surcharge: ProgressiveSurcharge,
                band_rows: int) -> tuple:
    """One line per holder for its bands past ``band_rows`` (closed form, O(log bands) each)."""
    first = band_rows + 1
    qty, rate, amount = [], [], []
    limit = int(np.iinfo(np.int64).max)
    for e, b in zip(excess.tolist(), base.tolist(), strict=True):
        bands = SurchargeBands(Fraction(e), surcharge.width * b, surcharge)
        q = bands.quantity(first)
        fen = bands.fen(first)
        if fen > limit:
            raise OverflowError("charge does not fit in int64")
        qty.append(div_round_half_up(q.numerator, q.denominator))
        mean = fen * TICKS_PER_FEN / q
        rate.append(div_round_half_up(mean.numerator, mean.denominator))
        amount.append(fen)
    n = idx.size
    return (
        idx.astype(np.int64),
        np.full(n, SURCHARGE, dtype=object),
        np.full(n, first, dtype=np.int64),
        np.array(qty, dtype=np.int64),
        np.array(rate, dtype=np.int64),
        np.array(amount, dtype=np.int64),
        np.ones(n, dtype=np.int64),
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
