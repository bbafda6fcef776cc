"""Fuzzing the scenario language: mutants of the shipped files are accepted or refused, never an internal error.

The fuzzer is ``benchmarks/fuzz_scenarios.py`` (its docstring lists the mutations); here it runs on a small,
seeded set of files through ``rights_market.cli.main`` in this process (output captured by ``capsys``), sized
to finish well under a minute on one core. Every mutant must validate (exit 0) or be refused with exit 2 and
located problems (``file:line:col``); every scenario that validates must run a short horizon through the Python
API, or be refused as input. A failure names the mutant's number and its mutations; rerun the same seed by
hand (``python benchmarks/fuzz_scenarios.py --files N --seed S``) to see it again.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import fuzz_scenarios  # noqa: E402
from conftest import fast_and_full  # noqa: E402
from rights_market.cli import main  # noqa: E402

FILES = 240
SEED = 20_240_611


# the inner loop checks the first 60 mutants (the same seed: the first quarter of the full set)
@pytest.mark.parametrize("files", fast_and_full(60, FILES))
def test_fuzzed_scenario_files_validate_or_are_refused_located_and_those_that_validate_run(files, tmp_path, capsys):
    def cli(argv: list[str]) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(argv)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    tally = fuzz_scenarios.fuzz(files, SEED, tmp_path, cli=cli)
    report = "\n".join(tally.lines())
    assert tally.internal_errors == [], report + "\n" + "\n".join(tally.internal_errors)
    assert tally.unlocated == [], report + "\n" + "\n".join(tally.unlocated)
    assert tally.files == files
    assert tally.validated_ok + tally.refused == files
    # the fuzzer exercises both ways out: many mutants refused, and enough accepted to run
    assert tally.refused >= files // 4, report
    assert tally.validated_ok >= files // 20, report
    assert tally.ran_ok + tally.runs_refused == tally.ok_by_kind["scenario"], report
    assert tally.ran_ok >= files // 25, report
    assert set(tally.by_kind) == {"scenario", "sweep", "classroom"}, report


def test_the_mutator_is_deterministic_and_changes_the_file():
    original = (fuzz_scenarios.SCENARIOS / "teaching" / "smith1962_test1.yaml").read_bytes()
    a = fuzz_scenarios.mutate(np.random.default_rng(7), original, "x.yaml")
    b = fuzz_scenarios.mutate(np.random.default_rng(7), original, "x.yaml")
    assert a.data == b.data and a.steps == b.steps
    rng = np.random.default_rng(8)
    mutants = [fuzz_scenarios.mutate(rng, original, "x.yaml") for _ in range(50)]
    assert sum(m.data != original for m in mutants) >= 45
    kinds = {step.split()[0] for m in mutants for step in m.steps}
    assert len(kinds) >= 8, kinds


def test_a_refusal_without_file_line_col_is_reported_as_unlocated():
    assert fuzz_scenarios._refusal_problems("a.yaml:3:5: name: expected text\n1 problem found; fix it\n") == []
    assert fuzz_scenarios._refusal_problems("a.yaml: something wrong\n1 problem found; fix it\n") == [
        "a.yaml: something wrong"]


# Found by the fuzzer: `classroom --check` of a mutant with a seat's need of 999,999,999,999 m³ never finished
# (the induced values are one per lot, and the surcharge bands were walked one by one).
WATER_CLASSROOM = fuzz_scenarios.SCENARIOS / "classroom" / "water_market.yaml"


def _classroom_check(capsys, *overrides: str) -> tuple[int, str]:
    argv = ["classroom", str(WATER_CLASSROOM), "--check"]
    for o in overrides:
        argv += ["--set", o]
    code = main(argv)
    return code, capsys.readouterr().err


def test_classroom_role_with_a_need_of_a_trillion_m3_is_refused_located_not_hung(capsys):
    code, err = _classroom_check(capsys, "classroom.roles.firm_b.need=999999999999")
    assert code == 2
    assert f"{WATER_CLASSROOM}:19:1: classroom: roles.firm_b.need: 999,999,999,999 m3 is 100,000,000,000 lots" in err
    assert "over the 10,000 lots a classroom role may have" in err
    code, err = _classroom_check(capsys, "classroom.roles.farm_a.need=1000000000000")
    assert code == 2 and "roles.farm_a.need" in err


def test_classroom_surcharge_of_tiny_bands_is_refused_located_not_hung(capsys):
    code, err = _classroom_check(capsys, "classroom.surcharge.band_width_share=0.00001",
                                 "classroom.surcharge.step_share=0.00001")
    assert code == 2
    assert "role 'firm_a' would pay the W9 surcharge in 60,000 bands, over the 1,000" in err
    assert err.startswith(f"{WATER_CLASSROOM}:19:1: ")


def test_classroom_surcharged_units_in_closed_form_match_the_band_by_band_walk():
    from fractions import Fraction

    from rights_market.classroom.values import _surcharged_units
    from rights_market.rules.tariffs import ProgressiveSurcharge

    def walk(x, base, sur, abate):  # the former loop, band by band
        width = sur.width * base
        k = 0
        while sur.rate(k + 1) <= abate:
            k += 1
            if Fraction(x) <= k * width or (sur.max_band is not None and k >= sur.max_band):
                return x
        return min(x, int(k * width))

    for width, step, ref, cap in [(Fraction(1, 10), Fraction(1, 2), 33_000, None), (Fraction(1, 10), Fraction(1, 2),
                                  33_000, 3), (Fraction(1, 3), Fraction(1, 7), 10_000, None), (Fraction(1, 100),
                                  Fraction(1, 20), 5_000, 2)]:
        sur = ProgressiveSurcharge(width, step, Fraction(ref), cap)
        for x in (1, 7, 30, 100, 1_000):
            for base in (10, 100, 1_000):
                for abate in (0, 5_000, 16_500, 22_000, 40_000, 100_000):
                    assert _surcharged_units(x, base, sur, abate) == walk(x, base, sur, abate), (x, base, abate)
