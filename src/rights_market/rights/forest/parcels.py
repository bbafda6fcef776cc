"""The forest parcel book: the three separated rights of every parcel, as columns (rule F1).

Each parcel has an owner (ownership right: the collective or the state), a contract-right holder (the
household that contracted collective land, or the forest farm for state land) and a management-right holder
(the contract holder, or whoever took the management right by transfer for a term). The ledger holds the
three rights as area products in 0.01 mu — ``forest.ownership``, ``forest.contract``, ``forest.management`` —
and this book says which parcels make up each holder's balance; :meth:`ParcelBook.check` proves the two agree.

All changes of a holder go through :meth:`ParcelBook.move_management` (and friends), which move the ledger and
the columns together and write the register (``rights.links.register``). Columns grow by doubling; there is no
object per parcel.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import ISSUER
from ..shared.registry import register

RIGHT = "forest"
OWNERSHIP = "forest.ownership"
CONTRACT = "forest.contract"
MANAGEMENT = "forest.management"
AREA_UNIT = "0.01mu"
NO_TERM = -1

#: origin codes of a parcel (the ``origin`` column)
ZONE, HOUSEHOLD, FARM_PLANTING, ENERGY_LOT, LAND_LOT = 0, 1, 2, 3, 4
ORIGINS = ("zone", "household", "farm_planting", "energy_for_forest", "land_for_forest")

_INT_COLUMNS = ("area", "owner", "contract", "manager", "term_end", "stock", "planted", "budget_from", "zone",
                "origin", "loan_fen", "loan_end")
_BOOL_COLUMNS = ("base_area", "registered", "pledged")


class ParcelBook:
    """Columnar state of every forest parcel (rule F1). Areas in 0.01 mu, stock in dm³, years calendar years.

    Columns: ``area``; ``owner``/``contract``/``manager`` (account ids of the three rights); ``term_end`` (last
    year of the current management term, −1 when the contract holder manages); ``stock`` (growing stock, dm³);
    ``planted`` (year planted, −1 if older than the run); ``budget_from`` (first year the farm's per-mu budget
    covers it, a large number if never); ``base_area`` (covered by the farm's base budget); ``zone`` (index of
    the scenario zone, −1 if none); ``origin`` (see :data:`ORIGINS`); ``registered`` (F2); ``pledged``,
    ``loan_fen``, ``loan_end`` (F3).
    """

    NEVER = 1 << 40

    def __init__(self, capacity: int = 64):
        self.n = 0
        self._cap = max(int(capacity), 1)
        for c in _INT_COLUMNS:
            setattr(self, c, np.zeros(self._cap, dtype=np.int64))
        for c in _BOOL_COLUMNS:
            setattr(self, c, np.zeros(self._cap, dtype=bool))

    # ------------------------------------------------------------------ storage
    def _grow(self, need: int) -> None:
        if need <= self._cap:
            return
        cap = self._cap
        while cap < need:
            cap *= 2
        for c in (*_INT_COLUMNS, *_BOOL_COLUMNS):
            old = getattr(self, c)
            new = np.zeros(cap, dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, c, new)
        self._cap = cap

    def col(self, name: str) -> np.ndarray:
        """A view of column ``name`` over the existing parcels."""
        return getattr(self, name)[: self.n]

    # ------------------------------------------------------------------ creation
    def add(self, world: World, *, area: np.ndarray, owner: int, contract: np.ndarray | int,
            manager: np.ndarray | int, stock: np.ndarray, origin: int, zone: int = -1, planted: int = -1,
            term_end: np.ndarray | int = NO_TERM, budget_from: int | None = None, base_area: bool = False,
            event: str = "confirm", note: str = "") -> np.ndarray:
        """Create parcels and issue their three rights (rule F1): ownership to ``owner``, the contract right to
        ``contract``, the management right to ``manager``. Returns the new parcel ids."""
        area = np.asarray(area, dtype=np.int64)
        k = area.size
        if k == 0:
            return np.zeros(0, dtype=np.int64)
        if area.min() <= 0:
            raise ValueError("a parcel needs a positive area")
        ids = np.arange(self.n, self.n + k, dtype=np.int64)
        self._grow(self.n + k)
        sl = slice(self.n, self.n + k)
        self.area[sl] = area
        self.owner[sl] = owner
        self.contract[sl] = contract
        self.manager[sl] = manager
        self.term_end[sl] = term_end
        self.stock[sl] = np.asarray(stock, dtype=np.int64)
        self.planted[sl] = planted
        self.budget_from[sl] = self.NEVER if budget_from is None else budget_from
        self.base_area[sl] = base_area
        self.zone[sl] = zone
        self.origin[sl] = origin
        self.registered[sl] = False
        self.pledged[sl] = False
        self.loan_fen[sl] = 0
        self.loan_end[sl] = NO_TERM
        self.n += k
        acc = world.accounts
        contract_a = np.broadcast_to(np.asarray(contract, dtype=np.int64), (k,))
        manager_a = np.broadcast_to(np.asarray(manager, dtype=np.int64), (k,))
        acc.move(OWNERSHIP, ISSUER, owner, area)
        acc.move(CONTRACT, ISSUER, contract_a, area)
        acc.move(MANAGEMENT, ISSUER, manager_a, area)
        register(world, right=RIGHT, product=MANAGEMENT, event=event, parcel=ids, holder=manager_a,
                 counterparty=contract_a, quantity=area, unit=AREA_UNIT,
                 term_end=np.broadcast_to(np.asarray(term_end, dtype=np.int64), (k,)), note=note or ORIGINS[origin])
        return ids

    # ------------------------------------------------------------------ changes of holder
    def move_management(self, world: World, ids: np.ndarray, to: np.ndarray | int, term_end: np.ndarray | None,
                        event: str, amount_fen: np.ndarray | int = 0, note: str = "") -> None:
        """Give the management right of parcels ``ids`` to ``to`` (ledger and columns together) and register it.
        ``term_end``: the new term's last year (None: keep the parcel's current term)."""
        ids = np.asarray(ids, dtype=np.int64)
        if not ids.size:
            return
        to_a = np.broadcast_to(np.asarray(to, dtype=np.int64), ids.shape).copy()
        frm = self.manager[ids].copy()
        world.accounts.move(MANAGEMENT, frm, to_a, self.area[ids])
        self.manager[ids] = to_a
        if term_end is not None:
            self.term_end[ids] = term_end
        register(world, right=RIGHT, product=MANAGEMENT, event=event, parcel=ids, holder=to_a, counterparty=frm,
                 quantity=self.area[ids], unit=AREA_UNIT, term_end=self.term_end[ids], amount_fen=amount_fen,
                 note=note)

    def move_contract(self, world: World, ids: np.ndarray, to: int, note: str = "") -> None:
        """Give the contract right of parcels ``ids`` to ``to`` (e.g. state land incorporated into the farm)."""
        ids = np.asarray(ids, dtype=np.int64)
        if not ids.size:
            return
        frm = self.contract[ids].copy()
        world.accounts.move(CONTRACT, frm, to, self.area[ids])
        self.contract[ids] = to
        register(world, right=RIGHT, product=CONTRACT, event="transfer", parcel=ids, holder=to, counterparty=frm,
                 quantity=self.area[ids], unit=AREA_UNIT, note=note)

    # ------------------------------------------------------------------ queries
    def managed_by(self, holder: int) -> np.ndarray:
        """Ids of the parcels whose management right ``holder`` holds."""
        return np.nonzero(self.col("manager") == holder)[0]

    def area_of(self, ids: np.ndarray) -> int:
        return int(self.area[np.asarray(ids, dtype=np.int64)].sum())

    def remaining_years(self, ids: np.ndarray, year: int) -> np.ndarray:
        """Years left in the management term from ``year`` on (inclusive); 0 where there is no term."""
        te = self.term_end[np.asarray(ids, dtype=np.int64)]
        return np.where(te == NO_TERM, 0, np.maximum(te - year + 1, 0))

    def check(self, world: World) -> None:
        """Rule F1 invariant: each holder's ledger balance of every forest right equals the area of its parcels
        (and the ``forest.management.pledged`` encumbrance equals the area of its pledged parcels)."""
        acc = world.accounts
        ids = acc.ids()
        pos = {int(a): i for i, a in enumerate(ids)}
        for product, column in ((OWNERSHIP, "owner"), (CONTRACT, "contract"), (MANAGEMENT, "manager")):
            expected = np.zeros(ids.size, dtype=np.int64)
            np.add.at(expected, [pos[int(h)] for h in self.col(column)], self.col("area"))
            got = acc.balance[acc.index[product]].copy()
            got[pos[ISSUER]] = 0
            if not np.array_equal(got, expected):
                bad = ids[np.nonzero(got != expected)[0]]
                raise AssertionError(f"{product}: ledger and parcel book differ for accounts {bad.tolist()}")
        pp = MANAGEMENT + ".pledged"
        if pp in acc.index:
            expected = np.zeros(ids.size, dtype=np.int64)
            pl = self.col("pledged")
            np.add.at(expected, [pos[int(h)] for h in self.col("manager")[pl]], self.col("area")[pl])
            got = acc.balance[acc.index[pp]].copy()
            got[pos[ISSUER]] = 0
            if not np.array_equal(got, expected):
                raise AssertionError("forest.management.pledged: ledger and pledged parcels differ")
