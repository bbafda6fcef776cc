"""Reading input safely (issue 11): bounded while parsing, extends: limited to scenario files, holder lists
streamed under limits, only regular files read, every malformed input a located exit-2 error, nothing from
the input printed raw to the terminal. Each test is named after the defect it reproduces."""

from __future__ import annotations

import os
import subprocess
import time
import tracemalloc
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import SCENARIOS, cli_in_process, fast_and_full
from rights_market.cli import main
from rights_market.limits import Limits, using
from rights_market.scenario.errors import ScenarioError
from rights_market.scenario.loader import include_dirs, load_raw
from rights_market.scenario.model import HolderRow
from rights_market.scenario.tables_input import read_rows
from rights_market.sweep.spec import load_sweep


def cli(*args: str) -> subprocess.CompletedProcess:
    """The command's exit code and output, run in this process (:func:`conftest.cli_in_process`)."""
    return cli_in_process(*args)


def validate_in_process(path: Path, capsys, *extra: str) -> tuple[int, str]:
    """``rights-market validate`` in this process: (exit code, everything printed)."""
    code = main(["validate", str(path), *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def problems_of(path: Path, limits: Limits | None = None) -> list:
    with using(limits), pytest.raises(ScenarioError) as err:
        load_raw(path)
    return err.value.problems


# ------------------------------------------------------------------------------ YAML bounded while parsing


def test_yaml_900_deep_is_located_input_error(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 900 + "]" * 900 + "\n")
    p = cli("validate", str(deep))
    assert p.returncode == 2, p.stderr
    assert "internal error" not in p.stderr and "Traceback" not in p.stderr
    first = p.stderr.splitlines()[0]
    # the mapping and 63 lists fill the 64 levels; the 64th list (column 3 + 64) is refused where it opens
    assert first.startswith(f"{deep}:1:67: ") and "yaml_depth=64" in first and "--limit yaml_depth=N" in first


def test_deep_nesting_through_aliases_is_refused_not_a_recursion_error(tmp_path):
    # each anchor nests 50 lists around the previous one: 20 × 50 = 1,000 levels once aliases are expanded
    lines = ["a0: &a0 1"]
    for i in range(1, 21):
        lines.append(f"a{i}: &a{i} " + "[" * 50 + f"*a{i - 1}" + "]" * 50)
    path = tmp_path / "alias_deep.yaml"
    path.write_text("\n".join(lines) + "\n")
    (problem,) = problems_of(path)
    assert problem.line is not None and "yaml_depth=64" in problem.message


def test_two_mb_list_refused_by_size_before_reading(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: [" + "1," * 1_000_000 + "1]\n")
    start = time.perf_counter()
    (problem,) = problems_of(big)
    assert time.perf_counter() - start < 10  # generous: nothing of the file is parsed
    assert problem.file == str(big) and "2,000,007" in problem.message
    assert "scenario_bytes=1,048,576" in problem.message and "--limit scenario_bytes=N" in problem.message


# the node limit at its default (50,000: 5 s under tracemalloc, with the slow tests) and at a tenth of it
@pytest.mark.parametrize("nodes", fast_and_full(5_000, Limits().yaml_nodes))
def test_two_mb_list_refused_while_parsing(tmp_path, nodes):
    """With the file-size limit raised, the node limit refuses the list where it crosses the limit, with
    memory bounded by the limit, not by the list (it took 644 MB before it was refused)."""
    big = tmp_path / "big.yaml"
    big.write_text("a: [" + "1," * 1_000_000 + "1]\n")
    tracemalloc.start()
    try:
        (problem,) = problems_of(big, Limits(scenario_bytes=4 * 1024 * 1024, yaml_nodes=nodes))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    # value number nodes + 1 (the mapping, its key, then list items) is item nodes − 2 at column
    # 5 + 2 × (nodes − 3)
    assert (problem.line, problem.col) == (1, 5 + 2 * (nodes - 3))
    assert f"yaml_nodes={nodes:,}" in problem.message and "--limit yaml_nodes=N" in problem.message


def test_alias_expansion_billion_laughs_refused(tmp_path):
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    (problem,) = problems_of(path)
    assert time.perf_counter() - start < 30
    assert problem.line is not None and "yaml_nodes=50,000" in problem.message


def test_scalar_over_limit_is_located(tmp_path):
    path = tmp_path / "scalar.yaml"
    path.write_text("name: ok\ndescription: " + "x" * 70_000 + "\n")
    (problem,) = problems_of(path)
    assert (problem.line, problem.col) == (2, 14)
    assert "70,000" in problem.message and "yaml_scalar_bytes=65,536" in problem.message


def test_limits_can_be_raised_or_lowered(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n")
    (problem,) = problems_of(path, Limits(yaml_nodes=5))
    # the mapping, its key, the list, 1, 2: the sixth value (3, column 11) is refused
    assert (problem.line, problem.col) == (1, 11) and "yaml_nodes=5" in problem.message
    with using(Limits(yaml_nodes=13)):
        assert load_raw(path)[0] == {"a": list(range(1, 11))}


def test_depth_limit_raised_past_what_the_reader_can_follow_is_still_an_input_error(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 5_000 + "]" * 5_000 + "\n")
    (problem,) = problems_of(deep, Limits(yaml_depth=100_000))
    assert problem.file == str(deep) and "nest deeper than this reader can follow" in problem.message


def test_set_value_too_deep_is_located_at_the_set(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: s\n")
    with pytest.raises(ScenarioError) as err:
        load_raw(path, ["x=" + "[" * 900 + "]" * 900])
    (problem,) = err.value.problems
    assert (problem.file, problem.line) == ("<--set>", 1) and "yaml_depth" in problem.message


# ------------------------------------------------------------------------------ extends: only scenario files


def test_extends_etc_passwd_refused_without_echo(tmp_path, capsys):
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    for i, name in enumerate(["/etc/passwd", "../../../../../../../../etc/passwd"]):
        path = sub / f"s{i}.yaml"
        path.write_text(f"name: s\nextends: {name}\n")
        code, out = validate_in_process(path, capsys)
        assert code == 2
        assert out.startswith(f"{path}:2:10: extends: ") and "/etc/passwd is not a scenario file" in out
        assert "root:" not in out and "internal error" not in out


def test_extends_yaml_outside_the_allowed_folders_refused_without_reading(tmp_path, capsys):
    secret = tmp_path / "elsewhere" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text("password_hunter2: 1\n")
    project = tmp_path / "home" / "proj" / "cases"
    project.mkdir(parents=True)
    path = project / "s.yaml"
    path.write_text("name: s\nextends: ../../../elsewhere/secret.yaml\n")
    code, out = validate_in_process(path, capsys)
    assert code == 2 and "is outside the folders a scenario may read from" in out and "--include-dir" in out
    assert "hunter2" not in out
    link = project / "innocent.yaml"  # a link inside an allowed folder is judged by where it points
    link.symlink_to(secret)
    path.write_text("name: s\nextends: innocent.yaml\n")
    code, out = validate_in_process(path, capsys)
    assert code == 2 and "is outside the folders" in out and "hunter2" not in out
    # the user may allow the folder: then it is read like any scenario file
    code, out = validate_in_process(path, capsys, "--include-dir", str(secret.parent))
    assert code == 2 and "unknown field 'password_hunter2'" in out
    with include_dirs([secret.parent]), pytest.raises(ScenarioError, match="unknown field|password_hunter2"):
        from rights_market import load_scenario

        load_scenario(path)


def test_extends_parent_folder_allowed_like_the_shipped_cases(tmp_path):
    (tmp_path / "base.yaml").write_text("name: base\nseed: 3\n")
    (tmp_path / "cases").mkdir()
    child = tmp_path / "cases" / "c.yaml"
    child.write_text("extends: ../base.yaml\nname: c\n")
    assert load_raw(child)[0] == {"name": "c", "seed": 3}


def test_every_shipped_file_with_extends_still_loads():
    files = [f for f in sorted(SCENARIOS.rglob("*.yaml")) if "\nextends:" in "\n" + f.read_text(encoding="utf-8")]
    assert len(files) >= 8
    for f in files:
        raw, _ = load_raw(f)
        assert "extends" not in raw and raw, f


def test_extends_nul_byte_name(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text('name: s\nextends: "base\\0.yaml"\n')
    code, out = validate_in_process(path, capsys)
    assert code == 2 and "internal error" not in out
    assert out.startswith(f"{path}:2:10: extends: the file name base\\x00.yaml holds a NUL byte")


def test_extends_300_character_name(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nextends: " + "a" * 300 + ".yaml\n")
    code, out = validate_in_process(path, capsys)
    assert code == 2 and "internal error" not in out
    first = out.splitlines()[0]
    assert first.startswith(f"{path}:2:10: extends: the file name ") and "(305 characters) is too long" in first
    assert "a" * 100 not in first


def test_extends_100000_character_name_not_echoed(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nextends: " + "a" * 100_000 + ".yaml\n")
    code, out = validate_in_process(path, capsys)  # over yaml_scalar_bytes: refused while parsing
    assert code == 2 and out.startswith(f"{path}:2:10: ") and len(out) < 1_000
    code, out = validate_in_process(path, capsys, "--limit", "yaml_scalar_bytes=200000")
    assert code == 2 and "(100,005 characters) is too long" in out and len(out) < 1_000


def test_sweep_scenario_held_to_the_rules_of_extends(tmp_path):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("name: s\nscenario: /etc/passwd\n")
    with pytest.raises(ScenarioError) as err:
        load_sweep(sweep)
    (problem,) = err.value.problems
    assert (problem.file, problem.line, problem.path) == (str(sweep), 2, "scenario")
    assert "is not a scenario file" in problem.message and "root:" not in str(err.value)


# ------------------------------------------------------------------------------ not a regular file


def test_fifo_scenario_not_a_regular_file(tmp_path, capsys):
    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)  # opening it for reading the ordinary way would wait for a writer forever
    code, out = validate_in_process(fifo, capsys)
    assert code == 2 and out.startswith(f"{fifo}: not a regular file")
    code, out = validate_in_process(Path("/dev/zero"), capsys)
    assert code == 2 and out.startswith("/dev/zero: not a regular file")
    code, out = validate_in_process(tmp_path, capsys)
    assert code == 2 and out.startswith(f"{tmp_path}: is a directory")


def test_fifo_and_dev_zero_holder_list_not_a_regular_file(tmp_path):
    fifo = tmp_path / "firms.csv"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    for path in (fifo, zero):
        with pytest.raises(ValueError, match="not a regular file"):
            read_rows(path, HolderRow)


def test_extends_fifo_not_a_regular_file(tmp_path):
    os.mkfifo(tmp_path / "base.yaml")
    child = tmp_path / "c.yaml"
    child.write_text("extends: base.yaml\n")
    (problem,) = problems_of(child)
    assert (problem.file, problem.line, problem.path) == (str(child), 1, "extends")
    assert problem.message.startswith("not a regular file")


# ------------------------------------------------------------------------------ holder lists


CSV_HEAD = "name,sector,confirmed_m3\n"


def test_csv_cell_over_limit(tmp_path, capsys):
    firms = tmp_path / "firms.csv"
    firms.write_text(CSV_HEAD + "甲厂,industry,100\n" + "乙" * 200_000 + ",industry,5\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"firms.csv: row 3: a cell is longer than 131,072 characters, "
                                         r"over the limit table_cell_chars=4,096"):
        read_rows(firms, HolderRow)
    firms.write_text(CSV_HEAD + "甲厂,industry,100\n" + "乙" * 5_000 + ",industry,5\n", encoding="utf-8")
    scen = tmp_path / "s.yaml"
    scen.write_text(f"""extends: {SCENARIOS / 'dawukou_water.yaml'}
name: s
water:
  groups:
    - name: firms
      sector: industry
      from_file: {firms}
      marginal_value_yuan_per_m3: {{type: constant, value: 5}}
""", encoding="utf-8")
    code, out = validate_in_process(scen, capsys)
    assert code == 2 and "internal error" not in out
    assert "row 3, column 1" in out and "table_cell_chars=4,096" in out and "--limit table_cell_chars=N" in out
    assert "乙" * 100 not in out


def test_csv_rows_over_limit_stop_the_reading(tmp_path):
    firms = tmp_path / "firms.csv"
    firms.write_text(CSV_HEAD + "".join(f"厂{i},industry,{i + 1}\n" for i in range(10)), encoding="utf-8")
    with using(Limits(table_rows=4)), pytest.raises(ValueError, match="more than 4 rows, over the limit "
                                                                       "table_rows=4"):
        read_rows(firms, HolderRow)
    with using(Limits(table_rows=10)):
        assert len(read_rows(firms, HolderRow)) == 10


def test_csv_over_table_bytes_refused_before_reading(tmp_path):
    firms = tmp_path / "firms.csv"
    firms.write_text(CSV_HEAD + "甲厂,industry,100\n", encoding="utf-8")
    size = firms.stat().st_size
    with using(Limits(table_bytes=size - 1)), pytest.raises(
            ValueError, match=f"the file's size in bytes is {size}, over the limit table_bytes={size - 1}"):
        read_rows(firms, HolderRow)


def test_csv_line_of_a_million_cells_refused(tmp_path):
    firms = tmp_path / "firms.csv"
    firms.write_text(CSV_HEAD + "ab," * 1_000_000 + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2 has 3,000,001 characters, more than 64 cells"):
        read_rows(firms, HolderRow)


def test_symlinked_csv_read_as_csv(tmp_path):
    data = tmp_path / "exported.txt"
    data.write_text(CSV_HEAD + "甲厂,industry,100\n", encoding="utf-8")
    link = tmp_path / "firms.csv"
    link.symlink_to(data)
    (row,) = read_rows(link, HolderRow)
    assert row[0] == 2 and row[1].name == "甲厂" and row[1].confirmed_m3 == 100


def test_xlsx_that_unpacks_far_beyond_its_size_refused(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["name", "sector", "confirmed_m3"])
    for i in range(300):
        ws.append([f"{i}" + "x" * 4_000, "industry", 1])
    path = tmp_path / "firms.xlsx"
    wb.save(path)
    size = path.stat().st_size
    assert size < 100_000  # compresses well: 1.2 MB of shared text
    with using(Limits(table_bytes=size + 10)), pytest.raises(ValueError, match="the workbook unpacks to"):
        read_rows(path, HolderRow)


# ------------------------------------------------------------------------------ malformed text


def test_invalid_utf8_located(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes("name: 名字\nfoo: ab\xff\n".encode().replace(b"\xc3\xbf", b"\xff"))
    (problem,) = problems_of(path)
    assert (problem.line, problem.col) == (2, 8)
    assert problem.message.startswith("not valid UTF-8 text (byte 0xff")


def test_control_chars_escaped(tmp_path, capsys):
    path = tmp_path / "ctl.yaml"
    path.write_text('name: x\n"evil\\e[2J\\r\\nkey\\u202e": 1\nseed: "\\e]0;title\\a"\n')
    code, out = validate_in_process(path, capsys)
    assert code == 2
    assert not any(c in out for c in "\x1b\r\x07\u202e")
    lines = out.splitlines()
    # one line per problem, each starting with file:line:col (a key with CR/LF no longer breaks its line)
    assert lines[0].startswith(f"{path}:2:1: evil\\x1b[2J\\r\\nkey\\u202e: unknown field 'evil\\x1b[2J")
    assert lines[1].startswith(f"{path}:3:7: seed: ") and "\\x1b]0;title\\x07" in lines[1]


def test_long_key_shortened_in_the_message(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text("name: x\n? " + "k" * 60_000 + "\n: 1\n")  # an explicit key may be long
    with pytest.raises(ScenarioError) as err:
        from rights_market import load_scenario

        load_scenario(path)
    text = str(err.value)
    assert len(text) < 3_000 and "(60,000 characters)" in text
