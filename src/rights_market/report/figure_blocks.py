"""The figures of one right as document blocks: prices of each series against base prices, volume by
mechanism, surcharges (with their table), the reserve, use against the cap. Drawing is in
:mod:`rights_market.report.figures`; this module chooses what to draw, names the files and writes captions."""

from __future__ import annotations

import re

import pandas as pd

from ..units import FEN_PER_YUAN, TICKS_PER_YUAN
from . import figures as figs
from .aggregate import (
    MECHANISM_ORDER,
    base_price_levels,
    surcharge_by_year_band,
    volume_by_year_mechanism,
    yearly_kpi,
    yearly_mean_price_fen,
)
from .display_units import Series, order_products, suffix_of
from .document import FigureBlock, Para
from .figure_base import colors, svg
from .fmt import fmt_price
from .labels import Labels
from .right_data import RightData, kpi_base_of, price_unit_text, product_name, series_name
from .run_data import fractional_year, ordered, sorted_in_time
from .tables import surcharge_year_table


def _stem_part(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_") or "product"


def _price_block(
    d: RightData, s: Series, t: pd.DataFrame, L: Labels, mech_colors: dict
) -> str | None:
    factor = float(s.du.factor)
    points = pd.DataFrame(
        {
            "x": fractional_year(t),
            "price": t["price_ticks"].astype(float) / TICKS_PER_YUAN * factor,
            "mechanism": t["mechanism"],
        }
    )
    per_year = yearly_mean_price_fen(t)
    yearly_mean = pd.Series(
        [float(s.du.mean_price(a, q)) for a, q in zip(per_year["amount_fen"], per_year["quantity"], strict=True)],
        index=per_year.index,
        dtype=float,
    )
    kpi_base = kpi_base_of(yearly_kpi(d.kpis, "base_price"), d, s) if len(d.series) == 1 else pd.Series(dtype=float)
    levels = base_price_levels(t, kpi_base, factor)
    lines = []
    for relations, series in levels.lines:
        if not relations or len(levels.lines) == 1:
            label = L("fig.prices.base")
        else:
            label = L("fig.prices.base_relation", relation=figs.relations_text(L, relations))
        lines.append((label, series))
    band_label = ""
    if levels.band is not None:
        band_label = L(
            "fig.prices.base_band",
            n=levels.relations,
            low=fmt_price(round(float(levels.band["low"].min()), 6)),
            high=fmt_price(round(float(levels.band["high"].max()), 6)),
        )
    punit = price_unit_text(L, s)
    ylabel = L({"rent": "fig.prices.y_rent", "term": "fig.prices.y_term"}.get(s.basis, "fig.prices.y"), punit=punit)
    return svg(figs.price_figure(
        points,
        yearly_mean,
        lines,
        levels.band,
        L=L,
        title=L("fig.prices.title_series", name=series_name(L, d, s)),
        ylabel=ylabel,
        mech_colors=mech_colors,
        band_label=band_label,
        years=(int(d.trades["year"].min()), int(d.trades["year"].max())),
    ))


def right_figures(d: RightData, L: Labels) -> list[object]:
    """Figure blocks (or sentences where there is nothing to draw), labelled in ``L``'s language."""
    out: list[object] = []
    stem = d.right
    if d.trades.empty:
        out.append(Para(L("empty.trades"), "empty"))
    else:
        mechanisms = ordered(list(d.trades["mechanism"]), MECHANISM_ORDER)
        mech_colors = dict(zip(mechanisms, colors(len(mechanisms)), strict=True))
        several = len(d.series) > 1
        stems: set[str] = set()
        for s, t in d.series:
            image = _price_block(d, s, t, L, mech_colors)
            if image is None:
                continue
            if several:
                part = _stem_part(suffix_of(s.product, d.right))
                if d.bases(s.product) > 1 and s.basis != "price":
                    part += f"_{s.basis}"
                name, i = f"{stem}_prices_{part}", 2
                while name in stems:
                    name, i = f"{stem}_prices_{part}_{i}", i + 1
                caption = L("fig.prices.caption_series", name=series_name(L, d, s))
            else:
                name, caption = f"{stem}_prices", L("fig.prices.caption")
            stems.add(name)
            if s.basis == "term":
                caption = L("sentence.sep").join([caption, L("fig.prices.term_note")])
            elif s.basis == "rent":
                caption = L("sentence.sep").join([caption, L("fig.prices.rent_note")])
            out.append(FigureBlock(name, image, caption))
        panels = []
        for product in order_products(list(d.trades["product"].astype(str)), d.right):
            du = d.units[product]
            vol = volume_by_year_mechanism(d.trades[d.trades["product"].astype(str) == product])
            panels.append((product_name(L, product), L.unit(du.unit), vol.astype(float) / float(du.factor)))
        image = svg(figs.volume_figure(panels, L=L, mech_colors=mech_colors))
        if image is not None:
            key = "fig.volume.caption_products" if len(panels) > 1 else "fig.volume.caption"
            out.append(FigureBlock(f"{stem}_volume", image, L(key)))

    by_band = surcharge_by_year_band(d.charges)
    image = svg(figs.surcharge_figure(by_band.astype(float) / FEN_PER_YUAN, L=L)) if not by_band.empty else None
    if image is None:
        out.append(Para(L("empty.surcharge"), "empty"))
    else:
        out.append(FigureBlock(f"{stem}_surcharge", image, L("fig.surcharge.caption")))
        out.append(surcharge_year_table(by_band, L))

    if d.reserve.empty:
        out.append(Para(L("empty.reserve"), "empty"))
    else:
        r = sorted_in_time(d.reserve)
        products = r["product"].astype(str)
        factors = products.map(lambda p: float(d.units[p].factor))
        x = fractional_year(r)
        stock = pd.DataFrame({"x": x, "product": products, "stock": r["stock"].astype(float) / factors})
        rank = {p: i for i, p in enumerate(order_products(list(products), d.right))}
        stock = stock.sort_values("product", key=lambda c: c.map(rank), kind="stable")
        cash = pd.DataFrame({"x": x, "cash": r["cash_fen"].astype(float) / FEN_PER_YUAN})
        present = list(dict.fromkeys(stock["product"]))
        image = svg(figs.reserve_figure(
            stock,
            cash,
            L=L,
            units={p: L.unit(d.units[p].unit) for p in present},
            names={p: product_name(L, p) for p in present},
        ))
        if image is not None:
            key = "fig.reserve.caption_products" if len(present) > 1 else "fig.reserve.caption"
            out.append(FigureBlock(f"{stem}_reserve", image, L(key)))

    use_cap = pd.concat({m: yearly_kpi(d.kpis, m) for m in ("use", "cap", "planned")}, axis=1).dropna(
        how="all", axis=1
    )
    image = svg(figs.use_figure(use_cap, L=L, unit=d.unit)) if not use_cap.empty else None
    if image is None:
        out.append(Para(L("empty.use"), "empty"))
    else:
        out.append(FigureBlock(f"{stem}_use", image, L("fig.use.caption")))
    return out
