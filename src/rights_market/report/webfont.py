"""The Chinese font of an HTML page, inside the page: a subset of the bundled font
(:mod:`rights_market.report.fonts`) holding exactly the characters the page uses, as an ``@font-face`` rule
with a ``data:`` URL (WOFF, compressed with zlib). The page then shows its Chinese on a machine without any
Chinese system font, and stays one self-contained file (a typical Chinese report adds 60–150 kB).

Only characters outside ASCII are put in the subset (Latin text and digits use the reader's own fonts), and
only those the bundled font has (the browser falls back for the rest, e.g. an emoji in a holder's name).
A page without a character of the CJK blocks (an English report) gets no font.

The subset keeps the font's licence (SIL OFL 1.1, name table kept; ``data/OFL-RightsMarketSansSC.txt``).
"""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache

from .fonts import FAMILY, covered_codepoints, font_path

__all__ = ["EMBEDDED_FAMILY", "font_face_css", "page_characters", "subset_woff"]

#: Family name of the embedded subset in the page's CSS.
EMBEDDED_FAMILY = f"{FAMILY} (embedded)"
#: Any character of the CJK blocks (ideographs, punctuation, full-width forms): a page with one needs the font.
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


def page_characters(text: str) -> list[str]:
    """The characters of ``text`` the subset must hold: those outside ASCII that the bundled font has, in
    code-point order."""
    cmap = covered_codepoints()
    return sorted({ch for ch in text if ord(ch) > 0x7F and ord(ch) in cmap})


def subset_woff(chars: list[str]) -> bytes:
    """A WOFF font with exactly ``chars`` (and the obligatory ``.notdef``) of the bundled font; the same
    characters give the same bytes (the bundled font's timestamps are kept, not the time of the build).
    The last few subsets are remembered in the process (a report in Chinese and its comparison, the lab's
    variants: pages with the same words)."""
    return _subset_woff(tuple(chars))


@lru_cache(maxsize=8)
def _subset_woff(chars: tuple[str, ...]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = ["kern", "palt", "halt"]
    opts.hinting = False
    opts.name_IDs = ["*"]  # keep the copyright and licence records (OFL)
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    # the bounding boxes of the whole font stay valid for a subset: recomputing them from every glyph's
    # outline was a third of the time; the timestamp of the build would make each page's bytes differ
    with TTFont(str(font_path()), recalcBBoxes=False, recalcTimestamp=False) as font:
        sub = subset.Subsetter(opts)
        sub.populate(unicodes=[ord(ch) for ch in chars])
        sub.subset(font)
        buf = io.BytesIO()
        font.flavor = "woff"
        font.save(buf)
    return buf.getvalue()


def font_face_css(text: str) -> str:
    """The ``@font-face`` rule that makes the Chinese of ``text`` (a rendered page) show anywhere, or ``""``
    when the page has no CJK character or the bundled font is absent."""
    if not _CJK.search(text) or not font_path().is_file():
        return ""
    chars = page_characters(text)
    data = base64.b64encode(subset_woff(chars)).decode("ascii")
    return (f'@font-face{{font-family:"{EMBEDDED_FAMILY}";font-style:normal;font-weight:400;'
            f"font-display:block;src:url(data:font/woff;base64,{data}) format(\"woff\")}}\n")
