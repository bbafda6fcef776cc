"""Every right's descriptor, without its policy: light (no engine, pandas or numba), for code that only needs
to know the rights — the classroom's settings, schema generation, validation. :mod:`.catalogue` pairs each
descriptor with its policy's builder."""

from __future__ import annotations

from .emission.descriptor import DESCRIPTOR as EMISSION
from .forest.descriptor import DESCRIPTOR as FOREST
from .land.descriptor import DESCRIPTOR as LAND
from .links.descriptor import DESCRIPTOR as LINKS
from .teaching.descriptor import DESCRIPTOR as TEACHING
from .water.descriptor import DESCRIPTOR as WATER

#: The descriptors in catalogue order.
DESCRIPTORS = (WATER, TEACHING, LAND, EMISSION, FOREST, LINKS)

#: Right → its reserve account (rule X2).
RESERVES: dict[str, int] = {d.right: d.reserve_account for d in DESCRIPTORS if d.reserve_account is not None}

__all__ = ["DESCRIPTORS", "EMISSION", "FOREST", "LAND", "LINKS", "RESERVES", "TEACHING", "WATER"]
