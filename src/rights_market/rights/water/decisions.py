"""What water holders decide, from their value curves and the prices they face (design principle 8, rules W3,
W4, W8, W9; docs/economics.md). The economics itself is :mod:`rights_market.rules.economics`; this module
only says, for the water market, which curve, which prices and which position each decision uses.

* :func:`curves` — each holder's value curve: ``q_ref`` (the old need: confirmed × need share, lowered by
  saving, × this year's weather and noise), ``p_ref``, elasticity, choke value and satiation;
* :func:`choose` — the use each holder chooses where its marginal value equals its marginal price: the W8
  block, the W9 surcharge band over its plan and, with the market, the opportunity cost of its rights at
  the prices it expects (:func:`expected_prices`);
* :func:`plan_use` (W3, at the year end for the next year) and :func:`intended_use` (at the year start,
  with the year's weather and allocation) — with the market; :func:`final_use` — at the year end, from the
  holder's final position, without it (rights it could not buy or sell are what it has);
* :func:`order_limits` — reservation prices of the lots of a session's orders: the value a seller gives up,
  the value a buyer gains incl. the surcharge it avoids, both from the holder's position without the market;
* :func:`invest_in_saving` — W4 saving where its annualised cost is below what a saved m³ is worth;
* :func:`update_expectations` — adaptive expectations of the prices of buying and selling, per sector.

Decisions are floats; the callers turn them into whole m³ and ticks. Nothing here draws random numbers.
"""

from __future__ import annotations

import numpy as np

from ...rules import economics as econ
from ...scenario.water import SECTORS
from ...units import FEN_PER_YUAN, TICKS_PER_YUAN
from .state import WaterConfig, WaterState

#: Groups of holders decided together: positions of one group (one sector, one curve form).
Groups = list[tuple[np.ndarray, str, str]]


def groups(st: WaterState, cfg: WaterConfig, among: np.ndarray | None = None) -> Groups:
    """(positions, sector name, curve form) per scenario group, restricted to ``among`` (positions)."""
    out = []
    for gi, g in enumerate(cfg.spec.groups):
        idx = np.nonzero(st.group == gi)[0]
        if among is not None:
            idx = np.intersect1d(idx, among, assume_unique=True)
        if idx.size:
            out.append((idx, g.sector, g.value_curve))
    return out


def curves(st: WaterState, idx: np.ndarray, form: str, factor: np.ndarray | float = 1.0) -> econ.ValueCurves:
    """Value curves of holders ``idx`` with the reference use scaled by ``factor`` (weather × noise). A
    holder that saved all its use keeps a tiny reference use (curves need q_ref > 0)."""
    f = np.broadcast_to(np.asarray(factor, dtype=float), st.q_ref.shape)[idx]
    q = np.maximum(st.q_ref[idx] * f, 1e-6)
    p = st.p_ref[idx]
    return econ.ValueCurves(q, p, st.elasticity[idx], st.choke[idx] * p, st.satiation[idx] * q, form)


