"""Calibration and optimisation through the sweep machinery: recovery of known parameters, a monotone
optimum found within one grid step, determinism over workers, resume after a partial run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rights_market.sweep.calibrate import calibrate, load_calibration
from rights_market.sweep.optimise import load_optimisation, optimise
from rights_market.sweep.research import evaluate_batch

ROOT = Path(__file__).resolve().parents[2]
WATER = ROOT / "scenarios" / "dawukou_water.yaml"
SMALL = """\
scenario: {water}
set:
  calendar.years: 1
  calendar.sessions_per_year: 4
  water.groups.0.count: 40
  water.groups.1.count: 4
  water.groups.2.count: 10
  water.groups.3.count: 20
  water.groups.4.count: 2
  water.long_term.enabled: false
  water.contract_saving.enabled: false    # W14 sells in term deals: off with them
seeds: {{base: 1, replications: 2}}
"""
TARIFF = "water.pricing.industry.tariff.yuan_per_m3.0"
STEP = "water.pricing.industry.surcharge.step_share"
TRUE_TARIFF = 3.6
TARIFF_TOL = 0.15


def _calibration(tmp: Path, targets: dict[str, float],
                 search: str = "{trials: 16, batch_size: 4, seed: 3, startup_trials: 6}") -> Path:
    text = f"name: synthetic\n{SMALL.format(water=WATER)}" + f"""\
parameters:
  {TARIFF}: {{low: 2.0, high: 5.0, decimals: 2}}
targets:
  - {{name: use, metric: {{kpi: water.use}}, observed: {targets['water.use']}, tolerance: 20000, source: synthetic}}
  - {{name: tariff_revenue, metric: {{kpi: water.tariff_revenue}}, observed: {targets['water.tariff_revenue']},
      tolerance: 100000, source: synthetic}}
search: {search}
"""
    path = tmp / "cal.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _synthetic_targets(tmp: Path) -> dict[str, float]:
    """The model's own values at the known tariff, through the same pipeline and seeds."""
    path = _calibration(tmp, {"water.use": 0, "water.tariff_revenue": 0})
    cal = load_calibration(path)
    res = evaluate_batch("truth", 0, 0, [{TARIFF: TRUE_TARIFF}], cal.spec.parameters, cal.base,
                         [t.metric for t in cal.spec.targets], cal.spec.seeds, tmp / "truth", workers=1)
    return res.trials[0].means


# slow: 16 trials to find the tariff; the inner loop calibrates by the resume test and the shipped calibration
@pytest.mark.slow
def test_calibration_recovers_a_known_tariff(tmp_path):
    targets = _synthetic_targets(tmp_path)
    r = calibrate(_calibration(tmp_path, targets), store=tmp_path / "store", workers=1, progress=False)
    assert len(r.trials) == 16
    assert abs(r.best["params"][TARIFF] - TRUE_TARIFF) <= TARIFF_TOL
    assert r.residuals["within"].all()
    u = r.uncertainty.iloc[0]
    assert u.acceptable_trials >= 1 and u.low <= r.best["params"][TARIFF] <= u.high
    assert (r.store / "trials.csv").is_file() and (r.store / "residuals.csv").is_file()


def test_calibration_resumes_after_a_partial_run(tmp_path):
    targets = {"water.use": 3.8e6, "water.tariff_revenue": 7.0e6}
    # two batches of 2 before the stop and one after, all but the first 2 trials guided by the finished ones:
    # guided trials on both sides of the stop
    path = _calibration(tmp_path, targets, "{trials: 6, batch_size: 2, seed: 3, startup_trials: 2}")
    part = calibrate(path, store=tmp_path / "s", workers=1, progress=False, max_batches=2)
    assert len(part.trials) == 4
    rest = calibrate(path, store=tmp_path / "s", workers=1, progress=False)
    assert rest.runs_done_now == 2 * 2          # only the unfinished trials ran
    whole = calibrate(path, store=tmp_path / "w", workers=1, progress=False)
    pd.testing.assert_frame_equal(rest.trials, whole.trials, check_exact=True)


