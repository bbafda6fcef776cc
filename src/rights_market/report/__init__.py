"""Readable report of a run directory: ``report.html`` (self-contained) and ``report.md``.

Usage::

    from rights_market.report import build_report
    paths = build_report(Path("results/my-run"), lang="zh")   # {"html": ..., "md": ..., "figure:water_prices": ...}

The CLI command ``rights-market report RUN_DIR [--lang en|zh]`` calls :func:`build_report`.
"""

from .build import build_report
from .labels import LABELS, LANGS, Labels

__all__ = ["LABELS", "LANGS", "Labels", "build_report"]
