"""Print a SHA-256 per result table for the shipped scenarios (a behaviour fingerprint).

Each scenario under ``scenarios/*.yaml``, ``scenarios/cases/*.yaml`` and ``scenarios/teaching/*.yaml`` is
run with its own seed and ``calendar.years`` capped at 2; every table of ``results.TABLE_FILES`` is hashed
as canonical CSV (pandas ``to_csv``, no index, ``\\n`` line ends). Compare two outputs with ``diff`` to see
which tables a change touched::

    PYTHONPATH=src python benchmarks/table_hashes.py > before.txt
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from rights_market import load_scenario, simulate
from rights_market.results import TABLE_FILES

ROOT = Path(__file__).resolve().parent.parent
GLOBS = ("scenarios/*.yaml", "scenarios/cases/*.yaml", "scenarios/teaching/*.yaml")
MAX_YEARS = 2


def table_hashes(path: Path) -> dict[str, str]:
    """Table name → SHA-256 hex digest of its canonical CSV for one scenario file."""
    scenario = load_scenario(path)
    if scenario.calendar.years > MAX_YEARS:
        scenario = load_scenario(path, overrides=[f"calendar.years={MAX_YEARS}"])
    result = simulate(scenario)
    out = {}
    for name in TABLE_FILES:
        text = result.tables[name].to_csv(index=False, lineterminator="\n")
        out[name] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return out


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(p for g in GLOBS for p in ROOT.glob(g))
    for path in paths:
        rel = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
        for name, digest in table_hashes(path).items():
            print(f"{rel} {name} {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
