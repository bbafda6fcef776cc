"""Shared fixtures: small versions of the shipped scenarios, and scenario builders."""

from __future__ import annotations

import contextlib
import copy
import io
import subprocess
from pathlib import Path

import pytest

from rights_market import load_scenario
from rights_market.cli import main
from rights_market.scenario.model import Scenario

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


def fast_and_full(fast: int, full: int) -> list:
    """The sizes of a test run twice (hypothesis examples, fuzzed files, trials): ``fast`` in the inner loop
    (``pytest -m "not slow"``), ``full`` marked ``slow``. Plain ``pytest`` (CI) runs both, so the full size
    is never dropped; the small one asserts the same property on fewer cases.

    Use as ``@pytest.mark.parametrize("examples", fast_and_full(40, 300))``."""
    return [pytest.param(fast, id=f"fast{fast}"), pytest.param(full, marks=pytest.mark.slow, id=f"full{full}")]


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
