"""The README's commands work as written after set-up: each is run here, in process, from a fresh copy of
``scenarios/`` in a temporary folder (the README's working directory), made small by appending arguments. The simulations are marked ``slow``.

Every ``rights-market ...`` line of the README's bash blocks after the set-up section (the synopsis of "All
commands" aside, whose words in capitals are placeholders) must have an entry in ``SMALL``: the arguments
appended to run it in seconds (a later ``--replications`` wins over the README's; ``--set`` adds to it) and
what its output must show. The README's Python blocks are run as written.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import svg_texts
from rights_market import cli
from rights_market.report.labels import Labels
from rights_market.sensitivity.report import output_label

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: The default water scenario, shrunk to ~160 holders and one year (as tests/conftest.py's SMALL_WATER).
SMALL_WATER = ["calendar.years=1", "calendar.sessions_per_year=12", "water.groups.0.count=80",
               "water.groups.1.count=4", "water.groups.2.count=12", "water.groups.3.count=60",
               "water.groups.4.count=2", "water.cap_m3=3500000"]


def _set(overrides: list[str]) -> list[str]:
    return [a for o in overrides for a in ("--set", o)]


def _charge(out: str, folder: Path) -> None:
    # the README: 3.30 yuan/m³ on all 1,260 m³ (4,158.00 yuan) and 792.00 yuan of W9 surcharges in 3 bands
    text = out.replace(",", "")
    assert re.search(r"^tariff\s+4158\.00\b", text, re.M) and re.search(r"^surcharge\s+792\.00\b", text, re.M)
    assert len(re.findall(r"^surcharge\s+[123]\s", text, re.M)) == 3


def _compare(out: str, folder: Path) -> None:
    (written,) = (folder / "results").glob("compare-dawukou_water-*")
    for name in ["report.zh.html", "report.zh.md", "compare.zh.xlsx"]:  # the README's compare is --lang zh
        assert (written / name).is_file(), name
    with pd.ExcelFile(written / "compare.zh.xlsx") as book:
        assert len(book.sheet_names) > 1


def _replications(out: str, folder: Path) -> None:
    (store,) = (folder / "results").glob("dawukou_four_rights-seed*-x2")
    assert len(list((store / "kpis").glob("*.parquet"))) == 2
    # a short summary per right with units (median over the runs and its band: the range below 20 runs)
    assert "Water" in out or "Emission" in out
    assert "range of 2 runs" in out


def _sweep(out: str, folder: Path) -> None:
    store = folder / "results" / "sweeps" / "water_price_grid"
    assert len(list((store / "kpis").glob("*.parquet"))) == 6  # 3 base prices × 2 surcharge steps × 1 seed
    assert (store / "report.html").is_file() and (store / "report.xlsx").is_file()


def _classroom(out: str, folder: Path) -> None:
    assert "equilibrium" in out and "firm" in out


def _calibrate(out: str, folder: Path) -> None:
    # docs/sweeps.md, Calibration: best trial, residual per target, every trial, parameter uncertainty
    import json

    store = folder / "results" / "calibration" / "yinchuan_2021_buyer_value"
    trials = pd.read_csv(store / "trials.csv")
    residuals = pd.read_csv(store / "residuals.csv")
    best = json.loads((store / "best.json").read_text(encoding="utf-8"))
    assert len(trials) == 4 and (store / "uncertainty.csv").is_file()
    assert list(residuals.target) == ["nox_price", "nox_volume"]
    assert list(residuals.observed) == [4000, 4092] and residuals.source.str.startswith("[R]").all()
    # the loss is Σ ((model − observed) / tolerance)², and the best trial has the least of them
    loss = float((((residuals.model - residuals.observed) / residuals.tolerance) ** 2).sum())
    assert best["loss"] == pytest.approx(loss) == pytest.approx(trials.loss.min())
    assert trials.loss.idxmin() == trials.index[trials.trial == best["trial"]][0]
    assert f"best: trial {best['trial']}" in out and "nox_price" in out


def _optimise(out: str, folder: Path) -> None:
    # docs/sweeps.md, Optimisation: the baseline first, every trial, and the Pareto table of the feasible ones
    import json

    store = folder / "results" / "optimisation" / "water_surcharge_step"
    result = json.loads((store / "result.json").read_text(encoding="utf-8"))
    trials = pd.read_csv(store / "trials.csv")
    pareto = pd.read_csv(store / "pareto.csv")
    assert len(trials) == 4 and (store / "baseline").is_dir()
    bound = 0.8 * result["baseline"]["charges.surcharge.quantity(industry)"]  # over-plan use cut by 20 %
    assert list(trials.feasible) == list(trials.over_plan_m3 <= bound)
    assert pareto.feasible.all() and (pareto.over_plan_m3 <= bound).all()
    objectives = ["industry_charges_yuan", "over_plan_use_m3"]  # both minimised
    feasible = [tuple(r) for r in trials[trials.feasible][objectives].to_numpy()]
    front = [tuple(r) for r in pareto[objectives].to_numpy()]

    def beats(a: tuple, b: tuple) -> bool:
        return all(x <= y for x, y in zip(a, b, strict=True)) and a != b

    # no feasible trial beats a Pareto trial, and every feasible trial left out is beaten by one
    assert not any(beats(f, p) for f in feasible for p in front)
    assert all(f in front or any(beats(p, f) for p in front) for f in feasible)
    assert "optimisation: 4 trials" in out


def _sensitivity(out: str, folder: Path) -> None:
    # docs/sweeps.md, Sensitivity: a store with the indices (sensitivity.csv), the report and a tornado per output
    store = folder / "results" / "sensitivity" / "water_sensitivity"
    outputs = ["water.surcharge_revenue", "water.mean_price", "water.traded_volume", "water.use",
               "water.unmet_need", "water.efficiency"]
    assert len(list((store / "kpis").glob("*.parquet"))) == 2 * (15 + 1 + 1)  # trajectories × (parameters + 1)
    indices = pd.read_csv(store / "sensitivity.csv")
    assert list(indices.output.unique()) == outputs and len(indices) == len(outputs) * 16
    assert (indices[indices.parameter == "dummy"].mu_star == 0).all()  # one seed: the dummy's μ* is zero
    assert (indices.mu_star > 0).any()
    for name in ["sensitivity.md", "sensitivity.html", *(f"figures/sensitivity_{o}.svg" for o in outputs)]:
        assert (store / name).is_file(), name
    assert not list((store / "figures").glob("*.png"))
    for o in outputs:  # a tornado per output: its title, a bar per parameter (the dummy among them)
        texts = svg_texts((store / "figures" / f"sensitivity_{o}.svg").read_text(encoding="utf-8"))
        assert texts[0] == output_label(Labels("en"), o) and "dummy (sets nothing)" in texts
    assert all(f"{o}:" in out for o in outputs)


#: A study file's ``set:`` (applied to every run of a sweep, an optimisation or a sensitivity design) replaced
#: by SMALL_WATER, as a YAML mapping.
SMALL_SWEEP_SET = "set={" + ", ".join(o.replace("=", ": ") for o in SMALL_WATER) + "}"

#: (command, its first argument) → (arguments appended to run it small, the check of its output and files,
#: whether it takes more than a second or two: simulations and reports are marked slow)
SMALL = {
    ("charge", "scenarios/dawukou_water.yaml"): ([], _charge, False),
    ("compare", "scenarios/dawukou_water.yaml"):
        (["--replications", "2", "--workers", "1", "--no-progress", *_set(SMALL_WATER)], _compare, True),
    ("run", "scenarios/dawukou_four_rights.yaml"):
        (["--replications", "2", "--workers", "1", "--no-progress", "--set", "calendar.years=1"], _replications,
         True),
    ("sweep", "scenarios/sweeps/water_price_grid.yaml"):
        (["--workers", "1", "--no-progress", "--set", "seeds.replications=1", "--set", SMALL_SWEEP_SET], _sweep,
         True),
    ("classroom", "scenarios/classroom/water_market.yaml"): (["--check"], _classroom, False),  # no server
    ("calibrate", "scenarios/calibration/yinchuan_2021_buyer_value.yaml"):
        (["--workers", "1", "--no-progress", "--set", "search.trials=4", "--set", "search.batch_size=2",
          "--set", "search.startup_trials=2"], _calibrate, False),
    ("optimise", "scenarios/optimisation/water_surcharge_step.yaml"):
        (["--workers", "1", "--no-progress", "--set", "seeds.replications=1", "--set", "search.trials=4",
          "--set", "search.batch_size=2", "--set", "search.startup_trials=2", "--set", SMALL_SWEEP_SET],
         _optimise, True),
    ("sensitivity", "scenarios/sweeps/water_sensitivity.yaml"):
        (["--no-progress", "--set", "method.trajectories=2", "--set", SMALL_SWEEP_SET, "--workers", "1"],
         _sensitivity, True),  # a later --workers wins over the README's
}


def sections() -> dict[str, str]:
    """The README's ``## `` sections after "Set up", by title."""
    parts = README.split("\n## ")[1:]
    titles = [p.split("\n", 1)[0] for p in parts]
    start = next(i for i, t in enumerate(titles) if t.startswith("Set up")) + 1
    return {p.split("\n", 1)[0]: p for p in parts[start:]}


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)\n```", text, flags=re.S)


def readme_commands() -> list[str]:
    """Every ``rights-market ...`` line after set-up (continuation lines joined, comments cut), in order."""
    found = []
    for title, text in sections().items():
        if title == "All commands":
            continue
        for block in blocks(text, "bash"):
            for line in block.replace("\\\n", " ").splitlines():
                line = line.split("  #", 1)[0].strip()
                if line.startswith("rights-market "):
                    found.append(" ".join(line.split()))
    return found


def key(command: str) -> tuple[str, str]:
    words = shlex.split(command)
    return words[1], words[2]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working folder holding a copy of the shipped scenarios, made the current directory."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_readme_command_has_a_small_run_here():
    commands = readme_commands()
    assert len(commands) >= 5
    assert sorted(map(key, commands)) == sorted(SMALL), (
        "a README command without a small run in tests/project/test_readme_commands.py (or one that left the README)")


def test_readme_says_how_to_put_the_command_on_the_path():
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    assert "source .venv/bin/activate" in setup and ".venv/bin/rights-market" in setup


def test_synopsis_lists_every_command_of_the_cli():
    synopsis = "\n".join(blocks(sections()["All commands"], "bash"))
    listed = set(re.findall(r"^rights-market (\w+)", synopsis, flags=re.M))
    subparsers = next(a for a in cli._parser()._actions if a.dest == "command")
    assert listed == set(subparsers.choices)


@pytest.mark.parametrize("command", [
    pytest.param(c, id="-".join(key(c)), marks=[pytest.mark.slow] if key(c) in SMALL and SMALL[key(c)][2] else [])
    for c in readme_commands()
])
def test_readme_command_runs(command: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra, check, _ = SMALL[key(command)]
    assert cli.main(shlex.split(command)[1:] + extra) == 0
    out = capsys.readouterr().out
    check(out, folder)


@pytest.mark.slow  # a three-year simulation of the default water market, as written
@pytest.mark.parametrize("index", range(len(blocks(README, "python"))))
def test_readme_python_block_runs(index: int, folder: Path) -> None:
    code = blocks(README, "python")[index]
    namespace: dict = {}
    exec(compile(code, f"README.md python block {index + 1}", "exec"), namespace)
    run = folder / "results" / "my-run"
    assert (run / "manifest.json").is_file() and (run / "trades.parquet").is_file()
    assert int(namespace["result"].trades.quantity.sum()) > 0
