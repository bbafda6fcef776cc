"""The rural land market: management rights with first refusal, collective construction land, idle homesteads.

Rule L10: households circulate the management right (经营权) of their contract land by subcontracting (转包)
or share-holding (入股) to family farms and cooperatives for a term no longer than the contract; the offer is
listed with bidding (挂牌竞价); a subcontract matched with an outside operator is first offered to the
members of the same collective on the same terms (同等条件下本集体经济组织成员享有优先权) — the member
willing to pay the most, if any pays at least the offer, takes it. Collective operating construction land
enters the market after a vote of the members' representatives (two thirds, Land Administration Law art. 63)
and its proceeds are shared: an adjustment fee to the fiscal account, the rest to the collective, its members
(equally) and the village fund. Rule L7: idle homesteads are leased to outside lessees.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import FISCAL
from ...market import ListingTerms, run_listing
from ...rules.economics import net_income_rent
from ...rules.land import (
    COLL_CON,
    HOMESTEAD,
    INDUSTRIAL,
    R_TERM,
    R_VOTE,
    first_refusal,
    share_of,
    split_amount,
    split_equally,
    term_price_ticks,
    term_within_contract,
    vote_passes,
)
from ...units import decimal_to_rational
from . import books
from .parcels import COLLECTIVE_P, DIVIDEND, MANAGEMENT, RENT
from .setup import planned_investment
from .state import LandState
from .state_land import eligible_buyers, record_grade_exclusions, sample_bidders


def listing_terms(st: LandState, world: World, qty: int, start: int, increment_share, days: int) -> ListingTerms:
    """Terms of a listing opening today for ``days`` days, with a bid increment of a share of the start."""
    inc = max(share_of(start, decimal_to_rational(increment_share)), 1)
    day = world.clock.day
    return ListingTerms(quantity=qty, start=start, increment=inc, opens=day, closes=day + days,
                        round_seconds=st.spec.supply.round_seconds)


def draw_bidders(st: LandState, candidates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Positions (sorted) of the ``bidders_per_offer`` candidates drawn to take part in one rural listing (all
    of them if fewer). ``candidates``: positions that may bid."""
    k = st.spec.circulation.bidders_per_offer
    return candidates if candidates.size <= k else np.sort(rng.choice(candidates, size=k, replace=False))


def _operator_values(st: LandState, pick: np.ndarray, output: int) -> np.ndarray:
    """Highest rent of the operators ``pick`` for a parcel of gross ``output`` (ticks/m² and year): the net
    income each expects from it (economics, L10), or their flat value where the parcel has no productivity."""
    if output <= 0:
        return st.op_value[pick]
    return np.maximum(np.floor(net_income_rent(output, st.op_net_share[pick])), 1).astype(np.int64)


