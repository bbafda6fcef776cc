"""Tests of the run report (``rights_market.report``) on small synthetic run directories."""

from __future__ import annotations

import json
import re
import string
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rights_market.report import LABELS, build_report, figure_blocks, fonts
from rights_market.report import build as rb
from rights_market.report import figures as rf
from rights_market.report.chart import Bars, Chart, Line, Points
from rights_market.report.chart.layout import legend_entries
from rights_market.units import amount_fen

# ------------------------------------------------------------------------------------------ fixture
I64, F64, STR = pa.int64(), pa.float64(), pa.string()

SCHEMAS: dict[str, dict[str, pa.DataType]] = {
    "holders": {"holder": I64, "name": STR, "group": STR, "sector": STR, "right": STR},
    "trades": {
        "time": I64,
        "year": I64,
        "session": I64,
        "right": STR,
        "product": STR,
        "mechanism": STR,
        "seller": I64,
        "buyer": I64,
        "quantity": I64,
        "unit": STR,
        "price_ticks": I64,
        "amount_fen": I64,
        "price": F64,
        "amount": F64,
        "relation": STR,
        "base_price": F64,
        "deal": STR,
        "lease_years": I64,
        "price_basis": STR,
        "price_flag": STR,
    },
    "orders_rejected": {
        "time": I64,
        "year": I64,
        "session": I64,
        "product": STR,
        "trader": I64,
        "side": STR,
        "quantity": I64,
        "price": F64,
        "reason": STR,
    },
    "holdings": {"time": I64, "year": I64, "holder": I64, "product": STR, "quantity": I64},
    "charges": {
        "time": I64,
        "year": I64,
        "holder": I64,
        "payee": I64,
        "product": STR,
        "kind": STR,
        "band": I64,
        "quantity": I64,
        "rate_ticks": I64,
        "amount_fen": I64,
        "amount": F64,
    },
    "reserve": {
        "time": I64,
        "year": I64,
        "product": STR,
        "action": STR,
        "quantity": I64,
        "price": F64,
        "amount_fen": I64,
        "stock": I64,
        "cash_fen": I64,
        "cash": F64,
        "reason": STR,
    },
    "kpis": {"time": I64, "year": I64, "right": STR, "metric": STR, "value": F64, "unit": STR},
}

PRODUCT = "water.annual"
YEARS = (2021, 2022, 2023)

#: (year, holder, band, quantity, rate_ticks) of every surcharge in the fixture.
SURCHARGES = [
    (2021, 0, 1, 1_000, 305),
    (2021, 1, 2, 2_000, 610),
    (2021, 2, 1, 333, 305),
    (2022, 0, 1, 1_500, 305),
    (2022, 1, 3, 777, 1_220),
    (2023, 2, 2, 4_321, 610),
    (2023, 0, 3, 10_001, 1_220),
]


def _write(run_dir: Path, name: str, rows: list[dict]) -> None:
    schema = pa.schema([(c, t) for c, t in SCHEMAS[name].items()])
    table = pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()
    pq.write_table(table, run_dir / f"{name}.parquet")


def _trade(time: int, mech: str, seller: int, buyer: int, qty: int, ticks: int) -> dict:
    fen = amount_fen(qty, ticks)
    return {
        "time": time,
        "year": 2021 + time // 365,
        "session": time // 30,
        "right": "water",
        "product": PRODUCT,
        "mechanism": mech,
        "seller": seller,
        "buyer": buyer,
        "quantity": qty,
        "unit": "m3",
        "price_ticks": ticks,
        "amount_fen": fen,
        "price": ticks / 10_000,
        "amount": fen / 100,
        "relation": "agriculture->industry",
        "base_price": 0.5,
    }


def _charge(year: int, holder: int, kind: str, band: int, qty: int, ticks: int) -> dict:
    fen = amount_fen(qty, ticks)
    return {
        "time": (year - 2021) * 365 + 364,
        "year": year,
        "holder": holder,
        "payee": -3,
        "product": PRODUCT,
        "kind": kind,
        "band": band,
        "quantity": qty,
        "rate_ticks": ticks,
        "amount_fen": fen,
        "amount": fen / 100,
    }


