"""Comparisons of a baseline and its variants: side-by-side indicators, fan charts, a workbook.

Usage::

    from rights_market.compare import compare
    paths = compare(["scenarios/dawukou_water.yaml"], variants={"high_fee": ["water.fees.industrial_use_fee_yuan_per_m3=0.2"]},
                    replications=5, lang="zh")
    paths["html"]   # results/compare-dawukou_water-<hash>/report.html

The CLI: ``rights-market compare BASELINE [VARIANT ...] [--vary NAME:path=value] [--replications N]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from .build import DEFAULT_FIGURE_METRICS, build_comparison, yearly_table
from .inputs import CompareInputError, Group, load_scenario_file, parse_variants, prepare

__all__ = ["DEFAULT_FIGURE_METRICS", "CompareInputError", "Group", "build_comparison", "compare",
           "load_scenario_file", "parse_variants", "prepare", "yearly_table"]


def compare(
    inputs: Sequence[str | Path],
    *,
    variants: Mapping[str, Sequence[str]] | None = None,
    overrides: Sequence[str] = (),
    replications: int = 1,
    seed: int | None = None,
    out_dir: str | Path | None = None,
    lang: str = "en",
    metrics: Sequence[str] = (),
    workers: int | None = 1,
    scheduler: str | None = None,
    progress: bool | None = None,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Run what needs running and write the comparison (see :func:`prepare` and :func:`build_comparison`).

    ``out_dir`` must be new or empty, or hold this same comparison (resumed); an earlier other comparison
    there is replaced only with ``overwrite``; anything else is refused
    (:class:`~rights_market.outdir.OutputError`) before anything runs.

    Returns the paths written (``html``, ``md``, ``xlsx``, ``figure:*``) and ``dir``, the comparison directory.
    """
    groups, out, _ = prepare(inputs, variants=variants, overrides=overrides, replications=replications, seed=seed,
                             out_dir=Path(out_dir) if out_dir is not None else None, workers=workers,
                             scheduler=scheduler, progress=progress, overwrite=overwrite)
    paths = build_comparison(groups, out, lang, metrics=metrics)
    paths["dir"] = out
    return paths
