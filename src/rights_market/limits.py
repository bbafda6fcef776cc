"""Limits on what an input may ask of the machine (file sizes, YAML shape, work), each overridable.

Every limit has a name, a default and a unit. Input over a limit is refused up front, with the field and
the limit named in the error, instead of running out of memory or time. Someone who means it raises a limit
with ``--limit NAME=VALUE`` on the command line or ``Limits(...)`` / ``Limits.parse([...])`` in Python.

The limits in force are carried by :func:`active` (a context variable set with :func:`using`), so the
loaders deep in the call tree read them without every function passing them on.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


def machine_memory_bytes() -> int:
    """Physical memory of this machine in bytes (0 if it cannot be read)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


@dataclass(frozen=True)
class Limits:
    """The limits in force. Field docs give the unit; ``--limit NAME=VALUE`` sets one by its name."""

    #: bytes of one scenario or sweep YAML file (the largest shipped file is 14 KB)
    scenario_bytes: int = 1024 * 1024
    #: nesting depth of YAML collections (mappings and lists inside each other)
    yaml_depth: int = 64
    #: YAML nodes (scalars, lists, mappings) in one document, aliases counted at each use
    yaml_nodes: int = 50_000  # the largest shipped file has under 1,000
    #: bytes of one scalar (string) in a YAML file
    yaml_scalar_bytes: int = 64 * 1024
    #: bytes of one holder list file (CSV or xlsx) named by ``from_file:``
    table_bytes: int = 32 * 1024 * 1024
    #: rows of one holder list file
    table_rows: int = 500_000
    #: characters of one cell of a holder list file
    table_cell_chars: int = 4_096
    #: holders in one run, all rights together
    holders: int = 2_000_000
    #: runs one study (replications, comparison or sweep) may ask for
    runs: int = 100_000
    #: shouts of one run of a teaching market (shouts_per_period × trading days); about 50 µs of CPU each
    shouts: int = 20_000_000
    #: pledge rules × years of one run (links.pledges); each rule-year visits every holder of its product
    pledges: int = 2_000
    #: estimated peak memory of one run, bytes (default: 80 % of this machine's memory)
    memory_bytes: int = dataclasses.field(default_factory=lambda: int(machine_memory_bytes() * 0.8) or 2**40)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def parse(cls, items: Sequence[str], base: Limits | None = None) -> Limits:
        """``["holders=5000000", ...]`` → Limits; raises ValueError with a message that says how to fix it."""
        base = base or cls()
        changes: dict[str, int] = {}
        for item in items:
            name, sep, value = item.partition("=")
            name = name.strip()
            if not sep or name not in cls.names():
                raise ValueError(f"--limit {item!r}: expected NAME=VALUE with NAME one of {', '.join(cls.names())}")
            try:
                number = int(value.strip().replace("_", ""))
            except ValueError:
                raise ValueError(f"--limit {item!r}: VALUE must be a whole number") from None
            if number < 1:
                raise ValueError(f"--limit {item!r}: VALUE must be at least 1")
            changes[name] = number
        return dataclasses.replace(base, **changes)

    def exceeded(self, name: str, value: int, what: str) -> str:
        """The message for ``what`` being ``value``, over the limit ``name``."""
        return (f"{what} is {value:,}, over the limit {name}={getattr(self, name):,}; "
                f"reduce it, or raise the limit with --limit {name}=N if you mean it")


_ACTIVE: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("rights_market_limits", default=None)


def active() -> Limits:
    """The limits in force here (the defaults unless :func:`using` set others)."""
    return _ACTIVE.get() or Limits()


@contextlib.contextmanager
def using(limits: Limits | None) -> Iterator[Limits]:
    """Put ``limits`` (None: keep those in force) in force for the ``with`` block."""
    current = limits or active()
    token = _ACTIVE.set(current)
    try:
        yield current
    finally:
        _ACTIVE.reset(token)


__all__ = ["Limits", "active", "machine_memory_bytes", "using"]
