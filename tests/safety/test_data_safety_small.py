"""Issue 11, the small defects: each test is named after one and reproduces its input.

* ``charge`` with plan 1 and use 20,001 printed 200,000 bands (and took seconds);
* what a plan of 0 means for rule W9 was written only in a code comment;
* the test suite failed whenever port 8787 was taken (the Dask scheduler's HTTP port);
* odd files (a FIFO, ``/dev/zero``, a file instead of a folder) given to ``report``, ``compare`` and
  ``sweep --store`` were reported wrongly or as an internal error.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from conftest import SCENARIOS, SMALL_WATER
from rights_market.cli import main
from rights_market.rules.tariffs import ProgressiveSurcharge, bill, bill_many
from rights_market.sweep import Store, run_sweep
from rights_market.units import yuan_to_ticks

WATER = str(SCENARIOS / "dawukou_water.yaml")
W9 = ProgressiveSurcharge(Fraction(1, 10), Fraction(1, 2), Fraction(yuan_to_ticks("3.30")))


def charge(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["charge", WATER, "--product", "industry", *args])
    out, err = capsys.readouterr()
    return code, out, err


def yuan(text: str) -> Decimal:
    return Decimal(text)


# ------------------------------------------------------------------ charge: 200,000 bands
def test_charge_plan_1_use_20001_prints_bounded_bands_not_200000(capsys):
    """Plan 1 m³, use 20,001 m³: 200,000 W9 bands. The first 5 and last 2 are listed with one line that sums
    the 199,993 between; the totals are the exact band-by-band sums."""
    code, out, _ = charge(capsys, "--plan", "1", "--use", "20001")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2 + 1 + 5 + 1 + 2 + 3  # title, header, tariff, head, omitted, tail, totals
    assert "… 199,993 bands (6 to 199,998): 19999.3 m3, 3299950997.67 yuan …" in out
    assert [ln.split()[1] for ln in lines if ln.startswith("surcharge ") and len(ln.split()) > 3] == [
        "1", "2", "3", "4", "5", "199999", "200000"
    ]
    assert lines[-2].split() == ["surcharge", "3300017000.00"]  # 8 n (n + 1) + ⌊(n + 1)² / 4⌋ fen, n = 200,000
    assert lines[-1].split() == ["total", "3300083003.30"]


def test_charge_json_is_bounded_and_its_parts_add_up(capsys):
    code, out, _ = charge(capsys, "--plan", "1", "--use", "20001", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["surcharge_bands"] == 200_000 and len(data["lines"]) == 1 + 5 + 2
    om = data["omitted_bands"]
    assert (om["bands"], om["first_band"], om["last_band"]) == (199_993, 6, 199_998)
    shown = sum(yuan(r["amount_yuan"]) for r in data["lines"] if r["kind"] == "surcharge")
    assert shown + yuan(om["amount_yuan"]) == yuan(data["surcharge_yuan"]) == Decimal("3300017000.00")
    shown_m3 = sum(Decimal(r["quantity_m3"]) for r in data["lines"] if r["kind"] == "surcharge")
    assert shown_m3 + Decimal(om["quantity_m3"]) == 20_000


def test_charge_all_bands_lists_every_band(capsys):
    """``--all-bands`` (and ``--json --all-bands``) list every band; plan 10, use 20: 10 bands of 1 m³."""
    _, short, _ = charge(capsys, "--plan", "10", "--use", "20")
    assert "… 3 bands (6 to 8): 3 m3, 34.65 yuan …" in short  # 1.65 × (6 + 7 + 8)
    _, out, _ = charge(capsys, "--plan", "10", "--use", "20", "--all-bands")
    bands = [ln.split() for ln in out.splitlines() if ln.startswith("surcharge ") and len(ln.split()) > 3]
    assert [int(b[1]) for b in bands] == list(range(1, 11))
    assert sum(yuan(b[4]) for b in bands) == Decimal("90.75")  # 1.65 × (1 + 2 + … + 10) × 1 m³
    assert "…" not in out
    _, out, _ = charge(capsys, "--plan", "10", "--use", "20", "--all-bands", "--json")
    data = json.loads(out)
    assert data["omitted_bands"] is None and len(data["lines"]) == 11


def test_charge_far_over_plan_in_the_engine_is_one_row_per_holder_past_band_100():
    """The engine's billing path: 10⁹ bands over plan cost a row and a closed-form sum, not 10⁹ steps."""
    n = 10**9
    out = bill_many([n // 10 + 1, 1_260], [1, 1_000], None, W9)
    first = out.holder == 0
    assert first.sum() == 101 and out.band[first][-1] == 101
    assert int(out.amount_fen[first].sum()) == bill(n // 10 + 1, 1, None, W9).total_fen == 8 * n * (n + 1) + (
        n + 1) ** 2 // 4
    assert out.amount_fen[~first].tolist() == [16500, 33000, 29700]  # the README's 792.00 yuan


# ------------------------------------------------------------------ W9 with a plan of 0
def test_w9_plan_zero_charges_all_use_at_band_1_or_at_the_cap():
    """Rule W9 with a plan of 0: all use is over plan; a zero plan has no band edges, so it all pays one
    rate in one line: band 1's (+50 % of the supply price) when uncapped, the cap's when ``max_band`` is set.
    The pure function's docstring, ``charge`` and docs/tables.md say so."""
    b = bill(50, 0, None, W9)
    assert [(ln.band, ln.quantity, ln.amount_fen) for ln in b.lines] == [(1, 50, 8250)]  # 50 × 1.65
    capped = ProgressiveSurcharge(W9.width, W9.step, W9.reference_price, max_band=3)
    assert [(ln.band, ln.quantity, ln.amount_fen) for ln in bill(50, 0, None, capped).lines] == [(3, 50, 24750)]
    assert bill_many([50], [0], None, capped).band.tolist() == [3]
    assert "plan (or quota) of 0" in bill.__doc__.lower().replace("**", "")
    assert "plan (or quota) of 0" in (Path(__file__).parents[2] / "docs" / "tables.md").read_text().replace(
        "**", "").lower()


def test_w9_plan_zero_is_explained_by_charge(capsys):
    code, out, _ = charge(capsys, "--plan", "0", "--use", "50")
    assert code == 0
    assert out.splitlines()[-1] == ("note: a plan of 0 has no band edges (rule W9): all 50 m3 are over it and pay "
                                    "band 1's rate (the bands are uncapped; with max_band it would be the cap's)")
    _, out, _ = charge(capsys, "--plan", "0", "--use", "50", "--json",
                       "--set", "water.pricing.industry.surcharge.max_band=3")
    data = json.loads(out)
    assert data["lines"][-1]["band"] == 3 and data["surcharge_yuan"] == "247.50"
    assert data["note"].endswith("pay band 3's rate (the cap, max_band)")
    _, out, _ = charge(capsys, "--plan", "1000", "--use", "1260")
    assert "note" not in out


# ------------------------------------------------------------------ port 8787 taken
@contextlib.contextmanager
def port_taken(port: int):
    """Listen on 127.0.0.1:``port`` for the block (if something else already listens there, it is taken too)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen(1)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with probe:
            assert probe.connect_ex(("127.0.0.1", port)) == 0, f"port {port} should be taken"
        yield
    finally:
        sock.close()


@pytest.mark.slow  # a local Dask cluster of 2 worker processes
def test_sweep_on_2_workers_passes_when_port_8787_is_taken(tmp_path: Path):
    """A 2-worker sweep on a local Dask cluster while 8787 (Dask's default HTTP port) is taken, with
    warnings as errors: no 'Port 8787 is already in use' and the runs all finish."""
    values = {**dict(s.split("=", 1) for s in SMALL_WATER), "calendar.years": "1"}
    sets = "\n".join(f"  {k}: {v}" for k, v in values.items())
    path = tmp_path / "tiny.yaml"
    path.write_text(f"name: tiny\nscenario: {WATER}\nset:\n{sets}\n"
                    "design:\n  type: grid\n  parameters:\n    water.default_base_price_yuan_per_m3: [0.8]\n"
                    "seeds: {base: 5, replications: 2}\n", encoding="utf-8")
    with port_taken(8787):
        study, store, outcome = run_sweep(path, store=tmp_path / "store", workers=2, progress=False)
    assert outcome.complete and not outcome.failed and outcome.done_now == len(study.tasks) == 2
    assert len(store.kpis()) == 2


# ------------------------------------------------------------------ odd files
@pytest.fixture()
def odd(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    return {"fifo": fifo, "zero": Path("/dev/zero"), "file": tmp_path / "notes.txt", "empty": tmp_path / "empty",
            "missing": tmp_path / "nothing", "through_file": tmp_path / "notes.txt" / "sub"}


REPORT_SAYS = {
    "fifo": "is a named pipe (FIFO), not a run directory",
    "zero": "is a character device, not a run directory",
    "file": "is a file, not a run directory",
    "empty": "a folder, but not a run directory (no manifest.json) nor a results store (no study.json)",
    "missing": "does not exist, not a run directory",
    "through_file": "does not exist (a part of its path is a file, not a folder)",
}


@pytest.mark.parametrize("kind", sorted(REPORT_SAYS))
def test_report_of_a_fifo_dev_zero_or_file_is_a_clear_exit_2(odd, kind, capsys):
    assert main(["report", str(odd[kind])]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {odd[kind]}: ") and REPORT_SAYS[kind] in err and "Traceback" not in err


COMPARE_SAYS = {
    "fifo": "is a named pipe (FIFO), not a run directory",
    "zero": "is a character device, not a run directory",
    "empty": "is a folder without manifest.json or study.json, not a run directory",
    "missing": "does not exist, not a run directory",
}


@pytest.mark.parametrize("kind", sorted(COMPARE_SAYS))
def test_compare_input_fifo_dev_zero_or_folder_is_a_clear_exit_2(odd, kind, capsys, tmp_path):
    assert main(["compare", str(odd[kind]), "--out", str(tmp_path / "cmp")]) == 2
    err = capsys.readouterr().err
    assert COMPARE_SAYS[kind] in err and "internal error" not in err


STORE_SAYS = {
    "fifo": "is a named pipe (FIFO), not a folder for a results store",
    "zero": "is a character device, not a folder for a results store",
    "file": "is a file, not a folder for a results store",
    "through_file": "does not exist (a part of its path is a file, not a folder), not a folder for a results store",
}


@pytest.mark.parametrize("kind", sorted(STORE_SAYS))
def test_sweep_store_fifo_dev_zero_or_file_is_a_clear_exit_2(odd, kind, capsys, tmp_path):
    """Was "internal error: FileExistsError" (exit 1); the file given stays as it was."""
    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"name: s\nscenario: {WATER}\ndesign:\n  type: grid\n  parameters:\n"
                     "    water.default_base_price_yuan_per_m3: [0.8]\nseeds: {base: 5, replications: 1}\n",
                     encoding="utf-8")
    assert main(["sweep", str(sweep), "--store", str(odd[kind]), "--workers", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert STORE_SAYS[kind] in err and "choose a new or empty folder with --store" in err
    assert odd["file"].read_text(encoding="utf-8") == "mine\n"


def test_store_with_a_fifo_for_study_json_is_refused_without_reading_it(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    os.mkfifo(store / "study.json")
    with pytest.raises(Exception, match=r"study.json: is a named pipe \(FIFO\), not a file"):
        Store(store).open({"design_hash": "x"})
