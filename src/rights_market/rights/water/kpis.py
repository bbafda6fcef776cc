"""The yearly KPIs of the water market (docs/tables.md, section water): cap, confirmed rights and plans (W1,
W3), use, use and over-plan use per sector against the effective plan (W3, W9), unmet need and the output value given up, saving invested (W4) and funded by contract (W14), trades and prices (W5, W11), surcharge and tariff revenue (W8, W9), the reserve (W12)
and the efficiency of the year's trading."""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...scenario.water import SECTORS
from ...units import FEN_PER_YUAN, TICKS_PER_YUAN
from . import contract
from .descriptor import RESERVE
from .state import RIGHT, RIGHT_P, UNIT, WaterConfig, WaterState, reserve_cash


def record(st: WaterState, world: World, cfg: WaterConfig, use, unmet, unmet_value, surcharge_rev, tariff_rev,
           band_rev, reserve_stock: int) -> None:
    """Record the year's KPIs: ``use`` and ``unmet`` per holder (m³), ``unmet_value`` per holder (yuan),
    revenues in fen (per surcharge band in ``band_rev``), the reserve's ``water.annual`` stock at the year end
    before its unsold stock expired (m³)."""
    acc = world.accounts
    k = world.record_kpi
    cap = cfg.spec.cap_m3
    k(RIGHT, "cap", cap, UNIT)
    k(RIGHT, "confirmed", int(acc.of(RIGHT_P, st.ids).sum()), UNIT)
    k(RIGHT, "planned", int(st.plan.sum()), UNIT)
    k(RIGHT, "use", int(use.sum()), UNIT)
    k(RIGHT, "use_over_cap", float(use.sum()) / cap, "1")
    plan_eff = st.effective_plan()
    over = np.maximum(np.asarray(use, dtype=np.int64) - plan_eff, 0)
    k(RIGHT, "over_plan", int(over.sum()), UNIT)
    for code, sector in enumerate(SECTORS):  # only the sectors the scenario has holders in
        mask = st.sector == code
        if mask.any():
            k(RIGHT, f"use_{sector}", int(np.asarray(use)[mask].sum()), UNIT)
            k(RIGHT, f"plan_{sector}", int(plan_eff[mask].sum()), UNIT)
            k(RIGHT, f"over_plan_{sector}", int(over[mask].sum()), UNIT)
    k(RIGHT, "unmet_need", int(unmet.sum()), UNIT)
    k(RIGHT, "unmet_value", float(np.sum(unmet_value)), "yuan")
    k(RIGHT, "saving_invested", float(st.saving_year), UNIT)
    k(RIGHT, "saving_capital", float(st.saving_cost_year), "yuan")
    k(RIGHT, "saving_total", float(st.invested.sum()), UNIT)
    if cfg.spec.contract_saving.enabled:  # W14: saving funded by the companies (also in the saving_* above)
        k(RIGHT, "contract_saving_invested", st.contract_year, UNIT)
        k(RIGHT, "contract_saving_capital", st.contract_capital_fen / FEN_PER_YUAN, "yuan")
        k(RIGHT, "contract_saving_total", st.contract_total, UNIT)
        k(RIGHT, "contract_saving_return", contract.company_return_fen(st, world) / FEN_PER_YUAN, "yuan")
    vol, amount = st.year_volume, st.year_amount
    k(RIGHT, "traded_volume", vol, UNIT)
    k(RIGHT, "trade_count", st.year_trades, "1")
    k(RIGHT, "mean_price", (amount / FEN_PER_YUAN) / vol if vol else float("nan"), "yuan/m3")
    k(RIGHT, "base_price", cfg.pricing.default_base_ticks / TICKS_PER_YUAN, "yuan/m3")
    k(RIGHT, "surcharge_revenue", surcharge_rev / FEN_PER_YUAN, "yuan")
    for band, fen in sorted(band_rev.items()):
        k(RIGHT, f"surcharge_revenue_band_{band}", fen / FEN_PER_YUAN, "yuan")
    k(RIGHT, "tariff_revenue", tariff_rev / FEN_PER_YUAN, "yuan")
    k(RIGHT, "reserve_rights", int(acc.of(RIGHT_P, RESERVE)), UNIT)
    k(RIGHT, "reserve_stock", reserve_stock, UNIT)
    k(RIGHT, "reserve_cash", reserve_cash(world) / FEN_PER_YUAN, "yuan")
    k(RIGHT, "efficiency", st.gains_realised / st.gains_max if st.gains_max > 0 else float("nan"), "1")
