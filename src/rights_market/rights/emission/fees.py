"""Paid and unpaid emission rights: the use fee (rule E4), the back payment on a sale and the renewal at the
end of the validity term (rule E5).

Each unit's ``paid`` (kg, per product) is the part of the rights it owns whose use fee is paid for the current
term; the rest is unpaid. Fees are paid at the base price (ticks per kg) to the fiscal account and recorded as
``use_fee`` lines in ``charges``; the per-product yearly totals (fen) go to ``st.year_fees`` for the KPIs.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import FISCAL, ISSUER
from ...rules.emission import back_payment_fen, phase_in_due, split_sale
from ...units import decimal_to_rational
from . import finance
from .products import ACTIVE, RES, frac_of
from .state import EmissionState


def use_fees(st: EmissionState, world: World) -> None:
    """E4: after the reform period, unpaid rights pay the use fee at the base price, phased in."""
    fees = st.spec.fees
    after = world.clock.year - (st.start_year + fees.reform_years) + 1
    if after <= 0:
        return
    for k in range(st.P):
        owned = st.owned(world, k)
        unpaid = np.where(st.status == ACTIVE, np.maximum(owned - st.paid[k], 0), 0)
        due = phase_in_due(unpaid, after, fees.phase_in_years)
        payers = np.nonzero(due > 0)[0]
        if not payers.size:
            continue
        amount = back_payment_fen(due[payers], st.base[k])
        world.accounts.pay(st.ids[payers], FISCAL, amount)
        st.paid[k, payers] += due[payers]
        st.year_fees["use_fee"][k] += int(amount.sum())
        world.record_charges(holder=st.ids[payers], payee=FISCAL, product=st.product[k], kind="use_fee",
                             band=0, quantity=due[payers], rate_ticks=st.base[k], amount_fen=amount)


def sale_fees(st: EmissionState, world: World, k: int, seller: np.ndarray, qty: np.ndarray) -> None:
    """E5: the unpaid part of each sale back-pays the use fee at the base price to the fiscal account.
    ``seller`` are local unit indices whose rights have already moved; ``qty`` kg per sale."""
    owned = st.owned(world, k)[seller] + qty  # before this batch's sales (rights already moved)
    paid = st.paid[k, seller].copy()
    # several sales of one seller in a batch: each sees what the earlier ones left
    order = np.argsort(seller, kind="stable")
    s_sorted, q_sorted = seller[order], qty[order]
    first = np.concatenate([[True], s_sorted[1:] != s_sorted[:-1]])
    c = np.cumsum(q_sorted)
    before = c - q_sorted - np.maximum.accumulate(np.where(first, c - q_sorted, 0))
    total_by = np.zeros(st.n, np.int64)
    np.add.at(total_by, seller, qty)
    owned0 = owned[order] + (total_by[s_sorted] - q_sorted) - before  # owned before the first sale
    paid0 = paid[order]
    from_u0, from_p0 = split_sale(before, owned0, paid0, st.spec.fees.sale_draws_first)
    from_u1, from_p1 = split_sale(before + q_sorted, owned0, paid0, st.spec.fees.sale_draws_first)
    from_unpaid = np.empty_like(qty)
    from_paid = np.empty_like(qty)
    from_unpaid[order] = from_u1 - from_u0
    from_paid[order] = from_p1 - from_p0
    np.subtract.at(st.paid[k], seller, from_paid)
    pay = from_unpaid > 0
    if pay.any():
        fee = back_payment_fen(from_unpaid[pay], st.base[k])
        world.accounts.pay(st.ids[seller[pay]], FISCAL, fee)
        st.year_fees["back_payment"][k] += int(fee.sum())
        world.record_charges(holder=st.ids[seller[pay]], payee=FISCAL, product=st.product[k], kind="use_fee",
                             band=0, quantity=from_unpaid[pay], rate_ticks=st.base[k], amount_fen=fee)


def renew(st: EmissionState, world: World) -> None:
    """E5: at the end of the validity term rights are renewed for a new term: ``renewal_keep_share`` of each
    holding is kept (the rest retired to the issuer); the use fee paid covered the term that ended, so the
    renewed rights are unpaid (after the reform period their fee falls due, E4)."""
    keep = decimal_to_rational(st.spec.renewal_keep_share)
    acc = world.accounts
    for k in range(st.P):
        own_held = st.held(world, k) - st.leased_in[k]
        owned = st.owned(world, k)
        retire = np.minimum(owned - frac_of(owned, keep), own_held)
        if retire.sum():
            acc.move(st.product[k], st.ids, ISSUER, retire)
        stock = st.reserve_stock(world, k)
        r_retire = stock - int(frac_of(np.array([stock]), keep)[0])
        if r_retire:
            acc.move(st.product[k], RES, ISSUER, r_retire)
            world.record_reserve(product=st.product[k], action="expire", quantity=r_retire, price_ticks=0,
                                 amount_fen=0, stock=st.reserve_stock(world, k), cash_fen=st.reserve_cash(world),
                                 reason="term end: share not renewed (E5)")
        st.paid[k] = 0
        cut = st.pledged[k] - np.minimum(st.pledged[k], st.held(world, k) - st.leased_in[k])
        st.pledged[k] -= cut
        for u in np.nonzero(cut > 0)[0].tolist():  # E10/X3: the loans' pledges and the ledger encumbrance follow
            left = int(cut[u])
            for loan in st.loans:
                if loan["unit"] == u and left:
                    d = min(int(loan["pledge"][k]), left)
                    loan["pledge"][k] -= d
                    left -= d
            finance.unpledge(st, world, u, np.where(np.arange(st.P) == k, cut[u], 0),
                                      note="term end: encumbrance cut to the renewed rights (E5)")
    st.term_start += st.spec.validity_years
    st.term_end += st.spec.validity_years
