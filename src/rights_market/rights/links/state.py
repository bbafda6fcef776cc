"""The links' state and fixed rules as declared data (rules X3, X4; the rules are described in :mod:`.policy`).

* :class:`LinksConfig` — the scenario's ``links`` section checked against the products of the markets present,
  the encumbrance products it declares and each product's base unit; fixed for the run;
* :class:`LinksState` — the projects' accounts, the outstanding loans (:class:`Loan`), the projects started and
  this year's counts; made in one place, :func:`make_state`.

Units: quantities in each product's base unit (:meth:`LinksConfig.unit_of`), money fen
(:data:`~rights_market.units.FEN_PER_YUAN` a yuan), years calendar years.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ...engine.world import World
from ...scenario.links import LinksSpec
from ..shared.pledges import pledge_product

RIGHT = "links"


@dataclass(frozen=True)
class LinksConfig:
    """The checked ``links`` section and what it declares."""

    spec: LinksSpec
    products: tuple[str, ...]  # X3: encumbrance products (``<product>.pledged``) no market declares
    unit_of_product: Callable[[str], str]  # base unit of any product of the catalogue
    term_factor: dict[str, float] = field(default_factory=dict)  # X4: product → present value of 1 yuan a year over its term

    @classmethod
    def from_spec(cls, spec: LinksSpec, market_products: Iterable[str],
                  unit_of: Callable[[str], str] = lambda p: "",
                  term_factor: dict[str, float] | None = None) -> LinksConfig:
        """Check that every pledged or needed product is traded by a market of the scenario (``ValueError``
        naming each field otherwise)."""
        """``unit_of``: base unit of a product (from the rights' descriptors) for the X3 and X4 rows;
        ``term_factor``: products whose ``prices_yuan`` are annual prices of a right held for a term (X4),
        with the present value of 1 yuan a year over that term."""
        available = set(market_products)
        problems = []
        for i, r in enumerate(spec.pledges):
            if r.product not in available:
                problems.append(f"links.pledges.{i}.product: {r.product!r} is not traded by any market of this "
                                f"scenario (products: {', '.join(sorted(available))})")
        for i, p in enumerate(spec.projects):
            for product in p.needs:
                if product not in available:
                    problems.append(f"links.projects.{i}.needs: {product!r} (project {p.name}) is not traded by any "
                                    f"market of this scenario; add the {product.split('.')[0]} section or drop it")
        if problems:
            raise ValueError("; ".join(problems))
        products = [pp for pp in dict.fromkeys(pledge_product(r.product) for r in spec.pledges)
                    if pp not in available]
        return cls(spec=spec, products=tuple(products), unit_of_product=unit_of, term_factor=dict(term_factor or {}))

    def unit_of(self, product: str) -> str:
        """Base unit of ``product`` as its market writes it (``""`` for a product of no market)."""
        return self.unit_of_product(product)


@dataclass
class Loan:
    """X3: one loan against a pledge."""

    rule: int  # index of its rule in ``spec.pledges``
    holder: int  # account id of the borrower
    qty: int  # pledged quantity, base units of the rule's product (cut if the collateral went away)
    loan: int  # principal, fen
    end: int  # calendar year of maturity


@dataclass
class LinksState:
    """What changes during a run."""

    project_ids: np.ndarray  # X4: account id of every project, in ``spec.projects`` order (int64)
    loans: list[Loan] = field(default_factory=list)  # X3: outstanding loans, oldest first
    started: dict[str, int] = field(default_factory=dict)  # X4: project name → year it proceeded
    defaults: int = 0  # X3: loans defaulted this year
    blocked: int = 0  # X4: projects waiting this year for lack of rights


def make_state(cfg: LinksConfig, world: World, first_holder: int) -> LinksState:
    """The projects' accounts (ids ``first_holder …``), recorded in ``holders``; no loan yet."""
    projects = cfg.spec.projects
    n = len(projects)
    state = LinksState(project_ids=np.arange(first_holder, first_holder + n, dtype=np.int64))
    if n:
        world.tables["holders"].append(holder=state.project_ids,
                                       name=np.array([p.name for p in projects], dtype=object),
                                       group="projects", sector="industry", right=RIGHT)
    return state
