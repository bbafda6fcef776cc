"""Figures of the report: prices, volume, surcharges, the reserve and use against the cap of one right.

Every function takes data already aggregated by :mod:`rights_market.report.build` (money already in
yuan, time already as fractional calendar years) and returns a :class:`~rights_market.report.chart.Chart`
(drawn as SVG by :func:`rights_market.report.figure_base.svg`), or ``None`` when there is nothing to draw —
the caller then writes a sentence instead of an empty figure. Labels come in the report's language: the
SVG's text is set by the viewer (the Chinese HTML page embeds the font it needs), so Chinese figures need no
font on the machine that writes them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from .chart import Axis, Band, Bars, Chart, LegendEntry, Line, Panel, Points
from .chart.model import HEIGHT
from .figure_base import BAR_WIDTH, axis_scale, colors, pt, scaled_unit, sequential, step_years
from .labels import Labels

__all__ = [
    "MAX_LEGEND", "mechanism_entries", "price_figure", "relations_text", "reserve_figure", "surcharge_figure",
    "use_figure", "volume_figure",
]


def relations_text(L: Labels, relations: Sequence[tuple[str, str, int]]) -> str:
    """Kinds of trade ``(relation, deal, lease_years)`` in words (:meth:`Labels.relation`):
    ``agriculture->industry`` as ``Agriculture → Industry``, a 20-year primary lease ``reserve->firm`` as
    ``20-year lease, primary long lease: Reserve → Firms``; more than two shortened."""
    rels = [L.relation(*r) for r in relations]
    if len(rels) <= 2:
        return ", ".join(rels)
    return L("fig.prices.relations_more", first=rels[0], more=len(rels) - 1)

# --------------------------------------------------------------------------------------------- figures
#: Most entries a legend of a price figure has (trades by mechanism, the yearly mean, base prices).
MAX_LEGEND = 6
#: Longest relation text in a legend entry before it is cut short with "…".
_MAX_RELATION_CHARS = 44


def _shorten(text: str, limit: int = _MAX_RELATION_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mechanism_entries(
    counts: Mapping[str, int], order: Sequence[str], budget: int
) -> tuple[list[str], list[str]]:
    """Mechanisms with their own legend entry and those drawn together as "other mechanisms".

    All mechanisms get their own entry if they fit in ``budget`` entries; otherwise the ``budget - 1``
    with the most trades (ties in ``order``) do, and the rest share one entry.
    """
    mechs = [m for m in order if counts.get(m, 0) > 0]
    budget = max(budget, 1)
    if len(mechs) <= budget:
        return mechs, []
    rank = sorted(mechs, key=lambda m: (-counts[m], mechs.index(m)))
    keep = set(rank[: budget - 1])
    return [m for m in mechs if m in keep], [m for m in mechs if m not in keep]



def _year_axis(label: str = "", years: Sequence[int] | None = None, most: int = 20, **kw: object) -> Axis:
    """Years on the x axis: a tick at each of ``years`` if there are at most ``most`` of them (a narrow panel
    has room for fewer labels), else at most ten round years."""
    if years is not None and len(years) <= most:
        return Axis(label, "year", ticks=tuple(float(y) for y in years), most=most, **kw)
    return Axis(label, "year", most=min(most, 10), **kw)


def _col(frame: pd.DataFrame | pd.Series, name: str | None = None) -> tuple[float, ...]:
    values = frame[name] if name is not None else frame
    return tuple(float(v) for v in values.to_numpy(dtype=float))


def _nonempty(*series: object) -> tuple:
    return tuple(s for s in series if s is not None)


def price_figure(
    points: pd.DataFrame,
    yearly_mean: pd.Series,
    base_lines: Sequence[tuple[str, pd.Series]],
    base_band: pd.DataFrame | None,
    *,
    L: Labels,
    title: str,
    ylabel: str,
    mech_colors: Mapping[str, str],
    band_label: str = "",
    max_legend: int = MAX_LEGEND,
    years: tuple[int, int] | None = None,
) -> Chart | None:
    """(a) Prices of the trades of one product over time, the yearly volume-weighted mean, base prices.

    ``points``: columns ``x`` (fractional year), ``price`` (yuan per shown unit), ``mechanism``.
    ``yearly_mean``: yuan per shown unit indexed by year. ``base_lines``: at most two labelled base price
    levels per year; ``base_band``: instead of lines, the range of the base prices of many relations per
    year (columns ``low``, ``high``, indexed by year), one legend entry ``band_label``. The legend has at
    most ``max_legend`` entries: mechanisms beyond the budget are drawn together as "other mechanisms".
    ``years``: first and last year of the x axis (the same for every product of a right), else the data's.
    """
    if points.empty:
        return None
    # Few trades: large, clear dots; many trades: small, faint dots so that density shows.
    size, alpha = (18.0, 0.75) if len(points) <= 300 else ((8.0, 0.45) if len(points) <= 5000 else (4.0, 0.25))
    base_entries = len(base_lines) if base_band is None else 1
    has_mean = not yearly_mean.empty
    counts = points["mechanism"].value_counts().to_dict()
    own, other = mechanism_entries(counts, list(mech_colors), max_legend - int(has_mean) - base_entries)
    groups: list[tuple[list[str], str, str]] = [
        ([m], mech_colors[m], L("fig.prices.trades", mechanism=L.code("mech", m))) for m in own
    ]
    if other:
        groups.append((other, "#7f7f7f", L("fig.prices.trades_other")))
    series: list[object] = []
    for mechs, color, label in groups:
        sel = points[points["mechanism"].isin(mechs)]
        series.append(Points(_col(sel, "x"), _col(sel, "price"), color, pt(math.sqrt(size)), alpha, label))
    if has_mean:
        ym = yearly_mean.sort_index()
        series.append(Line(tuple(float(y) + 0.5 for y in ym.index), _col(ym), "#000000", pt(2.2),
                           marker="o", marker_size=pt(4.0), label=L("fig.prices.mean")))
    styles = (("#b22222", "--", 1.6), ("#1b9e77", ":", 1.8))
    for (label, line), (color, dash, lw) in zip(base_lines, styles, strict=False):
        series.append(step_years(line, color=color, dash=dash, width=pt(lw), label=_shorten(label, 60)))
    if base_band is not None and not base_band.empty:
        band = base_band.sort_index()
        xs = (*(float(y) for y in band.index), float(band.index[-1]) + 1.0)
        low = (*_col(band, "low"), float(band["low"].iloc[-1]))
        high = (*_col(band, "high"), float(band["high"].iloc[-1]))
        series.append(Band(xs, low, high, "#b22222", 0.15, step=True, edge_dash="--", label=band_label))
    series = [s for s in series if s is not None]
    top = max((v for s in series for v in (getattr(s, "ys", ()) or getattr(s, "highs", ()))
               if math.isfinite(v)), default=math.nan)  # highest dot, mean or base price
    ylim = (0.0, top * 1.06 if math.isfinite(top) and top > 0 else 1.0)
    xlim = None
    if years is not None:
        first = min(years[0], math.floor(float(points["x"].min())))
        last = max(years[1] + 1, math.ceil(float(points["x"].max())))
        pad = 0.03 * (last - first)
        xlim = (first - pad, last + pad)
    panel = Panel(tuple(series), x=_year_axis(L("fig.year"), limits=xlim), y=Axis(ylabel, "price", limits=ylim))
    return Chart((panel,), title=title)


def volume_figure(
    panels: Sequence[tuple[str, str, pd.DataFrame]],
    *,
    L: Labels,
    mech_colors: Mapping[str, str],
) -> Chart | None:
    """(b) Stacked bars of traded quantity per year by mechanism, one panel per product.

    ``panels``: ``(product title, unit text, volume)`` with ``volume`` indexed by year, one column per
    mechanism, in the shown unit. One panel: a plain chart titled by mechanism; several: small multiples,
    each with its own y axis and unit, sharing the years and one legend of mechanisms.
    """
    panels = [p for p in panels if not p[2].empty and float(p[2].to_numpy(dtype=float).sum()) > 0.0]
    if not panels:
        return None
    years = sorted({int(y) for _, _, v in panels for y in v.index})
    n = len(panels)
    cols = 1 if n == 1 else 2
    rows = math.ceil(n / cols)
    out = []
    used: list[str] = []
    for title, unit_text, volume in panels:
        power = axis_scale(float(volume.sum(axis=1).max()), L.lang)
        used += [m for m in volume.columns if m not in used]
        out.append(Panel(
            _stacked_bars(volume, mech_colors, L),
            x=_year_axis(L("fig.year") if n == 1 else "", years, most=20 if cols == 1 else 7),
            y=Axis(L("fig.volume.y", unit=scaled_unit(L, power, unit_text)), "number", power),
            title="" if n == 1 else title,
        ))
    legend = tuple(LegendEntry(L.code("mech", m), mech_colors[m]) for m in mech_colors if m in used)
    return Chart(tuple(out), L("fig.volume.title") if n == 1 else L("fig.volume.title_products"), cols,
                 HEIGHT if n == 1 else 100.0 * (0.9 + 2.6 * rows), legend)


def _stacked_bars(volume: pd.DataFrame, mech_colors: Mapping[str, str], L: Labels) -> tuple[Bars, ...]:
    years = tuple(float(y) for y in volume.index)
    bottom = (0.0,) * len(years)
    out = []
    for mech in volume.columns:
        heights = _col(volume, mech)
        out.append(Bars(years, heights, mech_colors[mech], BAR_WIDTH, bottom, L.code("mech", mech)))
        bottom = tuple(b + h for b, h in zip(bottom, heights, strict=True))
    return tuple(out)


def surcharge_figure(by_band: pd.DataFrame, *, L: Labels) -> Chart | None:
    """(c) Stacked bars of surcharge revenue (yuan) per year; ``by_band`` indexed by year, one column per band."""
    if by_band.empty or float(by_band.to_numpy(dtype=float).sum()) == 0.0:
        return None
    power = axis_scale(float(by_band.sum(axis=1).max()), L.lang)
    years = tuple(float(y) for y in by_band.index)
    bottom = (0.0,) * len(years)
    n = len(by_band.columns)
    bars = []
    for i, band in enumerate(by_band.columns):  # higher band = darker
        heights = _col(by_band, band)
        label = L("fig.surcharge.band", band=int(band)) if int(band) > 0 else L("band.none")
        bars.append(Bars(years, heights, sequential(0.35 + 0.6 * (i / max(n - 1, 1))), BAR_WIDTH, bottom, label))
        bottom = tuple(b + h for b, h in zip(bottom, heights, strict=True))
    panel = Panel(tuple(bars), x=_year_axis(L("fig.year"), [int(y) for y in years]),
                  y=Axis(L("fig.surcharge.y", money=scaled_unit(L, power, L.unit("yuan"))), "number", power))
    return Chart((panel,), L("fig.surcharge.title"))


def reserve_figure(
    stock: pd.DataFrame, cash: pd.DataFrame, *, L: Labels, units: Mapping[str, str], names: Mapping[str, str]
) -> Chart | None:
    """(d) Reserve stock per product and the reserve's cash (yuan) after each action.

    ``stock``: columns ``x`` (fractional year), ``product``, ``stock`` (shown unit), in action order.
    ``cash``: columns ``x``, ``cash`` — the one cash account of the right's reserve. ``units``: unit text
    of each product; ``names``: its name. One product: stock (left axis) and cash (right axis) in one
    chart. Several: one panel of stock per unit (a line per product) above a panel of cash.
    """
    if stock.empty:
        return None
    products = list(dict.fromkeys(stock["product"]))
    p_cash = axis_scale(float(cash["cash"].abs().max()), L.lang) if not cash.empty else 0
    money_text = scaled_unit(L, p_cash, L.unit("yuan"))
    cash_label = L("fig.reserve.cash", money=money_text)
    if len(products) == 1:
        lines, y = _reserve_stock(stock, products, units, names, L, single=True)
        cash_line = _reserve_cash(cash, cash_label, colors(2)[1], right_axis=True)
        panel = Panel((*lines, *_nonempty(cash_line)), x=_year_axis(L("fig.year")), y=y,
                      y2=Axis(cash_label, "number", p_cash))
        return Chart((panel,), L("fig.reserve.title"))
    groups = list(dict.fromkeys(units[p] for p in products))
    palette = dict(zip(products, colors(len(products)), strict=True))
    panels = []
    for unit in groups:
        lines, y = _reserve_stock(stock, [p for p in products if units[p] == unit], units, names, L, palette=palette)
        panels.append(Panel(lines, x=_year_axis(tick_labels=False), y=y))
    cash_line = _reserve_cash(cash, cash_label, "#000000", right_axis=False)
    panels.append(Panel(_nonempty(cash_line), x=_year_axis(L("fig.year")), y=Axis(cash_label, "number", p_cash)))
    return Chart(tuple(panels), L("fig.reserve.title"), height=100.0 * (1.0 + 2.4 * len(panels)))


def _reserve_stock(stock: pd.DataFrame, products: Sequence[str], units: Mapping[str, str],
                   names: Mapping[str, str], L: Labels, *, single: bool = False,
                   palette: Mapping[str, str] | None = None) -> tuple[tuple[Line, ...], Axis]:
    sel_all = stock[stock["product"].isin(products)]
    power = axis_scale(float(sel_all["stock"].abs().max()), L.lang)
    unit_text = scaled_unit(L, power, units[products[0]])
    lines = []
    for product in products:
        sel = stock[stock["product"] == product]
        label = L("fig.reserve.stock", unit=unit_text) if single else L("fig.reserve.stock_of", product=names[product])
        lines.append(Line(_col(sel, "x"), _col(sel, "stock"), (palette or {}).get(product, colors(1)[0]), pt(1.8),
                          step=True, label=label))
    low = min(0.0, float(sel_all["stock"].min()))
    return tuple(lines), Axis(L("fig.reserve.stock", unit=unit_text), "number", power, limits=(low, None))


def _reserve_cash(cash: pd.DataFrame, label: str, color: str, *, right_axis: bool) -> Line | None:
    if cash.empty:
        return None
    return Line(_col(cash, "x"), _col(cash, "cash"), color, pt(1.4), "--", step=True, label=label,
                right_axis=right_axis)


def use_figure(use_cap: pd.DataFrame, *, L: Labels, unit: str) -> Chart | None:
    """(e) Use per year (bars) against cap and planned (step lines); indexed by year, columns among
    ``use``, ``cap``, ``planned``."""
    cols = [c for c in ("use", "cap", "planned") if c in use_cap.columns]
    if use_cap.empty or not cols or use_cap[cols].isna().all().all():
        return None
    power = axis_scale(float(use_cap[cols].abs().max().max()), L.lang)
    unit_text = scaled_unit(L, power, L.unit(unit))
    years = [int(y) for y in use_cap.index]
    series: list[object] = []
    if "use" in cols:
        use = _col(use_cap["use"].fillna(0.0))
        cap = _col(use_cap, "cap") if "cap" in cols else (math.nan,) * len(years)
        over = [bool(u > c) for u, c in zip(use, cap, strict=True)]  # False where the cap is missing
        for is_over, color, key in ((False, "#4c72b0", "fig.use.use"), (True, "#c44e52", "fig.use.over")):
            xs = tuple(float(y) for y, o in zip(years, over, strict=True) if o == is_over)
            if xs:
                hs = tuple(u for u, o in zip(use, over, strict=True) if o == is_over)
                series.append(Bars(xs, hs, color, BAR_WIDTH, label=L(key)))
    # Step lines centred on the bars: each year's value spans [year - 0.5, year + 0.5).
    shifted = use_cap.copy()
    shifted.index = [y - 0.5 for y in years]
    if "cap" in cols:
        series.append(step_years(shifted["cap"], color="#b22222", width=pt(2.0), label=L("fig.use.cap")))
    if "planned" in cols:
        series.append(step_years(shifted["planned"], color="#ff8c00", width=pt(1.6), dash=":",
                                 label=L("fig.use.planned")))
    panel = Panel(_nonempty(*series), x=_year_axis(L("fig.year"), years),
                  y=Axis(L("fig.use.y", unit=unit_text), "number", power))
    return Chart((panel,), L("fig.use.title"))
