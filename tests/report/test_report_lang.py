"""One language switch (issue 16): ``--lang`` defaults from the locale; English and Chinese reports are
written side by side; the Chinese HTML carries its font (a subset holding every character it uses); the
report answers first, has a table of contents and print styles; totals never mix kinds of money; the Chinese
workbook's raw sheets speak Chinese."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from rights_market.cli import main
from rights_market.lang import default_lang, report_file
from rights_market.report import build as rb
from rights_market.report.labels import Labels
from rights_market.report.tables import money_class

ROOT = Path(__file__).resolve().parents[2]
FOUR = ROOT / "scenarios" / "dawukou_four_rights.yaml"
WATER = ROOT / "scenarios" / "dawukou_water.yaml"
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def run_dir(shared_run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-year run of the four rights with both reports (English first, then Chinese): the session's run
    with its English report (``shared_run``), copied here where the Chinese one is built."""
    shared = shared_run(FOUR, ["calendar.years=2"], reports=("en",))
    return Path(shutil.copytree(shared, tmp_path_factory.mktemp("lang") / "run"))


@pytest.fixture(scope="module")
def zh_paths(run_dir: Path) -> dict[str, Path]:
    return rb.build_report(run_dir, lang="zh")


def test_locale_gives_the_default_language():
    assert default_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert default_lang({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"  # LC_ALL first
    assert default_lang({"LANG": "C.UTF-8"}) == "en" and default_lang({}) == "en"
    assert report_file("report.html", "zh") == "report.zh.html" and report_file("report.xlsx", "en") == "report.xlsx"


def test_reports_are_side_by_side_never_over_each_other(run_dir: Path, zh_paths: dict[str, Path]):
    """The Chinese build writes report.zh.* and figures/*.zh.svg and leaves every English file as it was."""
    names = {"html", "md", "xlsx"}
    assert {k: p.name for k, p in zh_paths.items() if k in names} == {
        "html": "report.zh.html", "md": "report.zh.md", "xlsx": "report.zh.xlsx"}
    assert all(p.name.endswith(".zh.svg") for k, p in zh_paths.items() if k.startswith("figure:"))
    en_before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in [*run_dir.glob("report.*"), *(run_dir / "figures").glob("*.svg")] if ".zh." not in p.name}
    rb.build_report(run_dir, lang="zh")  # again: the English files stay byte for byte
    en_after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in [*run_dir.glob("report.*"), *(run_dir / "figures").glob("*.svg")] if ".zh." not in p.name}
    assert en_after == en_before and {"report.html", "report.md", "report.xlsx"} <= set(en_after)
    md = (run_dir / "report.zh.md").read_text(encoding="utf-8")
    assert all((run_dir / link).is_file() and link.endswith(".zh.svg")
               for link in re.findall(r"\]\((figures/[^)]+)\)", md))


def test_chinese_html_embeds_a_font_with_every_character_it_uses(zh_paths: dict[str, Path]):
    """The @font-face data URL is a font whose cmap holds every non-ASCII character of the page's text."""
    from fontTools.ttLib import TTFont

    page = zh_paths["html"].read_text(encoding="utf-8")
    m = re.search(r'@font-face\{font-family:"([^"]+)".*?url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)', page)
    assert m, "no embedded font"
    family = m.group(1)
    assert f'font-family:"{family}"' in page.split("</style>")[0].split("@font-face", 1)[1]  # body uses it
    cmap = set(TTFont(io.BytesIO(base64.b64decode(m.group(2)))).getBestCmap())
    text = re.sub(r"data:[a-z/]+;base64,[A-Za-z0-9+/=]+", "", page)
    used = {ord(ch) for ch in text if ord(ch) > 0x7F}
    assert CJK.search(text) and used - cmap == set()
    assert len(cmap) <= len(used)  # exactly the page's characters (nothing beyond those used)


def test_the_embedded_font_is_the_same_bytes_whenever_it_is_built(monkeypatch: pytest.MonkeyPatch):
    """The subset keeps the bundled font's timestamps: a Chinese page built later has the same bytes (before,
    fontTools stamped the time of the build into the subset's head table)."""
    from fontTools.misc import timeTools
    from fontTools.ttLib import TTFont

    from rights_market.report import webfont

    chars = list("水权交易价格")
    webfont._subset_woff.cache_clear()
    first = webfont.subset_woff(chars)
    webfont._subset_woff.cache_clear()
    monkeypatch.setattr(timeTools, "timestampNow", lambda: 4_000_000_000)  # "now" a century later
    assert webfont.subset_woff(chars) == first
    with TTFont(str(webfont.font_path()), lazy=True) as bundled:
        assert TTFont(io.BytesIO(first))["head"].modified == bundled["head"].modified


