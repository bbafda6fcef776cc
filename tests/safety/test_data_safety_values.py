"""Issue 11, "every value that validates runs": non-finite numbers, out-of-range numbers, cross-section references
and work over a limit are refused by validation (exit 2, located), never found at run time."""

from __future__ import annotations

import time
import typing
from decimal import Decimal
from pathlib import Path

import annotated_types
import pytest
from pydantic import BaseModel

from conftest import fast_and_full
from rights_market import load_scenario, simulate
from rights_market.cli import main
from rights_market.filekinds import kind_of_file
from rights_market.limits import Limits
from rights_market.rights.catalogue import CATALOGUE
from rights_market.scenario import ScenarioError
from rights_market.scenario.loader import load_raw
from rights_market.scenario.model import Scenario
from rights_market.scenario.references import market_products
from rights_market.sweep.spec import load_sweep
from rights_market.sweep.study import replication_study
from rights_market.work import SHOUT_BYTES, WorkLimitError, estimate

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
WATER = SCENARIOS / "dawukou_water.yaml"
FOUR = SCENARIOS / "dawukou_four_rights.yaml"
SMITH = SCENARIOS / "teaching" / "smith1962_test1.yaml"
#: Every shipped scenario file, told by its kind (classroom, sweep, calibration, optimisation and sensitivity files
#: are other languages).
SHIPPED = sorted(p for p in SCENARIOS.rglob("*.yaml") if kind_of_file(load_raw(p)[0]) == "scenario")


def refused(path: Path, *sets: str, limits: Limits | None = None) -> list[str]:
    """The problems ``load_scenario`` reports (it must refuse)."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, list(sets), limits=limits)
    return [str(p) for p in info.value.problems]


# --------------------------------------------------------------------------- finite numbers only
@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "'inf'", "'NaN'", "'1e999'", "1e999"])
def test_inf_need_share_refused_at_validation(value):
    (problem,) = refused(WATER, f"water.groups.0.need_share.mean={value}")
    assert problem.startswith("<--set>:1: water.groups.0.need_share.mean: expected a finite number")


def test_nan_string_refused():
    (problem,) = refused(WATER, "water.groups.1.need_noise_sd='NaN'")
    assert "water.groups.1.need_noise_sd: expected a finite number; got 'NaN'" in problem


@pytest.mark.parametrize(("field", "expected"), [
    ("water.cap_m3", "expected a finite number"),                               # int
    ("water.default_base_price_yuan_per_m3", "expected a finite number"),       # Decimal (Money)
    ("water.groups.2.plan_margin_share", "expected a finite number"),           # float
])
def test_1e999_refused(field, expected):
    for text in ("1e999", "'1e999'"):
        (problem,) = refused(WATER, f"{field}={text}")
        assert f"{field}: " in problem
        assert expected in problem or "valid integer" in problem or "digits" in problem, problem


def test_1e999_text_in_an_int_field_is_not_a_whole_number():
    (problem,) = refused(WATER, "water.reserve.initial_rights_m3='1e999'")
    assert "water.reserve.initial_rights_m3: expected a valid integer" in problem


def test_nan_weather_probability_refused():
    (problem,) = refused(WATER, "weather.transition.wet.wet=.nan")
    assert "weather.transition.wet.wet: expected a finite number; got nan" in problem


def test_every_numeric_field_has_an_upper_bound():
    """Systematic: every int, float and Decimal of the scenario language is bounded above (le/lt, or a number
    of digits), so no value the schema allows overflows the engine's int64 units."""
    unbounded: list[str] = []
    seen: set[type] = set()

    def bounded(meta) -> bool:
        flat = [x for m in meta for x in (getattr(m, "metadata", None) or [m])]
        return any(isinstance(m, annotated_types.Le | annotated_types.Lt) or getattr(m, "max_digits", None)
                   for m in flat)

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, f in model.model_fields.items():
            stack = [(f.annotation, list(f.metadata))]
            while stack:
                tp, meta = stack.pop()
                if typing.get_origin(tp) is typing.Annotated:
                    args = typing.get_args(tp)
                    stack.append((args[0], meta + list(args[1:])))
                elif isinstance(tp, type) and issubclass(tp, BaseModel):
                    walk(tp)
                elif tp in (int, float, Decimal):
                    if not bounded(meta):
                        unbounded.append(f"{model.__name__}.{name}")
                else:
                    union = typing.get_origin(tp) in (typing.Union, type(int | None))
                    stack.extend((a, meta if union else []) for a in typing.get_args(tp) if a is not Ellipsis)

    walk(Scenario)
    assert len(seen) > 80
    assert unbounded == []


