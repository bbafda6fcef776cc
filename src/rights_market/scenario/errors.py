"""Problems found while loading or validating a scenario file.

Every problem carries the file, the 1-based line and column where the offending
value was written (when known), the dotted path of the value inside the
resolved scenario, and a human-readable message.  :class:`ScenarioError`
bundles all the problems found in one pass so that a user sees every mistake
at once, not one per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Problem", "ScenarioError"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a scenario, located as precisely as possible."""

    file: str
    line: int | None
    col: int | None
    path: str
    message: str

    def sort_key(self) -> tuple[str, int, int, int, str]:
        # File-level problems (no line) come first within their file.
        return (
            self.file,
            0 if self.line is None else 1,
            self.line or 0,
            self.col or 0,
            self.path,
        )

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        if self.path:
            return f"{where}: {self.path}: {self.message}"
        return f"{where}: {self.message}"


class ScenarioError(Exception):
    """A scenario could not be loaded; ``problems`` lists everything found wrong.

    ``str(err)`` is one line per problem, ``file:line:col: path: message``,
    sorted by file then line.
    """

    def __init__(self, problems: Iterable[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        unique: dict[Problem, None] = dict.fromkeys(problems)
        self.problems: list[Problem] = sorted(unique, key=Problem.sort_key)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __reduce__(self):  # keep picklable (e.g. across multiprocessing)
        return (type(self), (self.problems,))
