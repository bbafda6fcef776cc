"""The lab's answers: what a variant did against the baseline, read from a comparison directory.

Per variant, against the baseline (the first group of ``DIR/store``):

* **headline indicators** (:data:`HEADLINE`, those of the markets the runs hold): water use and over-plan use,
  saving, trades and prices, surcharge and tariff revenue, the reserve; emissions against the cap, permit and
  base prices per pollutant, transaction costs, the emission reserve; land rents and sale prices, lots sold,
  the supply plan, the land reserve's cash; forest prices, transfers, the forest reserve's area and cash, F8
  energy quota; pledge loans (X3); the fiscal net flow — each named with its right when the runs hold several
  markets — per run the mean over its years (as in the comparison
  report, :func:`rights_market.compare.stats.run_level`), then the median and 5–95 % band over the seeds of
  each group, and the **paired differences** variant − baseline seed by seed (replication *k* of both use the
  same seed: common random numbers), with their median and 5–95 % band, and each seed's figures;
* **who pays what** by holder group, **the reserve's actions** and **prices against the base price**, from the
  water part of each run's tables with the report's own aggregations
  (:mod:`rights_market.report.policy_effect`), as medians over the seeds (``water: false`` when the runs hold
  no water market: the page leaves these tables out).

Everything is plain JSON (numbers as floats, money in yuan) for the page; texts come from the label
catalogue of ``lang``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..compare import prepare, stats
from ..compare.build import yearly_table
from ..report import policy_effect as pe
from ..report.labels import Labels
from ..report.run_data import for_right

#: (right, metric) shown first, in this order; those the runs did not record are left out. ``{pollutant}``
#: stands for each pollutant of the emission market (the pollutants with a ``base_price_<id>`` KPI, in the
#: order of their ids), so emissions against the cap and prices are shown pollutant by pollutant.
HEADLINE: tuple[tuple[str, str], ...] = (
    ("water", "over_plan"), ("water", "over_plan_industry"), ("water", "use"), ("water", "use_industry"),
    ("water", "surcharge_revenue"), ("water", "tariff_revenue"), ("water", "saving_invested"),
    ("water", "traded_volume"), ("water", "trade_count"), ("water", "mean_price"), ("water", "base_price"),
    ("water", "reserve_stock"), ("water", "reserve_cash"), ("water", "efficiency"),
    ("emission", "emissions_{pollutant}"), ("emission", "cap_{pollutant}"),
    ("emission", "emissions_over_cap_{pollutant}"), ("emission", "mean_price_{pollutant}"),
    ("emission", "base_price_{pollutant}"), ("emission", "traded_volume_{pollutant}"),
    ("emission", "reserve_stock_{pollutant}"), ("emission", "trade_count"), ("emission", "transaction_costs"),
    ("emission", "violators"), ("emission", "reserve_cash"), ("emission", "reserve_spending"),
    ("emission", "reserve_income"),
    ("land", "mean_rent"), ("land", "mean_sale_price"), ("land", "price_to_benchmark"), ("land", "trade_count"),
    ("land", "lots_sold"), ("land", "lots_unsold"), ("land", "supply_plan"), ("land", "supplied_m2"),
    ("land", "reserve_cash"), ("land", "reserve_remitted"),
    ("forest", "mean_price"), ("forest", "trade_count"), ("forest", "transferred_area"), ("forest", "reserve_area"),
    ("forest", "reserve_cash"), ("forest", "energy_quota_issued"), ("forest", "ecological_value"),
    ("links", "loans_outstanding"), ("links", "defaults"), ("links", "projects_started"),
    ("fiscal", "fiscal_net_flow"),
)


def headline(recorded: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """:data:`HEADLINE` with ``{pollutant}`` spelled out, keeping the (right, metric) pairs in ``recorded``."""
    pollutants = [m.removeprefix("base_price_") for r, m in sorted(recorded) if r == "emission"
                  and m.startswith("base_price_")]
    out: list[tuple[str, str]] = []
    for right, metric in HEADLINE:
        names = [metric.format(pollutant=p) for p in pollutants] if "{pollutant}" in metric else [metric]
        out += [(right, m) for m in names if (right, m) in recorded]
    return out


def _band(values: list[float]) -> dict[str, float | None]:
    v = np.asarray([x for x in values if x == x], dtype=float)
    if not len(v):
        return {"median": None, "low": None, "high": None, "n": 0}
    lo, hi = np.quantile(v, stats.BAND)
    return {"median": float(np.median(v)), "low": float(lo), "high": float(hi), "n": int(len(v))}


def _tables(run_dir: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(run_dir / f"{name}.parquet") for name in ("trades", "charges", "holders", "reserve")}


def _per_run(run_dir: Path) -> dict[str, Any]:
    """Payments by group, reserve totals and the overall price/base of one run (water only)."""
    t = _tables(run_dir)
    trades, charges = for_right(t["trades"], "water"), for_right(t["charges"], "water")
    reserve = t["reserve"]
    if not reserve.empty:
        reserve = reserve[reserve["product"].astype(str).str.startswith("water")]
    pay = pe.payments_by_group(trades, charges, t["holders"])
    res = pe.reserve_totals(pe.reserve_actions(reserve))
    p = pe.prices_vs_base(trades)
    vol = int(p["volume"].sum()) if len(p) else 0
    price = float(p["amount_fen"].sum()) / 100 / vol if vol else float("nan")
    base = float(sum(float(r.base) * r.volume for r in p.itertuples(index=False))) / vol if vol else float("nan")
    return {"payments": pay, "reserve": res, "price": price, "base": base}


def answers(out_dir: str | Path, lang: str = "zh") -> dict[str, Any]:
    """The answers of the comparison in ``out_dir`` (module docstring)."""
    L = Labels(lang)
    out_dir = Path(out_dir)
    groups, _, _ = prepare([out_dir / "store"])
    runs = stats.run_level(yearly_table(groups))
    base = groups[0]
    per_run = {g.label: {rep: _per_run(Path(d)) for d, rep, _ in g.runs} for g in groups}

    def values(label: str, right: str, metric: str) -> dict[int, tuple[int, float]]:
        r = runs[(runs["group"] == label) & (runs["right"] == right) & (runs["metric"] == metric)]
        return {int(x.replication): (int(x.seed), float(x.mean)) for x in r.itertuples(index=False)}

    units = dict(zip(zip(runs["right"], runs["metric"], strict=True), runs["unit"], strict=True))
    out: dict[str, Any] = {"baseline": base.label, "out": str(out_dir), "variants": []}
    shown = headline(set(units))
    # with several markets an indicator is named with its right ("排污权 · 成交笔数"); water alone stays as it was
    several = len({r for r, _ in shown} - {"fiscal"}) > 1
    has_water = any(r == "water" for r, _ in shown)
    for g in groups[1:]:
        metrics = []
        for right, metric in shown:
            b, v = values(base.label, right, metric), values(g.label, right, metric)
            paired = [{"seed": str(b[k][0]), "baseline": b[k][1], "variant": v[k][1], "diff": v[k][1] - b[k][1]}
                      for k in sorted(set(b) & set(v))]
            bb, vb = _band([x[1] for x in b.values()]), _band([x[1] for x in v.values()])
            change = None
            if bb["median"] and vb["median"] is not None:
                change = (vb["median"] - bb["median"]) / abs(bb["median"])
            label = f"{L.right(right)} · {L.metric(metric)}" if several else L.metric(metric)
            metrics.append({"right": right, "metric": metric, "label": label, "unit": units[(right, metric)],
                            "unit_label": L.unit(units[(right, metric)]), "baseline": bb, "variant": vb,
                            "diff": _band([p["diff"] for p in paired]), "change": change, "paired": paired})
        out["variants"].append({"name": g.label, "metrics": metrics, "water": has_water, "payments": _payments(per_run, base.label, g.label, L),
                                "reserve": _reserve(per_run, base.label, g.label),
                                "prices": _prices(per_run, base.label, g.label),
                                "revenue_only": bool(stats.revenue_only(stats.summary(runs), base.label, g.label,
                                                                        "water"))})
    return out


def _median(xs: list[float]) -> float | None:
    v = [x for x in xs if x == x]
    return float(np.median(v)) if v else None


def _payments(per_run: dict, base: str, variant: str, L: Labels) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for side, label in (("baseline", base), ("variant", variant)):
        frames = [r["payments"] for r in per_run[label].values()]
        names = list(dict.fromkeys(n for f in frames for n in f["group"]))
        for name in names:
            who = L.code("inst", int(name[1:])) if name.startswith("#") else name
            row = rows.setdefault(name, {"group": name, "label": who})
            for col in ("charges", "surcharge", "trade_net"):
                row[f"{side}_{col}"] = _median(
                    [float(f.loc[f["group"] == name, col].sum()) / 100 for f in frames])
    return [r for r in rows.values() if not str(r["group"]).startswith("#") or any(
        abs(v or 0) > 0 for k, v in r.items() if k not in ("group", "label"))]


def _reserve(per_run: dict, base: str, variant: str) -> list[dict[str, Any]]:
    keys = (("bought_m3", 1), ("bought_fen", 100), ("sold_m3", 1), ("sold_fen", 100))
    return [{"key": k, "baseline": _median([r["reserve"][k] / d for r in per_run[base].values()]),
             "variant": _median([r["reserve"][k] / d for r in per_run[variant].values()])} for k, d in keys]


def _prices(per_run: dict, base: str, variant: str) -> list[dict[str, Any]]:
    out = []
    for key in ("price", "base"):
        out.append({"key": key, "baseline": _median([r[key] for r in per_run[base].values()]),
                    "variant": _median([r[key] for r in per_run[variant].values()])})
    ratio = [{"key": "ratio", "baseline": _median([r["price"] / r["base"] for r in per_run[base].values() if r["base"]]),
              "variant": _median([r["price"] / r["base"] for r in per_run[variant].values() if r["base"]])}]
    return out + ratio


__all__ = ["HEADLINE", "answers"]
