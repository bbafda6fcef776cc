"""The report speaks words, not codes: every code value the shipped scenarios write has a label in English and
in Chinese, looked up through the same functions the report uses (``rights_market.report.labels.Labels``:
``metric``, ``code``, ``unit``, ``right``; ``right_data.product_name``); and the report removes the figure files of
an earlier build that it no longer draws, never a file of the user's, never before the new report is written.

Small versions of the shipped scenarios are run once (two years each; the two classroom markets for two
periods, driven by robots). A label "is there" when the lookup returns something other than the code itself:
``Labels.code`` falls back to the code when it has no label, so ``label != code`` is exactly "labelled".
Labels that equal their code on purpose (unit symbols in English) are listed in ``SAME_IN_ENGLISH``.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from rights_market import Result, write_run
from rights_market.engine.world import TABLES
from rights_market.report import build as rb
from rights_market.report import xlsx as rx
from rights_market.report.labels import LABELS, LANGS, Labels
from rights_market.report.right_data import product_name

SMALL = ["calendar.years=2"]

#: The simulations: name → (scenario file, overrides). Each runs in well under a second (four rights: ~3 s).
RUNS = {
    "water": ("dawukou_water.yaml", SMALL),
    "emission": ("dawukou_emission.yaml", SMALL),
    "land": ("dawukou_land.yaml", SMALL),
    "forest": ("dawukou_forest.yaml", SMALL),
    "four_rights": ("dawukou_four_rights.yaml", SMALL),
    "teaching": ("teaching/smith1962_test1.yaml", SMALL),
}
#: The classroom markets (their products are spelled as the scenario has them, e.g. ``emission.nox``).
CLASSROOM = {
    "classroom_water": ("classroom/water_market.yaml", ["classroom.periods=2", "classroom.period_seconds=40",
                                                        "classroom.robots.mean_interval_seconds=1"]),
    "classroom_emission": ("classroom/emission_listing.yaml", ["classroom.periods=2",
                                                                "classroom.robots.mean_interval_seconds=1"]),
}
#: Codes whose English label is the code itself, on purpose: unit symbols.
SAME_IN_ENGLISH = {"unit": {"kg", "t", "mu", "tce", "kgce", "yuan", "%", "unit"}}
#: Units without a Chinese character: a pure number (``1``: counts, shares; shown without a unit) and ``%``.
NO_WORDS = {"1", "%"}

CJK = re.compile(r"[\u3400-\u9fff]")


def cjk(text: str) -> bool:
    return bool(CJK.search(text))


# ---------------------------------------------------------------------------------------------- the runs
@pytest.fixture(scope="module")
def results(shared_run) -> dict[str, Result]:
    """The simulations of ``RUNS``, each made once per session (``shared_run``)."""
    return {name: shared_run.result(path, overrides) for name, (path, overrides) in RUNS.items()}


@pytest.fixture(scope="module")
def runs(results, shared_run) -> dict[str, dict[str, pd.DataFrame]]:
    out = {name: {t: result.tables[t] for t in TABLES} for name, result in results.items()}
    for name, (path, overrides) in CLASSROOM.items():
        played = shared_run.classroom(path, overrides)
        out[name] = {t: pd.read_parquet(played / f"{t}.parquet") for t in TABLES}
    return out


def distinct(runs, table: str, column: str) -> dict[str, str]:
    """Distinct non-empty values of ``table.column`` over the runs → the first run that wrote each."""
    found: dict[str, str] = {}
    for run, tables in runs.items():
        for value in tables[table][column].astype(str).unique():
            if value:
                found.setdefault(str(value), run)
    return found


def products(runs) -> dict[str, str]:
    found: dict[str, str] = {}
    for table in ("trades", "orders_rejected", "holdings", "charges", "reserve", "registry"):
        for value, run in distinct(runs, table, "product").items():
            for product in value.split(","):  # project_start rows list the products a project needed
                found.setdefault(product, run)
    return found


def kpi_units(runs) -> dict[str, str]:
    """Units of the KPIs as written and as the report shows them (kg → t, kgce → tce, 0.01 mu → mu)."""
    units = distinct(runs, "kpis", "unit") | distinct(runs, "trades", "unit")
    shown = {rb.convert_unit(u)[0]: run for u, run in units.items()}
    return units | shown


def unlabelled(codes: dict[str, str], label: Callable[[str], str], lang: str, kind: str) -> dict[str, str]:
    """Codes whose label is missing or not in ``lang``: code → the run that wrote it and the label found."""
    bad = {}
    for code, run in sorted(codes.items()):
        text = label(code)
        same_ok = lang == "en" and code in SAME_IN_ENGLISH.get(kind, set())
        if (text == code and not same_ok) or not text.strip():
            bad[code] = f"{run}: no label"
        elif lang == "zh" and not cjk(text):
            bad[code] = f"{run}: {text!r} has no Chinese character"
        elif lang == "en" and cjk(text):
            bad[code] = f"{run}: {text!r} has Chinese characters"
    return bad


# ---------------------------------------------------------------------------------------------- labels
#: (what, the codes the runs wrote, the report's lookup of one code)
LOOKUPS: dict[str, tuple[Callable, Callable[[Labels, str], str]]] = {
    "metric": (lambda runs: distinct(runs, "kpis", "metric"), lambda L, c: L.metric(c)),
    "kind": (lambda runs: distinct(runs, "charges", "kind"), lambda L, c: L.code("kind", c)),
    "action": (lambda runs: distinct(runs, "reserve", "action"), lambda L, c: L.code("action", c)),
    "reason": (lambda runs: distinct(runs, "orders_rejected", "reason"), lambda L, c: L.code("reason", c)),
    "mech": (lambda runs: distinct(runs, "trades", "mechanism"), lambda L, c: L.code("mech", c)),
    "product": (products, lambda L, c: product_name(L, c)),
    "event": (lambda runs: distinct(runs, "registry", "event"), lambda L, c: L.code("event", c)),
    "right": (lambda runs: distinct(runs, "kpis", "right") | distinct(runs, "trades", "right"),
              lambda L, c: L.right(c)),
    "sector": (lambda runs: distinct(runs, "holders", "sector"), lambda L, c: L.code("sector", c)),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("what", list(LOOKUPS))
def test_every_code_of_the_shipped_scenarios_has_a_label(runs, what: str, lang: str) -> None:
    collect, lookup = LOOKUPS[what]
    codes = collect(runs)
    assert codes, f"the runs wrote no {what} at all: the test would prove nothing"
    L = Labels(lang)
    bad = unlabelled(codes, lambda c: lookup(L, c), lang, what)
    assert not bad, f"{what} codes without a {lang} label: {bad}"


def test_the_runs_cover_every_right_and_kind_of_code(runs) -> None:
    """The runs write what the labels are for: all four rights, the links and the teaching market, land and
    forest KPIs, patterned metrics, registry events and X3 encumbrance products."""
    metrics = distinct(runs, "kpis", "metric")
    assert {"water", "emission", "land", "forest", "links", "teaching"} <= set(distinct(runs, "kpis", "right"))
    assert {"first_refusal_exercised", "forest_cover", "rights_NOx", "mean_price_NH3-N",
            "surcharge_revenue_band_1", "carbon_allocated", "smith_alpha"} <= set(metrics)
    assert {"trade_count_listing", "trades_listing"} & set(metrics)  # land trades per mechanism (renamed)
    assert any(m.startswith("pledged:") for m in metrics)
    assert {"emission.nox", "forest.management.pledged"} <= set(products(runs))
    assert {"pledge", "confirm", "project_start"} <= set(distinct(runs, "registry", "event"))


@pytest.mark.parametrize("lang", LANGS)
def test_every_unit_has_a_label(runs, lang: str) -> None:
    """Every part of every unit the report shows (``yuan/t``, ``m2/10k yuan``) has a label of its own."""
    L = Labels(lang)
    parts = {p: run for u, run in kpi_units(runs).items() for p in u.split("/")}
    missing = {p: run for p, run in parts.items() if not L.has(f"unit.{p}")}
    assert not missing, f"units without a {lang} label: {missing}"
    if lang == "zh":
        words = {p: L.unit(p) for p in parts if p not in NO_WORDS}
        assert all(cjk(t) for t in words.values()), words
    assert L.unit("m2/10k yuan") == {"en": "m²/10,000 yuan", "zh": "平方米/万元"}[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_institutions_in_the_trades_have_names(runs, lang: str) -> None:
    """Institutions that trade (reserves, government, economy, ...) appear by name in the top-holder tables."""
    L = Labels(lang)
    ids: dict[str, str] = {}
    for run, tables in runs.items():
        for col in ("seller", "buyer"):
            for acct in tables["trades"][col].unique():
                if acct < 0:
                    ids.setdefault(str(int(acct)), run)
    assert {"-1", "-9", "-10"} <= set(ids)
    bad = unlabelled(ids, lambda c: L.code("inst", int(c)), lang, "inst")
    assert not bad, bad


@pytest.mark.parametrize("lang", LANGS)
def test_metric_labels_tell_the_metrics_of_a_right_apart(runs, lang: str) -> None:
    """Within a right, no two metrics are shown with the same label and unit (a row name the reader cannot
    tell apart from another)."""
    L = Labels(lang)
    seen: dict[tuple[str, str, str], str] = {}
    clashes = []
    for run, tables in runs.items():
        k = tables["kpis"]
        for right, metric, unit in set(zip(k["right"].astype(str), k["metric"].astype(str),
                                           k["unit"].astype(str), strict=True)):
            shown = (right, L.metric(metric), L.unit(rb.convert_unit(unit)[0]))
            if seen.setdefault(shown, metric) != metric:
                clashes.append((run, seen[shown], metric, shown[1:]))
    assert not clashes, clashes


def test_patterned_names_are_labelled_from_their_parts() -> None:
    """``<metric>_<pollutant>``, ``<metric>_<mechanism>``, ``pledged:<product>``, ``surcharge_revenue_band_<k>``
    and ``<product>.pledged`` get a label built from the labels of their parts, for any pollutant or band."""
    en, zh = Labels("en"), Labels("zh")
    assert en.metric("rights_NOx") == "Rights held (NOx)"
    assert zh.metric("rights_NOx") == "持有排污权（氮氧化物）"
    assert zh.metric("abatement_cost_NH3-N") == "减排成本（氨氮）"  # the longest metric name wins: not "abatement"
    assert zh.metric("mean_price_VOCs") == "平均价格（挥发性有机物）"
    assert zh.metric("trade_count_SO2") == "成交笔数（二氧化硫）"
    assert en.metric("rights_PM10") == "Rights held (PM10)"  # a pollutant without a name of its own
    assert en.metric("trades_tender") == "Trades: Tender"
    assert zh.metric("trade_count_listing") == "成交笔数（挂牌竞价）"  # the land KPIs after their rename
    assert zh.metric("pledged:land.management") == "已抵押的土地经营权"
    assert zh.metric("surcharge_revenue_band_12") == "第 12 档累进加价收入"
    assert zh.code("product", "emission.nox") == zh.code("product", "emission.NOx") == "氮氧化物（NOx）"
    assert zh.code("product", "water.right.pledged") == "已抵押的用水权（多年期）"
    assert en.code("product", "emission.VOCs") == "Emission rights: VOCs"
    assert zh.has("product.emission.nox") and zh.has("metric.rights_SO2")
    # the renamed codes of the refactoring under way are labelled under both names
    assert zh.code("kind", "repayment") == zh.code("kind", "loan_repayment") == "偿还贷款本金"
    assert zh.metric("trades") == zh.metric("trade_count") == "成交笔数"
    # a name of no known form stays as it is, so a new code still shows up
    for L in (en, zh):
        assert L.metric("brand_new_metric") == "brand_new_metric"
        assert L.code("product", "water.unheard_of") == "water.unheard_of"
        assert not L.has("metric.brand_new_metric")


def test_pattern_templates_have_their_fields() -> None:
    """The ``pattern.*`` templates have the fields :class:`Labels` fills in, in both languages."""
    fields = {"pattern.metric_pollutant": {"metric", "pollutant"}, "pattern.metric_mechanism": {"metric", "mechanism"},
              "pattern.metric_pledged": {"product"}, "pattern.product_pledged": {"product"},
              "pattern.product_pollutant": {"pollutant"}}
    for lang in LANGS:
        templates = {k: v for k, v in LABELS[lang].items() if k.startswith("pattern.")}
        assert set(templates) == set(fields)
        for key, text in templates.items():
            assert set(re.findall(r"{(\w+)}", text)) == fields[key], (lang, key)


def test_zh_report_tables_show_no_codes(results, runs, tmp_path: Path) -> None:
    """End to end: the Chinese report of the four rights has no table cell, heading or figure text that is a
    raw metric, charge kind, reason or mechanism code, and every indicator row is named in Chinese."""
    doc = rb.build_document(rb.load_run(write_run(results["four_rights"], tmp_path / "run")), "zh")
    one = {"four_rights": runs["four_rights"]}
    codes = set(distinct(one, "kpis", "metric")) | set(distinct(one, "charges", "kind"))
    codes |= set(distinct(one, "orders_rejected", "reason")) | set(distinct(one, "trades", "mechanism"))
    texts = [b.text for b in doc.blocks if isinstance(b, rb.Heading)]
    texts += [t.text for b in doc.blocks if isinstance(b, rb.FigureBlock)
              for t in ET.fromstring(b.svg).iter("{http://www.w3.org/2000/svg}text")]
    rows = []
    for b in doc.blocks:
        if isinstance(b, rb.TableBlock):
            texts += [b.title, *b.columns, *(cell for row in b.rows for cell in row)]
            if b.columns[0] == "指标":
                rows += [row[0] for row in b.rows]
    assert not codes & set(texts), codes & set(texts)
    assert rows and all(cjk(r) for r in rows), [r for r in rows if not cjk(r)]
    assert "本集体成员行使优先受让权次数" in rows and "森林覆盖率" in rows


# ---------------------------------------------------------------------------------------------- stale figures
def _linked(run_dir: Path) -> set[str]:
    """Figure files the report.md of ``run_dir`` links to."""
    md = (run_dir / "report.md").read_text(encoding="utf-8")
    return set(re.findall(r"\]\(figures/([^)]+)\)", md))


def _svgs(run_dir: Path) -> set[str]:
    return {p.name for p in (run_dir / "figures").iterdir() if p.suffix == ".svg"}


def _draw_little(mp: pytest.MonkeyPatch) -> None:
    """The workbook as a few bytes: what is tested is which files the report writes and removes."""
    mp.setattr(rx, "workbook_bytes", lambda sheets: b"xlsx")


@pytest.fixture(scope="module")
def water_base(results, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The water run (annual water and multi-year rights traded, surcharges, reserve), report built once."""
    run_dir = write_run(results["water"], tmp_path_factory.mktemp("water") / "run")
    with pytest.MonkeyPatch.context() as mp:
        _draw_little(mp)
        rb.build_report(run_dir)
    return run_dir