def circulate(st: LandState, world: World, n_sessions: int) -> None:
    """Rule L10: this session's offers of management rights, listed to operators, with first refusal."""
    spec, prod = st.spec.circulation, st.spec.rural.productivity
    rng = world.rng.stream("land.circulation")
    p = st.parcels
    year = world.clock.year
    cand = np.flatnonzero(p.has_contract() & (p.user == p.holder))
    prob = float(spec.offer_share_per_year) / n_sessions
    offers = cand[rng.random(cand.size) < prob]
    h0 = st.start["household"]
    deals: list[tuple[int, int, int, int, int, int, str]] = []  # settled together after the listings
    refused: list[tuple[int, int, int, str]] = []
    agreed: dict[int, int] = {}  # m² each household has agreed to circulate this session (X3)
    for i in offers.tolist():
        holder, area, v = int(p.holder[i]), int(p.area[i]), int(p.village[i])
        term = int(spec.term_years[int(rng.integers(len(spec.term_years)))])
        shares = rng.random() < float(spec.share_holding_share)
        output = int(p.output[i])
        if output > 0:
            # economics (L10): the household asks the net income it gives up; the benchmark stays the L16 reference
            start = max(int(net_income_rent(output, float(prod.household_net_share))), 1)
        else:
            start = max(st.circ_bench, int(st.hh_value[holder - h0]))
        if not term_within_contract(year, term, int(p.term_end[i])):
            refused.append((holder, area, start, R_TERM))
            continue
        if books.refuse_pledged(st, world, MANAGEMENT, holder, area, start, agreed.get(holder, 0), refused):
            continue  # X3: a pledged management right is not circulated
        ok = st.op_demand > 0
        if shares:
            ok &= st.op_coop
        pick = draw_bidders(st, np.flatnonzero(ok), rng)
        res = run_listing(listing_terms(st, world, area, start, spec.increment_share, spec.listing_days),
                          st.op_ids[pick], _operator_values(st, pick, output), rng)
        if not res.sold:
            refused.append((holder, area, start, res.reason))
            continue
        buyer, price = int(res.winner), int(res.price)
        deal, relation = "share-holding" if shares else "subcontract", "household->"
        if not shares and spec.first_refusal:
            members = st.village_households[v]
            members = members[st.hh_expanding[members] & (st.hh[members] != holder)]
            taker = first_refusal(price, st.hh[members], st.hh_expand_value[members])
            if taker >= 0:
                buyer = taker
                st.hh_expanding[taker - h0] = False
                st.stats["first_refusal_exercised"] += 1
                deal, relation = deal + " first_refusal", relation + "member"
            else:
                st.stats["first_refusal_declined"] += 1
        if buyer == int(res.winner):
            o = int(np.flatnonzero(st.op_ids == buyer)[0])
            st.op_demand[o] = max(int(st.op_demand[o]) - area, 0)
            relation += "cooperative" if st.op_coop[o] else "family_farm"
        deals.append((i, buyer, year + term - 1, price, holder, DIVIDEND if shares else RENT, relation, deal, term))
        agreed[holder] = agreed.get(holder, 0) + area
        st.stats["circulated_m2"] += area
    if deals:
        cols = list(zip(*deals, strict=True))
        ints = [np.array(c, dtype=np.int64) for c in cols[:6]]
        books.start_leases(st, world, *ints, "listing", np.array(cols[6], dtype=object),
                           np.array(cols[7], dtype=object), np.array(cols[8], dtype=np.int64), st.circ_bench)
    books.reject_many(st, world, MANAGEMENT, "sell", refused)


def lease_homesteads(st: LandState, world: World, n_sessions: int) -> None:
    """Rule L7: idle homesteads listed for lease to outside lessees (new business forms)."""
    spec = st.spec.homestead_lease
    if not st.lessee_ids.size:
        return
    rng = world.rng.stream("land.homesteads")
    p = st.parcels
    cand = np.flatnonzero(p.active & (p.cls == HOMESTEAD) & (p.idle_since >= 0) & (p.user == p.holder))
    offers = cand[rng.random(cand.size) < float(spec.lease_share_per_year) / n_sessions]
    year = world.clock.year
    deals: list[tuple[int, int, int, int, int, int]] = []
    refused: list[tuple[int, int, int, str]] = []
    agreed: dict[int, int] = {}  # m² each household has agreed to lease out this session (X3)
    for i in offers.tolist():
        pick = draw_bidders(st, np.flatnonzero(st.lessee_slots > 0), rng)
        area, holder = int(p.area[i]), int(p.holder[i])
        if books.refuse_pledged(st, world, "land.homestead", holder, area, st.home_bench, agreed.get(holder, 0), refused):
            continue  # X3: a pledged homestead is not leased out
        res = run_listing(listing_terms(st, world, area, st.home_bench, st.spec.circulation.increment_share,
                                        st.spec.circulation.listing_days),
                          st.lessee_ids[pick], st.lessee_value[pick], rng)
        if not res.sold:
            refused.append((holder, area, st.home_bench, res.reason))
            continue
        j = int(np.flatnonzero(st.lessee_ids == res.winner)[0])
        st.lessee_slots[j] -= 1
        deals.append((i, int(res.winner), year + spec.term_years - 1, int(res.price), holder, RENT))
        agreed[holder] = agreed.get(holder, 0) + area
        st.stats["homestead_leases"] += 1
    if deals:
        ints = [np.array(c, dtype=np.int64) for c in zip(*deals, strict=True)]
        books.start_leases(st, world, *ints, "listing", "household->lessee", "idle homestead", spec.term_years,
                           st.home_bench)
    books.reject_many(st, world, "land.homestead", "sell", refused)


