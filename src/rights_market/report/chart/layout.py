"""Where everything of a chart goes: the title, each panel's plot box, ranges and ticks, the legend.

Pure functions of a :class:`~.model.Chart`: the margins come from the estimated widths of the chart's own
texts (:mod:`.text`), so long labels and wide numbers get the room they need; panels in the same column share
their left and right margins and panels in the same row their top and bottom ones, so axes line up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from . import text as tx
from .model import Axis, Band, Bars, Chart, HBars, HLine, LegendEntry, Line, Panel, Points, legend_of
from .ticks import nice_ticks, padded, tick_texts, year_ticks

# Font sizes (px) and distances (px).
TITLE, PANEL_TITLE, LABEL, TICK, LEGEND = 15.0, 13.0, 12.5, 12.0, 11.0
TICK_LEN, TICK_PAD, EDGE = 4.9, 3.5, 8.0
#: Legend geometry: handle width, gap to the text, gap between columns, the legend's top padding.
HANDLE, HANDLE_GAP, COLUMN_GAP, LEGEND_TOP = 24.0, 6.0, 18.0, 10.0


@dataclass(frozen=True)
class AxisFrame:
    """A laid-out axis: the data range shown, tick positions and texts, and the label's lines and size."""

    lo: float
    hi: float
    ticks: tuple[float, ...]
    texts: tuple[str, ...]
    label: tuple[str, ...]
    label_size: float
    spec: Axis


@dataclass(frozen=True)
class PanelFrame:
    """A laid-out panel: the plot box (px: left, top, right, bottom), its axes and its title lines."""

    panel: Panel
    box: tuple[float, float, float, float]
    x: AxisFrame
    y: AxisFrame
    y2: AxisFrame | None
    title: tuple[str, ...]


@dataclass(frozen=True)
class LegendItem:
    """One placed legend entry: its handle's left edge and the text's lines, top of its row."""

    entry: LegendEntry
    x: float
    top: float
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    title: tuple[str, ...]
    panels: tuple[PanelFrame, ...]
    legend: tuple[LegendItem, ...]


# --------------------------------------------------------------------------------------------- ranges
def _x_extent(panel: Panel) -> tuple[float, float, bool]:
    """Smallest and largest x of the panel's data (bar edges included), and whether 0 pins the low end."""
    lo, hi, pin = math.inf, -math.inf, False
    for s in panel.series:
        if isinstance(s, (Points, Line, Band)):
            vals = [v for v in s.xs if math.isfinite(v)]
        elif isinstance(s, Bars):
            vals = [v - s.width / 2 for v in s.xs] + [v + s.width / 2 for v in s.xs]
        elif isinstance(s, HBars):
            errs = s.errors or (0.0,) * len(s.lengths)
            vals = [0.0] + [v + e for v, e in zip(s.lengths, errs, strict=True)]
            pin = True
        else:
            continue
        if vals:
            lo, hi = min(lo, min(vals)), max(hi, max(vals))
    return lo, hi, pin


def _y_extent(panel: Panel, right: bool) -> tuple[float, float, bool]:
    """Smallest and largest y of the panel's series on one side, and whether 0 pins an end (bars, bands)."""
    lo, hi, pin = math.inf, -math.inf, False
    for s in panel.series:
        if getattr(s, "right_axis", False) != right:
            continue
        if isinstance(s, (Points, Line)):
            vals = list(s.ys)
        elif isinstance(s, Bars):
            bottoms = s.bottoms or (0.0,) * len(s.heights)
            vals = [*bottoms, *(b + h for b, h in zip(bottoms, s.heights, strict=True))]
            pin = True
        elif isinstance(s, Band):
            vals = [*s.lows, *s.highs]
        elif isinstance(s, HLine):
            vals = [s.y]
        else:
            continue
        vals = [v for v in vals if math.isfinite(v)]
        if vals:
            lo, hi = min(lo, min(vals)), max(hi, max(vals))
    return lo, hi, pin


