"""The test suite on several cores (pytest-xdist): the groups of ``tests/conftest.py`` name tests that exist, and
every test that starts a Dask cluster of more than one worker is in the group that runs them one at a time."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import XDIST_GROUPS, xdist_group

TESTS = Path(__file__).resolve().parents[1]
#: what starts a local Dask cluster of several workers in a test
CLUSTER = re.compile(r"""local_cluster\(|workers=[2-9]|"--workers",\s*"[2-9]\"""")


def suite_tests() -> dict[str, ast.FunctionDef]:
    """Every test function of the suite by its id relative to tests/ (``area/test_x.py::test_y``)."""
    found = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        rel = path.relative_to(TESTS).as_posix()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                found[f"{rel}::{node.name}"] = node
    return found


def test_every_group_member_is_a_test_file_or_a_test() -> None:
    tests = suite_tests()
    files = {t.split("::")[0] for t in tests}
    for group, members in XDIST_GROUPS.items():
        assert members, group
        for member in members:
            assert member in (tests if "::" in member else files), f"{group}: no test {member}"


def test_a_test_is_grouped_by_its_entry_or_else_by_its_file() -> None:
    assert xdist_group("tests/report/test_tables_doc.py::test_every_product_is_documented") == "shared_runs"
    assert xdist_group("tests/sweep/test_sweep.py::test_same_results_on_a_real_cluster_with_1_and_2_workers[2]") \
        == "dask_cluster"
    assert xdist_group("tests/sweep/test_sweep.py::test_sweep_resumes") == "sweep/test_sweep.py"
    assert xdist_group("project/test_cli.py::test_validate_ok_and_schema") == "project/test_cli.py"


def test_every_test_that_starts_a_dask_cluster_of_several_workers_is_in_the_dask_group() -> None:
    sources = {}
    lines: dict[str, list[str]] = {}  # each file read and split once (get_source_segment splits it per call)
    for test_id, node in suite_tests().items():
        rel = test_id.split("::")[0]
        if rel not in lines:
            lines[rel] = (TESTS / rel).read_text(encoding="utf-8").splitlines()
        sources[test_id] = "\n".join(lines[rel][node.lineno - 1:node.end_lineno])
    starting = {t for t, src in sources.items() if CLUSTER.search(src)}
    assert starting, "the pattern finds no cluster test: it is out of date"
    assert starting <= set(XDIST_GROUPS["dask_cluster"]), starting - set(XDIST_GROUPS["dask_cluster"])
