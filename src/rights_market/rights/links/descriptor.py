"""The links across rights (X3 pledges, X4 projects): a policy with no product or reserve of its own."""

from __future__ import annotations

from ...engine.descriptor import RightDescriptor

DESCRIPTOR = RightDescriptor(right="links", products=(), units={}, display_order=5)
