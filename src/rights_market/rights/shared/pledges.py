"""**Pledges (X3; for water the pledge and mortgage of W14, for emission E10, for forest F3).** A pledged quantity of product ``P`` is an encumbrance kept in the ledger itself as the
companion product ``P.pledged`` (:func:`pledge_product`): pledging issues it to the holder, releasing returns it
to the issuer, so encumbrances are conserved and checked like every right, and any policy can see them through
:func:`free_quantity` = holding − encumbrance. A sale of more than the free quantity is refused with the
reason ``pledged`` (:func:`screen_sales` refuses whole sales, :func:`cap_sales` cuts each sale to the free
quantity and refuses the rest). Policies that sell ``P`` must screen their sales (water, emission, land and
forest do); a right policy that declares ``P`` also declares ``P.pledged`` if its holders may pledge it.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import ISSUER, Accounts
from .records import record_rejection

PLEDGED_SUFFIX = ".pledged"


def pledge_product(product: str) -> str:
    """Rule X3: the ledger product that holds the encumbrance on ``product``."""
    return product + PLEDGED_SUFFIX


def pledged_quantity(accounts: Accounts, product: str, ids: np.ndarray | int) -> np.ndarray:
    """Rule X3: how much of ``product`` each of ``ids`` has pledged (0 if the product cannot be pledged)."""
    pp = pledge_product(product)
    if pp not in accounts.index:
        return np.zeros(np.shape(np.asarray(ids)), dtype=np.int64)
    return accounts.of(pp, ids)


def free_quantity(accounts: Accounts, product: str, ids: np.ndarray | int) -> np.ndarray:
    """Rule X3: what each of ``ids`` may sell of ``product``: holding − encumbrance, at least 0."""
    return np.maximum(accounts.of(product, ids) - pledged_quantity(accounts, product, ids), 0)


def pledge(world: World, product: str, holder: np.ndarray | int, qty: np.ndarray | int) -> None:
    """Rule X3: encumber ``qty`` of ``product`` held by ``holder`` (the caller checked it is free)."""
    world.accounts.move(pledge_product(product), ISSUER, holder, qty)


def release(world: World, product: str, holder: np.ndarray | int, qty: np.ndarray | int) -> None:
    """Rule X3: lift an encumbrance of ``qty`` on ``product`` held by ``holder``."""
    world.accounts.move(pledge_product(product), holder, ISSUER, qty)


def screen_sales(world: World, product: str, sellers: np.ndarray, qty: np.ndarray,
                 price_ticks: np.ndarray) -> np.ndarray:
    """Rule X3: which sales may go ahead; the others (more than the seller's free quantity) are recorded as
    rejected sell orders with the reason ``pledged``. Sales of one seller are checked cumulatively."""
    sellers = np.asarray(sellers, dtype=np.int64)
    qty = np.asarray(qty, dtype=np.int64)
    price_ticks = np.asarray(price_ticks, dtype=np.int64)
    ok = np.ones(sellers.size, dtype=bool)
    if pledge_product(product) not in world.accounts.index or not sellers.size:
        return ok
    free = {int(s): int(f) for s, f in zip(np.unique(sellers), free_quantity(world.accounts, product, np.unique(sellers)),
                                            strict=True)}
    for i, (s, q) in enumerate(zip(sellers.tolist(), qty.tolist(), strict=True)):
        if q > free[s]:
            ok[i] = False
        else:
            free[s] -= q
    if (~ok).any():
        record_rejection(world, product=product, trader=sellers[~ok], side="sell", quantity=qty[~ok],
                                price_ticks=price_ticks[~ok], reason="pledged")
    return ok


def cap_sales(world: World, product: str, sellers: np.ndarray, qty: np.ndarray,
              price_ticks: np.ndarray) -> np.ndarray:
    """Rule X3: the quantity of each sale that may go ahead — at most what the seller has free of pledges
    (holding − encumbrance, sales of one seller checked cumulatively in the given order). The part of a sale
    above it is refused: one rejected sell order per cut sale, its quantity the refused part, reason
    ``pledged``. Without an encumbrance product for ``product`` every sale goes ahead whole."""
    sellers = np.asarray(sellers, dtype=np.int64)
    qty = np.asarray(qty, dtype=np.int64)
    if pledge_product(product) not in world.accounts.index or not sellers.size:
        return qty.copy()
    uniq = np.unique(sellers)
    free = dict(zip(uniq.tolist(), free_quantity(world.accounts, product, uniq).tolist(), strict=True))
    allowed = qty.copy()
    for i, (s, q) in enumerate(zip(sellers.tolist(), qty.tolist(), strict=True)):
        allowed[i] = min(q, max(free[s], 0))
        free[s] -= allowed[i]
    cut = allowed < qty
    if cut.any():
        price_ticks = np.broadcast_to(np.asarray(price_ticks, dtype=np.int64), sellers.shape)
        record_rejection(world, product=product, trader=sellers[cut], side="sell", quantity=(qty - allowed)[cut],
                         price_ticks=price_ticks[cut], reason="pledged")
    return allowed
