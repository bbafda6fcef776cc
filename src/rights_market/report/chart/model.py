"""What a chart shows, as plain immutable data: series on panels, axes, a legend (no drawing here).

Coordinates are data values (years as fractional calendar years, money in shown units); sizes are CSS pixels
of the SVG (a figure is 800 px wide, as the 8-inch, 100-dpi figures before it). Line widths and dot sizes
are in pixels too. Colours are CSS colour strings. Every sequence is a tuple, so a chart can be hashed and
compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Width of every figure (px).
WIDTH = 800
#: Height of a one-panel figure (px).
HEIGHT = 480

#: Dash patterns by matplotlib's names, in multiples of the line width (its own scaled dashes).
DASHES: dict[str, tuple[float, ...]] = {"-": (), "--": (3.7, 1.6), ":": (1.0, 1.65), "-.": (6.4, 1.6, 1.0, 1.6)}
#: Marker names understood by :class:`Line` (matplotlib's letters): circle, square, triangles, diamond, plus,
#: cross, star.
MARKERS = ("o", "s", "^", "v", "D", "P", "X", "*")


@dataclass(frozen=True)
class Points:
    """Dots at ``(xs[i], ys[i])``: ``size`` is the diameter (px); ``alpha`` the opacity of one dot (dots on
    the same spot add up, so density shows)."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    color: str
    size: float = 4.0
    alpha: float = 1.0
    label: str = ""


@dataclass(frozen=True)
class Line:
    """A polyline through the points (``step``: held at each value until the next x, as matplotlib's
    ``where="post"``), with an optional marker at each point; ``dash`` one of :data:`DASHES`."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    color: str
    width: float = 2.0
    dash: str = "-"
    step: bool = False
    marker: str = ""
    marker_size: float = 0.0
    label: str = ""
    right_axis: bool = False


@dataclass(frozen=True)
class Bars:
    """Vertical bars centred on ``xs``, ``width`` in x units, from ``bottoms`` (zero when empty) up by
    ``heights``: stacked bars are several :class:`Bars` with the running tops as bottoms."""

    xs: tuple[float, ...]
    heights: tuple[float, ...]
    color: str
    width: float = 0.7
    bottoms: tuple[float, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class HBars:
    """Horizontal bars at category positions ``ys`` (0 at the top category), ``height`` in category units,
    from 0 to ``lengths``, with error bars of half-width ``errors`` (none when empty)."""

    ys: tuple[float, ...]
    lengths: tuple[float, ...]
    color: str
    height: float = 0.8
    errors: tuple[float, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class Band:
    """The area between ``lows`` and ``highs`` over ``xs`` (``step``: held until the next x), shaded with
    ``color`` at ``alpha``; ``edge_dash``: also draw both edges with this dash (none when empty)."""

    xs: tuple[float, ...]
    lows: tuple[float, ...]
    highs: tuple[float, ...]
    color: str
    alpha: float = 0.18
    step: bool = False
    edge_dash: str = ""
    label: str = ""


@dataclass(frozen=True)
class HLine:
    """A horizontal line across the panel at ``y``."""

    y: float
    color: str = "#8c8c8c"
    width: float = 1.4


Series = Points | Line | Bars | HBars | Band | HLine


@dataclass(frozen=True)
class Axis:
    """One axis. ``kind``: ``"number"`` (values divided by ``10**power``, thousands separated), ``"price"``
    (up to four decimals), ``"year"`` (integers; a tick at each year of ``ticks`` when given and at most
    ``most`` of them) or ``"category"`` (``categories`` at 0, 1, 2 … from the top). ``limits``: the range shown (an end
    given as ``None`` is the data's), else the data's with a margin (and 0 for bars). ``tick_labels``: whether tick labels are written (panels
    sharing the x axis write them on the bottom panel only)."""

    label: str = ""
    kind: str = "number"
    power: int = 0
    limits: tuple[float | None, float | None] | None = None
    ticks: tuple[float, ...] | None = None
    most: int = 20
    categories: tuple[str, ...] = ()
    tick_labels: bool = True
    color: str = "#000000"


@dataclass(frozen=True)
class Panel:
    """One plot area: its series (drawn in order), x and y axes, an optional title, and an optional second y
    axis on the right (for the series with ``right_axis``)."""

    series: tuple[Series, ...]
    x: Axis = field(default_factory=Axis)
    y: Axis = field(default_factory=Axis)
    title: str = ""
    y2: Axis | None = None


@dataclass(frozen=True)
class LegendEntry:
    """One legend entry: ``kind`` ``"patch"`` (a filled square), ``"line"`` (with ``dash``, ``width`` and
    ``marker``), ``"dot"`` or ``"band"`` (a pale square with an edge)."""

    label: str
    color: str
    kind: str = "patch"
    dash: str = "-"
    width: float = 2.0
    marker: str = ""
    alpha: float = 1.0


@dataclass(frozen=True)
class Chart:
    """A figure: panels in a grid of ``cols`` columns (row by row), a title above them, a legend below.

    ``legend``: the entries, or ``None`` to take one from every labelled series in order (as matplotlib's
    figure legend). ``height``: px (width is :data:`WIDTH`)."""

    panels: tuple[Panel, ...]
    title: str = ""
    cols: int = 1
    height: float = HEIGHT
    legend: tuple[LegendEntry, ...] | None = None
    width: float = WIDTH


def legend_of(series: Series) -> LegendEntry | None:
    """The legend entry a labelled series gets by default (``None`` for an unlabelled one)."""
    label = getattr(series, "label", "")
    if not label:
        return None
    if isinstance(series, Points):
        return LegendEntry(label, series.color, "dot")
    if isinstance(series, Line):
        return LegendEntry(label, series.color, "line", series.dash, series.width, series.marker)
    if isinstance(series, Band):
        return LegendEntry(label, series.color, "band", series.edge_dash or "-", alpha=series.alpha)
    return LegendEntry(label, series.color, "patch")
