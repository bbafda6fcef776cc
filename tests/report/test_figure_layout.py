"""Layout of every figure kind (:mod:`rights_market.report.chart.layout`), in English and Chinese, with long
labels, many legend entries and y values from 0.03 to 30,000: every text stays on the canvas, the legend sits
below every plot, and no two texts overlap (titles, axis labels, tick labels of every panel, legend entries).
Boxes are the layout's own estimates (:class:`rights_market.report.chart.svg.TextBox`), made from DejaVu Sans
widths, the widest of the fonts a viewer uses."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from rights_market.report import figures as rf
from rights_market.report.chart import Drawing, render
from rights_market.report.chart.text import width, wrap
from rights_market.report.fan import fan_figure
from rights_market.report.figure_base import colors
from rights_market.report.labels import Labels

MECHS = ("cda", "call", "negotiation", "listing", "auction", "tender", "directed", "reserve")
YEARS = list(range(2021, 2031))
LONG = {
    "en": "Collective operating construction land use rights (contracted, twenty-year lease)",
    "zh": "集体经营性建设用地使用权（承包经营，二十年期租赁，按年度计算的交易总量）",
}


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _check(d: Drawing) -> None:
    for t in d.texts:
        x0, y0, x1, y1 = t.box
        assert x0 >= -0.5 and x1 <= d.width + 0.5 and y0 >= -0.5 and y1 <= d.height + 0.5, t
    legend = [t for t in d.texts if t.kind == "legend"]
    assert legend, "every figure kind here has a legend"
    lowest = max(p[3] for p in d.plots)
    for t in legend:
        assert t.box[1] > lowest, (t, lowest)  # below every plot
        for p in d.plots:
            assert _overlap(t.box, p) == 0.0, (t, p)
    for s, t in itertools.combinations(d.texts, 2):
        assert _overlap(s.box, t.box) < 1.0, (s, t)
    for t in d.texts:  # tick labels and axis titles stay off the plot boxes
        if t.kind != "legend":
            for p in d.plots:
                assert _overlap(t.box, p) < 1.0, (t, p)


def _prices(lang: str) -> Drawing:
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
    return render(rf.price_figure(points, mean, base, None, L=L, title=LONG[lang], ylabel=LONG[lang],
                                  mech_colors=dict(zip(MECHS, colors(len(MECHS)), strict=True)), years=(2021, 2030)))


def _volume(lang: str) -> Drawing:
    L = Labels(lang)
    panels = []
    for i, top in enumerate((0.03, 30_000.0, 2.5, 950.0, 12_345.0)):
        vol = pd.DataFrame({m: np.linspace(0, top, len(YEARS)) / 3 for m in MECHS[: 2 + i]}, index=YEARS)
        panels.append((LONG[lang] if i % 2 else f"P{i}", L.unit("m2"), vol))
    return render(rf.volume_figure(panels, L=L, mech_colors=dict(zip(MECHS, colors(len(MECHS)), strict=True))))


def _surcharge(lang: str) -> Drawing:
    by_band = pd.DataFrame({b: np.linspace(0.03, 30_000, len(YEARS)) for b in (0, 1, 2, 3)}, index=YEARS)
    return render(rf.surcharge_figure(by_band, L=Labels(lang)))


def _reserve(lang: str, products: int) -> Drawing:
    x = np.linspace(2021, 2031, 200)
    names = [f"p{i}" for i in range(products)]
    stock = pd.concat([pd.DataFrame({"x": x, "product": p, "stock": np.geomspace(0.03, 30_000, 200)}) for p in names])
    cash = pd.DataFrame({"x": x, "cash": np.linspace(-30_000, 3e7, 200)})
    units = {p: ("m³" if i % 2 else LONG[lang][:12]) for i, p in enumerate(names)}
    return render(rf.reserve_figure(stock, cash, L=Labels(lang), units=units, names={p: LONG[lang] for p in names}))


def _use(lang: str) -> Drawing:
    use_cap = pd.DataFrame({"use": np.geomspace(0.03, 30_000, len(YEARS)), "cap": 20_000.0, "planned": 15_000.0},
                           index=YEARS)
    return render(rf.use_figure(use_cap, L=Labels(lang), unit="m3"))


def _fan(lang: str) -> Drawing:
    L = Labels(lang)
    groups = ["baseline", LONG[lang], "surcharge ×2", "reserve off"]
    rows = [{"group": g, "year": y, "n": 5, "median": 10.0 ** (i + 1) * (y - 2020), "low": 0.0,
             "high": 3e4 * (y - 2020)} for i, g in enumerate(groups) for y in YEARS]
    return render(fan_figure(pd.DataFrame(rows), groups, L=L, metric="mean_price", unit="yuan_per_m3",
                             band_key="cmp.fig.band", title=LONG[lang], zero_line=True))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", ["prices", "volume", "surcharge", "reserve_one", "reserve_many", "use", "fan"])
def test_every_text_fits_and_the_legend_is_below(kind: str, lang: str) -> None:
    d = {"prices": _prices, "volume": _volume, "surcharge": _surcharge, "use": _use, "fan": _fan,
         "reserve_one": lambda g: _reserve(g, 1), "reserve_many": lambda g: _reserve(g, 3)}[kind](lang)
    _check(d)


def test_long_texts_break_into_two_lines_and_are_cut_short_beyond() -> None:
    size = 12.0
    room = width("(10 thousand m²)", size) + 1
    assert wrap("Traded quantity (10 thousand m²)", room, size) == ["Traded quantity", "(10 thousand m²)"]
    assert wrap("交易量（万平方米）", width("（万平方米）", size) + 1, size) == ["交易量", "（万平方米）"]
    assert wrap("甲乙丙丁", width("甲乙", size) + 1, size) == ["甲乙", "丙丁"]
    assert wrap("short", 100.0, size) == ["short"]
    narrow = width("a b c", size) + 1
    cut = wrap("a b c d e f g h i j k l m n o p", narrow, size)
    assert cut[0] == "a b c" and cut[-1].endswith("…") and len(cut) == 2
    assert all(width(t, size) <= narrow for t in cut)
