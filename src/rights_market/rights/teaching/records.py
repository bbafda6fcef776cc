"""The end of a teaching trading day: settlement through the ledger and the day's KPIs (``kpis``, right
``teaching``). Prices ticks, money fen, KPIs in yuan (:data:`~rights_market.units.TICKS_PER_YUAN` ticks a yuan)."""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import CONSUMED, ISSUER
from ...market.metrics import smith_alpha
from ...units import TICKS_PER_YUAN, amount_fen_array
from .state import PRODUCT, RIGHT, UNIT, TeachingMarket, TeachingState


def settle_day(m: TeachingMarket, st: TeachingState, world: World, buyers, sellers, prices, nxt) -> None:
    """Units seller → buyer and money buyer → seller for every trade; bought units are consumed and unsold
    units return to the issuer."""
    acc, nb, n_units = world.accounts, m.n_buyers, m.n_units
    if prices:
        b_ids, s_ids = st.ids[np.array(buyers)], st.ids[np.array(sellers)]
        qty = np.ones(len(prices), dtype=np.int64)
        price = np.array(prices, dtype=np.int64)
        amount = amount_fen_array(qty, price)
        acc.move(PRODUCT, s_ids, b_ids, qty)
        acc.pay(b_ids, s_ids, amount)
        world.record_trades(right=RIGHT, product=PRODUCT, mechanism="cda", seller=s_ids, buyer=b_ids,
                            quantity=qty, unit=UNIT, price_ticks=price, amount_fen=amount,
                            relation="seller->buyer",
                            base_price_ticks=np.full(len(prices), int(round(m.p0)) if m.p0 == m.p0 else 0))
    bought = np.array(nxt[:nb], dtype=np.int64)
    acc.move(PRODUCT, st.ids[:nb], CONSUMED, bought)
    unsold = np.array(n_units[nb:], dtype=np.int64) - np.array(nxt[nb:], dtype=np.int64)
    acc.move(PRODUCT, st.ids[nb:], ISSUER, unsold)


def record_kpis(m: TeachingMarket, world: World, buyers, sellers, prices, values, costs, n_shouts: int) -> None:
    """The day's indicators (module docstring)."""
    y = TICKS_PER_YUAN
    price = np.array(prices, dtype=float)
    surplus = int(np.sum(np.array(values, dtype=np.int64) - np.array(costs, dtype=np.int64)))
    profit = np.zeros(m.n)
    np.add.at(profit, np.array(buyers, dtype=np.int64), np.array(values, dtype=float) - price)
    np.add.at(profit, np.array(sellers, dtype=np.int64), price - np.array(costs, dtype=float))
    rows = (
        ("efficiency", surplus / m.max_surplus if m.max_surplus > 0 else float("nan"), "1"),
        ("surplus", surplus / y, "yuan"),
        ("trade_count", len(prices), "1"),
        ("shouts", n_shouts, "1"),
        ("mean_price", float(price.mean()) / y if price.size else float("nan"), "yuan/unit"),
        ("smith_alpha", smith_alpha(price, m.p0) if price.size else float("nan"), "%"),
        ("profit_dispersion", float(np.sqrt(np.mean((profit - m.eq_profit) ** 2))) / y, "yuan"),
        ("p0", m.p0 / y, "yuan/unit"),
        ("q0", m.q0, "unit"),
    )
    # one batch of rows, as record_kpi would append them one by one (a day is short: this is per-day overhead)
    world.tables["kpis"].append(
        time=world.clock.day, year=world.clock.year, right=RIGHT,
        metric=np.array([r[0] for r in rows], dtype=object), value=np.array([float(r[1]) for r in rows]),
        unit=np.array([r[2] for r in rows], dtype=object),
    )
