"""Refresh the "code" and "tests" columns of docs/rules.md from the sources.

docs/rules.md is the rules catalogue: one table row per rule, ``| ID | prio | rule | source | code | tests |``.
The first four columns are written by hand; this tool fills the last two with the modules under ``src/`` and
the test files under ``tests/`` that name the rule's ID as a word (what ``grep -rnw W9 src tests`` finds),
the files that name it most often first. A rule no module names gets "—" (not built yet).

Usage (from the repository root)::

    python tools/rules_doc.py           # rewrite docs/rules.md in place
    python tools/rules_doc.py --check   # exit 1 and name the rows that are stale, change nothing

tests/project/test_rules_doc.py checks that every file the catalogue names really names the rule.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "rules.md"
#: How many files a cell lists before it says how many more there are.
SHOWN = 3
NOT_BUILT = "—"
#: The catalogue's own test names rules as examples, not because it checks them.
NOT_COUNTED = {ROOT / "tests" / "project" / "test_rules_doc.py"}
ROW = re.compile(r"^\| (?P<id>[WLEFX]\d+) \|(?P<rest>.*)\|\s*$")
LINK = re.compile(r"\[[^\]]+\]\(\.\./(?P<path>[^)]+)\)")


def rule_pattern(rule_id: str) -> re.Pattern[str]:
    """The ID as a word: W1 matches "W1" and "(W1," but neither "W10" nor "AW1"."""
    return re.compile(rf"(?<![A-Za-z0-9_]){re.escape(rule_id)}(?![A-Za-z0-9_])")


ANY_ID = re.compile(r"(?<![A-Za-z0-9_])([WLEFX]\d+)(?![A-Za-z0-9_])")


@functools.cache
def _index(folder: Path) -> dict[str, Counter[Path]]:
    """For every rule-like ID the ``.py`` files under ``folder`` name: how often each file names it."""
    index: dict[str, Counter[Path]] = {}
    for path in sorted(folder.rglob("*.py")):
        if path not in NOT_COUNTED:
            for rule_id in ANY_ID.findall(path.read_text(encoding="utf-8")):
                index.setdefault(rule_id, Counter())[path] += 1
    return index


def mentions(rule_id: str, folder: Path) -> Counter[Path]:
    """How many times each ``.py`` file under ``folder`` names ``rule_id`` (files that never do are left out)."""
    return Counter(_index(folder).get(rule_id, {}))


def cell(counts: Counter[Path], label_root: Path) -> str:
    """The files most often naming the rule as links relative to docs/, then "+ N more"; "—" if none."""
    if not counts:
        return NOT_BUILT
    ranked = sorted(counts, key=lambda p: (-counts[p], p.as_posix()))
    links = [f"[{p.relative_to(label_root).as_posix()}](../{p.relative_to(ROOT).as_posix()})"
             for p in ranked[:SHOWN]]
    if len(ranked) > SHOWN:
        links.append(f"+ {len(ranked) - SHOWN} more")
    return ", ".join(links)


def listed_files(cell_text: str) -> list[Path]:
    """The files a code or tests cell links to, as paths under the repository root."""
    return [ROOT / m["path"] for m in LINK.finditer(cell_text)]


def split_row(line: str) -> tuple[str, list[str]] | None:
    """``(ID, [prio, rule, source, code, tests])`` for a rule row of the catalogue, None for any other line."""
    m = ROW.match(line)
    if not m:
        return None
    return m["id"], [c.strip() for c in m["rest"].split(" | ")]


def refresh(text: str) -> str:
    """``text`` (docs/rules.md) with every rule row's code and tests cells recomputed."""
    out = []
    for line in text.splitlines():
        row = split_row(line)
        if row is not None:
            rule_id, cells = row
            prio, rule, source = cells[:3]
            code = cell(mentions(rule_id, ROOT / "src"), ROOT / "src" / "rights_market")
            tests = cell(mentions(rule_id, ROOT / "tests"), ROOT)
            line = f"| {rule_id} | {prio} | {rule} | {source} | {code} | {tests} |"
        out.append(line)
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale rows and exit 1; change nothing")
    args = parser.parse_args(argv)
    old = DOC.read_text(encoding="utf-8")
    new = refresh(old)
    if args.check:
        stale = [split_row(a)[0] for a, b in zip(old.splitlines(), new.splitlines(), strict=True) if a != b]
        if stale:
            print(f"{DOC.relative_to(ROOT)}: stale rows {', '.join(stale)}; run python tools/rules_doc.py",
                  file=sys.stderr)
            return 1
        print(f"{DOC.relative_to(ROOT)}: up to date")
        return 0
    DOC.write_text(new, encoding="utf-8")
    print(f"written: {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
