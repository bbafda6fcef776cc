"""Fan charts: one indicator per year for several variants, each a median line in a band of its runs.

Every variant has its own colour, line style and marker (:func:`line_style`), and the first is drawn widest
and beneath the others, so a variant identical to the baseline shows as a dashed line over it instead of
hiding it. Bands are drawn beneath every line.

A chart like the other report figures (:mod:`rights_market.report.figures`), drawn as SVG by
:func:`rights_market.report.figure_base.svg`. The data is already aggregated by
:func:`rights_market.compare.stats.bands`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from .chart import Axis, Band, Chart, HLine, LegendEntry, Line, Panel
from .figure_base import axis_scale, colors, pt, scaled_unit
from .labels import Labels

__all__ = ["fan_figure", "line_style"]

_DASHES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def line_style(i: int) -> dict[str, object]:
    """Line style and marker of the ``i``-th variant (0: the baseline, solid, widest), widths in px."""
    return {"dash": _DASHES[i % len(_DASHES)], "marker": _MARKERS[i % len(_MARKERS)],
            "width": pt(3.0 if i == 0 else 1.8), "marker_size": pt(5.5 if i == 0 else 4.0)}


def fan_figure(bands: pd.DataFrame, groups: Sequence[str], *, L: Labels, metric: str, unit: str,
               band_key: str, title: str, band_label: Callable[[str, int], str] | None = None,
               first_style: int = 0, zero_line: bool = False) -> Chart | None:
    """``metric`` over the years: for each group (in order) the median line and, where a group has
    several runs, a shaded band between its ``low`` and ``high`` values.

    ``bands``: rows of one right and metric with columns ``group``, ``year``, ``n``, ``median``, ``low``,
    ``high``. ``band_key``: label key for the band's legend entry (``{label}`` and ``{n}`` filled in), or
    ``band_label(label, n)`` when given. ``first_style``: the colour and line style of the first group is that
    of variant ``first_style`` (a figure of the variants only keeps their styles). ``zero_line``: a grey line
    at 0 (differences).
    """
    data = bands[bands["group"].isin(groups)]
    if data.empty or data["median"].isna().all():
        return None
    peak = float(pd.concat([data["median"], data["high"], data["low"]]).abs().max())
    power = axis_scale(peak, L.lang) if unit not in ("1", "") else 0
    unit_text = scaled_unit(L, power, L.unit(unit)) if unit not in ("1", "") else ""
    palette = colors(len(groups) + first_style)[first_style:]
    years: set[int] = set()
    shades: list[Band] = []
    lines: list[Line] = []
    legend: list[LegendEntry] = []
    for i, (label, color) in enumerate(zip(groups, palette, strict=True)):
        d = data[data["group"] == label].sort_values("year")
        if d.empty:
            continue
        xs = tuple(float(y) for y in d["year"].astype(int))
        years.update(int(x) for x in xs)
        n = int(d["n"].max())
        if n > 1:
            text = band_label(label, n) if band_label is not None else L(band_key, label=label, n=n)
            shades.append(Band(xs, tuple(d["low"].astype(float)), tuple(d["high"].astype(float)), color, 0.18,
                               label=text))
            legend.append(LegendEntry(text, color, "band", alpha=0.18))
        style = line_style(i + first_style)
        line = Line(xs, tuple(d["median"].astype(float)), color, label=label, **style)
        lines.append(line)
        legend.append(LegendEntry(label, color, "line", line.dash, line.width, line.marker))
    name = L.metric(metric)
    ylabel = L("col.metric_unit", metric=name, unit=unit_text) if unit_text else name
    zero = (HLine(0.0),) if zero_line else ()
    x = Axis(L("fig.year"), "year", ticks=tuple(float(y) for y in sorted(years)))
    panel = Panel((*zero, *shades, *lines), x=x, y=Axis(ylabel, "number", power))
    return Chart((panel,), title, legend=tuple(legend))
