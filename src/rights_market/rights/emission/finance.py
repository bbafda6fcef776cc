"""Leases and mortgages of emission rights (rule E10).

* Leases (租赁): a yearly round in which surplus holders offer a share of their surplus and units short of
  rights bid their yearly marginal abatement cost as rent; a call auction per market segment (E7) sets the
  rent (ticks per kg and year). Leased rights move to the lessee (``st.leased_in`` / ``st.leased_out``) and
  come back at the term end, at a closure or on :func:`end_leases`; the rent is a ``rent`` charge each year.
* Mortgages (抵押贷款): a share of a taker's free rights is pledged (it stays with the unit and cannot be sold)
  and the bank (the rest of the economy) lends loan-to-value × their value at the base price; principal
  (``loan_repayment``) and interest (``interest``) are repaid at the term end or at a closure. The pledge is
  the links' ledger encumbrance ``<product>.pledged`` (X3, :func:`.links.pledge`), so the links' pledges and
  every sale see E10 mortgages and X3 pledges alike (:func:`.links.free_quantity`); ``st.pledged`` tallies
  the E10 part for the KPIs. Each pledge and release is a ``registry`` row (note ``mortgage loan (E10)``).

Each lease is a dict of arrays (``lessor``, ``lessee``, ``q`` kg, ``rent`` ticks/kg/yr) with the product index
``k`` and the years ``start``..``end``; each loan a dict (``unit``, ``principal`` and ``interest`` fen,
``pledge`` kg per pollutant, ``end`` year).
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import ECONOMY
from ...market import clear_call_auction
from ...rules.emission import BUY, SELL, lot_schedule
from ...units import amount_fen_array, decimal_to_rational, div_round_half_up
from ..shared.pledges import pledge, pledged_quantity, release
from ..shared.registry import register
from .fills import merge_fills
from .products import ACTIVE, RIGHT, UNIT, frac_of
from .state import EmissionState


def lease_round(st: EmissionState, world: World) -> None:
    """E10: a yearly lease round: surplus holders offer a share of their surplus, units short bid their
    yearly marginal abatement cost as rent; a call auction per sector (E7) sets the rent (ticks per kg and
    year). A lease is not a sale, so the base-price floor (E3) does not bind rents."""
    rng = world.rng.stream("emission.lease")
    spec = st.spec.lease
    share = decimal_to_rational(spec.offer_share_of_surplus)
    year = world.clock.year
    for k in range(st.P):
        held = st.held(world, k)
        part = (st.status == ACTIVE) & st.has[k] & (rng.random(st.n) < st.lease_part)
        free = st.free(world, k)
        offer = np.where(part, frac_of(np.maximum(np.minimum(free, held - st.E[k]), 0), share), 0)
        required = st.E[k] - held
        sched = lot_schedule(st.curves[k], required, offer, st.lot, st.spec.market.max_orders_per_side, 1,
                             max(int(st.cap[k]) // st.years, 1), buy=part & (required > 0), sell=offer > 0)
        if not len(sched):
            continue
        price = np.maximum(sched.limit, 1)
        segment = st.segments(k, sched.unit)
        for seg in np.unique(segment):
            rows = np.nonzero(segment == seg)[0]
            b = rows[sched.side[rows] == BUY]
            s = rows[sched.side[rows] == SELL]
            r = clear_call_auction(price[b], sched.quantity[b], b, price[s], sched.quantity[s], s,
                                   bid_owner=sched.unit[b], ask_owner=sched.unit[s])  # no unit leases to itself
            if not r.volume:
                continue
            lessor, lessee, q, rent = merge_fills(sched.unit[s[r.fill_ask]], sched.unit[b[r.fill_bid]],
                                                  r.fill_quantity, np.full(r.fill_quantity.size, int(r.price)))
            lease = {"k": k, "lessee": lessee, "lessor": lessor, "q": q, "rent": rent,
                     "start": year, "end": year + spec.term_years - 1}
            world.accounts.move(st.product[k], st.ids[lease["lessor"]], st.ids[lease["lessee"]], lease["q"])
            np.add.at(st.leased_in[k], lease["lessee"], lease["q"])
            np.add.at(st.leased_out[k], lease["lessor"], lease["q"])
            st.leases.append(lease)
            st.year_leases += int(lease["q"].size)
            pay_rent(st, world, lease)


def pay_rent(st: EmissionState, world: World, lease: dict) -> None:
    """E10: a year's rent of a lease, lessee → lessor (``rent`` in charges)."""
    amount = amount_fen_array(lease["q"], lease["rent"])
    world.accounts.pay(st.ids[lease["lessee"]], st.ids[lease["lessor"]], amount)
    world.record_charges(holder=st.ids[lease["lessee"]], payee=st.ids[lease["lessor"]],
                         product=st.product[lease["k"]], kind="rent", band=0, quantity=lease["q"],
                         rate_ticks=lease["rent"], amount_fen=amount)


def lease_rents(st: EmissionState, world: World) -> None:
    """E10: the yearly rent of leases running into a further year."""
    year = world.clock.year
    for lease in st.leases:
        if lease["start"] < year <= lease["end"]:
            pay_rent(st, world, lease)


