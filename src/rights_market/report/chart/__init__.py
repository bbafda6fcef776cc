"""Charts of the reports as SVG, drawn by the package itself: no plotting library, no raster.

A chart is described by plain data (:mod:`.model`: panels of points, lines, steps, bars and bands, axes and a
legend), laid out from estimated text widths (:mod:`.text`, :mod:`.ticks`) and written as one SVG document
(:mod:`.svg`). The SVG is deterministic (same chart, same bytes), about 5 ms a figure instead of about 100 ms
with matplotlib, and stays sharp at any zoom; its text is real text, set in the page's font in the HTML
report (the Chinese page embeds the subset of the bundled font that holds its characters,
:mod:`rights_market.report.webfont`) and in the viewer's sans-serif font elsewhere.

:func:`render` returns the SVG text and the boxes of everything it placed (:class:`.svg.Drawing`), which the
tests use to check that no text leaves the canvas or overlaps another.
"""

from __future__ import annotations

from .model import Axis, Band, Bars, Chart, HBars, HLine, LegendEntry, Line, Panel, Points
from .svg import Drawing, render

__all__ = ["Axis", "Band", "Bars", "Chart", "Drawing", "HBars", "HLine", "LegendEntry", "Line", "Panel", "Points",
           "render"]
