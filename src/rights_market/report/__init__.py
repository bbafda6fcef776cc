"""Readable report of a run directory: ``report.html`` (self-contained) and ``report.md``.

Usage::

    from rights_market.report import build_report
    paths = build_report(Path("results/my-run"), lang="zh")   # {"html": ..., "md": ..., "figure:water_prices": ...}

The CLI command ``rights-market report RUN_DIR [--lang en|zh]`` calls :func:`build_report`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The names load on first use (PEP 562): ``report.labels`` alone (``validate`` of a sensitivity design checks
# its outputs against the label catalogue) must not load the report's figures and tables.
_HOME = {"build_report": "build", "LABELS": "labels", "LANGS": "labels", "Labels": "labels"}

if TYPE_CHECKING:
    from .build import build_report
    from .labels import LABELS, LANGS, Labels

__all__ = ["LABELS", "LANGS", "Labels", "build_report"]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value
