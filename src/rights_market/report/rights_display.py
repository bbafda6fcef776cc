"""Right-specific display facts for the report, read from the descriptors of the rights (issue 12; :mod:`rights_market.rights.descriptors`, without the policies and the engine they import): the order of
rights and products, each right's usual unit, the farmland products shown in mu and the products priced for
a whole term. The report names no right itself; a new right's descriptor is enough for it to be shown.
"""

from __future__ import annotations

from ..rights.descriptors import DESCRIPTORS

_DESCRIPTORS = sorted((d for d in DESCRIPTORS if d.products), key=lambda d: d.display_order)

#: Rights in the order the report shows them (others follow alphabetically).
RIGHT_ORDER: tuple[str, ...] = tuple(d.right for d in _DESCRIPTORS)
#: The usual base unit of each right (that of a product the descriptor does not list).
DEFAULT_UNIT: dict[str, str] = {d.right: d.default_unit for d in _DESCRIPTORS}
#: Products in the order their figures and tables appear (others follow alphabetically).
PRODUCT_ORDER: tuple[str, ...] = tuple(p for d in _DESCRIPTORS for p in d.products)
#: Farmland products whose areas (m²) are shown in mu, as farmland is measured in China; construction land,
#: homesteads and quotas for construction stay in m².
AREA_IN_MU: frozenset[str] = frozenset().union(*(d.area_in_mu for d in _DESCRIPTORS))
#: Products whose negotiated transfers are term deals priced per unit of annual right for the whole
#: multi-year term (rule W4); their other trades (e.g. releases to projects, X4) are ordinary sales.
TERM_PRICED: frozenset[str] = frozenset().union(*(d.term_priced for d in _DESCRIPTORS))
