"""Margins computed without a draw pass (:mod:`rights_market.report.figure_layout`): every figure kind, in
English and Chinese, with long labels, many legend entries and y values from 0.03 to 30,000, keeps every text
on the canvas, its legend clear of every axes, and tick labels clear of the axis labels and of each other."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from rights_market.report import figures as rf
from rights_market.report.figure_layout import _break_line
from rights_market.report.labels import Labels

MECHS = ("cda", "call", "negotiation", "listing", "auction", "tender", "directed", "reserve")
YEARS = list(range(2021, 2031))
LONG = {
    "en": "Collective operating construction land use rights (contracted, twenty-year lease)",
    "zh": "集体经营性建设用地使用权（承包经营，二十年期租赁，按年度计算的交易总量）",
}


def _drawn(fn, *args, **kwargs) -> Figure:
    """The figure ``fn`` drew (its PNG made, so laid out and drawn)."""
    figs: list[Figure] = []
    original = rf._png

    def capture(fig: Figure) -> bytes:
        png = original(fig)
        figs.append(fig)
        return png

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rf, "_png", capture)
        assert fn(*args, **kwargs) is not None
    return figs[0]


def _in_view(axis) -> list[Text]:
    lo, hi = sorted(axis.get_view_interval())
    tol = 1e-9 * (hi - lo)
    return [t for tick in axis.get_major_ticks() if lo - tol <= tick.get_loc() <= hi + tol
            for t in (tick.label1, tick.label2) if t.get_visible() and t.get_text()]


def _boxes(fig: Figure) -> dict[str, list[Bbox]]:
    r = fig.canvas.get_renderer()
    out: dict[str, list[Bbox]] = {"text": [], "axes": [], "legend": []}
    texts = [fig._suptitle] if fig._suptitle is not None else []
    for ax in fig.axes:
        out["axes"].append(ax.get_tightbbox(r))
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label]
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_visible():
                texts += _in_view(axis)
            label = axis.label.get_window_extent(r) if axis.get_visible() and axis.label.get_text() else None
            for t in _in_view(axis) if label is not None else []:
                assert not t.get_window_extent(r).overlaps(label), (t.get_text(), axis.label.get_text())
    out["text"] = [t.get_window_extent(r) for t in texts if t.get_visible() and t.get_text()]
    out["legend"] = [leg.get_window_extent(r) for leg in fig.legends]
    for leg in fig.legends:
        out["text"] += [t.get_window_extent(r) for t in leg.get_texts()]
    return out


def _check(fig: Figure) -> None:
    canvas = fig.bbox
    b = _boxes(fig)
    for box in b["text"] + b["legend"]:
        assert canvas.x0 - 0.5 <= box.x0 and box.x1 <= canvas.x1 + 0.5, box
        assert canvas.y0 - 0.5 <= box.y0 and box.y1 <= canvas.y1 + 0.5, box
    for leg, ax in itertools.product(b["legend"], b["axes"]):
        assert not leg.overlaps(ax), (leg, ax)
    assert b["legend"], "every figure kind here has a legend"
    # no two texts outside the legend overlap (titles, axis labels, tick labels of every panel)
    outside = [t for t in b["text"] if not any(t.overlaps(leg) for leg in b["legend"])]
    for s, t in itertools.combinations(outside, 2):
        assert not Bbox.intersection(s, t) or Bbox.intersection(s, t).width * Bbox.intersection(s, t).height < 1.0


def _prices(lang: str) -> Figure:
    L = Labels(lang)
    rng = np.random.default_rng(7)
    n = 400
    points = pd.DataFrame({
        "x": rng.uniform(2021, 2031, n),
        "price": np.geomspace(0.03, 30_000, n),
        "mechanism": [MECHS[i % len(MECHS)] for i in range(n)],
    })
    mean = pd.Series(np.geomspace(1, 20_000, len(YEARS)), index=YEARS)
    base = [(LONG[lang], pd.Series(12_000.0, index=YEARS)), ("Base price", pd.Series(0.03, index=YEARS))]
    return _drawn(rf.price_figure, points, mean, base, None, L=L, title=LONG[lang], ylabel=LONG[lang],
                  mech_colors=dict(zip(MECHS, rf._colors(len(MECHS)), strict=True)), years=(2021, 2030))


def _volume(lang: str) -> Figure:
    L = Labels(lang)
    panels = []
    for i, top in enumerate((0.03, 30_000.0, 2.5, 950.0, 12_345.0)):
        vol = pd.DataFrame({m: np.linspace(0, top, len(YEARS)) / 3 for m in MECHS[: 2 + i]}, index=YEARS)
        panels.append((LONG[lang] if i % 2 else f"P{i}", L.unit("m2"), vol))
    return _drawn(rf.volume_figure, panels, L=L, mech_colors=dict(zip(MECHS, rf._colors(len(MECHS)), strict=True)))


def _surcharge(lang: str) -> Figure:
    by_band = pd.DataFrame({b: np.linspace(0.03, 30_000, len(YEARS)) for b in (0, 1, 2, 3)}, index=YEARS)
    return _drawn(rf.surcharge_figure, by_band, L=Labels(lang))


def _reserve(lang: str, products: int) -> Figure:
    x = np.linspace(2021, 2031, 200)
    names = [f"p{i}" for i in range(products)]
    stock = pd.concat([pd.DataFrame({"x": x, "product": p, "stock": np.geomspace(0.03, 30_000, 200)}) for p in names])
    cash = pd.DataFrame({"x": x, "cash": np.linspace(-30_000, 3e7, 200)})
    units = {p: ("m³" if i % 2 else LONG[lang][:12]) for i, p in enumerate(names)}
    return _drawn(rf.reserve_figure, stock, cash, L=Labels(lang), units=units,
                  names={p: LONG[lang] for p in names})


def _use(lang: str) -> Figure:
    use_cap = pd.DataFrame({"use": np.geomspace(0.03, 30_000, len(YEARS)), "cap": 20_000.0, "planned": 15_000.0},
                           index=YEARS)
    return _drawn(rf.use_figure, use_cap, L=Labels(lang), unit="m3")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", ["prices", "volume", "surcharge", "reserve_one", "reserve_many", "use"])
def test_every_text_fits_and_the_legend_is_below(kind: str, lang: str) -> None:
    fig = {"prices": _prices, "volume": _volume, "surcharge": _surcharge, "use": _use,
           "reserve_one": lambda g: _reserve(g, 1), "reserve_many": lambda g: _reserve(g, 3)}[kind](lang)
    _check(fig)
    lowest = min(ax.get_position().y0 for ax in fig.axes)
    for leg in fig.legends:  # below every axes
        assert leg.get_window_extent(fig.canvas.get_renderer()).y1 <= lowest * fig.bbox.height


def test_long_texts_break_into_two_lines() -> None:
    assert _break_line("Traded quantity (10 thousand m²)") == "Traded quantity\n(10 thousand m²)"
    assert _break_line("交易量（万平方米）") == "交易量\n（万平方米）"
    assert _break_line("甲乙丙丁") == "甲乙\n丙丁"
    assert _break_line("a\nb") == "a\nb"
