"""Parcels of the land market as columns (rules L2, L3): one row per parcel, numpy arrays, no object per parcel.

A parcel has a land class (:data:`~rights_market.rules.land.CLASSES`), an area in m², an owner (a village
collective or the state) and two levels of rights, each kept in the ledger as a product in m²:

* the **use-level right** — ``land.management`` (经营权) of farmland, ``land.homestead`` (宅基地使用权),
  ``land.collective_construction`` (集体经营性建设用地使用权), ``land.state_construction`` (国有建设用地使用权)
  or ``land.wasteland`` (wasteland use or contract right) — held by the parcel's ``user``;
* the **contract right** ``land.contract`` (承包权) of collective farmland, held by the contracting
  household (``holder``), which stays with it while the management right circulates (rule L10).

Columns ``holder`` (the confirmed right holder), ``user`` (who holds the use-level right now: the holder, or
a lessee until ``user_until``), ``owner`` (the account the rights return to when a term ends: the village
collective, the government, or the land reserve) and the terms are what the policy reads and changes; the
ledger balances always equal the sums of parcel areas per account (:meth:`Parcels.expected_balances`).
Rows are never deleted: a split parcel becomes inactive and its pieces are appended (rule L5), so the total
active area stays the same.
"""

from __future__ import annotations

import numpy as np

from ...rules.land import (
    BASIC,
    COLL_CON,
    FARMLAND_CLASSES,
    GENERAL,
    HOMESTEAD,
    MINING,
    STATE_CON,
    UNUSED,
)

CONTRACT = "land.contract"
MANAGEMENT = "land.management"
HOMESTEAD_P = "land.homestead"
COLLECTIVE_P = "land.collective_construction"
STATE_P = "land.state_construction"
WASTELAND_P = "land.wasteland"
QUOTA = "land.farmland_quota"
#: Every land product, in ledger order (all in m²).
PRODUCTS = [CONTRACT, MANAGEMENT, HOMESTEAD_P, COLLECTIVE_P, STATE_P, WASTELAND_P, QUOTA]
#: Use-level product of each land class (by class code).
USE_PRODUCT = {BASIC: MANAGEMENT, GENERAL: MANAGEMENT, HOMESTEAD: HOMESTEAD_P, COLL_CON: COLLECTIVE_P,
               STATE_CON: STATE_P, MINING: WASTELAND_P, UNUSED: WASTELAND_P}
NO_YEAR = -1
#: ``rent_kind`` of a lease: yearly rent (转包, leases, contracts) or guaranteed dividend (入股, rule L10).
RENT, DIVIDEND = 1, 2
#: Base unit of every land product.
UNIT = "m2"

#: Column name → (dtype, default for new rows).
COLUMNS: dict[str, tuple[str, int | bool]] = {
    "village": ("int16", -1),        # village index of collective land, −1 for state land
    "cls": ("int8", 0),              # land class code (rules.land.CLASSES)
    "area": ("int64", 0),            # m²
    "owner": ("int64", 0),           # account the rights return to at the end of a term
    "holder": ("int64", 0),          # confirmed right holder (contract holder of collective farmland)
    "user": ("int64", 0),            # holder of the use-level right now
    "term_end": ("int32", 9999),     # last year of the holder's right
    "user_until": ("int32", NO_YEAR),  # last year of a lease / circulation (−1: none)
    "rent_ticks": ("int64", 0),      # yearly rent of the lease, ticks per m² and year
    "rent_payee": ("int64", 0),      # who receives the rent
    "rent_kind": ("int8", 0),        # 0 none, 1 rent, 2 dividend (入股)
    "use": ("int8", 0),              # current use (rules.land.USES)
    "planned_use": ("int8", -1),     # use after the transition (rule L4), −1 none
    "transition_end": ("int32", NO_YEAR),
    "idle_since": ("int32", NO_YEAR),  # first idle year (industrial land, rule L4; homesteads, rule L7)
    "idle_gov": ("bool", False),     # idle for government reasons
    "fee_paid": ("bool", False),     # idle fee paid
    "planned_inv": ("int64", 0),     # planned total investment, fen (rule L5)
    "invested": ("int64", 0),        # investment made, fen
    "prereg": ("bool", False),       # changed hands by pre-registration, not yet registered (rule L5)
    "price_ticks": ("int64", 0),     # price paid per m² (basis of the idle fee)
    "acquired": ("int32", NO_YEAR),  # year the current holder got it (−1: before the run); grading (L14)
    "active": ("bool", True),        # False once split into pieces
    "restore_end": ("int32", NO_YEAR),  # year a restoration / reclamation completes (rules L8, L9)
    "restore_to": ("int8", -1),      # class the parcel becomes then
    "lease_sell_year": ("int32", NO_YEAR),  # lease-then-sell decision year (rule L13)
    "supply_mode": ("int8", -1),     # how it was supplied (rule L13), −1 not supplied
    "output": ("int64", 0),          # gross farm output value, ticks per m² and year (0: not drawn; L10 rents)
}