def end_leases(st: EmissionState, world: World, which) -> None:
    """Return leased rights to their lessors for the rows ``which(lease)`` selects (E10)."""
    keep = []
    for lease in st.leases:
        k = lease["k"]
        sel = np.broadcast_to(np.asarray(which(lease), bool), lease["q"].shape)
        if sel.any():
            lessor, lessee, q = lease["lessor"][sel], lease["lessee"][sel], lease["q"][sel]
            world.accounts.move(st.product[k], st.ids[lessee], st.ids[lessor], q)
            np.subtract.at(st.leased_in[k], lessee, q)
            np.subtract.at(st.leased_out[k], lessor, q)
        if not sel.all():
            rest = ~sel
            keep.append({**lease, **{f: lease[f][rest] for f in ("lessor", "lessee", "q", "rent")}})
    st.leases = keep


def mortgages(st: EmissionState, world: World) -> None:
    """E10: new mortgage loans: a share of each taker's free rights is pledged (it stays with the unit and
    cannot be sold while pledged) and the bank (the rest of the economy) lends loan-to-value × their value
    at the base price; principal and interest are repaid at the term end."""
    spec = st.spec.mortgage
    rng = world.rng.stream("emission.mortgage")
    takers = np.nonzero((st.status == ACTIVE) & (rng.random(st.n) < st.mortgage_rate))[0]
    if not takers.size:
        return
    pshare = decimal_to_rational(spec.pledge_share)
    ltv = decimal_to_rational(spec.loan_to_value)
    rate = decimal_to_rational(spec.interest_rate)
    pledges = np.zeros((st.P, takers.size), np.int64)
    value = np.zeros(takers.size, np.int64)
    for k in range(st.P):
        free = st.free(world, k)[takers]
        pledges[k] = frac_of(np.maximum(free, 0), pshare)
        value += amount_fen_array(pledges[k], np.full(takers.size, st.base[k]))
    loan = (value * ltv.numerator) // ltv.denominator
    ok = loan > 0
    if not ok.any():
        return
    takers, pledges, loan = takers[ok], pledges[:, ok], loan[ok]
    world.accounts.pay(ECONOMY, st.ids[takers], loan)
    st.pledged[: st.P, takers] += pledges
    end = world.clock.year + spec.term_years - 1
    first = np.argmax(pledges > 0, axis=0)  # the loan is registered with the first pollutant pledged
    for k in range(st.P):  # X3: the encumbrance in the ledger, seen by the links and every market
        some = pledges[k] > 0
        if some.any():
            pledge(world, st.product[k], st.ids[takers[some]], pledges[k, some])
            register(world, right=RIGHT, product=st.product[k], event="pledge", holder=st.ids[takers[some]],
                     counterparty=ECONOMY, quantity=pledges[k, some], unit=UNIT, term_end=end,
                     amount_fen=np.where(first[some] == k, loan[some], 0), note="mortgage loan (E10)")
    world.record_charges(holder=ECONOMY, payee=st.ids[takers], product=st.product[0], kind="loan", band=0,
                         quantity=pledges.sum(axis=0), rate_ticks=0, amount_fen=loan)
    for j, u in enumerate(takers.tolist()):
        interest = div_round_half_up(int(loan[j]) * rate.numerator * spec.term_years, rate.denominator)
        st.loans.append({"unit": u, "principal": int(loan[j]), "interest": interest,
                          "pledge": pledges[:, j].copy(), "end": end})
    st.year_new_loans[0] += int(takers.size)
    st.year_new_loans[1] += int(loan.sum())


def end_loans(st: EmissionState, world: World, which) -> None:
    """Repay the loans ``which(loan)`` selects, with interest, to the bank and release their pledges (E10)."""
    keep = []
    for loan in st.loans:
        if not which(loan):
            keep.append(loan)
            continue
        u = loan["unit"]
        world.accounts.pay(st.ids[u], ECONOMY, loan["principal"] + loan["interest"])
        world.record_charges(holder=st.ids[u], payee=ECONOMY, product=st.product[0],
                             kind=np.array(["loan_repayment", "interest"], dtype=object), band=0,
                             quantity=np.array([int(loan["pledge"].sum()), 0]), rate_ticks=0,
                             amount_fen=np.array([loan["principal"], loan["interest"]]))
        st.pledged[: st.P, u] -= loan["pledge"]
        unpledge(st, world, u, loan["pledge"], note="loan repaid", amount=loan["principal"])
    st.loans = keep


def unpledge(st: EmissionState, world: World, u: int, qty: np.ndarray, note: str, amount: int = 0) -> None:
    """E10/X3: lift the ledger encumbrance of ``qty`` kg per pollutant from unit ``u`` — at most what is still
    encumbered — with a ``release`` row in the register (``amount`` on the first pollutant released)."""
    h = int(st.ids[u])
    for k in range(st.P):
        q = min(int(qty[k]), int(pledged_quantity(world.accounts, st.product[k], h)))
        if q <= 0:
            continue
        release(world, st.product[k], h, q)
        register(world, right=RIGHT, product=st.product[k], event="release", holder=h, counterparty=ECONOMY,
                 quantity=q, unit=UNIT, amount_fen=amount, note=note)
        amount = 0
