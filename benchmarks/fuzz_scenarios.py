"""Fuzz the scenario language: mutate the shipped YAML files and check that nothing is an internal error.

Each mutant of a shipped file (``scenarios/**/*.yaml``: scenarios, sweep files, classroom files) is written
next to a copy of the file it came from (so that ``extends:``, a sweep's ``scenario:`` and ``from_file:`` resolve
as they do for the original) and checked through the command line, in this process:

* a scenario with ``rights-market validate``, a sweep file with ``sweep --dry-run``, a classroom file with
  ``classroom --check``: the exit code must be 0, or 2 with every problem line starting ``file:line:col``
  (an ``error: ...`` line for the few refusals that are not about a place in a file, e.g. a sweep whose
  runs are over a limit);
* a scenario that validates is then loaded with a short horizon (``calendar.years=1``, sessions cut to one
  per billing period) and simulated through the Python API; a ScenarioError (the short horizon refused, e.g.
  teaching periods beyond it) is counted, any other exception is an internal error.

Mutations (one to three per file, drawn from one ``numpy.random.default_rng(seed)``, so a run is
reproducible): drop a key, duplicate a key (a line), change a value's type, numbers to 0/-1/huge/NaN/inf/
'1e999'/strings, deep nesting, long strings, control characters, unicode, swap list items, truncate at a
random byte, invalid UTF-8, ``extends:`` pointing elsewhere, an unknown key.

    PYTHONPATH=src python benchmarks/fuzz_scenarios.py --files 2000 [--seed 0]

prints the files tried, validated ok, refused with exit 2, ran ok, runs refused, internal errors and the time;
``tests/safety/test_fuzz_scenarios.py`` runs the same fuzzer on a small number of files.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

#: a problem line of exit 2: ``file:line:col: ...``
LOCATED = re.compile(r"^.+?:\d+:\d+: ")
#: the last line of a ScenarioError on stderr
SUMMARY = re.compile(r"^\d+ problems? found; ")

# Limits in force while fuzzing: small enough that a mutant asking for a big district is refused (exit 2)
# rather than run for minutes; the fuzzer is after internal errors, not after the speed of big runs.
FUZZ_LIMITS = {"holders": 20_000, "shouts": 200_000, "pledges": 200, "runs": 500}

CliFn = Callable[[list[str]], tuple[int, str, str]]


# ----------------------------------------------------------------------------------------------- mutations

HUGE_NUMBERS = [10**30, 2**63, -(2**63) - 1, 1e308, 10**6, 999_999_999_999]
RAW_NUMBERS = ["1e999", "-1e999", ".nan", ".inf", "-.inf", "0x7fffffff", "1_000", "0o17", "1e-400", "+.5"]
ODD_STRINGS = ["", " ", "NaN", "inf", "'1e999'", "-1", "yes", "~", "null", "12abc", "1,000", "1e999",
               "\x00", "\x1b[31mred\x1b[0m", "\u202eevil", "水权", "🙂" * 3, "a\r\nb: 1", "\ud7ff", "é" * 50]
EXTENDS_TARGETS = ["../dawukou_water.yaml", "dawukou_water.yaml", "../dawukou_emission.yaml", "/etc/passwd",
                   "../../../../etc/passwd", "/etc/hostname.yaml", "missing.yaml", "../data/firms.csv",
                   "../sweeps/water_random.yaml", "../classroom/water_market.yaml", "x" * 300 + ".yaml",
                   "a\x00b.yaml", ".", "..", "", "SELF", "../teaching", "a/" * 200 + "b.yaml", "\u202e.yaml",
                   "../teaching/cliff1997_flat_supply.yaml", "../cases/wuzhong_2025_nox_reserve.yaml"]
FROM_FILE_TARGETS = ["firms.csv", "missing.csv", "/dev/zero", "/etc/passwd", "../dawukou_water.yaml", ".", "x.xlsx",
                     "dawukou_water_firms.yaml", "README.md", "", "firms.csv\x00", "a" * 5000 + ".csv"]
RAW_TAG = "__FUZZ_RAW_{}__"


@dataclass
class Mutant:
    """One mutated file: its bytes and the mutations that made it (for a reproducible report)."""

    data: bytes
    steps: list[str] = field(default_factory=list)


def _paths(node, prefix=()):
    """Every (path, value) inside a parsed YAML tree, the root included."""
    yield prefix, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _get(tree, path):
    for p in path:
        tree = tree[p]
    return tree


def _set(tree, path, value):
    _get(tree, path[:-1])[path[-1]] = value


def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def _tree_mutation(rng: np.random.Generator, tree, raws: list[str]) -> str:
    """Change ``tree`` in place by one structural mutation; return its description."""
    nodes = list(_paths(tree))
    containers = [(p, v) for p, v in nodes if isinstance(v, dict) and v]
    lists = [(p, v) for p, v in nodes if isinstance(v, list) and len(v) >= 2]
    numbers = [(p, v) for p, v in nodes if p and isinstance(v, int | float) and not isinstance(v, bool)]
    strings = [(p, v) for p, v in nodes if p and isinstance(v, str)]
    leaves = [(p, v) for p, v in nodes if p]
    kind = _pick(rng, ["drop", "number", "number", "number", "type", "nest", "long", "control", "unicode",
                       "swap", "extends", "unknown", "empty"])
    if kind == "drop" and containers:
        p, d = _pick(rng, containers)
        k = _pick(rng, list(d))
        del d[k]
        return f"drop {'.'.join(map(str, (*p, k)))}"
    if kind == "number" and numbers:
        p, _ = _pick(rng, numbers)
        choice = int(rng.integers(6))
        if choice == 5:  # a plausible change, so that more mutants validate and run
            v = _get(tree, p)
            value = _pick(rng, [v * 2, v // 2 if isinstance(v, int) else v / 2, v + 1, abs(v), 1])
        elif choice == 0:
            value = _pick(rng, [0, -1, 1, 0.5, -0.0])
        elif choice == 1:
            value = _pick(rng, HUGE_NUMBERS)
        elif choice == 2:
            value = _pick(rng, [float("nan"), float("inf"), float("-inf")])
        elif choice == 3:
            raws.append(_pick(rng, RAW_NUMBERS))
            value = RAW_TAG.format(len(raws) - 1)
        else:
            value = _pick(rng, ODD_STRINGS)
        _set(tree, p, value)
        return f"number {'.'.join(map(str, p))} = {value!r}"
    if kind == "type" and leaves:
        p, v = _pick(rng, leaves)
        value = _pick(rng, [str(v), [v], {"x": v}, None, True, 3, 2.5, "text", [], {}])
        _set(tree, p, value)
        return f"type {'.'.join(map(str, p))} -> {type(value).__name__}"
    if kind == "nest" and leaves:
        p, v = _pick(rng, leaves)
        depth = int(_pick(rng, [2, 10, 63, 70, 200]))
        for _ in range(depth):
            v = [v] if rng.random() < 0.5 else {"k": v}
        _set(tree, p, v)
        return f"nest {'.'.join(map(str, p))} x{depth}"
    if kind == "long" and leaves:
        p, _ = _pick(rng, strings or leaves)
        n = int(_pick(rng, [300, 5_000, 70_000]))
        _set(tree, p, "ab" * (n // 2))
        return f"long {'.'.join(map(str, p))} {n}"
    if kind in ("control", "unicode") and (strings or containers):
        chars = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\u2028\u202e\ufeff" if kind == "control" else "水权é🙂\u0301\ufffd"
        ch = _pick(rng, list(chars))
        if strings and rng.random() < 0.6:
            p, v = _pick(rng, strings)
            _set(tree, p, v + ch)
            return f"{kind} value {'.'.join(map(str, p))} += {ch!r}"
        p, d = _pick(rng, containers)
        k = _pick(rng, list(d))
        d[f"{k}{ch}"] = d.pop(k)
        return f"{kind} key {'.'.join(map(str, (*p, k)))} += {ch!r}"
    if kind == "swap" and lists:
        p, v = _pick(rng, lists)
        i, j = rng.choice(len(v), size=2, replace=False)
        v[i], v[j] = v[j], v[i]
        return f"swap {'.'.join(map(str, p))}[{i}, {j}]"
    from_files = [(p, v) for p, v in nodes if p and p[-1] == "from_file"]
    if kind == "extends" and from_files and rng.random() < 0.5:
        p, _ = _pick(rng, from_files)
        target = _pick(rng, FROM_FILE_TARGETS)
        _set(tree, p, target)
        return f"from_file {target[:40]!r}"
    if kind == "extends" and isinstance(tree, dict):
        target = _pick(rng, EXTENDS_TARGETS)
        tree["extends"] = target
        return f"extends {target[:40]!r}"
    if kind == "unknown" and containers:
        p, d = _pick(rng, containers)
        d[_pick(rng, ["colour", "count", "type", "extends", "name", "0", "None"])] = 1
        return f"unknown key under {'.'.join(map(str, p))}"
    if kind == "empty" and containers:
        p, d = _pick(rng, containers)
        k = _pick(rng, list(d))
        d[k] = _pick(rng, [None, {}, [], ""])
        return f"empty {'.'.join(map(str, (*p, k)))}"
    return "none"


def _text_mutation(rng: np.random.Generator, data: bytes) -> tuple[bytes, str]:
    """One mutation of the bytes: duplicate or delete a line, truncate, invalid UTF-8, a stray character."""
    kind = _pick(rng, ["dup", "dup", "delete", "truncate", "utf8", "char", "indent"])
    lines = data.splitlines(keepends=True)
    if kind in ("dup", "delete", "indent") and lines:
        i = int(rng.integers(len(lines)))
        if kind == "dup":  # a duplicated key (or list item), right after itself or at the end of the file
            at = i + 1 if rng.random() < 0.7 else len(lines)
            lines.insert(at, lines[i] if lines[i].endswith(b"\n") else lines[i] + b"\n")
        elif kind == "delete":
            del lines[i]
        else:
            lines[i] = (b" " * int(rng.integers(1, 5))) + lines[i]
        return b"".join(lines), f"{kind} line {i + 1}"
    at = int(rng.integers(len(data) + 1))
    if kind == "truncate":
        return data[:at], f"truncate at byte {at}"
    if kind == "utf8":
        bad = _pick(rng, [b"\xff", b"\xc3", b"\xe6\xb0", b"\xed\xa0\x80", b"\x80\x80", b"\xfe\xff"])
        return data[:at] + bad + data[at:], f"invalid UTF-8 {bad!r} at byte {at}"
    ch = _pick(rng, [b":", b"[", b"{", b"&a", b"*a", b"!!python/object:os.system", b"%", b"\t", b"- ", b"\x00",
                     b"\r", b"\x1b", b"'", b'"', b"? ", b"<<: *x", b"|", b"#"])
    return data[:at] + ch + data[at:], f"insert {ch!r} at byte {at}"


def mutate(rng: np.random.Generator, original: bytes, self_name: str) -> Mutant:
    """A mutant of ``original``: one to three mutations, each of the parsed tree or of the text."""
    m = Mutant(original)
    for _ in range(int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))):
        if rng.random() < 0.55:
            try:
                tree = yaml.safe_load(m.data)
            except yaml.YAMLError:
                tree = None
            if isinstance(tree, dict | list):
                raws: list[str] = []
                step = _tree_mutation(rng, tree, raws)
                text = yaml.safe_dump(tree, sort_keys=False, allow_unicode=bool(rng.random() < 0.7), width=1000)
                for i, raw in enumerate(raws):
                    text = re.sub(rf"['\"]?{RAW_TAG.format(i)}['\"]?", raw, text)
                text = text.replace("extends: SELF", f"extends: {self_name}")
                m.data = text.encode("utf-8", "surrogatepass")
                m.steps.append(step)
                continue
        m.data, step = _text_mutation(rng, m.data)
        m.steps.append(step)
    return m


# ----------------------------------------------------------------------------------------------- checking

@dataclass
class Tally:
    """What the fuzzer saw."""

    files: int = 0
    validated_ok: int = 0
    refused: int = 0
    ran_ok: int = 0
    runs_refused: int = 0
    internal_errors: list[str] = field(default_factory=list)
    unlocated: list[str] = field(default_factory=list)
    by_kind: Counter = field(default_factory=Counter)
    ok_by_kind: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    slowest: tuple[float, str] = (0.0, "")

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items()))
        return [f"files tried        {self.files:>7,}   ({kinds})",
                f"validated ok       {self.validated_ok:>7,}   "
                f"({', '.join(f'{k} {n}' for k, n in sorted(self.ok_by_kind.items()))})",
                f"refused, exit 2    {self.refused:>7,}",
                f"ran ok             {self.ran_ok:>7,}   (short horizon)",
                f"run refused        {self.runs_refused:>7,}   (ScenarioError/InputError with the short horizon)",
                f"internal errors    {len(self.internal_errors):>7,}",
                f"unlocated refusals {len(self.unlocated):>7,}",
                f"time               {self.seconds:>7.1f} s   (slowest file {self.slowest[0]:.2f} s: "
                f"{self.slowest[1]})"]


def kind_of(text: bytes) -> str:
    """'sweep', 'classroom' or 'scenario', by the original file's top-level keys."""
    tree = yaml.safe_load(text)
    if "design" in tree:
        return "sweep"
    return "classroom" if "classroom" in tree else "scenario"


