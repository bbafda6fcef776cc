"""State construction land: the primary market (招拍挂), supply modes, mixed use, grades, the secondary market
and price monitoring (rules L11–L14, L16; the transfer conditions of L4 and L5).

Rule L11: each year the land reserve's supply plan offers lots of state construction land; every lot is sold by
tender (招标: price and non-price scores), auction (拍卖: ascending, the benchmark as reserve price) or listing
(挂牌竞价: the benchmark as start price) through the shared mechanisms of :mod:`rights_market.market`;
commercial lots always by auction. Rule L13: industrial lots are sold for the full term, for a flexible shorter
term (price pro rata), leased long-term (yearly rent) or leased then sold. Rule L12: a mixed-use lot gets at most
5 % supporting commercial land. Rule L14: firms of excluded grades (D) may not bid; winners of a sale pay the price
times their grade's multiplier (leases pay the rent bid). The secondary market (rule L11) is negotiation between firms; rule L16 flags prices more
than the band off the benchmark and lets the government buy first when a price is flagged low.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ...engine.world import World
from ...ledger import FISCAL
from ...market import (
    ListingTerms,
    RoundRules,
    TenderTerms,
    check_directed,
    english_auction,
    run_listing,
    run_tender,
)
from ...market.negotiation import nash_prices
from ...rules.land import (
    COMMERCIAL,
    GRADES,
    INDUSTRIAL,
    NEW_INDUSTRY,
    NO_USE,
    R_GRADE,
    R_INVESTMENT,
    R_STANDARD,
    R_SUPPORTING,
    STATE_CON,
    blended_price_ticks,
    grade_adjustment_fen,
    idle_transfer_refusal,
    next_plan_m2,
    price_flags,
    relist_factor,
    share_of,
    split_sizes,
    start_price_ticks,
    supporting_area,
    term_price_ticks,
    transfer_route,
)
from ...units import amount_fen_array, decimal_to_rational, yuan_to_fen
from ..shared.reserves import RESERVES
from . import books
from .parcels import RENT, STATE_P
from .setup import planned_investment
from .state import LandState

LAND_RESERVE = RESERVES["land"]
#: Supply modes of rule L13.
MODES = ("sale", "flexible_term", "long_lease", "lease_then_sell")
SALE, FLEXIBLE, LEASE, LEASE_THEN_SELL = range(len(MODES))
MECHANISMS = ("tender", "auction", "listing")


# --------------------------------------------------------------------------- eligibility (L14)
def excluded_mask(st: LandState) -> np.ndarray:
    """Firms whose grade is excluded from new land supply (rule L14)."""
    return np.isin(st.firm_grade, [GRADES.index(g) for g in st.spec.grading.excluded_from_supply])


def eligible_buyers(st: LandState) -> np.ndarray:
    """Indices of firms that may get land supplied: active, not zombies, wanting land, of a grade not excluded
    (rule L14)."""
    return np.flatnonzero(st.firm_active & ~st.firm_zombie & (st.firm_demand > 0) & ~excluded_mask(st))


def sample_bidders(st: LandState, f: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The firms (indices, sorted) that take part in one lot: ``bidders_per_lot`` of the eligible ``f`` drawn at
    random, or all of them if fewer."""
    k = st.spec.supply.bidders_per_lot
    return f if f.size <= k else np.sort(rng.choice(f, size=k, replace=False))


def record_grade_exclusions(st: LandState, world: World, product: str, qty: int, start: int) -> None:
    """Rule L14: a firm that wants land but is of an excluded grade is refused (reason ``grade_excluded``)."""
    f = np.flatnonzero(st.firm_active & ~st.firm_zombie & (st.firm_demand > 0) & excluded_mask(st))
    for k in f.tolist():
        books.reject(st, world, product=product, trader=int(st.firm_ids[k]), side="buy", qty=qty, price=start,
                   reason=R_GRADE)