def test_english_html_has_no_font_but_a_toc_and_print_styles(run_dir: Path):
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "@font-face" not in page and "@media print" in page and "@page" in page
    anchors = re.findall(r'<li class="l[23]"><a href="#([^"]+)">', page)
    ids = set(re.findall(r' id="([^"]+)"', page))
    assert len(anchors) >= 8 and set(anchors) <= ids
    assert 'div.table{overflow-x:auto' in page  # wide tables scroll in their container, not the page


def test_each_right_answers_first(run_dir: Path, zh_paths: dict[str, Path]):
    """Per right the answers part comes right after the right's heading, before the summary."""
    md = (run_dir / "report.md").read_text(encoding="utf-8")
    L = Labels("en")
    for right, first in (("water", L("section.policy_effect")), ("emission", L("section.answers")),
                         ("land", L("section.answers")), ("forest", L("section.answers"))):
        section = md.split(f"## {L.right(right)}\n", 1)[1]
        assert section.lstrip().startswith(f"### {first}"), right
        assert section.index(first) < section.index(f"### {L('section.summary')}")
    emission = md.split(f"## {L.right('emission')}\n", 1)[1].split("\n## ", 1)[0]
    assert L("answers.table.cap") in emission and L("answers.table.reference") in emission


def test_charge_totals_never_mix_kinds_of_money(run_dir: Path):
    """The water charges table of a run with pledge loans: payments, loans granted and loans repaid are
    summed apart, each equal to the sum over the charge rows of its kinds."""
    charges = pd.read_parquet(run_dir / "charges.parquet")
    water = charges[charges["product"].astype(str).str.startswith("water.")]
    kinds = water["kind"].astype(str).map(money_class)
    assert {"payments", "loans"} <= set(kinds)
    md = (run_dir / "report.md").read_text(encoding="utf-8")
    L = Labels("en")
    section = md.split(f"## {L.right('water')}\n", 1)[1].split("\n## ", 1)[0]
    for cls in sorted(set(kinds)):
        want = f"{int(water.loc[kinds == cls, 'amount_fen'].sum()) / 100:,.2f}"
        line = next(ln for ln in section.splitlines() if ln.startswith(f"| **{L(f'money.{cls}')}**"))
        assert f"**{want}**" in line
    assert f"| **{L('col.total')}** |" not in section.split(L("table.charges"), 1)[1].split("####", 2)[1]


def test_chinese_workbook_raw_sheets_and_group_names(zh_paths: dict[str, Path]):
    wb = load_workbook(zh_paths["xlsx"], read_only=True)
    L = Labels("zh")
    assert {L("raw.trades"), L("raw.holders"), L("raw.kpis")} <= set(wb.sheetnames)
    holders = list(wb[L("raw.holders")].iter_rows(values_only=True))
    assert holders[0] == tuple(L(f"raw.col.{c}") for c in ("holder", "name", "group", "sector", "right"))
    firms = [r for r in holders[1:] if r[2] == L("group.industrial_firms")]
    assert firms and all(re.fullmatch(r"工业企业-\d+", r[1]) for r in firms)
    trades = list(wb[L("raw.trades")].iter_rows(values_only=True, max_row=50))
    assert all(CJK.search(str(r[4])) for r in trades[1:])  # products in words
    html = zh_paths["html"].read_text(encoding="utf-8")
    assert "industrial_firms" not in html and "工业企业" in html


def test_cli_speaks_the_language_asked_for(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert main(["validate", str(WATER)]) == 0
    assert capsys.readouterr().out.strip() == Labels("zh")("cli.validate_ok")
    assert main(["charge", str(WATER), "--product", "industry", "--plan", "10", "--use", "20"]) == 0
    out = capsys.readouterr().out
    assert "超额加价" in out and "总计" in out and "156.75" in out
    assert main(["charge", str(WATER), "--product", "industry", "--plan", "10", "--use", "20", "--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].split() == ["total", "156.75"]
