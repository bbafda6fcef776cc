"""What the report's figures share: colours, axis units with their scale, per-year step lines.

The figures themselves are :class:`~rights_market.report.chart.Chart` descriptions
(:mod:`rights_market.report.figures`, :mod:`rights_market.report.fan`), drawn as SVG by
:func:`rights_market.report.chart.render` (:func:`svg`).
"""

from __future__ import annotations

import math

import pandas as pd

from .chart import Chart, Line, render
from .chart.ticks import axis_scale
from .labels import Labels

__all__ = ["BAR_WIDTH", "axis_scale", "colors", "pt", "scaled_unit", "sequential", "step_years", "svg"]

#: Width of a year's bar, in years.
BAR_WIDTH = 0.7
#: matplotlib's default colour cycle ("tab10"), kept so the figures keep their colours.
_CYCLE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
          "#17becf")
#: ColorBrewer's 9-class "YlOrRd" (light yellow to dark red), for ordered classes such as surcharge bands.
_YL_OR_RD = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026")


def pt(points: float) -> float:
    """Pixels of a length given in points (1/72 in) at the figures' 100 px per inch."""
    return points * 100.0 / 72.0


def colors(n: int) -> list[str]:
    """The first ``n`` colours of the cycle (repeating after ten)."""
    return [_CYCLE[i % len(_CYCLE)] for i in range(n)]


def sequential(t: float) -> str:
    """The colour at ``t`` (0..1) of the YlOrRd scale, interpolated between its nine classes."""
    t = min(max(t, 0.0), 1.0) * (len(_YL_OR_RD) - 1)
    i = min(int(math.floor(t)), len(_YL_OR_RD) - 2)
    f = t - i
    a, b = _YL_OR_RD[i], _YL_OR_RD[i + 1]
    rgb = [round(int(a[k:k + 2], 16) * (1 - f) + int(b[k:k + 2], 16) * f) for k in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def scaled_unit(L: Labels, power: int, unit_text: str) -> str:
    """``unit_text`` with the scale ``10**power`` named ("million m³", "万元")."""
    if power == 0:
        return unit_text
    return L("scale.unit", scale=L(f"scale.{power}"), unit=unit_text)


def step_years(series: pd.Series, **style: object) -> Line | None:
    """A per-year value as a horizontal segment across each year (a step line); ``None`` if all missing."""
    series = series.dropna().sort_index()
    if series.empty:
        return None
    xs = (*(float(y) for y in series.index), float(series.index[-1]) + 1.0)
    ys = (*(float(v) for v in series.to_numpy()), float(series.iloc[-1]))
    return Line(xs, ys, step=True, **style)


def svg(chart: Chart | None) -> str | None:
    """The SVG of ``chart`` (``None`` for no chart)."""
    return None if chart is None else render(chart).svg
