"""Keep the parcels in step with land rights that other modules move (rules X3, X4 on land products).

The land products but the quota are parcel-backed: an account's balance is the area of the parcels it holds.
Other parts of the engine may move these products between accounts through the ledger — the links module
sends pledged land to the land reserve when a loan defaults (X3) and gives an expansion project the land it
needs from the land reserve (X4). Before each of its steps the land policy compares the ledger with the parcels
and carves the moved area out of the giver's parcels (splitting the last one, rule L5's :meth:`Parcels.split`)
for the receiver, so a parcel is never in two hands. Rights created or destroyed outside the land market cannot
be matched to land and stop the run with :class:`~rights_market.ledger.ConservationError`.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import ISSUER, ConservationError
from .parcels import CONTRACT
from .state import LandState


def sync_external(st: LandState, world: World) -> None:
    """Apply to the parcels every move of a parcel-backed land product made outside the land policy."""
    acc = world.accounts
    ids = acc.ids()
    for prod, (holders, areas) in st.parcels.holdings().items():
        want = np.zeros(ids.size, dtype=np.int64)
        np.add.at(want, acc.idx(holders), areas)
        diff = acc.balance[acc.index[prod]] - want
        diff[acc.idx(ISSUER)] = 0
        if not diff.any():
            continue
        if int(diff.sum()) != 0:
            raise ConservationError(f"{prod}: {int(diff.sum())} m² created or destroyed outside the land market; "
                                    "parcel-backed land products may only move between accounts")
        gains = [[int(ids[k]), int(diff[k])] for k in np.flatnonzero(diff > 0)]
        for k in np.flatnonzero(diff < 0).tolist():
            giver, need = int(ids[k]), -int(diff[k])
            while need > 0:
                taker, room = gains[0]
                q = min(need, room)
                carve(st, world, prod, giver, taker, q)
                need -= q
                gains[0][1] -= q
                if gains[0][1] == 0:
                    gains.pop(0)


def carve(st: LandState, world: World, prod: str, giver: int, taker: int, qty: int) -> None:
    """Hand ``qty`` m² of ``giver``'s parcels of ``prod`` to ``taker`` in row order, splitting the last parcel.
    For a use-level right the taker becomes the user, and the holder too where the giver held the right (a
    lessee's lease passes to the taker); for the contract right the taker becomes the holder."""
    p = st.parcels
    if prod == CONTRACT:
        rows = np.flatnonzero(p.has_contract() & (p.holder == giver))
    else:
        rows = np.flatnonzero(p.active & (p.use_products() == prod) & (p.user == giver))
    left = qty
    for i in rows.tolist():
        if left == 0:
            break
        area = int(p.area[i])
        if area > left:
            i = int(p.split(i, np.array([area - left, left]))[1])
            area = left
        if prod == CONTRACT:
            p.holder[i] = taker
        else:
            if p.holder[i] == giver:
                p.holder[i] = taker
            p.user[i] = taker
            p.acquired[i] = world.clock.year
        left -= area
    if left:
        raise ConservationError(f"{prod}: account {giver} gave {qty} m² but its parcels hold only {qty - left}")
    st.stats["external_transfer_m2"] += qty


__all__ = ["carve", "sync_external"]
