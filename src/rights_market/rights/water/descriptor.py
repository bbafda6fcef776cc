"""The water use rights market (用水权) as the catalogue of rights sees it."""

from __future__ import annotations

from ...engine.descriptor import RightDescriptor

#: The water sectors (W1): the district's uses of water, in the plan's order (here, without the scenario
#: models, for the report; :data:`rights_market.scenario.water_sectors.SECTORS` is this tuple).
SECTORS = ("agriculture", "industry", "domestic", "ecology")
#: The water reserve's account (kept at −1, the first institution, for compatibility).
RESERVE = -1

DESCRIPTOR = RightDescriptor(
    right="water", products=("water.annual", "water.right"), units={"water.annual": "m3", "water.right": "m3"},
    display_order=0, default_unit="m3", term_priced=frozenset({"water.right"}),
    reserve_account=RESERVE, reserve_name="reserve.water",
    label_keys=("right.water", "product.water.annual", "product.water.right"),
)