@pytest.fixture
def water_run(water_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the water run with its report, for a test to change and rebuild."""
    _draw_little(monkeypatch)
    return Path(shutil.copytree(water_base, tmp_path / "run"))


def _drop_right_trades_and_surcharges(run_dir: Path) -> None:
    """Change the run so that figures get other names: only water.annual trades left (one price figure,
    ``water_prices`` instead of one per product) and no surcharges (no ``water_surcharge``)."""
    trades = pd.read_parquet(run_dir / "trades.parquet")
    trades[trades["product"].astype(str) == "water.annual"].to_parquet(run_dir / "trades.parquet")
    charges = pd.read_parquet(run_dir / "charges.parquet")
    charges[charges["kind"].astype(str) != "surcharge"].to_parquet(run_dir / "charges.parquet")


def test_stale_figures_are_removed_user_files_kept(water_run: Path) -> None:
    first = _svgs(water_run)
    assert {"water_prices_annual.svg", "water_surcharge.svg"} <= first and "water_prices.svg" not in first
    assert _linked(water_run) == first
    user = {"notes.svg", "water_prices_my_annotation.svg", "water_use.svg.bak", "README.txt"}
    for name in user:  # files of the user's (one even named like a figure of the report)
        (water_run / "figures" / name).write_bytes(b"mine")

    _drop_right_trades_and_surcharges(water_run)
    rb.build_report(water_run)

    second = _linked(water_run)
    assert "water_prices.svg" in second and not {"water_prices_annual.svg", "water_surcharge.svg"} & second
    left = {p.name for p in (water_run / "figures").iterdir()}
    assert left == second | user | {rb.FIGURE_RECORD}
    assert all((water_run / "figures" / name).read_bytes() == b"mine" for name in user)
    record = json.loads((water_run / "figures" / rb.FIGURE_RECORD).read_text(encoding="utf-8"))
    assert set(record) == second
    # the Chinese report draws the same figures beside the English ones (``*.zh.svg``, its own record): it
    # removes nothing of the English report's or the user's
    rb.build_report(water_run, lang="zh")
    zh = {name.removesuffix(".svg") + ".zh.svg" for name in second}
    assert {p.name for p in (water_run / "figures").iterdir()} == left | zh | {".report-figures.zh.json"}
    assert all((water_run / "figures" / name).read_bytes() == b"mine" for name in user)


@pytest.mark.parametrize("fails_in", ["render_html", "workbook_bytes"])
def test_a_failed_build_keeps_what_report_md_links(water_run: Path, monkeypatch: pytest.MonkeyPatch,
                                                   fails_in: str) -> None:
    """A build that fails after writing its figures (in the HTML, or in the workbook after report.md) leaves
    every figure the report.md on disk links to; the next good build removes the stale ones of both."""
    first = _svgs(water_run)
    _drop_right_trades_and_surcharges(water_run)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    with monkeypatch.context() as mp:
        mp.setattr(rb if fails_in == "render_html" else rx, fails_in, boom)
        with pytest.raises(RuntimeError, match="disk full"):
            rb.build_report(water_run)
    on_disk = _svgs(water_run)
    assert _linked(water_run) <= on_disk
    assert first <= on_disk and "water_prices.svg" in on_disk  # nothing removed yet, the new figure written

    rb.build_report(water_run)
    assert _svgs(water_run) == _linked(water_run) and "water_prices_annual.svg" not in _svgs(water_run)


def test_report_without_a_record_cleans_up_from_report_md(water_run: Path) -> None:
    """A report written before the record existed: the figures its report.md links are the report's own."""
    (water_run / "figures" / rb.FIGURE_RECORD).unlink()
    (water_run / "figures" / "water_volume_2020.svg").write_bytes(b"mine")  # named like ours, not linked
    _drop_right_trades_and_surcharges(water_run)
    rb.build_report(water_run)
    assert _svgs(water_run) == _linked(water_run) | {"water_volume_2020.svg"}


def test_no_figures_left_when_nothing_is_drawn(water_run: Path) -> None:
    for name in ("trades", "charges", "reserve", "kpis"):
        frame = pd.read_parquet(water_run / f"{name}.parquet")
        frame.iloc[:0].to_parquet(water_run / f"{name}.parquet")
    rb.build_report(water_run)
    assert _linked(water_run) == set() and _svgs(water_run) == set()
    assert not (water_run / "figures" / rb.FIGURE_RECORD).exists()


def test_every_figure_name_is_of_the_report_form(water_run: Path) -> None:
    """The names the report writes are the names it would remove (so it can clean up after itself), and only
    names of that form are ever removed."""
    names = _svgs(water_run)
    assert names and all(rb.FIGURE_FILE.fullmatch(n) for n in names)
    for name in ("water_prices_nh3_n_rent_2.svg", "emission_prices_nox.svg", "links_volume.svg",
                 "water_volume.png"):  # .png: figures of reports written before the figures were SVG
        assert rb.FIGURE_FILE.fullmatch(name)
    for name in ("notes.svg", "water_prices.SVG", "../water_use.svg", "water_use.svg.bak", ".report-figures.json",
                 "water_use.jpg"):
        assert not rb.FIGURE_FILE.fullmatch(name)


def test_the_pngs_of_a_report_written_before_the_figures_were_svg_are_removed(water_run: Path) -> None:
    """A run folder whose report is older (``figures/*.png``, recorded) gets SVG figures and loses the PNGs
    that report wrote; a PNG of the user's, not in the record, stays."""
    fig_dir = water_run / "figures"
    old = {name.removesuffix(".svg") + ".png" for name in _svgs(water_run)}
    for name in _svgs(water_run):
        (fig_dir / name).unlink()
    for name in old:
        (fig_dir / name).write_bytes(b"\x89PNG old")
    (fig_dir / rb.FIGURE_RECORD).write_text(json.dumps(sorted(old)), encoding="utf-8")
    (fig_dir / "water_use_mine.png").write_bytes(b"mine")
    rb.build_report(water_run)
    left = {p.name for p in fig_dir.iterdir()}
    assert not old & left and "water_use_mine.png" in left
    assert _svgs(water_run) == _linked(water_run)


def test_catalogues_are_the_data_files_with_the_same_keys_in_both_languages(tmp_path):
    from rights_market.report.labels import CATALOGUE_DIR, load_catalogue

    files = {lang: load_catalogue(lang) for lang in LANGS}
    assert files == LABELS
    assert sorted(p.stem for p in CATALOGUE_DIR.glob("*.yaml")) == sorted(LANGS)
    assert list(files["en"]) == list(files["zh"]), "the catalogues list their keys in the same order"
    # loaded safely: a Python tag is refused, not executed
    (tmp_path / "xx.yaml").write_text('"report.title": !!python/object/apply:os.system ["true"]\n', encoding="utf-8")
    with pytest.raises(Exception, match="python/object"):
        load_catalogue("xx", tmp_path)


def test_plain_catalogue_lines_read_as_the_yaml_parser_reads_them(tmp_path):
    """The shipped catalogues are read without the YAML parser (report start-up time) to exactly the parser's
    mapping and key order; anything not plain goes to the parser, which keeps its meaning and its errors."""
    from ruamel.yaml import YAML

    from rights_market.report.labels import CATALOGUE_DIR, _plain_catalogue, load_catalogue

    for lang in LANGS:
        text = (CATALOGUE_DIR / f"{lang}.yaml").read_text(encoding="utf-8")
        plain = _plain_catalogue(text)
        parsed = YAML(typ="safe", pure=True).load(text)
        assert plain == parsed and list(plain) == list(parsed)
    # escapes, single quotes, folded line breaks (NEL, U+2028) and control characters are the parser's
    for text in ('"a": "x\\ny"\n', "'a': 'x'\n", '"a": "x\u2028y"\n', '"a": "x\x85y"\n', '"a": "x\x07"\n',
                 '  "a": "x"\n', '"a": "x" # note\n', "\ufeff\"a\": \"x\"\n", ""):
        assert _plain_catalogue(text) is None
    assert _plain_catalogue('# c\n\n"a": "x y "\r\n"b": "中{n}"\n') == {"a": "x y ", "b": "中{n}"}
    (tmp_path / "xx.yaml").write_text('"a": "x\\ty"\n"b": \'it\'\'s\'\n', encoding="utf-8")
    assert load_catalogue("xx", tmp_path) == {"a": "x\ty", "b": "it's"}
    # a repeated key is still the parser's error, not a silent overwrite
    (tmp_path / "xx.yaml").write_text('"a": "x"\n"a": "y"\n', encoding="utf-8")
    with pytest.raises(Exception, match="(?i)duplicate"):
        load_catalogue("xx", tmp_path)
