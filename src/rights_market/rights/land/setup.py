"""Set-up of the land market: holders by group and parcels by land class with their confirmed rights (rule L3).

Holder groups, in account order: households (by village), village collectives, village funds, family farms,
cooperatives, firms, entrants, restorers, lessees. Characteristics are drawn from the scenario's distributions
with the ``land.setup`` stream. Every parcel's rights enter the ledger from the issuer (rule L3).
"""

from __future__ import annotations

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
from ...scenario.land import LandSpec
from ...units import M2_PER_MU, TICKS_PER_YUAN, decimal_to_rational, per_mu_total, yuan_to_fen
from ..shared.registry import register
from ..shared.reserves import RESERVES
from .parcels import CONTRACT, UNIT, USE_PRODUCT, Parcels
from .state import LandPrices, LandState, layout_of

LAND_RESERVE = RESERVES["land"]
#: ``term_end`` of a parcel whose right has no term (:data:`.land_parcels.COLUMNS`).
NO_TERM = 9999
RIGHT = "land"


def ticks_per_m2_of_yuan_per_mu(yuan_per_mu: np.ndarray | float) -> np.ndarray:
    """Drawn yuan per mu → ticks per m² (× 10000 ticks/yuan ÷ 10000/15 m²/mu = × 15), rounded, at least 1."""
    return np.maximum(np.rint(np.asarray(yuan_per_mu, dtype=float) * float(TICKS_PER_YUAN / M2_PER_MU)), 1).astype(
        np.int64)


def m2_of_mu(mu: np.ndarray) -> np.ndarray:
    """Drawn mu → whole m² (rounded, at least 1)."""
    return np.maximum(np.rint(np.asarray(mu, dtype=float) * float(M2_PER_MU)), 1).astype(np.int64)


def new_state(spec: LandSpec, holdings_every: str, world: World, first_holder: int) -> LandState:
    """The state of a run at set-up: holder accounts ``first_holder ...`` by group (:func:`.state.layout_of`)
    with their drawn characteristics (values in ticks per m², per m² and year for rents; demands in m²; output
    per mu in fen), then the parcels (:func:`add_parcels`); all draws from the ``land.setup`` stream."""
    layout, prices = layout_of(spec), LandPrices.of(spec)
    rng = world.rng.stream("land.setup")
    first = first_holder
    n_local = sum(layout.values())
    start: dict[str, int] = {}
    pos = first_holder
    for g, n in layout.items():
        start[g] = pos
        pos += n
    ids = {g: np.arange(start[g], start[g] + n, dtype=np.int64) for g, n in layout.items()}
    nv = len(spec.villages)
    hh = ids["household"]
    hh_village = np.repeat(np.arange(nv), [v.households for v in spec.villages]).astype(np.int64)
    village_households = [np.flatnonzero(hh_village == v) for v in range(nv)]
    coll_acct = ids["collective"]
    fund_acct = ids["village_fund"]
    r = spec.rural
    nh = hh.size
    hh_value = ticks_per_m2_of_yuan_per_mu(draw(r.farming_value_yuan_per_mu_year, nh, rng))
    hh_expanding = rng.random(nh) < float(r.expanding_share)
    hh_expand_value = ticks_per_m2_of_yuan_per_mu(draw(r.expanding_value_yuan_per_mu_year, nh, rng))
    # operators (L10)
    o = spec.operators
    op_ids = np.concatenate([ids["family_farm"], ids["cooperative"]])
    op_coop = np.concatenate([np.zeros(o.family_farms, bool), np.ones(o.cooperatives, bool)])
    nop = op_ids.size
    op_value = ticks_per_m2_of_yuan_per_mu(draw(o.value_yuan_per_mu_year, nop, rng))
    op_demand = m2_of_mu(draw(o.demand_mu, nop, rng))
    # firms and entrants (L4-L6, L11, L14)
    f = spec.firms
    firm_ids = np.concatenate([ids["firm"], ids["entrant"]])
    nf = firm_ids.size
    firm_prod = np.maximum(np.rint(draw(f.output_yuan_per_mu_year, nf, rng) * 100), 0).astype(np.int64)
    firm_tax_ppm = np.clip(np.rint(draw(f.tax_share_of_output, nf, rng) * 1_000_000), 0, 1_000_000).astype(
        np.int64)
    firm_value = np.maximum(
        np.rint(draw(f.land_value_share_of_benchmark, nf, rng) * prices.bench[INDUSTRIAL]), 1).astype(np.int64)
    demand = np.maximum(np.rint(draw(f.demand_m2, nf, rng)), 1).astype(np.int64)
    expanding = rng.random(nf) < float(f.expanding_share)
    expanding[f.firms:] = True
    firm_demand = np.where(expanding, demand, 0)
    firm_new = np.zeros(nf, bool)
    firm_new[f.firms:] = rng.random(f.entrants) < float(f.new_industry_share)
    firm_zombie = np.zeros(nf, bool)
    firm_zombie[: f.firms] = rng.random(f.firms) < float(spec.zombie.initial_share)
    firm_active = np.ones(nf, bool)
    firm_grade = np.full(nf, GRADE_NEW, dtype=np.int8)
    firm_d_years = np.zeros(nf, dtype=np.int64)
    firm_output = np.zeros(nf, dtype=np.int64)
    firm_tax = np.zeros(nf, dtype=np.int64)
    firm_of = np.full(n_local, -1, dtype=np.int64)
    firm_of[firm_ids - first_holder] = np.arange(nf)
    # restorers (L8, L9) and lessees (L7)
    restorer_ids = ids["restorer"]
    restorer_ask = np.full(restorer_ids.size, prices.quota_bench, dtype=np.int64)
    hl = spec.homestead_lease
    lessee_ids = ids["lessee"]
    lessee_value = np.maximum(
        np.rint(draw(hl.value_yuan_per_m2_year, lessee_ids.size, rng) * TICKS_PER_YUAN), 1).astype(np.int64)
    lessee_slots = np.full(lessee_ids.size, hl.homesteads_per_lessee, dtype=np.int64)
    st = LandState(
        spec=spec, holdings_every=holdings_every, layout=layout, prices=prices, parcels=Parcels(),
        other_gdp=yuan_to_fen(spec.economy.other_gdp_yuan),
        village_used=np.zeros(len(spec.villages), dtype=np.int64),
        coll_acct=coll_acct, firm_active=firm_active, firm_d_years=firm_d_years, firm_demand=firm_demand,
        firm_grade=firm_grade, firm_ids=firm_ids, firm_new=firm_new, firm_of=firm_of, firm_output=firm_output,
        firm_prod=firm_prod, firm_tax=firm_tax, firm_tax_ppm=firm_tax_ppm, firm_value=firm_value,
        firm_zombie=firm_zombie, first=first, fund_acct=fund_acct, hh=hh, hh_expand_value=hh_expand_value,
        hh_expanding=hh_expanding, hh_value=hh_value, hh_village=hh_village, ids=ids, lessee_ids=lessee_ids,
        lessee_slots=lessee_slots, lessee_value=lessee_value, n_local=n_local, op_coop=op_coop, op_demand=op_demand,
        op_ids=op_ids, op_value=op_value, op_net_share=np.zeros(nop), restorer_ask=restorer_ask, restorer_ids=restorer_ids, start=start,
        village_households=village_households,
    )
    add_parcels(st, world, world.rng.stream("land.setup"))
    if r.productivity is not None:
        draw_productivity(st, r.productivity, world.rng.stream("land.productivity"))
    return st


