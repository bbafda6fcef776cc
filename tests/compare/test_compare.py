"""Comparisons and replications through the CLI: tables, fan charts, workbooks, medians and bands."""

from __future__ import annotations

import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import SCENARIOS, SMALL_WATER, cli_in_process, svg_texts
from rights_market.compare.build import DEFAULT_FIGURE_METRICS, build_comparison, figure_metrics
from rights_market.compare.build import FIGURE_FILE as CMP_FIGURE_FILE
from rights_market.compare.build import FIGURE_RECORD as CMP_FIGURE_RECORD
from rights_market.compare.inputs import Group
from rights_market.compare.stats import bands, scenario_changes
from rights_market.report.labels import LABELS, Labels
from rights_market.sweep import Store, replication_seeds

DEFAULT = str(SCENARIOS / "dawukou_water.yaml")
SVG = "{http://www.w3.org/2000/svg}"


def cli(*args: str) -> subprocess.CompletedProcess:
    """The command's exit code and output, run in this process (:func:`conftest.cli_in_process`)."""
    return cli_in_process(*args)


def sets() -> list[str]:
    """The small water scenario (``SMALL_WATER``) over 2 years instead of 3: per-year bands need no more."""
    small = ["calendar.years=2" if s.startswith("calendar.years=") else s for s in SMALL_WATER]
    return [a for s in small for a in ("--set", s)]


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cmp") / "cmp"
    p = cli("compare", DEFAULT, "--vary", "steep:water.pricing.industry.surcharge.step_share=1.0",
            "--vary", "call:water.market.mechanism.type=call", *sets(), "--replications", "3", "--seed", "11",
            "--workers", "1", "--out", str(out), "--no-progress")
    assert p.returncode == 0, p.stderr
    return out


def test_compare_writes_report_markdown_and_workbook(comparison: Path) -> None:
    html = (comparison / "report.html").read_text(encoding="utf-8")
    md = (comparison / "report.md").read_text(encoding="utf-8")
    fig_dir = comparison / "figures"
    figures = sorted(p.stem for p in fig_dir.glob("*.svg"))
    # the fiscal account, recorded by every run, is drawn by its net flow only (DEFAULT_FIGURE_METRICS)
    assert DEFAULT_FIGURE_METRICS["fiscal"] == ("fiscal_net_flow",)
    drawn = [f"water_{m}" for m in DEFAULT_FIGURE_METRICS["water"]] + ["fiscal_fiscal_net_flow"]
    # each drawn indicator also as paired differences from the baseline
    assert figures == sorted(drawn + [f"{f}_paired" for f in drawn])
    assert not list(fig_dir.glob("*.png"))
    # self-contained: every figure inline, as the SVG of its file (the HTML adds the caption as aria-label)
    assert html.count("<svg ") == len(figures) and "data:image/" not in html
    L = Labels("en")
    for stem in figures:
        svg = (fig_dir / f"{stem}.svg").read_text(encoding="utf-8")
        assert svg.split(">", 1)[1] in html
        texts = svg_texts(svg)
        metric = L.metric(stem.split("_", 1)[1].removesuffix("_paired"))
        if stem.endswith("_paired"):  # the variants' differences from the baseline
            assert texts[0] == L("cmp.fig.paired_title", metric=metric) and "0" in texts
            assert {"steep", "call"} <= set(texts) and "dawukou_water" not in texts
        else:
            assert texts[0] == metric and {"dawukou_water", "steep", "call", "Year"} <= set(texts)
        assert "steep: range of 3 runs" in texts  # the band of each variant's runs, in the legend
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html) and "<script" not in html
    assert "| Indicator | Unit | dawukou_water (baseline) | steep | Δ steep | call | Δ call |" in md
    assert "- water.pricing.industry.surcharge.step_share: 0.5 → 1.0" in md
    assert "- water.market.mechanism.type: cda → call" in md
    wb = load_workbook(io.BytesIO((comparison / "compare.xlsx").read_bytes()), read_only=True)
    assert wb.sheetnames == ["Variants", "Differences", "Water rights indicators", "Fiscal account indicators",
                             "Paired differences", "Paired runs", "Per year", "Runs"]
    runs = pd.DataFrame(list(wb["Runs"].values)[1:], columns=list(wb["Runs"].values)[0])
    assert len(runs[(runs["metric"] == "efficiency")]) == 9  # 3 variants × 3 replications


