"""The rules a staffer changes in the lab: a curated list of scenario paths per right, as form fields.

:data:`FIELD_PATTERNS` names, per right, the paths an office changes — water: base prices, tariff blocks,
surcharge bands and steps, fees and exemptions, reserve budget and triggers, caps; emission: base prices per
pollutant, paid use, the reserve's budget, buy-back and release, the cap path, the cost of a trade; land:
benchmark prices and guide rents, the supply plan and its limits, the start-price floor, the land reserve's
cash; forest: the value assessment, the reserve's triggers, the F8 conversion rate; pledges: loan-to-value
(``links:``, and the emission and forest mortgages) — with ``*`` standing for any key of a mapping or index of
a list. :func:`fields_for` expands them against a scenario file as resolved (``extends:`` followed) and gives
one :class:`Field` per value the scenario writes: its dotted path, label and unit (from the label catalogue,
``lab.field.*``, ``unit.*``), the plan's value (the scenario's own), its citation (the YAML comment on its line
in the file that writes it, :mod:`.comments`) and what the scenario schema says of it (type, bounds,
description; :func:`rights_market.scenario.loader.json_schema`).

:func:`check` applies changed values exactly as ``--set`` overrides and loads the scenario with the limits in
force — the checks of ``rights-market validate`` — and hands each located problem back to the field it is
about (the n-th override is the n-th changed field); problems about no single field are kept apart.
"""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..report.labels import Labels
from ..scenario.errors import Problem, ScenarioError
from ..scenario.loader import SET_FILE, load_raw