def draw_productivity(st: LandState, spec, rng: np.random.Generator) -> None:
    """Per-parcel gross output value of the contract parcels and per-operator net income shares (L10 rents
    from economics; a stream of its own, so the other draws are those of a run without it)."""
    p = st.parcels
    rows = np.flatnonzero(p.has_contract())
    p.output[rows] = ticks_per_m2_of_yuan_per_mu(draw(spec.output_value_yuan_per_mu_year, rows.size, rng))
    st.op_net_share[:] = np.clip(draw(spec.operator_net_share, st.op_ids.size, rng), 0.0, 1.0)


def add_parcels(st: LandState, world: World, rng: np.random.Generator) -> None:
    """Rule L3: the parcels of every land class, one contract parcel and one homestead per household (the sum
    of its plots), the villages' collective construction land, the firms' state industrial land (with its
    remaining term and investment made, rule L5), the land reserve's stock and the state wasteland."""
    spec, r = st.spec, st.spec.rural
    p = st.parcels
    gov, res = GOVERNMENT, LAND_RESERVE
    start = world.calendar.start_year
    nh = st.hh.size
    contract_end = r.second_round_end_year + r.extension_years
    area = m2_of_mu(draw(r.contract_mu, nh, rng))
    basic = rng.random(nh) < float(r.basic_farmland_share)
    p.add(nh, village=st.hh_village, cls=np.where(basic, BASIC, GENERAL), area=area,
          owner=st.coll_acct[st.hh_village], holder=st.hh, user=st.hh, term_end=contract_end, use=FARMING)
    home = np.maximum(np.rint(draw(r.homestead_m2, nh, rng)), 1).astype(np.int64)
    idle = rng.random(nh) < float(r.idle_homestead_share)
    p.add(nh, village=st.hh_village, cls=HOMESTEAD, area=home, owner=st.coll_acct[st.hh_village],
          holder=st.hh, user=st.hh, use=RESIDENCE, idle_since=np.where(idle, start - 1, -1))
    for v, vs in enumerate(spec.villages):
        k = vs.collective_construction_parcels
        if k:
            a = np.maximum(np.rint(draw(r.collective_construction_m2, k, rng)), 1).astype(np.int64)
            acct = int(st.coll_acct[v])
            p.add(k, village=v, cls=COLL_CON, area=a, owner=acct, holder=acct, user=acct, use=NO_USE)
    f = spec.firms
    if f.firms:
        a = np.maximum(np.rint(draw(f.parcel_m2, f.firms, rng)), 1).astype(np.int64)
        full = st.full_term[INDUSTRIAL]
        age = np.clip(np.rint(draw(f.parcel_age_years, f.firms, rng)), 0, full - 1).astype(np.int64)
        planned = planned_investment(st, a)
        under = rng.random(f.firms) < float(f.under_invested_share)
        thr = decimal_to_rational(spec.preregistration.investment_threshold_share)
        invested = np.where(under, (planned * rng.uniform(0, float(thr), f.firms)).astype(np.int64), planned)
        ids = st.firm_ids[: f.firms]
        p.add(f.firms, cls=STATE_CON, area=a, owner=res, holder=ids, user=ids, term_end=start + full - 1 - age,
              use=INDUSTRIAL, planned_inv=planned, invested=invested, price_ticks=st.bench[INDUSTRIAL])
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