def _optimisation(tmp: Path, trials: int = 16) -> Path:
    text = f"name: step_search\n{SMALL.format(water=WATER)}" + f"""\
parameters:
  {STEP}: {{low: 0.05, high: 1.0, step: 0.05}}
constraints:
  - {{name: over_plan, metric: {{charges: [surcharge], sector: industry, field: quantity}}, at_most: 21000}}
objectives:
  - {{name: step, metric: {{param: {STEP}}}}}
search: {{trials: {trials}, batch_size: 4, seed: 0, startup_trials: 6}}
"""
    path = tmp / "opt.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# slow: 16 trials and a 13-point grid; the inner loop optimises by the Pareto and the located-error tests
@pytest.mark.slow
def test_optimise_finds_the_least_step_meeting_the_constraint_within_one_grid_step(tmp_path):
    path = _optimisation(tmp_path)
    r = optimise(path, store=tmp_path / "store", workers=1, progress=False)
    # the grid a researcher would otherwise run: every step of 0.05 from 0.30 to 0.90, same seeds
    opt = load_optimisation(path)
    grid = [round(0.30 + 0.05 * i, 2) for i in range(13)]
    res = evaluate_batch("grid", 0, 0, [{STEP: g} for g in grid], opt.spec.parameters, opt.base,
                         [opt.spec.constraints[0].metric], opt.spec.seeds, tmp_path / "grid", workers=1)
    label = opt.spec.constraints[0].metric.label()
    feasible = [g for g, t in zip(grid, res.trials, strict=True) if t.means[label] <= 21000]
    assert feasible, "the grid must reach the constraint"
    assert feasible[0] > 0.30                      # the optimum is inside the range searched
    assert r.best["params"][STEP] >= feasible[0] - 1e-9
    assert r.best["params"][STEP] <= feasible[0] + 0.05 + 1e-9
    assert r.trials.loc[r.trials["trial"] == r.best["trial"], "feasible"].all()


def test_two_objectives_give_a_pareto_table_of_non_dominated_feasible_trials(tmp_path):
    text = f"name: pareto\n{SMALL.format(water=WATER)}" + f"""\
parameters:
  {STEP}: {{low: 0.1, high: 1.0, step: 0.1}}
constraints:
  - {{name: over_plan, metric: {{charges: [surcharge], sector: industry, field: quantity}},
      at_most_share_of_baseline: 1.0}}
objectives:
  - {{name: charges, metric: {{charges: [tariff, surcharge], sector: industry}}}}
  - {{name: over_plan_use, metric: {{charges: [surcharge], sector: industry, field: quantity}}}}
search: {{trials: 8, batch_size: 4, seed: 0, startup_trials: 4}}
"""
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    r = optimise(path, store=tmp_path / "store", workers=1, progress=False)
    assert r.baseline and len(r.pareto) >= 1 and r.pareto["feasible"].all()
    ok = r.trials[r.trials["feasible"]]
    for p in r.pareto.itertuples():
        dominated = ((ok["charges"] <= p.charges) & (ok["over_plan_use"] <= p.over_plan_use)
                     & ((ok["charges"] < p.charges) | (ok["over_plan_use"] < p.over_plan_use)))
        assert not dominated.any()


def test_a_bad_parameter_path_is_located_and_exits_2(tmp_path, capsys):
    from rights_market.cli import main

    path = _optimisation(tmp_path)
    path.write_text(path.read_text().replace("surcharge.step_share: {", "surcharge.stepshare: {"))
    assert main(["optimise", str(path), "--store", str(tmp_path / "s"), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{path.name}:" in err and "stepshare" in err


def test_shipped_calibration_of_yinchuan_2021_fits_the_published_price(tmp_path, capsys):
    from rights_market.cli import main

    cal = ROOT / "scenarios" / "calibration" / "yinchuan_2021_buyer_value.yaml"
    assert main(["calibrate", str(cal), "--store", str(tmp_path / "s"), "--workers", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "nox_price" in out and "[R]" in out
    best = pd.read_csv(tmp_path / "s" / "residuals.csv")
    assert best["within"].all()


@pytest.mark.slow
def test_same_results_on_one_and_two_workers(tmp_path):
    path = _optimisation(tmp_path, trials=8)
    one = optimise(path, store=tmp_path / "one", workers=1, progress=False)
    two = optimise(path, store=tmp_path / "two", workers=2, progress=False)
    pd.testing.assert_frame_equal(one.trials, two.trials, check_exact=True)
    assert one.best == two.best
