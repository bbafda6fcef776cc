"""The shared "names must be unique" check of the scenario sections (:mod:`rights_market.scenario.validators`)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rights_market.scenario import load_raw
from rights_market.scenario.model import Scenario
from rights_market.scenario.validators import repeated

FOUR_RIGHTS = Path(__file__).resolve().parents[2] / "scenarios" / "dawukou_four_rights.yaml"


@given(st.lists(st.integers(-5, 5)))
def test_repeated_is_the_sorted_set_of_values_seen_twice(values):
    assert repeated(values) == sorted({v for v in values if values.count(v) > 1})
    assert repeated(iter(values)) == repeated(values)  # any iterable, read once


@pytest.mark.parametrize(("section", "field", "key", "message"), [
    ("water", "groups", "name", "group names must be unique"),
    ("emission", "groups", "name", "group names must be unique"),
    ("emission", "pollutants", "id", "pollutant ids must be unique"),
    ("land", "villages", "name", "village names must be unique"),
    ("forest", "zones", "name", "zone names must be unique"),
])
def test_each_section_names_the_repeated_names(section, field, key, message):
    raw, _ = load_raw(FOUR_RIGHTS)
    Scenario.model_validate(raw)  # the shipped scenario is valid
    items = raw[section][field]
    assert items, f"{section}.{field} is empty in {FOUR_RIGHTS.name}"
    bad = copy.deepcopy(raw)
    bad[section][field] = [*items, copy.deepcopy(items[0])]
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(bad)
    assert f"{message}; repeated: [{items[0][key]!r}]" in str(info.value)


def test_links_projects_names_the_repeated_names():
    raw, _ = load_raw(FOUR_RIGHTS)
    projects = raw["links"]["projects"]
    assert projects
    bad = copy.deepcopy(raw)
    bad["links"]["projects"] = [*projects, copy.deepcopy(projects[0])]
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(bad)
    assert f"project names must be unique; repeated: [{projects[0]['name']!r}]" in str(info.value)
