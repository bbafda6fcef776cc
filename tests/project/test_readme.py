"""The README keeps exactly two set-up commands, and CI runs the README's test command verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section, flags=re.S)


def test_exactly_two_setup_commands_one_runs_the_default_scenario_one_the_tests():
    commands = setup_commands()
    assert len(commands) == 2
    run, test = commands
    assert "rights-market run scenarios/dawukou_four_rights.yaml" in run and "pip install -e ." in run
    assert test.rstrip().endswith(".venv/bin/pytest") and "'.[test]'" in test


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert setup_commands()[1].strip() in ci.splitlines()
