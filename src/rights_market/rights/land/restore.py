"""Use control, planning quotas, restoration of wasteland and the new cultivated-land quota market.

* Rules L2 and L1: every year the land reserve asks to convert farmland parcels into state construction land.
  Each request is screened (:func:`~rights_market.rules.land.screen_conversions`) and recorded: refused ones
  in ``orders_rejected`` (side ``convert``) with the reason ``basic_farmland``, ``no_planning_quota``,
  ``no_township_quota`` or ``farmland_loss``; accepted ones retire new cultivated-land quota (占补平衡), pay the
  household the compensation (``compensation`` charge) and become reserve land.
* Rule L8 (谁修复、谁受益): industrial/mining wasteland is restored; a social investor who restores it to
  farmland gets its use right for a term and the new cultivated-land quota (``land.farmland_quota``, m²) of the
  accepted area, which it sells on the quota market; land the government restores for construction goes into
  the land reserve for sale (政府整体修复后公开拍卖).
* Rule L9: unused state wasteland is contracted out by listing for a yearly fee; where water allows farming
  (以水定地) the contractor reclaims it and the new farmland's quota goes into the state's balance (the land
  reserve, 验收入库后纳入占补平衡).
* The quota market: a call auction each land session between restorers (asks at cost plus markup), the land
  reserve (bids for what it needs) and other districts (outside demand).
"""

from __future__ import annotations

import numpy as np

from ...engine.sampling import draw
from ...engine.world import World
from ...ledger import CONSUMED, ECONOMY, FISCAL, GOVERNMENT, ISSUER
from ...market import clear_call_auction
from ...rules.land import (
    BASIC,
    FARMING,
    GENERAL,
    MINING,
    NO_USE,
    R_BUDGET,
    STATE_CON,
    UNUSED,
    restoration_quota_m2,
    screen_conversions,
)
from ...units import TICKS_PER_FEN, amount_fen_array, decimal_to_rational, yuan_to_ticks
from ..shared.pledges import free_quantity
from ..shared.reserves import RESERVES
from . import books
from .parcels import MANAGEMENT, QUOTA, RENT, WASTELAND_P
from .rural import draw_bidders, listing_terms
from .state import LandState

LAND_RESERVE = RESERVES["land"]


# --------------------------------------------------------------------------- L1 / L2
def conversions(st: LandState, world: World) -> None:
    """Rules L2, L1: this year's conversion requests, screened, recorded and applied."""
    uc, p = st.spec.use_control, st.parcels
    if uc.requests_per_year <= 0:
        return
    rng = world.rng.stream("land.conversions")
    cand = p.has_contract() & (p.user == p.holder) & (p.area <= uc.parcel_m2_max)
    basic = list(rng.permutation(np.flatnonzero(cand & (p.cls == BASIC))))
    general = list(rng.permutation(np.flatnonzero(cand & (p.cls == GENERAL))))
    rows = []
    for _ in range(uc.requests_per_year):
        pool = basic if (rng.random() < float(uc.basic_farmland_request_share) and basic) else general or basic
        if pool:
            rows.append(int(pool.pop()))
    if not rows:
        return
    rows_a = np.array(rows, dtype=np.int64)
    priority = rng.random(rows_a.size) < float(uc.priority_share)
    quota = np.array([v.new_construction_quota_m2 for v in st.spec.villages], dtype=np.int64)
    comp = amount_fen_array(p.area[rows_a], np.full(rows_a.size, st.expropriation, dtype=np.int64))
    res = screen_conversions(
        p.cls[rows_a], p.area[rows_a], p.village[rows_a], priority,
        quota_stock=int(world.accounts.of(QUOTA, LAND_RESERVE)), balance_ratio=decimal_to_rational(uc.balance_ratio),
        village_quota=quota, village_used=st.village_used,
        village_flex_share=decimal_to_rational(uc.village_flexible_share),
        township_quota=uc.township_new_construction_quota_m2, township_used=st.township_used,
        township_flex_share=decimal_to_rational(uc.township_flexible_share),
        compensation_fen=comp, cash_fen=int(world.accounts.of("money", LAND_RESERVE)),
    )
    st.village_used, st.township_used = res.village_used, res.township_used
    st.stats["conversions_requested"] += int(rows_a.size)
    for i, reason, used, fen in zip(rows_a.tolist(), res.reason.tolist(), res.quota_used.tolist(), comp.tolist(),
                                    strict=True):
        area = int(p.area[i])
        if reason:
            books.reject(st, world, product=MANAGEMENT, trader=LAND_RESERVE, side="convert", qty=area, price=0,
                       reason=reason)
            continue
        if used:
            world.accounts.move(QUOTA, LAND_RESERVE, CONSUMED, used)
            books.reserve_record(st, world, QUOTA, "retire", used, 0, 0, "quota retired for converted farmland (L2)")
            st.stats["quota_retired"] += used
        books.charge(st, world, LAND_RESERVE, int(p.holder[i]), MANAGEMENT, "compensation", area, st.expropriation, fen)
        books.convert(st, world, i, STATE_CON, LAND_RESERVE)
        p.holder[i] = p.owner[i] = LAND_RESERVE
        p.village[i], p.use[i], p.term_end[i] = -1, NO_USE, 9999
        st.converted_farmland += area
        st.stats["conversions_accepted"] += 1