# --------------------------------------------------------------------------- supply plan (L11-L13)
def plan_area(st: LandState) -> int:
    """Rule L11: this year's supply plan, m². The first year the scenario's ``plan_m2_per_year``; then last year's
    plan grown or shrunk by last year's sell-through (:func:`~rights_market.rules.land.next_plan_m2`) within the
    scenario's least and largest plan. A scenario plan of 0 m² means no supply at all, every year."""
    s = st.spec.supply
    if st.plan_m2 < 0 or st.prev_offered < 0 or s.plan_m2_per_year == 0:
        return s.plan_m2_per_year
    r = decimal_to_rational
    return next_plan_m2(st.plan_m2, st.prev_offered, st.prev_sold, r(s.sell_through_low_share),
                        r(s.sell_through_high_share), r(s.plan_step_share), s.plan_min_m2_per_year,
                        s.plan_max_m2_per_year)


def plan_supply(st: LandState, world: World) -> None:
    """Rule L11: this year's supply plan — first the lots left unsold at the end of last year (re-listed at their
    cut start prices), then fresh lots from the land reserve until the planned area (:func:`plan_area`) is
    reached, each with a use, a mechanism (招拍挂), a supply mode (rule L13) and a mixed-use flag (rule L12),
    spread over the sessions."""
    s = st.spec.supply
    rng = world.rng.stream("land.supply")
    p = st.parcels
    st.plan_m2 = plan_area(st)
    carried = [i for i in st.relist_next_year if _with_reserve(st, i)]
    st.relist_next_year = []
    avail = np.flatnonzero(p.active & (p.cls == STATE_CON) & (p.holder == LAND_RESERVE) & (p.user == LAND_RESERVE)
                           & (p.restore_end < 0))
    avail = avail[~np.isin(avail, np.array(carried, dtype=np.int64))]
    left = st.plan_m2 - int(p.area[carried].sum()) if carried else st.plan_m2
    before = np.cumsum(p.area[avail]) - p.area[avail]
    lots = avail[before < left] if left > 0 else avail[:0]
    _, n = st.land_sessions(world)
    st.lots_by_session = {}
    st.lot_info = {i: st.lot_info[i] for i in carried}
    st.lot_factor = {i: st.lot_factor[i] for i in carried if i in st.lot_factor}
    mech_p = np.array([float(s.mechanisms.tender), float(s.mechanisms.auction), float(s.mechanisms.listing)])
    mode_p = np.array([float(s.modes.sale), float(s.modes.flexible_term), float(s.modes.long_lease),
                       float(s.modes.lease_then_sell)])
    for j, i in enumerate(carried):
        st.lots_by_session.setdefault(j % n, []).append(i)
        st.stats["lots_offered"] += 1
        st.stats["lots_relisted"] += 1
    for j, i in enumerate(lots.tolist(), start=len(carried)):
        commercial = rng.random() < float(s.commercial_share)
        if commercial:
            use, mech, mode, mixed = COMMERCIAL, "auction", SALE, False
        else:
            use = INDUSTRIAL
            mech = MECHANISMS[int(rng.choice(3, p=mech_p / mech_p.sum()))]
            mode = int(rng.choice(4, p=mode_p / mode_p.sum()))
            mixed = bool(rng.random() < float(s.mixed_use_share))
        standard = use == INDUSTRIAL and bool(rng.random() < float(s.standard_land_share))
        st.lot_info[i] = (use, mech, mode, mixed, standard)
        st.lots_by_session.setdefault(j % n, []).append(i)
        st.stats["lots_offered"] += 1


def close_supply_year(st: LandState) -> None:
    """Remember this year's lots offered and sold: next year's plan responds to them (:func:`plan_area`)."""
    st.prev_offered = int(st.stats.get("lots_offered", 0))
    st.prev_sold = int(st.stats.get("lots_sold", 0))


def _with_reserve(st: LandState, i: int) -> bool:
    p = st.parcels
    return bool(p.active[i] and p.holder[i] == LAND_RESERVE and p.user[i] == LAND_RESERVE)


def relist(st: LandState, world: World, lots: list[tuple[int, tuple[int, str, int, bool, bool]]]) -> None:
    """Rule L11: unsold lots go back on sale the next land session (the first of next year's plan after the
    year's last session), their start price cut by ``relist_cut_share`` but never below the floor
    (``min_start_share_of_benchmark`` of the benchmark start, MLR order 39 art. 10)."""
    s = st.spec.supply
    k, n = st.land_sessions(world)
    cut, floor = decimal_to_rational(s.relist_cut_share), decimal_to_rational(s.min_start_share_of_benchmark)
    for i, info in lots:
        st.lot_factor[i] = relist_factor(st.lot_factor.get(i, Fraction(1)), cut, floor)
        st.lot_info[i] = info
        if k + 1 < n:
            st.lots_by_session.setdefault(k + 1, []).append(i)
            st.stats["lots_offered"] += 1
            st.stats["lots_relisted"] += 1
        else:
            st.relist_next_year.append(i)