def _range(spec: Axis, lo: float, hi: float, pin_zero: bool) -> tuple[float, float]:
    if spec.kind == "category":
        return -0.5, len(spec.categories) - 0.5
    pin_low = pin_zero and lo >= 0
    pin_high = pin_zero and hi <= 0
    if pin_low:
        lo = 0.0
    if pin_high:
        hi = 0.0
    auto_lo, auto_hi = padded(lo, hi, pin_low=pin_low, pin_high=pin_high)
    want_lo, want_hi = spec.limits if spec.limits is not None else (None, None)
    return (auto_lo if want_lo is None else want_lo), (auto_hi if want_hi is None else want_hi)


# --------------------------------------------------------------------------------------------- ticks
def _ticks(spec: Axis, lo: float, hi: float, length: float, horizontal: bool) -> tuple[list[float], list[str]]:
    """Tick positions and texts that fit ``length`` px without overlapping."""
    if spec.kind == "category":
        return [float(i) for i in range(len(spec.categories))], list(spec.categories)
    # room per tick: a line of text upright; a year, or a number of a few digits, across
    per_tick = 42.0 if not horizontal else (tx.width("0000", TICK) + 14.0 if spec.kind == "year" else 70.0)
    most = max(2, int(length / per_tick))
    if spec.kind == "year":
        most = min(most if spec.ticks is None else max(most, len(spec.ticks)), spec.most)
    for _ in range(8):
        ticks = year_ticks(lo, hi, spec.ticks, most) if spec.kind == "year" else nice_ticks(lo, hi, most)
        texts = tick_texts(ticks, spec.kind, spec.power)
        if not horizontal or len(ticks) < 2:
            return ticks, texts
        gap = length * (ticks[1] - ticks[0]) / (hi - lo) if hi > lo else length
        widest = max(tx.width(t, TICK) for t in texts)
        if widest + 8.0 <= gap:
            return ticks, texts
        most = max(2, min(most - 1, int(length / (widest + 8.0))))
        spec = replace(spec, ticks=None) if spec.kind == "year" else spec
    return ticks, texts


def _axis(spec: Axis, lo: float, hi: float, length: float, horizontal: bool) -> AxisFrame:
    ticks, texts = _ticks(spec, lo, hi, length, horizontal)
    inside = [(t, s) for t, s in zip(ticks, texts, strict=True) if min(lo, hi) - 1e-9 <= t <= max(lo, hi) + 1e-9]
    size = LABEL
    lines = tx.wrap(spec.label, max(length, 40.0), size) if spec.label else []
    return AxisFrame(lo, hi, tuple(t for t, _ in inside), tuple(s for _, s in inside), tuple(lines), size, spec)


def _tick_width(frame: AxisFrame) -> float:
    return max((tx.width(t, TICK) for t in frame.texts), default=0.0) if frame.spec.tick_labels else 0.0


# --------------------------------------------------------------------------------------------- legend
def legend_entries(chart: Chart) -> list[LegendEntry]:
    if chart.legend is not None:
        return list(chart.legend)
    return [e for p in chart.panels for s in p.series if (e := legend_of(s)) is not None]


