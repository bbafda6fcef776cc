"""Tests for the generic scenario loader (YAML positions, extends, --set, validation messages)."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path
from typing import Annotated, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field

from rights_market.scenario import (
    SET_FILE,
    Problem,
    ScenarioError,
    SourceMap,
    json_schema,
    load_model,
    load_raw,
    validate,
)

# --------------------------------------------------------------------------- toy models


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Calendar(Strict):
    years: int
    start_year: int = 2021


class Group(Strict):
    name: str
    count: int = Field(gt=0)
    sector: Literal["agriculture", "industry"] = "agriculture"


class Reserve(Strict):
    enabled: bool = True
    share: float = 0.1


class WaterRight(Strict):
    type: Literal["water"]
    quota_m3: float
    reserve: Reserve = Reserve()


class LandRight(Strict):
    type: Literal["land"]
    area_mu: float


class EmissionRight(Strict):
    type: Literal["emission"]
    tonnes: float


Right = Annotated[WaterRight | LandRight | EmissionRight, Field(discriminator="type")]


class Auction(Strict):
    type: Literal["auction"]
    reserve_price: float = 0.0


class PostedPrice(Strict):
    type: Literal["posted"]
    price: float


Mechanism = Annotated[Auction | PostedPrice, Field(discriminator="type")]


class Scenario(Strict):
    name: str
    seed: int = 0
    calendar: Calendar
    groups: list[Group]
    rights: dict[str, Right] = {}
    mechanisms: list[Mechanism] = []
    tags: list[str] = []


VALID = """\
name: baseline
calendar:
  years: 5
groups:
  - name: farmers
    count: 100
  - name: plants
    count: 3
    sector: industry
rights:
  water:
    type: water
    quota_m3: 1.5e6
    reserve:
      enabled: true
mechanisms:
  - type: auction
    reserve_price: 2.5
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(excinfo: pytest.ExceptionInfo[ScenarioError]) -> list[Problem]:
    return excinfo.value.problems


def one_problem(excinfo: pytest.ExceptionInfo[ScenarioError]) -> Problem:
    probs = problems_of(excinfo)
    assert len(probs) == 1, str(excinfo.value)
    return probs[0]


# --------------------------------------------------------------------------- plain loading


def test_valid_load_returns_model_raw_and_positions(tmp_path):
    path = write(tmp_path, "s.yaml", VALID)
    model, raw = load_model(path, Scenario)
    assert isinstance(model, Scenario)
    assert model.calendar.years == 5
    assert [g.count for g in model.groups] == [100, 3]
    assert isinstance(model.rights["water"], WaterRight)
    assert model.rights["water"].quota_m3 == 1.5e6
    assert isinstance(model.mechanisms[0], Auction)
    assert raw["groups"][1] == {"name": "plants", "count": 3, "sector": "industry"}

    raw2, sm = load_raw(path)
    assert raw2 == raw
    f = str(path)
    # scalars point at the value, collections at their key, list items at the item
    assert (sm[("groups", 1, "count")].line, sm[("groups", 1, "count")].col) == (8, 12)
    assert sm[("groups", 1, "count")].at_key().col == 5
    assert (sm[("calendar",)].file, sm[("calendar",)].line, sm[("calendar",)].col) == (f, 2, 1)
    assert (sm[("groups", 0)].line, sm[("groups", 0)].col) == (5, 5)
    assert sm[("rights", "water", "reserve", "enabled")].line == 15
    assert sm[()].line == 1


def test_plain_data_only(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """\
        a: 0x10
        b: 2021-03-01
        c: yes
        d: ~
        e: !!str 12
        f: [1, {g: 2}]
        """,
    )
    raw, _ = load_raw(path)
    assert raw["a"] == 16 and type(raw["a"]) is int
    assert str(raw["b"]) == "2021-03-01"
    assert raw["c"] == "yes"  # YAML 1.2: not a boolean
    assert raw["d"] is None
    assert raw["e"] == "12"
    assert raw["f"] == [1, {"g": 2}]
    assert type(raw) is dict and type(raw["f"]) is list and type(raw["f"][1]) is dict


