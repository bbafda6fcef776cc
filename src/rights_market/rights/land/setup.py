"""Set-up of the land market: holders by group and parcels by land class with their confirmed rights (rule L3).

Holder groups, in account order: households (by village), village collectives, village funds, family farms,
cooperatives, firms, entrants, restorers, lessees. Characteristics are drawn from the scenario's distributions
with the ``land.setup`` stream. Every parcel's rights enter the ledger from the issuer (rule L3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...engine.sampling import draw
from ...engine.world import World
from ...ledger import GOVERNMENT, ISSUER
from ...rules.land import (
    BASIC,
    COLL_CON,
    FARMING,
    GENERAL,
    GRADE_NEW,
    HOMESTEAD,
    INDUSTRIAL,
    MINING,
    NO_USE,
    RESIDENCE,
    STATE_CON,
    UNUSED,
)
from ...units import M2_PER_MU, TICKS_PER_YUAN, decimal_to_rational, yuan_to_fen
from ..shared.registry import register
from ..shared.reserves import RESERVES
from .parcels import CONTRACT, UNIT, USE_PRODUCT, Parcels

if TYPE_CHECKING:
    from .policy import LandPolicy

LAND_RESERVE = RESERVES["land"]
#: ``term_end`` of a parcel whose right has no term (:data:`.land_parcels.COLUMNS`).
NO_TERM = 9999
RIGHT = "land"


def ticks_per_m2_of_yuan_per_mu(yuan_per_mu: np.ndarray | float) -> np.ndarray:
    """Drawn yuan per mu → ticks per m² (× 10000 ticks/yuan × 15/10000 mu/m² = × 15), rounded, at least 1."""
    return np.maximum(np.rint(np.asarray(yuan_per_mu, dtype=float) * 15), 1).astype(np.int64)


def m2_of_mu(mu: np.ndarray) -> np.ndarray:
    """Drawn mu → whole m² (rounded, at least 1)."""
    return np.maximum(np.rint(np.asarray(mu, dtype=float) * float(M2_PER_MU)), 1).astype(np.int64)


def make_holders(pol: LandPolicy, world: World, first_holder: int) -> None:
    """Holder accounts ``first_holder ...`` by group (see :meth:`LandPolicy.holder_count`) and their drawn
    characteristics: values in ticks per m² (per m² and year for rents), demands in m², output per mu in fen."""
    spec, rng = pol.spec, world.rng.stream("land.setup")
    pol.first = first_holder
    pol.n_local = pol.holder_count()
    start = {}
    pos = first_holder
    for g, n in pol.layout.items():
        start[g] = pos
        pos += n
    pol.start = start
    ids = {g: np.arange(start[g], start[g] + n, dtype=np.int64) for g, n in pol.layout.items()}
    pol.ids = ids
    nv = len(spec.villages)
    pol.hh = ids["household"]
    pol.hh_village = np.repeat(np.arange(nv), [v.households for v in spec.villages]).astype(np.int64)
    pol.village_households = [np.flatnonzero(pol.hh_village == v) for v in range(nv)]
    pol.coll_acct = ids["collective"]
    pol.fund_acct = ids["village_fund"]
    r = spec.rural
    nh = pol.hh.size
    pol.hh_value = ticks_per_m2_of_yuan_per_mu(draw(r.farming_value_yuan_per_mu_year, nh, rng))
    pol.hh_expanding = rng.random(nh) < float(r.expanding_share)
    pol.hh_expand_value = ticks_per_m2_of_yuan_per_mu(draw(r.expanding_value_yuan_per_mu_year, nh, rng))
    # operators (L10)
    o = spec.operators
    pol.op_ids = np.concatenate([ids["family_farm"], ids["cooperative"]])
    pol.op_coop = np.concatenate([np.zeros(o.family_farms, bool), np.ones(o.cooperatives, bool)])
    nop = pol.op_ids.size
    pol.op_value = ticks_per_m2_of_yuan_per_mu(draw(o.value_yuan_per_mu_year, nop, rng))
    pol.op_demand = m2_of_mu(draw(o.demand_mu, nop, rng))
    # firms and entrants (L4-L6, L11, L14)
    f = spec.firms
    pol.firm_ids = np.concatenate([ids["firm"], ids["entrant"]])
    nf = pol.firm_ids.size
    pol.firm_prod = np.maximum(np.rint(draw(f.output_yuan_per_mu_year, nf, rng) * 100), 0).astype(np.int64)
    pol.firm_tax_ppm = np.clip(np.rint(draw(f.tax_share_of_output, nf, rng) * 1_000_000), 0, 1_000_000).astype(
        np.int64)
    pol.firm_value = np.maximum(
        np.rint(draw(f.land_value_share_of_benchmark, nf, rng) * pol.bench[INDUSTRIAL]), 1).astype(np.int64)
    demand = np.maximum(np.rint(draw(f.demand_m2, nf, rng)), 1).astype(np.int64)
    expanding = rng.random(nf) < float(f.expanding_share)
    expanding[f.firms:] = True
    pol.firm_demand = np.where(expanding, demand, 0)
    pol.firm_new = np.zeros(nf, bool)
    pol.firm_new[f.firms:] = rng.random(f.entrants) < float(f.new_industry_share)
    pol.firm_zombie = np.zeros(nf, bool)
    pol.firm_zombie[: f.firms] = rng.random(f.firms) < float(spec.zombie.initial_share)
    pol.firm_active = np.ones(nf, bool)
    pol.firm_grade = np.full(nf, GRADE_NEW, dtype=np.int8)
    pol.firm_d_years = np.zeros(nf, dtype=np.int64)
    pol.firm_output = np.zeros(nf, dtype=np.int64)
    pol.firm_tax = np.zeros(nf, dtype=np.int64)
    pol.firm_of = np.full(pol.n_local, -1, dtype=np.int64)
    pol.firm_of[pol.firm_ids - first_holder] = np.arange(nf)
    # restorers (L8, L9) and lessees (L7)
    pol.restorer_ids = ids["restorer"]
    pol.restorer_ask = np.full(pol.restorer_ids.size, pol.quota_bench, dtype=np.int64)
    hl = spec.homestead_lease
    pol.lessee_ids = ids["lessee"]
    pol.lessee_value = np.maximum(
        np.rint(draw(hl.value_yuan_per_m2_year, pol.lessee_ids.size, rng) * TICKS_PER_YUAN), 1).astype(np.int64)
    pol.lessee_slots = np.full(pol.lessee_ids.size, hl.homesteads_per_lessee, dtype=np.int64)


def make_parcels(pol: LandPolicy, world: World, rng: np.random.Generator) -> None:
    """Rule L3: the parcels of every land class, one contract parcel and one homestead per household (the sum
    of its plots), the villages' collective construction land, the firms' state industrial land (with its
    remaining term and investment made, rule L5), the land reserve's stock and the state wasteland."""
    spec, r = pol.spec, pol.spec.rural
    p = pol.parcels = Parcels()
    gov, res = GOVERNMENT, LAND_RESERVE
    start = world.calendar.start_year
    nh = pol.hh.size
    contract_end = r.second_round_end_year + r.extension_years
    area = m2_of_mu(draw(r.contract_mu, nh, rng))
    basic = rng.random(nh) < float(r.basic_farmland_share)
    p.add(nh, village=pol.hh_village, cls=np.where(basic, BASIC, GENERAL), area=area,
          owner=pol.coll_acct[pol.hh_village], holder=pol.hh, user=pol.hh, term_end=contract_end, use=FARMING)
    home = np.maximum(np.rint(draw(r.homestead_m2, nh, rng)), 1).astype(np.int64)
    idle = rng.random(nh) < float(r.idle_homestead_share)
    p.add(nh, village=pol.hh_village, cls=HOMESTEAD, area=home, owner=pol.coll_acct[pol.hh_village],
          holder=pol.hh, user=pol.hh, use=RESIDENCE, idle_since=np.where(idle, start - 1, -1))
    for v, vs in enumerate(spec.villages):
        k = vs.collective_construction_parcels
        if k:
            a = np.maximum(np.rint(draw(r.collective_construction_m2, k, rng)), 1).astype(np.int64)
            acct = int(pol.coll_acct[v])
            p.add(k, village=v, cls=COLL_CON, area=a, owner=acct, holder=acct, user=acct, use=NO_USE)
    f = spec.firms
    if f.firms:
        a = np.maximum(np.rint(draw(f.parcel_m2, f.firms, rng)), 1).astype(np.int64)
        full = pol.full_term[INDUSTRIAL]
        age = np.clip(np.rint(draw(f.parcel_age_years, f.firms, rng)), 0, full - 1).astype(np.int64)
        planned = planned_investment(pol, a)
        under = rng.random(f.firms) < float(f.under_invested_share)
        thr = decimal_to_rational(spec.preregistration.investment_threshold_share)
        invested = np.where(under, (planned * rng.uniform(0, float(thr), f.firms)).astype(np.int64), planned)
        ids = pol.firm_ids[: f.firms]
        p.add(f.firms, cls=STATE_CON, area=a, owner=res, holder=ids, user=ids, term_end=start + full - 1 - age,
              use=INDUSTRIAL, planned_inv=planned, invested=invested, price_ticks=pol.bench[INDUSTRIAL])
    s = spec.supply
    if s.reserve_parcels:
        a = np.maximum(np.rint(draw(s.reserve_parcel_m2, s.reserve_parcels, rng)), 1).astype(np.int64)
        p.add(s.reserve_parcels, cls=STATE_CON, area=a, owner=res, holder=res, user=res, use=NO_USE)
    rs = spec.restoration
    for cls, n, dist in ((MINING, rs.mining_parcels, rs.mining_parcel_m2),
                         (UNUSED, rs.unused_parcels, rs.unused_parcel_m2)):
        if n:
            a = np.maximum(np.rint(draw(dist, n, rng)), 1).astype(np.int64)
            p.add(n, cls=cls, area=a, owner=gov, holder=gov, user=gov, use=NO_USE)