def make_run(
    run_dir: Path,
    *,
    with_trades: bool = True,
    with_everything: bool = True,
    base_prices: tuple[float, ...] = (0.5, 0.5, 0.5),
    extra_trades: tuple[dict, ...] = (),
    extra_kpis: tuple[dict, ...] = (),
) -> Path:
    """A small but complete run directory per docs/tables.md."""
    run_dir.mkdir(parents=True, exist_ok=True)
    manifest = {
        "scenario_name": "test-scenario",
        "scenario_hash": "0123456789abcdef" * 4,
        "scenario": {"name": "test-scenario"},
        "seed": 42,
        "package_version": "0.1.0",
        "wall_seconds": 3.25,
        "rows": {},
    }
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    holders = [
        {"holder": 0, "name": "Farm Alpha", "group": "farmers", "sector": "agriculture", "right": "water"},
        {
            "holder": 1,
            "name": "Farm Beta | two",
            "group": "farmers",
            "sector": "agriculture",
            "right": "water",
        },
        {"holder": 2, "name": "Plant <Gamma>", "group": "industry", "sector": "industry", "right": "water"},
        {"holder": 3, "name": "Plant Delta", "group": "industry", "sector": "industry", "right": "water"},
    ]
    trades = []
    if with_trades:
        for y in range(3):
            d = y * 365
            trades += [
                _trade(d + 40, "cda", 0, 2, 1_000 + 100 * y, 5_200 + 300 * y),
                _trade(d + 100, "cda", 1, 3, 2_500, 5_000 + 200 * y),
                _trade(d + 200, "negotiation", 0, 3, 4_000, 4_800 + 100 * y),
                _trade(d + 300, "reserve", -1, 2, 1_500, 6_000),
            ]
    rejected = [
        {
            "time": 10,
            "year": 2021,
            "session": 0,
            "product": PRODUCT,
            "trader": 2,
            "side": "buy",
            "quantity": 100,
            "price": 0.1,
            "reason": "below_floor",
        },
        {
            "time": 400,
            "year": 2022,
            "session": 13,
            "product": PRODUCT,
            "trader": 3,
            "side": "buy",
            "quantity": 50,
            "price": 0.2,
            "reason": "below_floor",
        },
        {
            "time": 500,
            "year": 2022,
            "session": 16,
            "product": PRODUCT,
            "trader": 2,
            "side": "buy",
            "quantity": 9_000,
            "price": 0.6,
            "reason": "over_holding_limit",
        },
    ]
    holdings = [
        {"time": 364 + 365 * y, "year": 2021 + y, "holder": h, "product": PRODUCT, "quantity": 10_000 + h}
        for y in range(3)
        for h in (0, 1, 2, 3, -1)
    ]
    charges = [_charge(y, h, "surcharge", b, q, t) for (y, h, b, q, t) in SURCHARGES]
    charges += [_charge(y, h, "tariff", 0, 20_000 + h, 305) for y in YEARS for h in (0, 1, 2)]
    charges.append(_charge(2022, 2, "fee", 0, 4_000, 7))
    reserve = []
    stock, cash = 0, 0
    for time, action, qty, fen in [
        (0, "budget", 0, 5_000_000),
        (50, "buy", 20_000, -900_000),
        (300, "sell", 1_500, 900_000),
        (665, "sell", 1_500, 900_000),
        (800, "buy", 10_000, -450_000),
        (1_030, "sell", 1_500, 900_000),
        (1_050, "expire", 2_000, 0),
    ]:
        stock += qty if action == "buy" else (-qty if action in ("sell", "expire") else 0)
        cash += fen
        reserve.append(
            {
                "time": time,
                "year": 2021 + time // 365,
                "product": PRODUCT,
                "action": action,
                "quantity": qty,
                "price": 0.0,
                "amount_fen": abs(fen),
                "stock": stock,
                "cash_fen": cash,
                "cash": cash / 100,
                "reason": "test",
            }
        )
    kpis = []
    for i, y in enumerate(YEARS):
        t = 364 + 365 * i
        values = {
            ("cap", "m3"): 100_000.0,
            ("planned", "m3"): 95_000.0,
            ("use", "m3"): [90_000.0, 101_000.0, 99_500.0][i],
            ("use_over_cap", "1"): [0.9, 1.01, 0.995][i],
            ("base_price", "yuan/m3"): base_prices[i],
            ("trade_count", "1"): 4.0 if with_trades else 0.0,
            ("surcharge_revenue_band_1", "yuan"): 1.5,
            ("efficiency", "1"): 0.8765,
        }
        kpis += [
            {"time": t, "year": y, "right": "water", "metric": m, "value": v, "unit": u}
            for (m, u), v in values.items()
        ]
    _write(run_dir, "holders", holders)
    _write(run_dir, "trades", trades + list(extra_trades))
    _write(run_dir, "orders_rejected", rejected if with_everything else [])
    _write(run_dir, "holdings", holdings if with_everything else [])
    _write(run_dir, "charges", charges if with_everything else [])
    _write(run_dir, "reserve", reserve if with_everything else [])
    _write(run_dir, "kpis", (kpis + list(extra_kpis)) if with_everything else [])
    return run_dir


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return make_run(tmp_path / "test-seed42-01234567")


# ------------------------------------------------------------------------------------------ tests
def test_report_files_exist(run_dir: Path) -> None:
    paths = build_report(run_dir)
    assert paths["html"] == run_dir / "report.html"
    assert paths["md"] == run_dir / "report.md"
    assert paths["html"].is_file() and paths["md"].is_file()
    figures = {k: p for k, p in paths.items() if k.startswith("figure:")}
    assert set(figures) == {f"figure:water_{n}" for n in ("prices", "volume", "surcharge", "reserve", "use")}
    md = paths["md"].read_text(encoding="utf-8")
    for path in figures.values():
        assert path.parent == run_dir / "figures"
        assert path.suffix == ".svg"
        assert path.read_text(encoding="utf-8").startswith('<svg xmlns="http://www.w3.org/2000/svg"')
        ET.fromstring(path.read_bytes())  # well-formed
        assert f"](figures/{path.name})" in md
    # no temporary files left behind; files readable like the tables beside them
    assert not [p for p in run_dir.rglob("*.tmp")]
    assert paths["html"].stat().st_mode & 0o777 == (run_dir / "trades.parquet").stat().st_mode & 0o777


def test_html_is_self_contained(run_dir: Path) -> None:
    html = build_report(run_dir)["html"].read_text(encoding="utf-8")
    assert html.count("<figure><svg ") == 5 and html.count("</svg><figcaption>") == 5
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.IGNORECASE)
    assert "<link" not in html.lower() and "<script" not in html.lower()
    assert "@import" not in html and "url(" not in html
    # text from the tables is escaped
    assert "Plant &lt;Gamma&gt;" in html and "<Gamma>" not in html