#: (pattern, label key, unit code, group) per right; ``*`` is any key or index. Order is the form's order
#: within a group. A unit code is spelled as in the KPI tables (``yuan/t``: per-part words ``unit.*``).
FIELD_PATTERNS: Mapping[str, tuple[tuple[str, str, str, str], ...]] = {
    "water": (
        ("water.pricing.*.surcharge.step_share", "lab.field.step_share", "1", "surcharge"),
        ("water.pricing.*.surcharge.band_width_share", "lab.field.band_width_share", "1", "surcharge"),
        ("water.pricing.*.surcharge.reference_yuan_per_m3", "lab.field.reference", "yuan/m3", "surcharge"),
        ("water.pricing.*.surcharge.max_band", "lab.field.max_band", "1", "surcharge"),
        ("water.pricing.*.tariff.yuan_per_m3.*", "lab.field.tariff_price", "yuan/m3", "tariff"),
        ("water.pricing.*.tariff.edges_m3.*", "lab.field.tariff_edge", "m3", "tariff"),
        ("water.default_base_price_yuan_per_m3", "lab.field.default_base_price", "yuan/m3", "base_prices"),
        ("water.base_prices.*.yuan_per_m3", "lab.field.base_price", "yuan/m3", "base_prices"),
        ("water.fees.industrial_use_fee_yuan_per_m3", "lab.field.industrial_fee", "yuan/m3", "fees"),
        ("water.fees.agricultural_use_fee_yuan_per_m3", "lab.field.agricultural_fee", "yuan/m3", "fees"),
        ("water.fees.farmer_fee_exempt_until_year", "lab.field.farmer_exempt_until", "yr", "fees"),
        ("water.reserve.budget_yuan_per_year", "lab.field.reserve_budget", "yuan", "reserve"),
        ("water.reserve.initial_rights_m3", "lab.field.reserve_initial", "m3", "reserve"),
        ("water.reserve.rules.*.trigger_base_share", "lab.field.reserve_trigger", "1", "reserve"),
        ("water.reserve.rules.*.max_m3_per_session", "lab.field.reserve_max_session", "m3", "reserve"),
        ("water.reserve.rules.*.below_share", "lab.field.reserve_release_below", "1", "reserve"),
        ("water.reserve.rules.*.share_per_session", "lab.field.reserve_offer_share", "1", "reserve"),
        ("water.cap_m3", "lab.field.cap", "m3", "cap"),
        ("water.supervision.max_holding_share_of_cap", "lab.field.max_holding", "1", "cap"),
    ),
    "emission": (  # rules E3–E10 (scenario/emission.py)
        ("emission.pollutants.*.base_price_yuan_per_t", "lab.field.em_base_price", "yuan/t", "em_prices"),
        ("emission.market.price_max_multiple_of_base", "lab.field.em_price_max", "1", "em_prices"),
        ("emission.fees.reform_years", "lab.field.em_reform_years", "yr", "em_fees"),
        ("emission.fees.phase_in_years", "lab.field.em_phase_in_years", "yr", "em_fees"),
        ("emission.fees.sale_draws_first", "lab.field.em_sale_draws_first", "1", "em_fees"),
        ("emission.reserve.budget_yuan_per_year", "lab.field.reserve_budget", "yuan", "em_reserve"),
        ("emission.reserve.initial_t.*", "lab.field.em_reserve_initial", "t", "em_reserve"),
        ("emission.reserve.buyback.price_multiple_of_base", "lab.field.em_buyback_price", "1", "em_reserve"),
        ("emission.reserve.buyback.max_t_per_year.*", "lab.field.em_buyback_max", "t", "em_reserve"),
        ("emission.reserve.release.every_sessions", "lab.field.em_release_every", "1", "em_reserve"),
        ("emission.reserve.release.max_lots_per_round", "lab.field.em_release_lots", "1", "em_reserve"),
        ("emission.reserve.release.start_multiple_of_base", "lab.field.em_release_start", "1", "em_reserve"),
        ("emission.reserve.directed.max_multiple_of_base", "lab.field.em_directed_max", "1", "em_reserve"),
        ("emission.cap.reduction_share_per_year.*", "lab.field.em_cap_cut", "1", "em_cap"),
        ("emission.market.transaction_cost_yuan_per_trade", "lab.field.em_transaction_cost", "yuan", "em_market"),
        ("emission.mortgage.loan_to_value", "lab.field.em_mortgage_ltv", "1", "pledges"),
    ),
    "land": (  # rules L10–L16 (scenario/land.py, land_supply.py)
        ("land.benchmarks.industrial_yuan_per_m2", "lab.field.land_industrial", "yuan/m2", "land_benchmarks"),
        ("land.benchmarks.new_industry_yuan_per_m2", "lab.field.land_new_industry", "yuan/m2", "land_benchmarks"),
        ("land.benchmarks.commercial_yuan_per_m2", "lab.field.land_commercial", "yuan/m2", "land_benchmarks"),
        ("land.benchmarks.collective_construction_yuan_per_m2", "lab.field.land_collective", "yuan/m2",
         "land_benchmarks"),
        ("land.benchmarks.farmland_quota_yuan_per_m2", "lab.field.land_quota", "yuan/m2", "land_benchmarks"),
        ("land.benchmarks.expropriation_yuan_per_m2", "lab.field.land_expropriation", "yuan/m2", "land_benchmarks"),
        ("land.benchmarks.circulation_rent_yuan_per_mu_year", "lab.field.land_circulation_rent", "yuan/mu/yr",
         "land_benchmarks"),
        ("land.benchmarks.homestead_rent_yuan_per_m2_year", "lab.field.land_homestead_rent", "yuan/m2/yr",
         "land_benchmarks"),
        ("land.monitoring.band_share", "lab.field.land_band", "1", "land_benchmarks"),
        ("land.supply.plan_m2_per_year", "lab.field.land_plan", "m2", "land_supply"),
        ("land.supply.plan_min_m2_per_year", "lab.field.land_plan_min", "m2", "land_supply"),
        ("land.supply.plan_max_m2_per_year", "lab.field.land_plan_max", "m2", "land_supply"),
        ("land.supply.plan_step_share", "lab.field.land_plan_step", "1", "land_supply"),
        ("land.supply.sell_through_low_share", "lab.field.land_sell_low", "1", "land_supply"),
        ("land.supply.sell_through_high_share", "lab.field.land_sell_high", "1", "land_supply"),
        ("land.supply.min_start_share_of_benchmark", "lab.field.land_start_floor", "1", "land_supply"),
        ("land.supply.relist_cut_share", "lab.field.land_relist_cut", "1", "land_supply"),
        ("land.supply.reserve_budget_yuan_per_year", "lab.field.reserve_budget", "yuan", "land_reserve"),
        ("land.supply.reserve_cash_keep_yuan", "lab.field.land_cash_keep", "yuan", "land_reserve"),
    ),
    "forest": (  # rules F3, F4, F8, X2 (scenario/forest.py)
        ("forest.valuation.reference_stock_m3_per_mu", "lab.field.forest_reference_stock", "m3/mu", "forest_value"),
        ("forest.valuation.under_forest_yuan_per_mu_year", "lab.field.forest_under_forest", "yuan/mu/yr",
         "forest_value"),
        ("forest.valuation.timber_yuan_per_m3", "lab.field.forest_timber", "yuan/m3", "forest_value"),
        ("forest.valuation.social_yuan_per_mu_year", "lab.field.forest_social", "yuan/mu/yr", "forest_value"),
        ("forest.valuation.discount_rate", "lab.field.forest_discount", "1", "forest_value"),
        ("forest.valuation.price_weights.ecological", "lab.field.forest_w_ecological", "1", "forest_value"),
        ("forest.valuation.price_weights.economic", "lab.field.forest_w_economic", "1", "forest_value"),
        ("forest.valuation.price_weights.social", "lab.field.forest_w_social", "1", "forest_value"),
        ("forest.valuation.price_weights.timber", "lab.field.forest_w_timber", "1", "forest_value"),
        ("forest.reserve.budget_yuan_per_year", "lab.field.reserve_budget", "yuan", "forest_reserve"),
        ("forest.reserve.buy_below_value_share", "lab.field.forest_buy_below", "1", "forest_reserve"),
        ("forest.reserve.sell_above_value_share", "lab.field.forest_sell_above", "1", "forest_reserve"),
        ("forest.energy.yuan_per_t_sce", "lab.field.forest_energy_rate", "yuan/tce", "forest_energy"),
        ("forest.energy.investment_yuan_per_mu", "lab.field.forest_energy_investment", "yuan/mu", "forest_energy"),
        ("forest.energy.lots_per_year", "lab.field.forest_energy_lots", "1", "forest_energy"),
        ("forest.energy.lot_area_mu", "lab.field.forest_energy_lot_area", "mu", "forest_energy"),
        ("forest.credit.loan_to_value", "lab.field.forest_credit_ltv", "1", "pledges"),
    ),
    "links": (  # rule X3 (scenario/links.py)
        ("links.pledges.*.loan_to_value", "lab.field.pledge_ltv", "1", "pledges"),
        ("links.pledges.*.holder_share", "lab.field.pledge_holders", "1", "pledges"),
        ("links.pledges.*.interest_rate", "lab.field.pledge_rate", "1", "pledges"),
    ),
}
#: Groups of fields, in the form's order (labels ``lab.group.<name>``).
GROUPS = ("surcharge", "tariff", "base_prices", "fees", "reserve", "cap",
          "em_prices", "em_fees", "em_reserve", "em_cap", "em_market",
          "land_benchmarks", "land_supply", "land_reserve",
          "forest_value", "forest_reserve", "forest_energy", "pledges")
