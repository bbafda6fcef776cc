"""The yearly KPIs of the mountain-forest market (rules F2–F10, X2): see :func:`record`."""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...units import decimal_to_rational
from . import farm as farm_steps
from .parcels import MANAGEMENT, RIGHT
from .state import ForestState


def record(st: ForestState, world: World, used: int, unmet: int, rate: float) -> None:
    """The year's KPIs: the farm's managed area and stock against its targets, growth, forest cover (F9), the
    farm's books (F10, F6), planting, trading (F5), registrations (F2), pledges and loans (F3), insurance losses,
    energy and construction quota (F8, F7), the F4 values and the reserve (X2)."""
    s, book, fy, tally = st.spec, st.book, st.farm_year, st.stats
    k = world.record_kpi
    mine = book.managed_by(st.farm)
    k(RIGHT, "managed_area", book.area_of(mine) / 100, "mu")
    k(RIGHT, "managed_area_target", float(s.farm.targets.managed_mu), "mu")
    k(RIGHT, "growing_stock", int(book.stock[mine].sum()) / 1000, "m3")
    k(RIGHT, "growing_stock_target", float(s.farm.targets.stock_m3), "m3")
    k(RIGHT, "growing_stock_total", int(book.col("stock").sum()) / 1000, "m3")
    k(RIGHT, "growth_rate", rate, "1")
    forest_cmu, cov = farm_steps.cover(book, st.other_forest, s.cover.district_area_km2)
    target = float(decimal_to_rational(s.cover.target_share))
    k(RIGHT, "forest_area", forest_cmu / 100, "mu")
    k(RIGHT, "forest_cover", float(cov), "1")
    k(RIGHT, "forest_cover_target", target, "1")
    k(RIGHT, "forest_cover_gap", max(target - float(cov), 0.0), "1")
    for name, fen in (("maintenance_budget", fy.budget_fen), ("maintenance_need", fy.need_fen),
                      ("own_revenue", fy.own_revenue_fen), ("investment_margin", fy.investment_margin_fen),
                      ("maintenance_gap", fy.gap_fen), ("maintenance_other_funds", fy.other_funds_fen),
                      ("maintenance_unfunded", fy.unfunded_fen), ("maintenance_spent", fy.spent_fen)):
        k(RIGHT, name, fen / 100, "yuan")
    k(RIGHT, "planted_area", fy.planted_cmu / 100, "mu")
    k(RIGHT, "survived_area", fy.survived_cmu / 100, "mu")
    k(RIGHT, "incorporated_area", fy.incorporated_cmu / 100, "mu")
    k(RIGHT, "plantable_area", st.plantable / 100, "mu")
    k(RIGHT, "trade_count", tally["transfers"], "1")  # management-right transfers, each one trade (F5)
    k(RIGHT, "transferred_area", tally["transferred_cmu"] / 100, "mu")
    k(RIGHT, "mean_price", tally["transfer_fen"] / tally["transferred_cmu"] if tally["transferred_cmu"] else float("nan"),
      "yuan/mu")
    k(RIGHT, "registrations", tally["registrations"], "1")
    k(RIGHT, "registered_area", int(book.col("area")[book.col("registered")].sum()) / 100, "mu")
    k(RIGHT, "pledges", tally["pledges"], "1")
    k(RIGHT, "pledged_area", int(book.col("area")[book.col("pledged")].sum()) / 100, "mu")
    k(RIGHT, "loans_outstanding", int(book.col("loan_fen").sum()) / 100, "yuan")
    k(RIGHT, "defaults", tally["defaults"], "1")
    k(RIGHT, "insurance_losses", tally["losses"], "1")
    k(RIGHT, "energy_quota_issued", tally["energy_issued"], "kgce")
    k(RIGHT, "energy_quota_used", used, "kgce")
    k(RIGHT, "energy_unmet", unmet, "kgce")
    cost = (tally["energy_investment_fen"] / 100) / (tally["energy_issued"] / 1000) if tally["energy_issued"] else float("nan")
    k(RIGHT, "energy_quota_cost", cost, "yuan/t")
    k(RIGHT, "construction_quota_issued", tally["land_issued"], "m2")
    value_kpis(st, world)
    acc = world.accounts
    k(RIGHT, "reserve_cash", int(acc.of("money", st.reserve)) / 100, "yuan")
    k(RIGHT, "reserve_area", int(acc.of(MANAGEMENT, st.reserve)) / 100, "mu")


def value_kpis(st: ForestState, world: World) -> None:
    """Rule F4 totals over every parcel: ecological value per dimension, economic, social and timber value."""
    book, a = st.book, st.appraisal
    area_mu = book.col("area") / 100
    stock_pm = book.col("stock") / np.maximum(book.col("area") * 10, 1)
    maturity = np.minimum(stock_pm / float(a.reference_stock_m3_per_mu), 1.0)
    dims: dict[str, float] = {}
    for line, fen in a.eco_mature_fen.items():
        d = a.eco_dimension[line]
        dims[d] = dims.get(d, 0.0) + float(fen) / 100 * float(np.sum(maturity * area_mu))
    k = world.record_kpi
    for d, v in dims.items():
        k(RIGHT, f"ecological_value_{d}", v, "yuan/yr")
    k(RIGHT, "ecological_value", sum(dims.values()), "yuan/yr")
    k(RIGHT, "economic_value", float(a.under_forest_fen) / 100 * float(area_mu.sum()), "yuan/yr")
    k(RIGHT, "social_value", float(a.social_fen) / 100 * float(area_mu.sum()), "yuan/yr")
    k(RIGHT, "timber_value", float(a.timber_fen_per_m3) / 100 * int(book.col("stock").sum()) / 1000, "yuan")
