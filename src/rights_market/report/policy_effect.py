"""The "policy effect" part of the water section: whether the pricing rules (W8 tariffs, W9 surcharges, W5
base prices, W12 reserve) changed what holders did, not only what they paid.

Six tables, each from the run's own tables (docs/tables.md):

* use and over-plan use by sector against the effective plan, per year (KPIs ``use_<sector>``,
  ``plan_<sector>``, ``over_plan_<sector>``);
* saving invested per year (KPIs ``saving_invested``, ``saving_capital``, ``saving_total``, W4);
* rights bought instead of surcharges paid: what industrial holders bought (``trades``, buyer in sector
  ``industry``) against the surcharges they paid (``charges`` of kind ``surcharge``), per year;
* prices against the base price: per relation of ``water.annual`` trades, the volume-weighted price
  ``Σ amount_fen / Σ quantity`` against the volume-weighted W5 base price of the same trades;
* what the reserve did: per product and action, the count, quantity and money of ``reserve`` rows, and the
  totals bought (``buy``) and sold (``sell`` and ``release``);
* who paid what, by holder group: tariffs, surcharges and use fees (the charges total is their sum and
  nothing else: no loans, no trade money), then the money of trades (paid for purchases, received for sales,
  the W7 proceeds share handed to the collective) and the net.

Money is summed over the integer ``amount_fen`` columns and quantities over integer m³; prices are exact
quotients (``Decimal``) shown in yuan per m³. The aggregations return plain frames (tested against the raw
tables); :func:`policy_effect_blocks` turns them into document blocks.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ..rights.water.descriptor import SECTORS
from ..units import FEN_PER_YUAN
from .aggregate import yearly_kpi
from .document import Heading, Para, TableBlock
from .fmt import fmt_fen, fmt_int, fmt_pct, fmt_price
from .grouping import group_sums
from .labels import Labels
from .right_data import RightData
from .run_data import Run

ANNUAL = "water.annual"
#: Charge kinds a water holder pays for its rights and use; the by-group charges total is their sum.
PAID_KINDS = ("tariff", "surcharge", "use_fee")
#: Reserve actions that take water in and that give it out.
BOUGHT_ACTIONS = ("buy",)
SOLD_ACTIONS = ("sell", "release")


# ----------------------------------------------------------------------------------------- aggregations
def use_by_sector(kpis: pd.DataFrame) -> pd.DataFrame:
    """Per year and sector (sectors with holders): ``plan``, ``use``, ``over_plan`` (m³, integers)."""
    rows = []
    for sector in SECTORS:
        use = yearly_kpi(kpis, f"use_{sector}")
        if use.empty:
            continue
        plan, over = yearly_kpi(kpis, f"plan_{sector}"), yearly_kpi(kpis, f"over_plan_{sector}")
        for year in use.index:
            rows.append({"year": int(year), "sector": sector, "plan": int(plan.get(year, 0)),
                         "use": int(use[year]), "over_plan": int(over.get(year, 0))})
    out = pd.DataFrame(rows, columns=["year", "sector", "plan", "use", "over_plan"])
    return out.sort_values(["year", "sector"], key=lambda c: c.map(SECTORS.index) if c.name == "sector" else c,
                           kind="stable").reset_index(drop=True)


def saving_by_year(kpis: pd.DataFrame) -> pd.DataFrame:
    """Per year: ``invested`` (m³ a year), ``capital`` (yuan), ``total`` (m³ a year so far)."""
    cols = {"invested": "saving_invested", "capital": "saving_capital", "total": "saving_total"}
    series = {k: yearly_kpi(kpis, m) for k, m in cols.items()}
    if all(s.empty for s in series.values()):
        return pd.DataFrame(columns=["year", *cols])
    out = pd.DataFrame(series).fillna(0.0)
    out.index.name = "year"
    return out.reset_index().astype({"year": "int64"})


def _sector_of(holders: pd.DataFrame) -> dict[int, str]:
    h = holders[holders["right"].astype(str) == "water"]
    return dict(zip(h["holder"].astype("int64"), h["sector"].astype(str), strict=True))


def purchases_vs_surcharge(trades: pd.DataFrame, charges: pd.DataFrame, holders: pd.DataFrame,
                           sector: str = "industry") -> pd.DataFrame:
    """Per year, for the holders of ``sector``: annual water bought (``bought_m3``, ``bought_fen``), confirmed
    rights bought in W4 term deals (``term_m3`` m³ a year, ``term_fen``) and the surcharge paid
    (``surcharge_m3``, ``surcharge_fen``)."""
    sec = _sector_of(holders)
    members = {h for h, s in sec.items() if s == sector}
    t = trades[trades["buyer"].astype("int64").isin(members)]
    c = charges[(charges["kind"].astype(str) == "surcharge") & charges["holder"].astype("int64").isin(members)]
    years = sorted(set(t["year"].astype(int)) | set(c["year"].astype(int)))
    rows = []
    for y in years:
        ty = t[t["year"] == y]
        annual, term = ty[ty["product"].astype(str) == ANNUAL], ty[ty["product"].astype(str) != ANNUAL]
        cy = c[c["year"] == y]
        rows.append({"year": y, "bought_m3": int(annual["quantity"].sum()), "bought_fen": int(annual["amount_fen"].sum()),
                     "term_m3": int(term["quantity"].sum()), "term_fen": int(term["amount_fen"].sum()),
                     "surcharge_m3": int(cy["quantity"].sum()), "surcharge_fen": int(cy["amount_fen"].sum())})
    return pd.DataFrame(rows, columns=["year", "bought_m3", "bought_fen", "term_m3", "term_fen", "surcharge_m3",
                                       "surcharge_fen"])


def prices_vs_base(trades: pd.DataFrame) -> pd.DataFrame:
    """Per relation of ``water.annual`` trades (by volume, largest first): ``trades``, ``volume`` (m³),
    ``amount_fen``, ``price`` and ``base`` (volume-weighted, yuan per m³, ``Decimal``) and ``ratio`` (price /
    base, float; NaN without a base price). The base price of a trade is its W5 base price, a whole number of
    0.0001 yuan, so ``base`` is exact too."""
    t = trades[trades["product"].astype(str) == ANNUAL]
    rows = []
    for rel, g in t.groupby(t["relation"].astype(str), sort=True):
        vol, fen = int(g["quantity"].sum()), int(g["amount_fen"].sum())
        if vol <= 0:
            continue
        base_ticks = (g["base_price"].astype(float) * 10_000).round().astype("int64")
        price = Decimal(fen) / FEN_PER_YUAN / Decimal(vol)
        base = Decimal(int((base_ticks * g["quantity"].astype("int64")).sum())) / Decimal(10_000) / Decimal(vol)
        rows.append({"relation": rel, "trades": len(g), "volume": vol, "amount_fen": fen, "price": price,
                     "base": base, "ratio": float(price / base) if base > 0 else float("nan")})
    out = pd.DataFrame(rows, columns=["relation", "trades", "volume", "amount_fen", "price", "base", "ratio"])
    return out.sort_values(["volume", "relation"], ascending=[False, True], kind="stable").reset_index(drop=True)


def reserve_actions(reserve: pd.DataFrame) -> pd.DataFrame:
    """Per product and action of the reserve: ``count``, ``quantity`` (m³), ``amount_fen``."""
    if reserve.empty:
        return pd.DataFrame(columns=["product", "action", "count", "quantity", "amount_fen"])
    (product, action), count, (quantity, amount) = group_sums(
        [reserve["product"].astype(str), reserve["action"].astype(str)], [reserve["quantity"], reserve["amount_fen"]])
    return pd.DataFrame({"product": product, "action": action, "count": count, "quantity": quantity,
                         "amount_fen": amount})


def reserve_totals(actions: pd.DataFrame) -> dict[str, int]:
    """Totals of :func:`reserve_actions`: ``bought_m3``, ``bought_fen`` (``buy``), ``sold_m3``, ``sold_fen``
    (``sell`` and ``release``)."""
    def total(acts: tuple[str, ...], col: str) -> int:
        return int(actions.loc[actions["action"].isin(acts), col].sum())
    return {"bought_m3": total(BOUGHT_ACTIONS, "quantity"), "bought_fen": total(BOUGHT_ACTIONS, "amount_fen"),
            "sold_m3": total(SOLD_ACTIONS, "quantity"), "sold_fen": total(SOLD_ACTIONS, "amount_fen")}


def payments_by_group(trades: pd.DataFrame, charges: pd.DataFrame, holders: pd.DataFrame) -> pd.DataFrame:
    """Per payer (a holder group, or an institution by its account id as ``"#<id>"``): fen of ``tariff``,
    ``surcharge``, ``use_fee`` and their sum ``charges`` (loans, interest and every other kind left out);
    fen paid for purchases (``bought``), received for sales (``sold``), handed to the collective as the W7
    ``proceeds_share``, and ``trade_net`` = bought − sold + proceeds_share (positive: paid out)."""
    h = holders.drop_duplicates("holder")
    group = dict(zip(h["holder"].astype("int64"), h["group"].astype(str), strict=True))

    def name(acct: int) -> str:
        return group[acct] if acct >= 0 and acct in group else f"#{acct}"

    cols = [*PAID_KINDS, "charges", "bought", "sold", "proceeds_share", "trade_net"]
    parts = []
    kinds = charges["kind"].astype(str)
    for kind in (*PAID_KINDS, "proceeds_share"):
        sel = charges[kinds == kind]
        parts.append((sel["holder"], sel["amount_fen"], kind))
    parts += [(trades["buyer"], trades["amount_fen"], "bought"), (trades["seller"], trades["amount_fen"], "sold")]
    acc: dict[str, dict[str, int]] = {}
    for who, fen, col in parts:  # summed per account first, then per payer (in the order payers are met)
        if not len(who):
            continue
        sums = fen.astype("int64").groupby(who.astype("int64").to_numpy(), sort=False).sum()
        for acct, amount in zip(sums.index.tolist(), sums.tolist(), strict=True):
            row = acc.setdefault(name(acct), dict.fromkeys(cols, 0))
            row[col] += amount
    for row in acc.values():
        row["charges"] = sum(row[k] for k in PAID_KINDS)
        row["trade_net"] = row["bought"] - row["sold"] + row["proceeds_share"]
    order = list(dict.fromkeys(h.loc[h["holder"] >= 0, "group"].astype(str)))
    keys = [k for k in order if k in acc] + sorted(k for k in acc if k not in order)
    out = pd.DataFrame([{"group": k, **acc[k]} for k in keys], columns=["group", *cols])
    return out.astype({c: "int64" for c in cols})


# ----------------------------------------------------------------------------------------------- blocks
def _m3(value: object) -> str:
    return fmt_int(value)


def _use_table(kpis: pd.DataFrame, L: Labels) -> list[object]:
    u = use_by_sector(kpis)
    if u.empty:
        return [Para(L("policy.empty.use"), "empty")]
    unit = L.unit("m3")
    cols = [L("col.year"), L("col.sector"), L("policy.col.plan", unit=unit), L("policy.col.use", unit=unit),
            L("policy.col.use_share"), L("policy.col.over_plan", unit=unit), L("policy.col.over_share")]
    def row(year: int, who: str, plan: int, use: int, over: int) -> list[str]:
        return [str(year), who, _m3(plan), _m3(use), fmt_pct(use / plan) if plan > 0 else "—", _m3(over),
                fmt_pct(over / use) if use > 0 else "—"]

    rows = []
    for year, g in u.groupby("year", sort=True):  # the sectors of a year, then their total
        rows += [row(year, L.code("sector", r.sector), r.plan, r.use, r.over_plan) for r in g.itertuples(index=False)]
        rows.append(row(year, L("col.total"), int(g["plan"].sum()), int(g["use"].sum()), int(g["over_plan"].sum())))
    return [TableBlock(L("policy.table.use"), cols, rows, ["l", "l"] + ["r"] * 5, note=L("policy.note.use"))]


def _saving_table(kpis: pd.DataFrame, L: Labels) -> list[object]:
    s = saving_by_year(kpis)
    if s.empty:
        return [Para(L("policy.empty.saving"), "empty")]
    unit = L("policy.unit.m3_year")
    cols = [L("col.year"), L("policy.col.saving_invested", unit=unit), L("policy.col.saving_capital"),
            L("policy.col.saving_total", unit=unit)]
    rows = [[str(r.year), f"{r.invested:,.0f}", f"{r.capital:,.2f}", f"{r.total:,.0f}"]
            for r in s.itertuples(index=False)]
    rows.append([L("col.total"), f"{s['invested'].sum():,.0f}", f"{s['capital'].sum():,.2f}", ""])
    return [TableBlock(L("policy.table.saving"), cols, rows, ["l", "r", "r", "r"], total=True)]


def _purchase_table(run: Run, d: RightData, L: Labels) -> list[object]:
    p = purchases_vs_surcharge(d.trades, d.charges, run.tables["holders"])
    if p.empty:
        return [Para(L("policy.empty.purchases"), "empty")]
    unit = L.unit("m3")
    cols = [L("col.year"), L("policy.col.bought", unit=unit), L("policy.col.bought_amount"),
            L("policy.col.term", unit=L("policy.unit.m3_year")), L("policy.col.term_amount"),
            L("policy.col.surcharged", unit=unit), L("policy.col.surcharge_amount")]

    def row(label: str, r: dict) -> list[str]:
        return [label, _m3(r["bought_m3"]), fmt_fen(r["bought_fen"]), _m3(r["term_m3"]), fmt_fen(r["term_fen"]),
                _m3(r["surcharge_m3"]), fmt_fen(r["surcharge_fen"])]

    rows = [row(str(r["year"]), r) for r in p.to_dict("records")]
    rows.append(row(L("col.total"), {c: int(p[c].sum()) for c in p.columns if c != "year"}))
    return [TableBlock(L("policy.table.purchases"), cols, rows, ["l"] + ["r"] * 6, total=True,
                       note=L("policy.note.purchases"))]


def _price_table(d: RightData, L: Labels) -> list[object]:
    p = prices_vs_base(d.trades)
    if p.empty:
        return [Para(L("policy.empty.prices"), "empty")]
    punit = L.unit("yuan/m3")
    cols = [L("policy.col.relation"), L("col.trades"), L("col.quantity", unit=L.unit("m3")), L("col.amount"),
            L("policy.col.price", punit=punit), L("policy.col.base", punit=punit), L("policy.col.ratio")]
    rows = [[L.relation(r.relation), fmt_int(r.trades), _m3(r.volume), fmt_fen(r.amount_fen), fmt_price(r.price),
             fmt_price(r.base), f"{r.ratio:,.2f}" if r.ratio == r.ratio else "—"] for r in p.itertuples(index=False)]
    vol, fen = int(p["volume"].sum()), int(p["amount_fen"].sum())
    base = sum(r.base * r.volume for r in p.itertuples(index=False)) / Decimal(vol)
    price = Decimal(fen) / FEN_PER_YUAN / Decimal(vol)
    rows.append([L("col.total"), fmt_int(p["trades"].sum()), _m3(vol), fmt_fen(fen), fmt_price(price),
                 fmt_price(base), f"{float(price / base):,.2f}" if base > 0 else "—"])
    return [TableBlock(L("policy.table.prices"), cols, rows, ["l"] + ["r"] * 6, total=True,
                       note=L("policy.note.prices"))]


def _reserve_table(d: RightData, L: Labels) -> list[object]:
    a = reserve_actions(d.reserve)
    if a.empty:
        return [Para(L("policy.empty.reserve"), "empty")]
    cols = [L("col.product"), L("policy.col.action"), L("col.count"), L("col.quantity", unit=L.unit("m3")),
            L("col.amount")]
    rows = [[L.code("product", r.product), L.code("action", r.action), fmt_int(r.count), _m3(r.quantity),
             fmt_fen(r.amount_fen)] for r in a.itertuples(index=False)]
    t = reserve_totals(a)
    rows.append([L("policy.reserve.bought"), "", "", _m3(t["bought_m3"]), fmt_fen(t["bought_fen"])])
    rows.append([L("policy.reserve.sold"), "", "", _m3(t["sold_m3"]), fmt_fen(t["sold_fen"])])
    return [TableBlock(L("policy.table.reserve"), cols, rows, ["l", "l", "r", "r", "r"], total=True,
                       note=L("policy.note.reserve"), total_rows=2)]


def _payments_table(run: Run, d: RightData, L: Labels) -> list[object]:
    p = payments_by_group(d.trades, d.charges, run.tables["holders"])
    if p.empty:
        return [Para(L("policy.empty.payments"), "empty")]
    cols = [L("col.group"), L("policy.col.tariff"), L("policy.col.surcharge"), L("policy.col.use_fee"),
            L("policy.col.charges"), L("policy.col.paid_trades"), L("policy.col.received_trades"),
            L("policy.col.proceeds_share"), L("policy.col.trade_net")]
    money = ["tariff", "surcharge", "use_fee", "charges", "bought", "sold", "proceeds_share", "trade_net"]

    def who(g: str) -> str:
        return L.code("inst", int(g[1:])) if g.startswith("#") else L.group(g)

    rows = [[who(r["group"])] + [fmt_fen(r[c]) for c in money] for r in p.to_dict("records")]
    rows.append([L("col.total")] + [fmt_fen(int(p[c].sum())) for c in money])
    return [TableBlock(L("policy.table.payments"), cols, rows, ["l"] + ["r"] * 8, total=True,
                       note=L("policy.note.payments"))]


def policy_effect_blocks(run: Run, d: RightData, L: Labels) -> list[object]:
    """The policy-effect part of the water section (see the module docstring), as document blocks."""
    return [
        Heading(3, L("section.policy_effect")),
        Para(L("policy.intro")),
        *_use_table(d.kpis, L),
        *_saving_table(d.kpis, L),
        *_purchase_table(run, d, L),
        *_price_table(d, L),
        *_reserve_table(d, L),
        *_payments_table(run, d, L),
    ]