def planned_investment(pol: LandPolicy, area: np.ndarray) -> np.ndarray:
    """Rule L5: planned total investment of parcels (fen): intensity per mu × area."""
    per_mu = yuan_to_fen(pol.spec.firms.planned_investment_yuan_per_mu)
    return (np.asarray(area, dtype=np.int64) * per_mu * 15) // 10_000


def record_holders(pol: LandPolicy, world: World) -> None:
    """One ``holders`` row per land account: ``<village>/household-<k>``, ``<village>/collective``, ...."""
    spec = pol.spec
    names, groups, sectors = [], [], []
    vn = [v.name for v in spec.villages]
    counts = np.zeros(len(vn), dtype=np.int64)
    for v in pol.hh_village:
        counts[v] += 1
        names.append(f"{vn[v]}/household-{counts[v]}")
    groups += ["household"] * pol.hh.size
    sectors += ["agriculture"] * pol.hh.size
    names += [f"{n}/collective" for n in vn] + [f"{n}/village_fund" for n in vn]
    groups += ["collective"] * len(vn) + ["village_fund"] * len(vn)
    sectors += ["agriculture"] * (2 * len(vn))
    for g, sector in (("family_farm", "agriculture"), ("cooperative", "agriculture"), ("firm", "industry"),
                      ("entrant", "industry"), ("restorer", "ecology"), ("lessee", "services")):
        n = pol.layout[g]
        names += [f"{g}-{k}" for k in range(1, n + 1)]
        groups += [g] * n
        sectors += [sector] * n
    world.tables["holders"].append(
        holder=np.arange(pol.first, pol.first + pol.n_local, dtype=np.int64),
        name=np.array(names, dtype=object), group=np.array(groups, dtype=object),
        sector=np.array(sectors, dtype=object), right=RIGHT,
    )