def test_anchors_and_merge_keys(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """\
        defaults: &d
          count: 10
          sector: industry
        groups:
          - <<: *d
            name: a
          - <<: *d
            name: b
            count: 20
        """,
    )
    raw, sm = load_raw(path)
    assert raw["groups"] == [
        {"count": 10, "sector": "industry", "name": "a"},
        {"count": 20, "sector": "industry", "name": "b"},
    ]
    assert sm[("groups", 0, "count")].line == 2  # where the anchored value was written
    assert sm[("groups", 1, "count")].line == 9


def test_empty_file_is_empty_mapping(tmp_path):
    path = write(tmp_path, "s.yaml", "# nothing here\n")
    raw, sm = load_raw(path)
    assert raw == {}
    with pytest.raises(ScenarioError) as ei:
        validate(raw, sm, Scenario)
    paths = {p.path for p in problems_of(ei)}
    assert paths == {"name", "calendar", "groups"}


def test_top_level_must_be_mapping(tmp_path):
    path = write(tmp_path, "s.yaml", "- 1\n- 2\n")
    with pytest.raises(ScenarioError) as ei:
        load_raw(path)
    assert "top level must be a mapping" in one_problem(ei).message


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as ei:
        load_raw(path)
    p = one_problem(ei)
    assert p == Problem(str(path), None, None, "", "file not found")
    assert str(ei.value) == f"{path}: file not found"


def test_duplicate_key_reports_both_lines(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """\
        name: x
        calendar:
          years: 3
          start_year: 2021
          years: 4
        """,
    )
    with pytest.raises(ScenarioError) as ei:
        load_raw(path)
    p = one_problem(ei)
    assert (p.file, p.line, p.col, p.path) == (str(path), 5, 3, "calendar.years")
    assert "duplicate key 'years'" in p.message
    assert "line 3" in p.message and "line 5" in p.message


def test_syntax_error_has_line_and_col(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """\
        name: x
        calendar:
          years: 3
            start_year: 2021
        """,
    )
    with pytest.raises(ScenarioError) as ei:
        load_raw(path)
    p = one_problem(ei)
    assert p.file == str(path) and p.line == 4 and p.col is not None
    assert p.message.startswith("YAML syntax error:")
    assert str(ei.value).startswith(f"{path}:4:{p.col}: YAML syntax error:")


def test_unclosed_flow_list_syntax_error(tmp_path):
    path = write(tmp_path, "s.yaml", "name: x\ntags: [a, b\nseed: 1\n")
    with pytest.raises(ScenarioError) as ei:
        load_raw(path)
    p = one_problem(ei)
    assert p.line == 3
    assert "flow sequence" in p.message and "line 2" in p.message


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object:os.system {}",
        "!!python/object/apply:os.system ['echo hacked']",
        "!!python/name:os.system",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!custom 3",
    ],
)
def test_python_and_other_tags_refused(tmp_path, value):
    path = write(tmp_path, "s.yaml", f"name: x\nevil: {value}\n")
    with pytest.raises(ScenarioError) as ei:
        load_raw(path)
    p = one_problem(ei)
    assert (p.line, p.col, p.path) == (2, 7, "evil")
    assert "is not allowed" in p.message
    assert value.split()[0] in p.message


