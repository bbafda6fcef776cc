"""Yearly KPIs of the land market (right ``land`` in the ``kpis`` table), rule L17 and the rest.

Per year: ``farmland_area`` (m², and ``_mu``), ``basic_farmland_area``, ``farmland_balance`` (m² and mu, against
the start: rule L2), ``construction_area``, ``gdp`` (yuan), ``construction_land_per_gdp`` (m² per 10,000 yuan),
``construction_land_per_gdp_change`` (against the base year: the state at set-up, i.e. the year before the
first; construction land = homesteads, collective and state construction land), and in target years
``construction_land_per_gdp_target`` and ``construction_land_per_gdp_target_met`` (1/0, rule L17); the counts
of :data:`KPI_COUNTS` (``trade_count``, ``trade_count_<mechanism>``, the quota created, retired and traded in
m², …); ``rent_paid`` and ``idle_fee_revenue`` (yuan), ``mean_rent`` (yuan per mu and year: area-weighted mean of the
year's lease and circulation trades, ``price_basis`` rent) and ``mean_sale_price`` (yuan/m²: area-weighted mean of
the year's sales of land rights, ``price_basis`` price, quota excluded) — never mixed — ``supply_plan`` (m², L11),
``reserve_remitted`` (yuan paid by the land reserve to the fiscal account), ``price_to_benchmark`` (mean ratio of
trade prices to their benchmarks, rule L16), ``grade_A`` … ``grade_new`` (firms per grade, rule L14),
``idle_area`` (m², rule L4), ``reserve_stock``, ``reserve_quota`` (m²), ``reserve_cash`` (yuan),
``benchmark_industrial`` (yuan/m²).
"""

from __future__ import annotations

from fractions import Fraction

from ...engine.world import World
from ...rules.land import BASIC, GRADES, INDUSTRIAL, STATE_CON, land_per_gdp, mu_of, target_met
from ...units import M2_PER_MU, TICKS_PER_YUAN, decimal_to_rational
from ..shared.reserves import RESERVES
from .parcels import QUOTA, STATE_P
from .state import LandState

RIGHT = "land"
LAND_RESERVE = RESERVES["land"]

#: Yearly counts reported as KPIs (those of :data:`AREA_COUNTS` in m², the rest in units of 1); see the module
#: docstring. ``trade_count`` is the number of land trades, ``trade_count_<mechanism>`` per mechanism.
KPI_COUNTS = (
    "trade_count", "traded_m2", "trade_count_listing", "trade_count_auction", "trade_count_tender",
    "trade_count_negotiation", "trade_count_directed", "trade_count_call", "trade_count_reserve",
    "first_refusal_exercised", "first_refusal_declined",
    "circulated_m2", "homestead_leases", "collective_sold", "votes_failed", "conversions_requested",
    "conversions_accepted", "quota_created", "quota_retired", "quota_traded", "restorations_started",
    "restored_farmland_m2", "restored_construction_m2", "wasteland_contracts", "lots_offered", "lots_sold",
    "lots_unsold", "mixed_lots", "supplied_m2", "flags_low", "flags_high", "preemptions", "idle_parcels_new",
    "idle_recovered_m2", "prereg_transfers", "prereg_registered", "splits", "transitions_started",
    "lease_then_sell_declined", "zombies_disposed", "redevelopments", "external_transfer_m2", "rejected",
    "lots_relisted", "idle_bought_back_m2", "firms_wanting_land",
)
#: The counts of :data:`KPI_COUNTS` that are areas, m²: the ``*_m2`` ones and the new cultivated-land quota.
AREA_COUNTS = frozenset(
    [name for name in KPI_COUNTS if name.endswith("_m2")] + ["quota_created", "quota_retired", "quota_traded"]
)


def record(st: LandState, world: World) -> None:
    """The year's land KPIs (``kpis`` table, right ``land``); the metrics are listed in the module docstring."""
    k = world.record_kpi
    s, acc, p = st.stats, world.accounts, st.parcels
    farmland = st.farmland_area()
    k(RIGHT, "farmland_area", farmland, "m2")
    k(RIGHT, "farmland_area_mu", mu_of(farmland), "mu")
    k(RIGHT, "basic_farmland_area", int(p.area[p.active & (p.cls == BASIC)].sum()), "m2")
    k(RIGHT, "farmland_balance", farmland - st.initial_farmland, "m2")
    k(RIGHT, "farmland_balance_mu", mu_of(farmland - st.initial_farmland), "mu")
    cons = st.construction_area()
    gdp = st.gdp_fen()
    k(RIGHT, "construction_area", cons, "m2")
    k(RIGHT, "gdp", gdp / 100, "yuan")
    k(RIGHT, "construction_land_per_gdp", land_per_gdp(cons, gdp), "m2/10k yuan")
    change = Fraction(cons * st.base_gdp, st.base_construction * gdp) - 1 if gdp > 0 else float("nan")
    k(RIGHT, "construction_land_per_gdp_change", float(change), "1")
    for t in st.spec.economy.targets:
        if t.year == world.clock.year:
            ch = decimal_to_rational(t.change_share)
            k(RIGHT, "construction_land_per_gdp_target", float(ch), "1")
            ok = target_met(cons, gdp, st.base_construction, st.base_gdp, ch)
            k(RIGHT, "construction_land_per_gdp_target_met", 1.0 if ok else 0.0, "1")
    for name in KPI_COUNTS:
        k(RIGHT, name, s.get(name, 0), "m2" if name in AREA_COUNTS else "1")
    k(RIGHT, "rent_paid", (s.get("charge_rent_fen", 0) + s.get("charge_dividend_fen", 0)) / 100, "yuan")
    k(RIGHT, "idle_fee_revenue", s.get("charge_idle_fee_fen", 0) / 100, "yuan")
    rent_m2, sale_m2 = s.get("rent_m2", 0), s.get("sale_m2", 0)
    k(RIGHT, "mean_rent", float(Fraction(s.get("rent_fen", 0), 100 * rent_m2) * M2_PER_MU) if rent_m2 else float("nan"),
      "yuan/mu/yr")
    k(RIGHT, "mean_sale_price", s.get("sale_fen", 0) / 100 / sale_m2 if sale_m2 else float("nan"), "yuan/m2")
    k(RIGHT, "supply_plan", st.plan_m2 if st.plan_m2 >= 0 else 0, "m2")
    k(RIGHT, "reserve_remitted", s.get("reserve_remitted_fen", 0) / 100, "yuan")
    n = s.get("bench_trades", 0)
    k(RIGHT, "price_to_benchmark", s.get("bench_price_ratio_ppm", 0) / n / 1e6 if n else float("nan"), "1")
    for g, name in enumerate(GRADES):
        k(RIGHT, f"grade_{name}", int(((st.firm_grade == g) & st.firm_active).sum()), "1")
    k(RIGHT, "idle_area", int(p.area[p.active & (p.cls == STATE_CON) & (p.idle_since >= 0)].sum()), "m2")
    k(RIGHT, "reserve_stock", int(acc.of(STATE_P, LAND_RESERVE)), "m2")
    k(RIGHT, "reserve_quota", int(acc.of(QUOTA, LAND_RESERVE)), "m2")
    k(RIGHT, "reserve_cash", int(acc.of("money", LAND_RESERVE)) / 100, "yuan")
    k(RIGHT, "benchmark_industrial", st.bench[INDUSTRIAL] / TICKS_PER_YUAN, "yuan/m2")
