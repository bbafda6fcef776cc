"""Industrial land through the year: investment, per-mu grading, idle land, zombie firms, redevelopment.

* Rule L5: parcels under development receive a drawn share of their planned investment each year; a parcel
  that changed hands by pre-registration is registered once 25 % of the investment is made.
* Rule L14 (亩均论英雄): each year end firms are graded A/B/C/D by output and tax per mu of the land they hold
  (idle and undeveloped land count in the area but produce nothing, so they pull the grade down).
* Rule L4: used industrial parcels fall idle at random, for government or firm reasons; a firm-caused idle
  parcel owes the idle fee (20 % of its price) after a year and is recovered without compensation after two;
  idle parcels are offered on the secondary market (the transfer conditions are checked there).
* Rule L6: zombie firms (graded D several years running, or zombies at the start) are disposed of one firm at a
  time: transfer, public auction, or government buyback into the land reserve, tried in the scenario's order.
* Rule L4 (the land reserve's cash): land idle for government reasons for ``gov_buyback_after_years`` is bought
  back by the land reserve (协议有偿收回, MLR order 53 art. 12) at the benchmark for its remaining term, while the
  reserve can pay, and goes back into the supply plan (对批而未供土地进行调剂使用, [L §二(三)7(1)]).
* Rule L11 (demand): each year a share of the firms without a wish for land draw one, if their value of land
  per m² net of their grade's price multiplier (L14) reaches the lowest start price the rules allow.
* Rule L15: low-efficiency firms redevelop: they pay the land price difference to change use to commercial, or
  build higher (no extra fee for more floor area) and split off the land saved for sale.
"""

from __future__ import annotations

import numpy as np

from ...engine.sampling import draw
from ...engine.world import World
from ...ledger import FISCAL
from ...market import RoundRules, english_auction
from ...market.negotiation import nash_prices
from ...rules.land import (
    COLL_CON,
    COMMERCIAL,
    GRADE_C,
    GRADE_D,
    GRADES,
    INDUSTRIAL,
    NEW_INDUSTRY,
    NO_USE,
    R_BUDGET,
    STATE_CON,
    grade_firms,
    idle_fee_fen,
    investment_reached,
    land_price_difference_fen,
    share_of,
    term_price_ticks,
)
from ...units import amount_fen_array, decimal_to_rational, per_mu_total, yuan_to_fen
from ..shared.reserves import RESERVES
from . import books
from .parcels import STATE_P, USE_PRODUCT
from .state import LandState
from .state_land import bench_of, best_buyers, years_left

LAND_RESERVE = RESERVES["land"]
PRODUCTIVE = (INDUSTRIAL, NEW_INDUSTRY, COMMERCIAL)


def firm_parcels(st: LandState) -> np.ndarray:
    """Mask of active construction parcels held and used by a firm."""
    p = st.parcels
    return (p.active & np.isin(p.cls, (STATE_CON, COLL_CON)) & (p.holder == p.user)
            & np.isin(p.user, st.firm_ids))


def used_by_firms(st: LandState) -> np.ndarray:
    """Mask of active construction parcels a firm uses (held, or leased from the land reserve)."""
    p = st.parcels
    return p.active & np.isin(p.cls, (STATE_CON, COLL_CON)) & np.isin(p.user, st.firm_ids)


def invest(st: LandState, world: World) -> None:
    """Rule L5: investment progresses on parcels under development (not idle); pre-registered parcels are
    registered once the threshold share of the planned investment is made."""
    p = st.parcels
    rng = world.rng.stream("land.investment")
    m = np.flatnonzero(p.active & np.isin(p.user, st.firm_ids) & (p.invested < p.planned_inv) & (p.idle_since < 0))
    if m.size:
        share = np.clip(draw(st.spec.firms.investment_share_per_year, m.size, rng), 0, 1)
        add = np.floor(p.planned_inv[m] * share).astype(np.int64)
        p.invested[m] = np.minimum(p.invested[m] + add, p.planned_inv[m])
    thr = decimal_to_rational(st.spec.preregistration.investment_threshold_share)
    for i in np.flatnonzero(p.prereg).tolist():
        if investment_reached(int(p.invested[i]), int(p.planned_inv[i]), thr):
            p.prereg[i] = False
            st.stats["prereg_registered"] += 1


