"""Axis ranges, tick positions and tick texts of the charts (pure functions).

Ticks are "nice" numbers (1, 2, 2.5 or 5 times a power of ten, as matplotlib's ``MaxNLocator``); numbers are
written with thousands separators and at most two decimals after division by ``10**power`` (the axis label
then names the scale, :func:`axis_scale`), prices with up to four decimals, years as integers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

#: Powers of ten used to shorten axis numbers, per language (largest first), each with the value from which
#: it is used (English: thousands from 10,000 on, so 1,500 stays 1,500; Chinese: 万 and 亿).
_SCALES: Mapping[str, tuple[tuple[int, float], ...]] = {
    "en": ((9, 1e9), (6, 1e6), (3, 1e4)),
    "zh": ((8, 1e8), (4, 1e4)),
}
_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
#: Share of the data range added on each side of an axis that is not pinned (as matplotlib's margins).
MARGIN = 0.05


def axis_scale(max_abs: float, lang: str) -> int:
    """Power of ten to divide axis values by (0 = none), chosen so the largest tick stays readable."""
    if not math.isfinite(max_abs) or max_abs <= 0:
        return 0
    for power, threshold in _SCALES.get(lang, _SCALES["en"]):
        if max_abs >= threshold:
            return power
    return 0


def padded(lo: float, hi: float, *, pin_low: bool = False, pin_high: bool = False) -> tuple[float, float]:
    """The range ``[lo, hi]`` with :data:`MARGIN` added on each side not pinned; a point becomes a unit range."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return 0.0, 1.0
    if hi <= lo:
        half = abs(lo) * 0.05 or 0.5
        return (lo if pin_low else lo - half), (hi if pin_high else hi + half)
    span = hi - lo
    return (lo if pin_low else lo - MARGIN * span), (hi if pin_high else hi + MARGIN * span)


def nice_ticks(lo: float, hi: float, most: int) -> list[float]:
    """At most ``most`` (at least 2) evenly spaced nice numbers inside ``[lo, hi]``, as many as fit."""
    most = max(most, 2)
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        return [lo]
    raw = span / most
    power = 10.0 ** math.floor(math.log10(raw))
    for step_unit in _STEPS:
        step = step_unit * power
        first = math.ceil(lo / step - 1e-9)
        last = math.floor(hi / step + 1e-9)
        if last - first + 1 <= most + 1:
            return [_clean(k * step) for k in range(first, last + 1)]
    return [lo, hi]


def _clean(v: float) -> float:
    """``v`` rounded to 12 significant digits (so 0.1 * 3 is written 0.3), and never -0."""
    r = float(f"{v:.12g}")
    return 0.0 if r == 0 else r


def year_ticks(lo: float, hi: float, years: Sequence[float] | None, most: int) -> list[float]:
    """A tick at each of ``years`` if given and at most ``most`` of them, else at most ``most`` nice integers."""
    if years is not None and 0 < len(years) <= most:
        return [float(y) for y in years]
    step = 1
    ticks = list(range(math.ceil(lo), math.floor(hi) + 1))
    while len(ticks) > max(most, 2):
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if s > step)
        ticks = [t for t in range(math.ceil(lo / step) * step, math.floor(hi) + 1, step)]
    return [float(t) for t in ticks]


def number_text(value: float, power: int = 0, decimals: int = 2) -> str:
    """``value / 10**power`` with thousands separators and at most ``decimals`` decimals (1,500; 2.5; -0.75)."""
    v = value / 10.0**power
    if abs(v - round(v)) < 1e-9:
        return f"{round(v):,}"
    return f"{v:,.{decimals}f}".rstrip("0").rstrip(".")


def price_text(value: float, decimals: int = 4) -> str:
    """A price on an axis: thousands separators, up to ``decimals`` decimals (0.0305, 1.5, 30,000)."""
    return number_text(value, 0, decimals)


def tick_text(value: float, kind: str, power: int = 0, decimals: int | None = None) -> str:
    """The text of a tick at ``value`` on an axis of ``kind`` (see :class:`~.model.Axis`); ``decimals``: at most
    so many (by default two for numbers, four for prices)."""
    if kind == "year":
        return f"{int(round(value))}"
    if kind == "price":
        return price_text(value, 4 if decimals is None else decimals)
    return number_text(value, power, 2 if decimals is None else decimals)


def tick_texts(ticks: list[float], kind: str, power: int = 0) -> list[str]:
    """The texts of ``ticks``, with as many decimals as it takes to write each exactly (ticks 0.0025 apart
    are written 0.0025, 0.005, not all 0.01), and at least as many as :func:`tick_text` allows."""
    if kind not in ("number", "price"):
        return [tick_text(t, kind, power) for t in ticks]
    scale = 10.0**power
    decimals = 2 if kind == "number" else 4
    while decimals < 12 and any(abs(t / scale - round(t / scale, decimals)) > 1e-9 * max(1.0, abs(t / scale))
                                for t in ticks):
        decimals += 1
    return [tick_text(t, kind, power, decimals) for t in ticks]
