"""The teaching market (one abstract product, no reserve) as the catalogue of rights sees it."""

from __future__ import annotations

from ...engine.descriptor import RightDescriptor

DESCRIPTOR = RightDescriptor(
    right="teaching", products=("teaching.unit",), units={"teaching.unit": "unit"}, display_order=4,
    default_unit="unit", label_keys=("right.teaching",),
)
