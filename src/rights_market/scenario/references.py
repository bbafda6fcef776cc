"""Checks across the sections of a scenario: what one section names or needs from another.

A section on its own can be valid while the scenario is not: ``links:`` naming a product no market of the
scenario trades, ``teaching.periods`` longer than the calendar, ZIP buyers and sellers with different
parameters. These checks used to be made when the run was built (an exception at run time, reported as an
internal error); here they run as part of validation (:meth:`Scenario._cross_references`), each problem
located at the field that names the missing thing, so a scenario that validates also runs.

:func:`market_products` lists the products each market declares to the ledger, as the right policies of
:mod:`rights_market.rights` do (a test checks they agree for every shipped scenario).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

#: A validated :class:`~rights_market.scenario.model.Scenario`. Not imported: :mod:`.model` imports this module
#: (its validator runs these checks), and this module must not import it back.
Scenario = Any

#: The ledger products of the land market (rights/land_parcels.py PRODUCTS).
LAND_PRODUCTS = ("land.contract", "land.management", "land.homestead", "land.collective_construction",
                 "land.state_construction", "land.wasteland", "land.farmland_quota")
#: The ledger products of the forest market (rights/forest.py ForestPolicy.products), without the land quota.
FOREST_PRODUCTS = ("forest.ownership", "forest.contract", "forest.management", "forest.management.pledged",
                   "forest.energy_quota")
FOREST_LAND_QUOTA = "land.construction_quota"
PLEDGED_SUFFIX = ".pledged"


def market_products(scenario: Scenario) -> list[str]:
    """The products the scenario's markets trade or track, in the engine's order (links excluded)."""
    out: list[str] = []
    if scenario.water is not None:
        out += ["water.right", "water.annual"]
    if scenario.teaching is not None:
        out += ["teaching.unit"]
    if scenario.land is not None:
        out += list(LAND_PRODUCTS)
    if scenario.emission is not None:
        e = scenario.emission
        keys = [p.id for p in e.pollutants]
        if e.carbon.enabled and any(g.carbon is not None for g in e.groups):
            keys.append("carbon")
        products = [f"emission.{k}" for k in keys]
        out += products
        if any(g.mortgage_rate_per_year > 0 for g in e.groups):
            out += [p + PLEDGED_SUFFIX for p in products[: len(e.pollutants)]]
    if scenario.forest is not None:
        out += list(FOREST_PRODUCTS)
        if FOREST_LAND_QUOTA not in out:
            out.append(FOREST_LAND_QUOTA)
    return out


def reference_problems(scenario: Scenario) -> list[tuple[tuple, str]]:
    """Every cross-section problem as ``(location, message)``; location is a path into the scenario."""
    problems: list[tuple[tuple, str]] = []
    available = market_products(scenario)
    listed = ", ".join(available) or "none"
    links = scenario.links
    if links is not None:
        for i, rule in enumerate(links.pledges):
            if rule.product not in available:
                problems.append((("links", "pledges", i, "product"),
                                 f"{rule.product!r} is not traded by any market of this scenario (products: "
                                 f"{listed}); add the {rule.product.split('.')[0]} section or drop the pledge"))
        for i, project in enumerate(links.projects):
            for product in project.needs:
                if product not in available:
                    problems.append((("links", "projects", i, "needs", product),
                                     f"project {project.name} needs {product!r}, which no market of this scenario "
                                     f"trades (products: {listed}); add the {product.split('.')[0]} section or "
                                     "drop the need"))
    teaching = scenario.teaching
    if teaching is not None:
        cal = scenario.calendar
        sessions = cal.years * cal.sessions_per_year
        if teaching.periods is not None and teaching.periods > sessions:
            problems.append((("teaching", "periods"),
                             f"{teaching.periods} trading days need as many trading sessions, but the calendar has "
                             f"{sessions} (calendar.years × calendar.sessions_per_year); lower periods or lengthen "
                             "the calendar"))
        buy, sell = teaching.buyer_behaviour, teaching.seller_behaviour
        if buy.type == "zip" and sell.type == "zip" and buy != sell:
            problems.append((("teaching", "seller_behaviour"),
                             "buyers and sellers using ZIP share one learning state and must use the same ZIP "
                             "parameters; make seller_behaviour equal to buyer_behaviour"))
    return problems


def raise_located(title: str, problems: list[tuple[tuple, str]]) -> None:
    """Raise the problems as one pydantic ValidationError whose errors carry their locations (pydantic adds the
    path of the model being validated in front, so the loader reports each at its field's file:line:col)."""
    if problems:
        raise ValidationError.from_exception_data(title, [
            InitErrorDetails(type=PydanticCustomError("value_error", "Value error, {reason}", {"reason": message}),
                             loc=loc, input=None)
            for loc, message in problems
        ])


__all__ = ["market_products", "raise_located", "reference_problems"]