def test_surcharge_tables_match_hand_sums(run_dir: Path) -> None:
    by_band: dict[int, list[int]] = {}
    by_year_band: dict[tuple[int, int], int] = {}
    for year, _h, band, qty, ticks in SURCHARGES:
        fen = amount_fen(qty, ticks)
        count, q, f = by_band.get(band, [0, 0, 0])
        by_band[band] = [count + 1, q + qty, f + fen]
        by_year_band[(year, band)] = by_year_band.get((year, band), 0) + fen
    # hand sums, written out: band 1 = 30.50 + 10.16 (10.1565 rounded) + 45.75 ...
    assert by_band[1][2] == 3_050 + 1_016 + 4_575

    run = rb.load_run(run_dir)
    table = rb.charges_by_kind_band(run.tables["charges"])
    sur = table[table["kind"] == "surcharge"].set_index("band")
    assert sorted(sur.index) == [1, 2, 3]
    for band, (count, qty, fen) in by_band.items():
        assert (
            int(sur.loc[band, "count"]),
            int(sur.loc[band, "quantity"]),
            int(sur.loc[band, "amount_fen"]),
        ) == (
            count,
            qty,
            fen,
        )
    pivot = rb.surcharge_by_year_band(run.tables["charges"])
    for (year, band), fen in by_year_band.items():
        assert int(pivot.loc[year, band]) == fen
    assert int(pivot.to_numpy().sum()) == sum(v[2] for v in by_band.values())

    paths = build_report(run_dir)
    md = paths["md"].read_text(encoding="utf-8")
    html = paths["html"].read_text(encoding="utf-8")
    for band, (count, qty, fen) in by_band.items():
        row = (
            f"| Surcharge (above plan) | Band {band} | {count:,} | {qty:,} | {fen // 100:,}.{fen % 100:02d} |"
        )
        assert row in md
    for year in YEARS:
        cells = [by_year_band.get((year, b), 0) for b in (1, 2, 3)]
        row = " | ".join([str(year)] + [f"{c / 100:,.2f}" for c in cells] + [f"{sum(cells) / 100:,.2f}"])
        assert f"| {row} |" in md
    total = sum(v[2] for v in by_band.values())
    assert f"Surcharges on use above plan brought in {total / 100:,.2f} yuan." in md
    assert f"{total / 100:,.2f}" in html


def test_summary_numbers(run_dir: Path) -> None:
    md = build_report(run_dir)["md"].read_text(encoding="utf-8")
    run = rb.load_run(run_dir)
    trades = run.tables["trades"]
    volume = int(trades["quantity"].sum())
    assert f"{len(trades)} trades moved {volume:,} m³ in total." in md
    assert "above the base price of 0.50 yuan/m³" in md
    assert "At the end of the run the reserve held 23,500 m³ and 63,500.00 yuan in cash." in md
    assert "In 2023, use was 99,500 m³ against a cap of 100,000 m³ (99.5% of the cap)." in md
    assert "Use exceeded the cap in 1 of 3 years." in md
    assert "3 orders were rejected." in md
    # rejected orders by reason, most frequent first
    assert "| Price below the floor | 2 | 150 | 66.7% |" in md
    # KPI table: metrics as columns with units
    assert "| Year | Cap (m³) | Planned use (m³) | Use (m³) | Use / cap |" in md
    assert "| 2022 | 100,000 | 95,000 | 101,000 | 1.010 |" in md
    # top buyers: account 3 bought the most; institutions get a name
    assert "| 1 | 3 | Plant Delta | industry | Industry | 6 |" in md
    assert "| Reserve | Institution |" in md


def test_base_price_changing_over_years(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path / "run", base_prices=(0.6, 0.7, 0.8))
    md = build_report(run_dir)["md"].read_text(encoding="utf-8")
    assert "below the base price of" in md
    assert "Base prices ranged from 0.60 to 0.80 yuan/m³" in md


def test_several_rights(tmp_path: Path) -> None:
    emission = {
        **_trade(30, "auction", -2, 2, 500, 120_000),
        "right": "emission",
        "product": "emission.cod",
        "unit": "kg",
        "relation": "",
        "base_price": float("nan"),
    }
    run_dir = make_run(tmp_path / "run", extra_trades=(emission,))
    paths = build_report(run_dir)
    md = paths["md"].read_text(encoding="utf-8")
    assert md.index("## Water rights") < md.index("## Emission rights")
    assert "figure:emission_prices" in paths and "figure:emission_volume" in paths
    assert "1 trade moved 0.500 t." in md  # emission quantities are shown in tonnes (base unit kg)
    assert "| 1 | -2 | Government (issuer) | Institution |" in md
    # the emission trade does not leak into the water section
    assert "12 trades moved 27,300 m³ in total." in md


def test_chinese_report(run_dir: Path) -> None:
    paths = build_report(run_dir, lang="zh")
    html = paths["html"].read_text(encoding="utf-8")
    md = paths["md"].read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    for heading in ("四权交易市场仿真报告", "用水权", "概要", "图表", "数据表", "阅读说明", "年度指标"):
        assert heading in html and heading in md
    assert "累进加价（超计划）" in md
    assert html.count("<figure><svg ") == 5


def test_chinese_figures_are_labelled_in_chinese_and_their_characters_are_in_the_page_font(run_dir: Path) -> None:
    """Figures are labelled in the report's language on any machine (the viewer sets the SVG's text), and the
    Chinese page embeds a font subset holding every character of its figures."""
    from rights_market.report.webfont import EMBEDDED_FAMILY, page_characters

    paths = build_report(run_dir, lang="zh")
    html = paths["html"].read_text(encoding="utf-8")
    volume = paths["figure:water_volume.zh"].read_text(encoding="utf-8")
    texts = [t.text for t in ET.fromstring(volume).iter("{http://www.w3.org/2000/svg}text")]
    assert "年份" in texts and any("交易量" in t for t in texts)
    assert volume.split(">", 1)[1] in html  # the same SVG, inline (its opening tag gets an aria-label)
    assert f'font-family:"{EMBEDDED_FAMILY}"' in html and "@font-face" in html
    figure_chars = {ch for t in texts for ch in t if ord(ch) > 0x7F}
    assert figure_chars and figure_chars <= set(page_characters(html))


def test_bundled_font_covers_every_chinese_label() -> None:
    """Every character of every Chinese label has a glyph in the bundled font (embedded in Chinese pages)."""
    assert fonts.missing_characters(LABELS["zh"].values()) == set()
    # the check is real: a character outside both fonts is reported
    assert fonts.missing_characters(["龘 水"]) == {"龘"}  # U+9F98 is outside GB 2312


