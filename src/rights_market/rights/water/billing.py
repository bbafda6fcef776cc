"""What water holders pay for their rights and their use: the yearly use fee (rule W6), the use of the year and
its bills — block tariff (W8) and progressive surcharge above the plan or quota (W8, W9).

Fees and surcharges go to the fiscal account, tariffs to the supplier; every line is a ``charges`` row
(``use_fee``, ``tariff``, ``surcharge``). Quantities m³, rates ticks per m³, money fen.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import FISCAL, SUPPLIER
from ...rules.tariffs import bill_many
from ...scenario.water import SECTORS
from ...units import amount_fen_array, yuan_to_ticks
from .state import AGRI, ANNUAL, IND, RIGHT_P, WaterConfig, WaterState


def use_fees(st: WaterState, world: World, cfg: WaterConfig, confirmed: np.ndarray) -> None:
    """W6: industrial rights are paid for every year; farmers are exempt until the given year."""
    fees = cfg.spec.fees
    rate = np.zeros(len(st.ids), dtype=np.int64)
    rate[st.sector == IND] = yuan_to_ticks(fees.industrial_use_fee_yuan_per_m3)
    if world.clock.year > fees.farmer_fee_exempt_until_year:
        rate[st.sector == AGRI] = yuan_to_ticks(fees.agricultural_use_fee_yuan_per_m3)
    due = amount_fen_array(confirmed, rate)
    payers = np.nonzero(due > 0)[0]
    if payers.size:
        world.accounts.pay(st.ids[payers], FISCAL, due[payers])
        world.record_charges(holder=st.ids[payers], payee=FISCAL, product=RIGHT_P, kind="use_fee", band=0,
                             quantity=confirmed[payers], rate_ticks=rate[payers], amount_fen=due[payers])


def surcharge_base(st: WaterState, cfg: WaterConfig, plan_eff: np.ndarray, quota: np.ndarray) -> np.ndarray:
    """Per holder, the volume above which its sector's surcharge starts (W8/W9): the effective plan or the
    quota, as its sector's ``surcharge_base`` says (m³)."""
    out = plan_eff.copy()
    for code, sector in enumerate(SECTORS):
        if cfg.pricing.surcharge_base[sector] == "quota":
            out[st.sector == code] = quota[st.sector == code]
    return out


def use(st: WaterState, cfg: WaterConfig, desired: np.ndarray, annual: np.ndarray) -> np.ndarray:
    """What each holder uses of the use it chose (``desired``, within its holdings plus its over-use
    allowance, :func:`.decisions.final_use`): covered first by its own rights; use beyond its holdings
    shares what is physically left of cap × deliverable share, pro rata when short. Total use never
    exceeds the water delivered this year."""
    covered = np.minimum(desired, annual)
    wish = desired - covered
    delivered = cfg.spec.cap_m3 * st.deliverable.numerator // st.deliverable.denominator
    room = max(delivered - int(covered.sum()), 0)
    total = int(wish.sum())
    if total > room:
        wish = (wish * room) // total
    return covered + wish


def bill(st: WaterState, world: World, cfg: WaterConfig, used, plan_eff, quota) -> tuple[int, int, dict[int, int]]:
    """W8/W9 bills per sector of the year's use ``used`` against the effective plan ``plan_eff`` or the quota
    (m³); tariff lines to the supplier, surcharge lines to the fiscal account. Returns the fen of surcharges,
    of tariffs and of surcharges per band."""
    periods = world.calendar.periods_per_year if cfg.spec.assessment == "period" else 1
    ends = world.calendar.period_ends(world.clock.year_index)
    surcharge_rev = tariff_rev = 0
    band_rev: dict[int, int] = {}
    for code, sector in enumerate(SECTORS):
        idx = np.nonzero(st.sector == code)[0]
        tariff, sur = cfg.pricing.tariffs[sector], cfg.pricing.surcharges[sector]
        if not idx.size or (tariff is None and sur is None):
            continue
        base_all = (plan_eff if cfg.pricing.surcharge_base[sector] == "plan" else quota)[idx]
        for k in range(periods):
            u = period_part(used[idx], k, periods)
            b = period_part(base_all, k, periods)
            lines = bill_many(u, b, tariff, sur)
            if not lines.holder.size:
                continue
            payer = st.ids[idx[lines.holder]]
            is_sur = lines.kind == "surcharge"
            payee = np.where(is_sur, FISCAL, SUPPLIER)
            acc = world.accounts
            acc.pay(payer, payee, lines.amount_fen)
            t = int(ends[k]) if periods > 1 else world.clock.day
            world.record_charges(holder=payer, payee=payee, product=ANNUAL, kind=lines.kind, band=lines.band,
                                 quantity=lines.quantity, rate_ticks=lines.rate_ticks,
                                 amount_fen=lines.amount_fen, time=t)
            surcharge_rev += int(lines.amount_fen[is_sur].sum())
            tariff_rev += int(lines.amount_fen[~is_sur].sum())
            for band in np.unique(lines.band[is_sur]):
                band_rev[int(band)] = band_rev.get(int(band), 0) + int(
                    lines.amount_fen[is_sur & (lines.band == band)].sum()
                )
    return surcharge_rev, tariff_rev, band_rev


def period_part(x: np.ndarray, k: int, n: int) -> np.ndarray:
    """Part ``k`` of ``n`` of ``x`` split evenly, remainders to the last part (the parts sum to ``x``)."""
    if n == 1:
        return x
    part = x // n
    return part + (x - part * n) * (k == n - 1)