def _legend(chart: Chart, entries: list[LegendEntry]) -> tuple[tuple[LegendItem, ...], float]:
    """The legend below the panels, entries column by column (as matplotlib), centred; and its height."""
    if not entries:
        return (), 0.0
    n = len(entries)
    cols = 2 if max(len(e.label) for e in entries) > 28 else min(n, 4)
    rows = math.ceil(n / cols)
    cols = math.ceil(n / rows)  # filled column by column: the last columns may be left empty
    room = (chart.width - 2 * EDGE) / cols - HANDLE - HANDLE_GAP - COLUMN_GAP
    placed = [(e, i // rows, i % rows, tx.wrap(e.label, room, LEGEND)) for i, e in enumerate(entries)]
    row_heights = [tx.height(max(len(lines) for _, _, r, lines in placed if r == row), LEGEND) + 3.0
                   for row in range(rows)]
    widths = [max(HANDLE + HANDLE_GAP + max(tx.width(t, LEGEND) for t in lines)
                  for _, c, _, lines in placed if c == col) for col in range(cols)]
    total = sum(widths) + COLUMN_GAP * (cols - 1)
    left = max(EDGE, (chart.width - total) / 2)
    height = LEGEND_TOP + sum(row_heights)
    row_tops, y = [], chart.height - EDGE - height + LEGEND_TOP
    for h in row_heights:
        row_tops.append(y)
        y += h
    items = tuple(LegendItem(e, left + sum(widths[:c]) + COLUMN_GAP * c, row_tops[r], tuple(lines))
                  for e, c, r, lines in placed)
    return items, height


# --------------------------------------------------------------------------------------------- layout
def layout(chart: Chart) -> Layout:
    """Place the title, the panels and the legend of ``chart``."""
    title = tuple(tx.wrap(chart.title, chart.width - 2 * EDGE, TITLE)) if chart.title else ()
    top = EDGE + (tx.height(len(title), TITLE) + 6.0 if title else 0.0)
    entries = legend_entries(chart)
    legend, legend_h = _legend(chart, entries)
    bottom = chart.height - EDGE - legend_h
    n = len(chart.panels)
    cols = max(1, min(chart.cols, n))
    rows = math.ceil(n / cols) if n else 0
    cell_w = chart.width / cols
    cell_h = (bottom - top) / rows if rows else 0.0

    # first pass: each panel's needs (margins) from a plot box estimated from its cell
    needs = []
    for i, p in enumerate(chart.panels):
        ptitle = tx.wrap(p.title, cell_w - 2 * EDGE, PANEL_TITLE) if p.title else []
        above = (tx.height(len(ptitle), PANEL_TITLE) + 6.0) if ptitle else 6.0
        below = TICK_LEN + TICK_PAD + (tx.height(1, TICK) if p.x.tick_labels else 0.0) \
            + (tx.height(1, LABEL) + 2.0 if p.x.label else 0.0) + 2.0
        est_h = max(cell_h - above - below, 40.0)
        yr = _panel_y(p, est_h, right=False)
        y2 = _panel_y(p, est_h, right=True) if p.y2 is not None else None
        left = EDGE + (tx.height(len(yr.label), LABEL) + 4.0 if yr.label else 0.0) + _tick_width(yr) \
            + TICK_PAD + TICK_LEN
        right = EDGE + (((tx.height(len(y2.label), LABEL) + 4.0) if y2.label else 0.0) + _tick_width(y2)
                        + TICK_PAD + TICK_LEN if y2 is not None else 4.0)
        needs.append((i // cols, i % cols, above, below, left, right, ptitle))
    col_left = [max(nd[4] for nd in needs if nd[1] == c) for c in range(cols)]
    col_right = [max(nd[5] for nd in needs if nd[1] == c) for c in range(cols)]
    row_above = [max(nd[2] for nd in needs if nd[0] == r) for r in range(rows)]
    row_below = [max(nd[3] for nd in needs if nd[0] == r) for r in range(rows)]

    # panels of years without limits of their own share the years of them all
    free = [_x_extent(q) for q in chart.panels if q.x.limits is None]
    shared_years = (min(e[0] for e in free), max(e[1] for e in free)) if len(free) > 1 else None
    frames = []
    for p, (r, c, _, _, _, _, ptitle) in zip(chart.panels, needs, strict=True):
        x0 = c * cell_w + col_left[c]
        x1 = (c + 1) * cell_w - col_right[c]
        y0 = top + r * cell_h + row_above[r]
        y1 = top + (r + 1) * cell_h - row_below[r]
        x1, y1 = max(x1, x0 + 20.0), max(y1, y0 + 20.0)
        xlo, xhi, xpin = _x_extent(p)
        if p.x.kind == "year" and p.x.limits is None and shared_years is not None:
            xlo, xhi = shared_years
        xlo, xhi = _range(p.x, xlo, xhi, xpin)
        xf = _axis(p.x, xlo, xhi, x1 - x0, horizontal=True)
        yf = _panel_y(p, y1 - y0, right=False)
        y2f = _panel_y(p, y1 - y0, right=True) if p.y2 is not None else None
        frames.append(PanelFrame(p, (x0, y0, x1, y1), xf, yf, y2f, tuple(ptitle)))

    return Layout(title, tuple(frames), legend)


def _panel_y(p: Panel, length: float, *, right: bool) -> AxisFrame:
    spec = (p.y2 or Axis()) if right else p.y
    lo, hi, pin = _y_extent(p, right) if spec.kind != "category" else (0.0, 0.0, False)
    lo, hi = _range(spec, lo, hi, pin)
    return _axis(spec, lo, hi, length, horizontal=False)
