"""Compliance of the emission market: notices to projects short of rights (rule E13), abatement or penalty
at the year end (E12), and the carbon allowances of key emitters, allocated and surrendered (E14).

Penalties are paid to the fiscal account and recorded as ``penalty`` lines in ``charges`` (quantity = the
excess emission or the allowance shortfall, kg; rate ticks per kg); notices as ``notice`` lines of amount 0.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import CONSUMED, FISCAL, GOVERNMENT, ISSUER
from ...rules.emission import comply as comply_rule
from ...units import decimal_to_rational, yuan_to_fen
from .products import ACTIVE, KIND, carbon_fine_ticks, frac_of, yuan_per_t_to_ticks
from .state import EmissionState


def notices(st: EmissionState, world: World) -> None:
    """E13: projects approved to emit (new, major and strategic projects, whose permit must be bought on
    the market, E4) that still hold less than their permitted quantity are told to complete the trade by
    the year end: a ``notice`` line in ``charges`` (payee the government, amount 0, quantity the missing
    rights, kg). They trade in every session for the rest of the year."""
    st.notice_sent = True
    project = (st.kind != KIND["existing"]) & (st.status == ACTIVE)
    for k in range(st.P):
        short = np.where(project & st.has[k], st.permit[k] - st.held(world, k), 0)
        who = np.nonzero(short > 0)[0]
        if not who.size:
            continue
        st.noticed[k, who] = True
        world.record_charges(holder=st.ids[who], payee=GOVERNMENT, product=st.product[k], kind="notice",
                             band=0, quantity=short[who], rate_ticks=0, amount_fen=np.zeros(who.size, np.int64))


def charge_penalties(st: EmissionState, world: World, k: int, units: np.ndarray, excess: np.ndarray, rate: int,
                     amount: np.ndarray) -> None:
    """Units (local indices) pay their penalties of product ``k`` (``amount`` fen, for ``excess`` kg at ``rate``
    ticks per kg) to the fiscal account: ``penalty`` lines in ``charges`` (E12, E14)."""
    world.accounts.pay(st.ids[units], FISCAL, amount)
    world.record_charges(holder=st.ids[units], payee=FISCAL, product=st.product[k], kind="penalty", band=0,
                         quantity=excess, rate_ticks=rate, amount_fen=amount)


def comply(st: EmissionState, world: World, k: int) -> dict:
    """E12: each emitting unit abates (at least what it planned at the year start) or violates
    (:func:`~rights_market.rules.emission.comply`); a
    violator pays the fixed fine plus the rate on its excess emission to the fiscal account (``penalty``).
    Returns the year's totals of pollutant ``k`` for the KPIs (kg, yuan of abatement cost, fen of penalty)."""
    c = st.spec.compliance
    who = np.nonzero((st.status == ACTIVE) & st.has[k])[0]
    held = st.held(world, k)[who]
    out = comply_rule(st.curves[k].take(who), st.E[k, who], held, yuan_to_fen(c.penalty_fixed_yuan),
                      yuan_per_t_to_ticks(c.penalty_yuan_per_t), committed=st.planned[k, who])
    e = st.E[k, who]
    # durable abatement: the share abated this year stays in place (plan_abatement keeps it next year)
    st.installed[k, who] = np.divide(out.abatement, e, out=np.zeros(who.size), where=e > 0)
    bad = np.nonzero(out.excess > 0)[0]
    if bad.size:
        charge_penalties(st, world, k, who[bad], out.excess[bad], yuan_per_t_to_ticks(c.penalty_yuan_per_t),
                         out.penalty_fen[bad])
    unabated = int(st.E[k, who].sum())
    return {"unabated": unabated, "abatement": int(out.abatement.sum()), "planned": int(st.planned[k, who].sum()),
            "violator_ids": st.ids[who[bad]].tolist(),
            "emissions": unabated - int(out.abatement.sum()), "cost": float(out.cost_yuan.sum()),
            "excess": int(out.excess.sum()), "violators": int(bad.size), "penalty": int(out.penalty_fen.sum())}


def allocate_carbon(st: EmissionState, world: World) -> None:
    """E14: annual free allowances to key emitters: allocation share × emission before abatement."""
    k = st.P
    share = decimal_to_rational(st.spec.carbon.allocation_share)
    q = frac_of(st.E[k], share)
    st.carbon_allocated = int(q.sum())
    world.accounts.move(st.product[k], ISSUER, st.ids, q)


def surrender(st: EmissionState, world: World) -> dict:
    """E14: key emitters abate or fall short, surrender allowances equal to their emission (retired to
    ``consumed``) and pay the fine (reference price × multiple per t) on any shortfall; unused allowances
    are banked or, without banking, expire. Returns the year's totals for the KPIs."""
    k = st.P
    c = st.spec.carbon
    rate = carbon_fine_ticks(st.spec)
    who = np.nonzero((st.status == ACTIVE) & st.has[k])[0]
    held = st.held(world, k)[who]
    out = comply_rule(st.curves[k].take(who), st.E[k, who], held, 0, rate)
    emissions = st.E[k, who] - out.abatement
    surrendered = np.minimum(emissions, held)
    world.accounts.move(st.product[k], st.ids[who], CONSUMED, surrendered)
    e = st.E[k, who]
    # durable abatement: the share abated this year stays in place (plan_abatement keeps it next year)
    st.installed[k, who] = np.divide(out.abatement, e, out=np.zeros(who.size), where=e > 0)
    bad = np.nonzero(out.excess > 0)[0]
    if bad.size:
        charge_penalties(st, world, k, who[bad], out.excess[bad], rate, out.penalty_fen[bad])
    if not c.banking:
        left = st.held(world, k)
        world.accounts.move(st.product[k], st.ids, ISSUER, left)
    return {"allocated": st.carbon_allocated, "emissions": int(emissions.sum()),
            "surrendered": int(surrendered.sum()), "shortfall": int(out.excess.sum()),
            "compliant": int(np.sum(out.excess == 0)), "units": int(who.size), "cost": float(out.cost_yuan.sum())}