class Parcels:
    """Growable columnar parcel table (attributes named as :data:`COLUMNS`)."""

    def __init__(self) -> None:
        for name, (dtype, _default) in COLUMNS.items():
            setattr(self, name, np.zeros(0, dtype=dtype))

    def __len__(self) -> int:
        return int(self.area.size)

    def add(self, n: int, **values) -> np.ndarray:
        """Append ``n`` parcels; each column an array of length ``n`` or a scalar (defaults for the others).
        Returns the new row indices."""
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise KeyError(f"unknown parcel columns {sorted(unknown)}")
        start = len(self)
        for name, (dtype, default) in COLUMNS.items():
            v = values.get(name, default)
            arr = np.broadcast_to(np.asarray(v, dtype=dtype), (n,))
            setattr(self, name, np.concatenate([getattr(self, name), arr]))
        return np.arange(start, start + n)

    def split(self, i: int, sizes: np.ndarray) -> np.ndarray:
        """Rule L5 (分割): replace parcel ``i`` by pieces of ``sizes`` m² (summing to its area), each a copy of
        its other columns; the parcel becomes inactive. Planned and made investment are shared pro rata
        (exactly, rounding to the last piece). Returns the pieces' row indices."""
        sizes = np.asarray(sizes, dtype=np.int64)
        if int(sizes.sum()) != int(self.area[i]) or (sizes <= 0).any():
            raise ValueError("pieces must be positive and sum to the parcel's area")
        row = {name: getattr(self, name)[i] for name in COLUMNS}
        row.update(area=sizes, active=True)
        for col in ("planned_inv", "invested"):
            total = int(row[col])
            part = (sizes * total) // int(self.area[i])
            part[-1] = total - int(part[:-1].sum())
            row[col] = part
        self.active[i] = False
        return self.add(sizes.size, **row)

    # ------------------------------------------------------------------ views
    def use_products(self) -> np.ndarray:
        """Use-level product of each parcel (object array)."""
        lookup = np.array([USE_PRODUCT[c] for c in range(len(USE_PRODUCT))], dtype=object)
        return lookup[self.cls]

    def is_farmland(self) -> np.ndarray:
        return np.isin(self.cls, FARMLAND_CLASSES) & self.active

    def has_contract(self) -> np.ndarray:
        """Collective farmland carries a contract right held by the household (rule L3)."""
        return self.is_farmland() & (self.village >= 0)

    def holdings(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per land product (but the quota): the accounts holding it according to the parcels and the areas,
        one entry per active parcel — use-level products by ``user``, the contract right by ``holder``. Summed
        per account these must equal the ledger exactly."""
        act = self.active
        prods = self.use_products()
        out = {}
        for p in PRODUCTS:
            if p == QUOTA:
                continue
            m = self.has_contract() if p == CONTRACT else act & (prods == p)
            out[p] = ((self.holder if p == CONTRACT else self.user)[m], self.area[m])
        return out
