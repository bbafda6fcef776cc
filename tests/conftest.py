"""Shared fixtures: small versions of the shipped scenarios, scenario builders, runs simulated once per test
session (:func:`shared_run`), and how the tests are spread over the cores (:func:`pytest_collection_modifyitems`)."""

from __future__ import annotations

import contextlib
import copy
import gc
import io
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings

from rights_market import Result, load_scenario
from rights_market.cli import main
from rights_market.scenario.model import Scenario

#: The collector's thresholds in the test processes: a young-generation sweep every 10,000 net allocations
#: instead of 700, the older generations swept every 20 sweeps of the younger instead of 10 (CPython's default
#: is (700, 10, 10)). The imports and the collected tests (hundreds of thousands of long-lived objects: numpy,
#: pandas, pydantic's schemas, hypothesis) made the sweeps walk them over and over: ~1.5 s of each process's
#: collection and ~8 % of the tests' CPU. Cycles are still collected, only less often; nothing a test asserts
#: depends on when.
GC_THRESHOLDS = (10_000, 20, 20)
gc.set_threshold(*GC_THRESHOLDS)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Once the tests are collected, the objects alive then (modules, classes, test items: they live as long as
    the session) are moved out of the collector's sight (:func:`gc.freeze`), so no sweep walks them again."""
    gc.collect()
    gc.freeze()


ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

SMALL_WATER = [
    "calendar.years=3",
    "calendar.sessions_per_year=12",
    "water.groups.0.count=80",
    "water.groups.1.count=4",
    "water.groups.2.count=12",
    "water.groups.3.count=60",
    "water.groups.4.count=2",
    "water.cap_m3=3500000",
]


def cli_in_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``rights-market ARGS`` run by :func:`rights_market.cli.main` in this process, its exit code and output
    captured as a subprocess's would be (without the interpreter's start-up; the real entry point, exit codes
    and the absence of tracebacks in a fresh process are tested by the tests marked ``slow``)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: --help, --version and bad arguments
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(["rights-market", *args], code, out.getvalue(), err.getvalue())


#: Start of every figure file the reports write (:func:`rights_market.report.chart.svg.render`).
SVG_START = '<svg xmlns="http://www.w3.org/2000/svg"'
_SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: str) -> list[str]:
    """The texts of a report figure, in the order it writes them (its ``<text>`` elements: title first, then
    ticks, axis labels and legend). Fails unless ``svg`` is one SVG document that :mod:`xml.etree` parses,
    starting with :data:`SVG_START`."""
    assert svg.startswith(SVG_START), svg[:80]
    root = ET.fromstring(svg)
    assert root.tag == f"{_SVG}svg"
    return [t.text or "" for t in root.iter(f"{_SVG}text")]


def fast_and_full(fast: int, full: int) -> list:
    """The sizes of a test run twice (hypothesis examples, fuzzed files, trials): ``fast`` in the inner loop
    (``pytest -m "not slow"``), ``full`` marked ``slow``. Plain ``pytest`` (CI) runs both, so the full size
    is never dropped; the small one asserts the same property on fewer cases.

    Use as ``@pytest.mark.parametrize("examples", fast_and_full(40, 300))``."""
    return [pytest.param(fast, id=f"fast{fast}"), pytest.param(full, marks=pytest.mark.slow, id=f"full{full}")]


def given_fast_and_full(fast: int, full: int, *strategies, **named_strategies):
    """``@given(*strategies, **named_strategies)`` run as :func:`fast_and_full`: ``fast`` hypothesis examples in
    the inner loop, ``full`` in the slow set (ids ``fast…``/``full…``), both without a deadline. Replaces the
    ``@settings(max_examples=full, deadline=None)`` and ``@given(...)`` of a property test::

        @given_fast_and_full(100, 400, orders=orders, floor=st.integers(0, 5))
        def test_...(orders, floor): ...
    """

    def decorate(check):
        @pytest.mark.parametrize("examples", fast_and_full(fast, full))
        def test(examples: int) -> None:
            settings(max_examples=examples, deadline=None)(given(*strategies, **named_strategies)(check))()

        test.__name__, test.__qualname__, test.__doc__ = check.__name__, check.__qualname__, check.__doc__
        test.__module__ = check.__module__
        return test

    return decorate


def first_fast(*values) -> list:
    """The values (seeds) a test is repeated over: the first in the inner loop (``pytest -m "not slow"``), the
    others marked ``slow``. Plain ``pytest`` (CI) runs all of them, as with :func:`fast_and_full`; the inner loop
    asserts the same property on one of them.

    Use as ``@pytest.mark.parametrize("seed", first_fast(11, 23, 47))``."""
    return [pytest.param(v) if i == 0 else pytest.param(v, marks=pytest.mark.slow) for i, v in enumerate(values)]


@pytest.fixture(scope="session")
def small_water() -> Scenario:
    """The default Dawukou water scenario, shrunk: 3 years, monthly sessions, ~160 holders."""
    return load_scenario(SCENARIOS / "dawukou_water.yaml", SMALL_WATER)


