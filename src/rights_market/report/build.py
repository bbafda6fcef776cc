"""Build ``report.html``, ``report.md`` and ``report.xlsx`` from the tables of a run directory (see
``docs/tables.md``).

The report is assembled as a document of blocks (:mod:`.document`) — per right first the answers to the
office's questions (:mod:`.answers`; for water the policy effect, :mod:`.policy_effect`), then the summary
(:mod:`.summary`), its figures
(:mod:`.figure_blocks`) and tables (:mod:`.tables`) — and rendered twice (:mod:`.render`): to a self-contained HTML file (inline CSS, figures as inline SVG) and to Markdown (figures
as SVG files in ``figures/``, referenced relatively: :mod:`.figure_files`). The workbook comes from
:mod:`.workbook`. All files are written atomically. Money is always summed over the integer ``*_fen``
columns and turned into yuan only when formatted.

The names other modules of the project used from here before the report was split are still importable
from this module (``build.fmt_price``, ``build.TableBlock``, ...).
"""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..atomic import write_atomic
from ..lang import report_file
from ..tables.schema import FISCAL_SECTION
from . import xlsx
from .aggregate import (  # noqa: F401  (re-exported)
    KIND_ORDER,
    MECHANISM_ORDER,
    METRIC_ORDER,
    base_price_levels,
    charges_by_kind_band,
    kpi_table,
    rejected_by_reason,
    surcharge_by_year_band,
    top_holders,
    volume_by_year_mechanism,
    yearly_kpi,
)
from .answers import answer_blocks
from .display_units import (  # noqa: F401  (re-exported)
    DisplayUnit,
    Series,
    convert_unit,
    display_unit,
    order_products,
    price_basis,
    split_series,
    unit_of_right,
)
from .document import Bullets, Document, FigureBlock, Heading, KeyValues, Para, TableBlock  # noqa: F401
from .figure_blocks import right_figures
from .figure_files import (  # noqa: F401  (re-exported)
    FIGURE_DIR,
    FIGURE_FILE,
    FIGURE_RECORD,
    figures_written_before,
    for_language,
    write_with_figures,
)
from .fmt import fmt_fen, fmt_int, fmt_kpi, fmt_pct, fmt_price, mean_price  # noqa: F401
from .labels import BAND_METRIC_PREFIX, Labels  # noqa: F401
from .render import render_html, render_markdown
from .right_data import right_data
from .rights_display import AREA_IN_MU, DEFAULT_UNIT, PRODUCT_ORDER, RIGHT_ORDER, TERM_PRICED  # noqa: F401
from .run_data import Run, has_fiscal_section, load_run, rights_in_run
from .summary import header_block, summary_sentences
from .tables import kpi_blocks, right_tables
from .workbook import run_sheets


def _how_to_read(L: Labels) -> list[object]:
    out: list[object] = [Heading(2, L("section.how_to_read"))]
    for key in (
        "howto.intro",
        "howto.units",
        "howto.scales",
        "howto.prices",
        "howto.volume",
        "howto.surcharge",
        "howto.reserve",
        "howto.use",
        "howto.kpis",
        "howto.holders",
        "howto.charges",
        "howto.rejected",
    ):
        out.append(Para(L(key)))
    return out


def _fiscal_section(run: Run, L: Labels) -> list[object]:
    """The shared fiscal account's own section: every right's budgets, fees and revenue meet in it, so its
    balance belongs to no one right."""
    d = right_data(run, FISCAL_SECTION)
    return [Heading(2, L("section.right", right=L.right(FISCAL_SECTION))), Para(L("fiscal.intro")),
            *kpi_blocks(d, L)]


def build_document(run: Run, lang: str = "en") -> Document:
    """The report as blocks (no files written)."""
    L = Labels(lang)
    rights = rights_in_run(run)
    doc = Document(lang, L("report.title"))
    doc.add(Heading(1, L("report.title")), header_block(run, L, rights))
    if not rights:
        doc.add(Para(L("run.empty"), "empty"), Para(L("summary.no_trades"), "empty"))
    for right in rights:
        d = right_data(run, right)
        doc.add(Heading(2, L("section.right", right=L.right(right))))
        doc.add(*answer_blocks(run, d, L))  # the office's questions first, then the detail
        doc.add(Heading(3, L("section.summary")), Bullets(summary_sentences(d, L)))
        doc.add(Heading(3, L("section.figures")))
        doc.add(*right_figures(d, L))
        doc.add(Heading(3, L("section.tables")), *right_tables(run, d, L))
    if has_fiscal_section(run):
        doc.add(*_fiscal_section(run, L))
    doc.add(*_how_to_read(L))
    doc.add(Para(L("report.generated_by", version=__version__), "note"))
    return doc


def build_report(run_dir: Path, lang: str = "en") -> dict[str, Path]:
    """Write ``report.html``, ``report.md``, ``figures/*.svg`` and ``report.xlsx`` (the tables, for office
    staff: :mod:`rights_market.report.workbook`) into ``run_dir`` — in Chinese ``report.zh.html``,
    ``report.zh.md``, ``figures/*.zh.svg`` and ``report.zh.xlsx`` (:mod:`rights_market.lang`), so the two
    languages are written side by side, never over each other.

    Figure files an earlier build wrote (:func:`figures_written_before`) that this build does not draw (a
    product no longer traded, a renamed figure) are removed, but only after the new ``report.md`` and
    ``report.html`` are in place: a build that fails leaves every figure the existing ``report.md`` links to.
    The record of the written figures (``figures/.report-figures.json``) is updated before any figure is
    written, so figures of a failed build are removed by the next one.

    Returns the paths written: ``"html"``, ``"md"``, ``"xlsx"`` and ``"figure:<stem>"`` for each figure.
    """
    run_dir = Path(run_dir)
    Labels(lang)  # reject unknown languages before reading anything
    run = load_run(run_dir)
    doc = build_document(run, lang)

    def write_documents(figure_rel: dict[str, str], figure_svg: dict[str, str]) -> dict[str, Path]:
        md_path, html_path = run_dir / report_file("report.md", lang), run_dir / report_file("report.html", lang)
        write_atomic(md_path, render_markdown(doc, figure_rel).encode("utf-8"))
        write_atomic(html_path, render_html(doc, figure_svg).encode("utf-8"))
        xlsx_path = run_dir / report_file("report.xlsx", lang)
        write_atomic(xlsx_path, xlsx.workbook_bytes(run_sheets(run, Labels(lang))))
        return {"md": md_path, "html": html_path, "xlsx": xlsx_path}

    figures = [b for b in doc.blocks if isinstance(b, FigureBlock)]
    pattern, record = for_language(figures, FIGURE_FILE, FIGURE_RECORD, lang)
    return write_with_figures(run_dir, figures, write_documents, pattern=pattern, record=record)
