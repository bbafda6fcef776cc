"""Yearly steps of the forest holders outside trading: under-forest income (F6) and the reversion of management
terms that end (F1, F5). Functions of the :class:`~.state.ForestState` and the world."""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import ECONOMY
from ..shared.records import record_charge
from .parcels import MANAGEMENT, NO_TERM
from .state import ForestState


def pay_income(st: ForestState, world: World) -> None:
    """Under-forest income of households and operators on the parcels they manage (kind ``income``)."""
    book = st.book
    m = book.col("manager")
    for ids, values in ((st.household_ids, st.household_value), (st.operator_ids, st.operator_value)):
        if not ids.size:
            continue
        area = np.zeros(ids.size, dtype=np.int64)
        mine = np.isin(m, ids)
        np.add.at(area, m[mine] - ids[0], book.col("area")[mine])
        income = np.floor(area * values).astype(np.int64)  # yuan/mu on cmu = fen
        pos = income > 0
        if pos.any():
            world.accounts.pay(ECONOMY, ids[pos], income[pos])
            record_charge(world, holder=ECONOMY, payee=ids[pos], product=MANAGEMENT, kind="income", band=0,
                          quantity=area[pos], rate_ticks=0, amount_fen=income[pos])


def revert_terms(st: ForestState, world: World) -> None:
    """Rules F1/F5: a management term that ends this year reverts to the contract holder."""
    book = st.book
    ending = np.nonzero((book.col("term_end") == world.clock.year) & (book.col("manager") != book.col("contract")))[0]
    if ending.size:
        book.move_management(world, ending, book.contract[ending], NO_TERM, event="revert", note="term ended")
        book.registered[ending] = False
    stale = np.nonzero(book.col("term_end") == world.clock.year)[0]
    book.term_end[stale] = NO_TERM
