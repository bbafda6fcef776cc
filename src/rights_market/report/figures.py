"""Figures of the report: prices, volume, surcharges, the reserve and use against the cap of one right.

Every function takes data already aggregated by :mod:`rights_market.report.build` (money already in
yuan, time already as fractional calendar years) and returns PNG bytes, or ``None`` when there is nothing
to draw — the caller then writes a sentence instead of an empty figure. Style, fonts, margins and PNG
encoding are in :mod:`rights_market.report.figure_base` and :mod:`rights_market.report.figure_layout`
(names used by other figure modules are re-exported here).

Chinese labels
    The package ships a Chinese font (:mod:`rights_market.report.fonts`), registered with matplotlib when
    this module is imported, so Chinese figures work on any machine. :func:`cjk_font_family` returns it
    (or, should the file be missing, any installed font covering Chinese characters); only when there is
    none at all does :func:`figure_language` fall back to English for the figures — the HTML/Markdown text
    stays Chinese and says so — so no "missing glyph" warning is ever raised.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.style
import pandas as pd
from matplotlib import font_manager
from matplotlib.patches import Patch

from . import figure_base, figure_layout, fonts
from .figure_base import (
    _BAR_WIDTH,
    _RC,
    DPI,
    FIGSIZE,
    _canvas,
    _colors,
    _legend,
    _new_figure,
    _number_formatter,
    _png,
    _price_formatter,
    _scaled_unit,
    _step_years,
    _year_axis,
    axis_scale,
)
from .labels import Labels

#: Every module whose source decides the pixels of the figures drawn here: the figure cache keys on their
#: source (:mod:`rights_market.report.figure_cache`), so a change to any of them draws the figures again.
DRAWING_MODULES = (sys.modules[__name__], figure_base, figure_layout, fonts)

#: Characters a font must have to be used for Chinese figure labels.
_CJK_PROBE = "水权交易价格年份收储总量指标档"
#: Fonts that claim every code point but draw only placeholder boxes.
_NOT_CJK = ("last resort",)

__all__ = [
    "DPI", "DRAWING_MODULES", "FIGSIZE", "MAX_LEGEND", "axis_scale", "cjk_font_family", "figure_language", "mechanism_entries",
    "price_figure", "relations_text", "reserve_figure", "surcharge_figure", "use_figure", "volume_figure",
    "_colors", "_legend", "_new_figure", "_number_formatter", "_png", "_scaled_unit", "_style", "_year_axis",
]

# --------------------------------------------------------------------------------------------- fonts
_cjk_cache: dict[int, str | None] = {}
fonts.register()  # the bundled Chinese font, once per process


def cjk_font_family() -> str | None:
    """Name of an installed font family covering Chinese characters, or ``None``.

    The font bundled with the package (:data:`rights_market.report.fonts.FAMILY`) first; without it, the
    character map of every font matplotlib knows is checked (cached per number of known fonts, so a font
    added later with ``fontManager.addfont`` is picked up).
    """
    bundled = fonts.register()
    if bundled is not None:
        return bundled
    known = font_manager.fontManager.ttflist
    key = len(known)
    if key not in _cjk_cache:
        _cjk_cache[key] = _find_cjk_font(known)
    return _cjk_cache[key]


def _find_cjk_font(fonts: Sequence[font_manager.FontEntry]) -> str | None:
    from matplotlib import ft2font

    needed = {ord(c) for c in _CJK_PROBE}
    for entry in sorted(fonts, key=lambda e: (e.name, str(e.fname))):
        if any(bad in entry.name.lower() for bad in _NOT_CJK):
            continue
        try:
            charmap = ft2font.FT2Font(str(entry.fname)).get_charmap()
        except (OSError, RuntimeError, ValueError):
            continue
        if needed.issubset(charmap):
            return entry.name
    return None


def figure_language(lang: str) -> str:
    """Language of figure labels: ``lang``, or English if ``lang`` needs a CJK font that is missing."""
    if lang == "zh" and cjk_font_family() is None:
        return "en"
    return lang


@contextmanager
def _style(lang: str) -> Iterator[None]:
    rc = dict(_RC)
    if lang == "zh":
        cjk = cjk_font_family()
        if cjk is not None:
            # Latin text and digits from DejaVu Sans, Chinese characters from the CJK font (fallback list).
            rc["font.family"] = [fonts.LATIN_FAMILY, cjk]
    with mpl.style.context("default"), mpl.rc_context(rc):
        yield



# --------------------------------------------------------------------------------------------- helpers
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
) -> bytes | None:
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
    with _style(L.lang):
        fig, ax = _new_figure()
        # Few trades: large, clear dots; many trades: small, faint dots so that density shows.
        size, alpha = (
            (18.0, 0.75) if len(points) <= 300 else ((8.0, 0.45) if len(points) <= 5000 else (4.0, 0.25))
        )
        base_entries = len(base_lines) if base_band is None else 1
        has_mean = not yearly_mean.empty
        counts = points["mechanism"].value_counts().to_dict()
        own, other = mechanism_entries(
            counts, list(mech_colors), max_legend - int(has_mean) - base_entries
        )
        groups: list[tuple[list[str], str, str]] = [
            ([m], mech_colors[m], L("fig.prices.trades", mechanism=L.code("mech", m))) for m in own
        ]
        if other:
            groups.append((other, "#7f7f7f", L("fig.prices.trades_other")))
        for mechs, color, label in groups:
            sel = points[points["mechanism"].isin(mechs)]
            ax.scatter(
                sel["x"].to_numpy(dtype=float),
                sel["price"].to_numpy(dtype=float),
                s=size,
                alpha=alpha,
                color=color,
                linewidths=0,
                label=label,
                rasterized=False,
            )
        if has_mean:
            ym = yearly_mean.sort_index()
            ax.plot(
                [y + 0.5 for y in ym.index],
                ym.to_numpy(dtype=float),
                color="black",
                linewidth=2.2,
                marker="o",
                markersize=4,
                label=L("fig.prices.mean"),
            )
        styles = (("firebrick", "--", 1.6), ("#1b9e77", ":", 1.8))
        for (label, series), (color, ls, lw) in zip(base_lines, styles, strict=False):
            _step_years(ax, series, color=color, linestyle=ls, linewidth=lw, label=_shorten(label, 60))
        if base_band is not None and not base_band.empty:
            band = base_band.sort_index()
            xs = [float(y) for y in band.index] + [float(band.index[-1]) + 1.0]
            low = [float(v) for v in band["low"]] + [float(band["low"].iloc[-1])]
            high = [float(v) for v in band["high"]] + [float(band["high"].iloc[-1])]
            ax.fill_between(
                xs, low, high, step="post", color="firebrick", alpha=0.15, linewidth=0, label=band_label
            )
            ax.step(xs, low, where="post", color="firebrick", linewidth=0.9, linestyle="--")
            ax.step(xs, high, where="post", color="firebrick", linewidth=0.9, linestyle="--")
        ax.set_title(title)
        ax.set_xlabel(L("fig.year"))
        ax.set_ylabel(ylabel)
        top = float(ax.dataLim.y1)  # highest dot, mean or base price
        ax.set_ylim(0, top * 1.06 if math.isfinite(top) and top > 0 else 1.0)
        ax.yaxis.set_major_formatter(_price_formatter())
        if years is not None:
            first = min(years[0], math.floor(float(points["x"].min())))
            last = max(years[1] + 1, math.ceil(float(points["x"].max())))
            pad = 0.03 * (last - first)
            ax.set_xlim(first - pad, last + pad)
        _year_axis(ax)
        _legend(fig)
        return _png(fig)


def _stacked_bars(ax: object, volume: pd.DataFrame, mech_colors: Mapping[str, str], L: Labels) -> None:
    years = [int(y) for y in volume.index]
    bottom = [0.0] * len(years)
    for mech in volume.columns:
        heights = [float(v) for v in volume[mech].to_numpy(dtype=float)]
        ax.bar(years, heights, bottom=bottom, width=_BAR_WIDTH, color=mech_colors[mech], label=L.code("mech", mech))
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]


def volume_figure(
    panels: Sequence[tuple[str, str, pd.DataFrame]],
    *,
    L: Labels,
    mech_colors: Mapping[str, str],
) -> bytes | None:
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
    height = FIGSIZE[1] if n == 1 else 0.9 + 2.6 * rows
    with _style(L.lang):
        fig = _canvas((FIGSIZE[0], height))
        axes = fig.subplots(rows, cols, squeeze=False, sharex=True)
        used: list[str] = []
        for i, (title, unit_text, volume) in enumerate(panels):
            ax = axes[i // cols][i % cols]
            power = axis_scale(float(volume.sum(axis=1).max()), L.lang)
            _stacked_bars(ax, volume, mech_colors, L)
            used += [m for m in volume.columns if m not in used]
            if n == 1:
                ax.set_title(L("fig.volume.title"))
                ax.set_xlabel(L("fig.year"))
            else:
                ax.set_title(title, fontsize=10)
            ax.set_ylabel(L("fig.volume.y", unit=_scaled_unit(L, power, unit_text)))
            ax.yaxis.set_major_formatter(_number_formatter(power))
            _year_axis(ax, years, most=20 if cols == 1 else 7)
            ax.tick_params(axis="x", labelbottom=True)
        for j in range(n, rows * cols):
            axes[j // cols][j % cols].remove()
        if n > 1:
            fig.suptitle(L("fig.volume.title_products"))
        order = [m for m in mech_colors if m in used]
        _legend(fig, [Patch(color=mech_colors[m], label=L.code("mech", m)) for m in order])
        return _png(fig)


def surcharge_figure(by_band: pd.DataFrame, *, L: Labels) -> bytes | None:
    """(c) Stacked bars of surcharge revenue (yuan) per year; ``by_band`` indexed by year, one column per band."""
    if by_band.empty or float(by_band.to_numpy(dtype=float).sum()) == 0.0:
        return None
    power = axis_scale(float(by_band.sum(axis=1).max()), L.lang)
    with _style(L.lang):
        fig, ax = _new_figure()
        years = [int(y) for y in by_band.index]
        bottom = [0.0] * len(years)
        # Bands in a sequential colour map: higher band = darker.
        cmap = mpl.colormaps["YlOrRd"]
        n = len(by_band.columns)
        for i, band in enumerate(by_band.columns):
            heights = [float(v) for v in by_band[band].to_numpy(dtype=float)]
            color = cmap(0.35 + 0.6 * (i / max(n - 1, 1)))
            label = L("fig.surcharge.band", band=int(band)) if int(band) > 0 else L("band.none")
            ax.bar(years, heights, bottom=bottom, width=_BAR_WIDTH, color=color, label=label)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.set_title(L("fig.surcharge.title"))
        ax.set_xlabel(L("fig.year"))
        ax.set_ylabel(L("fig.surcharge.y", money=_scaled_unit(L, power, L.unit("yuan"))))
        ax.yaxis.set_major_formatter(_number_formatter(power))
        _year_axis(ax, years)
        _legend(fig)
        return _png(fig)


def reserve_figure(
    stock: pd.DataFrame, cash: pd.DataFrame, *, L: Labels, units: Mapping[str, str], names: Mapping[str, str]
) -> bytes | None:
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
    money_text = _scaled_unit(L, p_cash, L.unit("yuan"))
    with _style(L.lang):
        if len(products) == 1:
            fig, ax = _new_figure()
            unit_text = _reserve_stock_axis(ax, stock, products, units, names, L, single=True)
            ax2 = ax.twinx()
            ax2.spines["right"].set_visible(True)
            ax2.grid(False)
            _reserve_cash_axis(ax2, cash, p_cash, money_text, L, color=_colors(2)[1])
            ax.set_title(L("fig.reserve.title"))
            ax.set_xlabel(L("fig.year"))
            ax.set_ylabel(L("fig.reserve.stock", unit=unit_text))
            _year_axis(ax)
            _legend(fig, [*ax.get_lines(), *ax2.get_lines()])
            return _png(fig)
        groups = list(dict.fromkeys(units[p] for p in products))
        n = len(groups) + 1
        fig = _canvas((FIGSIZE[0], 1.0 + 2.4 * n))
        axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
        handles = []
        colors = dict(zip(products, _colors(len(products)), strict=True))
        for ax, unit in zip(axes[:-1], groups, strict=True):
            of_unit = [p for p in products if units[p] == unit]
            unit_text = _reserve_stock_axis(ax, stock, of_unit, units, names, L, colors=colors)
            ax.set_ylabel(L("fig.reserve.stock", unit=unit_text))
            handles += list(ax.get_lines())
        _reserve_cash_axis(axes[-1], cash, p_cash, money_text, L, color="black")
        axes[-1].set_ylabel(L("fig.reserve.cash", money=money_text))
        axes[-1].set_xlabel(L("fig.year"))
        for ax in axes:
            _year_axis(ax)
        fig.suptitle(L("fig.reserve.title"))
        _legend(fig, [*handles, *axes[-1].get_lines()])
        return _png(fig)


def _reserve_stock_axis(
    ax: object,
    stock: pd.DataFrame,
    products: Sequence[str],
    units: Mapping[str, str],
    names: Mapping[str, str],
    L: Labels,
    *,
    single: bool = False,
    colors: Mapping[str, str] | None = None,
) -> str:
    sel_all = stock[stock["product"].isin(products)]
    power = axis_scale(float(sel_all["stock"].abs().max()), L.lang)
    unit_text = _scaled_unit(L, power, units[products[0]])
    for product in products:
        sel = stock[stock["product"] == product]
        label = L("fig.reserve.stock", unit=unit_text) if single else L("fig.reserve.stock_of", product=names[product])
        ax.step(
            sel["x"].to_numpy(dtype=float),
            sel["stock"].to_numpy(dtype=float),
            where="post",
            color=(colors or {}).get(product, _colors(1)[0]),
            linewidth=1.8,
            label=label,
        )
    ax.yaxis.set_major_formatter(_number_formatter(power))
    ax.set_ylim(bottom=min(0.0, float(sel_all["stock"].min())))
    return unit_text


def _reserve_cash_axis(ax: object, cash: pd.DataFrame, power: int, money_text: str, L: Labels, *, color: str) -> None:
    if not cash.empty:
        ax.step(
            cash["x"].to_numpy(dtype=float),
            cash["cash"].to_numpy(dtype=float),
            where="post",
            color=color,
            linewidth=1.4,
            linestyle="--",
            label=L("fig.reserve.cash", money=money_text),
        )
    ax.set_ylabel(L("fig.reserve.cash", money=money_text))
    ax.yaxis.set_major_formatter(_number_formatter(power))


def use_figure(use_cap: pd.DataFrame, *, L: Labels, unit: str) -> bytes | None:
    """(e) Use per year (bars) against cap and planned (step lines); indexed by year, columns among
    ``use``, ``cap``, ``planned``."""
    cols = [c for c in ("use", "cap", "planned") if c in use_cap.columns]
    if use_cap.empty or not cols or use_cap[cols].isna().all().all():
        return None
    power = axis_scale(float(use_cap[cols].abs().max().max()), L.lang)
    unit_text = _scaled_unit(L, power, L.unit(unit))
    with _style(L.lang):
        fig, ax = _new_figure()
        years = [int(y) for y in use_cap.index]
        if "use" in cols:
            use = use_cap["use"].fillna(0.0).to_numpy(dtype=float)
            cap = use_cap["cap"].to_numpy(dtype=float) if "cap" in cols else [math.nan] * len(years)
            over = [bool(u > c) for u, c in zip(use, cap, strict=True)]  # False where the cap is missing
            within_x = [y for y, o in zip(years, over, strict=True) if not o]
            over_x = [y for y, o in zip(years, over, strict=True) if o]
            if within_x:
                ax.bar(
                    within_x,
                    [u for u, o in zip(use, over, strict=True) if not o],
                    width=_BAR_WIDTH,
                    color="#4c72b0",
                    label=L("fig.use.use"),
                )
            if over_x:
                ax.bar(
                    over_x,
                    [u for u, o in zip(use, over, strict=True) if o],
                    width=_BAR_WIDTH,
                    color="#c44e52",
                    label=L("fig.use.over"),
                )
        # Step lines centred on the bars: each year's value spans [year - 0.5, year + 0.5).
        shifted = use_cap.copy()
        shifted.index = [y - 0.5 for y in years]
        if "cap" in cols:
            _step_years(ax, shifted["cap"], color="firebrick", linewidth=2.0, label=L("fig.use.cap"))
        if "planned" in cols:
            _step_years(
                ax,
                shifted["planned"],
                color="darkorange",
                linewidth=1.6,
                linestyle=":",
                label=L("fig.use.planned"),
            )
        ax.set_title(L("fig.use.title"))
        ax.set_xlabel(L("fig.year"))
        ax.set_ylabel(L("fig.use.y", unit=unit_text))
        ax.yaxis.set_major_formatter(_number_formatter(power))
        _year_axis(ax, years)
        _legend(fig)
        return _png(fig)
