"""The report as a document: a list of blocks (headings, paragraphs, bullets, key-value lists, figures,
tables) that the renderers (:mod:`rights_market.report.render`) turn into HTML and Markdown. Blocks hold
plain text; escaping is the renderers' job."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    text: str
    kind: str = ""  # "", "empty", "note"


@dataclass
class Bullets:
    items: list[str]


@dataclass
class KeyValues:
    items: list[tuple[str, str]]
    sep: str = ":"


@dataclass
class FigureBlock:
    stem: str
    svg: str  # the figure's SVG document (:mod:`rights_market.report.chart`)
    caption: str


@dataclass
class TableBlock:
    title: str
    columns: list[str]
    rows: list[list[str]]
    align: list[str]  # "l" or "r" per column
    total: bool = False  # the last row (or the last ``total_rows`` rows) are totals
    note: str = ""
    total_rows: int = 1


@dataclass
class Document:
    lang: str
    title: str
    blocks: list[object] = field(default_factory=list)

    def add(self, *blocks: object) -> None:
        self.blocks.extend(blocks)