#: A farm's saving cost curve (W4) that pays at any expected price above 0.30 yuan/m³: capital 1 yuan per
#: m³/yr for the first saved m³ rising to 2 at the most it can save (half its reference use), over 10 years.
CHEAP_SAVING = {"capital_yuan_per_m3": 1, "capital_at_max_yuan_per_m3": 2, "max_share": 0.5, "life_years": 10}


def two_holder_water(**changes) -> Scenario:
    """A hand-checkable water market: one farmer with a surplus, one firm short of water.

    Farmer: confirmed 1,000 m³, reference use 500 (plan 500, surplus 500), value 2.00 yuan/m³ there.
    Firm: confirmed 1,000 m³, reference use 1,200 (wants 200), value 10 yuan/m³ there. Both value curves
    are nearly inelastic (−0.01) and sated at the reference use, so both use exactly their reference use at
    the expected prices (the seeds: 1.081 yuan/m³, the agriculture → industry base price) and the sums stay
    hand-checkable: the farmer's unused surplus is worth nothing to it (truthful ask at the 0.01 yuan
    guard), the firm bids the surcharge its 200 m³ over plan would pay (band 3 of 3.30 × 0.5: 4.95 yuan/m³).
    Truthful traders, one order each, call auction, one session a year, no reserve rules, normal weather.
    """
    base = {
        "name": "two_holders",
        "calendar": {"start_year": 2021, "years": 1, "periods_per_year": 1, "sessions_per_year": 1},
        "weather": {"type": "sequence", "states": {"normal": {}}, "sequence": ["normal"]},
        "water": {
            "cap_m3": 10_000,
            "base_prices": [{"seller": "agriculture", "buyer": "industry", "yuan_per_m3": "1.081"}],
            "reserve": {"enabled": True, "budget_yuan_per_year": 0, "rules": []},
            "supervision": {"max_holding_share_of_cap": "1"},
            "market": {"mechanism": {"type": "call"}, "negotiation": {"pairs_per_session": 0}},
            "economics": {"lots_per_order": 1},
            "groups": [
                {"name": "farmer", "sector": "agriculture", "count": 1,
                 "confirmed_m3": {"type": "constant", "value": 1000},
                 "marginal_value_yuan_per_m3": {"type": "constant", "value": 2.0},
                 "need_share": {"type": "constant", "value": 0.5}, "need_noise_sd": 0,
                 "elasticity": {"type": "constant", "value": -0.01}, "satiation_share": 1.0,
                 "behaviour": {"type": "truthful"}, "participation": 1.0},
                {"name": "firm", "sector": "industry", "count": 1,
                 "confirmed_m3": {"type": "constant", "value": 1000},
                 "marginal_value_yuan_per_m3": {"type": "constant", "value": 10},
                 "need_share": {"type": "constant", "value": 1.2}, "need_noise_sd": 0,
                 "elasticity": {"type": "constant", "value": -0.01}, "satiation_share": 1.0,
                 "behaviour": {"type": "truthful"}, "participation": 1.0, "max_overuse_share": 0.5},
            ],
        },
    }
    data = copy.deepcopy(base)
    for dotted, value in changes.items():
        node = data
        parts = dotted.split("__")
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return Scenario.model_validate(data)


def play_classroom_to_end(path: Path, overrides: list[str], tmp: Path) -> Path:
    """Run a classroom scenario with robots only (no person joins) to its end and write it; the run dir."""
    from rights_market.classroom import ClassroomSession, load_classroom, write_session

    session = ClassroomSession(load_classroom(path, overrides), join_code="7", journal=tmp / "journal.jsonl")
    session.control("start")
    t = 0
    while session.status != "finished":
        t = max(t, session.engine.now_ms) + 20_000
        if session.advance_to(t) and session.status == "paused":
            session.control("start")
    out = write_session(session, tmp / "run", report=False)
    session.close()
    return out


