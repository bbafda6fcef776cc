"""Forest-right finance (rule F3; pledges across rights X3; the forest reserve X2): mortgage loans on management
rights and forest insurance.

* :func:`new_pledges` (year start): each holder's unpledged parcels are pledged with a chance per year for a
  loan of loan-to-value × appraisal of the right (F4) from a bank (the economy account). The encumbrance is
  the ledger product ``forest.management.pledged`` (``rights.links``); a pledged right cannot be sold.
* :func:`pay_interest` (year end): interest on every outstanding loan, to the bank.
* :func:`settle_maturities` (year end): a loan at maturity is repaid, or defaults by chance; the forest reserve
  (林权收储, X2, its own accounts) then pays the bank what it can of the debt and takes the management right,
  which it lists again in the sessions (F5).
* :func:`charge_premiums` / :func:`insurance_losses`: forest insurance — premiums shared with the fiscal
  account; a loss destroys part of a parcel's stock and pays the sum insured on the share lost.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import ECONOMY, FISCAL
from ...rules.forest import appraise, interest_fen, loan_fen, per_mu_amount_fen
from ...units import decimal_to_rational
from ..shared.pledges import pledge, release
from ..shared.records import record_charge
from ..shared.registry import register
from .parcels import AREA_UNIT, MANAGEMENT, NO_TERM, RIGHT
from .state import ForestState


def new_pledges(st: ForestState, world: World) -> None:
    """Rule F3: new mortgage loans on management rights held by households, operators and firms."""
    cr, book, year = st.spec.credit, st.book, world.clock.year
    if not cr.enabled or not book.n:
        return
    rng = world.rng.stream("forest.credit")
    m = book.col("manager")
    eligible = np.nonzero(np.isin(m, st.private_ids) & ~book.col("pledged"))[0]
    chosen = eligible[rng.random(eligible.size) < float(cr.pledge_rate_per_year)]
    ltv = decimal_to_rational(cr.loan_to_value)
    for p in chosen.tolist():
        has_term = int(book.term_end[p]) != NO_TERM
        left = int(book.remaining_years(np.array([p]), year)[0]) if has_term else st.spec.trading.term_years.max
        years = min(cr.term_years, left)
        if years < 1:
            continue
        appr = appraise(st.appraisal, st.stock_per_mu(p), left)
        value = appr.right_value_fen * int(book.area[p]) / 100
        loan = loan_fen(value, ltv)
        if loan <= 0:
            continue
        holder, area = int(m[p]), int(book.area[p])
        world.accounts.pay(ECONOMY, holder, loan)
        pledge(world, MANAGEMENT, holder, area)
        book.pledged[p], book.loan_fen[p], book.loan_end[p] = True, loan, year + years - 1
        register(world, right=RIGHT, product=MANAGEMENT, event="pledge", parcel=p, holder=holder,
                 counterparty=ECONOMY, quantity=area, unit=AREA_UNIT, term_end=year + years - 1, amount_fen=loan,
                 note="mortgage loan (F3)")
        record_charge(world, holder=ECONOMY, payee=holder, product=MANAGEMENT, kind="loan", band=0, quantity=area,
                             rate_ticks=0, amount_fen=loan)
        st.stats["pledges"] += 1


def pay_interest(st: ForestState, world: World) -> None:
    """Rule F3: a year's interest on every outstanding loan, paid to the bank (kind ``interest``)."""
    book = st.book
    ids = np.nonzero(book.col("pledged"))[0]
    if not ids.size:
        return
    due = interest_fen(book.loan_fen[ids], decimal_to_rational(st.spec.credit.interest_rate))
    pos = due > 0
    if pos.any():
        payer = book.manager[ids[pos]]
        world.accounts.pay(payer, ECONOMY, due[pos])
        record_charge(world, holder=payer, payee=ECONOMY, product=MANAGEMENT, kind="interest", band=0,
                             quantity=book.area[ids[pos]], rate_ticks=0, amount_fen=due[pos])


