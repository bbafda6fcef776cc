"""Right-specific display constants of the report: the order of rights and products, each right's usual
unit, the farmland products shown in mu and the products priced for a whole term.

These are the only places the report names particular rights. The catalogue of rights (issue 12, built on
another branch) will supply them — each right describing its products, units, display order and
term-priced products — and this module then reads them from there; until that merge they are kept here,
together, and nowhere else in ``report/``.
"""

from __future__ import annotations

#: Rights in the order the report shows them (others follow alphabetically).
RIGHT_ORDER = ("water", "emission", "land", "forest")
DEFAULT_UNIT = {"water": "m3", "emission": "kg", "land": "m2", "forest": "0.01mu"}
#: Products in the order their figures and tables appear (others follow alphabetically).
PRODUCT_ORDER = (
    "water.annual",
    "water.right",
    "emission.NOx",
    "emission.SO2",
    "emission.COD",
    "emission.NH3-N",
    "emission.carbon",
    "land.management",
    "land.contract",
    "land.homestead",
    "land.wasteland",
    "land.farmland_quota",
    "land.collective_construction",
    "land.state_construction",
    "land.construction_quota",
    "forest.management",
    "forest.contract",
    "forest.ownership",
    "forest.management.pledged",
    "forest.energy_quota",
)

#: Farmland products whose areas (m²) are shown in mu, as farmland is measured in China; construction land,
#: homesteads and quotas for construction stay in m².
AREA_IN_MU = frozenset({"land.management", "land.contract", "land.wasteland", "land.farmland_quota"})
#: Products whose negotiated transfers are term deals priced per unit of annual right for the whole
#: multi-year term (rule W4); their other trades (e.g. releases to projects, X4) are ordinary sales.
TERM_PRICED = frozenset({"water.right"})
