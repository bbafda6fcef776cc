"""Figure files of a written report: SVGs in ``figures/`` beside ``report.md``, a record of the files the
report wrote, and removal of an earlier build's figures that the new one no longer draws — only after the new
documents are in place, and only files named like the report's own."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from ..atomic import write_atomic
from .document import FigureBlock

#: Directory of the figure files of the Markdown report, inside the run directory.
FIGURE_DIR = "figures"
#: Names of the figure files the report writes (``<right>_prices[_<product>...]``, ``<right>_volume``,
#: ``_surcharge``, ``_reserve``, ``_use``; see :mod:`.figure_blocks`). Only files named so are ever removed;
#: ``.png`` is the extension of reports written before the figures were SVG (removed by the next build).
FIGURE_FILE = re.compile(r"[a-z0-9][a-z0-9_-]*_(?:prices(?:_[a-z0-9_]+)?|volume|surcharge|reserve|use)\.(?:svg|png)")
#: Extension of the figure files written now.
FIGURE_SUFFIX = ".svg"
#: The report's record of the figure files it wrote (a JSON list of names in ``figures/``).
FIGURE_RECORD = ".report-figures.json"


def for_language(figures: Sequence[FigureBlock], pattern: re.Pattern[str], record: str,
                 lang: str) -> tuple[re.Pattern[str], str]:
    """Make a build of ``lang`` keep its figure files apart from the other language's: the figures' stems
    get the language's suffix (:func:`rights_market.lang.lang_suffix`: ``water_volume.zh``, in place), and
    the returned pattern and record name are the language's own (``.report-figures.zh.json``). English keeps
    the plain names, so a Chinese build never removes or replaces an English figure, nor the reverse."""
    from ..lang import lang_suffix

    suffix = lang_suffix(lang)
    if not suffix:
        return pattern, record
    for b in figures:
        if not b.stem.endswith(suffix):
            b.stem += suffix
    ext = r"\.(?:svg|png)"
    own = re.compile(pattern.pattern.removesuffix(ext) + re.escape(suffix) + ext)
    return own, record.removesuffix(".json") + suffix + ".json"


def figures_written_before(run_dir: Path, *, pattern: re.Pattern[str] = FIGURE_FILE,
                           record: str = FIGURE_RECORD) -> set[str]:
    """Names of the figure files an earlier build of the report wrote into ``run_dir/figures``: those of its
    record, or, for a report written before there was a record, those its ``report.md`` links to. Only
    names of ``pattern`` (:data:`FIGURE_FILE`) count, so files of the user's are never taken for the report's.
    ``record``: the name of the record in ``figures/`` (the comparison keeps its own)."""
    names: object
    try:
        names = json.loads((Path(run_dir) / FIGURE_DIR / record).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        try:
            md = (Path(run_dir) / "report.md").read_text(encoding="utf-8")
        except (OSError, ValueError):
            md = ""
        names = re.findall(rf"\]\({FIGURE_DIR}/([^()\s/\\]+)\)", md)
    if not isinstance(names, list):
        return set()
    return {n for n in names if isinstance(n, str) and pattern.fullmatch(n)}


def _record_figures(fig_dir: Path, names: set[str], record: str = FIGURE_RECORD) -> None:
    """Write the record of the figure files of the report (remove it when there are none)."""
    path = fig_dir / record
    if names:
        write_atomic(path, (json.dumps(sorted(names), indent=1) + "\n").encode("utf-8"))
    else:
        path.unlink(missing_ok=True)


def write_with_figures(
    out_dir: Path,
    figures: Sequence[FigureBlock],
    write_documents: Callable[[dict[str, str], dict[str, str]], dict[str, Path]],
    *,
    pattern: re.Pattern[str] = FIGURE_FILE,
    record: str = FIGURE_RECORD,
) -> dict[str, Path]:
    """Write ``figures`` into ``out_dir/figures``, then the documents linking them (``write_documents``,
    given the relative path and the SVG of each figure by stem, returns the paths it wrote), then remove the
    figure files an earlier build wrote (:func:`figures_written_before`) that this one does not draw.

    The earlier figures are removed only after ``write_documents`` returned: a build that fails leaves every
    figure the existing ``report.md`` links to. The record (``figures/<record>``) is updated before any
    figure is written, so figures of a failed build are removed by the next one. Only names of ``pattern``
    are ever removed. Shared by the run report (:func:`build_report`) and the comparison
    (:func:`rights_market.compare.build.build_comparison`).

    Returns ``"figure:<stem>"`` for each figure and what ``write_documents`` returned. File-system errors
    become :class:`~rights_market.outdir.OutputError` naming the folder (exit 2); leftovers of killed builds
    are cleaned first.
    """
    from ..outdir import clean_leftovers, writing

    with writing(out_dir, "write the report"):
        clean_leftovers(out_dir)
        clean_leftovers(Path(out_dir) / FIGURE_DIR)
        return _write_with_figures(out_dir, figures, write_documents, pattern, record)


def _write_with_figures(out_dir: Path, figures: Sequence[FigureBlock],
                        write_documents: Callable[[dict[str, str], dict[str, str]], dict[str, Path]],
                        pattern: re.Pattern[str], record: str) -> dict[str, Path]:
    fig_dir = Path(out_dir) / FIGURE_DIR
    drawn = {f"{b.stem}{FIGURE_SUFFIX}" for b in figures}
    before = figures_written_before(out_dir, pattern=pattern, record=record)
    if before or drawn:  # first the record of every figure file this build may leave behind
        _record_figures(fig_dir, before | drawn, record)
    written: dict[str, Path] = {}
    figure_svg: dict[str, str] = {}
    figure_rel: dict[str, str] = {}
    for b in figures:
        path = fig_dir / f"{b.stem}{FIGURE_SUFFIX}"
        write_atomic(path, b.svg.encode("utf-8"))
        figure_svg[b.stem] = b.svg
        figure_rel[b.stem] = f"{FIGURE_DIR}/{b.stem}{FIGURE_SUFFIX}"
        written[f"figure:{b.stem}"] = path
    written.update(write_documents(figure_rel, figure_svg))
    # the new documents link none of the earlier build's other figures: remove them (a file that cannot be
    # removed stays in the record, for the next build)
    left = set()
    for name in sorted(before - drawn):
        path = fig_dir / name
        try:
            if path.is_symlink() or path.is_file():
                path.unlink()
        except OSError:
            left.add(name)
    if before or drawn:
        _record_figures(fig_dir, drawn | left, record)
    return written
