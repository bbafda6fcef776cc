"""Links between the four rights: the rights register, pledges across rights (X3), projects that need
several rights (X4). Rules F1, F2, F3, X3, X4.

The register, pledges and reserve money live in :mod:`..shared`. The links' state is declared in :mod:`.state`;
X3 loans are :mod:`.pledges`, X4 projects :mod:`.projects`, the KPIs :mod:`.kpis`; this module is the policy, a
thin adapter from the engine's calendar hooks to them.

**Register.** Every confirmation, registered transfer, reversion, pledge, release and forfeiture of a right is a
row of the run's ``registry`` table (columns :data:`REGISTRY_COLUMNS`), which any right policy appends to
through :func:`register`. It is the simulator's 不动产登记簿: ``grep`` a parcel id to see its history.

**Pledges (X3; for water the pledge and mortgage of W14, for emission E10, for forest F3).** A pledged quantity of product ``P`` is an encumbrance kept in the ledger itself as the
companion product ``P.pledged`` (:func:`pledge_product`): pledging issues it to the holder, releasing returns it
to the issuer, so encumbrances are conserved and checked like every right, and any policy can see them through
:func:`free_quantity` = holding − encumbrance. A sale of more than the free quantity is refused with the
reason ``pledged`` (:func:`screen_sales` refuses whole sales, :func:`cap_sales` cuts each sale to the free
quantity and refuses the rest). Policies that sell ``P`` must screen their sales (water, emission, land and
forest do); a right policy that declares ``P`` also declares ``P.pledged`` if its holders may pledge it.

**Reserve money (X2, E9).** A sale from a right's reserve is paid where that right's rules send reserve income
(:func:`reserve_sale_route`): the emission reserve's income is non-tax revenue paid to the fiscal account, kept
apart from its spending, which comes from its budget only (收支两条线, E9); the other reserves keep their sale
income in their own accounts (X2). Every movement of reserve money is a row of the ``reserve`` table, so
:func:`reserve_tallies` reads a reserve's budget, income and spending from the records, whoever made them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ...engine.world import World
from ...scenario.links import LinksSpec
from . import kpis, pledges, projects
from .state import RIGHT, LinksConfig, LinksState, make_state


class LinksPolicy:
    """Rules X3 and X4 across whichever markets the scenario holds (a policy with no market of its own).

    **X3.** Each year start, for every pledge rule, a drawn share of the holders of the product (accounts with
    a free quantity) pledge ``pledge_share`` of it for a loan from the bank (the economy account); interest is
    paid every year end; at maturity the loan is repaid and the encumbrance lifted, or (by chance) it defaults:
    the encumbrance is lifted, the collateral moves to the right's reserve (X2), which pays the bank what its
    cash allows. If the holder no longer holds the collateral (reclaimed, expired), the encumbrance is cut to
    what it holds (register event ``collateral_lost``).

    **X4.** Each project, from its start year until it proceeds, checks what it lacks of every need; it buys
    the missing quantities from the reserves of their rights at its prices — only if every reserve can supply
    all of it — and proceeds in the year it holds everything; otherwise it waits, and each lacking product is
    recorded as a rejected buy order (reason ``insufficient_rights``). Projects are accounts of their own,
    funded by the economy (kind ``capital``); they pay for a reserve's rights where that right's rules send
    reserve income (:func:`reserve_sale_route`: the emission reserve's to the fiscal account, E9), recorded in the
    ``reserve`` table exactly like the market's own releases. Water rights bound land use and industry this way:
    a project that cannot get its water does not go ahead whatever land and emission rights it has. A project
    holding ``water.right`` receives its annual water (``water.annual``) at every year start like any holder of
    the right (rule W12's allocation in :mod:`.water`) — from the year after it bought the right, since the
    links act after the markets' year starts; the water market neither bills nor uses a project's water, which
    expires unused at the year end (the simulator does not model the project's operation).
    """

    right = RIGHT

    def __init__(self, spec: LinksSpec, market_products: Iterable[str],
                 unit_of: Callable[[str], str] = lambda p: "", term_factor: dict[str, float] | None = None):
        """``unit_of``: base unit of a product (from the rights' descriptors) for the X3 and X4 rows;
        ``term_factor``: X4 products priced as the present value of an annual price over a term."""
        self.cfg = LinksConfig.from_spec(spec, market_products, unit_of, term_factor)
        self.state: LinksState | None = None  # made at setup

    @property
    def st(self) -> LinksState:
        """The links' state (after :meth:`setup`)."""
        if self.state is None:
            raise RuntimeError("links: the policy's state is made at setup")
        return self.state

    def notes(self) -> list[str]:
        return []

    def products(self) -> list[str]:
        return list(self.cfg.products)

    def holder_count(self) -> int:
        return len(self.cfg.spec.projects)

    def setup(self, world: World, first_holder: int) -> None:
        self.state = make_state(self.cfg, world, first_holder)

    def year_start(self, world: World) -> None:
        """X3 new pledges, then X4 projects."""
        st = self.st
        st.defaults = 0
        st.blocked = 0
        pledges.new_pledges(st, world, self.cfg)
        projects.start_projects(st, world, self.cfg)

    def session(self, world: World) -> None:
        """Links act at year boundaries only."""

    def period_end(self, world: World, period: int) -> None:
        """Nothing to snapshot: the markets snapshot their products."""

    def year_end(self, world: World) -> None:
        """X3 interest, repayments and defaults, then the year's KPIs."""
        pledges.settle_loans(self.st, world, self.cfg)
        kpis.record(self.st, world, self.cfg)
