"""What a right kind says about itself: the :class:`RightDescriptor` a catalogue of rights lists.

The engine, the ledger, the results manifest and the report read descriptors instead of naming rights, so
adding a right touches its own package, its scenario section and one catalogue line
(``docs/architecture.md``). A descriptor is plain data (JSON in ``manifest.json`` under ``rights``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RightDescriptor:
    """One right kind: its name, products and their units, display order, accounts and label keys.

    ``units``: product id → base unit as written in the tables (``m3``, ``kg``, ``m2``, ``0.01mu``, ``kgce``);
    ``products`` lists them in display order; ``default_unit`` is the unit of any other ``<right>.*`` product
    (pollutants a scenario adds, ``<product>.pledged`` encumbrances). ``term_priced``: products whose negotiated deals are priced for
    the whole term. ``area_in_mu``: ``m2`` products shown in mu. ``reserve_account`` / ``reserve_name``: the
    right's government reserve (rule X2), ``None`` if it has none; ``reserve_income_to_fiscal``: the
    reserve's sale income is paid to the fiscal account (E9) rather than kept. ``label_keys``: keys of the
    report's label catalogue that name the right and its products.
    """

    right: str
    products: tuple[str, ...]
    units: dict[str, str]
    display_order: int
    default_unit: str = ""
    term_priced: frozenset[str] = frozenset()
    area_in_mu: frozenset[str] = frozenset()
    reserve_account: int | None = None
    reserve_name: str = ""
    reserve_income_to_fiscal: bool = False
    label_keys: tuple[str, ...] = field(default_factory=tuple)

    def unit_of(self, product: str) -> str:
        """Base unit of ``product``: its own, else the right's default for ``<right>.*``, else ``""``."""
        if product in self.units:
            return self.units[product]
        return self.default_unit if product.startswith(self.right + ".") else ""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (sets as sorted lists) for the run's manifest."""
        out = asdict(self)
        out["products"] = list(self.products)
        out["term_priced"] = sorted(self.term_priced)
        out["area_in_mu"] = sorted(self.area_in_mu)
        out["label_keys"] = list(self.label_keys)
        return out