def settle_maturities(st: ForestState, world: World) -> None:
    """Rule F3: loans due this year are repaid or (by chance, when the reserve exists) default; the reserve
    pays the bank what its cash allows and takes the right (X2), to list it again."""
    book, year, cr = st.book, world.clock.year, st.spec.credit
    due = np.nonzero(book.col("pledged") & (book.col("loan_end") == year))[0]
    if not due.size:
        return
    rng = world.rng.stream("forest.credit")
    defaults = rng.random(due.size) < float(cr.default_rate) if st.spec.reserve.enabled else np.zeros(due.size, bool)
    acc = world.accounts
    for p, d in zip(due.tolist(), defaults.tolist(), strict=True):
        holder, area, loan = int(book.manager[p]), int(book.area[p]), int(book.loan_fen[p])
        release(world, MANAGEMENT, holder, area)
        book.pledged[p], book.loan_fen[p], book.loan_end[p] = False, 0, NO_TERM
        if not d:
            acc.pay(holder, ECONOMY, loan)
            record_charge(world, holder=holder, payee=ECONOMY, product=MANAGEMENT, kind="loan_repayment", band=0,
                                 quantity=area, rate_ticks=0, amount_fen=loan)
            register(world, right=RIGHT, product=MANAGEMENT, event="release", parcel=p, holder=holder,
                     counterparty=ECONOMY, quantity=area, unit=AREA_UNIT, amount_fen=loan, note="loan repaid")
            continue
        paid = max(min(loan, int(acc.of("money", st.reserve))), 0)
        if paid:
            acc.pay(st.reserve, ECONOMY, paid)
        if int(book.term_end[p]) == NO_TERM:
            book.term_end[p] = year + st.spec.trading.term_years.max
        book.move_management(world, np.array([p]), st.reserve, None, event="forfeit", amount_fen=paid,
                             note=f"default: reserve paid {paid} of {loan} fen")
        world.record_reserve(product=MANAGEMENT, action="buy", quantity=area, price_ticks=0, amount_fen=paid,
                             stock=int(acc.of(MANAGEMENT, st.reserve)), cash_fen=int(acc.of("money", st.reserve)),
                             reason="collateral of a defaulted forest loan (F3)")
        st.stats["defaults"] += 1


def charge_premiums(st: ForestState, world: World) -> np.ndarray:
    """Rule F3: forest insurance premiums on every parcel a holder or the farm manages (the fiscal account pays
    its subsidy share, kind ``insurance``). Returns the insured parcel ids for this year."""
    ins = st.spec.credit.insurance
    book = st.book
    if not st.spec.credit.enabled or not ins.enabled or not book.n:
        return np.zeros(0, dtype=np.int64)
    ids = np.nonzero(np.isin(book.col("manager"), st.insurable_ids))[0]
    premium = per_mu_amount_fen(book.area[ids], decimal_to_rational(ins.premium_yuan_per_mu_year))
    sub = decimal_to_rational(ins.fiscal_subsidy_share)
    fiscal = (premium * (2 * sub.numerator) + sub.denominator) // (2 * sub.denominator)
    own = premium - fiscal
    acc = world.accounts
    for payer_ids, amounts in ((book.manager[ids], own), (np.full(ids.size, FISCAL), fiscal)):
        pos = amounts > 0
        if pos.any():
            acc.pay(payer_ids[pos], ECONOMY, amounts[pos])
            record_charge(world, holder=payer_ids[pos], payee=ECONOMY, product=MANAGEMENT, kind="insurance", band=0,
                                 quantity=book.area[ids[pos]], rate_ticks=0, amount_fen=amounts[pos])
    return ids


def insurance_losses(st: ForestState, world: World, insured: np.ndarray) -> None:
    """Rule F3: fire or pest losses on insured parcels: a share of the stock is lost and the insurer pays the
    sum insured on that share of the area (kind ``insurance_claim``)."""
    ins = st.spec.credit.insurance
    if not insured.size:
        return
    book = st.book
    rng = world.rng.stream("forest.insurance")
    hit = insured[rng.random(insured.size) < float(ins.loss_rate_per_year)]
    if not hit.size:
        return
    share = decimal_to_rational(ins.loss_stock_share)
    book.stock[hit] = book.stock[hit] - (book.stock[hit] * share.numerator) // share.denominator
    lost_area = (book.area[hit] * share.numerator) // share.denominator
    pay = per_mu_amount_fen(lost_area, decimal_to_rational(ins.sum_insured_yuan_per_mu))
    pos = pay > 0
    if pos.any():
        holders = book.manager[hit[pos]]
        world.accounts.pay(ECONOMY, holders, pay[pos])
        record_charge(world, holder=ECONOMY, payee=holders, product=MANAGEMENT, kind="insurance_claim", band=0,
                             quantity=lost_area[pos], rate_ticks=0, amount_fen=pay[pos])
    st.stats["losses"] += int(hit.size)
