"""Fast start (issue 15): the commands that only read a scenario or print help load no heavy library.

Each command runs in a fresh interpreter through :func:`rights_market.cli.main`; afterwards the test reads
``sys.modules`` of that interpreter. What is asserted is a property (which modules were imported), not a
timing: ``benchmarks/bench_startup.py`` measures the CPU seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT

#: loaded only by the commands that simulate, report, sweep or serve
HEAVY = ["numba", "dask", "distributed", "matplotlib", "openpyxl", "fastapi", "uvicorn", "pandas", "pyarrow",
         "simpy", "scipy", "jinja2", "optuna", "SALib", "rights_market.engine.run", "rights_market.engine.world",
         "rights_market.rights.catalogue", "rights_market.sweep.execute", "rights_market.sweep.store",
         "rights_market.sweep.task", "rights_market.report.build", "rights_market.report.figures",
         "rights_market.report.render", "rights_market.report.workbook", "rights_market.classroom.session"]
# Light on purpose: engine.descriptor (what a right says about itself), sweep.spec, sweep.research_spec and
# sensitivity.spec (the study files' models, for the schema and ``validate``). ``validate`` of a sensitivity
# design is not light: it draws the design's runs with SALib to check every scenario they make.
#: not even these for --help and --version
PARSER_ONLY = ["pydantic", "numpy", "ruamel", "rights_market.scenario"]

PROBE = """
import json, sys
from rights_market.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # --help and --version exit from argparse
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""

SCENARIO = str(ROOT / "scenarios" / "dawukou_water.yaml")
FOUR = str(ROOT / "scenarios" / "dawukou_four_rights.yaml")

COMMANDS = {
    "help": ["--help"],
    "version": ["--version"],
    "schema": ["schema"],
    "validate": ["validate", SCENARIO],
    "validate_four_rights": ["validate", FOUR],
    "validate_calibration": ["validate", str(ROOT / "scenarios" / "calibration" / "yinchuan_2021_buyer_value.yaml")],
    "validate_optimisation": ["validate", str(ROOT / "scenarios" / "optimisation" / "water_surcharge_step.yaml")],
    "charge": ["charge", SCENARIO, "--product", "industry", "--plan", "1000", "--use", "1500"],
    "charge_json": ["charge", FOUR, "--product", "water.agriculture", "--plan", "0", "--use", "10", "--json"],
}


def loaded_after(argv: list[str]) -> tuple[int, set[str]]:
    """Exit code of ``main(argv)`` in a fresh interpreter and the modules it had imported by then."""
    p = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, cwd=ROOT, timeout=120)
    report = json.loads(p.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def imported(modules: set[str], names: list[str]) -> list[str]:
    """The names of ``names`` that are in ``modules``, as packages (``dask`` also matches ``dask.array``)."""
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


@pytest.mark.slow  # a fresh interpreter
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_light_commands_import_no_heavy_library(command):
    code, modules = loaded_after(COMMANDS[command])
    assert code == 0
    assert "rights_market.cli" in modules  # the probe did run the command line
    assert imported(modules, HEAVY) == []
    if command in ("help", "version"):
        assert imported(modules, PARSER_ONLY) == []
    else:
        assert "rights_market.scenario.model" in modules  # it did read a scenario (or its schema)


@pytest.mark.slow  # a fresh interpreter
def test_the_package_imports_lightly_and_its_api_still_resolves():
    code = ("import sys, rights_market as rm; before = 'rights_market.api' in sys.modules or 'pandas' in sys.modules;"
            "f = rm.simulate; print(before, f.__module__, 'pandas' in sys.modules, sorted(rm.__all__) == sorted("
            "n for n in dir(rm) if n in rm.__all__))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["False", "rights_market.api", "True", "True"]


def test_a_bad_api_name_is_an_attribute_error():
    import rights_market

    with pytest.raises(AttributeError, match="no_such_name"):
        rights_market.no_such_name  # noqa: B018


#: what ``report`` of a run directory never needs: the simulation, the sweep, the scenario models, and
#: matplotlib: the report draws its figures as SVG itself (PIL is loaded, by openpyxl's drawing module)
NOT_FOR_A_REPORT = ["numba", "dask", "distributed", "simpy", "rights_market.api", "rights_market.engine.run",
                    "rights_market.engine.world", "rights_market.rights.catalogue", "rights_market.sweep",
                    "rights_market.scenario", "ruamel", "matplotlib"]


@pytest.mark.slow  # a fresh interpreter
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_of_a_run_directory_loads_no_simulation_sweep_scenario_model_or_matplotlib(tmp_path, lang):
    """``report RUN_DIR`` reads tables and draws: numba, dask, the engine and rights, the sweep's store and the
    scenario models stay unloaded (the label catalogues are read without the YAML parser), and so does
    matplotlib, in either language (the Chinese report also embeds its font subset)."""
    import pandas as pd

    run = tmp_path / "run"
    run.mkdir()
    manifest = {"scenario_name": "t", "scenario_hash": "0" * 16, "seed": 1, "package_version": "0"}
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    pd.DataFrame({"time": [365.0, 730.0], "year": [2021, 2022], "right": ["water"] * 2, "metric": ["use"] * 2,
                  "value": [1.0, 2.0], "unit": ["m3"] * 2}).to_parquet(run / "kpis.parquet")
    code, modules = loaded_after(["report", str(run), "--lang", lang])
    suffix = "" if lang == "en" else f".{lang}"
    assert code == 0 and (run / f"report{suffix}.xlsx").is_file()
    assert "rights_market.report.build" in modules  # the report was built
    figure = run / "figures" / f"water_use{suffix}.svg"  # and drew its figure
    assert "rights_market.report.figures" in modules and figure.read_text(encoding="utf-8").startswith("<svg ")
    if lang == "zh":
        assert "rights_market.report.webfont" in modules  # the font subset: fontTools, not matplotlib
    assert imported(modules, NOT_FOR_A_REPORT) == []