def test_no_trades(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path / "run", with_trades=False)
    paths = build_report(run_dir)
    md = paths["md"].read_text(encoding="utf-8")
    html = paths["html"].read_text(encoding="utf-8")
    assert "No trades took place in this run." in md and "No trades took place in this run." in html
    assert "figure:water_prices" not in paths and "figure:water_volume" not in paths
    assert not (run_dir / "figures" / "water_prices.svg").exists()
    # the rest of the report is still there
    assert "figure:water_surcharge" in paths and "figure:water_use" in paths
    zh = build_report(run_dir, lang="zh")["html"].read_text(encoding="utf-8")
    assert "本次运行没有发生交易。" in zh


def test_empty_run(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path / "run", with_trades=False, with_everything=False)
    paths = build_report(run_dir)
    md = paths["md"].read_text(encoding="utf-8")
    assert "No trades took place in this run." in md
    assert "The reserve took no actions." in md
    assert not [k for k in paths if k.startswith("figure:")]
    assert "<svg" not in paths["html"].read_text(encoding="utf-8")


def test_missing_tables_and_manifest(tmp_path: Path) -> None:
    run_dir = tmp_path / "bare"
    run_dir.mkdir()
    paths = build_report(run_dir)
    md = paths["md"].read_text(encoding="utf-8")
    assert "No trades took place in this run." in md
    assert "unknown" in md


def test_deterministic(run_dir: Path) -> None:
    first = {k: p.read_bytes() for k, p in build_report(run_dir).items()}
    second = {k: p.read_bytes() for k, p in build_report(run_dir).items()}
    assert first == second


def test_unknown_language(run_dir: Path) -> None:
    with pytest.raises(ValueError, match="language"):
        build_report(run_dir, lang="fr")
    assert not (run_dir / "report.html").exists()


def test_labels_complete_and_consistent() -> None:
    assert set(LABELS) == {"en", "zh"}
    assert set(LABELS["en"]) == set(LABELS["zh"])

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, en in LABELS["en"].items():
        assert fields(en) == fields(LABELS["zh"][key]), key
    # every label key used in the code exists
    src = "".join(p.read_text(encoding="utf-8") for p in sorted(Path(rb.__file__).parent.glob("*.py")))
    prefixes = "report|header|section|run|summary|fig|empty|scale|table|col|band|howto|inst"
    used = set(re.findall(rf"""["']((?:{prefixes})\.[a-z_.]+)["']""", src)) - {"report.html", "report.md", "report.xlsx"}
    assert used, "no label keys found"
    assert used <= set(LABELS["en"]), used - set(LABELS["en"])


def test_axis_scale() -> None:
    assert rf.axis_scale(0, "en") == 0
    assert rf.axis_scale(950, "en") == 0
    assert rf.axis_scale(12_000, "en") == 3
    assert rf.axis_scale(3.2e8, "en") == 6
    assert rf.axis_scale(3.2e8, "zh") == 8
    assert rf.axis_scale(5e4, "zh") == 4


def test_formatting() -> None:
    assert rb.fmt_fen(123_456_789) == "1,234,567.89"
    assert rb.fmt_fen(-5) == "-0.05"
    assert rb.fmt_price(0.0305) == "0.0305"
    assert rb.fmt_price(1.081) == "1.081"
    assert rb.fmt_price(12.5) == "12.50"


def test_workbook_for_office_staff(run_dir: Path) -> None:
    """report.xlsx: the indicators and charges in the report language, then the run's tables; deterministic."""
    from openpyxl import load_workbook

    path = build_report(run_dir, lang="zh")["xlsx"]
    first = path.read_bytes()
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames[:3] == ["用水权 年度指标", "用水权 按类别和档次汇总的收费", "按持有人汇总的收费"]
    assert wb.sheetnames[3:] == ["成交记录", "收储记录", "指标", "被拒订单", "持有人"]  # the raw tables, in Chinese
    rows = list(wb["成交记录"].values)
    run = rb.load_run(run_dir)
    assert len(rows) == len(run.tables["trades"]) + 1 and rows[0][0] == "日"
    charges = list(wb["按持有人汇总的收费"].values)
    total = sum(r[-1] for r in charges[1:])
    assert round(total * 100) == int(run.tables["charges"]["amount_fen"].sum())
    assert build_report(run_dir, lang="zh")["xlsx"].read_bytes() == first


# ------------------------------------------------------------------------------------------ several products
#: NOx trades: (mechanism, relation, base price yuan/kg, quantity kg, price ticks per kg). Six mechanisms and
#: five relations with five different base prices: more than a readable legend can list one by one.
NOX = [
    ("listing", "industry->industry", 2.0, 1_234, 25_000),
    ("listing", "industry->industry", 2.0, 2_000, 27_500),
    ("auction", "services->services", 2.2, 1_500, 30_000),
    ("call", "agriculture->industry", 2.4, 3_001, 21_000),
    ("negotiation", "reserve->industry", 2.6, 750, 26_000),
    ("directed", "thermal_power->industry", 2.8, 999, 28_000),
    ("reserve", "industry->industry", 2.0, 500, 20_000),
]
#: water.right term deals (rule W4): a 5-year term priced per m³ of annual right for the whole term, base
#: price 0.5 × 5 = 2.5 yuan/m³.
TERM_DEALS = [(50, 300, 250_000), (420, 500, 300_000), (800, 700, 275_000)]


def _xtrade(time: int, mech: str, qty: int, ticks: int, *, product: str, unit: str, relation: str,
            base: float, right: str | None = None, deal: str = "", years: int = 0, flag: str = "") -> dict:
    return {
        "deal": deal,
        "lease_years": years,
        "price_basis": "rent" if years else "price",
        "price_flag": flag,
        **_trade(time, mech, 0, 2, qty, ticks),
        "right": right or product.split(".")[0],
        "product": product,
        "unit": unit,
        "relation": relation,
        "base_price": base,
    }