#: The overrides of a quick run: one year, monthly sessions.
QUICK_RUN = ("calendar.years=1", "calendar.sessions_per_year=12")


@dataclass(frozen=True)
class Field:
    """One value a staffer may change (module docstring). ``plan`` is the scenario's value as YAML text."""

    path: str
    label: str
    unit: str
    group: str
    plan: str
    citation: str
    kind: str  # "integer", "number", "string"
    minimum: float | None
    maximum: float | None
    exclusive_minimum: float | None
    description: str
    right: str = "water"
    unit_label: str = ""  # the unit in words of the language asked for (``元/立方米``); ``""`` for a pure number

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def yaml_text(value: Any) -> str:
    """A scalar as it is typed in a ``--set`` value: ``0.5``, ``1081``, ``true``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _expand(data: Any, parts: Sequence[str], prefix: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """The values ``parts`` (a pattern split at dots) reach in ``data``, each with its key path (keys and list
    indices as the data has them, the form of a :class:`~rights_market.scenario.paths.SourceMap` key)."""
    if not parts:
        return [(prefix, data)]
    head, rest = parts[0], parts[1:]
    if isinstance(data, dict):
        keys = [k for k in data if fnmatch.fnmatchcase(str(k), head)] if head == "*" else (
            [head] if head in data else [])
        return [hit for k in keys for hit in _expand(data[k], rest, (*prefix, k))]
    if isinstance(data, list):
        idx = range(len(data)) if head == "*" else ([int(head)] if head.isdigit() and int(head) < len(data) else [])
        return [hit for i in idx for hit in _expand(data[i], rest, (*prefix, i))]
    return []


@cache
def _schema() -> dict[str, Any]:
    from ..scenario.loader import json_schema
    from ..scenario.model import Scenario

    return json_schema(Scenario)


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    defs = _schema().get("$defs", {})
    while "$ref" in node:
        node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _options(node: dict[str, Any]) -> list[dict[str, Any]]:
    node = _resolve(node)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return [o for opt in node[key] for o in _options(opt) if o.get("type") != "null"]
    return [node]


def schema_of(parts: Sequence[str], data: Any) -> dict[str, Any]:
    """What the scenario schema says of the value at ``parts`` (``{}`` if it cannot be followed); ``data`` is
    the resolved scenario, used to pick the member of a union (a reserve rule by its ``type``)."""
    nodes = [_schema()]
    here = data
    for part in parts:
        nxt: list[dict[str, Any]] = []
        for n in nodes:
            for opt in _options(n):
                props = opt.get("properties", {})
                if part in props:
                    const = props.get("type", {}).get("const") if isinstance(here, dict) else None
                    if const is not None and here.get("type") != const:
                        continue
                    nxt.append(props[part])
                elif "items" in opt and part.isdigit():
                    nxt.append(opt["items"])
                elif isinstance(opt.get("additionalProperties"), dict):
                    nxt.append(opt["additionalProperties"])
        if isinstance(here, dict):
            here = here.get(part)
        elif isinstance(here, list) and part.isdigit() and int(part) < len(here):
            here = here[int(part)]
        else:
            here = None
        nodes = nxt
        if not nodes:
            return {}
    leaf = [o for n in nodes for o in _options(n)]
    return leaf[0] if leaf else {}


def _label(L: Labels, key: str, parts: tuple[str, ...], data: dict) -> str:
    """The field's label: the catalogue's text with the sector, relation, block, rule, pollutant or pledged
    product it is about."""
    if parts[0] == "emission":
        return L(key, pollutant=_pollutant(L, parts, data))
    if parts[0] == "links" and parts[1] == "pledges":
        from ..report.right_data import product_name

        return L(key, product=product_name(L, str(data["links"]["pledges"][int(parts[2])].get("product"))))
    if parts[0] != "water":
        return L(key)
    args: dict[str, Any] = {}
    if len(parts) > 2 and parts[1] == "pricing":
        args["sector"] = L.code("sector", parts[2])
    if parts[-2:-1] and parts[-2] in ("yuan_per_m3", "edges_m3"):
        args["block"] = int(parts[-1]) + 1
    if parts[1] == "base_prices":
        row = data["water"]["base_prices"][int(parts[2])]
        args["relation"] = f"{L.code('sector', str(row.get('seller')))} → {L.code('sector', str(row.get('buyer')))}"
    if parts[1] == "reserve" and parts[2] == "rules":
        rule = data["water"]["reserve"]["rules"][int(parts[3])]
        args["rule"] = L(f"lab.rule.{rule.get('type')}") if L.has(f"lab.rule.{rule.get('type')}") else str(
            rule.get("type"))
    return L(key, **args)


def _pollutant(L: Labels, parts: tuple[str, ...], data: dict) -> str:
    """The pollutant an emission field is about, in words: the ``id`` of ``pollutants.<i>``, else the last key
    (``cap.reduction_share_per_year.NOx``); ``""`` for a field of no one pollutant."""
    if parts[1] == "pollutants":
        code = data["emission"]["pollutants"][int(parts[2])].get("id")
    elif parts[-2] in ("initial_t", "max_t_per_year", "reduction_share_per_year"):
        code = parts[-1]
    else:
        return ""
    return L.code("pollutant", code)


def fields_for(scenario: str | Path, lang: str = "zh", right: str | None = None) -> list[Field]:
    """The form fields of ``scenario`` (a file) for ``right`` (default: every right of :data:`FIELD_PATTERNS`
    the scenario has, and its ``links:``), in :data:`GROUPS` order (module docstring)."""
    from .comments import citations

    data, sources = load_raw(scenario)
    rights = [r for r in ([right] if right else FIELD_PATTERNS) if isinstance(data.get(r), dict)]
    if not rights:
        return []
    L = Labels(lang)
    cites = {str(scenario): citations(scenario)}

    def cite(keys: tuple[Any, ...], path: str) -> str:
        """The comment of the file that writes the value: the scenario or a file it ``extends:``."""
        pos = sources.get(keys)
        where = pos.file if pos is not None and pos.file else str(scenario)
        if where not in cites:
            try:
                cites[where] = citations(where)
            except OSError:
                return ""
        return cites[where].cite(path)

    out: list[Field] = []
    for r, (pattern, key, unit, group) in ((m, p) for m in rights for p in FIELD_PATTERNS.get(m, ())):
        for keys, value in _expand(data, pattern.split(".")):
            if isinstance(value, (dict, list)):
                continue
            parts = tuple(str(k) for k in keys)
            path = ".".join(parts)
            sch = schema_of(parts, data)
            kind = {"integer": "integer", "number": "number"}.get(str(sch.get("type")), "number" if isinstance(
                value, (int, float)) and not isinstance(value, bool) else "string")
            if sch.get("type") is None and str(sch.get("format", "")) == "decimal":
                kind = "number"
            out.append(Field(path, _label(L, key, parts, data), unit, group, yaml_text(value), cite(keys, path),
                             kind, sch.get("minimum"), sch.get("maximum"), sch.get("exclusiveMinimum"),
                             str(sch.get("description", ""))[:300], r, L.unit(unit)))
    order = {g: i for i, g in enumerate(GROUPS)}
    return sorted(out, key=lambda f: order.get(f.group, len(order)))


def overrides_of(changes: Mapping[str, str]) -> list[str]:
    """``{path: text}`` as ``--set`` overrides ``path=text``, in the mapping's order."""
    return [f"{path}={text}" for path, text in changes.items()]


