"""The Chinese font that ships with the package, so the Chinese report reads the same on any machine.

``rights_market/data/RightsMarketSansSC-Regular.otf`` is a subset of **Noto Sans CJK SC Regular**
(© 2014-2021 Adobe, SIL Open Font License 1.1, licence text in ``data/OFL-RightsMarketSansSC.txt``),
renamed "Rights Market Sans SC" as the OFL asks of modified versions. It holds the 7,000-odd characters of
GB 2312 (every common simplified Chinese character), CJK and full-width punctuation, Latin-1 and every
character of the Chinese report labels (:data:`rights_market.report.labels.LABELS`) — about 1.6 MB instead
of the 19 MB of the full collection.

A Chinese HTML page embeds the subset of it that holds the page's characters, its figures' included
(:mod:`rights_market.report.webfont`). :func:`missing_characters` tells which characters of a text the font
does not cover — the tests check that every Chinese label is there.

Rebuilding the subset (maintainers only, e.g. after adding labels with new characters)::

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb noto
    python -m rights_market.report.fonts noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

FONT_FILE = "RightsMarketSansSC-Regular.otf"
LICENSE_FILE = "OFL-RightsMarketSansSC.txt"
#: Family name of the bundled font.
FAMILY = "Rights Market Sans SC"
_PS_NAME = "RightsMarketSansSC-Regular"
_SC_FACE = "Noto Sans CJK SC"


def font_path() -> Path:
    """Path of the bundled font file inside the installed package."""
    return Path(str(resources.files("rights_market") / "data" / FONT_FILE))


@cache
def covered_codepoints() -> frozenset[int]:
    """Code points the bundled font has (its character map)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path()), lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_characters(texts: Iterable[str]) -> set[str]:
    """Characters of ``texts`` that the bundled font does not have (whitespace ignored)."""
    covered = covered_codepoints()
    return {ch for text in texts for ch in text if not ch.isspace() and ord(ch) not in covered}


# --------------------------------------------------------------------------------------------- maintainers
def subset_characters() -> set[str]:
    """The characters kept in the subset: GB 2312, punctuation, Latin-1 and every Chinese label."""
    from .labels import LABELS

    chars: set[str] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([hi, lo]).decode("gb2312"))
    for lo, hi in ((0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x2190, 0x2200), (0x3000, 0x3040),
                   (0xFF00, 0xFFF0)):
        chars |= {chr(c) for c in range(lo, hi)}
    for text in LABELS["zh"].values():
        chars |= set(text)
    return chars


def build_subset(source: Path, out: Path) -> Path:
    """Write the subset of the "Noto Sans CJK SC" face of ``source`` (a .ttc or .otf) to ``out``, renamed."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    if source.suffix.lower() in (".ttc", ".otc"):
        faces = TTCollection(str(source)).fonts
        font = next(f for f in faces if f["name"].getDebugName(1) == _SC_FACE)
    else:
        font = TTFont(str(source))
    opts = subset.Options()
    opts.layout_features = ["kern", "palt", "halt"]
    opts.hinting = False
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.drop_tables += ["DSIG", "VORG", "vhea", "vmtx"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(ord(ch) for ch in subset_characters()))
    sub.subset(font)
    names = font["name"]
    new = {1: FAMILY, 3: f"{_PS_NAME};rights-market subset", 4: f"{FAMILY} Regular", 6: _PS_NAME,
           16: FAMILY, 17: "Regular",
           10: "Subset of Noto Sans CJK SC Regular for rights-market figures (GB 2312 and report labels)."}
    for rec in list(names.names):
        if rec.nameID in new:
            names.removeNames(nameID=rec.nameID)
    for name_id, text in new.items():
        names.setName(text, name_id, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [_PS_NAME]
        top = cff.topDictIndex[0]
        for attr in ("FullName", "FamilyName"):
            if hasattr(top, attr):
                setattr(top, attr, FAMILY if attr == "FamilyName" else f"{FAMILY} Regular")
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return out


if __name__ == "__main__":  # pragma: no cover - maintainer tool
    src = Path(sys.argv[1])
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parents[1] / "data" / FONT_FILE
    print(build_subset(src, dst))