def make_multi_run(run_dir: Path) -> Path:
    """The water run of :func:`make_run` plus water.right term deals, two emission pollutants (kg) and two
    forest products with different units (0.01 mu and kgce) and base prices."""
    trades = [
        _xtrade(t, "negotiation", q, p, product="water.right", unit="m3", relation="agriculture->industry", base=2.5)
        for t, q, p in TERM_DEALS
    ]
    trades += [
        _xtrade(30 + 200 * i, m, q, p, product="emission.NOx", unit="kg", relation=r, base=b)
        for i, (m, r, b, q, p) in enumerate(NOX)
    ]
    trades += [
        _xtrade(t, "listing", 4_000, 50_000, product="emission.COD", unit="kg", relation="industry->industry", base=4.0)
        for t in (60, 500)
    ]
    trades += [
        _xtrade(100, "negotiation", 2_550, 150_000, product="forest.management", unit="0.01mu",
                relation="household->operator", base=12.0),
        _xtrade(200, "listing", 100_000, 112_000, product="forest.energy_quota", unit="kgce",
                relation="afforestation->firm", base=7.0),
    ]
    kpis = []
    for i, y in enumerate(YEARS):
        t = 364 + 365 * i
        nox = {"rights": 8_769_958 - i, "paid": 1_000.0, "unpaid": 2_000.0, "emissions": 5_000.0,
               "traded_volume": 1_234.0, "trade_count": 3.0, "reserve_stock": 500.0}
        kpis += [{"time": t, "year": y, "right": "emission", "metric": f"{m}_NOx", "value": float(v), "unit": "kg"}
                 for m, v in nox.items()]
        kpis += [
            {"time": t, "year": y, "right": "emission", "metric": "mean_price_NOx", "value": 2_500.0, "unit": "yuan/t"},
            {"time": t, "year": y, "right": "emission", "metric": "base_price_NOx", "value": 2_000.0, "unit": "yuan/t"},
            {"time": t, "year": y, "right": "emission", "metric": "rights_COD", "value": 993_433.0, "unit": "kg"},
            {"time": t, "year": y, "right": "emission", "metric": "mean_price_COD", "value": 5_000.0, "unit": "yuan/t"},
            {"time": t, "year": y, "right": "emission", "metric": "trade_count", "value": 5.0, "unit": "1"},
        ]
    return make_run(run_dir, extra_trades=tuple(trades), extra_kpis=tuple(kpis))


def _build_capturing(run_dir: Path, lang: str = "en") -> tuple[dict[str, Path], dict[str, Chart]]:
    """Build the report and keep the chart of every figure drawn, by figure stem."""
    drawn: dict[str, Chart] = {}
    original = figure_blocks.svg

    def capture(chart: Chart | None) -> str | None:
        text = original(chart)
        if text is not None:
            drawn[text] = chart
        return text

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(figure_blocks, "svg", capture)
        paths = build_report(run_dir, lang=lang)
    figures = {k.split(":", 1)[1]: drawn[p.read_text(encoding="utf-8")] for k, p in paths.items()
               if k.startswith("figure:")}
    return paths, figures


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path], dict[str, Chart]]:
    run_dir = make_multi_run(tmp_path_factory.mktemp("multi") / "run")
    paths, figures = _build_capturing(run_dir)
    return run_dir, paths, figures


def _dots(chart: Chart) -> list[float]:
    """Prices of the trades drawn as dots in a price figure."""
    return [y for s in chart.panels[0].series if isinstance(s, Points) for y in s.ys]


def _line_values(chart: Chart) -> set[float]:
    return {round(y, 6) for s in chart.panels[0].series if isinstance(s, Line) for y in s.ys}


def _legend(chart: Chart) -> list[str]:
    return [e.label for e in legend_entries(chart)]


def _titles(chart: Chart) -> list[str]:
    """The title of each panel (a one-panel figure's title is the figure's)."""
    return [chart.title] if len(chart.panels) == 1 else [p.title for p in chart.panels]


def _ylabels(chart: Chart) -> list[str]:
    return [p.y.label for p in chart.panels]


def test_one_price_figure_per_product(multi) -> None:
    _run, paths, figures = multi
    prices = sorted(s for s in figures if "_prices" in s)
    assert prices == [
        "emission_prices_cod",
        "emission_prices_nox",
        "forest_prices_energy_quota",
        "forest_prices_management",
        "water_prices_annual",
        "water_prices_right",
    ]
    for stem in prices:
        assert len(figures[stem].panels) == 1  # one product per chart, with its own price axis
    assert _titles(figures["emission_prices_nox"]) == ["Trade prices: NOx (nitrogen oxides)"]
    assert _titles(figures["forest_prices_energy_quota"]) == ["Trade prices: Energy-use quota"]
    # the volume figure: one panel per product, each with its own unit
    volume = figures["forest_volume"]
    assert _titles(volume) == ["Forest management rights", "Energy-use quota"]
    assert _ylabels(volume) == ["Volume (mu)", "Volume (tce)"]
    assert [[round(h, 6) for s in p.series if isinstance(s, Bars) for h in s.heights if h]
            for p in volume.panels] == [[25.5], [100.0]]


def test_term_deals_stay_out_of_the_annual_water_chart(multi) -> None:
    run_dir, paths, figures = multi
    annual, term = figures["water_prices_annual"], figures["water_prices_right"]
    annual_prices = sorted({t["price_ticks"] / 10_000 for t in pq.read_table(run_dir / "trades.parquet").to_pylist()
                            if t["product"] == PRODUCT})
    assert sorted(set(_dots(annual))) == annual_prices  # only water.annual trades, all of them
    assert max(_dots(annual)) < 1.0
    assert sorted(_dots(term)) == sorted(p / 10_000 for _, _, p in TERM_DEALS)
    # the term deals' base price (base × term) is drawn in their own chart only
    assert 2.5 not in _line_values(annual) and 0.5 in _line_values(annual)
    assert 2.5 in _line_values(term)
    assert _ylabels(term) == ["Price for the whole term (yuan/m³)"]
    md = paths["md"].read_text(encoding="utf-8")
    assert "Term deals (rule W4) are priced per m³ of annual right for the whole multi-year term" in md
    q = sum(q for _, q, _ in TERM_DEALS)
    fen = sum(amount_fen(q, p) for _, q, p in TERM_DEALS)
    assert f"Water use rights (multi-year) — {len(TERM_DEALS)} trades moved {q:,} m³ in total." in md
    assert f"mean price was {rb.fmt_price(rb.mean_price(fen, q))} yuan/m³" in md


