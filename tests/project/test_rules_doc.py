"""docs/rules.md, the rules catalogue, keeps the traceability promise: ``grep -rnw W9 src tests`` leads from a
rule to the code that builds it and the tests that check it.

The catalogue lists every rule of the plans once, in order; every module and test file it names for a rule
really names the rule's ID; a rule some module names is named by a test too; a rule the catalogue calls
unbuilt is named by no module. Nothing in the repository points at the old ``RULES.md`` any more.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "rules.md"

_spec = importlib.util.spec_from_file_location("rules_doc", ROOT / "tools" / "rules_doc.py")
rules_doc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rules_doc)

#: How many rules of each kind the plans have (water, land, emission, forest, across the four rights).
RULE_COUNTS = {"W": 17, "L": 17, "E": 15, "F": 11, "X": 4}


def catalogue() -> dict[str, list[str]]:
    """Rule ID → its cells ``[prio, rule, source, code, tests]``, in the order of docs/rules.md."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        row = rules_doc.split_row(line)
        if row is not None:
            assert row[0] not in rows, f"docs/rules.md lists {row[0]} twice"
            rows[row[0]] = row[1]
    return rows


def test_catalogue_lists_every_rule_once_in_order_with_priority_statement_and_plan_reference():
    rows = catalogue()
    expected = [f"{kind}{i}" for kind in "WLEFX" for i in range(1, RULE_COUNTS[kind] + 1)]
    assert list(rows) == expected
    for rule_id, cells in rows.items():
        assert len(cells) == 5, f"{rule_id}: expected 6 columns (ID, prio, rule, source, code, tests)"
        prio, rule, source, code, tests = cells
        assert prio in {"core", "ext", "kpi"}, rule_id
        assert len(rule) > 20 and source, rule_id
        if rule_id[0] in "WLEF":  # the X rules cite the other rules instead of a section
            assert source.startswith("[") and "§" in source, f"{rule_id}: plan reference {source!r}"


def test_w9_row_points_at_the_tariff_code_and_its_tests():
    _, rule, source, code, tests = catalogue()["W9"]
    assert "over-plan surcharge" in rule and source == "[W §二(三)7]"
    assert (ROOT / "src/rights_market/rules/tariffs.py") in rules_doc.listed_files(code)
    assert (ROOT / "tests/rules/test_tariffs.py") in rules_doc.listed_files(tests)


def test_every_file_the_catalogue_names_for_a_rule_names_that_rule():
    for rule_id, (*_, code, tests) in catalogue().items():
        pattern = rules_doc.rule_pattern(rule_id)
        for cell, folder in [(code, ROOT / "src"), (tests, ROOT / "tests")]:
            for path in rules_doc.listed_files(cell):
                assert path.is_file(), f"docs/rules.md, {rule_id}: {path} does not exist"
                assert folder in path.parents, f"docs/rules.md, {rule_id}: {path} is not under {folder}"
                assert pattern.search(path.read_text(encoding="utf-8")), (
                    f"docs/rules.md, {rule_id}: {path.relative_to(ROOT)} does not name {rule_id}; "
                    "run python tools/rules_doc.py")


def test_every_built_rule_is_tested_and_listed_and_no_unbuilt_rule_is_named_in_src():
    for rule_id, (*_, code, tests) in catalogue().items():
        in_src = rules_doc.mentions(rule_id, ROOT / "src")
        in_tests = rules_doc.mentions(rule_id, ROOT / "tests")
        if in_src:
            assert in_tests, f"{rule_id} is named in {sorted(map(str, in_src))} but by no test under tests/"
            assert rules_doc.listed_files(code) and rules_doc.listed_files(tests), (
                f"docs/rules.md, {rule_id}: built but its code or tests cell is empty; run python tools/rules_doc.py")
        else:
            assert code == rules_doc.NOT_BUILT, f"docs/rules.md, {rule_id}: no module under src/ names it"


def test_rule_id_matches_only_as_a_word():
    pattern = rules_doc.rule_pattern("W1")
    assert pattern.search("confirm (W1, W2)") and pattern.search("# rule W1\n")
    assert not pattern.search("W10") and not pattern.search("AW1") and not pattern.search("W1_x")


def test_refreshing_changes_only_the_code_and_tests_columns():
    text = DOC.read_text(encoding="utf-8")
    refreshed = rules_doc.refresh(text)
    old, new = text.splitlines(), refreshed.splitlines()
    assert len(old) == len(new)
    for a, b in zip(old, new, strict=True):
        row_a, row_b = rules_doc.split_row(a), rules_doc.split_row(b)
        if row_a is None:
            assert a == b
        else:
            assert row_a[0] == row_b[0] and row_a[1][:3] == row_b[1][:3]


def test_readme_links_the_catalogue_and_nothing_points_at_the_old_rules_file():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/rules.md)" in readme
    stale = []
    for folder in ["src", "tests", "docs", "scenarios", "notebooks", "benchmarks"]:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".md", ".yaml", ".ipynb", ".txt"}:
                text = path.read_text(encoding="utf-8")
                stale += [f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}"
                          for m in re.finditer(r"RULES\.md", text) if path.resolve() != Path(__file__).resolve()]
    stale += ["README.md"] if "RULES.md" in readme else []
    assert not stale, f"these still point at RULES.md (now docs/rules.md): {stale}"