def shipped_files() -> list[Path]:
    return sorted(SCENARIOS.rglob("*.yaml"))


def redirected_cli(argv: list[str]) -> tuple[int, str, str]:
    """``rights_market.cli.main(argv)`` in this process, with its stdout and stderr captured."""
    from rights_market.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _refusal_problems(err: str) -> list[str]:
    """The stderr lines of an exit 2 that are neither located (``file:line:col``) nor a summary line."""
    bad = []
    for line in err.splitlines():
        if LOCATED.match(line) or SUMMARY.match(line):
            continue
        if line.startswith("error: ") and ("over the limit" in line or "sweep" in line.lower()):
            continue  # a study-level refusal (runs over a limit, a sweep's own fields): no place to name
        bad.append(line)
    return bad


def _short_horizon(path: Path) -> list[str]:
    from rights_market.api import load_scenario

    cal = load_scenario(path).calendar
    overrides = ["calendar.years=1"]
    if cal.sessions_per_year > cal.periods_per_year and cal.sessions_per_year > 12:
        overrides.append(f"calendar.sessions_per_year={cal.periods_per_year}")
    return overrides


def check_one(path: Path, kind: str, cli: CliFn, tally: Tally, label: str) -> None:
    """Validate ``path`` through the CLI and, if a scenario validates, run it with a short horizon."""
    from rights_market.api import load_scenario, simulate
    from rights_market.cli import InputError
    from rights_market.limits import Limits, using
    from rights_market.scenario.errors import ScenarioError

    limit_args = [a for k, v in FUZZ_LIMITS.items() for a in ("--limit", f"{k}={v}")]
    if kind == "scenario":
        argv = [*limit_args, "validate", str(path)]
    elif kind == "sweep":
        argv = [*limit_args, "sweep", str(path), "--dry-run", "--store", str(path.with_suffix(".store"))]
    else:
        argv = [*limit_args, "classroom", str(path), "--check"]
    code, _out, err = cli(argv)
    if code == 2:
        tally.refused += 1
        bad = _refusal_problems(err)
        if bad:
            tally.unlocated.append(f"{label}: {bad[0][:300]}")
        return
    if code != 0:
        tally.internal_errors.append(f"{label}: exit {code}: {err.strip()[:500]}")
        return
    tally.validated_ok += 1
    tally.ok_by_kind[kind] += 1
    if kind != "scenario":
        return
    try:
        with using(Limits(**FUZZ_LIMITS)):
            scenario = load_scenario(path, _short_horizon(path))
            simulate(scenario)
        tally.ran_ok += 1
    except (ScenarioError, InputError):
        tally.runs_refused += 1
    except Exception as exc:  # noqa: BLE001 - what the fuzzer looks for
        tb = traceback.format_exception(exc)[-3:]
        tally.internal_errors.append(f"{label}: run: {type(exc).__name__}: {exc}"[:500] + "\n" + "".join(tb))


