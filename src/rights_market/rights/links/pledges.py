"""Pledges across rights (rule X3): loans against pledged rights, their interest, repayment or default.

Encumbrances are the ledger's ``<product>.pledged`` (:mod:`..shared.pledges`). Quantities base units of the
pledged product, money fen.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ...engine.world import World
from ...ledger import ECONOMY
from ...units import FEN_PER_YUAN, decimal_to_rational, div_round_half_up
from ..shared.pledges import free_quantity, pledge, release
from ..shared.records import record_charge
from ..shared.registry import register
from ..shared.reserves import RESERVES
from .state import LinksConfig, LinksState, Loan


def new_pledges(st: LinksState, world: World, cfg: LinksConfig) -> None:
    """X3: each rule's drawn share of the holders with a free quantity pledge a share of it for a loan from
    the bank (the economy account); projects never pledge."""
    acc, year = world.accounts, world.clock.year
    rng = world.rng.stream("links.pledges")
    holders_all = np.arange(acc.n_holders, dtype=np.int64)
    for ri, r in enumerate(cfg.spec.pledges):
        free = free_quantity(acc, r.product, holders_all)
        free[st.project_ids] = 0
        cand = np.nonzero(free > 0)[0]
        chosen = cand[rng.random(cand.size) < float(r.holder_share)]
        share = _q(r.pledge_share)
        qty = (free[chosen] * share.numerator) // share.denominator
        keep = qty > 0
        chosen, qty = chosen[keep], qty[keep]
        if not chosen.size:
            continue
        per_unit = _q(r.value_yuan_per_unit) * FEN_PER_YUAN * _q(r.loan_to_value)  # fen per base unit lent
        loans = (qty * per_unit.numerator) // per_unit.denominator
        pledge(world, r.product, chosen, qty)
        acc.pay(ECONOMY, chosen, loans)
        end = year + r.term_years - 1
        register(world, right=r.product.split(".")[0], product=r.product, event="pledge", holder=chosen,
                 counterparty=ECONOMY, quantity=qty, unit=cfg.unit_of(r.product), term_end=end, amount_fen=loans,
                 note="loan (X3)")
        record_charge(world, holder=ECONOMY, payee=chosen, product=r.product, kind="loan", band=0, quantity=qty,
                             rate_ticks=0, amount_fen=loans)
        for h, q, loan in zip(chosen.tolist(), qty.tolist(), loans.tolist(), strict=True):
            st.loans.append(Loan(rule=ri, holder=h, qty=q, loan=loan, end=end))


def settle_loans(st: LinksState, world: World, cfg: LinksConfig) -> None:
    """X3 at the year end: interest on every loan; at maturity the loan is repaid and the encumbrance lifted,
    or (by chance) it defaults and the collateral goes to the right's reserve, which pays what its cash allows.
    A collateral no longer held cuts the encumbrance to the holding (``collateral_lost``)."""
    acc, year = world.accounts, world.clock.year
    rng = world.rng.stream("links.pledges")
    left = []
    for loan in st.loans:
        r = cfg.spec.pledges[loan.rule]
        h, product = loan.holder, r.product
        held = int(acc.of(product, h))
        if held < loan.qty:  # the collateral went away (reclaimed at the end of its validity, ...)
            release(world, product, h, loan.qty - held)
            register(world, right=product.split(".")[0], product=product, event="collateral_lost", holder=h,
                     quantity=loan.qty - held, unit=cfg.unit_of(product), note="encumbrance cut to the holding")
            loan.qty = held
        interest = _round(loan.loan * _q(r.interest_rate))
        if interest:
            acc.pay(h, ECONOMY, interest)
            record_charge(world, holder=h, payee=ECONOMY, product=product, kind="interest", band=0,
                                 quantity=loan.qty, rate_ticks=0, amount_fen=interest)
        if loan.end != year:
            left.append(loan)
            continue
        release(world, product, h, loan.qty)
        right = product.split(".")[0]
        if rng.random() < float(r.default_rate) and loan.qty:
            reserve = RESERVES[right]
            paid = max(min(loan.loan, int(acc.of("money", reserve))), 0)
            acc.move(product, h, reserve, loan.qty)
            if paid:
                acc.pay(reserve, ECONOMY, paid)
            register(world, right=right, product=product, event="forfeit", holder=reserve, counterparty=h,
                     quantity=loan.qty, unit=cfg.unit_of(product), amount_fen=paid,
                     note=f"default: reserve paid {paid} fen")
            world.record_reserve(product=product, action="buy", quantity=loan.qty, price_ticks=0,
                                 amount_fen=paid, stock=int(acc.of(product, reserve)),
                                 cash_fen=int(acc.of("money", reserve)), reason="collateral of a defaulted loan (X3)")
            st.defaults += 1
        else:
            acc.pay(h, ECONOMY, loan.loan)
            record_charge(world, holder=h, payee=ECONOMY, product=product, kind="loan_repayment", band=0,
                                 quantity=loan.qty, rate_ticks=0, amount_fen=loan.loan)
            register(world, right=right, product=product, event="release", holder=h, counterparty=ECONOMY,
                     quantity=loan.qty, unit=cfg.unit_of(product), amount_fen=loan.loan, note="loan repaid")
    st.loans = left



def _q(value) -> Fraction:
    return decimal_to_rational(value)


def _round(x: Fraction) -> int:
    return div_round_half_up(x.numerator, x.denominator)