def planned_investment(st: LandState, area: np.ndarray) -> np.ndarray:
    """Rule L5: planned total investment of parcels (fen): intensity per mu × area."""
    per_mu = yuan_to_fen(st.spec.firms.planned_investment_yuan_per_mu)
    return per_mu_total(np.asarray(area, dtype=np.int64), per_mu)


def baselines(st: LandState) -> None:
    """The L17 baselines after set-up (farmland, construction land, GDP) and the total area of the parcels."""
    st.initial_farmland = st.farmland_area()
    st.base_construction = st.construction_area()
    st.base_gdp = st.gdp_fen()
    st.total_area = int(st.parcels.area[st.parcels.active].sum())


def record_holders(st: LandState, world: World) -> None:
    """One ``holders`` row per land account: ``<village>/household-<k>``, ``<village>/collective``, ...."""
    spec = st.spec
    names, groups, sectors = [], [], []
    vn = [v.name for v in spec.villages]
    counts = np.zeros(len(vn), dtype=np.int64)
    for v in st.hh_village:
        counts[v] += 1
        names.append(f"{vn[v]}/household-{counts[v]}")
    groups += ["household"] * st.hh.size
    sectors += ["agriculture"] * st.hh.size
    names += [f"{n}/collective" for n in vn] + [f"{n}/village_fund" for n in vn]
    groups += ["collective"] * len(vn) + ["village_fund"] * len(vn)
    sectors += ["agriculture"] * (2 * len(vn))
    for g, sector in (("family_farm", "agriculture"), ("cooperative", "agriculture"), ("firm", "industry"),
                      ("entrant", "industry"), ("restorer", "ecology"), ("lessee", "services")):
        n = st.layout[g]
        names += [f"{g}-{k}" for k in range(1, n + 1)]
        groups += [g] * n
        sectors += [sector] * n
    world.tables["holders"].append(
        holder=np.arange(st.first, st.first + st.n_local, dtype=np.int64),
        name=np.array(names, dtype=object), group=np.array(groups, dtype=object),
        sector=np.array(sectors, dtype=object), right=RIGHT,
    )


def issue(st: LandState, world: World) -> None:
    """Rule L3: every parcel's confirmed rights enter the ledger from the issuer."""
    p, acc = st.parcels, world.accounts
    prods = p.use_products()
    for prod in set(USE_PRODUCT.values()):
        m = np.flatnonzero(p.active & (prods == prod))
        if m.size:
            acc.move(prod, ISSUER, p.user[m], p.area[m])
    m = np.flatnonzero(p.has_contract())
    acc.move(CONTRACT, ISSUER, p.holder[m], p.area[m])
    register_confirmations(st, world)


def register_confirmations(st: LandState, world: World) -> None:
    """Rule L3: one ``confirm`` row of the register per parcel and right: its use-level right (holder = user)
    and, for collective farmland, the contract right (holder = contract holder); counterparty = the owner the
    right returns to (−1 if the holder owns it), term_end = the last year of the right (−1: no term)."""
    p = st.parcels
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


__all__ = ["baselines", "issue", "m2_of_mu", "add_parcels", "new_state", "planned_investment", "record_holders",
           "register_confirmations", "ticks_per_m2_of_yuan_per_mu"]
