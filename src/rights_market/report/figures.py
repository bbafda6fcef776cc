"""Figures of the report, drawn with matplotlib's Agg canvas (no pyplot, no GUI, no global state).

Every function takes data already aggregated by :mod:`rights_market.report.build` (money already in
yuan, time already as fractional calendar years) and returns PNG bytes, or ``None`` when there is nothing
to draw — the caller then writes a sentence instead of an empty figure.

Output is deterministic: fixed size and dpi, matplotlib's default style under a fixed set of rcParams,
no ``Software``/date metadata in the PNG, ``svg.hashsalt`` fixed.

Chinese labels
    The package ships a Chinese font (:mod:`rights_market.report.fonts`), registered with matplotlib when
    this module is imported, so Chinese figures work on any machine. :func:`cjk_font_family` returns it
    (or, should the file be missing, any installed font covering Chinese characters); only when there is
    none at all does :func:`figure_language` fall back to English for the figures — the HTML/Markdown text
    stays Chinese and says so — so no "missing glyph" warning is ever raised.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.style
import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import fonts
from .labels import Labels

DPI = 100
FIGSIZE = (8.0, 4.8)

#: Characters a font must have to be used for Chinese figure labels.
_CJK_PROBE = "水权交易价格年份收储总量指标档"
#: Fonts that claim every code point but draw only placeholder boxes.
_NOT_CJK = ("last resort",)

#: Powers of ten used to shorten axis numbers, per figure language (largest first), each with the value
#: from which it is used (English: thousands from 10,000 on, so 1,500 stays 1,500; Chinese: 万 and 亿).
_SCALES: Mapping[str, tuple[tuple[int, float], ...]] = {
    "en": ((9, 1e9), (6, 1e6), (3, 1e4)),
    "zh": ((8, 1e8), (4, 1e4)),
}

_RC: dict[str, object] = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.figsize": FIGSIZE,
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.formatter.useoffset": False,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "svg.hashsalt": "rights-market-report",
    "path.simplify": True,
}

_BAR_WIDTH = 0.7


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


def _new_figure() -> tuple[Figure, object]:
    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


# --------------------------------------------------------------------------------------------- helpers
def axis_scale(max_abs: float, lang: str) -> int:
    """Power of ten to divide axis values by (0 = none), chosen so the largest tick stays readable."""
    if not math.isfinite(max_abs) or max_abs <= 0:
        return 0
    for power, threshold in _SCALES.get(lang, _SCALES["en"]):
        if max_abs >= threshold:
            return power
    return 0


def _scaled_unit(L: Labels, power: int, unit_text: str) -> str:
    if power == 0:
        return unit_text
    return L("scale.unit", scale=L(f"scale.{power}"), unit=unit_text)


def _number_formatter(power: int) -> FuncFormatter:
    factor = 10.0**power

    def fmt(value: float, _pos: int | None = None) -> str:
        v = value / factor
        if abs(v - round(v)) < 1e-9:
            return f"{round(v):,}"
        return f"{v:,.2f}".rstrip("0").rstrip(".")

    return FuncFormatter(fmt)


def _year_axis(ax: object, years: Sequence[int] | None = None) -> None:
    if years is not None and len(years) <= 20:
        ax.set_xticks(list(years))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p=None: f"{int(round(v))}"))


def _legend(fig: Figure, handles: Sequence[object] | None = None) -> None:
    """One legend below the plot, outside the axes, so it never hides data; markers drawn opaque."""
    if handles is None:
        handles, labels = [], []
        for ax in fig.axes:
            h, lab = ax.get_legend_handles_labels()
            handles += h
            labels += lab
    else:
        labels = [h.get_label() for h in handles]
    if not handles:
        return
    ncols = 2 if max(len(lab) for lab in labels) > 28 else min(len(handles), 4)
    leg = fig.legend(handles, labels, loc="outside lower center", ncols=ncols)
    for h in leg.legend_handles:
        if h is not None:
            h.set_alpha(1.0)


def relations_text(L: Labels, relations: Sequence[str]) -> str:
    """``agriculture->industry`` as ``Agriculture → Industry``; more than two relations shortened."""

    def one(rel: str) -> str:
        parts = rel.split("->")
        return " → ".join(L.code("sector", p.strip()) for p in parts)

    rels = [one(r) for r in relations]
    if len(rels) <= 2:
        return ", ".join(rels)
    return L("fig.prices.relations_more", first=rels[0], more=len(rels) - 1)


def _colors(n: int) -> list[str]:
    cycle = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    return [cycle[i % len(cycle)] for i in range(n)]


def _step_years(ax: object, series: pd.Series, **kwargs: object) -> None:
    """Draw a per-year value as a horizontal segment across each year (step line)."""
    series = series.dropna().sort_index()
    if series.empty:
        return
    xs = [float(y) for y in series.index] + [float(series.index[-1]) + 1.0]
    ys = [float(v) for v in series.to_numpy()] + [float(series.iloc[-1])]
    ax.step(xs, ys, where="post", **kwargs)


# --------------------------------------------------------------------------------------------- figures
def price_figure(
    points: pd.DataFrame,
    yearly_mean: pd.Series,
    base: pd.Series,
    relation_base: Mapping[tuple[str, ...], pd.Series],
    *,
    L: Labels,
    unit: str,
    mechanisms: Sequence[str],
) -> bytes | None:
    """(a) Scatter of trade prices over time, yearly volume-weighted mean, base price line(s).

    ``points``: columns ``x`` (fractional year), ``price`` (yuan per unit), ``mechanism``.
    ``yearly_mean``/``base``: yuan per unit indexed by year. ``relation_base``: further base price levels
    per year (of trading relations whose base price differs from ``base``), keyed by the relations sharing
    that level.
    """
    if points.empty:
        return None
    punit = L.unit(f"yuan/{unit}")
    with _style(L.lang):
        fig, ax = _new_figure()
        colors = dict(zip(mechanisms, _colors(len(mechanisms)), strict=True))
        # Few trades: large, clear dots; many trades: small, faint dots so that density shows.
        size, alpha = (
            (18.0, 0.75) if len(points) <= 300 else ((8.0, 0.45) if len(points) <= 5000 else (4.0, 0.25))
        )
        for mech in mechanisms:
            sel = points[points["mechanism"] == mech]
            if sel.empty:
                continue
            ax.scatter(
                sel["x"].to_numpy(dtype=float),
                sel["price"].to_numpy(dtype=float),
                s=size,
                alpha=alpha,
                color=colors[mech],
                linewidths=0,
                label=L("fig.prices.trades", mechanism=L.code("mech", mech)),
                rasterized=False,
            )
        if not yearly_mean.empty:
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
        _step_years(ax, base, color="firebrick", linestyle="--", linewidth=1.6, label=L("fig.prices.base"))
        rel_colors = mpl.colormaps["Dark2"].colors
        for i, (rels, series) in enumerate(sorted(relation_base.items())):
            _step_years(
                ax,
                series,
                color=rel_colors[i % len(rel_colors)],
                linestyle=":",
                linewidth=1.4,
                label=L("fig.prices.base_relation", relation=relations_text(L, rels)),
            )
        ax.set_title(L("fig.prices.title"))
        ax.set_xlabel(L("fig.year"))
        ax.set_ylabel(L("fig.prices.y", punit=punit))
        ax.set_ylim(bottom=0)
        _year_axis(ax)
        _legend(fig)
        return _png(fig)


def volume_figure(volume: pd.DataFrame, *, L: Labels, unit: str) -> bytes | None:
    """(b) Stacked bars of traded quantity per year; ``volume`` is indexed by year, one column per mechanism."""
    if volume.empty or float(volume.to_numpy(dtype=float).sum()) == 0.0:
        return None
    power = axis_scale(float(volume.sum(axis=1).max()), L.lang)
    with _style(L.lang):
        fig, ax = _new_figure()
        years = [int(y) for y in volume.index]
        bottom = [0.0] * len(years)
        for mech, color in zip(volume.columns, _colors(len(volume.columns)), strict=True):
            heights = [float(v) for v in volume[mech].to_numpy(dtype=float)]
            ax.bar(years, heights, bottom=bottom, width=_BAR_WIDTH, color=color, label=L.code("mech", mech))
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.set_title(L("fig.volume.title"))
        ax.set_xlabel(L("fig.year"))
        ax.set_ylabel(L("fig.volume.y", unit=_scaled_unit(L, power, L.unit(unit))))
        ax.yaxis.set_major_formatter(_number_formatter(power))
        _year_axis(ax, years)
        _legend(fig)
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


def reserve_figure(reserve: pd.DataFrame, *, L: Labels, unit: str) -> bytes | None:
    """(d) Reserve stock (left axis) and cash in yuan (right axis) after each action.

    ``reserve``: columns ``x`` (fractional year), ``product``, ``stock``, ``cash`` in action order.
    """
    if reserve.empty:
        return None
    products = list(dict.fromkeys(reserve["product"]))
    several = len(products) > 1
    p_stock = axis_scale(float(reserve["stock"].abs().max()), L.lang)
    p_cash = axis_scale(float(reserve["cash"].abs().max()), L.lang)
    unit_text = _scaled_unit(L, p_stock, L.unit(unit))
    money_text = _scaled_unit(L, p_cash, L.unit("yuan"))
    with _style(L.lang):
        fig, ax = _new_figure()
        ax2 = ax.twinx()
        ax2.spines["right"].set_visible(True)
        ax2.grid(False)
        colors = _colors(2 * len(products))
        handles = []
        for i, product in enumerate(products):
            sel = reserve[reserve["product"] == product]
            xs = sel["x"].to_numpy(dtype=float)
            if several:
                lab_s = L("fig.reserve.stock_product", product=product, unit=unit_text)
                lab_c = L("fig.reserve.cash_product", product=product, money=money_text)
            else:
                lab_s = L("fig.reserve.stock", unit=unit_text)
                lab_c = L("fig.reserve.cash", money=money_text)
            (h1,) = ax.step(
                xs,
                sel["stock"].to_numpy(dtype=float),
                where="post",
                color=colors[2 * i],
                linewidth=1.8,
                label=lab_s,
            )
            (h2,) = ax2.step(
                xs,
                sel["cash"].to_numpy(dtype=float),
                where="post",
                color=colors[2 * i + 1],
                linewidth=1.4,
                linestyle="--",
                label=lab_c,
            )
            handles += [h1, h2]
        ax.set_title(L("fig.reserve.title"))
        ax.set_xlabel(L("fig.year"))
        ax.set_ylabel(L("fig.reserve.stock", unit=unit_text))
        ax2.set_ylabel(L("fig.reserve.cash", money=money_text))
        ax.yaxis.set_major_formatter(_number_formatter(p_stock))
        ax2.yaxis.set_major_formatter(_number_formatter(p_cash))
        ax.set_ylim(bottom=min(0.0, float(reserve["stock"].min())))
        _year_axis(ax)
        _legend(fig, handles)
        return _png(fig)


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