def test_medians_and_bands_are_those_of_the_runs(comparison: Path) -> None:
    store = Store(comparison / "store")
    kpis = store.kpis()
    assert len(kpis) == 9 and sorted(kpis["seed"].unique()) == sorted(replication_seeds(11, 3))
    # common random numbers: every variant ran the same seeds
    assert all(sorted(g["seed"]) == sorted(replication_seeds(11, 3)) for _, g in kpis.groupby("point"))
    eff = kpis[kpis["point"] == 2]["water.efficiency"].to_numpy()  # the "call" variant
    md = (comparison / "report.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if line.startswith("| Efficiency |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    # 3 runs: the band is their range (5 % and 95 % quantiles of 3 runs would mean little)
    assert cells[5] == f"{np.median(eff):,.3f} ({eff.min():,.3f}–{eff.max():,.3f})"
    assert "the range from the lowest to the highest run" in md
    yearly = store.yearly()
    y = yearly[(yearly["point"] == 2) & (yearly["metric"] == "efficiency")].assign(group="call")
    b = bands(y)
    first = b[b["year"] == b["year"].min()].iloc[0]
    vals = y[y["year"] == y["year"].min()]["value"]
    assert (first["n"], first["median"]) == (3, pytest.approx(float(np.median(vals))))


def test_compare_run_directories_and_chinese(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("run", DEFAULT, "--seed", "2", "--out", str(a), *sets()).returncode == 0
    assert cli("run", DEFAULT, "--seed", "2", "--out", str(b), *sets(),
               "--set", "water.default_base_price_yuan_per_m3=1.5").returncode == 0
    out = tmp_path / "cmp"
    p = cli("compare", str(a), str(b), "--out", str(out), "--lang", "zh", "--metric", "water.base_price")
    assert p.returncode == 0, p.stderr
    md = (out / "report.zh.md").read_text(encoding="utf-8")  # Chinese: beside an English one, never over it
    assert "# 情景对比报告" in md and "dawukou_water（基准）" in md and "dawukou_water-2" in md
    assert "- water.default_base_price_yuan_per_m3：1.081 → 1.5" in md
    assert sorted(p.name for p in (out / "figures").iterdir()) == [CMP_FIGURE_RECORD.replace(".json", ".zh.json"),
                                                                   "water_base_price.zh.svg",
                                                                   "water_base_price_paired.zh.svg"]
    # the figures are labelled in Chinese (the HTML embeds the font of its characters, figures' included)
    L = Labels("zh")
    texts = svg_texts((out / "figures" / "water_base_price.zh.svg").read_text(encoding="utf-8"))
    assert texts[0] == L.metric("base_price") and L("fig.year") in texts and "dawukou_water-2" in texts
    texts = svg_texts((out / "figures" / "water_base_price_paired.zh.svg").read_text(encoding="utf-8"))
    assert texts[0] == L("cmp.fig.paired_title", metric=L.metric("base_price"))
    html = (out / "report.zh.html").read_text(encoding="utf-8")
    assert html.count("<svg ") == 2 and "@font-face" in html
    assert not (out / "store").exists()  # nothing had to run


def test_replications_store_and_study_report(tmp_path: Path) -> None:
    out = tmp_path / "reps"
    p = cli("run", DEFAULT, *sets(), "--replications", "4", "--seed", "3", "--workers", "1", "--out", str(out))
    assert p.returncode == 0, p.stderr
    store = Store(out)
    kpis = store.kpis()
    assert list(kpis["seed"]) == replication_seeds(3, 4)
    use = kpis["water.use"].to_numpy()
    line = next(ln for ln in p.stdout.splitlines() if ln.strip().startswith("Use "))

    def m3(v: float) -> str:  # whole m³ without decimals
        return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}"

    assert f"{m3(np.median(use))} m³" in line and f"(range of 4 runs: {m3(use.min())} – {m3(use.max())})" in line
    p = cli("report", str(out), "--lang", "zh")
    assert p.returncode == 0, p.stderr
    html = (out / "report.zh.html").read_text(encoding="utf-8")
    # the water defaults and the fiscal account's net flow
    assert "研究结果：dawukou_water" in html and html.count("<svg ") == 7 and "data:image/" not in html
    zh = sorted((out / "figures").glob("*.zh.svg"))
    assert len(zh) == 7 and not list((out / "figures").glob("*.png"))
    assert all(svg_texts(p.read_text(encoding="utf-8"))[0] == Labels("zh").metric(p.name.split("_", 1)[1]
                                                                                  .removesuffix(".zh.svg"))
               for p in zh)
    assert (out / "report.zh.xlsx").is_file()
    # one run of a replication set is the plain run with the base seed
    plain = tmp_path / "plain"
    assert cli("run", DEFAULT, *sets(), "--seed", "3", "--out", str(plain)).returncode == 0
    assert (plain / "trades.parquet").read_bytes() == (out / "runs" / "p0000-r00" / "trades.parquet").read_bytes()


def test_bad_inputs_exit_2(tmp_path: Path) -> None:
    p = cli("compare", str(tmp_path))
    assert p.returncode == 2 and "not a run directory" in p.stderr and "Traceback" not in p.stderr
    p = cli("compare", DEFAULT, "--vary", "oops")
    assert p.returncode == 2 and "expected NAME:dotted.path=value" in p.stderr
    p = cli("compare", DEFAULT, "--vary", "x:water.cap_m3=-1", "--workers", "1")
    assert p.returncode == 2 and "<--set>" in p.stderr and "water.cap_m3" in p.stderr


def test_scenario_changes_and_figure_metrics() -> None:
    base = {"name": "a", "water": {"cap_m3": 1, "groups": [{"count": 2}, {"count": 3}]}}
    other = {"name": "b", "water": {"cap_m3": 1, "groups": [{"count": 2}, {"count": 4}]}}
    assert scenario_changes(base, other) == [("water.groups.1.count", 3, 4)]
    assert figure_metrics("water", ["use", "mean_price", "odd"]) == ["mean_price", "use"]
    assert figure_metrics("emission", ["b", "a", "trade_count"]) == ["trade_count", "a", "b"]
    assert figure_metrics("emission", ["b", "a"], ["emission.b", "water.use"]) == ["b"]
    assert figure_metrics("fiscal", ["fiscal_balance", "fiscal_net_flow"], ["water.base_price"]) == []
    assert figure_metrics("fiscal", ["fiscal_balance", "fiscal_net_flow"]) == ["fiscal_net_flow"]
    assert {k for k in LABELS["en"] if k.startswith("cmp.")} == {k for k in LABELS["zh"] if k.startswith("cmp.")}


def _synthetic_group(root: Path, label: str, metrics: list[str]) -> Group:
    """A group of two runs whose ``kpis`` hold ``metrics`` of the water right for three years."""
    runs = []
    for rep in range(2):
        run_dir = root / f"{label}-{rep}"
        run_dir.mkdir(parents=True)
        rows = [{"time": float(y), "year": 2021 + y, "right": "water", "metric": m, "value": float(10 * i + y + rep),
                 "unit": "m3"} for i, m in enumerate(metrics) for y in range(3)]
        pd.DataFrame(rows).to_parquet(run_dir / "kpis.parquet")
        runs.append((run_dir, rep, 100 + rep))
    return Group(label, "synthetic", {"name": label}, f"{label:0<8}", runs)


def test_compare_removes_figures_of_an_earlier_comparison_only(tmp_path: Path) -> None:
    """A second comparison into the same folder drawing fewer indicators removes the figures of the first
    that it no longer draws; files of the user's in ``figures/`` stay, and its ``report.md`` links every figure."""
    out = tmp_path / "cmp"
    first = build_comparison([_synthetic_group(tmp_path / "a", "base", ["use", "efficiency", "traded_volume"])],
                             out, metrics=["use", "efficiency", "traded_volume"])
    fig_dir = out / "figures"
    drawn_first = {p.name for p in fig_dir.glob("*.svg")}
    assert drawn_first == {"water_use.svg", "water_efficiency.svg", "water_traded_volume.svg"}
    assert {k for k in first if k.startswith("figure:")} == {f"figure:{Path(n).stem}" for n in drawn_first}
    assert all(CMP_FIGURE_FILE.fullmatch(n) for n in drawn_first)
    user = {"notes.png": b"mine", "water_use_annotated.png": b"mine too", "water_use_annotated.svg": b"<svg/>"}
    for name, data in user.items():
        (fig_dir / name).write_bytes(data)

    second = build_comparison([_synthetic_group(tmp_path / "b", "base", ["use"])], out)
    left = {p.name for p in fig_dir.iterdir()}
    assert left == {"water_use.svg", CMP_FIGURE_RECORD} | set(user)
    assert all((fig_dir / n).read_bytes() == d for n, d in user.items())
    assert set(json.loads((fig_dir / CMP_FIGURE_RECORD).read_text(encoding="utf-8"))) == {"water_use.svg"}
    linked = set(re.findall(r"\]\(figures/([^)]+)\)", (out / "report.md").read_text(encoding="utf-8")))
    assert linked == {"water_use.svg"} and second["figure:water_use"] == fig_dir / "water_use.svg"


def test_compare_without_a_record_cleans_up_from_report_md(tmp_path: Path) -> None:
    """A comparison written before the record existed: the figures its report.md links are its own."""
    out = tmp_path / "cmp"
    build_comparison([_synthetic_group(tmp_path / "a", "base", ["use", "efficiency"])], out,
                     metrics=["use", "efficiency"])
    (out / "figures" / CMP_FIGURE_RECORD).unlink()
    build_comparison([_synthetic_group(tmp_path / "b", "base", ["use"])], out)
    assert {p.name for p in (out / "figures").glob("*.svg")} == {"water_use.svg"}


@pytest.mark.parametrize("known_by", ["record", "report.md"])
def test_a_comparison_removes_the_png_figures_of_one_written_before_figures_were_svg(tmp_path: Path,
                                                                                   known_by: str) -> None:
    """A comparison written when figures were PNG (``figures/*.png``, in its record or, older, linked from its
    ``report.md``): the next one writes ``*.svg`` and removes those PNGs, the one of an indicator it still draws
    too; a PNG of the user's stays."""
    out = tmp_path / "cmp"
    build_comparison([_synthetic_group(tmp_path / "a", "base", ["use", "efficiency"])], out,
                     metrics=["use", "efficiency"])
    fig_dir = out / "figures"
    old = ["water_efficiency.png", "water_use.png"]
    for svg in fig_dir.glob("*.svg"):  # what that build left: the same figures as PNG
        svg.replace(svg.with_suffix(".png"))
    assert sorted(p.name for p in fig_dir.glob("*.png")) == old and all(CMP_FIGURE_FILE.fullmatch(n) for n in old)
    md = out / "report.md"
    md.write_text(md.read_text(encoding="utf-8").replace(".svg)", ".png)"), encoding="utf-8")
    assert set(re.findall(r"\]\(figures/([^)]+)\)", md.read_text(encoding="utf-8"))) == set(old)
    if known_by == "record":
        (fig_dir / CMP_FIGURE_RECORD).write_text(json.dumps(old), encoding="utf-8")
    else:
        (fig_dir / CMP_FIGURE_RECORD).unlink()
    (fig_dir / "notes.png").write_bytes(b"mine")

    build_comparison([_synthetic_group(tmp_path / "b", "base", ["use"])], out)
    assert {p.name for p in fig_dir.iterdir()} == {"water_use.svg", "notes.png", CMP_FIGURE_RECORD}
    assert json.loads((fig_dir / CMP_FIGURE_RECORD).read_text(encoding="utf-8")) == ["water_use.svg"]
    assert svg_texts((fig_dir / "water_use.svg").read_text(encoding="utf-8"))[0] == "Use"


def _kpi_group(root: Path, label: str, values: dict[str, float]) -> Group:
    """A group of one run whose water ``kpis`` hold ``values`` (the same in each of two years)."""
    run_dir = root / label
    run_dir.mkdir(parents=True)
    rows = [{"time": float(364 + 365 * y), "year": 2021 + y, "right": "water", "metric": m, "value": float(v),
             "unit": "yuan" if "revenue" in m else "m3"} for m, v in values.items() for y in range(2)]
    pd.DataFrame(rows).to_parquet(run_dir / "kpis.parquet")
    return Group(label, "synthetic", {"name": label}, f"{label:0<8}", [(run_dir, 0, 1)])


def test_revenue_only_flag_when_holders_do_not_respond(tmp_path: Path) -> None:
    """A variant whose surcharge revenue doubles while use, over-plan use (in total and per sector), trades and
    prices stay within REVENUE_ONLY_TOLERANCE is flagged, in both languages; one whose industrial over-plan use
    falls too is not. (The flag is read from the tables, which hold every indicator: one is drawn.)"""
    from rights_market.compare.stats import REVENUE_ONLY_TOLERANCE

    behaviour = {"use": 1_000_000, "over_plan": 50_000, "over_plan_industry": 50_000, "use_industry": 600_000,
                 "traded_volume": 80_000, "trade_count": 120, "mean_price": 2.5}
    base = _kpi_group(tmp_path, "base", {**behaviour, "surcharge_revenue": 80_000})
    # a higher surcharge reference price on a group whose use does not respond: revenue only
    same = _kpi_group(tmp_path, "ref_price", {**behaviour, "surcharge_revenue": 160_000,
                                              "use": 1_000_000 * (1 + REVENUE_ONLY_TOLERANCE / 2)})
    moved = _kpi_group(tmp_path, "responds", {**behaviour, "surcharge_revenue": 120_000, "over_plan": 49_000,
                                              "over_plan_industry": 30_000})
    build_comparison([base, same, moved], tmp_path / "en", metrics=["surcharge_revenue"])
    md = (tmp_path / "en" / "report.md").read_text(encoding="utf-8")
    assert "ref_price: this rule changed revenue only; holders did not respond." in md
    assert "responds: this rule changed revenue only" not in md
    build_comparison([base, same, moved], tmp_path / "zh", lang="zh", metrics=["surcharge_revenue"])
    zh = (tmp_path / "zh" / "report.zh.md").read_text(encoding="utf-8")
    assert "ref_price：该规则只改变了收入，持有人没有反应。" in zh and "responds：该规则只改变了收入" not in zh


def test_step_share_is_not_revenue_only_on_the_shipped_scenario(tmp_path: Path) -> None:
    """W9's step share now changes what holders do (issue 13): 0.25 against 1.0 on the shipped water scenario
    (one year: the firms respond in the first) is not flagged as a revenue-only rule. The tables hold every
    indicator whatever is drawn: one figure (and its paired differences) is enough here."""
    out = tmp_path / "cmp"
    p = cli("compare", DEFAULT, "--set", "calendar.years=1", "--set", "water.pricing.industry.surcharge.step_share=0.25",
            "--vary", "steep:water.pricing.industry.surcharge.step_share=1.0", "--workers", "1", "--out", str(out),
            "--no-progress", "--metric", "water.over_plan_industry")
    assert p.returncode == 0, p.stderr
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "- water.pricing.industry.surcharge.step_share: 0.25 → 1.0" in md
    assert "changed revenue only" not in md
    over = next(ln for ln in md.splitlines() if ln.startswith("| Use over the plan, industry |"))
    assert "+0.0%" not in over  # industrial over-plan use moved


# ------------------------------------------------------------------ statistics over all runs, paired differences
def _yearly(values: dict[str, dict[int, dict[str, float]]]) -> pd.DataFrame:
    """A yearly table: ``values[group][seed][metric]`` the same in the years 2021 and 2022."""
    rows = [{"group": g, "replication": i, "seed": seed, "right": "water", "metric": m, "unit": "yuan", "year": y,
             "value": v} for g, by_seed in values.items() for i, (seed, ms) in enumerate(by_seed.items())
            for m, v in ms.items() for y in (2021, 2022)]
    return pd.DataFrame(rows)


def test_band_statistics_count_runs_without_the_band_as_zero() -> None:
    """Band 3 occurs in 2 of 5 runs (100,000 yuan): over all runs its median is 0 and its band the range 0 to
    100,000, below the total's median; a band only the variant reached is a zero in the baseline."""
    from rights_market.compare import stats

    base = {100 + i: {"surcharge_revenue": 30_000.0 + i, **({"surcharge_revenue_band_3": 100_000.0} if i < 2 else {})}
            for i in range(5)}
    var = {100 + i: {"surcharge_revenue": 40_000.0, "surcharge_revenue_band_4": 5.0} for i in range(5)}
    yearly = _yearly({"base": base, "var": var})
    summ = stats.summary(stats.run_level(yearly)).set_index(["group", "metric"])
    b3 = summ.loc[("base", "surcharge_revenue_band_3")]
    assert (b3["n"], b3["median"], b3["low"], b3["high"]) == (5, 0.0, 0.0, 100_000.0)
    assert b3["median"] < summ.loc[("base", "surcharge_revenue"), "median"]
    assert summ.loc[("var", "surcharge_revenue_band_3"), "median"] == 0.0  # never reached by the variant
    assert summ.loc[("base", "surcharge_revenue_band_4"), "n"] == 5  # a zero in every baseline run
    per_year = bands(yearly)
    assert set(per_year.loc[per_year["metric"] == "surcharge_revenue_band_3", "n"]) == {5}


def test_band_is_the_range_below_20_runs_and_quantiles_from_20() -> None:
    from rights_market.compare import stats

    few = _yearly({"g": {s: {"use": float(s)} for s in range(5)}})
    row = stats.bands(few).iloc[0]
    assert (row["low"], row["high"]) == (0.0, 4.0)  # min–max, not np.quantile(…, 0.05) = 0.2
    many = _yearly({"g": {s: {"use": float(s)} for s in range(20)}})
    row = stats.bands(many).iloc[0]
    assert (row["low"], row["high"]) == tuple(np.quantile(np.arange(20.0), [0.05, 0.95]))
    assert [stats.spread_kind(n) for n in (1, 2, 19, 20)] == ["single", "range", "range", "quantiles"]


def test_paired_differences_are_the_per_seed_differences() -> None:
    """variant − baseline seed by seed; a seed only one of them ran is not paired."""
    from rights_market.compare import stats

    base = {1: {"use": 10.0}, 2: {"use": 20.0}, 3: {"use": 30.0}, 9: {"use": 99.0}}
    var = {3: {"use": 33.0}, 1: {"use": 12.0}, 2: {"use": 19.0}, 7: {"use": 0.0}}  # another order
    runs = stats.run_level(_yearly({"base": base, "var": var}))
    per_seed = stats.paired_runs(runs, "base").set_index("seed")
    assert sorted(per_seed.index) == [1, 2, 3]
    assert {s: per_seed.loc[s, "difference"] for s in (1, 2, 3)} == {1: 2.0, 2: -1.0, 3: 3.0}
    p = stats.paired(runs, "base").iloc[0]
    assert (p["group"], p["n"], p["median"], p["low"], p["high"]) == ("var", 3, 2.0, -1.0, 3.0)
    yearly = stats.paired_yearly(_yearly({"base": base, "var": var}), "base")
    assert list(yearly["median"]) == [2.0, 2.0] and list(yearly["n"]) == [3, 3]


def test_paired_table_and_figure_in_the_comparison(tmp_path: Path) -> None:
    """The comparison shows the paired differences as a table and a figure per drawn indicator; an identical
    variant is drawn in its own line style."""
    from rights_market.report.fan import line_style

    a = _synthetic_group(tmp_path / "a", "base", ["use"])
    b = _synthetic_group(tmp_path / "b", "same", ["use"])
    paths = build_comparison([a, b], tmp_path / "out", metrics=["use"])
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "### Paired differences from the baseline (variant − baseline, seed by seed)" in md
    assert "| Use | m³ | 0 (0 … 0) |" in md
    assert {"figure:water_use", "figure:water_use_paired"} <= set(paths)
    styles = [(line_style(i)["dash"], line_style(i)["marker"]) for i in range(8)]
    assert len(set(styles)) == 8
    # the variant's median line lies on the baseline's (the same points) and shows apart: another colour
    # and a dash pattern over the solid, wider baseline
    from rights_market.report.figure_base import colors

    root = ET.fromstring(paths["figure:water_use"].read_text(encoding="utf-8"))
    medians = [p for p in root.iter(f"{SVG}path")  # polylines in the variants' colours (legend handles: "h")
               if p.get("fill") == "none" and p.get("stroke") in colors(2) and "L" in p.get("d", "")]
    assert len(medians) == 2 and medians[0].get("d") == medians[1].get("d")
    base, same = medians
    assert base.get("stroke") != same.get("stroke") and float(base.get("stroke-width")) > float(same.get("stroke-width"))
    assert base.get("stroke-dasharray") is None and same.get("stroke-dasharray")


def test_short_variant_names_of_a_sweep() -> None:
    from rights_market.compare.inputs import short_labels

    points = [{"water.pricing.industry.surcharge.step_share": 0.5, "water.fees.industry.fee": 1},
              {"water.pricing.industry.surcharge.step_share": 1.0, "water.fees.agriculture.fee": 2}, {}]
    assert short_labels(points) == ["step_share=0.5, industry.fee=1", "step_share=1.0, agriculture.fee=2", ""]


def test_replications_summary_lists_every_right_with_units(tmp_path: Path) -> None:
    """``run --replications`` on the four-rights scenario prints key indicators of every right it records,
    with units, and nothing of the raw ``right.metric`` columns."""
    out = tmp_path / "reps"
    p = cli("run", str(SCENARIOS / "dawukou_four_rights.yaml"), "--replications", "2", "--set", "calendar.years=1",
            "--workers", "1", "--out", str(out), "--no-progress")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    heads = [ln for ln in lines if ln.endswith(":") and not ln.startswith(" ")]
    assert heads == ["Water rights:", "Emission rights:", "Land rights:", "Mountain-forest rights:",
                     "Fiscal account:", "Cross-right links (pledges and projects):"]
    text = p.stdout
    for expected in ("Use over the plan", " m³", "Mean price", "yuan/m³", "Emissions (COD)", " kg", "Cap (COD)",
                     "yuan/t", "Mean land sale price", "yuan/m²", "yuan/mu/year", "Forest cover", "Net flow of the year",
                     "range of 2 runs"):
        assert expected in text, expected
    assert not any(ln.startswith("water.") or ln.startswith("emission.") for ln in lines)