def test_emission_in_tonnes(multi) -> None:
    _run, paths, figures = multi
    nox = figures["emission_prices_nox"]
    assert _ylabels(nox) == ["Price (yuan/t)"]
    # prices per kg × 1000: 2.50 yuan/kg is drawn as 2,500 yuan/t
    assert sorted(_dots(nox)) == sorted(p / 10 for *_, p in NOX)
    volume = figures["emission_volume"]
    assert _ylabels(volume) == ["Volume (t)", "Volume (t)"]
    md = paths["md"].read_text(encoding="utf-8")
    kg = sum(q for *_, q, _ in NOX)
    fen = sum(amount_fen(q, p) for *_, q, p in NOX)
    assert kg == 9_984 and f"{len(NOX)} trades moved 9.984 t in total." in md
    # the mean price per t from the integer money and quantity: Σ fen × 1000 / 100 / Σ kg
    per_t = Decimal(fen * 1000) / 100 / kg
    assert f"The volume-weighted mean price was {rb.fmt_price(per_t)} yuan/t" in md
    # base prices 2.0–2.8 yuan/kg of the relations, averaged with the volume traded as weights
    base = sum(b * q for _, _, b, q, _ in NOX) / kg * 1000
    assert f"above the base price of {rb.fmt_price(round(base, 6))} yuan/t" in md
    assert "Base prices of the trading relations ranged from 2,000.00 to 2,800.00 yuan/t" in md
    assert "COD (chemical oxygen demand) — 2 trades moved 8.000 t in total." in md
    # KPI tables split by pollutant; kg indicators in t; many indicators turned into rows
    assert "#### Indicators of NOx (nitrogen oxides)" in md and "#### Indicators of COD (chemical oxygen demand)" in md
    assert "| Indicator | 2021 | 2022 | 2023 |" in md
    assert "| Rights held (t) | 8,769.96 | 8,769.96 | 8,769.96 |" in md
    assert "| Mean price (yuan/t) | 2,500.00 | 2,500.00 | 2,500.00 |" in md
    assert "| Year | Mean price (yuan/t) | Rights held (t) |" in md  # COD: two indicators, one row per year
    assert "| 2021 | 5,000.00 | 993.43 |" in md
    assert "rights_NOx" not in md and "kg" not in md.split("## Emission rights")[1].split("## How to read")[0]


def test_forest_units_converted(multi) -> None:
    _run, paths, figures = multi
    mgmt, energy = figures["forest_prices_management"], figures["forest_prices_energy_quota"]
    assert _ylabels(mgmt) == ["Price (yuan/mu)"] and _dots(mgmt) == [1_500.0]  # 15 yuan per 0.01 mu
    assert 1_200.0 in _line_values(mgmt) and 7_000.0 not in _line_values(mgmt)
    assert _ylabels(energy) == ["Price (yuan/tce)"] and _dots(energy) == [11_200.0]
    assert 7_000.0 in _line_values(energy) and 1_200.0 not in _line_values(energy)
    md = paths["md"].read_text(encoding="utf-8")
    assert "Forest management rights — 1 trade moved 25.50 mu." in md
    assert "Energy-use quota — 1 trade moved 100.000 tce." in md
    assert "The volume-weighted mean price was 11,200.00 yuan/tce, 60.0% above the base price of 7,000.00 yuan/tce." in md


def test_price_legends_stay_short(multi) -> None:
    _run, _paths, figures = multi
    for stem, fig in figures.items():
        if "_prices" in stem:
            assert len(_legend(fig)) <= rf.MAX_LEGEND, stem
    # NOx: six mechanisms and five base price levels: the least used mechanisms share an entry and the
    # base prices are one band
    nox = _legend(figures["emission_prices_nox"])
    assert len(nox) == rf.MAX_LEGEND
    assert nox[-3:] == [
        "Trades (other mechanisms)",
        "Volume-weighted mean per year",
        "Base prices of 5 relations (2,000.00–2,800.00)",
    ]
    assert "Trades (Listing)" in nox  # the mechanism with the most trades keeps its own entry
    # every dot is still drawn
    assert len(_dots(figures["emission_prices_nox"])) == len(NOX)
    # one base price level: one entry, even with several relations
    assert [t for t in _legend(figures["water_prices_annual"]) if t.startswith("Base")] == ["Base price"]


def test_tables_per_product(multi) -> None:
    _run, paths, _figures = multi
    md = paths["md"].read_text(encoding="utf-8")
    emission = md.split("## Emission rights")[1].split("## Mountain-forest rights")[0]
    buyers = emission.split("#### Top buyers (by quantity bought)")[1].split("#### Top sellers")[0]
    assert "#### NOx (nitrogen oxides)" in buyers and "#### COD (chemical oxygen demand)" in buyers
    assert "| Quantity (t) |" in buyers and "| Mean price (yuan/t) |" in buyers
    # the water section keeps its single-product summary wording for water.annual
    assert "Annual water (this year's use) — 12 trades moved 27,300 m³ in total." in md


def test_chinese_several_products(multi, tmp_path: Path) -> None:
    run_dir, _paths, _figures = multi
    copy = tmp_path / "zh"
    copy.mkdir()
    for f in run_dir.glob("*.parquet"):
        (copy / f.name).write_bytes(f.read_bytes())
    (copy / "manifest.json").write_bytes((run_dir / "manifest.json").read_bytes())
    paths, figures = _build_capturing(copy, lang="zh")
    md = paths["md"].read_text(encoding="utf-8")
    assert "氮氧化物（NOx） — 共成交 7 笔，交易量合计 9.984 吨。" in md
    assert _ylabels(figures["emission_prices_nox.zh"]) == ["价格（元/吨）"]
    assert _ylabels(figures["forest_prices_management.zh"]) == ["价格（元/亩）"]
    assert "多年期交易（规则 W4）" in md
    assert len(_legend(figures["emission_prices_nox.zh"])) == rf.MAX_LEGEND
    # deterministic: the same run gives the same bytes
    again = {k: p.read_bytes() for k, p in build_report(copy, lang="zh").items()}
    assert again == {k: p.read_bytes() for k, p in paths.items()}