def issue(pol: LandPolicy, world: World) -> None:
    """Rule L3: every parcel's confirmed rights enter the ledger from the issuer."""
    p, acc = pol.parcels, world.accounts
    prods = p.use_products()
    for prod in set(USE_PRODUCT.values()):
        m = np.flatnonzero(p.active & (prods == prod))
        if m.size:
            acc.move(prod, ISSUER, p.user[m], p.area[m])
    m = np.flatnonzero(p.has_contract())
    acc.move(CONTRACT, ISSUER, p.holder[m], p.area[m])
    register_confirmations(pol, world)


def register_confirmations(pol: LandPolicy, world: World) -> None:
    """Rule L3: one ``confirm`` row of the register per parcel and right: its use-level right (holder = user)
    and, for collective farmland, the contract right (holder = contract holder); counterparty = the owner the
    right returns to (−1 if the holder owns it), term_end = the last year of the right (−1: no term)."""
    p = pol.parcels
    prods = p.use_products()
    for product, rows, holder in ((None, np.flatnonzero(p.active), p.user),
                                  (CONTRACT, np.flatnonzero(p.has_contract()), p.holder)):
        if not rows.size:
            continue
        h, owner = holder[rows].astype(np.int64), p.owner[rows].astype(np.int64)
        term = p.term_end[rows].astype(np.int64)
        register(world, right=RIGHT, product=prods[rows] if product is None else product, event="confirm",
                 parcel=rows, holder=h, counterparty=np.where(owner == h, -1, owner), quantity=p.area[rows],
                 unit=UNIT, term_end=np.where(term == NO_TERM, -1, term), note="confirmed right (L3)")


__all__ = ["issue", "m2_of_mu", "make_holders", "make_parcels", "planned_investment", "record_holders",
           "register_confirmations", "ticks_per_m2_of_yuan_per_mu"]