# --------------------------------------------------------------------------- L8 / L9: start
def start_restorations(st: LandState, world: World) -> None:
    """Rules L8, L9: this year's restorations of mining wasteland and contracts of unused state wasteland."""
    rs, p, year = st.spec.restoration, st.parcels, world.clock.year
    rng = world.rng.stream("land.restoration")
    free = p.active & (p.user == GOVERNMENT) & (p.restore_end < 0)
    mining = np.flatnonzero(free & (p.cls == MINING))[: rs.mining_per_year]
    for i in mining.tolist():
        area = int(p.area[i])
        cost = yuan_to_ticks(f"{max(float(draw(rs.cost_yuan_per_m2, 1, rng)[0]), 0.0):.4f}")
        amount = int(amount_fen_array(np.array([area]), np.array([cost]))[0])
        private = bool(st.restorer_ids.size) and rng.random() < float(rs.to_farmland_share)
        if not private and int(world.accounts.of("money", LAND_RESERVE)) < amount:
            books.reject(st, world, product=WASTELAND_P, trader=LAND_RESERVE, side="buy", qty=area, price=cost,
                       reason=R_BUDGET)
            continue
        p.restore_end[i] = year + rs.years - 1
        p.price_ticks[i] = cost
        if private:
            restorer = int(st.restorer_ids[int(rng.integers(st.restorer_ids.size))])
            world.accounts.move(WASTELAND_P, GOVERNMENT, restorer, area)
            p.holder[i] = p.user[i] = restorer
            p.restore_to[i] = GENERAL
            books.charge(st, world, restorer, ECONOMY, WASTELAND_P, "restoration_cost", area, cost, amount)
        else:
            p.restore_to[i] = STATE_CON
            books.charge(st, world, LAND_RESERVE, ECONOMY, WASTELAND_P, "restoration_cost", area, cost, amount)
        st.stats["restorations_started"] += 1
    unused = np.flatnonzero(free & (p.cls == UNUSED))[: rs.unused_per_year]
    candidates = np.concatenate([st.restorer_ids, st.op_ids])
    for i in unused.tolist():
        area = int(p.area[i])
        bidders = candidates[draw_bidders(st, np.arange(candidates.size), rng)]
        values = np.maximum(np.rint(draw(rs.wasteland_value_share_of_fee, bidders.size, rng) * st.waste_bench),
                            1).astype(np.int64)
        res = _listing(st, world, area, st.waste_bench, bidders, values, rng)
        if not res.sold:
            books.reject(st, world, product=WASTELAND_P, trader=GOVERNMENT, side="sell", qty=area, price=st.waste_bench,
                       reason=res.reason)
            continue
        term = rs.contract_term_years
        books.start_lease(st, world, i, int(res.winner), year + term - 1, int(res.price), FISCAL, RENT, "listing",
                        "government->contractor", "unused wasteland contract", term, st.waste_bench)
        if rng.random() < float(rs.farm_suitable_share):
            p.restore_end[i] = year + rs.years - 1
            p.restore_to[i] = GENERAL
        st.stats["wasteland_contracts"] += 1


def _listing(st: LandState, world: World, qty: int, start: int, bidders: np.ndarray, values: np.ndarray, rng):
    from ...market import run_listing

    c = st.spec.circulation
    return run_listing(listing_terms(st, world, qty, start, c.increment_share, c.listing_days), bidders, values, rng)


