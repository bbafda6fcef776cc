"""Problems found while loading or validating a scenario file.

Every problem carries the file, the 1-based line and column where the offending
value was written (when known), the dotted path of the value inside the
resolved scenario, and a human-readable message.  :class:`ScenarioError`
bundles all the problems found in one pass so that a user sees every mistake
at once, not one per run.

Problems are printed one per line, whatever the input held: control
characters (line breaks, escape sequences, bidi overrides...) in file names,
keys and values are shown escaped (``\\r``, ``\\x1b``, ``\\u202e``) by
:func:`printable`, and very long paths and messages are shortened, so a
hostile key can neither break a line, drive the terminal nor flood it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Problem", "ScenarioError", "printable", "shorten"]

# C0 and C1 controls, DEL, line/paragraph separators and the bidirectional formatting characters.
_CONTROL = re.compile("[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: characters of a problem's path and message shown at most (the rest is elided)
MAX_PATH_CHARS = 200
MAX_MESSAGE_CHARS = 2_000


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control or bidi character written as an escape (``\\n``, ``\\x1b``, ``\\u202e``)."""
    return _CONTROL.sub(_escape, text)


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to about ``limit`` characters (middle elided, length stated), then made printable."""
    if len(text) > limit:
        keep = max(limit - 20, 10)
        text = f"{text[: keep // 2 + keep % 2]}...{text[-(keep // 2):]} ({len(text):,} characters)"
    return printable(text)


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
        where = shorten(self.file, MAX_PATH_CHARS)
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        message = shorten(self.message, MAX_MESSAGE_CHARS)
        if self.path:
            return f"{where}: {shorten(self.path, MAX_PATH_CHARS)}: {message}"
        return f"{where}: {message}"


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
