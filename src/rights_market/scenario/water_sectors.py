"""The water sectors (W1): the district's uses of water, in the plan's order."""

from __future__ import annotations

from typing import Literal

from ..rights.water.descriptor import SECTORS  # noqa: F401 (defined with the right, so the report needs no model)

Sector = Literal["agriculture", "industry", "domestic", "ecology"]