def expected_prices(st: WaterState, cfg: WaterConfig, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(p_buy, p_sell) in yuan the holders ``idx`` expect on the market: their sector's expectations where
    they take part in it (participation > 0), else ∞ and 0 (they can neither buy nor sell)."""
    sec = st.sector[idx]
    active = st.participation[idx] > 0
    return np.where(active, st.exp_buy[sec], np.inf), np.where(active, st.exp_sell[sec], 0.0)


def schedule(st: WaterState, cfg: WaterConfig, idx: np.ndarray, sector: str, holding: np.ndarray,
             base: np.ndarray, p_buy, p_sell) -> econ.PriceSchedule:
    """The price schedule of holders ``idx`` of ``sector`` holding ``holding`` m³ with the surcharge base
    ``base`` (plan or quota, m³). A sector without a surcharge may use up to its allowance above its
    holdings (``max_overuse_share`` of the base) at its tariff, and no more."""
    sur = cfg.pricing.surcharges[sector]
    h = holding[idx].astype(float)
    b = base[idx].astype(float)
    plan = b if sur is not None else h + np.floor(st.overuse[idx] * b)
    n = idx.size
    return econ.PriceSchedule(cfg.pricing.tariffs[sector], sur, plan, h,
                              np.broadcast_to(np.asarray(p_buy, dtype=float), (n,)).copy(),
                              np.broadcast_to(np.asarray(p_sell, dtype=float), (n,)).copy(), TICKS_PER_YUAN)


def choose(st: WaterState, cfg: WaterConfig, holding: np.ndarray, base: np.ndarray, factor, *,
           with_market: bool, among: np.ndarray | None = None) -> np.ndarray:
    """Chosen use per holder (m³, float; 0 outside ``among``): mv = marginal price (W8, W9 and, with the
    market, the expected prices of rights), capped at holdings + the group's over-use allowance."""
    use = np.zeros(len(st.ids))
    for idx, sector, form in groups(st, cfg, among):
        p_buy, p_sell = expected_prices(st, cfg, idx) if with_market else (np.inf, 0.0)
        sched = schedule(st, cfg, idx, sector, holding, base, p_buy, p_sell)
        q = econ.choose_use(curves(st, idx, form, factor), sched, with_market=with_market)
        allowance = holding[idx] + np.floor(st.overuse[idx] * base[idx])
        use[idx] = np.minimum(q, allowance) if not with_market else q
    return use


def plan_use(st: WaterState, cfg: WaterConfig, confirmed: np.ndarray) -> np.ndarray:
    """W3: next year's plan, m³: the use chosen in a normal year at the expected prices with the confirmed
    volume as holding and plan, within the confirmed volume (the rest is surplus offered on the market)."""
    return np.minimum(confirmed, normal_year_use(st, cfg, confirmed))


def normal_year_use(st: WaterState, cfg: WaterConfig, confirmed: np.ndarray) -> np.ndarray:
    """The use (whole m³) each holder chooses for a normal year at the expected prices, holding its
    confirmed volume: above it, the holder plans to buy (or pay the surcharge); below it, to sell."""
    return econ.whole_units(choose(st, cfg, confirmed, confirmed, 1.0, with_market=True))


def intended_use(st: WaterState, cfg: WaterConfig, alloc: np.ndarray, plan: np.ndarray) -> np.ndarray:
    """This year's intended use, m³: chosen with the year's weather and noise (``st.factor``), the year's
    allocation as holding and the plan as surcharge base, at the expected prices. Holders that intend to use
    more than they hold want to buy (:meth:`~.state.WaterState.wanted`)."""
    base = np.minimum(plan, alloc)
    return econ.whole_units(choose(st, cfg, alloc, base, st.factor, with_market=True))


def tolerated_overuse(st: WaterState, cfg: WaterConfig, base: np.ndarray) -> np.ndarray:
    """Use above its holdings a holder means to pay for without buying rights (m³, W9): the surcharge bands
    whose rate is below the price it expects to pay for a right (buying the rest is cheaper), or, in a
    sector without a surcharge, its over-use allowance (billed at the tariff only)."""
    out = np.zeros(len(st.ids), dtype=np.int64)
    for idx, sector, _form in groups(st, cfg):
        sur = cfg.pricing.surcharges[sector]
        b = base[idx].astype(float)
        if sur is None:
            out[idx] = np.floor(st.overuse[idx] * b).astype(np.int64)
            continue
        p_buy = st.exp_buy[st.sector[idx]]  # what a right would cost it, whichever mechanism it buys by
        rate = float(sur.step) * float(sur.reference_price) / TICKS_PER_YUAN  # band k pays k × rate
        bands = np.where(rate > 0, np.ceil(np.minimum(p_buy, 1e12) / max(rate, 1e-300)) - 1, 0)
        if sur.max_band is not None:
            bands = np.where(bands >= sur.max_band, np.inf, bands)
        width = float(sur.width) * b
        out[idx] = np.floor(np.minimum(np.maximum(bands, 0) * width, st.overuse[idx] * b)).astype(np.int64)
    return out


def final_use(st: WaterState, cfg: WaterConfig, annual: np.ndarray, base: np.ndarray) -> np.ndarray:
    """The use chosen at the year end from the final position (m³, whole): what it holds, billed on
    ``base`` (plan or quota per sector), without the market; capped at holdings + the over-use allowance."""
    return econ.whole_units(choose(st, cfg, annual, base, st.factor, with_market=False))


def order_limits(st: WaterState, cfg: WaterConfig, idx: np.ndarray, side_sell: bool, qty: np.ndarray,
                 annual: np.ndarray, base: np.ndarray, lots: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reservation prices of a session's orders, lot by lot: (positions, lot quantities m³, limits in ticks).

    ``qty[idx]`` is split into up to ``lots`` lots of whole m³. Limits come from the holder's position
    without the market (its use chosen at its current holding, tariff and surcharge only): a seller's lot is
    worth the net value of use it gives up, or the surcharge it would pay instead, whichever is smaller
    (:func:`~rights_market.rules.economics.seller_limits`, rounded up to a tick); a buyer's the larger of
    the surcharge it avoids and the net value of the use it allows (``buyer_limits``, rounded down).
    """
    pos, lot_q, lim = [], [], []
    for g_idx, sector, form in groups(st, cfg, idx):
        q = qty[g_idx]
        k = np.minimum(lots, q)  # no lot smaller than a m³
        sched = schedule(st, cfg, g_idx, sector, annual, base, np.inf, 0.0)
        cv = curves(st, g_idx, form, st.factor)
        use = np.minimum(econ.choose_use(cv, sched, with_market=False),
                         annual[g_idx] + np.floor(st.overuse[g_idx] * base[g_idx]))
        kmax = int(k.max())
        lot = q / np.maximum(k, 1)
        f = econ.seller_limits if side_sell else econ.buyer_limits
        yuan = f(cv, sched, use, kmax, lot)
        ticks = np.ceil(yuan * TICKS_PER_YUAN - 1e-6) if side_sell else np.floor(yuan * TICKS_PER_YUAN + 1e-6)
        ticks = np.minimum(ticks, 10**12).astype(np.int64)
        kk = np.maximum(k, 1)
        for j in range(kmax):
            has = j < k
            # whole-m³ lots spread evenly: lot j ends at ⌊(j+1)·q/k⌋, where its limit was taken
            part = ((j + 1) * q) // kk - (j * q) // kk
            pos.append(g_idx[has])
            lot_q.append(part[has])
            lim.append(ticks[has, j])
    if not pos:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(pos), np.concatenate(lot_q).astype(np.int64), np.concatenate(lim)


def invest_in_saving(st: WaterState, cfg: WaterConfig, confirmed: np.ndarray) -> np.ndarray:
    """W4: the saving (m³ a year, float) each holder invests in this year end: where the annualised cost
    of the next saved m³ (:func:`~rights_market.rules.economics.annualised_cost` of the group's capital cost
    curve) is below what a saved m³ is worth to it — its marginal price at its planned use in a normal year
    (tariff + the expected sale price of the m³ it frees, or the purchase or surcharge it avoids; for a farm
    with W4 term deals open, at least tariff + the annual price industry expects to pay), by
    :func:`~rights_market.rules.economics.saving_to_invest`. The capital is annualised at the group's own
    ``financing_rate`` where it has one (a farm without capital, W14), else at the discount rate. Saving
    lowers the reference use for good."""
    rate = cfg.spec.economics.discount_rate
    out = np.zeros(len(st.ids))
    for gi, g in enumerate(cfg.spec.groups):
        idx = np.nonzero(st.group == gi)[0]
        if g.saving is None or not idx.size:
            continue
        s = g.saving
        p_buy, p_sell = expected_prices(st, cfg, idx)
        sched = schedule(st, cfg, idx, g.sector, confirmed, confirmed, p_buy, p_sell)
        cv = curves(st, idx, g.value_curve)
        q = econ.choose_use(cv, sched)
        worth = sched.marginal_cost(q)
        worth = np.where(np.isfinite(worth), worth, cv.marginal_value(q))
        if g.sector == "agriculture" and cfg.spec.long_term.enabled:
            # a farm can sell what it saves for a term to industry (W4): at least the price it expects there
            term_annual = st.exp_buy[SECTORS.index("industry")]
            worth = np.maximum(worth, sched.tariff_rate(q) + term_annual)
        own_rate = s.financing_rate if s.financing_rate is not None else rate  # a farm may borrow dear (W14)
        c0 = econ.annualised_cost(s.capital_yuan_per_m3, own_rate, s.life_years, s.running_yuan_per_m3)
        c1 = econ.annualised_cost(s.capital_at_max_yuan_per_m3, own_rate, s.life_years, s.running_yuan_per_m3)
        room = s.max_share * (st.q_ref[idx] + st.invested[idx])  # of the original reference use
        slope = (c1 - c0) / np.maximum(room, 1e-9)
        # cost at the saving already done is where the next m³ starts
        start = c0 + slope * st.invested[idx]
        more = econ.saving_to_invest(worth, start, slope, np.maximum(room - st.invested[idx], 0.0))
        out[idx] = np.floor(more)
    return out


def saving_capital(st: WaterState, cfg: WaterConfig, more: np.ndarray) -> float:
    """Capital (yuan) of the saving ``more`` invested on top of ``st.invested``: the area under each group's
    linear capital curve."""
    return float(saving_capital_each(st, cfg, more).sum())


def saving_capital_each(st: WaterState, cfg: WaterConfig, more: np.ndarray) -> np.ndarray:
    """Capital (yuan, per holder) of the saving ``more`` on top of ``st.invested``: the area under the
    holder's group's linear capital curve from ``invested`` to ``invested + more`` (0 without a curve)."""
    out = np.zeros(len(st.ids))
    for gi, g in enumerate(cfg.spec.groups):
        idx = np.nonzero((st.group == gi) & (more > 0))[0]
        if g.saving is None or not idx.size:
            continue
        s = g.saving
        room = np.maximum(s.max_share * (st.q_ref[idx] + st.invested[idx]), 1e-9)
        a, b = st.invested[idx], st.invested[idx] + more[idx]
        k0, k1 = s.capital_yuan_per_m3, s.capital_at_max_yuan_per_m3
        out[idx] = k0 * (b - a) + (k1 - k0) * (b * b - a * a) / (2 * room)
    return out


def capital_curve(st: WaterState, cfg: WaterConfig, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The capital curve of holders ``idx`` (all with a saving curve) at their saving so far: (capital of the
    next saved m³ a year, yuan per m³/yr; its rise per m³/yr more; the saving still possible, m³/yr)."""
    k_next, slope, left = np.zeros(idx.size), np.zeros(idx.size), np.zeros(idx.size)
    for gi, g in enumerate(cfg.spec.groups):
        m = st.group[idx] == gi
        if g.saving is None or not m.any():
            continue
        s, at = g.saving, idx[m]
        room = s.max_share * (st.q_ref[at] + st.invested[at])
        slope[m] = (s.capital_at_max_yuan_per_m3 - s.capital_yuan_per_m3) / np.maximum(room, 1e-9)
        k_next[m] = s.capital_yuan_per_m3 + slope[m] * st.invested[at]
        left[m] = np.maximum(room - st.invested[at], 0.0)
    return k_next, slope, left


def update_expectations(st: WaterState, cfg: WaterConfig) -> None:
    """Adaptive expectations (:func:`~rights_market.rules.economics.expect`): each sector's expected prices
    of selling and of buying move towards this year's volume-weighted prices of its sales and purchases of
    annual water, by ``economics.expectation_weight``; a sector that did not trade keeps its expectation."""
    w = cfg.spec.economics.expectation_weight
    for side, target in ((0, "exp_sell"), (1, "exp_buy")):
        q = st.sector_trade[side, :, 0].astype(float)
        fen = st.sector_trade[side, :, 1].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            observed = np.where(q > 0, fen / FEN_PER_YUAN / q, np.nan)
        setattr(st, target, econ.expect(getattr(st, target), observed, w))


def seed_expectations(cfg: WaterConfig) -> tuple[np.ndarray, np.ndarray]:
    """The first expectations (yuan per m³, per sector), from the W5 base prices: a buyer expects to pay the
    base price of buying from agriculture, a seller to get the base price of selling to industry — the
    plan's main flow of water (agriculture → industry)."""
    base = cfg.pricing.base_ticks / TICKS_PER_YUAN
    a, i = SECTORS.index("agriculture"), SECTORS.index("industry")
    return base[a, :].astype(float).copy(), base[:, i].astype(float).copy()


def unmet_value(st: WaterState, cfg: WaterConfig, use: np.ndarray) -> np.ndarray:
    """Output value given up per holder (yuan): the value of the use between what it used and its reference
    use this year (q_ref × weather × noise), :meth:`~rights_market.rules.economics.ValueCurves.value_between`;
    0 where it used at least that."""
    out = np.zeros(len(st.ids))
    for idx, _sector, form in groups(st, cfg):
        cv = curves(st, idx, form, st.factor)
        out[idx] = np.maximum(cv.value_between(use[idx].astype(float), cv.q_ref), 0.0)
    return out
