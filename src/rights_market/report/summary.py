"""The words of the report: the header of a run and the plain-language summary of each right (trades and
prices against base prices, surcharges, the reserve, use against the cap, rejected orders)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from .aggregate import yearly_kpi, yearly_mean_price_fen
from .display_units import DisplayUnit, Series, order_products
from .document import KeyValues
from .fmt import fmt_fen, fmt_int, fmt_pct, fmt_price
from .labels import Labels
from .right_data import RightData, kpi_base_of, price_unit_text, product_name, series_name
from .run_data import Run, sorted_in_time


def _manifest_name(manifest: dict) -> str | None:
    for key in ("scenario_name", "name"):
        if isinstance(manifest.get(key), str):
            return manifest[key]
    scen = manifest.get("scenario")
    if isinstance(scen, str):
        return scen
    if isinstance(scen, dict) and isinstance(scen.get("name"), str):
        return scen["name"]
    return None


def header_block(run: Run, L: Labels, rights: list[str]) -> KeyValues:
    m = run.manifest
    unknown = L("header.unknown")
    name = _manifest_name(m) or run.path.name
    seed = m.get("seed")
    h = m.get("scenario_hash")
    wall = m.get("wall_seconds")
    wall_text = (
        L("header.seconds", seconds=f"{float(wall):,.1f}") if isinstance(wall, int | float) else unknown
    )
    return KeyValues(
        [
            (L("header.scenario"), str(name)),
            (L("header.seed"), str(seed) if seed is not None else unknown),
            (L("header.version"), str(m.get("package_version") or unknown)),
            (L("header.hash"), str(h)[:8] if h else unknown),
            (L("header.wall"), wall_text),
            (L("header.rights"), ", ".join(L.right(r) for r in rights) if rights else "—"),
        ],
        sep=L("header.sep"),
    )


def _reserve_end(reserve: pd.DataFrame) -> tuple[dict[str, int], int]:
    """Stock of each product after its last action and the reserve's cash (fen) after the last action.

    A right has one reserve with one cash account (rule X2), so cash is not added up over products."""
    r = sorted_in_time(reserve)
    last = r.groupby("product", sort=True).tail(1)
    stocks = dict(zip(last["product"].astype(str), last["stock"].astype("int64"), strict=True))
    return stocks, int(r["cash_fen"].iloc[-1])


def summary_sentences(d: RightData, L: Labels) -> list[str]:
    """Plain-language sentences summarising one right."""
    unit = L.unit(d.unit)
    out: list[str] = []
    if d.products:
        names = [
            L("summary.product_id", name=product_name(L, p), id=p) if L.has(f"product.{p}") else p
            for p in d.products
        ]
        out.append(L("summary.products", products=L("list.sep").join(names)))

    if d.trades.empty:
        out.append(L("summary.no_trades"))
    elif len(d.series) == 1:
        s, t = d.series[0]
        out += _trade_sentences(d, s, t, L, yearly_kpi(d.kpis, "base_price"))
    else:
        for s, t in d.series:
            text = L("sentence.sep").join(_trade_sentences(d, s, t, L, pd.Series(dtype=float)))
            out.append(L("summary.series", name=series_name(L, d, s), text=text))

    surcharges = d.charges[d.charges["kind"] == "surcharge"]
    if surcharges.empty:
        out.append(L("summary.no_surcharge"))
    else:
        out.append(L("summary.surcharge", amount=fmt_fen(surcharges["amount_fen"].sum())))

    if d.reserve.empty:
        out.append(L("summary.no_reserve"))
    else:
        stocks, cash = _reserve_end(d.reserve)
        if len(stocks) == 1:
            product, stock = next(iter(stocks.items()))
            du = d.units.get(product, DisplayUnit(d.unit, d.unit))
            out.append(L("summary.reserve", stock=du.fmt_qty(stock), unit=L.unit(du.unit), cash=fmt_fen(cash)))
        else:
            items = [
                L(
                    "summary.reserve_item",
                    qty=d.units[p].fmt_qty(stocks[p]),
                    unit=L.unit(d.units[p].unit),
                    product=product_name(L, p),
                )
                for p in order_products(list(stocks), d.right)
            ]
            out.append(L("summary.reserve_products", stocks=L("list.sep").join(items), cash=fmt_fen(cash)))

    use, cap = yearly_kpi(d.kpis, "use"), yearly_kpi(d.kpis, "cap")
    both = (
        pd.concat({"use": use, "cap": cap}, axis=1).dropna()
        if not (use.empty or cap.empty)
        else pd.DataFrame()
    )
    if both.empty:
        out.append(L("summary.no_use_cap"))
    else:
        year = int(both.index.max())
        u, c = float(both.loc[year, "use"]), float(both.loc[year, "cap"])
        share = fmt_pct(u / c) if c > 0 else "—"
        out.append(L("summary.use_cap", year=year, use=_fmt_qty(u), cap=_fmt_qty(c), unit=unit, share=share))
        over = int((both["use"] > both["cap"]).sum())
        years = len(both)
        key = "summary.years_over_cap" if over else "summary.never_over_cap"
        out.append(L(key, over=over, years=years))

    if d.rejected.empty:
        out.append(L("summary.no_rejected"))
    else:
        key = "summary.rejected_one" if len(d.rejected) == 1 else "summary.rejected"
        out.append(L(key, count=fmt_int(len(d.rejected))))
    return out


def _trade_sentences(d: RightData, s: Series, t: pd.DataFrame, L: Labels, kpi_base: pd.Series) -> list[str]:
    """Trades of one series: count and volume, the mean price against the base price.

    The mean price is ``Σ amount_fen / Σ quantity``. The base price compared with is the right's
    ``base_price`` indicator (when the right trades one series; averaged over the years with the volume
    traded in each year as weights), else the base prices of the trades' relations weighted by volume.
    """
    volume = int(t["quantity"].sum())
    key = "summary.trades_one" if len(t) == 1 else "summary.trades"
    out = [L(key, count=fmt_int(len(t)), volume=s.du.fmt_qty(volume), unit=L.unit(s.du.unit))]
    if volume <= 0:
        return out
    punit = price_unit_text(L, s)
    price = s.du.mean_price(int(t["amount_fen"].sum()), volume)
    base = kpi_base_of(kpi_base, d, s)
    if not base.empty:
        per_year = yearly_mean_price_fen(t)["quantity"].astype(float)
        common = per_year.index.intersection(base.index)
        if len(common) and float(per_year.loc[common].sum()) > 0:
            ref = float((base.loc[common] * per_year.loc[common]).sum() / per_year.loc[common].sum())
        else:
            ref = float(base.mean())
        low, high = float(base.min()), float(base.max())
        range_key = "summary.base_range"
    else:
        rel = t[t["base_price"].notna() & (t["base_price"] > 0)]
        q = rel["quantity"].astype(float)
        ref = float((rel["base_price"].astype(float) * q).sum() / q.sum()) * float(s.du.factor) if q.sum() > 0 else 0
        low = float(rel["base_price"].min()) * float(s.du.factor) if len(rel) else 0.0
        high = float(rel["base_price"].max()) * float(s.du.factor) if len(rel) else 0.0
        range_key = "summary.base_range_relations"
    ref_d = Decimal(str(round(ref, 6)))
    if ref_d <= 0:
        out.append(L("summary.price_no_base", price=fmt_price(price), punit=punit))
    else:
        diff = float(price / ref_d - 1)
        if abs(diff) < 0.0005:
            key = "summary.price_equal"
        else:
            key = "summary.price_above" if diff > 0 else "summary.price_below"
        out.append(L(key, price=fmt_price(price), base=fmt_price(ref_d), punit=punit, pct=fmt_pct(abs(diff))))
        if round(high, 6) > round(low, 6):
            out.append(L(range_key, low=fmt_price(round(low, 6)), high=fmt_price(round(high, 6)), punit=punit))
    if s.basis == "term":
        out.append(L("summary.term_note"))
    return out


def _fmt_qty(value: float) -> str:
    return fmt_int(value) if float(value).is_integer() else f"{value:,.2f}"
