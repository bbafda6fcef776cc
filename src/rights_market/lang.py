"""The one language switch of the command line and the reports: ``--lang zh|en``.

Without ``--lang`` the language comes from the locale: the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG``
that is set decides — a value starting with ``zh`` (``zh_CN.UTF-8``) gives Chinese, anything else English.

Reports of both languages are written side by side into one folder: English under the plain names
(``report.html``, ``report.md``, ``report.xlsx``, ``figures/water_volume.svg``), Chinese with ``.zh``
before the extension (``report.zh.html``, ``report.zh.md``, ``report.zh.xlsx``,
``figures/water_volume.zh.svg``), so neither build ever replaces the other's files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGS: tuple[str, ...] = ("en", "zh")
#: The language of the plain file names.
PLAIN_LANG = "en"


def default_lang(environ: Mapping[str, str] | None = None) -> str:
    """``zh`` when the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first one set) starts with ``zh``,
    else ``en``."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def resolve(lang: str | None) -> str:
    """The language asked for, or the locale's (:func:`default_lang`) when none was given."""
    return lang if lang else default_lang()


def lang_suffix(lang: str) -> str:
    """What goes before a report file's extension: ``""`` for English, ``".zh"`` for Chinese."""
    return "" if lang == PLAIN_LANG else f".{lang}"


def report_file(name: str, lang: str) -> str:
    """``report.html`` → ``report.zh.html`` in Chinese (``name`` with :func:`lang_suffix` before its
    extension)."""
    stem, dot, ext = name.rpartition(".")
    return f"{stem}{lang_suffix(lang)}.{ext}" if dot else f"{name}{lang_suffix(lang)}"
