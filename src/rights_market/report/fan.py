"""Fan charts: one indicator per year for several variants, each a median line in a 5–95 % band.

Drawn like the other report figures (:mod:`rights_market.report.figures`: Agg canvas, fixed style and size,
deterministic PNG bytes, Chinese labels with the bundled font). The data is already aggregated by
:func:`rights_market.compare.stats.bands`.
"""

from __future__ import annotations

from collections.abc import Sequence

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

__all__ = ["fan_figure"]


def fan_figure(bands: pd.DataFrame, groups: Sequence[str], *, L: Labels, metric: str, unit: str,
               band_key: str, title: str) -> bytes | None:
    """PNG of ``metric`` over the years: for each group (in order) the median line and, where a group has
    several runs, a shaded band between its 5 % and 95 % values.

    ``bands``: rows of one right and metric with columns ``group``, ``year``, ``n``, ``median``, ``low``,
    ``high``. ``band_key``: label key for the band's legend entry (``{label}`` filled in).
    """
    data = bands[bands["group"].isin(groups)]
    if data.empty or data["median"].isna().all():
        return None
    peak = float(pd.concat([data["median"], data["high"], data["low"]]).abs().max())
    power = axis_scale(peak, L.lang) if unit not in ("1", "") else 0
    unit_text = _scaled_unit(L, power, L.unit(unit)) if unit not in ("1", "") else ""
    with _style(L.lang):
        fig, ax = _new_figure()
        colors = _colors(len(groups))
        years: set[int] = set()
        for label, color in zip(groups, colors, strict=True):
            d = data[data["group"] == label].sort_values("year")
            if d.empty:
                continue
            xs = d["year"].astype(int).tolist()
            years.update(xs)
            if int(d["n"].max()) > 1:
                ax.fill_between(xs, d["low"].astype(float), d["high"].astype(float), color=color, alpha=0.18,
                                linewidth=0, label=L(band_key, label=label))
            ax.plot(xs, d["median"].astype(float), color=color, linewidth=2.0, marker="o", markersize=3.5,
                    label=label)
        ax.set_title(title)
        ax.set_xlabel(L("fig.year"))
        name = L.metric(metric)
        ax.set_ylabel(L("col.metric_unit", metric=name, unit=unit_text) if unit_text else name)
        ax.yaxis.set_major_formatter(_number_formatter(power))
        _year_axis(ax, sorted(years))
        _legend(fig)
        return _png(fig)
