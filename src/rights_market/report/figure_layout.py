"""Margins of a report figure computed from its texts, without a draw pass (instead of constrained layout).

:func:`arrange` measures what sits around each axes of a figure — the y tick labels (formatted from the
axis' locator and formatter, so prices from 0.03 to 30,000 get the room they need), the axis labels, the
axes title, the x tick labels and the figure's title — with the Agg renderer's text metrics (the cache
matplotlib's draw then reuses), sets the subplot parameters so that none of it leaves the canvas or runs
into a neighbouring panel, and puts the figure legend (:func:`place_legend`) centred below the lowest
axes, with the bottom margin made from its real height. A title or axis label too long for its room is
broken into two lines at a space or before a bracket (Chinese: anywhere near the middle).

Works for any grid of subplots made with ``add_subplot``/``subplots`` (twin axes included: their labels
go to the right); axes without a subplot spec are left where they are.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text

#: Space kept free at each edge of the canvas (inches).
EDGE = 0.08
#: Space between the lowest x labels and the legend, and between panels' texts (inches).
GAP = 0.10


@dataclass
class _Needs:
    """Room (pixels) a panel needs outside its axes box on each side."""

    left: float = 0.0
    right: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    overhang: float = 0.0  # half an x tick label that may stick out left and right


def _pt(points: float, dpi: float) -> float:
    return points * dpi / 72.0


def _size(renderer: object, text: Text) -> tuple[float, float]:
    """Width and height (pixels) of ``text`` as drawn (rotation and line breaks included); 0 if empty."""
    if not text.get_visible() or not text.get_text():
        return 0.0, 0.0
    box = text.get_window_extent(renderer)
    return box.width, box.height


def _tick_texts(axis: object) -> list[str]:
    """The labels the major ticks of ``axis`` will show (the ticks inside the view interval)."""
    lo, hi = sorted(axis.get_view_interval())
    tol = 1e-10 * max(abs(hi - lo), 1e-300)
    locs = [v for v in axis.get_majorticklocs() if lo - tol <= v <= hi + tol]
    return [s for s in axis.get_major_formatter().format_ticks(locs) if s]


def _tick_label_size(renderer: object, axis: object, which: str) -> tuple[float, float, float]:
    """(widest, tallest, edge half-width) of the tick labels of ``axis`` in pixels; ``which``: "x" or "y"."""
    texts = _tick_texts(axis)
    if not texts:
        return 0.0, 0.0, 0.0
    size = mpl.rcParams[f"{which}tick.labelsize"]
    prop = FontProperties(size=size)
    dims = [renderer.get_text_width_height_descent(s, prop, ismath=False)[:2] for s in texts]
    widest = max(w for w, _ in dims)
    edge = max(dims[0][0], dims[-1][0]) / 2.0
    return widest, max(h for _, h in dims), edge


def _tick_room(which: str, dpi: float) -> float:
    return _pt(mpl.rcParams[f"{which}tick.major.size"] + mpl.rcParams[f"{which}tick.major.pad"], dpi)


def _panel_needs(renderer: object, ax: object, dpi: float) -> _Needs:
    n = _Needs()
    labelpad = _pt(mpl.rcParams["axes.labelpad"], dpi)
    half_label = 0.0  # the top and bottom y tick labels stick out of the axes by half their height
    if ax.yaxis.get_visible():
        yparams = ax.yaxis.get_tick_params()
        side_room = 0.0
        if yparams.get("labelleft") or yparams.get("labelright"):
            y_w, y_h, _ = _tick_label_size(renderer, ax.yaxis, "y")
            side_room += y_w + _tick_room("y", dpi)
            half_label = y_h / 2.0
        label_w, _ = _size(renderer, ax.yaxis.label)
        if label_w:
            side_room += labelpad + label_w
        if ax.yaxis.get_label_position() == "right":
            n.right = side_room
        else:
            n.left = side_room
    if ax.xaxis.get_visible():
        if ax.xaxis.get_tick_params().get("labelbottom"):
            _x_w, x_h, edge = _tick_label_size(renderer, ax.xaxis, "x")
            n.bottom += x_h + _tick_room("x", dpi)
            n.overhang = edge
        _, label_h = _size(renderer, ax.xaxis.label)
        if label_h:
            n.bottom += labelpad + label_h
    titles = [ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None)]
    heights = [_size(renderer, t)[1] for t in titles if t is not None]
    if max(heights):
        n.top = max(heights) + _pt(mpl.rcParams["axes.titlepad"], dpi)
    n.top = max(n.top, half_label)
    n.bottom = max(n.bottom, half_label)
    return n


def _merge(a: _Needs, b: _Needs) -> _Needs:
    return _Needs(*(max(x, y) for x, y in zip(
        (a.left, a.right, a.top, a.bottom, a.overhang), (b.left, b.right, b.top, b.bottom, b.overhang), strict=True)))


def _break_line(text: str) -> str:
    """``text`` on two lines: at the space or bracket nearest the middle, else (Chinese) in the middle."""
    if "\n" in text:
        return text
    mid = len(text) / 2
    cuts = [i for i, ch in enumerate(text) if ch == " "]
    cuts += [i for i, ch in enumerate(text) if ch in "(（" and i > 0]
    if cuts:
        i = min(cuts, key=lambda c: abs(c - mid))
        return (text[:i].rstrip() + "\n" + text[i:].lstrip()).strip()
    i = round(mid)
    return text[:i] + "\n" + text[i:]


def _fit(renderer: object, text: Text, room: float, *, vertical: bool = False) -> None:
    """Break ``text`` into two lines when it is longer than ``room`` pixels."""
    w, h = _size(renderer, text)
    if (h if vertical else w) > room:
        text.set_text(_break_line(text.get_text()))


def arrange(fig: Figure) -> None:
    """Set the subplot parameters of ``fig`` (and place its legends) so that every text fits the canvas."""
    renderer = fig.canvas.get_renderer()
    dpi = fig.dpi
    W, H = fig.bbox.width, fig.bbox.height
    panels = [ax for ax in fig.axes if ax.get_subplotspec() is not None]
    if not panels:
        return
    rows, cols = panels[0].get_subplotspec().get_gridspec().get_geometry()
    for ax in panels:
        _fit(renderer, ax.title, W / cols - 2 * _pt(12, dpi))
        _fit(renderer, ax.yaxis.label, (H - _pt(60, dpi)) / rows, vertical=True)
    needs: dict[tuple[int, int], _Needs] = {}
    for ax in panels:
        ss = ax.get_subplotspec()
        n = _panel_needs(renderer, ax, dpi)
        for r in range(ss.rowspan.start, ss.rowspan.stop):
            for c in range(ss.colspan.start, ss.colspan.stop):
                needs[r, c] = _merge(needs.get((r, c), _Needs()), n)
    edge, gap = EDGE * dpi, GAP * dpi
    col_needs = [_fold([needs[r, c] for r in range(rows) if (r, c) in needs]) for c in range(cols)]
    row_needs = [_fold([needs[r, c] for c in range(cols) if (r, c) in needs]) for r in range(rows)]
    left = edge + max(col_needs[0].left, col_needs[0].overhang)
    right = edge + max(col_needs[-1].right, col_needs[-1].overhang)
    top = edge + row_needs[0].top
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text():
        _fit(renderer, sup, W - 2 * edge)
        sup_h = _size(renderer, sup)[1]
        sup.set_y(1.0 - edge / H)
        sup.set_verticalalignment("top")
        top += sup_h + gap / 2
    bottom = edge + row_needs[-1].bottom
    legend_room = place_legends(fig, renderer, W)
    if legend_room:
        bottom += gap + legend_room
    wgap = max([col_needs[c].right + max(col_needs[c + 1].left, col_needs[c].overhang + col_needs[c + 1].overhang)
                for c in range(cols - 1)] or [0.0]) + gap
    hgap = max([row_needs[r].bottom + row_needs[r + 1].top for r in range(rows - 1)] or [0.0]) + gap
    axes_w = max((W - left - right - (cols - 1) * wgap) / cols, 1.0)
    axes_h = max((H - top - bottom - (rows - 1) * hgap) / rows, 1.0)
    fig.subplots_adjust(left=left / W, right=1.0 - right / W, bottom=bottom / H, top=1.0 - top / H,
                        wspace=wgap / axes_w if cols > 1 else 0.0, hspace=hgap / axes_h if rows > 1 else 0.0)
    y = edge + legend_room  # top of the legend, below the lowest x labels
    for leg in fig.legends:
        leg.set_bbox_to_anchor((0.5, y / H), transform=fig.transFigure)


def _fold(items: Sequence[_Needs]) -> _Needs:
    out = _Needs()
    for n in items:
        out = _merge(out, n)
    return out


def place_legends(fig: Figure, renderer: object, width: float) -> float:
    """Height (pixels) the figure legends need below the axes; a legend wider than the canvas gets fewer
    columns until it fits."""
    room = 0.0
    free = width - 2 * EDGE * fig.dpi
    for leg in fig.legends:
        leg.set_loc("upper center")
        box = leg.get_window_extent(renderer)
        while box.width > free and leg._ncols > 1:
            leg.set_ncols(leg._ncols - 1)
            box = leg.get_window_extent(renderer)
        if box.width > free:  # one column and still too wide: wrap the entries that are too long
            text_room = free - (box.width - max(_size(renderer, t)[0] for t in leg.get_texts()))
            for t in leg.get_texts():
                _wrap(renderer, t, text_room)
            box = leg.get_window_extent(renderer)
        room += box.height
    return room


def _wrap(renderer: object, text: Text, room: float) -> None:
    """Wrap ``text`` into lines of at most ``room`` pixels (Chinese, having no spaces, anywhere)."""
    w, _ = _size(renderer, text)
    s = text.get_text()
    if w <= room or not s:
        return
    chars = max(int(len(s) * room / w * 0.9), 4)
    text.set_text("\n".join(textwrap.wrap(s, chars, break_long_words=True)))
