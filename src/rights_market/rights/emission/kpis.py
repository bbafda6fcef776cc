"""The yearly KPIs of the emission market (docs/tables.md, section emission): per pollutant
``<metric>_<pollutant>`` (rights, paid and unpaid rights, emission and abatement, E12 penalties, trades and
the E3 floor, E4/E5 fees, reserve stock, E10 pledges and leases, E13 notices), then district totals (the E9
reserve tallies of 收支两条线, closures, leases, mortgage loans) and the E14 carbon allowances."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...engine.world import World
from ...ledger import FISCAL
from ..shared.reserves import reserve_tallies
from .products import ACTIVE, RIGHT, UNIT

if TYPE_CHECKING:
    from .policy import EmissionPolicy


def record(pol: EmissionPolicy, world: World, outcomes: list[dict], carbon: dict | None, renewed: bool) -> None:
    """Yearly indicators (docs/tables.md): per pollutant ``<metric>_<pollutant>``, then district totals."""
    kpi = world.record_kpi
    acc = world.accounts
    floor_rej = 0
    floor_trades = trades = 0
    for k, out in enumerate(outcomes):
        pid = pol.pollutants[k]
        st = pol.stats[k]
        held = pol.held(world, k)
        owned = pol.owned(world, k)
        paid = int(np.minimum(pol.paid[k], owned).sum())
        rej = pol.rejections.get((k, "below_floor"), 0)
        floor_rej += rej
        floor_trades += st["at_floor"]
        trades += st["count"]
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
            ("traded_volume", st["volume"], UNIT),
            ("trade_count", st["count"], "1"),
            ("mean_price", st["fen"] / 100 / st["volume"] * 1000 if st["volume"] else float("nan"), "yuan/t"),
            ("base_price", int(pol.base[k]) / 10, "yuan/t"),
            ("floor_rejections", rej, "1"),
            ("floor_trade_share", st["at_floor"] / st["count"] if st["count"] else float("nan"), "1"),
            ("use_fee_revenue", int(pol.year_fees["use_fee"][k]) / 100, "yuan"),
            ("back_payment_revenue", int(pol.year_fees["back_payment"][k]) / 100, "yuan"),
            ("reserve_stock", pol.reserve_stock(world, k), UNIT),
            ("pledged", int(pol.pledged[k].sum()), UNIT),
            ("leased", int(pol.leased_in[k].sum()), UNIT),
            ("notices", int(pol.noticed[k].sum()), "1"),
        ):
            kpi(RIGHT, f"{metric}_{pid}", value, unit)
    kpi(RIGHT, "floor_rejections", floor_rej, "1")
    kpi(RIGHT, "floor_trade_share", floor_trades / trades if trades else float("nan"), "1")
    kpi(RIGHT, "trade_count", trades, "1")
    kpi(RIGHT, "rejected_orders", sum(pol.rejections.values()), "1")
    for reason in ("off_platform", "not_eligible", "pledged"):
        kpi(RIGHT, f"{reason}_rejections", sum(v for (_, r), v in pol.rejections.items() if r == reason), "1")
    kpi(RIGHT, "notices", int(pol.noticed[: pol.P].any(axis=0).sum()), "1")
    kpi(RIGHT, "active_units", int(np.sum(pol.status == ACTIVE)), "1")
    kpi(RIGHT, "closures", pol.year_closures, "1")
    kpi(RIGHT, "leases", pol.year_leases, "1")
    kpi(RIGHT, "mortgage_loans", pol.year_new_loans[0], "1")
    kpi(RIGHT, "mortgage_credit", pol.year_new_loans[1] / 100, "yuan")
    kpi(RIGHT, "renewed", 1.0 if renewed else 0.0, "1")
    # E9 收支两条线: income (sales, paid to the fiscal account) and spending (from the budget) kept apart;
    # reserve cash = budget − spending, so the gap is always 0. The tallies are read from the reserve
    # records (rights.links.reserve_tallies), so releases to X4 projects and X3 collateral count too.
    cash = pol.reserve_cash(world)
    tally = reserve_tallies(world, RIGHT)
    kpi(RIGHT, "reserve_cash", cash / 100, "yuan")
    kpi(RIGHT, "reserve_budget", tally["budget"] / 100, "yuan")
    kpi(RIGHT, "reserve_spending", tally["spending"] / 100, "yuan")
    kpi(RIGHT, "reserve_income", tally["income"] / 100, "yuan")
    kpi(RIGHT, "reserve_balance_gap", (tally["budget"] - tally["spending"] - cash) / 100, "yuan")
    kpi(RIGHT, "fiscal_balance", int(acc.of("money", FISCAL)) / 100, "yuan")
    if carbon is not None:
        k = pol.P
        st = pol.stats[k]
        kpi(RIGHT, "carbon_allocated", carbon["allocated"], UNIT)
        kpi(RIGHT, "carbon_emissions", carbon["emissions"], UNIT)
        kpi(RIGHT, "carbon_surrendered", carbon["surrendered"], UNIT)
        kpi(RIGHT, "carbon_shortfall", carbon["shortfall"], UNIT)
        kpi(RIGHT, "carbon_compliance_rate", carbon["compliant"] / carbon["units"] if carbon["units"] else float("nan"),
            "1")
        kpi(RIGHT, "carbon_abatement_cost", carbon["cost"], "yuan")
        kpi(RIGHT, "carbon_traded_volume", st["volume"], UNIT)
        kpi(RIGHT, "carbon_mean_price", st["fen"] / 100 / st["volume"] * 1000 if st["volume"] else float("nan"),
            "yuan/t")