def produce_and_grade(st: LandState, world: World, initial: bool = False) -> None:
    """Rule L14: each firm's output and tax of the year from the land it uses, then its per-mu grade; rule
    L6: firms graded D ``grade_d_years`` years in a row become zombies. Output of a parcel = its developed
    area (area × invested / planned) × the firm's output per mu; idle land produces nothing. Land a firm got
    in the last ``grace_years`` years (its construction period) is left out of the grading: a firm with only
    such land is not graded (``new``)."""
    p, g = st.parcels, st.spec.grading
    held = np.flatnonzero(used_by_firms(st))
    f = st.firm_of[p.user[held] - st.first]
    nf = st.firm_ids.size
    graded = p.acquired[held] <= world.clock.year - g.grace_years
    area = np.zeros(nf, dtype=np.int64)
    np.add.at(area, f, p.area[held])
    g_area = np.zeros(nf, dtype=np.int64)
    np.add.at(g_area, f[graded], p.area[held][graded])
    prod = np.isin(p.use[held], PRODUCTIVE) & (p.idle_since[held] < 0)
    planned = p.planned_inv[held]
    dev = np.where(planned > 0, p.area[held] * np.minimum(p.invested[held], planned) // np.maximum(planned, 1),
                   p.area[held])
    out_parcel = np.where(prod, per_mu_total(dev, st.firm_prod[f]), 0)
    output = np.zeros(nf, dtype=np.int64)
    np.add.at(output, f, out_parcel)
    g_output = np.zeros(nf, dtype=np.int64)
    np.add.at(g_output, f[graded], out_parcel[graded])
    tax = output * st.firm_tax_ppm // 1_000_000
    thr_out = tuple(yuan_to_fen(x) for x in g.output_thresholds_yuan_per_mu)
    thr_tax = tuple(yuan_to_fen(x) for x in g.tax_thresholds_yuan_per_mu)
    st.firm_output, st.firm_tax = output, tax
    st.firm_grade = grade_firms(g_output, g_output * st.firm_tax_ppm // 1_000_000, g_area, thr_out, thr_tax)
    st.firm_area = area
    if initial:
        return
    d = st.firm_grade == GRADE_D
    st.firm_d_years = np.where(d, st.firm_d_years + 1, 0)
    st.firm_zombie |= (st.firm_d_years >= st.spec.zombie.grade_d_years) & (g_area > 0)
    growth = decimal_to_rational(st.spec.firms.output_growth_share_per_year)
    st.firm_prod = st.firm_prod * (growth.denominator + growth.numerator) // growth.denominator


def idle_land(st: LandState, world: World) -> None:
    """Rule L4: idle parcels resume or stay idle; firm-caused idle land pays the fee when due and is recovered
    after ``recover_after_years``; used parcels fall idle from next year."""
    s, p, year = st.spec.idle, st.parcels, world.clock.year
    rng = world.rng.stream("land.idle")
    held = firm_parcels(st) & (p.cls == STATE_CON) & np.isin(p.use, PRODUCTIVE)
    idle = np.flatnonzero(held & (p.idle_since >= 0) & (p.idle_since <= year))
    resume = rng.random(idle.size) < float(s.resume_probability_per_year)
    for i in idle[resume].tolist():
        p.idle_since[i], p.idle_gov[i], p.fee_paid[i] = -1, False, False
    fee_share = decimal_to_rational(s.fee_share)
    for i in idle[~resume].tolist():
        if p.idle_gov[i]:
            continue
        years = year - int(p.idle_since[i]) + 1
        firm, area = int(p.user[i]), int(p.area[i])
        if years >= s.fee_after_years and not p.fee_paid[i] and rng.random() < float(s.fee_paid_probability):
            basis = int(amount_fen_array(np.array([area]), np.array([int(p.price_ticks[i])]))[0])
            books.charge(st, world, firm, FISCAL, STATE_P, "idle_fee", area, int(p.price_ticks[i]),
                       idle_fee_fen(basis, fee_share))
            p.fee_paid[i] = True
        if s.recover_after_years is not None and years >= s.recover_after_years:
            world.accounts.move(STATE_P, firm, LAND_RESERVE, area)
            to_reserve(st, i)
            books.reserve_record(st, world, STATE_P, "reclaim", area, 0, 0, "idle land recovered without compensation (L4)")
            st.stats["idle_recovered_m2"] += area
    fresh = np.flatnonzero(held & (p.idle_since < 0))
    new = fresh[rng.random(fresh.size) < float(s.probability_per_year)]
    gov = rng.random(new.size) < float(s.government_share)
    p.idle_since[new] = year + 1
    p.idle_gov[new] = gov
    p.fee_paid[new] = False
    st.stats["idle_parcels_new"] += int(new.size)


def gov_idle_buyback(st: LandState, world: World) -> None:
    """Rule L4 with X2: the land reserve buys back parcels idle for government reasons for at least
    ``gov_buyback_after_years`` (闲置土地处置办法, MLR order 53 art. 12: 协议有偿收回) at the benchmark for the
    remaining years of their term, oldest idle first, while its cash covers the price; a parcel it cannot pay
    for is refused (reason ``reserve_budget``) and stays idle. Plan: [L §二(三)7(1)] 对批而未供土地进行调剂使用."""
    after = st.spec.idle.gov_buyback_after_years
    if after is None:
        return
    p, year = st.parcels, world.clock.year
    cand = np.flatnonzero(firm_parcels(st) & (p.cls == STATE_CON) & p.idle_gov & (p.idle_since >= 0)
                          & (year - p.idle_since + 1 >= after))
    for i in cand[np.lexsort((cand, p.idle_since[cand]))].tolist():
        firm, area = int(p.holder[i]), int(p.area[i])
        price = max(bench_of(st, i, year), 1)
        amount = int(amount_fen_array(np.array([area]), np.array([price]))[0])
        if books.refuse_pledged(st, world, STATE_P, firm, area, price):
            continue
        if int(world.accounts.of("money", LAND_RESERVE)) < amount:
            books.reject(st, world, product=STATE_P, trader=LAND_RESERVE, side="buy", qty=area, price=price,
                         reason=R_BUDGET)
            continue
        books.trade(st, world, product=STATE_P, mechanism="reserve", seller=firm, buyer=LAND_RESERVE, qty=area,
                    price=price, relation="firm->reserve", deal="idle buyback", bench=price)
        to_reserve(st, i)
        books.reserve_record(st, world, STATE_P, "buy", area, price, amount,
                             "government-caused idle land bought back (L4, MLR order 53 art. 12)")
        st.stats["idle_bought_back_m2"] += area


def renew_demand(st: LandState, world: World) -> None:
    """Rule L11: firms' demand for state construction land this year. An active firm (not a zombie, of a grade
    not excluded from supply, L14) that wants no land draws a wish to expand with probability
    ``expanding_share``, of ``demand_m2``, if its value of industrial land per m² divided by its grade's price
    multiplier (what it can pay before the L14 surcharge) reaches the lowest start price of a full-term
    industrial lot (the benchmark × ``min_start_share_of_benchmark``)."""
    f, s = st.spec.firms, st.spec.supply
    rng = world.rng.stream("land.demand")
    n = st.firm_ids.size
    expand = rng.random(n) < float(f.expanding_share)
    size = np.maximum(np.rint(draw(f.demand_m2, n, rng)), 1).astype(np.int64)
    floor = decimal_to_rational(s.min_start_share_of_benchmark)
    least = -((-st.bench[INDUSTRIAL] * floor.numerator) // floor.denominator)
    mult = [st.multiplier[int(g)] for g in st.firm_grade]
    net = np.array([int(v) * m.denominator // m.numerator for v, m in zip(st.firm_value.tolist(), mult, strict=True)],
                   dtype=np.int64)
    excluded = np.isin(st.firm_grade, [GRADES.index(g) for g in st.spec.grading.excluded_from_supply])
    new = st.firm_active & ~st.firm_zombie & ~excluded & (st.firm_demand == 0) & expand & (net >= least)
    st.firm_demand[new] = size[new]
    st.stats["firms_wanting_land"] = int((st.firm_active & (st.firm_demand > 0)).sum())


def to_reserve(st: LandState, i: int) -> None:
    """Columns of a parcel that returned to the land reserve (the ledger moved by the caller)."""
    p = st.parcels
    p.holder[i] = p.user[i] = LAND_RESERVE
    p.use[i], p.term_end[i], p.idle_since[i], p.idle_gov[i], p.fee_paid[i] = NO_USE, 9999, -1, False, False
    p.transition_end[i], p.planned_use[i], p.prereg[i] = -1, -1, False


def zombies(st: LandState, world: World) -> None:
    """Rule L6: dispose of the land of ``firms_per_year`` zombie firms (largest holding first), one firm at a
    time, each parcel by the first route that works: transfer, public auction, government buyback."""
    z = np.flatnonzero(st.firm_active & st.firm_zombie & (st.firm_area > 0))
    order = z[np.lexsort((st.firm_ids[z], -st.firm_area[z]))][: st.spec.zombie.firms_per_year]
    p = st.parcels
    for f in order.tolist():
        firm = int(st.firm_ids[f])
        for i in np.flatnonzero(firm_parcels(st) & (p.user == firm)).tolist():
            dispose(st, world, i, firm)
        for i in np.flatnonzero(used_by_firms(st) & (p.user == firm) & (p.holder != firm)).tolist():
            # leased land of a closed firm goes back to its holder (the lease ends early)
            world.accounts.move(USE_PRODUCT[int(p.cls[i])], firm, int(p.holder[i]), int(p.area[i]))
            p.user[i] = p.holder[i]
            p.user_until[i], p.rent_ticks[i], p.rent_kind[i], p.lease_sell_year[i] = -1, 0, 0, -1
            st.stats["leases_ended"] += 1
        st.firm_active[f] = False
        st.firm_demand[f] = 0
        st.stats["zombies_disposed"] += 1


def dispose(st: LandState, world: World, i: int, firm: int) -> None:
    """Rule L6: one zombie parcel by the routes in order; ``not_disposed`` if none works."""
    spec, p, year = st.spec.zombie, st.parcels, world.clock.year
    rng = world.rng.stream("land.zombie")
    area = int(p.area[i])
    prod = USE_PRODUCT[int(p.cls[i])]
    bench = bench_of(st, i, year)
    full, left = st.full_term[INDUSTRIAL], years_left(st, i, year)
    if books.refuse_pledged(st, world, prod, firm, area, bench):
        return  # X3: a pledged parcel stays with the firm until its loan is settled
    for route in spec.routes:
        buyers = best_buyers(st, firm, area)
        if route == "transfer" and buyers.size:
            b = int(buyers[0])
            low = max(share_of(bench, decimal_to_rational(spec.transfer_min_share)), 1)
            bv = term_price_ticks(st.firm_value[[b]], left, full)
            price = int(nash_prices(bv, np.array([low]), float(st.spec.secondary.seller_power),
                                    np.zeros(1))[0])
            if price > 0:
                _sold(st, world, i, firm, b, prod, "negotiation", price, "zombie transfer", bench)
                return
        elif route == "auction" and buyers.size:
            start = max(share_of(bench, decimal_to_rational(spec.auction_start_share)), 1)
            inc = max(share_of(start, decimal_to_rational(st.spec.supply.increment_share)), 1)
            values = term_price_ticks(st.firm_value[buyers], left, full)
            res = english_auction(area, start, start, RoundRules(increment=inc, duration=st.spec.supply.round_seconds),
                                  st.firm_ids[buyers], values, rng)
            if res.sold:
                b = st.firm_index(int(res.winner))
                _sold(st, world, i, firm, b, prod, "auction", int(res.price), "zombie public auction", bench)
                return
        elif route == "buyback" and prod == STATE_P:
            price = max(share_of(bench, decimal_to_rational(spec.buyback_share)), 1)
            amount = int(amount_fen_array(np.array([area]), np.array([price]))[0])
            if int(world.accounts.of("money", LAND_RESERVE)) >= amount:
                books.trade(st, world, product=prod, mechanism="reserve", seller=firm, buyer=LAND_RESERVE, qty=area,
                          price=price, relation="firm->reserve", deal="zombie buyback", bench=bench)
                to_reserve(st, i)
                books.reserve_record(st, world, prod, "buy", area, price, amount, "zombie firm buyback (L6)")
                return
    books.reject(st, world, product=prod, trader=firm, side="sell", qty=area, price=bench, reason="not_disposed")


def _sold(st: LandState, world: World, i: int, firm: int, b: int, prod: str, mech: str, price: int,
          deal: str, bench: int) -> None:
    p = st.parcels
    buyer = int(st.firm_ids[b])
    books.trade(st, world, product=prod, mechanism=mech, seller=firm, buyer=buyer, qty=int(p.area[i]), price=price,
              relation="firm->firm", deal=deal, bench=bench)
    books.transfer_parcel(st, i, buyer, world.clock.year)
    p.price_ticks[i] = price
    p.idle_since[i], p.idle_gov[i], p.fee_paid[i], p.prereg[i] = -1, False, False, False
    st.firm_demand[b] = max(int(st.firm_demand[b]) - int(p.area[i]), 0)


def redevelop(st: LandState, world: World) -> None:
    """Rule L15: grade C/D firms redevelop their largest used industrial parcel: change use to commercial by
    paying the land price difference for the remaining term, or build higher and split off the saved share
    (queued for the secondary market next year). More floor area costs no extra fee."""
    r, p, year = st.spec.redevelopment, st.parcels, world.clock.year
    rng = world.rng.stream("land.redevelopment")
    cand = np.flatnonzero(st.firm_active & ~st.firm_zombie & np.isin(st.firm_grade, (GRADE_C, GRADE_D)))
    go = cand[rng.random(cand.size) < float(r.probability_per_year)]
    _, n = st.land_sessions(world)
    for f in go.tolist():
        firm = int(st.firm_ids[f])
        m = np.flatnonzero(firm_parcels(st) & (p.user == firm) & (p.cls == STATE_CON) & (p.use == INDUSTRIAL)
                           & (p.idle_since < 0) & (p.transition_end < 0))
        if not m.size:
            continue
        i = int(m[np.argmax(p.area[m])])
        area, left = int(p.area[i]), years_left(st, i, year)
        if rng.random() < float(r.change_use_share):
            diff = land_price_difference_fen(area, st.benchmark_ticks(COMMERCIAL, left),
                                             st.benchmark_ticks(INDUSTRIAL, left))
            books.charge(st, world, firm, FISCAL, STATE_P, "land_price_difference", area, 0, diff)
            p.use[i] = COMMERCIAL
            st.stats["redevelopments"] += 1
        elif area >= r.min_parcel_m2:
            saved = share_of(area, decimal_to_rational(r.saved_share))
            if 0 < saved < area:
                pieces = st.parcels.split(i, np.array([area - saved, saved]))
                st.secondary_queue.append((int(pieces[1]), "redevelopment saved land", int(rng.integers(n))))
                st.stats["redevelopments"] += 1


def transitions(st: LandState, world: World) -> None:
    """Rule L4: at the end of the 5-year transition a new-industry user takes the new use and pays the land
    price difference for the remaining term (依法按新用途办理用地手续)."""
    p, year = st.parcels, world.clock.year
    for i in np.flatnonzero(p.active & (p.transition_end == year)).tolist():
        old, new = int(p.use[i]), int(p.planned_use[i])
        left = years_left(st, i, year)
        area = int(p.area[i])
        if old in st.bench and new in st.bench and p.holder[i] == p.user[i] and st.firm_index(int(p.user[i])) >= 0:
            diff = land_price_difference_fen(area, st.benchmark_ticks(new, left), st.benchmark_ticks(old, left))
            books.charge(st, world, int(p.user[i]), FISCAL, STATE_P, "land_price_difference", area, 0, diff)
            p.use[i] = new
        p.transition_end[i], p.planned_use[i] = -1, -1


def queue_sales(st: LandState, world: World) -> None:
    """Parcels firms offer on next year's secondary market, each in a drawn session: idle land (L4), land with
    under 25 % of the investment made (L5), and land of firms that value it below the benchmark."""
    p = st.parcels
    rng = world.rng.stream("land.sales")
    _, n = st.land_sessions(world)
    held = np.flatnonzero(firm_parcels(st) & (p.cls == STATE_CON))
    idle = p.idle_since[held] >= 0
    thr = decimal_to_rational(st.spec.preregistration.investment_threshold_share)
    under = p.invested[held] * thr.denominator < thr.numerator * p.planned_inv[held]
    u = rng.random(held.size)
    offers = [(i, "idle") for i in held[idle & (u < float(st.spec.idle.sell_probability_per_year))].tolist()]
    offers += [(i, "under_invested") for i in held[~idle & under
                                                    & (u < float(st.spec.preregistration.exit_probability_per_year))]
               .tolist()]
    f = np.flatnonzero(st.firm_active & ~st.firm_zombie & (st.firm_value < st.bench[INDUSTRIAL]))
    f = f[rng.random(f.size) < float(st.spec.firms.voluntary_sale_share_per_year)]
    for k in f.tolist():
        m = held[(p.user[held] == st.firm_ids[k]) & ~idle & ~under]
        if m.size:
            offers.append((int(m[np.argmax(p.area[m])]), "voluntary"))
    for i, tag in offers:
        st.secondary_queue.append((int(i), tag, int(rng.integers(n))))


__all__ = ["dispose", "firm_parcels", "gov_idle_buyback", "idle_land", "renew_demand", "invest", "produce_and_grade", "queue_sales", "redevelop",
           "to_reserve", "transitions", "zombies"]
