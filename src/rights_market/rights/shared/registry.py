"""The rights register (不动产登记簿, rules F1, F2, F3, X3).

Every confirmation, registered transfer, reversion, pledge, release and forfeiture of a right is a row of the
run's ``registry`` table (columns :data:`REGISTRY_COLUMNS`), which any right policy appends to through
:func:`register`: ``grep`` a parcel id to see its history.
"""

from __future__ import annotations

from ...engine.world import TABLES, World
from ...ledger import Table

#: Columns of the ``registry`` table (docs/tables.md).
REGISTRY_COLUMNS: dict[str, str] = TABLES["registry"]


def registry_table(world: World) -> Table:
    """The run's ``registry`` table (rights registrations: F1, F2, F3, X3)."""
    return world.tables["registry"]


def register(world: World, *, right: str, product: str, event: str, holder, quantity, unit: str,
             parcel=-1, counterparty=-1, term_end=-1, amount_fen=0, note: str = "") -> None:
    """Append register rows (arrays or scalars, broadcast) at the current time.

    ``event``: ``confirm`` (initial confirmation, F1), ``transfer``, ``register`` (a transfer registered, F2),
    ``revert`` (a term ends), ``incorporate``, ``afforest``, ``issue``, ``pledge``, ``release``, ``forfeit``
    (F3, X3), ``collateral_lost``. ``term_end``: last calendar year of a term (−1: none).
    """
    registry_table(world).append(
        time=world.clock.day, year=world.clock.year or world.calendar.start_year, right=right, product=product, event=event, parcel=parcel,
        holder=holder, counterparty=counterparty, quantity=quantity, unit=unit, term_end=term_end,
        amount_fen=amount_fen, note=note,
    )
