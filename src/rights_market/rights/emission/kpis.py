"""The yearly KPIs of the emission market (docs/tables.md, section emission): per pollutant
``<metric>_<pollutant>`` (rights, paid and unpaid rights, emission and abatement against the year's cap (E2, E11),
E12 penalties, trades and the E3 floor, E4/E5 fees, reserve stock, E10 pledges and leases, E13 notices), then district totals (the E9
reserve tallies of 收支两条线, closures, leases, mortgage loans) and the E14 carbon allowances."""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ..shared.reserves import reserve_tallies
from .products import ACTIVE, RIGHT, UNIT
from .state import EmissionState


def record(st: EmissionState, world: World, outcomes: list[dict], carbon: dict | None, renewed: bool) -> None:
    """Yearly indicators (docs/tables.md): per pollutant ``<metric>_<pollutant>``, then district totals."""
    kpi = world.record_kpi
    floor_rej = 0
    floor_trades = trades = 0
    for k, out in enumerate(outcomes):
        pid = st.pollutants[k]
        tally = st.stats[k]
        held = st.held(world, k)
        owned = st.owned(world, k)
        paid = int(np.minimum(st.paid[k], owned).sum())
        rej = st.rejections.get((k, "below_floor"), 0)
        floor_rej += rej
        floor_trades += tally["at_floor"]
        trades += tally["count"]
        for metric, value, unit in (
            ("rights", int(held.sum()), UNIT),
            ("paid", paid, UNIT),
            ("unpaid", int(owned.sum()) - paid, UNIT),
            ("unabated", out["unabated"], UNIT),
            ("abatement", out["abatement"], UNIT),
            ("emissions", out["emissions"], UNIT),
            ("abatement_cost", out["cost"], "yuan"),
            ("excess", out["excess"], UNIT),
            ("violators", out["violators"], "1"),
            ("penalty_revenue", out["penalty"] / 100, "yuan"),
            ("traded_volume", tally["volume"], UNIT),
            ("trade_count", tally["count"], "1"),
            ("mean_price", tally["fen"] / 100 / tally["volume"] * 1000 if tally["volume"] else float("nan"), "yuan/t"),
            ("base_price", int(st.base[k]) / 10, "yuan/t"),
            ("floor_rejections", rej, "1"),
            ("floor_trade_share", tally["at_floor"] / tally["count"] if tally["count"] else float("nan"), "1"),
            ("use_fee_revenue", int(st.year_fees["use_fee"][k]) / 100, "yuan"),
            ("back_payment_revenue", int(st.year_fees["back_payment"][k]) / 100, "yuan"),
            ("reserve_stock", st.reserve_stock(world, k), UNIT),
            ("pledged", int(st.pledged[k].sum()), UNIT),
            ("leased", int(st.leased_in[k].sum()), UNIT),
            ("notices", int(st.noticed[k].sum()), "1"),
            ("cap", int(st.cap_now[k]), UNIT),
            ("emissions_over_cap", out["emissions"] - int(st.cap_now[k]), UNIT),
            ("retired", int(st.retired[k]), UNIT),
            ("planned_abatement", out["planned"], UNIT),
            ("expected_price", float(st.expected[k]) / 10, "yuan/t"),
            ("anticipated_price", float(st.anticipated[k]) / 10, "yuan/t"),  # a year; 0: cap path not read
        ):
            kpi(RIGHT, f"{metric}_{pid}", value, unit)
    kpi(RIGHT, "floor_rejections", floor_rej, "1")
    kpi(RIGHT, "floor_trade_share", floor_trades / trades if trades else float("nan"), "1")
    kpi(RIGHT, "trade_count", trades, "1")
    ref = st.spec.market.reference_trades_per_year
    if ref is not None:
        kpi(RIGHT, "trade_count_reference", float(ref), "1")
        kpi(RIGHT, "trade_count_vs_reference", trades / ref if ref else float("nan"), "1")
    parties = sum(st.stats[k]["parties"] for k in range(st.P))
    kpi(RIGHT, "transaction_costs", parties * st.transaction_cost / 10_000, "yuan")
    kpi(RIGHT, "violators", sum(len(out["violator_ids"]) for out in outcomes), "1")
    kpi(RIGHT, "rejected_orders", sum(st.rejections.values()), "1")
    for reason in ("off_platform", "not_eligible", "pledged"):
        kpi(RIGHT, f"{reason}_rejections", sum(v for (_, r), v in st.rejections.items() if r == reason), "1")
    kpi(RIGHT, "notices", int(st.noticed[: st.P].any(axis=0).sum()), "1")
    kpi(RIGHT, "active_units", int(np.sum(st.status == ACTIVE)), "1")
    kpi(RIGHT, "closures", st.year_closures, "1")
    kpi(RIGHT, "leases", st.year_leases, "1")
    kpi(RIGHT, "mortgage_loans", st.year_new_loans[0], "1")
    kpi(RIGHT, "mortgage_credit", st.year_new_loans[1] / 100, "yuan")
    kpi(RIGHT, "renewed", 1.0 if renewed else 0.0, "1")
    # E9 收支两条线: income (sales, paid to the fiscal account) and spending (from the budget) kept apart;
    # reserve cash = budget − spending, so the gap is always 0. The tallies are read from the reserve
    # records (rights.links.reserve_tallies), so releases to X4 projects and X3 collateral count too.
    cash = st.reserve_cash(world)
    tally = reserve_tallies(world, RIGHT)
    kpi(RIGHT, "reserve_cash", cash / 100, "yuan")
    kpi(RIGHT, "reserve_budget", tally["budget"] / 100, "yuan")
    kpi(RIGHT, "reserve_spending", tally["spending"] / 100, "yuan")
    kpi(RIGHT, "reserve_income", tally["income"] / 100, "yuan")
    kpi(RIGHT, "reserve_balance_gap", (tally["budget"] - tally["spending"] - cash) / 100, "yuan")
    if carbon is not None:
        k = st.P
        tally = st.stats[k]
        kpi(RIGHT, "carbon_allocated", carbon["allocated"], UNIT)
        kpi(RIGHT, "carbon_emissions", carbon["emissions"], UNIT)
        kpi(RIGHT, "carbon_surrendered", carbon["surrendered"], UNIT)
        kpi(RIGHT, "carbon_shortfall", carbon["shortfall"], UNIT)
        kpi(RIGHT, "carbon_compliance_rate", carbon["compliant"] / carbon["units"] if carbon["units"] else float("nan"),
            "1")
        kpi(RIGHT, "carbon_abatement_cost", carbon["cost"], "yuan")
        kpi(RIGHT, "carbon_traded_volume", tally["volume"], UNIT)
        kpi(RIGHT, "carbon_mean_price", tally["fen"] / 100 / tally["volume"] * 1000 if tally["volume"] else float("nan"),
            "yuan/t")
