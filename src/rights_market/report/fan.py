"""Fan charts: one indicator per year for several variants, each a median line in a band of its runs.

Every variant has its own colour, line style and marker (:func:`line_style`), and the first is drawn widest
and beneath the others, so a variant identical to the baseline shows as a dashed line over it instead of
hiding it.

Drawn like the other report figures (:mod:`rights_market.report.figures`: Agg canvas, fixed style and size,
deterministic PNG bytes, Chinese labels with the bundled font). The data is already aggregated by
:func:`rights_market.compare.stats.bands`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from .figures import (
    _colors,
    _legend,
    _new_figure,
    _number_formatter,
    _png,
    _scaled_unit,
    _style,
    _year_axis,
    axis_scale,
)
from .labels import Labels

__all__ = ["fan_figure", "line_style"]

_DASHES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def line_style(i: int) -> dict[str, object]:
    """Line style and marker of the ``i``-th variant (0: the baseline, solid, widest)."""
    return {"linestyle": _DASHES[i % len(_DASHES)], "marker": _MARKERS[i % len(_MARKERS)],
            "linewidth": 3.0 if i == 0 else 1.8, "markersize": 5.5 if i == 0 else 4.0, "zorder": 2 + i}


def fan_figure(bands: pd.DataFrame, groups: Sequence[str], *, L: Labels, metric: str, unit: str,
               band_key: str, title: str, band_label: Callable[[str, int], str] | None = None,
               first_style: int = 0, zero_line: bool = False) -> bytes | None:
    """PNG of ``metric`` over the years: for each group (in order) the median line and, where a group has
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
    unit_text = _scaled_unit(L, power, L.unit(unit)) if unit not in ("1", "") else ""
    with _style(L.lang):
        fig, ax = _new_figure()
        colors = _colors(len(groups) + first_style)[first_style:]
        years: set[int] = set()
        if zero_line:
            ax.axhline(0.0, color="0.55", linewidth=1.0, zorder=1)
        for i, (label, color) in enumerate(zip(groups, colors, strict=True)):
            d = data[data["group"] == label].sort_values("year")
            if d.empty:
                continue
            xs = d["year"].astype(int).tolist()
            years.update(xs)
            n = int(d["n"].max())
            if n > 1:
                text = band_label(label, n) if band_label is not None else L(band_key, label=label, n=n)
                ax.fill_between(xs, d["low"].astype(float), d["high"].astype(float), color=color, alpha=0.18,
                                linewidth=0, label=text)
            ax.plot(xs, d["median"].astype(float), color=color, label=label, **line_style(i + first_style))
        ax.set_title(title)
        ax.set_xlabel(L("fig.year"))
        name = L.metric(metric)
        ax.set_ylabel(L("col.metric_unit", metric=name, unit=unit_text) if unit_text else name)
        ax.yaxis.set_major_formatter(_number_formatter(power))
        _year_axis(ax, sorted(years))
        _legend(fig)
        return _png(fig)