# --------------------------------------------------------------------------- ranges the engine can hold
def test_start_year_10_pow_30_refused():
    (problem,) = refused(WATER, f"calendar.start_year={10**30}")
    assert "calendar.start_year: expected less than or equal to 2200" in problem


@pytest.mark.parametrize(("setting", "field"), [
    ("water.cap_m3=10000000000000", "water.cap_m3"),
    ("water.default_base_price_yuan_per_m3=10000000000", "water.default_base_price_yuan_per_m3"),
    ("water.groups.0.confirmed_m3.sigma=50", "water.groups.0.confirmed_m3.sigma"),
    ("water.groups.0.need_share.mean=1e300", "water.groups.0.need_share.mean"),
    ("water.groups.0.first_expiry_year=99999", "water.groups.0.first_expiry_year"),
    ("seed=100000000000000000000", "seed"),
])
def test_values_beyond_int64_units_refused(setting, field):
    (problem,) = refused(WATER, setting)
    assert f": {field}: expected less than or equal to" in problem


def test_budget_with_fractions_of_a_fen_refused():
    (problem,) = refused(WATER, "water.reserve.budget_yuan_per_year=0.001")
    assert "water.reserve.budget_yuan_per_year" in problem and "decimal places" in problem


# --------------------------------------------------------------------------- cross-section references
def test_links_to_absent_market_refused_by_validate():
    problems = refused(FOUR, "water=")
    assert any(p.startswith(f"{FOUR}:") and ": links.pledges.0.product: 'water.right' is not traded" in p
               for p in problems), problems
    assert any(": links.projects.0.needs.water.right: project coking_expansion needs 'water.right'" in p
               for p in problems), problems


def test_links_to_absent_market_exit_2_from_the_cli(capsys):
    assert main(["validate", str(FOUR), "--set", "water="]) == 2
    err = capsys.readouterr().err
    assert "links.pledges.0.product" in err and "Traceback" not in err


def test_teaching_days_beyond_the_calendar_refused_by_validate():
    (problem,) = refused(SMITH, "teaching.periods=11")
    assert "teaching.periods: 11 trading days need as many trading sessions, but the calendar has 10" in problem


def test_zip_sides_with_different_parameters_refused_by_validate():
    zip_file = SCENARIOS / "teaching" / "smith1962_test1_zip.yaml"
    (problem,) = refused(zip_file, "teaching.buyer_behaviour={type: zip, momentum: [0.1, 0.2]}",
                         "teaching.seller_behaviour={type: zip}")
    assert "teaching.seller_behaviour: buyers and sellers using ZIP" in problem


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_market_products_agree_with_the_engine(path):
    scenario = load_scenario(path)
    engine = [p for pol in CATALOGUE.policies(scenario, ["normal"] * scenario.calendar.years)
              if pol.right != "links" for p in pol.products()]
    assert market_products(scenario) == engine


# --------------------------------------------------------------------------- every shipped scenario
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_every_shipped_scenario_still_validates(path):
    scenario = load_scenario(path)
    assert estimate(scenario).holders > 0


def test_a_value_that_validates_runs():
    scenario = load_scenario(FOUR, ["calendar.years=1", "calendar.start_year=2200"])
    assert simulate(scenario).kpis.shape[0] > 0


# --------------------------------------------------------------------------- work limits
def test_ten_million_holders_refused_up_front():
    t0 = time.perf_counter()
    (problem,) = refused(WATER, "water.groups.3.count=10000000")
    assert time.perf_counter() - t0 < 10
    assert problem.startswith("<--set>:1: water.groups.3.count: the number of holders of a run")
    assert "10,000,885" in problem and "holders=2,000,000" in problem and "--limit holders=N" in problem