# --------------------------------------------------------------------------- L8 / L9: completion
def complete_restorations(st: LandState, world: World) -> None:
    """Rules L8, L9: restorations finishing this year turn wasteland into farmland (with quota) or into
    construction land of the land reserve."""
    rs, p, year = st.spec.restoration, st.parcels, world.clock.year
    accepted = decimal_to_rational(rs.accepted_share)
    rng = world.rng.stream("land.restoration")
    for i in np.flatnonzero(p.active & (p.restore_end == year)).tolist():
        area, to = int(p.area[i]), int(p.restore_to[i])
        p.restore_end[i], p.restore_to[i] = -1, -1
        if to == STATE_CON:
            books.convert(st, world, i, STATE_CON, LAND_RESERVE)
            p.holder[i] = p.owner[i] = LAND_RESERVE
            p.use[i] = NO_USE
            st.stats["restored_construction_m2"] += area
            continue
        user = int(p.user[i])
        was_mining = int(p.cls[i]) == MINING
        books.convert(st, world, i, GENERAL, user)
        p.use[i] = FARMING
        quota = restoration_quota_m2(area, accepted)
        st.restored_farmland += area
        if was_mining:
            # rule L8: who restores benefits: the right for a term and the quota
            p.term_end[i] = year + rs.right_term_years
            owner = user
            markup = 1.0 + max(float(draw(rs.quota_markup, 1, rng)[0]), 0.0)
            cost_per_quota = int(p.price_ticks[i]) * area // max(quota, 1)
            j = int(np.flatnonzero(st.restorer_ids == user)[0])
            st.restorer_ask[j] = max(int(round(cost_per_quota * markup)), 1)
        else:
            owner = LAND_RESERVE  # rule L9: new farmland enters the state's occupation-compensation balance
        if quota:
            world.accounts.move(QUOTA, ISSUER, owner, quota)
            st.stats["quota_created"] += quota
            if owner == LAND_RESERVE:
                books.reserve_record(st, world, QUOTA, "issue", quota, 0, 0, "new farmland from wasteland (L9)")
        st.stats["restored_farmland_m2"] += area


# --------------------------------------------------------------------------- the quota market (L8)
def quota_market(st: LandState, world: World, n_sessions: int) -> None:
    """Rule L8: a call auction of new cultivated-land quota: restorers sell, the land reserve buys up to its
    target stock within its cash, other districts buy the yearly outside demand spread over the sessions."""
    rs, acc = st.spec.restoration, world.accounts
    k, _ = st.land_sessions(world)
    held = acc.of(QUOTA, st.restorer_ids)
    sellers = np.flatnonzero(held > 0)
    if not sellers.size:
        return
    bids: list[tuple[int, int, int]] = []
    res_bid = yuan_to_ticks(rs.reserve_bid_yuan_per_m2)
    want = max(rs.reserve_quota_target_m2 - int(acc.of(QUOTA, LAND_RESERVE)), 0)
    cash = max(int(acc.of("money", LAND_RESERVE)), 0)
    want = min(want, cash * TICKS_PER_FEN // max(res_bid, 1))
    if want > 0 and res_bid > 0:
        bids.append((LAND_RESERVE, res_bid, want))
    demand = rs.outside_demand_m2_per_year
    out = demand * (k + 1) // n_sessions - demand * k // n_sessions
    if out > 0:
        bids.append((ECONOMY, yuan_to_ticks(rs.outside_bid_yuan_per_m2), out))
    if not bids:
        return
    bp = np.array([b[1] for b in bids], dtype=np.int64)
    bq = np.array([b[2] for b in bids], dtype=np.int64)
    ap = st.restorer_ask[sellers]
    aq = held[sellers]
    # X3: a restorer asks no more than its quota free of pledges; the part above is refused ``pledged``.
    free = np.minimum(np.maximum(free_quantity(acc, QUOTA, st.restorer_ids[sellers]), 0), aq)
    if (free < aq).any():
        cut = np.flatnonzero(free < aq)
        books.reject_many(st, world, QUOTA, "sell", [(int(st.restorer_ids[sellers[j]]), int(aq[j] - free[j]), int(ap[j]),
                                                "pledged") for j in cut.tolist()])
        keep = free > 0
        sellers, ap, aq = sellers[keep], ap[keep], free[keep]
        if not sellers.size:
            return
    result = clear_call_auction(bp, bq, np.arange(bp.size), ap, aq, np.arange(ap.size),
                                bid_owner=np.array([b[0] for b in bids], dtype=np.int64),
                                ask_owner=st.restorer_ids[sellers])
    for b, a, q in zip(result.fill_bid.tolist(), result.fill_ask.tolist(), result.fill_quantity.tolist(), strict=True):
        buyer = bids[b][0]
        seller = int(st.restorer_ids[sellers[a]])
        amount = books.trade(st, world, product=QUOTA, mechanism="call", seller=seller, buyer=buyer, qty=int(q),
                           price=int(result.price), relation="restorer->" + ("reserve" if buyer == LAND_RESERVE
                                                                             else "other districts"),
                           bench=st.quota_bench)
        st.stats["quota_traded"] += int(q)
        if buyer == LAND_RESERVE:
            books.reserve_record(st, world, QUOTA, "buy", int(q), int(result.price), amount, "quota for conversions (L2, L8)")


__all__ = ["complete_restorations", "conversions", "quota_market", "start_restorations"]