def fuzz(files: int, seed: int, workdir: Path, cli: CliFn = redirected_cli,
         progress: Callable[[int], None] | None = None, only: str = "**/*.yaml") -> Tally:
    """Mutate ``files`` files drawn (by ``seed``) from the shipped ones matching ``only`` and check each."""
    rng = np.random.default_rng(seed)
    tree = workdir / "scenarios"
    if not tree.exists():
        shutil.copytree(SCENARIOS, tree)
    originals = [(p.relative_to(SCENARIOS), p.read_bytes()) for p in shipped_files() if p.match(only)]
    kinds = {rel: kind_of(data) for rel, data in originals}
    tally = Tally()
    t0 = time.perf_counter()
    for i in range(files):
        rel, data = originals[int(rng.integers(len(originals)))]
        name = f"fuzz_{i:05d}.yaml"
        mutant = mutate(rng, data, name)
        path = tree / rel.parent / name
        path.write_bytes(mutant.data)
        label = f"#{i} {rel} [{'; '.join(mutant.steps)}]"
        t = time.perf_counter()
        check_one(path, kinds[rel], cli, tally, label)
        dt = time.perf_counter() - t
        if dt > tally.slowest[0]:
            tally.slowest = (dt, label[:200])
        tally.files += 1
        tally.by_kind[kinds[rel]] += 1
        path.unlink()
        if progress:
            progress(i + 1)
    tally.seconds = time.perf_counter() - t0
    return tally


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=2000, help="mutated files to try (default 2000)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the mutations (default 0)")
    ap.add_argument("--only", default="**/*.yaml", metavar="GLOB",
                    help="mutate only the shipped files matching GLOB, e.g. 'teaching/*.yaml'")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fuzz-scenarios-") as tmp:
        tally = fuzz(args.files, args.seed, Path(tmp),
                     progress=lambda n: print(f"\r{n:,} files", end="", file=sys.stderr) if n % 100 == 0 else None,
                     only=args.only)
    print(file=sys.stderr)
    print(f"python benchmarks/fuzz_scenarios.py --files {args.files} --seed {args.seed}"
          + (f" --only '{args.only}'" if args.only != "**/*.yaml" else ""))
    for line in tally.lines():
        print(line)
    for what, items in (("internal error", tally.internal_errors), ("unlocated refusal", tally.unlocated)):
        for item in items[:20]:
            print(f"{what}: {item}")
    return 1 if tally.internal_errors or tally.unlocated else 0


if __name__ == "__main__":
    sys.exit(main())
