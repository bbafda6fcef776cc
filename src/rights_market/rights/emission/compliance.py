"""Compliance of the emission market: notices to projects short of rights (rule E13), abatement or penalty
at the year end (E12), and the carbon allowances of key emitters, allocated and surrendered (E14).

Penalties are paid to the fiscal account and recorded as ``penalty`` lines in ``charges`` (quantity = the
excess emission or the allowance shortfall, kg; rate ticks per kg); notices as ``notice`` lines of amount 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...engine.world import World
from ...ledger import CONSUMED, FISCAL, GOVERNMENT, ISSUER
from ...rules.emission import comply as comply_rule
from ...scenario.emission import EmissionSpec
from ...units import decimal_to_rational, yuan_to_fen
from .products import ACTIVE, KIND, frac_of, yuan_per_t_to_ticks

if TYPE_CHECKING:
    from .policy import EmissionPolicy


def carbon_fine_ticks(spec: EmissionSpec) -> int:
    """E14: the fine per kg of CO2 not surrendered, ticks/kg (reference price × multiple). No emitter values
    an allowance above it, so it also bounds the prices of allowance orders."""
    c = spec.carbon
    rate = yuan_per_t_to_ticks(c.reference_price_yuan_per_t) * decimal_to_rational(c.penalty_multiple_of_price)
    return int(rate)


def notices(pol: EmissionPolicy, world: World) -> None:
    """E13: projects approved to emit (new, major and strategic projects, whose permit must be bought on
    the market, E4) that still hold less than their permitted quantity are told to complete the trade by
    the year end: a ``notice`` line in ``charges`` (payee the government, amount 0, quantity the missing
    rights, kg). They trade in every session for the rest of the year."""
    pol.notice_sent = True
    project = (pol.kind != KIND["existing"]) & (pol.status == ACTIVE)
    for k in range(pol.P):
        short = np.where(project & pol.has[k], pol.permit[k] - pol.held(world, k), 0)
        who = np.nonzero(short > 0)[0]
        if not who.size:
            continue
        pol.noticed[k, who] = True
        world.record_charges(holder=pol.ids[who], payee=GOVERNMENT, product=pol.product[k], kind="notice",
                             band=0, quantity=short[who], rate_ticks=0, amount_fen=np.zeros(who.size, np.int64))


def charge_penalties(pol: EmissionPolicy, world: World, k: int, units: np.ndarray, excess: np.ndarray, rate: int,
                     amount: np.ndarray) -> None:
    """Units (local indices) pay their penalties of product ``k`` (``amount`` fen, for ``excess`` kg at ``rate``
    ticks per kg) to the fiscal account: ``penalty`` lines in ``charges`` (E12, E14)."""
    world.accounts.pay(pol.ids[units], FISCAL, amount)
    world.record_charges(holder=pol.ids[units], payee=FISCAL, product=pol.product[k], kind="penalty", band=0,
                         quantity=excess, rate_ticks=rate, amount_fen=amount)


def comply(pol: EmissionPolicy, world: World, k: int) -> dict:
    """E12: each emitting unit abates or violates (:func:`~rights_market.rules.emission.comply`); a
    violator pays the fixed fine plus the rate on its excess emission to the fiscal account (``penalty``).
    Returns the year's totals of pollutant ``k`` for the KPIs (kg, yuan of abatement cost, fen of penalty)."""
    c = pol.spec.compliance
    who = np.nonzero((pol.status == ACTIVE) & pol.has[k])[0]
    held = pol.held(world, k)[who]
    out = comply_rule(pol.curves[k].take(who), pol.E[k, who], held, yuan_to_fen(c.penalty_fixed_yuan),
                      yuan_per_t_to_ticks(c.penalty_yuan_per_t))
    bad = np.nonzero(out.excess > 0)[0]
    if bad.size:
        charge_penalties(pol, world, k, who[bad], out.excess[bad], yuan_per_t_to_ticks(c.penalty_yuan_per_t),
                         out.penalty_fen[bad])
    unabated = int(pol.E[k, who].sum())
    return {"unabated": unabated, "abatement": int(out.abatement.sum()),
            "emissions": unabated - int(out.abatement.sum()), "cost": float(out.cost_yuan.sum()),
            "excess": int(out.excess.sum()), "violators": int(bad.size), "penalty": int(out.penalty_fen.sum())}


def allocate_carbon(pol: EmissionPolicy, world: World) -> None:
    """E14: annual free allowances to key emitters: allocation share × emission before abatement."""
    k = pol.P
    share = decimal_to_rational(pol.spec.carbon.allocation_share)
    q = frac_of(pol.E[k], share)
    pol.carbon_allocated = int(q.sum())
    world.accounts.move(pol.product[k], ISSUER, pol.ids, q)


def surrender(pol: EmissionPolicy, world: World) -> dict:
    """E14: key emitters abate or fall short, surrender allowances equal to their emission (retired to
    ``consumed``) and pay the fine (reference price × multiple per t) on any shortfall; unused allowances
    are banked or, without banking, expire. Returns the year's totals for the KPIs."""
    k = pol.P
    c = pol.spec.carbon
    rate = carbon_fine_ticks(pol.spec)
    who = np.nonzero((pol.status == ACTIVE) & pol.has[k])[0]
    held = pol.held(world, k)[who]
    out = comply_rule(pol.curves[k].take(who), pol.E[k, who], held, 0, rate)
    emissions = pol.E[k, who] - out.abatement
    surrendered = np.minimum(emissions, held)
    world.accounts.move(pol.product[k], pol.ids[who], CONSUMED, surrendered)
    bad = np.nonzero(out.excess > 0)[0]
    if bad.size:
        charge_penalties(pol, world, k, who[bad], out.excess[bad], rate, out.penalty_fen[bad])
    if not c.banking:
        left = pol.held(world, k)
        world.accounts.move(pol.product[k], pol.ids, ISSUER, left)
    return {"allocated": pol.carbon_allocated, "emissions": int(emissions.sum()),
            "surrendered": int(surrendered.sum()), "shortfall": int(out.excess.sum()),
            "compliant": int(np.sum(out.excess == 0)), "units": int(who.size), "cost": float(out.cost_yuan.sum())}
