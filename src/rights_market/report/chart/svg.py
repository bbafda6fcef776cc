"""The SVG of a chart: :func:`render` writes what :func:`~.layout.layout` placed, and records the box of every
text it wrote (:class:`Drawing`), so tests can check that nothing leaves the canvas or overlaps.

Output is deterministic: coordinates rounded to 0.1 px, elements in the chart's order, no ids, no dates.
Dots that land on the same 0.5 px spot are written once with the opacity the stack of them would have
(``1 - (1 - alpha) ** n``), which keeps dense scatter plots small without losing how dense they are.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from . import text as tx
from .layout import (
    EDGE,
    HANDLE,
    HANDLE_GAP,
    LEGEND,
    PANEL_TITLE,
    TICK,
    TICK_LEN,
    TICK_PAD,
    TITLE,
    PanelFrame,
    layout,
)
from .model import DASHES, Band, Bars, Chart, HBars, HLine, LegendEntry, Line, Points

#: Fonts the viewer tries in order: DejaVu Sans (what the widths are estimated with), then wide sans-serif
#: fonts, then Chinese ones, the bundled font's family among them.
FONT_FAMILY = ("'DejaVu Sans', Verdana, 'Rights Market Sans SC', 'Noto Sans CJK SC', 'Source Han Sans SC', "
               "'Microsoft YaHei', 'PingFang SC', sans-serif")
GRID = "#b0b0b0"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class TextBox:
    """A written text: what it is (``title``, ``panel_title``, ``xlabel``, ``ylabel``, ``y2label``,
    ``xtick``, ``ytick``, ``y2tick``, ``legend``), its text and its estimated box (px)."""

    kind: str
    text: str
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Drawing:
    """The SVG document of a chart, the boxes of its texts, its plot boxes and its legend handles (px)."""

    svg: str
    texts: tuple[TextBox, ...]
    plots: tuple[tuple[float, float, float, float], ...]
    width: float
    height: float


def _n(v: float) -> str:
    """A coordinate: one decimal, no trailing ``.0``."""
    s = f"{v:.1f}"
    s = s[:-2] if s.endswith(".0") else s
    return "0" if s == "-0" else s


def _esc(text: str) -> str:
    text = _CONTROL.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _dash(name: str, width: float) -> str:
    pattern = DASHES.get(name, ())
    return f' stroke-dasharray="{" ".join(_n(d * width) for d in pattern)}"' if pattern else ""


class _Out:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.texts: list[TextBox] = []

    def add(self, s: str) -> None:
        self.parts.append(s)

    def text(self, kind: str, lines: tuple[str, ...] | list[str], x: float, top: float, size: float, *,
             anchor: str = "middle", rotate: bool = False, color: str = "#000000", weight: str = "") -> None:
        """Write ``lines`` (one text each line) from ``top`` (px) at ``size``; ``x`` the anchor point.
        ``rotate``: turned a quarter left, ``x`` is then the left edge of the text's lines and ``top`` the
        vertical centre."""
        if not lines:
            return
        h = tx.height(len(lines), size)
        w = max(tx.width(t, size) for t in lines)
        fill = "" if color == "#000000" else f' fill="{color}"'
        bold = f' font-weight="{weight}"' if weight else ""
        for i, line in enumerate(lines):
            if rotate:
                bx = x + i * size * tx.LINE + size * 0.95
                self.add(f'<text x="{_n(bx)}" y="{_n(top)}" font-size="{_n(size)}" text-anchor="middle"{fill}{bold}'
                         f' transform="rotate(-90 {_n(bx)} {_n(top)})">{_esc(line)}</text>')
            else:
                by = top + i * size * tx.LINE + size * 0.95
                a = "" if anchor == "start" else f' text-anchor="{anchor}"'
                self.add(f'<text x="{_n(x)}" y="{_n(by)}" font-size="{_n(size)}"{a}{fill}{bold}>{_esc(line)}</text>')
        if rotate:
            box = (x, top - w / 2, x + h, top + w / 2)
        else:
            left = x - (w / 2 if anchor == "middle" else (w if anchor == "end" else 0.0))
            box = (left, top, left + w, top + h)
        self.texts.append(TextBox(kind, " ".join(lines), box))


def _scale(lo: float, hi: float, a: float, b: float) -> Callable[[float], float]:
    k = (b - a) / (hi - lo) if hi != lo else 0.0
    return lambda v: a + (v - lo) * k


# --------------------------------------------------------------------------------------------- series
def _polyline(xs: tuple[float, ...], ys: tuple[float, ...], sx: Callable, sy: Callable, step: bool) -> str:
    d: list[str] = []
    pen = False
    for x, y in zip(xs, ys, strict=True):
        if not (math.isfinite(x) and math.isfinite(y)):
            pen = False
            continue
        px, py = sx(x), sy(y)
        if not pen:
            d.append(f"M{_n(px)} {_n(py)}")
        elif step:
            d.append(f"H{_n(px)}V{_n(py)}")
        else:
            d.append(f"L{_n(px)} {_n(py)}")
        pen = True
    return "".join(d)


#: Outlines of the markers other than the circle, as points on a unit half-size (scaled by half the diameter).
_SHAPES: dict[str, list[tuple[float, float]]] = {
    "s": [(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8)],
    "^": [(0, -1), (1, 0.8), (-1, 0.8)],
    "v": [(0, 1), (1, -0.8), (-1, -0.8)],
    "D": [(0, -1), (0.75, 0), (0, 1), (-0.75, 0)],
    "P": [(-0.3, -1), (0.3, -1), (0.3, -0.3), (1, -0.3), (1, 0.3), (0.3, 0.3), (0.3, 1), (-0.3, 1), (-0.3, 0.3),
          (-1, 0.3), (-1, -0.3), (-0.3, -0.3)],
    "X": [(-0.7, -1), (0, -0.3), (0.7, -1), (1, -0.7), (0.3, 0), (1, 0.7), (0.7, 1), (0, 0.3), (-0.7, 1),
          (-1, 0.7), (-0.3, 0), (-1, -0.7)],
    "*": [(math.sin(k * math.pi / 5) * (1 if k % 2 == 0 else 0.45), -math.cos(k * math.pi / 5)
           * (1 if k % 2 == 0 else 0.45)) for k in range(10)],
}


def marker_path(kind: str, x: float, y: float, size: float) -> str:
    """Path data of a marker of ``kind`` (:data:`~.model.MARKERS`) of diameter ``size`` centred on (x, y)."""
    r = size / 2
    if kind == "o":
        return f"M{_n(x - r)} {_n(y)}a{_n(r)} {_n(r)} 0 1 0 {_n(2 * r)} 0a{_n(r)} {_n(r)} 0 1 0 {_n(-2 * r)} 0Z"
    pts = _SHAPES.get(kind, _SHAPES["s"])
    return "M" + "L".join(f"{_n(x + px * r)} {_n(y + py * r)}" for px, py in pts) + "Z"


def _points(o: _Out, s: Points, sx: Callable, sy: Callable) -> None:
    spots = Counter((round(sx(x) * 2), round(sy(y) * 2)) for x, y in zip(s.xs, s.ys, strict=True)
                    if math.isfinite(x) and math.isfinite(y))
    by_alpha: dict[float, list[tuple[int, int]]] = {}
    for spot, count in spots.items():
        alpha = round(1.0 - (1.0 - s.alpha) ** count, 2)
        by_alpha.setdefault(alpha, []).append(spot)
    r = _n(s.size / 2)
    for alpha in sorted(by_alpha):
        dots = "".join(f'<circle cx="{_n(x / 2)}" cy="{_n(y / 2)}" r="{r}"/>' for x, y in sorted(by_alpha[alpha]))
        op = "" if alpha >= 1.0 else f' fill-opacity="{alpha:g}"'
        o.add(f'<g fill="{s.color}"{op}>{dots}</g>')


def _line(o: _Out, s: Line, sx: Callable, sy: Callable) -> None:
    d = _polyline(s.xs, s.ys, sx, sy, s.step)
    if d:
        o.add(f'<path d="{d}" fill="none" stroke="{s.color}" stroke-width="{_n(s.width)}"'
              f' stroke-linejoin="round"{_dash(s.dash, s.width)}/>')
    if s.marker:
        marks = "".join(marker_path(s.marker, sx(x), sy(y), s.marker_size) for x, y in zip(s.xs, s.ys, strict=True)
                        if math.isfinite(x) and math.isfinite(y))
        o.add(f'<path d="{marks}" fill="{s.color}"/>')


def _bars(o: _Out, s: Bars, sx: Callable, sy: Callable) -> None:
    bottoms = s.bottoms or (0.0,) * len(s.heights)
    rects = []
    for x, h, b in zip(s.xs, s.heights, bottoms, strict=True):
        if not (math.isfinite(h) and math.isfinite(b)) or h == 0:
            continue
        left, right = sx(x - s.width / 2), sx(x + s.width / 2)
        top, bottom = sorted((sy(b + h), sy(b)))
        rects.append(f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(right - left)}" height="{_n(bottom - top)}"/>')
    if rects:
        o.add(f'<g fill="{s.color}">{"".join(rects)}</g>')


def _hbars(o: _Out, s: HBars, sx: Callable, sy: Callable) -> None:
    errs = s.errors or (0.0,) * len(s.lengths)
    parts = []
    whiskers = []
    for y, v, e in zip(s.ys, s.lengths, errs, strict=True):
        if not math.isfinite(v):
            continue
        top, bottom = sorted((sy(y - s.height / 2), sy(y + s.height / 2)))
        left, right = sorted((sx(0.0), sx(v)))
        parts.append(f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(right - left)}" height="{_n(bottom - top)}"/>')
        if e and math.isfinite(e):
            cy, a, b = sy(y), sx(v - e), sx(v + e)
            whiskers.append(f"M{_n(a)} {_n(cy)}H{_n(b)}M{_n(a)} {_n(cy - 2.8)}V{_n(cy + 2.8)}"
                            f"M{_n(b)} {_n(cy - 2.8)}V{_n(cy + 2.8)}")
    if parts:
        o.add(f'<g fill="{s.color}">{"".join(parts)}</g>')
    if whiskers:
        o.add(f'<path d="{"".join(whiskers)}" stroke="#000000" stroke-width="1.4" fill="none"/>')


def _band(o: _Out, s: Band, sx: Callable, sy: Callable) -> None:
    pts = [(x, lo, hi) for x, lo, hi in zip(s.xs, s.lows, s.highs, strict=True)
           if math.isfinite(x) and math.isfinite(lo) and math.isfinite(hi)]
    if not pts:
        return
    upper, lower = [], []
    for i, (x, lo, hi) in enumerate(pts):
        if s.step and i > 0:
            upper.append((sx(x), sy(pts[i - 1][2])))
            lower.append((sx(x), sy(pts[i - 1][1])))
        upper.append((sx(x), sy(hi)))
        lower.append((sx(x), sy(lo)))
    ring = upper + lower[::-1]
    d = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in ring) + "Z"
    o.add(f'<path d="{d}" fill="{s.color}" fill-opacity="{s.alpha:g}"/>')
    if s.edge_dash:
        xs = tuple(p[0] for p in pts)
        for ys in (tuple(p[1] for p in pts), tuple(p[2] for p in pts)):
            _line(o, Line(xs, ys, s.color, 1.25, s.edge_dash, s.step), sx, sy)


# --------------------------------------------------------------------------------------------- panels
def _grid(o: _Out, f: PanelFrame, sx: Callable, sy: Callable) -> None:
    x0, y0, x1, y1 = f.box
    grid = [f"M{_n(sx(t))} {_n(y0)}V{_n(y1)}" for t in f.x.ticks if f.x.spec.kind != "category"]
    grid += [f"M{_n(x0)} {_n(sy(t))}H{_n(x1)}" for t in f.y.ticks if f.y.spec.kind != "category"]
    if grid:
        o.add(f'<path d="{"".join(grid)}" stroke="{GRID}" stroke-opacity="0.3" stroke-width="1.1" fill="none"/>')


def _axes(o: _Out, f: PanelFrame, sx: Callable, sy: Callable, sy2: Callable | None) -> None:
    x0, y0, x1, y1 = f.box
    marks = [f"M{_n(x0)} {_n(y0)}V{_n(y1)}H{_n(x1)}"]
    marks += [f"M{_n(sx(t))} {_n(y1)}v{_n(TICK_LEN)}" for t in f.x.ticks]
    marks += [f"M{_n(x0)} {_n(sy(t))}h{_n(-TICK_LEN)}" for t in f.y.ticks]
    if f.y2 is not None and sy2 is not None:
        marks.append(f"M{_n(x1)} {_n(y0)}V{_n(y1)}")
        marks += [f"M{_n(x1)} {_n(sy2(t))}h{_n(TICK_LEN)}" for t in f.y2.ticks]
    o.add(f'<path d="{"".join(marks)}" stroke="#000000" stroke-width="1.1" fill="none"/>')
    if f.x.spec.tick_labels:
        for t, s in zip(f.x.ticks, f.x.texts, strict=True):
            o.text("xtick", [s], sx(t), y1 + TICK_LEN + TICK_PAD, TICK)
    left = x0 - TICK_LEN - TICK_PAD
    for t, s in zip(f.y.ticks, f.y.texts, strict=True):
        o.text("ytick", [s], left, sy(t) - tx.height(1, TICK) / 2, TICK, anchor="end")
    below = y1 + TICK_LEN + TICK_PAD + (tx.height(1, TICK) if f.x.spec.tick_labels else 0.0) + 2.0
    if f.x.label:
        o.text("xlabel", f.x.label, (x0 + x1) / 2, below, f.x.label_size)
    if f.y.label:
        width = max((tx.width(t, TICK) for t in f.y.texts), default=0.0)
        lx = left - width - 4.0 - tx.height(len(f.y.label), f.y.label_size)
        o.text("ylabel", f.y.label, lx, (y0 + y1) / 2, f.y.label_size, rotate=True)
    if f.y2 is not None and sy2 is not None:
        right = x1 + TICK_LEN + TICK_PAD
        for t, s in zip(f.y2.ticks, f.y2.texts, strict=True):
            o.text("y2tick", [s], right, sy2(t) - tx.height(1, TICK) / 2, TICK, anchor="start")
        if f.y2.label:
            width = max((tx.width(t, TICK) for t in f.y2.texts), default=0.0)
            o.text("y2label", f.y2.label, right + width + 4.0, (y0 + y1) / 2, f.y2.label_size, rotate=True)
    if f.title:
        o.text("panel_title", f.title, (x0 + x1) / 2, y0 - tx.height(len(f.title), PANEL_TITLE) - 4.0, PANEL_TITLE)


def _panel(o: _Out, f: PanelFrame) -> None:
    x0, y0, x1, y1 = f.box
    sx = _scale(f.x.lo, f.x.hi, x0, x1)
    top_down = f.y.spec.kind == "category"  # category 0 at the top
    sy = _scale(f.y.lo, f.y.hi, y0, y1) if top_down else _scale(f.y.lo, f.y.hi, y1, y0)
    sy2 = _scale(f.y2.lo, f.y2.hi, y1, y0) if f.y2 is not None else None
    _grid(o, f, sx, sy)
    for s in f.panel.series:
        ysc = sy2 if (getattr(s, "right_axis", False) and sy2 is not None) else sy
        if isinstance(s, Points):
            _points(o, s, sx, ysc)
        elif isinstance(s, Line):
            _line(o, s, sx, ysc)
        elif isinstance(s, Bars):
            _bars(o, s, sx, ysc)
        elif isinstance(s, HBars):
            _hbars(o, s, sx, ysc)
        elif isinstance(s, Band):
            _band(o, s, sx, ysc)
        elif isinstance(s, HLine):
            o.add(f'<path d="M{_n(x0)} {_n(ysc(s.y))}H{_n(x1)}" stroke="{s.color}" stroke-width="{_n(s.width)}"/>')
    _axes(o, f, sx, sy, sy2)


def _handle(o: _Out, e: LegendEntry, x: float, cy: float) -> None:
    if e.kind == "line":
        o.add(f'<path d="M{_n(x)} {_n(cy)}h{_n(HANDLE)}" stroke="{e.color}" stroke-width="{_n(e.width)}"'
              f' fill="none"{_dash(e.dash, e.width)}/>')
        if e.marker:
            o.add(f'<path d="{marker_path(e.marker, x + HANDLE / 2, cy, 7.0)}" fill="{e.color}"/>')
    elif e.kind == "dot":
        o.add(f'<circle cx="{_n(x + HANDLE / 2)}" cy="{_n(cy)}" r="4" fill="{e.color}"/>')
    elif e.kind == "band":
        o.add(f'<rect x="{_n(x + 2)}" y="{_n(cy - 6)}" width="{_n(HANDLE - 4)}" height="12" fill="{e.color}"'
              f' fill-opacity="{max(e.alpha, 0.25):g}" stroke="{e.color}"{_dash(e.dash, 1.0)}/>')
    else:
        o.add(f'<rect x="{_n(x + 5)}" y="{_n(cy - 6)}" width="{_n(HANDLE - 10)}" height="12" fill="{e.color}"/>')


def render(chart: Chart) -> Drawing:
    """The SVG of ``chart`` and the boxes of what it placed."""
    lay = layout(chart)
    o = _Out()
    w, h = chart.width, chart.height
    o.add(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(w)} {_n(h)}" width="{_n(w)}" height="{_n(h)}"'
          f' font-family="{FONT_FAMILY}" role="img">')
    o.add(f'<rect width="{_n(w)}" height="{_n(h)}" fill="#ffffff"/>')
    if lay.title:
        o.text("title", lay.title, w / 2, EDGE, TITLE)
    for f in lay.panels:
        _panel(o, f)
    for item in lay.legend:
        cy = item.top + tx.height(1, LEGEND) / 2
        _handle(o, item.entry, item.x, cy)
        o.text("legend", item.lines, item.x + HANDLE + HANDLE_GAP, item.top, LEGEND, anchor="start")
    o.add("</svg>")
    return Drawing("".join(o.parts), tuple(o.texts), tuple(f.box for f in lay.panels), w, h)


__all__ = ["FONT_FAMILY", "Drawing", "TextBox", "marker_path", "render"]
