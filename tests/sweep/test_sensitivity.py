"""Sensitivity analysis (``rights-market sensitivity``): Sobol indices of the Ishigami function through the
whole pipeline (design file → SALib sample → runs in a store → indices), Morris screening of the water
scenario (a parameter without effect gets μ* = 0; the same design gives the same indices; a killed study
resumes without rerunning its finished runs; 1 and 2 Dask workers agree), located errors, the report."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import SCENARIOS, SMALL_WATER, cli_in_process, svg_texts
from rights_market.report.labels import LABELS, Labels
from rights_market.scenario import ScenarioError
from rights_market.sensitivity import DUMMY, analyse_store, load_design, run_sensitivity
from rights_market.sensitivity.report import FIGURE_RECORD as SENS_FIGURE_RECORD
from rights_market.sensitivity.report import output_label
from rights_market.sweep.task import RunPayload, kpi_row_table, run_task, table_bytes

ROOT = Path(__file__).resolve().parents[2]

# ------------------------------------------------------------------------------------ Ishigami
#: Ishigami function, a = 7, b = 0.1: published indices (Saltelli et al. 2008, Global Sensitivity Analysis:
#: The Primer, §1.4.2 / SALib's test function documentation).
ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]
TOLERANCE = 0.05
#: The stand-in's three inputs are these scenario values, each over [1, 2] (mapped onto [-π, π]).
ISHIGAMI_PATHS = [f"teaching.buyers_yuan.{i}" for i in range(3)]


def ishigami_stand_in(task) -> RunPayload:
    """The model stand-in: the Ishigami function of the task's design values, instead of a simulation,
    returned as the KPI row a run returns (output column ``teaching.efficiency``)."""
    x = [-math.pi + 2 * math.pi * (task.params[f"param.{p}"] - 1) for p in ISHIGAMI_PATHS]
    y = math.sin(x[0]) + 7 * math.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * math.sin(x[0])
    row = kpi_row_table(task, {"teaching.efficiency": y})
    return RunPayload(task.run_id, {}, {"stand_in": "ishigami"}, table_bytes(row))


@pytest.fixture
def fast_dir(tmp_path: Path):
    """A folder on a RAM disk when there is one (``/dev/shm``): the store fsyncs every run, and 1,280
    fsyncs on a disk shared with other work take 10-30 s; the results do not depend on where it is."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        with tempfile.TemporaryDirectory(dir=shm, prefix="rm-sens-") as d:
            yield Path(d)
    else:
        yield tmp_path


def test_sobol_indices_of_the_ishigami_function_match_the_published_values(tmp_path: Path, fast_dir: Path):
    design = tmp_path / "ishigami.yaml"
    params = "\n".join(f"  {p}: {{low: 1, high: 2}}" for p in ISHIGAMI_PATHS)
    design.write_text(f"""name: ishigami
scenario: {SCENARIOS / 'teaching' / 'smith1962_test1.yaml'}
method: {{type: sobol, n: 256}}
parameters:
{params}
outputs: [teaching.efficiency]
bootstrap: {{resamples: 200, seed: 3}}
""", encoding="utf-8")
    result = run_sensitivity(design, store=fast_dir / "store", workers=1, runner=ishigami_stand_in, lang=None,
                             progress=False)
    assert result.outcome.done_now == 256 * 5 == len(result.design.study.tasks)
    t = result.indices.table.set_index("parameter").loc[ISHIGAMI_PATHS]
    for got, want in ((t["S1"], ISHIGAMI_S1), (t["ST"], ISHIGAMI_ST)):
        assert [abs(g - w) for g, w in zip(got, want, strict=True)] == pytest.approx([0, 0, 0], abs=TOLERANCE)
    # the bootstrap intervals are real intervals around the estimates, and cover the published values
    assert (t["S1_conf"] > 0).all() and (t["ST_conf"] > 0).all()
    assert ((t["ST"] - t["ST_conf"] <= ISHIGAMI_ST) & (t["ST"] + t["ST_conf"] >= ISHIGAMI_ST)).all()


# ------------------------------------------------------------------------------------ water
#: Water outputs explained in the tests.
OUTPUTS = ["water.mean_price", "water.surcharge_revenue", "water.use", "water.traded_volume"]
#: No effect by construction: farmers are exempt from the agricultural use fee until 2025 (W6,
#: ``farmer_fee_exempt_until_year``), and the runs end in 2022.
EXEMPT_FEE = "water.fees.agricultural_use_fee_yuan_per_m3"