def test_display_units() -> None:
    kg = rb.display_unit("emission.NOx", "kg")
    assert (kg.unit, kg.fmt_qty(1_064_018), kg.fmt_qty(500)) == ("t", "1,064.018", "0.500")
    assert kg.mean_price(250_000, 1_000) == Decimal(2_500)  # 2,500 yuan for 1 t
    mu = rb.display_unit("land.management", "m2")
    assert (mu.unit, mu.fmt_qty(2_000), mu.fmt_qty(1_000)) == ("mu", "3.00", "1.50")
    assert mu.mean_price(60_000, 2_000) == Decimal(200)  # 600 yuan for 3 mu
    assert rb.display_unit("land.state_construction", "m2").unit == "m2"  # construction land stays in m²
    assert rb.display_unit("forest.management", "0.01mu").fmt_qty(2_550) == "25.50"
    assert rb.display_unit("water.annual", "m3").fmt_qty(1_234) == "1,234"
    assert rb.convert_unit("kg") == ("t", 0.001) and rb.convert_unit("yuan/kg") == ("yuan/t", 1000.0)
    assert rb.convert_unit("yuan/t") == ("yuan/t", 1.0) and rb.convert_unit("m2") == ("m2", 1.0)


def test_base_levels_grouped_by_price() -> None:
    """Relations with the same base price form one level even when they trade in different years; leases
    and sales of one product are separate series."""
    rows = [
        _xtrade(10, "cda", 100, 5_000, product=PRODUCT, unit="m3", relation="agriculture->industry", base=1.0),
        _xtrade(400, "cda", 100, 5_000, product=PRODUCT, unit="m3", relation="domestic->domestic", base=1.0),
        _xtrade(800, "cda", 100, 5_000, product=PRODUCT, unit="m3", relation="agriculture->agriculture", base=0.4),
    ]
    import pandas as pd

    trades = pd.DataFrame(rows)
    levels = rb.base_price_levels(trades, pd.Series(dtype=float))
    assert levels.band is None and [tuple(k.relation for k in r) for r, _ in levels.lines] == [
        ("agriculture->agriculture",), ("agriculture->industry", "domestic->domestic")]
    trades["relation"] = ["a->b", "a->b", "reserve->tenant"]
    trades["price_basis"] = ["rent", "price", ""]  # "": a table written before the column, a one-off price
    assert list(rb.price_basis(trades)) == ["rent", "price", "price"]


#: Land trades: (time, product, relation, deal, lease years, L16 flag, base price yuan/m², quantity m², price ticks
#: per m²). Sales and leases of construction land with two base price levels each, one of each flagged by price
#: monitoring (L16).
LAND_TRADES = [
    (40, "land.state_construction", "reserve->firm", "primary sale", 0, "low", 300.0, 1_000, 2_500_000),
    (400, "land.state_construction", "reserve->firm", "primary sale", 0, "", 300.0, 2_000, 3_100_000),
    (500, "land.state_construction", "collective->firm", "vote_passed", 0, "", 200.0, 1_500, 2_100_000),
    (60, "land.state_construction", "reserve->firm", "primary sale", 20, "high", 12.0, 800, 160_000),
    (700, "land.state_construction", "household->member", "subcontract first_refusal", 5, "", 8.0, 900, 90_000),
]


def test_land_relations_are_labelled_in_price_legends(tmp_path: Path) -> None:
    """Land kinds of trade (the columns relation ``seller->buyer``, deal, lease_years; price_flag) appear in words in the legends of
    the price figures, in English and in Chinese; no raw relation code is shown."""
    trades = [_xtrade(t, "listing", q, p, product=prod, unit="m2", relation=r, base=b, deal=d, years=y, flag=f)
              for t, prod, r, d, y, f, b, q, p in LAND_TRADES]
    expected = {
        "en": {"Base price Primary sale: Reserve → Firms", "Base price Collective → Firms (vote passed)",
               "Base price 20-year lease, primary sale: Reserve → Firms",
               "Base price 5-year lease, subcontract: Households → Village member (first refusal)"},
        "zh": {"基准价 一级出让：收储 → 企业", "基准价 村集体 → 企业（表决通过）",
               "基准价 租赁 20 年，一级出让：收储 → 企业", "基准价 租赁 5 年，转包：农户 → 本村成员（优先承包）"},
    }
    for lang in ("en", "zh"):
        run_dir = make_run(tmp_path / lang / "run", extra_trades=tuple(trades))
        _paths, figures = _build_capturing(run_dir, lang=lang)
        land = {stem: _legend(fig) for stem, fig in figures.items() if stem.startswith("land_prices")}
        assert len(land) == 2, land  # sales and leases are separate series
        entries = {t for legend in land.values() for t in legend}
        base = {t for t in entries if t.startswith(("Base price", "基准价"))}
        # long texts are cut short in the legend ("…"): each entry is the start of its own expected text
        matched = {t: [e for e in expected[lang] if e == t or (t.endswith("…") and e.startswith(t[:-1]))]
                   for t in base}
        assert all(len(m) == 1 for m in matched.values()), matched
        assert {m[0] for m in matched.values()} == expected[lang], base
        for t in entries:
            assert "->" not in t and ";flag" not in t and "lease:" not in t and "_" not in t, t

    L, Z = rb.Labels("en"), rb.Labels("zh")
    flagged = ("reserve->firm", "primary sale mixed standard", 20, "low")
    assert L.relation(*flagged) == "20-year lease, primary sale mixed-use standard plot: Reserve → Firms (price flagged low)"
    assert Z.relation(*flagged) == "租赁 20 年，一级出让混合用途标准地：收储 → 企业（价格偏低预警）"
    assert L.relation("firm->reserve", "zombie buyback") == "Zombie firm buyback: Firms → Reserve"
    assert L.relation("household->member", "subcontract first_refusal", 5) == (
        "5-year lease, subcontract: Households → Village member (first refusal)")
    assert Z.relation("restorer->other districts") == "复垦主体 → 其他地区"
    assert L.relation("agriculture->industry") == "Agriculture → Industry"  # water/emission relations as before
    assert L.relation("") == "" and L.relation("a => b") == "a => b"  # no known form: as it is


