"""Text metrics for laying out charts without a font renderer: estimated widths, line breaks, shortening.

Widths are estimated from DejaVu Sans' advance widths for printable ASCII (the widest common sans-serif: a
viewer's Arial, Helvetica or Microsoft YaHei sets the same text narrower, so an estimate never lets text
overflow), one em for Chinese, Japanese and Korean characters and full-width forms, and a wide default for
anything else.
"""

from __future__ import annotations

from functools import lru_cache

#: Advance widths of DejaVu Sans for code points 32..126, in thousandths of an em.
_ASCII = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636,
    636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656,
    557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613,
    635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818,
    592, 592, 525, 636, 337, 636, 838,
)
#: Other characters of the labels, in thousandths of an em (DejaVu Sans).
_OTHER = {"·": 318, "→": 838, "…": 1000, "—": 1000, "–": 500, "²": 401, "³": 401, "×": 838, "≤": 838, "≥": 838,
          "\u00a0": 318, "’": 318, "‘": 318, "“": 500, "”": 500}
#: Width of a character neither table knows (Latin letters with accents and the like are narrower).
_DEFAULT = 700
#: Line height as a multiple of the font size.
LINE = 1.25


def _wide(ch: str) -> bool:
    o = ord(ch)
    return 0x2E80 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFF60 \
        or 0x3000 <= o <= 0x303F or 0x20000 <= o <= 0x3FFFF


def _char(ch: str) -> int:
    o = ord(ch)
    if 32 <= o <= 126:
        return _ASCII[o - 32]
    if _wide(ch):
        return 1000
    return _OTHER.get(ch, _DEFAULT)


@lru_cache(maxsize=4096)
def width(text: str, size: float) -> float:
    """Estimated width (px) of ``text`` set at ``size`` px."""
    return sum(_char(ch) for ch in text) * size / 1000.0


def height(lines: int, size: float) -> float:
    """Height (px) of ``lines`` lines of text at ``size`` px."""
    return lines * size * LINE


def _break_points(text: str) -> list[int]:
    """Indices where a line may break: after a space, or between two wide (CJK) characters."""
    out = []
    for i in range(1, len(text)):
        if text[i - 1] == " " or (_wide(text[i]) and text[i - 1] != "("):
            out.append(i)
    return out


def shorten(text: str, room: float, size: float) -> str:
    """``text``, cut and ended with "…" if it is wider than ``room`` px."""
    if width(text, size) <= room:
        return text
    cut = text
    while cut and width(cut + "…", size) > room:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def wrap(text: str, room: float, size: float, most: int = 2) -> list[str]:
    """``text`` in at most ``most`` lines of at most ``room`` px, broken at spaces or between Chinese
    characters; the last line is shortened with "…" if the text does not fit."""
    lines: list[str] = []
    rest = text
    while rest and len(lines) < most - 1 and width(rest, size) > room:
        fits = [i for i in _break_points(rest) if width(rest[:i].rstrip(), size) <= room]
        if not fits:
            break
        # a break at a space or before a bracket reads best, if it leaves a fair part of the line filled
        good = [i for i in fits if (rest[i - 1] == " " or rest[i] in "(（") and width(rest[:i], size) >= 0.4 * room]
        i = (good or fits)[-1]
        lines.append(rest[:i].rstrip())
        rest = rest[i:].lstrip()
    lines.append(shorten(rest, room, size))
    return lines
