"""The yearly KPIs of the water market (docs/tables.md, section water): cap, confirmed rights and plans (W1,
W3), use and unmet need, trades and prices (W5, W11), surcharge and tariff revenue (W8, W9), the reserve (W12)
and the efficiency of the year's trading."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...engine.world import World
from .descriptor import RESERVE
from .holders import RIGHT, RIGHT_P

if TYPE_CHECKING:
    from .policy import WaterPolicy


def record(pol: WaterPolicy, world: World, use, unmet, surcharge_rev, tariff_rev, band_rev,
           reserve_stock: int) -> None:
    """Record the year's KPIs: ``use`` and ``unmet`` per holder (m³), revenues in fen (per surcharge band in
    ``band_rev``), the reserve's ``water.annual`` stock at the year end before its unsold stock expired (m³)."""
    acc = world.accounts
    k = world.record_kpi
    k(RIGHT, "cap", pol.spec.cap_m3, "m3")
    k(RIGHT, "confirmed", int(acc.of(RIGHT_P, pol.ids).sum()), "m3")
    k(RIGHT, "planned", int(pol.plan.sum()), "m3")
    k(RIGHT, "use", int(use.sum()), "m3")
    k(RIGHT, "use_over_cap", float(use.sum()) / pol.spec.cap_m3, "1")
    k(RIGHT, "unmet_need", int(unmet.sum()), "m3")
    vol, amount = pol.year_volume, pol.year_amount
    k(RIGHT, "traded_volume", vol, "m3")
    k(RIGHT, "trade_count", pol.year_trades, "1")
    k(RIGHT, "mean_price", (amount / 100) / vol if vol else float("nan"), "yuan/m3")
    k(RIGHT, "base_price", pol.pricing.default_base_ticks / 10_000, "yuan/m3")
    k(RIGHT, "surcharge_revenue", surcharge_rev / 100, "yuan")
    for band, fen in sorted(band_rev.items()):
        k(RIGHT, f"surcharge_revenue_band_{band}", fen / 100, "yuan")
    k(RIGHT, "tariff_revenue", tariff_rev / 100, "yuan")
    k(RIGHT, "reserve_rights", int(acc.of(RIGHT_P, RESERVE)), "m3")
    k(RIGHT, "reserve_stock", reserve_stock, "m3")
    k(RIGHT, "reserve_cash", pol.reserve_cash(world) / 100, "yuan")
    k(RIGHT, "efficiency", pol.gains_realised / pol.gains_max if pol.gains_max > 0 else float("nan"), "1")
