"""The land rights market (土地权) as the catalogue of rights sees it."""

from __future__ import annotations

from ...engine.descriptor import RightDescriptor

#: The land reserve's account (rule X2).
RESERVE = -10

PRODUCTS = ('land.management', 'land.contract', 'land.homestead', 'land.wasteland', 'land.farmland_quota', 'land.collective_construction', 'land.state_construction', 'land.construction_quota')

DESCRIPTOR = RightDescriptor(
    right="land", products=PRODUCTS, units=dict.fromkeys(PRODUCTS, "m2"), display_order=2, default_unit="m2",
    area_in_mu=frozenset({"land.management", "land.contract", "land.wasteland", "land.farmland_quota"}),
    reserve_account=RESERVE, reserve_name="reserve.land",
    label_keys=("right.land", *(f"product.{p}" for p in PRODUCTS)),
)
