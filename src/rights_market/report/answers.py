"""The first part of each right's section: the answers to the questions a reform office asks, before the
detail (summary, figures, tables).

* water: the policy effect (:mod:`.policy_effect`: use against plan, saving, rights bought instead of
  surcharges, prices against the W5 base price, the reserve, who paid what by holder group);
* every other right: for emission the emissions of each pollutant against its cap, year by year (KPIs
  ``emissions_<pollutant>``, ``cap_<pollutant>``); for every right the prices (and rents) against the
  reference price of the same trades (``trades.base_price``: the E3 base price, the land benchmark or start
  price, the F4 appraisal or lot start price); and what the reserve bought and sold, with the totals.

Quantities are integer sums shown in each product's display unit; money is summed over the integer
``amount_fen`` columns; prices are exact quotients of those sums. Every aggregation returns a plain frame.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from .aggregate import yearly_kpi
from .display_units import convert_unit
from .document import Heading, Para, TableBlock
from .fmt import fmt_fen, fmt_int, fmt_pct, fmt_price
from .labels import Labels
from .policy_effect import BOUGHT_ACTIONS, SOLD_ACTIONS, policy_effect_blocks, reserve_actions
from .right_data import RightData, du_of, price_unit_text, product_name, series_name
from .run_data import Run

__all__ = ["answer_blocks", "emissions_against_cap", "prices_against_reference"]

EMISSIONS, CAP = "emissions_", "cap_"


def emissions_against_cap(kpis: pd.DataFrame) -> pd.DataFrame:
    """Per pollutant (with both indicators recorded) and year: ``emissions`` and ``cap`` in the unit of the
    indicators (``unit``, kg as recorded), ``over`` = emissions − cap."""
    metrics = set(kpis["metric"].astype(str)) if not kpis.empty else set()
    rows = []
    for m in sorted(metrics):
        if not m.startswith(EMISSIONS) or f"{CAP}{m[len(EMISSIONS):]}" not in metrics:
            continue
        pollutant = m[len(EMISSIONS):]
        em, cap = yearly_kpi(kpis, m), yearly_kpi(kpis, f"{CAP}{pollutant}")
        unit = str(kpis.loc[kpis["metric"] == m, "unit"].iloc[0])
        for year in em.index:
            if year in cap.index:
                rows.append({"pollutant": pollutant, "year": int(year), "emissions": float(em[year]),
                             "cap": float(cap[year]), "over": float(em[year] - cap[year]), "unit": unit})
    return pd.DataFrame(rows, columns=["pollutant", "year", "emissions", "cap", "over", "unit"])


def prices_against_reference(d: RightData) -> list[tuple[object, dict]]:
    """Per series of trades (product and price basis) with a reference price on some trades: ``(series,
    {trades, volume, amount_fen, price, reference, ratio})`` over those trades only — price and reference
    per shown unit (``Decimal``; the reference volume-weighted), ratio = price / reference."""
    out = []
    for s, t in d.series:
        ref = t[t["base_price"].astype(float) > 0]
        vol, fen = int(ref["quantity"].sum()), int(ref["amount_fen"].sum())
        if vol <= 0:
            continue
        price = s.du.mean_price(fen, vol)
        per_base = Decimal(str(float((ref["base_price"].astype(float) * ref["quantity"].astype(float)).sum()))) / vol
        reference = per_base * Decimal(s.du.factor.numerator) / Decimal(s.du.factor.denominator)
        out.append((s, {"trades": len(ref), "volume": vol, "amount_fen": fen, "price": price,
                        "reference": reference, "ratio": float(price / reference) if reference > 0 else float("nan")}))
    return out


def _cap_table(d: RightData, L: Labels) -> list[object]:
    e = emissions_against_cap(d.kpis)
    if e.empty:
        return []
    unit, mult = convert_unit(str(e["unit"].iloc[0]))
    u = L.unit(unit)
    cols = [L("answers.col.pollutant"), L("col.year"), L("answers.col.emissions", unit=u),
            L("answers.col.cap", unit=u), L("answers.col.over", unit=u), L("answers.col.share")]
    rows = [[L.pollutant(r.pollutant), str(r.year), f"{r.emissions * mult:,.1f}", f"{r.cap * mult:,.1f}",
             f"{r.over * mult:+,.1f}", fmt_pct(r.emissions / r.cap) if r.cap > 0 else "—"]
            for r in e.itertuples(index=False)]
    over = e[e["over"] > 0]
    verdict = (L("answers.cap.kept") if over.empty else
               L("answers.cap.exceeded", years=len(over), pollutants="、".join(sorted({L.pollutant(p) for p in
                                                                                       over["pollutant"]}))
                 if L.lang == "zh" else ", ".join(sorted({L.pollutant(p) for p in over["pollutant"]}))))
    return [Para(verdict), TableBlock(L("answers.table.cap"), cols, rows, ["l", "l", "r", "r", "r", "r"],
                                      note=L("answers.note.cap"))]


def _reference_table(d: RightData, L: Labels) -> list[object]:
    p = prices_against_reference(d)
    if not p:
        return [Para(L("answers.empty.reference"), "empty")]
    cols = [L("col.product"), L("col.trades"), L("col.quantity_units"), L("col.amount"), L("answers.col.price"),
            L("answers.col.reference"), L("answers.col.ratio")]
    rows = []
    for s, r in p:
        punit = price_unit_text(L, s)
        rows.append([series_name(L, d, s), fmt_int(r["trades"]), L("qty.unit", qty=s.du.fmt_qty(r["volume"]),
                     unit=L.unit(s.du.unit)), fmt_fen(r["amount_fen"]),
                     L("answers.price_unit", price=fmt_price(r["price"]), punit=punit),
                     L("answers.price_unit", price=fmt_price(r["reference"]), punit=punit),
                     f"{r['ratio']:,.2f}" if r["ratio"] == r["ratio"] else "—"])
    return [TableBlock(L("answers.table.reference"), cols, rows, ["l", "r", "r", "r", "r", "r", "r"],
                       note=L("answers.note.reference"))]


def _reserve_table(d: RightData, L: Labels) -> list[object]:
    a = reserve_actions(d.reserve)
    if a.empty:
        return [Para(L("policy.empty.reserve"), "empty")]
    cols = [L("col.product"), L("policy.col.action"), L("col.count"), L("col.quantity_units"), L("col.amount")]

    def qty(product: str, q: int) -> str:
        du = du_of(d, product)
        return L("qty.unit", qty=du.fmt_qty(q), unit=L.unit(du.unit))

    rows = [[product_name(L, r.product), L.code("action", r.action), fmt_int(r.count), qty(r.product, r.quantity),
             fmt_fen(r.amount_fen)] for r in a.itertuples(index=False)]
    n_totals = 0
    for label, acts in (("policy.reserve.bought", BOUGHT_ACTIONS), ("policy.reserve.sold", SOLD_ACTIONS)):
        sel = a[a["action"].isin(acts)]
        for product, g in sel.groupby("product", sort=True):  # quantities of one product (unit) each
            rows.append([L(label), product_name(L, product), fmt_int(g["count"].sum()),
                         qty(product, int(g["quantity"].sum())), fmt_fen(int(g["amount_fen"].sum()))])
            n_totals += 1
    return [TableBlock(L("policy.table.reserve"), cols, rows, ["l", "l", "r", "r", "r"], total=n_totals > 0,
                       total_rows=max(n_totals, 1), note=L("policy.note.reserve"))]


def answer_blocks(run: Run, d: RightData, L: Labels) -> list[object]:
    """The answers part of one right's section (see the module docstring), as document blocks."""
    if d.right == "water":
        return policy_effect_blocks(run, d, L)
    out: list[object] = [Heading(3, L("section.answers")), Para(L(f"answers.intro.{d.right}")
                                                                 if L.has(f"answers.intro.{d.right}")
                                                                 else L("answers.intro"))]
    if d.right == "emission":
        out += _cap_table(d, L)
    out += _reference_table(d, L)
    out += _reserve_table(d, L)
    return out
