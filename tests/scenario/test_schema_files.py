"""Editors can trust the schema (issue 16): every shipped file passes ``rights-market schema`` as written, the
schema still refuses what the loader refuses (unknown fields, wrong types), and ``validate`` accepts every
shipped file — scenario, classroom, calibration, optimisation, sensitivity and sweep files alike.

Files are read with the project's own YAML reader (core tags, as ``validate`` reads them) and checked with the
``jsonschema`` package (draft 2020-12).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest

from conftest import SCENARIOS
from rights_market.cli import SCHEMA_KINDS, main
from rights_market.filekinds import KIND_NAMES, kind_of_file, schema
from rights_market.scenario.yamlsource import parse_text, read_file

SHIPPED = sorted(p for p in SCENARIOS.rglob("*") if p.suffix in (".yaml", ".yml"))
KIND_OF_FOLDER = {"classroom": "classroom", "sweeps": "sweep", "calibration": "calibration",
                  "optimisation": "optimisation"}
#: files whose kind is not their folder's
KIND_OF_FILE = {"water_sensitivity.yaml": "sensitivity"}


def expected_kind(path: Path) -> str:
    return KIND_OF_FILE.get(path.name) or KIND_OF_FOLDER.get(path.parent.name, "scenario")


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    s = schema()
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


def _read(path: Path):
    problems: list = []
    ok, data, _ = read_file(path, str(path), problems)
    assert ok and not problems, problems
    return data


def _errors(validator, text: str) -> list[str]:
    problems: list = []
    _, data, _ = parse_text(textwrap.dedent(text), "t.yaml", problems)
    assert not problems, problems
    out: list[str] = []
    todo = list(validator.iter_errors(data))
    while todo:  # an error under anyOf carries each member's errors in its context
        e = todo.pop(0)
        out.append(f"{'.'.join(map(str, e.absolute_path))}: {e.message}")
        todo.extend(e.context or ())
    return out


def test_the_shipped_files_are_all_there():
    assert len(SHIPPED) >= 25  # scenarios, cases, teaching markets, classroom and study files, a listed-holders file
    assert {p.parent.name for p in SHIPPED} >= {"scenarios", "cases", "teaching", "classroom", "sweeps", "data",
                                                "calibration", "optimisation"}
    assert {expected_kind(p) for p in SHIPPED} == set(KIND_NAMES)  # a shipped file of every kind


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_every_shipped_file_passes_the_schema_as_written(validator, path):
    data = _read(path)
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(data)]
    assert errors == []
    assert kind_of_file(data) == expected_kind(path)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_validate_accepts_every_shipped_file(path, capsys):
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    kind = expected_kind(path)
    assert out.startswith("ok\n" if kind == "scenario" else f"ok: {kind} {_read(path)['name']}, ")


def test_the_command_prints_the_schema(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == schema()
    assert main(["schema", "--kind", "sweep"]) == 0
    sweep = json.loads(capsys.readouterr().out)
    assert sweep["title"] == "rights-market sweep"
    one = jsonschema.Draft202012Validator(sweep)
    assert one.is_valid(_read(SCENARIOS / "sweeps" / "water_price_grid.yaml"))
    assert not one.is_valid(_read(SCENARIOS / "dawukou_water.yaml"))  # a scenario is not a sweep
    assert sorted(SCHEMA_KINDS) == sorted(KIND_NAMES)  # the parser lists every kind (written out: --help is light)


STUDIES = {"calibration": "calibration/yinchuan_2021_buyer_value.yaml",
           "optimisation": "optimisation/water_surcharge_step.yaml",
           "sensitivity": "sweeps/water_sensitivity.yaml", "sweep": "sweeps/water_price_grid.yaml"}


@pytest.mark.parametrize("kind", sorted(STUDIES))
def test_each_study_schema_takes_its_own_files_and_no_other_study(kind, capsys):
    assert main(["schema", "--kind", kind]) == 0
    one = jsonschema.Draft202012Validator(json.loads(capsys.readouterr().out))
    assert one.is_valid(_read(SCENARIOS / STUDIES[kind]))
    for other, path in STUDIES.items():
        if other != kind:  # all four name a scenario: only their own keys tell them apart
            assert not one.is_valid(_read(SCENARIOS / path)), (kind, other)


@pytest.mark.parametrize(("keys", "kind"), [
    ({"scenario": "a.yaml", "seeds": {}, "set": {}, "targets": []}, "calibration"),
    ({"scenario": "a.yaml", "set": {}, "parameters": {}, "constraints": []}, "optimisation"),
    ({"scenario": "a.yaml", "set": {}, "objectives": []}, "optimisation"),
    ({"scenario": "a.yaml", "keep_tables": [], "outputs": []}, "sensitivity"),
    ({"scenario": "a.yaml", "method": {}}, "sensitivity"),
    ({"scenario": "a.yaml", "seeds": {}, "parameters": {}, "search": {}}, "sweep"),  # shared keys mark nothing
    ({"scenario": "a.yaml", "design": {}}, "sweep"),
    ({"name": "x", "water": {}}, "scenario"),
])
def test_a_study_is_told_apart_by_the_keys_only_its_kind_has(keys, kind):
    assert kind_of_file(keys) == kind


def test_a_study_file_with_a_bad_field_is_refused_by_validate_with_its_place(tmp_path, capsys):
    bad = tmp_path / "cal.yaml"
    text = (SCENARIOS / STUDIES["calibration"]).read_text(encoding="utf-8")
    bad.write_text(text.replace("../cases/", str(SCENARIOS / "cases") + "/").replace("    tolerance:", "    tolerence:"),
                   encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "tolerence" in t)
    assert f"cal.yaml:{line}:" in err and "tolerence" in err


# ------------------------------------------------------------------------------------------ still strict

def test_an_unknown_field_is_refused_at_every_depth(validator):
    assert any("'colour' was unexpected" in e for e in _errors(validator, """
        name: x
        colour: red
        teaching: {buyers_yuan: [2], sellers_yuan: [1]}
    """))
    assert any("'grups' was unexpected" in e for e in _errors(validator, """
        extends: dawukou_water.yaml
        water: {grups: []}
    """))
    assert any("'lots' was unexpected" in e for e in _errors(validator, """
        name: c
        classroom: {product: water.annual, unit: m3, lots: 10}
    """))
    assert any("'seed' was unexpected" in e for e in _errors(validator, """
        name: s
        scenario: ../dawukou_water.yaml
        seed: 3
    """))


def test_a_wrong_type_is_refused(validator):
    assert any(e.startswith("calendar.years: 'five'") for e in _errors(validator, """
        name: x
        calendar: {years: five}
        teaching: {buyers_yuan: [2], sellers_yuan: [1]}
    """))
    assert _errors(validator, """
        name: x
        teaching: {buyers_yuan: [[2, 1], 1.5], sellers_yuan: 1}
    """)  # a list of traders, each a number or a list of numbers: a bare number is not a list of traders
    assert _errors(validator, """
        extends: smith1962_test1.yaml
        teaching: {buyers_yuan: [cheap]}
    """)
    assert _errors(validator, "name: c\nclassroom: {lot: ten}\n")


def test_a_whole_file_needs_its_required_fields_and_a_partial_file_does_not(validator):
    assert any("'name' is a required property" in e for e in _errors(validator, """
        teaching: {buyers_yuan: [2], sellers_yuan: [1]}
    """))
    assert _errors(validator, """
        extends: smith1962_test1.yaml
        teaching: {rules: cliff}
    """) == []
    # an item of a list replaces the base's list whole, so it must be complete even in a partial file
    assert _errors(validator, """
        extends: dawukou_water.yaml
        water: {groups: [{name: farms}]}
    """)


def test_a_holder_group_needs_a_count_unless_its_holders_are_listed(validator):
    group = "{name: g, sector: industry, confirmed_m3: {type: constant, value: 1}, " \
            "marginal_value_yuan_per_m3: {type: constant, value: 1}%s}"
    text = "extends: dawukou_water.yaml\nwater: {groups: [%s]}\n"  # a list item is whole even here
    assert _errors(validator, text % (group % "")) != []
    assert _errors(validator, text % (group % ", count: 3")) == []
    assert _errors(validator, text % (group % ", from_file: firms.csv")) == []
