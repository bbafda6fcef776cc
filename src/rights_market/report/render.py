"""Renderers of a :class:`~rights_market.report.document.Document`: HTML and Markdown, from the Jinja2
templates ``templates/report.html.j2`` and ``templates/report.md.j2``.

The HTML environment autoescapes: every ``{{ value }}`` of the template is escaped, so text from a run (a
holder's name, a relation, a reason) can never become markup. Strings are escaped with :func:`html.escape`
(``&quot;``, ``&#x27;``), as the report always did; anything else by Jinja2's own escaping. The Markdown
environment does not autoescape; its template passes text through :func:`md_text` and :func:`md_cell`.
Used by the run report and the comparison (:mod:`rights_market.compare.build`).
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from .document import Document

__all__ = ["md_cell", "md_text", "render_html", "render_markdown"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _slug(text: str, used: set[str]) -> str:
    base = "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-") or "section"
    slug, i = base, 2
    while slug in used:
        slug, i = f"{base}-{i}", i + 1
    used.add(slug)
    return slug


def md_text(text: str) -> str:
    """Text safe in Markdown: no raw HTML tags, no line breaks."""
    return text.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>").replace("\n", " ")


def md_cell(text: str) -> str:
    """Text safe in a Markdown table cell."""
    return md_text(text).replace("|", "\\|")


def _md_total(cell: str, total: bool) -> str:
    return f"**{cell}**" if total and cell else cell


def _escape_str(value: object) -> object:
    """Finalizer of the HTML environment: strings escaped by :func:`html.escape` (marked safe so that
    autoescaping does not escape them twice); other values are left to autoescaping."""
    return Markup(html.escape(value)) if isinstance(value, str) and not isinstance(value, Markup) else value


def _zip(a, b):
    return zip(a, b, strict=True)


@cache
def _env(kind: str) -> Environment:
    is_html = kind == "html"
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=is_html,
        finalize=_escape_str if is_html else None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters.update(zip=_zip, md_text=md_text, md_cell=md_cell, md_total=_md_total)
    return env


def _blocks(doc: Document, slugs: bool) -> list[tuple[str, object, str]]:
    """``(block type name, block, heading id)`` for each block (ids only for headings, unique)."""
    used: set[str] = set()
    out = []
    for b in doc.blocks:
        kind = type(b).__name__
        out.append((kind, b, _slug(b.text, used) if slugs and kind == "Heading" else ""))
    return out


#: Where the ``@font-face`` rule goes (filled in once the page's characters are known).
_FONT_SLOT = "/*@font-face*/"
#: Headings of these levels are listed in the table of contents.
TOC_LEVELS = (2, 3)


def _toc(blocks: list[tuple[str, object, str]]) -> tuple[list[tuple[int, str, str]], int]:
    """The table of contents (``(level, text, anchor)`` of every level-2 and -3 heading) and the index of
    the block it goes before (the first level-2 heading)."""
    toc = [(b.level, b.text, slug) for kind, b, slug in blocks if kind == "Heading" and b.level in TOC_LEVELS]
    at = next((i for i, (kind, b, _) in enumerate(blocks) if kind == "Heading" and b.level == 2), -1)
    return toc, at


def render_html(doc: Document, figure_svg: dict[str, str]) -> str:
    """The self-contained HTML page of ``doc``: inline CSS with print styles, a table of contents linking
    the level-2 and -3 headings, figures as inline SVG (``figure_svg`` by stem, labelled by their caption for
    screen readers), and — for a page with Chinese — the subset of the bundled font holding exactly its
    characters, those of the figures included (:mod:`.webfont`)."""
    from .labels import Labels
    from .webfont import EMBEDDED_FAMILY, font_face_css

    data = {
        b.stem: Markup(figure_svg[b.stem].replace("<svg ", f'<svg aria-label="{escape(b.caption)}" ', 1))
        for b in doc.blocks if type(b).__name__ == "FigureBlock"
    }
    blocks = _blocks(doc, True)
    toc, toc_at = _toc(blocks)
    page = _env("html").get_template("report.html.j2").render(
        doc=doc, html_lang="zh-CN" if doc.lang == "zh" else doc.lang, blocks=blocks, figure_data=data,
        toc=toc if len(toc) > 1 else [], toc_at=toc_at, toc_title=Labels(doc.lang)("toc.title"),
        font_css=Markup(_FONT_SLOT), embedded_family=Markup(f'"{EMBEDDED_FAMILY}",'),
    )
    return page.replace(_FONT_SLOT, font_face_css(page), 1)


def render_markdown(doc: Document, figure_paths: dict[str, str]) -> str:
    """The Markdown of ``doc``; figures link ``figure_paths[stem]`` (relative paths)."""
    text = _env("md").get_template("report.md.j2").render(blocks=_blocks(doc, False), figure_paths=figure_paths)
    return text.rstrip("\n") + "\n"