# ------------------------------------------------------------------------------ runs simulated once per session
class SharedRuns:
    """Runs of scenario files simulated once per test session and written once, shared by the modules that
    ask for the same one (``shared_run`` fixture). Under pytest-xdist each worker process has its own session,
    so a run is made at most once per worker; :data:`XDIST_GROUPS` keeps the modules that share runs on one.

    What it returns is shared: read it, never write into it. A test that changes a run directory (a report
    built again, a table edited) works on a copy, ``shutil.copytree(shared_run(...), tmp_path / "run")``; the
    session checks at its end that no shared directory changed (:meth:`check_unchanged`)."""

    def __init__(self, root: Path):
        self._root = root
        self._results: dict[tuple, Result] = {}
        self._dirs: dict[tuple, Path] = {}
        self._stamps: dict[Path, dict[str, tuple[int, int]]] = {}

    @staticmethod
    def _key(scenario: str | Path, overrides: Iterable[str], seed: int | None) -> tuple:
        path = Path(scenario) if Path(scenario).is_absolute() else SCENARIOS / scenario
        return str(path.resolve()), tuple(overrides), seed

    def result(self, scenario: str | Path, overrides: Iterable[str] = (), seed: int | None = None, *,
               check: bool = False) -> Result:
        """``simulate(load_scenario(scenario, overrides), seed, check=check)``, once (``scenario``: a path, or a
        file name under ``scenarios/``)."""
        from rights_market import simulate

        key = (*self._key(scenario, overrides, seed), check) if check else self._key(scenario, overrides, seed)
        if key not in self._results:
            self._results[key] = simulate(load_scenario(key[0], list(key[1])), seed, check=check)
        return self._results[key]

    def __call__(self, scenario: str | Path, overrides: Iterable[str] = (), seed: int | None = None, *,
                 reports: tuple[str, ...] = ()) -> Path:
        """The run directory of :meth:`result`, written once; with ``reports`` (languages) its reports built
        in that order, once (a directory of its own for each ``reports``)."""
        from rights_market import write_run

        key = (*self._key(scenario, overrides, seed), tuple(reports))
        if key not in self._dirs:
            out = self._root / f"run{len(self._dirs):03d}"
            write_run(self.result(scenario, overrides, seed), out)
            if reports:
                from rights_market.report import build_report

                for lang in reports:
                    build_report(out, lang=lang)
            self._dirs[key] = self._stamped(out)
        return self._dirs[key]

    def classroom(self, scenario: str | Path, overrides: Iterable[str] = ()) -> Path:
        """The run directory of a classroom scenario played by robots to its end
        (:func:`play_classroom_to_end`), once."""
        key = ("classroom", *self._key(scenario, overrides, None))
        if key not in self._dirs:
            tmp = self._root / f"classroom{len(self._dirs):03d}"
            tmp.mkdir()
            self._dirs[key] = self._stamped(play_classroom_to_end(Path(key[1]), list(key[2]), tmp))
        return self._dirs[key]

    def _stamped(self, run_dir: Path) -> Path:
        self._stamps[run_dir] = _stamp(run_dir)
        return run_dir

    def check_unchanged(self) -> None:
        changed = [str(d) for d, stamp in self._stamps.items() if _stamp(d) != stamp]
        assert not changed, f"a test wrote into a shared run directory (copy it first): {changed}"


def _stamp(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``: its size and modification time (ns)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            out[str(path.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture(scope="session")
def shared_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedRuns]:
    """Runs simulated once per session: ``shared_run(scenario, overrides, seed, reports=...)`` is a run
    directory, ``shared_run.result(...)`` the :class:`~rights_market.Result`, ``shared_run.classroom(...)`` a
    classroom run; read-only (see :class:`SharedRuns`)."""
    runs = SharedRuns(tmp_path_factory.mktemp("shared_runs"))
    yield runs
    runs.check_unchanged()


# ------------------------------------------------------------------------------ spreading the tests over cores
#: Tests run on one pytest-xdist worker, one after the other: group → test files (paths under tests/) or test
#: ids. Every other test file is a group of its own (as ``--dist loadfile``), so its module-scoped fixtures are
#: made once. (pytest-xdist's own ``xdist_group`` mark cannot be used: its ``--dist loadgroup`` renames test
#: ids through an attribute pytest 9.2 no longer reads, so it groups nothing.)
XDIST_GROUPS = {
    # Each starts a local Dask cluster of 2 worker processes and asserts on its workers (1 and 2 workers give
    # the same bytes, a killed sweep resumes, port 8787 taken): two clusters at once would put 4 Dask
    # processes and the other test process on 2 cores and make their start-up timeouts a matter of luck.
    "dask_cluster": [
        "sweep/test_sweep.py::test_same_results_on_a_real_cluster_with_1_and_2_workers",
        "sweep/test_sweep.py::test_a_killed_sweep_resumes_without_loss_or_duplicates",
        "sweep/test_sensitivity.py::test_one_and_two_dask_workers_give_identical_indices",
        "sweep/test_calibrate_optimise.py::test_same_results_on_one_and_two_workers",
        "safety/test_data_safety_small.py::test_sweep_on_2_workers_passes_when_port_8787_is_taken",
    ],
    # Both read the default four-rights run of 3 years simulated with check=True (shared_run.result).
    "four_rights_checked": ["emission/test_emission_dynamics.py", "forest/test_forest_dynamics.py"],
    # They read the same runs (shared_run): on one worker each is simulated (and reported) once.
    "shared_runs": [
        "report/test_report_labels.py", "report/test_tables_doc.py", "report/test_workbook_format.py",
        "report/test_report_lang.py", "report/test_tables_schema.py", "report/test_report.py",
    ],
}


def xdist_group(nodeid: str) -> str:
    """The group of a test (``nodeid`` as pytest gives it, from the project's root or from tests/): its
    :data:`XDIST_GROUPS` entry, else its file."""
    nodeid = nodeid.removeprefix("tests/")
    path = nodeid.split("::", 1)[0]
    for group, members in XDIST_GROUPS.items():
        for member in members:
            if path == member or nodeid == member or nodeid.startswith(member + "["):
                return group
    return path


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadfile`` (the default in pyproject.toml) by :func:`xdist_group` instead of by file."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group(nodeid)

    return GroupScheduling(config, log)