# ------------------------------------------------------------------------ policy effect (water, issue 13)
@pytest.fixture(scope="module")
def shipped_water(shared_run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped water scenario, 2 years (simulated once per session), written with its report (en)."""
    from rights_market import write_run

    out = tmp_path_factory.mktemp("policy") / "run"
    write_run(shared_run.result("dawukou_water.yaml", ["calendar.years=2"]), out)
    build_report(out)
    return out


def test_policy_effect_sums_agree_with_the_raw_tables(shipped_water: Path) -> None:
    """Every policy-effect table adds up to the run's own tables: payments by group (charges = tariff +
    surcharge + use fee, no loans), the reserve's bought and sold, industry's purchases and surcharges,
    use per sector, prices against the W5 base."""
    from rights_market.report import policy_effect as pe
    from rights_market.report.run_data import load_run

    run = load_run(shipped_water)
    t = run.tables
    trades = t["trades"][t["trades"]["right"] == "water"]
    charges = t["charges"][t["charges"]["product"].str.startswith("water.")]
    holders = t["holders"]

    pay = pe.payments_by_group(trades, charges, holders)
    for kind in ("tariff", "surcharge", "use_fee"):
        assert int(pay[kind].sum()) == int(charges.loc[charges["kind"] == kind, "amount_fen"].sum())
    paid = charges[charges["kind"].isin(["tariff", "surcharge", "use_fee"])]
    assert int(pay["charges"].sum()) == int(paid["amount_fen"].sum()) > 0
    assert (pay["charges"] == pay["tariff"] + pay["surcharge"] + pay["use_fee"]).all()
    assert int(pay["bought"].sum()) == int(pay["sold"].sum()) == int(trades["amount_fen"].sum())

    res = t["reserve"][t["reserve"]["product"].str.startswith("water.")]
    tot = pe.reserve_totals(pe.reserve_actions(res))
    assert tot["bought_m3"] == int(res.loc[res["action"] == "buy", "quantity"].sum())
    assert tot["bought_fen"] == int(res.loc[res["action"] == "buy", "amount_fen"].sum())
    sold = res[res["action"].isin(["sell", "release"])]
    assert (tot["sold_m3"], tot["sold_fen"]) == (int(sold["quantity"].sum()), int(sold["amount_fen"].sum()))

    firms = set(holders.loc[(holders["right"] == "water") & (holders["sector"] == "industry"), "holder"])
    p = pe.purchases_vs_surcharge(trades, charges, holders)
    bought = trades[trades["buyer"].isin(firms)]
    assert int(p["bought_fen"].sum() + p["term_fen"].sum()) == int(bought["amount_fen"].sum())
    sur = charges[(charges["kind"] == "surcharge") & charges["holder"].isin(firms)]
    assert int(p["surcharge_fen"].sum()) == int(sur["amount_fen"].sum())

    kpis = t["kpis"][t["kpis"]["right"] == "water"]
    use = pe.use_by_sector(kpis)
    total_use = kpis[kpis["metric"] == "use"].set_index("year")["value"]
    over = kpis[kpis["metric"] == "over_plan"].set_index("year")["value"]
    for year, g in use.groupby("year"):
        assert int(g["use"].sum()) == int(total_use[year]) and int(g["over_plan"].sum()) == int(over[year])
        assert (g["over_plan"] <= g["use"]).all()

    prices = pe.prices_vs_base(trades)
    annual = trades[trades["product"] == "water.annual"]
    assert int(prices["volume"].sum()) == int(annual["quantity"].sum())
    for r in prices.itertuples(index=False):
        g = annual[annual["relation"] == r.relation]
        assert r.price == Decimal(int(g["amount_fen"].sum())) / 100 / Decimal(int(g["quantity"].sum()))
        assert float(r.base) == pytest.approx(float((g["base_price"] * g["quantity"]).sum() / g["quantity"].sum()))


def test_policy_effect_in_the_report_en_and_zh(shipped_water: Path) -> None:
    """The water section has its policy-effect part, with the by-group charges total in yuan, in both languages."""
    from rights_market.report.run_data import load_run

    md = (shipped_water / "report.md").read_text(encoding="utf-8")
    part = md.split("### Policy effect", 1)[1].split("\n### ", 1)[0]
    for title in ("Use and over-plan use by sector against the plan", "Saving invested",
                  "Industry: rights bought instead of surcharges paid", "Prices against the base price, by relation",
                  "What the reserve bought and sold", "Who paid what, by holder group (yuan)"):
        assert f"#### {title}" in part
    ch = load_run(shipped_water).tables["charges"]
    fen = int(ch.loc[ch["kind"].isin(["tariff", "surcharge", "use_fee"]) & ch["product"].str.startswith("water."),
                     "amount_fen"].sum())
    payments = part.split("#### Who paid what, by holder group (yuan)", 1)[1]
    total_row = next(ln for ln in payments.splitlines() if ln.startswith("| **Total**"))
    assert total_row.split("|")[5].strip() == f"**{rb.fmt_fen(fen)}**"  # the "Charges total" column
    assert "Price (yuan/m³)" in part and "Base price (yuan/m³)" in part
    build_report(shipped_water, lang="zh")
    zh = (shipped_water / "report.zh.md").read_text(encoding="utf-8")
    assert "### 政策效果" in zh and "#### 各类持有人缴纳的费用（元）" in zh and "成交价（元/立方米）" in zh