@dataclass
class Checked:
    """The outcome of :func:`check`: problems per field path, and problems about no one field."""

    by_field: dict[str, list[str]]
    general: list[str]

    @property
    def ok(self) -> bool:
        return not self.by_field and not self.general


def check(scenario: str | Path, changes: Mapping[str, str], extra: Sequence[str] = ()) -> Checked:
    """Load ``scenario`` with ``changes`` (then ``extra``) as ``--set`` overrides and the limits in force; the
    problems found, each handed to its field (module docstring)."""
    from ..loading import load_scenario

    paths = list(changes)
    try:
        load_scenario(scenario, [*overrides_of(changes), *extra])
    except ScenarioError as exc:
        return _sorted(exc.problems, paths)
    return Checked({}, [])


def _sorted(problems: Sequence[Problem], paths: Sequence[str]) -> Checked:
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for p in problems:
        if p.file == SET_FILE and p.line is not None and 1 <= p.line <= len(paths):
            by_field.setdefault(paths[p.line - 1], []).append(p.message)
        elif p.path in paths:
            by_field.setdefault(p.path, []).append(p.message)
        else:
            general.append(str(p))
    return Checked(by_field, general)


def _set(data: Any, parts: Sequence[str], value: Any) -> None:
    node = data
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def variant_yaml(scenario: str | Path, changes: Mapping[str, str], extra: Sequence[str] = (),
                 name: str = "variant") -> str:
    """A scenario file that ``extends:`` ``scenario`` (by its absolute path) and writes the changed values
    (and ``extra`` overrides, e.g. a quick run's calendar). A list holding a changed item is written whole,
    since ``extends:`` replaces lists rather than merging them. Not checked here: see :func:`check`."""
    from ruamel.yaml import YAML

    base, _ = load_raw(scenario)
    changed, _ = load_raw(scenario, [*overrides_of(changes), *extra])
    out: dict[str, Any] = {}
    for text in [*overrides_of(changes), *extra]:
        parts = text.split("=", 1)[0].strip().split(".")
        node: Any = changed
        cut = len(parts)
        for i, part in enumerate(parts):  # the first list on the way is written whole
            if isinstance(node, list):
                cut = i
                break
            node = node[part]
        target = parts[:cut]
        value: Any = changed
        for part in target:
            value = value[part]
        _set(out, target, copy.deepcopy(value))
    head = (f"# {name}: a variant of {Path(scenario).name} made in the policy lab (rights-market lab).\n"
            f"# It extends the baseline and changes only the values below.\n")
    buf = __import__("io").StringIO()
    y = YAML(typ="safe", pure=True)
    y.default_flow_style = False
    y.allow_unicode = True
    y.sort_base_mapping_type_on_output = False  # type: ignore[attr-defined]
    y.dump({"extends": str(Path(scenario).resolve()), **out}, buf)
    del base
    return head + buf.getvalue()


__all__ = ["FIELD_PATTERNS", "GROUPS", "QUICK_RUN", "Checked", "Field", "check", "fields_for", "overrides_of",
           "schema_of", "variant_yaml", "yaml_text"]
