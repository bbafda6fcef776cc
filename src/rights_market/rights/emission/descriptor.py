"""The emission rights market (排污权, carbon) as the catalogue of rights sees it."""

from __future__ import annotations

from ...engine.descriptor import RightDescriptor

#: The emission reserve's account; its sale income is non-tax revenue paid to the fiscal account (E9).
RESERVE = -9

PRODUCTS = ('emission.NOx', 'emission.SO2', 'emission.COD', 'emission.NH3-N', 'emission.carbon')

DESCRIPTOR = RightDescriptor(
    right="emission", products=PRODUCTS, units=dict.fromkeys(PRODUCTS, "kg"), display_order=1, default_unit="kg",
    reserve_account=RESERVE, reserve_name="reserve.emission", reserve_income_to_fiscal=True,
    label_keys=("right.emission", *(f"product.{p}" for p in PRODUCTS)),
)