def test_a_million_holders_refused_by_the_memory_estimate():
    limits = Limits(memory_bytes=8 * 2**30)
    (problem,) = refused(WATER, "water.groups.3.count=1000000", limits=limits)
    assert "output.holdings_every: the estimated peak memory of a run is" in problem
    assert "--limit memory_bytes=N" in problem
    load_scenario(WATER, ["water.groups.3.count=1000000", "output.holdings_every=none"], limits=limits)


def test_raising_the_limit_lets_it_through():
    assert load_scenario(WATER, ["water.groups.3.count=2500000", "output.holdings_every=none"],
                         limits=Limits(holders=3_000_000)).water.groups[3].count == 2_500_000


def test_ten_million_shouts_per_session_refused():
    (problem,) = refused(SMITH, "teaching.shouts_per_period=10000000", "calendar.sessions_per_year=100")
    assert "teaching.shouts_per_period: the number of shouts of a run (10,000,000 a trading day × 100" in problem
    assert "shouts=20,000,000" in problem and "--limit shouts=N" in problem
    w = estimate(load_scenario(SMITH, ["teaching.shouts_per_period=10000000"], limits=Limits(shouts=10**9)))
    assert w.shouts == 10**8 and w.peak_bytes > 10**7 * SHOUT_BYTES


# 401 rules are the fewest over the limit (2,005 rule-years); twenty thousand, the defect as found, take 3 s
# of YAML parsing and run with the slow tests
@pytest.mark.parametrize("rules", fast_and_full(401, 20_000))
def test_twenty_thousand_pledges_refused(rules):
    rule = "{product: water.right, value_yuan_per_unit: 1}"
    # the list itself is up to 100,000 YAML values: let the parser take it, so the work limit is what refuses
    (problem,) = refused(FOUR, "links.pledges=[" + ", ".join([rule] * rules) + "]",
                         limits=Limits(yaml_nodes=200_000, yaml_scalar_bytes=2_000_000))
    assert (f"links.pledges: the number of pledge rules × years ({rules:,} rules × 5 years) is {rules * 5:,}"
            in problem)
    assert "--limit pledges=N" in problem


def test_huge_sweep_dry_run_refused_fast(capsys):
    t0 = time.perf_counter()
    code = main(["sweep", str(SCENARIOS / "sweeps" / "water_random.yaml"), "--dry-run",
                 "--set", "design.samples=1000000", "--set", "seeds.replications=100000"])
    assert code == 2 and time.perf_counter() - t0 < 10
    err = capsys.readouterr().err
    assert "design.samples: the number of runs (1,000,000 samples × 100,000 replications) is 100,000,000,000" in err
    assert "--limit runs=N" in err


def test_huge_grid_sweep_refused_before_its_points_are_made(tmp_path):
    sweep = tmp_path / "grid.yaml"
    values = ", ".join(str(v) for v in range(1, 401))
    sweep.write_text(f"name: g\nscenario: {WATER}\ndesign:\n  type: grid\n  parameters:\n"
                     f"    water.groups.0.count: [{values}]\n    water.groups.1.count: [{values}]\n"
                     "seeds: {replications: 1}\n")
    with pytest.raises(ScenarioError) as info:
        load_sweep(sweep)
    assert "design.parameters: the number of runs (160,000 grid points × 1 replications)" in str(info.value)


def test_huge_replications_refused_before_the_runs_are_built():
    scenario = load_scenario(SMITH)
    t0 = time.perf_counter()
    with pytest.raises(WorkLimitError, match=r"100,000,000,000, over the limit runs=100,000"):
        replication_study(scenario, 10**11)
    assert time.perf_counter() - t0 < 1


def test_huge_replications_exit_2_from_the_cli(capsys):
    assert main(["run", str(SMITH), "--replications", str(10**11)]) == 2
    assert "over the limit runs=100,000" in capsys.readouterr().err


def test_compare_replications_over_the_limit_exit_2(capsys, tmp_path):
    assert main(["compare", str(SMITH), "--replications", "200000", "--out", str(tmp_path / "c")]) == 2
    assert "200,000, over the limit runs=100,000" in capsys.readouterr().err


def test_validate_reports_work_limit_problems(capsys):
    assert main(["validate", str(WATER), "--set", "water.groups.3.count=10000000"]) == 2
    assert "water.groups.3.count: the number of holders" in capsys.readouterr().err