def water_design(tmp_path: Path, name: str = "water_morris", trajectories: int = 2) -> Path:
    """A Morris design over the small water scenario (2 years of quarterly sessions): three parameters and
    the dummy. Quarterly: participation moves the traded volume by ~40,000 m³ a year (μ*; seeds 1, 2, 5)
    against ~11,000-38,000 with monthly sessions, both far above what the test asks."""
    values = dict(s.split("=", 1) for s in [*SMALL_WATER, "calendar.years=2", "calendar.sessions_per_year=4"])
    sets = "\n".join(f"  {k}: {v}" for k, v in values.items())
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"""name: {name}
scenario: {SCENARIOS / 'dawukou_water.yaml'}
set:
{sets}
method: {{type: morris, trajectories: {trajectories}, levels: 4, seed: 11}}
parameters:
  water.economics.expectation_weight: {{low: 0.2, high: 0.8}}
  water.groups.2.participation: {{low: 0.3, high: 0.9, decimals: 2}}
  {EXEMPT_FEE}: {{low: 0.0, high: 0.5}}
dummy: true
outputs: [{", ".join(OUTPUTS)}]
seeds: {{base: 5}}
bootstrap: {{resamples: 200}}
keep_tables: [kpis]
""", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def water_run(tmp_path_factory: pytest.TempPathFactory):
    d = tmp_path_factory.mktemp("water")
    return d, run_sensitivity(water_design(d), store=d / "store", workers=1, progress=False)


def test_parameters_without_effect_get_mu_star_zero_and_the_others_do_not(water_run):
    _, result = water_run
    assert result.outcome.done_now == 2 * (4 + 1) and not result.indices.notes
    t = result.indices.table.set_index(["output", "parameter"])
    for out in OUTPUTS:
        # the dummy sets nothing and the exempt fee charges nobody: every Morris step of theirs runs the same
        # scenario on the same seed, so the effect is exactly zero, interval included
        for p in (DUMMY, EXEMPT_FEE):
            assert t.loc[(out, p), "mu_star"] == 0 and t.loc[(out, p), "mu_star_conf"] == 0
    # industry's participation moves the market: the traded volume and the mean price respond
    for out in ("water.traded_volume", "water.mean_price"):
        assert t.loc[(out, "water.groups.2.participation"), "mu_star"] > 0
    assert t.loc[("water.traded_volume", "water.groups.2.participation"), "mu_star"] > 1000  # m³ a year


def test_the_report_is_written_in_english_and_chinese(water_run, tmp_path: Path):
    d, result = water_run
    store = d / "store"
    md = (store / "sensitivity.md").read_text(encoding="utf-8")
    assert "Morris screening" in md and "water.groups.2.participation" in md
    figures = sorted(p.name for p in (store / "figures").glob("sensitivity_*"))
    assert figures == sorted(f"sensitivity_{o}.svg" for o in OUTPUTS)

    def tornado(output: str) -> list[str]:  # the texts of an output's figure: its title, then a bar per parameter
        return svg_texts((store / "figures" / f"sensitivity_{output}.svg").read_text(encoding="utf-8"))

    en = Labels("en")
    for o in OUTPUTS:
        texts = tornado(o)
        assert texts[0] == output_label(en, o)
        assert {"water.groups.2.participation", EXEMPT_FEE, en("sens.dummy")} <= set(texts)
    # a PNG of a report written before the figures were SVG, in its record: the next report removes it
    old = store / "figures" / "sensitivity_water.old_output.png"
    old.write_bytes(b"\x89PNG")
    record = store / "figures" / SENS_FIGURE_RECORD
    record.write_text(json.dumps([*json.loads(record.read_text(encoding="utf-8")), old.name]), encoding="utf-8")
    code = cli_in_process("sensitivity", str(water_design(d)), "--store", str(store), "--workers", "1",
                          "--lang", "zh", "--no-progress")
    assert code.returncode == 0, code.stderr
    assert f"{len(result.design.study.tasks)} already in the store, 0 done now" in code.stdout
    assert not old.exists() and sorted(p.name for p in (store / "figures").glob("sensitivity_*")) == figures
    zh = (store / "sensitivity.md").read_text(encoding="utf-8")
    assert LABELS["zh"]["sens.method.morris"] in zh and LABELS["zh"]["sens.howto.dummy"] in zh
    html = (store / "sensitivity.html").read_text(encoding="utf-8")
    assert html.count("<svg ") == len(OUTPUTS) and "data:image/" not in html  # every figure inline
    zh_labels = Labels("zh")
    for o in OUTPUTS:  # drawn again, in Chinese, over the English figures
        texts = tornado(o)
        assert texts[0] == output_label(zh_labels, o) and zh_labels("sens.dummy") in texts
        assert (store / "figures" / f"sensitivity_{o}.svg").read_text(encoding="utf-8").split(">", 1)[1] in html
    # the indices come again from the store alone, the same
    _, from_store = analyse_store(store)
    pd.testing.assert_frame_equal(result.indices.table, from_store.table, check_exact=True)
    # `rights-market report STORE` writes the sensitivity report of a sensitivity store
    code = cli_in_process("report", str(store))
    assert code.returncode == 0, code.stderr
    assert f"written: {store / 'sensitivity.md'}" in code.stdout and not (store / "report.md").exists()
    assert "Morris screening" in (store / "sensitivity.md").read_text(encoding="utf-8")


