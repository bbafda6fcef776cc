"""Small checks shared by the scenario sections (:mod:`.water`, :mod:`.emission`, :mod:`.land`, :mod:`.forest`,
:mod:`.links`) and the classroom settings. Imports nothing from :mod:`.model`, so every section may use it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

__all__ = ["repeated", "require_unique"]

T = TypeVar("T")


def repeated(values: Iterable[Hashable]) -> list:
    """The values that occur more than once in ``values``, sorted, each once."""
    seen: set = set()
    dupes: set = set()
    for v in values:
        (dupes if v in seen else seen).add(v)
    return sorted(dupes)


def require_unique(items: list[T], key: str, what: str) -> list[T]:
    """``items`` unchanged if their ``key`` attributes differ; else ``ValueError``
    ``"<what> must be unique; repeated: [...]"`` (for pydantic field validators)."""
    dupes = repeated(getattr(item, key) for item in items)
    if dupes:
        raise ValueError(f"{what} must be unique; repeated: {dupes}")
    return items
