"""A teaching market (``teaching:`` section: Smith 1962, Cliff 1997, ...) as a live classroom.

``rights-market classroom scenarios/teaching/cliff1997_symmetric.yaml`` seats a class in the teaching market's
own schedule: every buyer of ``teaching.buyers_yuan`` becomes a ``buyer`` role with its unit values, every
seller of ``teaching.sellers_yuan`` a ``seller`` role with its unit costs, one seat each, in the order
buyer 1, seller 1, buyer 2, seller 2, ... — so people, who get the human seats in that order, fill the most
intramarginal traders of both sides first. ``people`` (``--people N``) seats are for people, the rest are
robots playing the file's behaviours (``zi_c``, ``truthful`` or ``zip`` with its parameters; default: every
trader is a person, as in Smith's experiments). The rest of the classroom:

* product ``teaching.unit`` in lots of one unit, prices in whole fen (``price_step_yuan`` 0.01) between the
  file's ``price_min_yuan`` and ``price_max_yuan``; every value, cost and bound must be whole fen;
* the base price (a benchmark line on the chart, no floor) is the middle of that range, on the fen — not
  ``p0_yuan``, which would tell the class the answer;
* one classroom period per trading day of the file (``teaching.periods``, or every session of the calendar),
  of the classroom's default length; a buyer starts each period with the cash to buy all its units at the
  highest price, a seller with its units;
* name, description and seed are the file's.

``--set`` values whose path starts with ``classroom.`` change the classroom made (``--set
classroom.periods=3``), all others the teaching file before it is read (``--set teaching.rules=cda`` has no
effect on the classroom's continuous double auction, but ``teaching.sellers_yuan`` does). Problems are
reported at the place in the teaching file they come from.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

from ..scenario.errors import Problem, ScenarioError
from ..scenario.loader import SourceMap, apply_overrides, validate
from ..scenario.model import Scenario
from ..scenario.paths import Position, set_positions
from ..scenario.tables_input import CONTEXT_KEY
from ..scenario.teaching import TeachingSpec
from .settings import ClassroomScenario

__all__ = ["CLASSROOM_PREFIX", "FEN", "classroom_from_teaching"]

CLASSROOM_PREFIX = "classroom."
FEN = Decimal("0.01")
_ROBOTS = ("zi_c", "truthful", "zip")
_LABEL_MAX = 80


def _label(side: str, i: int, units: Sequence[Decimal]) -> str:
    what = "value" if side == "Buyer" else "cost"
    listed = ", ".join(f"{u:.2f}" for u in units)
    text = f"{side} {i + 1}: {what}{'s' if len(units) > 1 else ''} {listed} yuan a unit"
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 1] + "…"


def _problems(spec: TeachingSpec, people: int | None, at) -> list[Problem]:
    """What a teaching market needs to be a classroom: whole fen, units in trading order, robots it can play."""
    out: list[Problem] = []
    for side, traders, order in (("buyers_yuan", spec.buyers_yuan, -1), ("sellers_yuan", spec.sellers_yuan, 1)):
        for i, units in enumerate(traders):
            if any(u % FEN for u in units):
                out.append(at((side, i), "the classroom trades in whole fen: give values and costs with at most "
                                         "two decimals"))
            elif any((b - a) * order < 0 for a, b in zip(units, units[1:], strict=False)):
                first = "highest" if order < 0 else "lowest"
                out.append(at((side, i), f"the classroom trades a trader's units from the {first}: list them in "
                                         "that order (as Gode & Sunder did)"))
    for what in ("price_min_yuan", "price_max_yuan"):
        if getattr(spec, what) % FEN:
            out.append(at((what,), "the classroom trades in whole fen: at most two decimals"))
    n = len(spec.buyers_yuan) + len(spec.sellers_yuan)
    if people is not None and not 0 <= people <= n:
        out.append(at((), f"--people {people}: expected 0..{n} (the market has {n} traders)"))
    if people is None or people < n:
        for what in ("buyer_behaviour", "seller_behaviour"):
            kind = getattr(spec, what).type
            if kind not in _ROBOTS:
                out.append(at((what, "type"), f"the classroom's robots play {', '.join(_ROBOTS)}, not {kind}: "
                                              f"--set teaching.{what}.type=zi_c, or seat people in every trader "
                                              f"with --people {n}"))
    zips = [getattr(spec, w) for w in ("buyer_behaviour", "seller_behaviour") if getattr(spec, w).type == "zip"]
    if len(zips) == 2 and zips[0] != zips[1]:
        out.append(at(("seller_behaviour",), "the classroom's ZIP robots share one set of parameters: give the "
                                             "buyers and the sellers the same"))
    return out


def _classroom_block(scenario: Scenario, people: int | None) -> dict[str, Any]:
    spec = scenario.teaching
    assert spec is not None
    roles: dict[str, Any] = {}
    pairs: list[tuple[str, str]] = []  # (role, side) in seating order: buyer 1, seller 1, buyer 2, ...
    buyers = [f"buyer_{i + 1}" for i in range(len(spec.buyers_yuan))]
    sellers = [f"seller_{i + 1}" for i in range(len(spec.sellers_yuan))]
    for i, units in enumerate(spec.buyers_yuan):
        roles[buyers[i]] = {"type": "buyer", "label": _label("Buyer", i, units), "values_yuan": list(units),
                            "cash_yuan": spec.price_max_yuan * len(units)}
    for i, units in enumerate(spec.sellers_yuan):
        roles[sellers[i]] = {"type": "seller", "label": _label("Seller", i, units), "costs_yuan": list(units),
                             "cash_yuan": Decimal("0")}
    for k in range(max(len(buyers), len(sellers))):
        pairs += [(names[k], side) for names, side in ((buyers, "buyer"), (sellers, "seller")) if k < len(names)]
    humans = len(pairs) if people is None else people
    seats = []
    for k, (role, side) in enumerate(pairs):
        robot = (spec.buyer_behaviour if side == "buyer" else spec.seller_behaviour).type
        seats.append({"role": role, "player": "human" if k < humans else robot, "count": 1})
    robots: dict[str, Any] = {}
    for behaviour in (spec.buyer_behaviour, spec.seller_behaviour):
        if behaviour.type == "zip":
            robots["zip"] = behaviour.model_dump()
    days = spec.periods or scenario.calendar.years * scenario.calendar.sessions_per_year
    middle = (spec.price_min_yuan + spec.price_max_yuan) / 2
    return {
        "product": "teaching.unit",
        "unit": "unit",
        "lot": 1,
        "price_step_yuan": FEN,
        "base_price_yuan": middle.quantize(FEN, rounding=ROUND_FLOOR),
        "price_min_yuan": spec.price_min_yuan,
        "price_max_yuan": spec.price_max_yuan,
        "floor_at_base_price": False,
        "year": scenario.calendar.start_year,
        "periods": days,
        "robots": robots,
        "roles": roles,
        "seats": seats,
    }


def classroom_from_teaching(path: Path, raw: dict, sm: SourceMap, overrides: Sequence[str] = (),
                            people: int | None = None) -> ClassroomScenario:
    """The classroom of the teaching market in ``raw`` (the file at ``path``, read with ``extends:`` resolved and
    no override applied; ``sm`` its positions); see the module docstring. Raises ScenarioError, located."""
    mine = [o for o in overrides if o.strip().startswith(CLASSROOM_PREFIX)]
    problems = apply_overrides(raw, sm, [o for o in overrides if o not in mine])
    if problems:
        raise ScenarioError(problems)
    scenario = validate(raw, sm, Scenario, context={CONTEXT_KEY: path.parent})
    teaching_at = sm.get(("teaching",)) or Position(str(path), None, None)

    def at(sub: tuple, message: str) -> Problem:
        full = ("teaching", *sub)
        pos = sm.nearest(full)[1] or teaching_at
        return Problem(pos.file, pos.line, pos.col, ".".join(map(str, full)), message)

    problems = _problems(scenario.teaching, people, at)
    if problems:
        raise ScenarioError(problems)
    data = {"name": scenario.name[:80], "description": scenario.description, "seed": scenario.seed,
            "classroom": _classroom_block(scenario, people)}
    made = SourceMap()
    set_positions(data, (), teaching_at, made)
    problems = apply_overrides(data, made, mine)
    if problems:
        raise ScenarioError(problems)
    return validate(data, made, ClassroomScenario)