def test_python_tag_never_executes(tmp_path, monkeypatch):
    import os

    called = []
    monkeypatch.setattr(os, "system", lambda *a: called.append(a))
    path = write(tmp_path, "s.yaml", "x: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ScenarioError):
        load_raw(path)
    assert called == []


def test_recursive_alias_refused(tmp_path):
    path = write(tmp_path, "s.yaml", "a: &x [1, *x]\n")
    with pytest.raises(ScenarioError) as ei:
        load_raw(path)
    assert "recursive alias" in str(ei.value)


# --------------------------------------------------------------------------- extends


def test_extends_two_levels_nested_override_and_list_replacement(tmp_path):
    write(
        tmp_path,
        "base/root.yaml",
        """\
        name: root
        seed: 7
        calendar:
          years: 10
          start_year: 2020
        groups:
          - {name: a, count: 1}
          - {name: b, count: 2}
        tags: [x, y, z]
        rights:
          water:
            type: water
            quota_m3: 100
            reserve: {enabled: true, share: 0.2}
        """,
    )
    write(
        tmp_path,
        "base/mid.yaml",
        """\
        extends: root.yaml
        name: mid
        calendar:
          years: 3
        rights:
          water:
            reserve:
              enabled: false
        """,
    )
    child = write(
        tmp_path,
        "runs/child.yaml",
        """\
        extends: ../base/mid.yaml
        groups:
          - name: only
            count: 50
        tags: [w]
        """,
    )
    model, raw = load_model(child, Scenario)
    assert "extends" not in raw
    assert raw["name"] == "mid"
    assert raw["seed"] == 7
    assert raw["calendar"] == {"years": 3, "start_year": 2020}  # merged key by key
    assert raw["groups"] == [{"name": "only", "count": 50}]  # lists replaced, not merged
    assert raw["tags"] == ["w"]
    assert raw["rights"]["water"]["reserve"] == {"enabled": False, "share": 0.2}
    assert model.rights["water"].quota_m3 == 100

    _, sm = load_raw(child)
    root = str(Path(tmp_path / "runs/../base/root.yaml"))
    mid = str(Path(tmp_path / "runs/../base/mid.yaml"))
    import os

    root, mid = os.path.normpath(root), os.path.normpath(mid)
    assert sm[("seed",)].file == root
    assert sm[("calendar", "start_year")].file == root
    assert (sm[("calendar", "years")].file, sm[("calendar", "years")].line) == (mid, 4)
    assert sm[("rights", "water", "reserve", "share")].file == root
    assert sm[("rights", "water", "reserve", "enabled")].file == mid
    assert (sm[("groups", 0, "count")].file, sm[("groups", 0, "count")].line) == (str(child), 4)
    assert ("groups", 1) not in sm  # the base list was replaced, no stale positions
    assert ("extends",) not in sm


def test_extends_list_applied_in_order(tmp_path):
    write(tmp_path, "a.yaml", "name: a\nseed: 1\ncalendar: {years: 1}\n")
    write(tmp_path, "b.yaml", "name: b\ncalendar: {start_year: 1999}\n")
    child = write(tmp_path, "c.yaml", "extends: [a.yaml, b.yaml]\ngroups: []\n")
    raw, sm = load_raw(child)
    assert raw == {
        "name": "b",
        "seed": 1,
        "calendar": {"years": 1, "start_year": 1999},
        "groups": [],
    }
    assert sm[("name",)].file == str(tmp_path / "b.yaml")
    assert sm[("seed",)].file == str(tmp_path / "a.yaml")


def test_inherited_bad_value_points_into_base_file(tmp_path):
    base = write(
        tmp_path,
        "base.yaml",
        """\
        name: base
        calendar:
          years: many
        groups:
          - name: a
            cout: 3
        """,
    )
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\n")
    with pytest.raises(ScenarioError) as ei:
        load_model(child, Scenario)
    by_path = {p.path: p for p in problems_of(ei)}
    years = by_path["calendar.years"]
    assert (years.file, years.line, years.col) == (str(base), 3, 10)
    assert "expected a valid integer" in years.message and "'many'" in years.message
    cout = by_path["groups.0.cout"]
    assert (cout.file, cout.line, cout.col) == (str(base), 6, 5)
    assert "did you mean 'count'?" in cout.message


def test_extends_cycle_reported_with_chain(tmp_path):
    a = write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\n")
    b = write(tmp_path, "b.yaml", "name: b\nextends: c.yaml\n")
    write(tmp_path, "c.yaml", "extends: a.yaml\n")
    with pytest.raises(ScenarioError) as ei:
        load_raw(a)
    p = one_problem(ei)
    c = str(tmp_path / "c.yaml")
    assert (p.file, p.line, p.path) == (c, 1, "extends")
    assert p.message == f"extends cycle: {a} -> {b} -> {c} -> {a}"


def test_extends_self_cycle(tmp_path):
    a = write(tmp_path, "a.yaml", "extends: ./a.yaml\n")
    with pytest.raises(ScenarioError) as ei:
        load_raw(a)
    assert "extends cycle" in one_problem(ei).message


def test_extends_missing_base(tmp_path):
    child = write(tmp_path, "c.yaml", "name: c\nextends: [nope.yaml]\n")
    with pytest.raises(ScenarioError) as ei:
        load_raw(child)
    p = one_problem(ei)
    assert (p.file, p.line, p.col, p.path) == (str(child), 2, 11, "extends.0")
    assert p.message == f"file not found: {tmp_path / 'nope.yaml'}"


def test_extends_bad_type(tmp_path):
    child = write(tmp_path, "c.yaml", "extends: 3\n")
    with pytest.raises(ScenarioError) as ei:
        load_raw(child)
    assert "expected a file name" in one_problem(ei).message


def test_problems_in_base_and_child_are_all_reported(tmp_path):
    base = write(tmp_path, "base.yaml", "a: 1\na: 2\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nb: !!python/name:os.system\n")
    with pytest.raises(ScenarioError) as ei:
        load_raw(child)
    files = [p.file for p in problems_of(ei)]
    assert sorted(files) == sorted([str(base), str(child)])


# --------------------------------------------------------------------------- validation messages


def test_unknown_field_with_suggestion(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """\
        name: x
        calendar: {years: 1}
        groups:
          - name: a
            cout: 5
            count: 1
        """,
    )
    with pytest.raises(ScenarioError) as ei:
        load_model(path, Scenario)
    p = one_problem(ei)
    assert str(p) == f"{path}:5:5: groups.0.cout: unknown field 'cout'; did you mean 'count'?"


def test_unknown_field_without_close_match_lists_fields(tmp_path):
    path = write(tmp_path, "s.yaml", "name: x\ncalendar: {years: 1, zzz: 2}\ngroups: []\n")
    with pytest.raises(ScenarioError) as ei:
        load_model(path, Scenario)
    p = one_problem(ei)
    assert p.path == "calendar.zzz" and (p.line, p.col) == (2, 22)
    assert "allowed fields: years, start_year" in p.message


def test_unknown_field_inside_discriminated_union_member(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """\
        name: x
        calendar: {years: 1}
        groups: []
        rights:
          water:
            type: water
            quota_m3: 1
            reserv: {enabled: false}
        """,
    )
    with pytest.raises(ScenarioError) as ei:
        load_model(path, Scenario)
    p = one_problem(ei)
    assert (p.line, p.col, p.path) == (8, 5, "rights.water.reserv")
    assert p.message == "unknown field 'reserv'; did you mean 'reserve'?"


def test_wrong_type(tmp_path):
    path = write(tmp_path, "s.yaml", "name: x\ncalendar:\n  years: [1, 2]\ngroups: {}\n")
    with pytest.raises(ScenarioError) as ei:
        load_model(path, Scenario)
    by_path = {p.path: p for p in problems_of(ei)}
    years = by_path["calendar.years"]
    assert (years.line, years.col) == (3, 3)  # collection value: points at its key
    assert years.message == "expected a valid integer; got a list"
    groups = by_path["groups"]
    assert groups.line == 4 and groups.message == "expected a list; got a mapping"


def test_wrong_scalar_type_mentions_given_value(tmp_path):
    path = write(tmp_path, "s.yaml", "name: x\ncalendar: {years: 1}\ngroups:\n  - {name: a, count: -3}\n")
    with pytest.raises(ScenarioError) as ei:
        load_model(path, Scenario)
    p = one_problem(ei)
    assert p.path == "groups.0.count" and p.line == 4
    assert p.message == "expected greater than 0; got -3"


def test_literal_suggestion(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        "name: x\ncalendar: {years: 1}\ngroups:\n  - {name: a, count: 1, sector: industy}\n",
    )
    with pytest.raises(ScenarioError) as ei:
        load_model(path, Scenario)
    p = one_problem(ei)
    assert p.path == "groups.0.sector"
    assert "'agriculture' or 'industry'" in p.message
    assert "got 'industy'" in p.message and "did you mean 'industry'?" in p.message


def test_missing_required(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """\
        name: x
        calendar:
          start_year: 2022
        groups:
          - name: a
        """,
    )
    with pytest.raises(ScenarioError) as ei:
        load_model(path, Scenario)
    probs = problems_of(ei)
    assert [str(p) for p in probs] == [
        f"{path}:2:1: calendar.years: required field missing",
        f"{path}:5:5: groups.0.count: required field missing",
    ]


def test_discriminated_union_unknown_type_lists_allowed(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """\
        name: x
        calendar: {years: 1}
        groups: []
        rights:
          air:
            type: emision
            tonnes: 3
        mechanisms:
          - type: lottery
          - price: 3
        """,
    )
    with pytest.raises(ScenarioError) as ei:
        load_model(path, Scenario)
    by_path = {p.path: p for p in problems_of(ei)}
    air = by_path["rights.air.type"]
    assert (air.line, air.col) == (6, 11)
    assert air.message == (
        "unknown type 'emision'; expected one of: 'water', 'land', 'emission' (did you mean 'emission'?)"
    )
    lottery = by_path["mechanisms.0.type"]
    assert lottery.line == 9
    assert lottery.message == "unknown type 'lottery'; expected one of: 'auction', 'posted'"
    no_type = by_path["mechanisms.1"]
    assert no_type.line == 10
    assert no_type.message == "missing 'type' field; expected one of: 'auction', 'posted'"


def test_union_member_errors_are_located_without_tag_in_path(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        """\
        name: x
        calendar: {years: 1}
        groups: []
        mechanisms:
          - type: posted
            price: cheap
          - type: auction
        """,
    )
    with pytest.raises(ScenarioError) as ei:
        load_model(path, Scenario)
    p = one_problem(ei)
    assert (p.line, p.path) == (6, "mechanisms.0.price")
    assert "expected a valid number" in p.message and "got 'cheap'" in p.message


def test_several_problems_at_once_sorted(tmp_path):
    base = write(tmp_path, "base.yaml", "calendar:\n  years: x\n")
    child = write(
        tmp_path,
        "z_child.yaml",
        """\
        extends: base.yaml
        nmae: x
        groups:
          - {name: a, count: 0}
          - {name: b}
        mechanisms:
          - type: nope
        """,
    )
    with pytest.raises(ScenarioError) as ei:
        load_model(child, Scenario)
    lines = str(ei.value).splitlines()
    assert lines == [
        f"{base}:2:10: calendar.years: expected a valid integer, unable to parse string as an integer; got 'x'",
        f"{child}:1:1: name: required field missing",
        f"{child}:2:1: nmae: unknown field 'nmae'; did you mean 'name'?",
        f"{child}:4:22: groups.0.count: expected greater than 0; got 0",
        f"{child}:5:5: groups.1.count: required field missing",
        f"{child}:7:11: mechanisms.0.type: unknown type 'nope'; expected one of: 'auction', 'posted'",
    ]


def test_model_validator_error_is_reported(tmp_path):
    from pydantic import model_validator

    class Window(Strict):
        start: int
        end: int

        @model_validator(mode="after")
        def _order(self):
            if self.end < self.start:
                raise ValueError("end must not be before start")
            return self

    class Top(Strict):
        window: Window

    path = write(tmp_path, "s.yaml", "window:\n  start: 5\n  end: 1\n")
    with pytest.raises(ScenarioError) as ei:
        load_model(path, Top)
    assert str(one_problem(ei)) == f"{path}:1:1: window: end must not be before start"


def test_dict_key_error_points_at_key(tmp_path):
    class Top(Strict):
        by_year: dict[int, int]

    path = write(tmp_path, "s.yaml", "by_year:\n  2021: 1\n  later: 2\n")
    with pytest.raises(ScenarioError) as ei:
        load_model(path, Top)
    p = one_problem(ei)
    assert (p.line, p.col, p.path) == (3, 3, "by_year.later")
    assert p.message.startswith("invalid key 'later': expected a valid integer")


def test_validate_with_handmade_source_map():
    sm = SourceMap()
    with pytest.raises(ScenarioError) as ei:
        validate({"years": "x"}, sm, Calendar)
    assert one_problem(ei).path == "years"


# --------------------------------------------------------------------------- overrides


def test_overrides_int_index_bool_flow_list(tmp_path):
    path = write(tmp_path, "s.yaml", VALID)
    model, raw = load_model(
        path,
        Scenario,
        [
            "calendar.years=3",
            "rights.water.reserve.enabled=false",
            "groups.0.count=50",
            "tags=[a, b]",
            "name='quoted = fine'",
            "seed = 9",
        ],
    )
    assert model.calendar.years == 3
    assert model.rights["water"].reserve.enabled is False
    assert model.groups[0].count == 50
    assert raw["tags"] == ["a", "b"]
    assert model.name == "quoted = fine"
    assert model.seed == 9
    _, sm = load_raw(path, ["calendar.years=3", "tags=[1, 2]"])
    assert (sm[("calendar", "years")].file, sm[("calendar", "years")].line) == (SET_FILE, 1)
    assert sm[("calendar", "years")].col is None
    assert (sm[("tags", 1)].file, sm[("tags", 1)].line) == (SET_FILE, 2)
    assert sm[("calendar",)].file == str(path)


def test_override_replaces_subtree_positions(tmp_path):
    path = write(tmp_path, "s.yaml", VALID)
    raw, sm = load_raw(path, ["groups=[{name: z, count: 1}]"])
    assert raw["groups"] == [{"name": "z", "count": 1}]
    assert ("groups", 1) not in sm
    assert sm[("groups", 0, "name")].file == SET_FILE


def test_override_can_add_new_key_to_existing_mapping(tmp_path):
    path = write(tmp_path, "s.yaml", VALID)
    model, _ = load_model(path, Scenario, ["calendar.start_year=2030"])
    assert model.calendar.start_year == 2030


def test_override_bad_path_suggests(tmp_path):
    path = write(tmp_path, "s.yaml", VALID)
    with pytest.raises(ScenarioError) as ei:
        load_raw(path, ["seed=1", "calender.years=3"])
    p = one_problem(ei)
    assert str(p) == "<--set>:2: calender.years: no key 'calender' in the top level; did you mean 'calendar'?"


def test_override_bad_index_and_scalar_parent(tmp_path):
    path = write(tmp_path, "s.yaml", VALID)
    with pytest.raises(ScenarioError) as ei:
        load_raw(path, ["groups.5.count=1", "groups.first.count=1", "name.x=1"])
    msgs = [p.message for p in problems_of(ei)]
    assert "index 5 is out of range for 'groups', which has 2 item(s)" in msgs[0]
    assert "'first' is not an integer index" in msgs[1]
    assert "'name' is 'baseline', not a mapping or list" in msgs[2]


def test_override_without_equals(tmp_path):
    path = write(tmp_path, "s.yaml", VALID)
    with pytest.raises(ScenarioError) as ei:
        load_raw(path, ["calendar.years"])
    p = one_problem(ei)
    assert (p.file, p.line, p.col) == (SET_FILE, 1, None)
    assert "malformed override 'calendar.years'" in p.message
    assert str(p).startswith("<--set>:1: malformed override")


def test_override_empty_component_and_bad_value(tmp_path):
    path = write(tmp_path, "s.yaml", VALID)
    with pytest.raises(ScenarioError) as ei:
        load_raw(path, ["calendar..years=1", "tags=[1, 2", "seed=!!python/name:os.system"])
    probs = problems_of(ei)
    assert [p.line for p in probs] == [1, 2, 3]
    assert "empty path component" in probs[0].message
    assert "invalid value '[1, 2'" in probs[1].message
    assert "is not allowed" in probs[2].message


def test_override_typo_in_leaf_caught_by_validation_at_set(tmp_path):
    path = write(tmp_path, "s.yaml", VALID)
    with pytest.raises(ScenarioError) as ei:
        load_model(path, Scenario, ["calendar.yeras=3", "groups.1.count=many"])
    lines = str(ei.value).splitlines()
    assert lines == [
        "<--set>:1: calendar.yeras: unknown field 'yeras'; did you mean 'years'?",
        "<--set>:2: groups.1.count: expected a valid integer, unable to parse string as an integer; got 'many'",
    ]


# --------------------------------------------------------------------------- misc API


def test_problem_formatting_and_sorting():
    err = ScenarioError(
        [
            Problem("b.yaml", 3, 1, "x", "m3"),
            Problem("a.yaml", 10, 2, "y", "m2"),
            Problem("a.yaml", 2, None, "", "m1"),
            Problem("a.yaml", None, None, "", "m0"),
            Problem("a.yaml", 2, None, "", "m1"),  # duplicate dropped
        ]
    )
    assert str(err).splitlines() == [
        "a.yaml: m0",
        "a.yaml:2: m1",
        "a.yaml:10:2: y: m2",
        "b.yaml:3:1: x: m3",
    ]
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems


def test_json_schema():
    schema = json_schema(Scenario)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(schema)[:2] == ["$schema", "title"]
    assert schema["title"] == "Scenario"
    assert "calendar" in schema["properties"]
    assert schema["additionalProperties"] is False
    assert json_schema(Scenario, title="rights-market scenario")["title"] == "rights-market scenario"


# --------------------------------------------------------------------------- property: extends merge


_keys = st.sampled_from(["a", "b", "c", "d"])
_scalars = st.one_of(st.integers(-5, 5), st.booleans(), st.sampled_from(["s", "t"]))
_trees = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)),
    max_leaves=10,
)
_docs = st.dictionaries(_keys, _trees, max_size=4)


