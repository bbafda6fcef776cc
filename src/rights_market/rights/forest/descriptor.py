"""The mountain-forest rights market (林权) as the catalogue of rights sees it."""

from __future__ import annotations

from ...engine.descriptor import RightDescriptor

#: The forest reserve's account (rule X2).
RESERVE = -11

PRODUCTS = ('forest.management', 'forest.contract', 'forest.ownership', 'forest.management.pledged', 'forest.energy_quota')

DESCRIPTOR = RightDescriptor(
    right="forest", products=PRODUCTS,
    units={**dict.fromkeys(PRODUCTS, "0.01mu"), "forest.energy_quota": "kgce"}, display_order=3,
    default_unit="0.01mu", reserve_account=RESERVE, reserve_name="reserve.forest",
    label_keys=("right.forest", *(f"product.{p}" for p in PRODUCTS)),
)