def _term_of(st: LandState, use: int, mode: int) -> int:
    s = st.spec.supply
    return {SALE: st.full_term[use], FLEXIBLE: s.flexible_term_years, LEASE: s.lease_years,
            LEASE_THEN_SELL: s.lease_then_sell_years}[mode]


def sell_lots(st: LandState, world: World, k: int) -> None:
    """Rules L11–L14: sell this session's lots of the supply plan."""
    unsold = []
    for i in st.lots_by_session.get(k, []):
        if _with_reserve(st, i):
            unsold += sell_lot(st, world, i, *st.lot_info[i])
    relist(st, world, unsold)


def sell_lot(st: LandState, world: World, i: int, use: int, mech: str, mode: int, mixed: bool,
             standard: bool = False) -> list[tuple[int, tuple[int, str, int, bool, bool]]]:
    """Sell one lot (rules L11–L14): start/reserve prices from the benchmark (cut for a re-listed lot, never
    below the floor: :func:`~rights_market.rules.land.start_price_ticks`), supporting land (L12), mode and
    standard land (L13: only firms meeting the industry condition may bid, the others are refused
    ``below_standard``), grade eligibility and multipliers (L14), the mechanism's result applied, the reserve's
    record. A firm bids up to its value of the lot net of its grade's price multiplier (the L14 surcharge or
    rebate it would pay). Returns the lots to re-list: ``[]`` if sold, else each piece (a mixed lot was split)
    with its lot description."""
    s, p = st.spec.supply, st.parcels
    rng = world.rng.stream("land.primary")
    year = world.clock.year
    term = _term_of(st, use, mode)
    full = st.full_term[use]
    pieces = np.array([i])
    uses = np.array([use])
    if mixed:
        req = Fraction(int(round(float(np.clip(_draw1(s.supporting_requested_share, rng), 0, 1)) * 1_000_000)),
                       1_000_000)
        granted, refused = supporting_area(int(p.area[i]), req, decimal_to_rational(s.supporting_cap_share))
        if refused:
            books.reject(st, world, product=STATE_P, trader=LAND_RESERVE, side="sell", qty=refused, price=0,
                       reason=R_SUPPORTING)
        if granted:
            pieces = p.split(i, np.array([int(p.area[i]) - granted, granted]))
            uses = np.array([INDUSTRIAL, COMMERCIAL])
            st.stats["mixed_lots"] += 1
    area = int(p.area[pieces].sum())
    bench_full = blended_price_ticks(p.area[pieces], np.array([st.bench[u] for u in uses]))
    lease = mode in (LEASE, LEASE_THEN_SELL)
    if lease:
        base = max(share_of(bench_full, decimal_to_rational(s.lease_rent_share_per_year)), 1)
    else:
        base = int(term_price_ticks(bench_full, term, full))
    start = start_price_ticks(base, st.lot_factor.get(i, Fraction(1)),
                              decimal_to_rational(s.min_start_share_of_benchmark))
    record_grade_exclusions(st, world, STATE_P, area, start)
    f = eligible_buyers(st)
    if standard:
        # rule L13 标准地: the industry condition (output per mu) is a precondition of the listing
        ok = st.firm_prod[f] >= yuan_to_fen(s.standard_min_output_yuan_per_mu)
        for k in f[~ok].tolist():
            books.reject(st, world, product=STATE_P, trader=int(st.firm_ids[k]), side="buy", qty=area, price=start,
                       reason=R_STANDARD)
        f = f[ok]
    f = sample_bidders(st, f, rng)
    value_full = st.firm_value[f] * bench_full // st.bench[INDUSTRIAL]
    mult = [st.multiplier[int(g)] for g in st.firm_grade[f]]
    if lease:
        rent = decimal_to_rational(s.lease_rent_share_per_year)
        value = value_full * rent.numerator // rent.denominator
    else:
        value = term_price_ticks(value_full, term, full)
    value = np.array([int(v) * m.denominator // m.numerator for v, m in zip(value.tolist(), mult, strict=True)],
                     dtype=np.int64)
    bidders = st.firm_ids[f]
    inc = max(share_of(start, decimal_to_rational(s.increment_share)), 1)
    if mech == "listing":
        day = world.clock.day
        res = run_listing(ListingTerms(quantity=area, start=start, increment=inc, opens=day,
                                       closes=day + s.listing_days, round_seconds=s.round_seconds),
                          bidders, value, rng)
    elif mech == "auction":
        res = english_auction(area, start, start, RoundRules(increment=inc, duration=s.round_seconds), bidders,
                              value, rng)
    else:
        res = _tender(st, f, value, start, area)
    mode_name = MODES[mode]
    if not res.sold:
        books.reject(st, world, product=STATE_P, trader=LAND_RESERVE, side="sell", qty=area, price=start, reason=res.reason)
        st.stats["lots_unsold"] += 1
        if pieces.size == 1:
            return [(int(pieces[0]), (use, mech, mode, False, standard))]
        # a split mixed lot: each piece again on its own, the commercial one by auction for sale (L11, L12)
        for j in pieces.tolist():
            st.lot_factor[j] = st.lot_factor.get(i, Fraction(1))
        return [(int(j), (INDUSTRIAL, mech, mode, False, standard) if u == INDUSTRIAL else (u, "auction", SALE, False,
                 False)) for j, u in zip(pieces.tolist(), uses.tolist(), strict=True)]
    buyer, price = int(res.winner), int(res.price)
    fi = st.firm_index(buyer)
    deal = f"primary {mode_name}{' mixed' if mixed else ''}{' standard' if standard else ''}"
    if lease:
        for j, u in zip(pieces.tolist(), uses.tolist(), strict=True):
            books.start_lease(st, world, j, buyer, year + term - 1, price, LAND_RESERVE, RENT, mech,
                              "reserve->firm", deal, term, start)
            _set_use(st, world, j, u)
            if mode == LEASE_THEN_SELL:
                p.lease_sell_year[j] = year + term - 1
            p.supply_mode[j] = mode
        amount = int(amount_fen_array(np.array([area]), np.array([price]))[0])
    else:
        amount = 0
        for j, u in zip(pieces.tolist(), uses.tolist(), strict=True):
            amount += books.trade(st, world, product=STATE_P, mechanism=mech, seller=LAND_RESERVE, buyer=buyer,
                                qty=int(p.area[j]), price=price, relation="reserve->firm", deal=deal,
                                  bench=start)
            books.transfer_parcel(st, j, buyer, year, term_end=year + term - 1)
            p.price_ticks[j] = price
            p.supply_mode[j] = mode
            _set_use(st, world, j, u)
        adj = grade_adjustment_fen(amount, st.multiplier[int(st.firm_grade[fi])])
        if adj > 0:
            books.charge(st, world, buyer, FISCAL, STATE_P, "grade_surcharge", area, price, adj)
        elif adj < 0:
            books.charge(st, world, FISCAL, buyer, STATE_P, "grade_rebate", area, price, -adj)
    st.firm_demand[fi] = max(int(st.firm_demand[fi]) - area, 0)
    books.reserve_record(st, world, STATE_P, "sell", area, price, 0 if lease else amount, f"{mech} {mode_name} (L11, L13)")
    st.stats["lots_sold"] += 1
    st.stats["supplied_m2"] += area
    st.lot_factor.pop(i, None)
    return []


def _set_use(st: LandState, world: World, j: int, use: int) -> None:
    p = st.parcels
    p.use[j] = use
    p.planned_inv[j] = int(planned_investment(st, np.array([int(p.area[j])]))[0])
    p.invested[j] = 0
    p.idle_since[j] = -1


def _draw1(dist, rng: np.random.Generator) -> float:
    from ...engine.sampling import draw

    return float(draw(dist, 1, rng)[0])


def _tender(st: LandState, f: np.ndarray, value: np.ndarray, start: int, area: int):
    """Rule L11 (招标): sealed bids shading value towards the start price; scored on price, grade and output."""
    s, g = st.spec.supply, st.spec.grading
    shade = decimal_to_rational(s.tender_bid_share_of_surplus)
    bid = np.maximum(start + (value - start) * shade.numerator // shade.denominator, 0)
    bidding = value >= start
    grade_score = np.array([g.tender_score[GRADES[int(x)]] for x in st.firm_grade[f]], dtype=np.int64)
    top = max(int(round(float(g.output_thresholds_yuan_per_mu[0]) * 100)), 1)
    output_score = np.minimum(st.firm_prod[f] * 100 // top, 100)
    terms = TenderTerms(quantity=area, price_weight=s.tender_price_weight, criteria=("grade", "output"),
                        weights=(s.tender_grade_weight, s.tender_investment_weight), floor=start)
    scores = np.stack([grade_score, output_score], axis=1)[bidding]
    return run_tender(terms, st.firm_ids[f][bidding], bid[bidding], scores.reshape(-1, 2))


# --------------------------------------------------------------------------- lease then sell (L13)
def lease_then_sell(st: LandState, world: World) -> None:
    """Rule L13 (先租后让): at the end of the lease a tenant of an allowed grade buys the rest of the full term
    by directed transfer at the benchmark price for the remaining years; otherwise the lease just ends."""
    p, year = st.parcels, world.clock.year
    allowed = [GRADES.index(g) for g in st.spec.supply.lease_then_sell_grades]
    for j in np.flatnonzero(p.active & (p.lease_sell_year == year)).tolist():
        p.lease_sell_year[j] = -1
        tenant = int(p.user[j])
        fi = st.firm_index(tenant)
        use = int(p.use[j]) if int(p.use[j]) in st.bench else INDUSTRIAL
        left = st.full_term[use] - st.spec.supply.lease_then_sell_years
        price = st.benchmark_ticks(use, left)
        ok = fi >= 0 and st.firm_active[fi] and int(st.firm_grade[fi]) in allowed
        res = check_directed(np.array([tenant]), np.array([int(p.area[j])]), np.array([price]), price, price)
        if not ok or not bool(res.accepted[0]):
            st.stats["lease_then_sell_declined"] += 1
            continue
        books.trade(st, world, product=STATE_P, mechanism="directed", seller=LAND_RESERVE, buyer=tenant,
                  qty=int(p.area[j]), price=price, relation="reserve->tenant", deal="lease_then_sell", bench=price,
                    move=False)
        p.holder[j] = tenant
        p.user_until[j], p.rent_ticks[j], p.rent_kind[j] = -1, 0, 0
        p.term_end[j] = year + left
        p.price_ticks[j] = price


# --------------------------------------------------------------------------- secondary market (L11, L16, L4, L5)
def secondary(st: LandState, world: World, k: int) -> None:
    """Rule L11: the parcels queued for this session are negotiated with the best buyers."""
    todo = [(i, tag) for i, tag, when in st.secondary_queue if when == k]
    st.secondary_queue = [q for q in st.secondary_queue if q[2] != k]
    for i, tag in todo:
        sell_secondary(st, world, i, tag)


def years_left(st: LandState, i: int, year: int) -> int:
    return max(int(st.parcels.term_end[i]) - year + 1, 0)


def bench_of(st: LandState, i: int, year: int) -> int:
    """Benchmark price per m² of parcel ``i`` for its remaining term (rule L16's reference)."""
    use = int(st.parcels.use[i])
    use = use if use in st.bench else INDUSTRIAL
    return st.benchmark_ticks(use, years_left(st, i, year))


def best_buyers(st: LandState, seller: int, area: int) -> np.ndarray:
    """Firm indices that want land, best value first (at most ``buyers_per_parcel``; ties by id)."""
    f = np.flatnonzero(st.firm_active & ~st.firm_zombie & (st.firm_demand > 0) & (st.firm_ids != seller))
    order = np.lexsort((st.firm_ids[f], -st.firm_value[f]))
    return f[order][: st.spec.secondary.buyers_per_parcel]


def sell_secondary(st: LandState, world: World, i: int, tag: str) -> None:
    """One secondary sale of parcel ``i`` by its firm: the idle-land (L4) and investment (L5) conditions,
    splitting of large parcels (L5), negotiation, monitoring and government preemption (L16)."""
    p, year = st.parcels, world.clock.year
    if not p.active[i] or p.user[i] != p.holder[i] or p.cls[i] != STATE_CON:
        return
    seller = int(p.holder[i])
    fs = st.firm_index(seller)
    if fs < 0:
        return
    area = int(p.area[i])
    if p.idle_since[i] >= 0:
        idle_years = year - int(p.idle_since[i])
        fee_due = not p.idle_gov[i] and idle_years >= st.spec.idle.fee_after_years
        reason = idle_transfer_refusal(bool(p.idle_gov[i]), idle_years, fee_due, bool(p.fee_paid[i]),
                                       st.spec.idle.transfer_max_years)
        if reason:
            books.reject(st, world, product=STATE_P, trader=seller, side="sell", qty=area, price=0, reason=reason)
            return
    pr = st.spec.preregistration
    route = transfer_route(int(p.invested[i]), int(p.planned_inv[i]),
                           decimal_to_rational(pr.investment_threshold_share), pr.enabled)
    if not route:
        books.reject(st, world, product=STATE_P, trader=seller, side="sell", qty=area, price=0, reason=R_INVESTMENT)
        return
    buyers = best_buyers(st, seller, area)
    if area > pr.split_above_m2 and not (st.firm_demand[buyers] >= area).any():
        pieces = p.split(i, split_sizes(area, pr.split_lot_m2))
        st.stats["splits"] += 1
        for j in pieces.tolist():
            sell_secondary(st, world, j, tag + " split")
        return
    if books.refuse_pledged(st, world, STATE_P, seller, area, 0):
        return  # X3: a pledged parcel (or lot of a split one) is not sold
    if not buyers.size:
        books.reject(st, world, product=STATE_P, trader=seller, side="sell", qty=area, price=0, reason="no_buyer")
        return
    full, left = st.full_term[INDUSTRIAL], years_left(st, i, year)
    b = int(buyers[0])
    bv = term_price_ticks(st.firm_value[[b]], left, full)
    sv = term_price_ticks(st.firm_value[[fs]], left, full)
    rng = world.rng.stream("land.secondary")
    sec = st.spec.secondary
    price = int(nash_prices(bv, sv, float(sec.seller_power), rng.normal(0, sec.noise_sd_share, size=1))[0])
    if price <= 0:
        books.reject(st, world, product=STATE_P, trader=seller, side="sell", qty=area, price=int(sv[0]),
                   reason="no_agreement")
        return
    bench = bench_of(st, i, year)
    buyer = int(st.firm_ids[b])
    relation, deal = "firm->firm", f"secondary {route} {tag}"
    amount = int(amount_fen_array(np.array([area]), np.array([price]))[0])
    low = int(price_flags(np.array([price]), np.array([bench]), st.band)[0]) < 0
    if low and st.spec.monitoring.preempt_low and int(world.accounts.of("money", LAND_RESERVE)) >= amount:
        buyer, relation, deal = LAND_RESERVE, "firm->reserve", deal + " preemption"
    books.trade(st, world, product=STATE_P, mechanism="negotiation", seller=seller, buyer=buyer, qty=area, price=price,
              relation=relation, deal=deal, bench=bench)
    books.transfer_parcel(st, i, buyer, year)
    p.price_ticks[i] = price
    p.idle_since[i], p.idle_gov[i], p.fee_paid[i] = -1, False, False
    if buyer == LAND_RESERVE:
        p.use[i], p.term_end[i], p.transition_end[i], p.planned_use[i] = NO_USE, 9999, -1, -1
        books.reserve_record(st, world, STATE_P, "buy", area, price, amount, "government preemption of a low price (L16)")
        st.stats["preemptions"] += 1
        return
    st.firm_demand[b] = max(int(st.firm_demand[b]) - area, 0)
    if route == "pre_registration":
        p.prereg[i] = True
        st.stats["prereg_transfers"] += 1
    if st.firm_new[b] and p.use[i] == INDUSTRIAL and st.spec.idle.transition_years > 0:
        # rule L4: a new-industry buyer keeps the original use for the transition period
        p.planned_use[i] = NEW_INDUSTRY
        p.transition_end[i] = year + st.spec.idle.transition_years
        st.stats["transitions_started"] += 1


__all__ = ["MODES", "bench_of", "close_supply_year", "plan_area", "relist", "best_buyers", "eligible_buyers", "sample_bidders", "lease_then_sell", "plan_supply",
           "record_grade_exclusions", "secondary", "sell_lots", "sell_secondary"]
