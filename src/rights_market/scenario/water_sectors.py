"""The water sectors (W1): the district's uses of water, in the plan's order."""

from __future__ import annotations

from typing import Literal

SECTORS = ("agriculture", "industry", "domestic", "ecology")
Sector = Literal["agriculture", "industry", "domestic", "ecology"]
