"""Citations of scenario values: the YAML comments written next to (or just above) a value, read with
ruamel.yaml's comment API.

A shipped scenario cites its sources in comments (``# Yinchuan non-residential price within quota (2015)``,
``# ASSUMPTION: ...``). :func:`citations` loads a file with ruamel's round-trip loader, collects every comment
token it attached to a mapping or sequence (``.ca.items``, ``.ca.comment``) by line, and gives for a dotted
path the comment on the value's own line, else the comment lines right above it, else those of its parent
(a field of a flow mapping such as ``surcharge: {step_share: 0.50, ...}`` is cited by what is said about the
mapping). Only the file given is read; :func:`rights_market.lab.fields.fields_for` asks the file that wrote
each value (the scenario or a file it ``extends:``, from the loader's source map). A path the file does not
write has no citation.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

#: Longest citation kept, in characters (a long comment block is cut with an ellipsis).
MAX_CITATION_CHARS = 400


def _tokens(node: Any, out: list[Any]) -> None:
    """Every comment token attached to ``node`` and its children (ruamel's ``.ca``)."""
    if isinstance(node, (CommentedMap, CommentedSeq)):
        ca = node.ca
        for slot in (ca.comment or []):
            _add(slot, out)
        for value in ca.items.values():
            for slot in value:
                _add(slot, out)
        children = node.values() if isinstance(node, CommentedMap) else node
        for child in children:
            _tokens(child, out)


def _add(slot: Any, out: list[Any]) -> None:
    if slot is None:
        return
    if isinstance(slot, list):
        for s in slot:
            _add(s, out)
    elif hasattr(slot, "value") and hasattr(slot, "start_mark"):
        out.append(slot)


class Citations:
    """The comments of one YAML file by line (0-based), split into end-of-line and full-line comments."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.eol: dict[int, str] = {}
        self.full: dict[int, str] = {}
        try:
            self.doc = YAML(typ="rt", pure=True).load(text)
        except Exception:  # noqa: BLE001 - a citation is a courtesy: an unreadable file has none
            self.doc = None
        tokens: list[Any] = []
        _tokens(self.doc, tokens)
        for tok in tokens:
            first, col = tok.start_mark.line, tok.start_mark.column
            for i, part in enumerate(str(tok.value).split("\n")):
                text_part = part.strip()
                if not text_part.startswith("#"):
                    continue
                line = first + i
                body = text_part.lstrip("#").strip()
                before = self.lines[line][:col] if i == 0 and line < len(self.lines) else ""
                if i == 0 and before.strip():
                    self.eol[line] = body
                else:
                    self.full[line] = body

    def _line_of(self, keys: Sequence[str]) -> list[int]:
        """Lines (0-based) of each step of ``keys`` from the top, as far as the file writes them."""
        node, out = self.doc, []
        for key in keys:
            if isinstance(node, CommentedMap) and key in node:
                out.append(node.lc.key(key)[0])
                node = node[key]
            elif isinstance(node, CommentedSeq) and key.isdigit() and int(key) < len(node):
                out.append(node.lc.item(int(key))[0])
                node = node[int(key)]
            else:
                return []
        return out

    def _above(self, line: int) -> str:
        found: list[str] = []
        i = line - 1
        while i >= 0 and i in self.full and not self.lines[i].strip().startswith(("-", "{")):
            found.append(self.full[i])
            i -= 1
        return " ".join(reversed(found))

    def cite(self, dotted: str) -> str:
        """The citation of ``dotted`` (see the module docstring), or ``""``."""
        parts: list[str] = []
        for line in reversed(self._line_of(dotted.split("."))):
            if line in self.eol:  # a comment on the line of the value (or of the mapping holding it) ends the search
                parts.append(self.eol[line])
                break
            above = self._above(line)
            if above and not parts:
                parts.append(above)
        text = " — ".join(dict.fromkeys(reversed(parts)))
        return text if len(text) <= MAX_CITATION_CHARS else text[: MAX_CITATION_CHARS - 1] + "…"


def citations(path: str | Path) -> Citations:
    """The :class:`Citations` of the file at ``path`` (read as UTF-8)."""
    return Citations(Path(path).read_text(encoding="utf-8"))


__all__ = ["MAX_CITATION_CHARS", "Citations", "citations"]