def _expected_merge(base, child):
    if isinstance(base, dict) and isinstance(child, dict):
        out = dict(base)
        for k, v in child.items():
            out[k] = _expected_merge(base[k], v) if k in base else v
        return out
    return child


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


def _dump(data) -> str:
    import io

    from ruamel.yaml import YAML

    buf = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, buf)
    return buf.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=_docs, child=_docs)
def test_extends_merge_property(tmp_path, base, child):
    (tmp_path / "base.yaml").write_text(_dump(base) if base else "{}\n")
    child_path = tmp_path / "child.yaml"
    child_path.write_text(_dump({"extends": "base.yaml", **child}))
    raw, sm = load_raw(child_path)
    assert raw == _expected_merge(base, child)
    # every node has a position, and nothing else does
    assert set(_paths(raw)) == set(sm)
    for path in _paths(raw):
        if path and path[0] in child and path not in {()}:
            # a path under a key the child wrote comes from the child unless it is a dict merge leaf
            node_child = child
            in_child = True
            for part in path:
                if isinstance(node_child, dict | list) and (
                    (isinstance(node_child, dict) and part in node_child)
                    or (isinstance(node_child, list) and isinstance(part, int) and part < len(node_child))
                ):
                    node_child = node_child[part]
                else:
                    in_child = False
                    break
            expected = "child.yaml" if in_child else "base.yaml"
            assert Path(sm[path].file).name == expected
        elif path:
            assert Path(sm[path].file).name == "base.yaml"


def test_extends_replaces_a_mapping_whose_type_changes(tmp_path):
    """A child that switches a discriminated union member (type:) gets its mapping whole, not merged."""
    from rights_market.scenario import load_raw

    (tmp_path / "base.yaml").write_text(
        "name: base\nweather:\n  type: markov\n  initial: normal\n  transition: {}\n", encoding="utf-8"
    )
    (tmp_path / "child.yaml").write_text(
        "extends: base.yaml\nweather:\n  type: sequence\n  sequence: [dry]\n", encoding="utf-8"
    )
    raw, sm = load_raw(tmp_path / "child.yaml")
    assert raw["weather"] == {"type": "sequence", "sequence": ["dry"]}
    assert sm[("weather", "sequence")].file.endswith("child.yaml")