def collective_entry(st: LandState, world: World, n_sessions: int) -> None:
    """Rule L10: collective operating construction land proposed, voted on, listed to firms, proceeds shared."""
    spec = st.spec.collective_entry
    rng = world.rng.stream("land.collective")
    p = st.parcels
    year = world.clock.year
    cand = np.flatnonzero(p.active & (p.cls == COLL_CON) & (p.user == p.holder) & (p.holder == p.owner))
    proposals = cand[rng.random(cand.size) < float(spec.proposal_share_per_year) / n_sessions]
    full = st.full_term[INDUSTRIAL]
    term = min(spec.term_years, full)
    start = int(term_price_ticks(st.coll_bench, term, full))
    for i in proposals.tolist():
        v, area, coll = int(p.village[i]), int(p.area[i]), int(p.holder[i])
        if books.refuse_pledged(st, world, COLLECTIVE_P, coll, area, start):
            continue  # X3: pledged collective land is not put to the vote nor listed
        reps = st.spec.villages[v].representatives
        yes = int(rng.binomial(reps, float(spec.yes_probability)))
        if not vote_passes(yes, reps, spec.approval_numerator, spec.approval_denominator):
            books.reject(st, world, product=COLLECTIVE_P, trader=coll, side="sell", qty=area, price=start, reason=R_VOTE)
            st.stats["votes_failed"] += 1
            continue
        record_grade_exclusions(st, world, COLLECTIVE_P, area, start)
        f = sample_bidders(st, eligible_buyers(st), rng)
        values = term_price_ticks(st.firm_value[f], term, full)
        res = run_listing(listing_terms(st, world, area, start, st.spec.supply.increment_share,
                                        st.spec.supply.listing_days),
                          st.firm_ids[f], values, rng)
        if not res.sold:
            books.reject(st, world, product=COLLECTIVE_P, trader=coll, side="sell", qty=area, price=start, reason=res.reason)
            continue
        buyer, price = int(res.winner), int(res.price)
        amount = books.trade(st, world, product=COLLECTIVE_P, mechanism="listing", seller=coll, buyer=buyer, qty=area,
                           price=price, relation="collective->firm", deal="vote_passed", bench=start)
        books.transfer_parcel(st, i, buyer, year, term_end=year + term - 1)
        p.use[i] = INDUSTRIAL
        p.price_ticks[i] = price
        p.planned_inv[i] = int(planned_investment(st, np.array([area]))[0])
        p.invested[i] = 0
        fi = st.firm_index(buyer)
        st.firm_demand[fi] = max(int(st.firm_demand[fi]) - area, 0)
        share_proceeds(st, world, v, coll, area, price, amount)
        st.stats["collective_sold"] += 1


def share_proceeds(st: LandState, world: World, v: int, coll: int, area: int, price: int, amount: int) -> None:
    """Rule L10 (收益分配): adjustment fee to the fiscal account, then the collective keeps its share and
    pays the members' share (equally to the village's households) and the village fund's share."""
    spec = st.spec.collective_entry
    fee = share_of(amount, decimal_to_rational(spec.adjustment_fee_share))
    books.charge(st, world, coll, FISCAL, COLLECTIVE_P, "adjustment_fee", area, price, fee)
    rest = amount - fee
    _kept, members, fund = split_amount(rest, [decimal_to_rational(spec.collective_share),
                                               decimal_to_rational(spec.members_share),
                                               decimal_to_rational(spec.village_fund_share)]).tolist()
    books.charge(st, world, coll, int(st.fund_acct[v]), COLLECTIVE_P, "proceeds_share", area, price, fund)
    hh = st.hh[st.hh_village == v]
    if members and hh.size:
        parts = split_equally(members, hh.size)
        pay = parts > 0
        world.accounts.pay(coll, hh[pay], parts[pay])
        world.record_charges(holder=np.full(int(pay.sum()), coll, dtype=np.int64), payee=hh[pay],
                             product=COLLECTIVE_P, kind="proceeds_share", band=0, quantity=0, rate_ticks=0,
                             amount_fen=parts[pay])
        st.stats["charge_proceeds_share_fen"] += members


__all__ = ["circulate", "collective_entry", "draw_bidders", "lease_homesteads", "share_proceeds"]
