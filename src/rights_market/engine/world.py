"""The world of one run: accounts, records, random streams and the clock, shared by the right policies.

Nothing here knows about a particular right. Right policies (``rights/``) read and change the world only
through :class:`~rights_market.ledger.Accounts` movements and the record tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..ledger import Accounts, Table
from ..tables.schema import SCHEMA
from ..units import TICKS_PER_YUAN
from .calendar import CalendarPlan
from .rng import RngTree

#: The record tables of a run and their columns (``{table: {column: dtype}}``), from the one table schema.
TABLES: dict[str, dict[str, str]] = {name: table.dtypes() for name, table in SCHEMA.items()}


def _per(value, unit: int):
    """An integer amount (scalar or array) in ``unit``s, as float (array in, array out)."""
    a = np.asarray(value, dtype=np.int64)
    return a / unit if a.ndim else int(a) / unit


@dataclass
class Clock:
    """Where the run is: day (float, see calendar), year index, calendar year, session number."""

    now: float = 0.0
    year_index: int = 0
    year: int = 0
    session: int = -1

    @property
    def day(self) -> int:
        return int(self.now)


@dataclass
class World:
    """Everything one run owns. Built by the engine; one per run; no module-level state anywhere."""

    calendar: CalendarPlan
    rng: RngTree
    accounts: Accounts
    clock: Clock = field(default_factory=Clock)
    tables: dict[str, Table] = field(default_factory=lambda: {n: Table(n, c) for n, c in TABLES.items()})

    # -- recording helpers (columns as arrays or scalars) ------------------------------------------------
    def record_trades(self, *, right, product, mechanism, seller, buyer, quantity, unit, price_ticks,
                      amount_fen, relation, base_price_ticks, deal="", lease_years=0, price_basis="price",
                      price_flag="") -> None:
        """Append trades (scalars or arrays of one length). ``deal``, ``lease_years``, ``price_basis`` and
        ``price_flag`` default to their neutral values (no deal words, not a lease, a one-off price, not
        flagged): the markets that do not lease or monitor prices leave them out."""
        price_ticks = np.asarray(price_ticks, dtype=np.int64)
        amount_fen = np.asarray(amount_fen, dtype=np.int64)
        self.tables["trades"].append(
            time=self.clock.day, year=self.clock.year, session=self.clock.session, right=right,
            product=product, mechanism=mechanism, seller=seller, buyer=buyer, quantity=quantity, unit=unit,
            price_ticks=price_ticks, amount_fen=amount_fen, price=price_ticks / TICKS_PER_YUAN,
            amount=amount_fen / 100.0, relation=relation,
            base_price=np.asarray(base_price_ticks, dtype=np.int64) / TICKS_PER_YUAN, deal=deal,
            lease_years=lease_years, price_basis=price_basis, price_flag=price_flag,
        )

    def record_rejections(self, *, product, trader, side, quantity, price_ticks, reason) -> None:
        self.tables["orders_rejected"].append(
            time=self.clock.day, year=self.clock.year, session=self.clock.session, product=product,
            trader=trader, side=side, quantity=quantity,
            price=np.asarray(price_ticks, dtype=np.int64) / TICKS_PER_YUAN, reason=reason,
        )

    def record_charges(self, *, holder, payee, product, kind, band, quantity, rate_ticks, amount_fen,
                       time: int | np.ndarray | None = None) -> None:
        amount_fen = np.asarray(amount_fen, dtype=np.int64)
        self.tables["charges"].append(
            time=self.clock.day if time is None else time, year=self.clock.year, holder=holder, payee=payee,
            product=product, kind=kind, band=band, quantity=quantity, rate_ticks=rate_ticks,
            amount_fen=amount_fen, amount=amount_fen / 100.0,
        )

    def record_reserve(self, *, product, action, quantity, price_ticks, amount_fen, stock, cash_fen,
                       reason) -> None:
        """Append reserve rows: scalars (one row) or arrays of one length (a batch of rows)."""
        self.tables["reserve"].append(
            time=self.clock.day, year=self.clock.year, product=product, action=action, quantity=quantity,
            price=_per(price_ticks, TICKS_PER_YUAN), amount_fen=amount_fen, stock=stock, cash_fen=cash_fen,
            cash=_per(cash_fen, 100), reason=reason,
        )

    def record_kpi(self, right: str, metric: str, value: float, unit: str) -> None:
        self.tables["kpis"].append(
            time=self.clock.day, year=self.clock.year, right=right, metric=metric, value=float(value), unit=unit
        )