class Interrupt(BaseException):
    """What a kill looks like to the study: not an error of a run (those are recorded), the end."""


_calls: list[str] = []


def _runner_killed_after_3(task):
    if len(_calls) == 3:
        raise Interrupt
    _calls.append(task.run_id)
    return run_task(task)


def _runner_counting(task):
    _calls.append(task.run_id)
    return run_task(task)


def test_a_killed_study_resumes_without_rerunning_finished_runs_and_ends_as_an_unbroken_one(water_run,
                                                                                           tmp_path: Path):
    """Also the determinism check: the same design and seed, run again (in two goes), give the same indices
    and the same sensitivity.csv, byte for byte."""
    d, complete = water_run
    design = water_design(tmp_path)
    _calls.clear()
    with pytest.raises(Interrupt):
        run_sensitivity(design, store=tmp_path / "store", workers=1, progress=False, runner=_runner_killed_after_3)
    finished = sorted(p.stem for p in (tmp_path / "store" / "kpis").glob("*.parquet"))
    assert finished == sorted(_calls) and len(finished) == 3
    _calls.clear()
    result = run_sensitivity(design, store=tmp_path / "store", workers=1, progress=False, runner=_runner_counting)
    all_ids = [t.run_id for t in result.design.study.tasks]
    assert sorted(_calls) == sorted(set(all_ids) - set(finished))  # only the unfinished ones ran
    assert result.outcome.done_before == 3 and result.outcome.complete
    pd.testing.assert_frame_equal(result.indices.table, complete.indices.table, check_exact=True)
    assert (d / "store" / "sensitivity.csv").read_bytes() == (tmp_path / "store" / "sensitivity.csv").read_bytes()


@pytest.mark.slow
def test_one_and_two_dask_workers_give_identical_indices(water_run, tmp_path: Path):
    d, one = water_run
    two = run_sensitivity(water_design(tmp_path), store=tmp_path / "store", workers=2, progress=False)
    pd.testing.assert_frame_equal(one.indices.table, two.indices.table, check_exact=True)
    for p in sorted((d / "store" / "kpis").glob("*.parquet")):
        assert p.read_bytes() == (tmp_path / "store" / "kpis" / p.name).read_bytes()
    assert (d / "store" / "sensitivity.csv").read_bytes() == (tmp_path / "store" / "sensitivity.csv").read_bytes()


# ------------------------------------------------------------------------------------ design files
def test_the_shipped_water_design_is_valid_and_screens_assumptions_plus_a_dummy():
    path = SCENARIOS / "sweeps" / "water_sensitivity.yaml"
    design = load_design(path)
    spec = design.spec
    assert spec.method.type == "morris" and spec.dummy
    assert len(design.study.tasks) == spec.method.trajectories * (len(spec.parameters) + 2)
    text = path.read_text(encoding="utf-8")
    assert all(p in text for p in spec.parameters) and len(spec.parameters) >= 10
    assert design.matrix.shape == (len(design.study.points), len(spec.parameters) + 1)


@pytest.mark.parametrize(("change", "where", "message"), [
    ("water.groups.2.participation: {low: 0.3, high: 0.9, decimals: 2}",
     "water.groups.2.particpation: {low: 0.3, high: 0.9, decimals: 2}", "unknown field 'particpation'; did you mean 'participation'?"),
    ("water.economics.expectation_weight: {low: 0.2, high: 0.8}",
     "water.economics.expectation_weight: {low: 0.2, high: 1.8}", "expectation_weight"),
    ("outputs: [water.mean_price,", "outputs: [water.mean_prize,", "'mean_prize' in 'water.mean_prize' is not a metric"),
    ("method: {type: morris, trajectories: 2, levels: 4, seed: 11}",
     "method: {type: sobol, n: 100}", "n must be a power of 2"),
    ("{low: 0.2, high: 0.8}", "{low: 0.8, high: 0.2}", "high must be greater than low"),
])
def test_design_mistakes_are_located_with_exit_code_2(tmp_path: Path, change: str, where: str, message: str):
    path = water_design(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert change in text
    path.write_text(text.replace(change, where, 1), encoding="utf-8")
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if where[:20] in t)
    with pytest.raises(ScenarioError) as err:
        load_design(path)
    assert message in str(err.value)
    res = cli_in_process("sensitivity", str(path), "--store", str(tmp_path / "s"), "--workers", "1")
    assert res.returncode == 2 and f"{path}:{line}:" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "s").exists()


def test_the_package_names_resolve_to_what_they_name_after_every_submodule_is_loaded():
    import importlib
    import types

    import rights_market.sensitivity as pkg

    for sub in ("analyse", "api", "commands", "design", "report", "spec", "study"):
        importlib.import_module(f"rights_market.sensitivity.{sub}")
    assert not [n for n in pkg.__all__ if isinstance(getattr(pkg, n), types.ModuleType)]
    assert pkg.run_sensitivity.__module__ == "rights_market.sensitivity.api"
