"""Tests of the run report (``rights_market.report``) on small synthetic run directories."""

from __future__ import annotations

import json
import re
import string
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rights_market.report import LABELS, build_report, fonts
from rights_market.report import build as rb
from rights_market.report import figures as rf
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
    _write(run_dir, "kpis", kpis if with_everything else [])
    return run_dir


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return make_run(tmp_path / "test-seed42-01234567")


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """Figures as on a machine without a Chinese font (the default of the test environment)."""
    monkeypatch.setattr(rf, "cjk_font_family", lambda: None)


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
        assert path.read_bytes().startswith(b"\x89PNG")
        assert f"](figures/{path.name})" in md
    # no temporary files left behind; files readable like the tables beside them
    assert not [p for p in run_dir.rglob("*.tmp")]
    assert paths["html"].stat().st_mode & 0o777 == (run_dir / "trades.parquet").stat().st_mode & 0o777


def test_html_is_self_contained(run_dir: Path) -> None:
    html = build_report(run_dir)["html"].read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 5
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
    assert "1 trade moved 500 kg." in md
    assert "| 1 | -2 | Government (issuer) | Institution |" in md
    # the emission trade does not leak into the water section
    assert "12 trades moved 27,300 m³ in total." in md


def test_chinese_report(run_dir: Path, no_cjk_font: None) -> None:
    paths = build_report(run_dir, lang="zh")
    html = paths["html"].read_text(encoding="utf-8")
    md = paths["md"].read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    for heading in ("四权交易市场仿真报告", "用水权", "概要", "图表", "数据表", "阅读说明", "年度指标"):
        assert heading in html and heading in md
    assert "累进加价（超计划）" in md
    # figures fall back to English labels without a CJK font, and the report says so
    assert "本机未安装中文字体" in html
    assert html.count("data:image/png;base64,") == 5


def test_chinese_figures_with_cjk_font(run_dir: Path) -> None:
    """The font shipped with the package draws the Chinese figures: no fallback note, no missing glyph.

    Missing-glyph warnings from matplotlib are errors in this test suite (``filterwarnings = error``), so
    rendering every figure in Chinese proves each drawn character has a glyph.
    """
    assert rf.cjk_font_family() == fonts.FAMILY
    assert fonts.font_path().is_file()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = build_report(run_dir, lang="zh")
    html = paths["html"].read_text(encoding="utf-8")
    assert "本机未安装中文字体" not in html
    assert html.count("data:image/png;base64,") == 5


def test_bundled_font_covers_every_label() -> None:
    """Every character of every label (both languages) has a glyph in DejaVu Sans or the bundled font."""
    texts = [t for table in LABELS.values() for t in table.values()]
    assert fonts.missing_characters(texts) == set()
    # the check is real: a character outside both fonts is reported
    assert fonts.missing_characters(["龘 水"]) == {"龘"}  # U+9F98 is outside GB 2312


def test_no_trades(tmp_path: Path) -> None:
    run_dir = make_run(tmp_path / "run", with_trades=False)
    paths = build_report(run_dir)
    md = paths["md"].read_text(encoding="utf-8")
    html = paths["html"].read_text(encoding="utf-8")
    assert "No trades took place in this run." in md and "No trades took place in this run." in html
    assert "figure:water_prices" not in paths and "figure:water_volume" not in paths
    assert not (run_dir / "figures" / "water_prices.png").exists()
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
    assert "data:image/png" not in paths["html"].read_text(encoding="utf-8")


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
    src = Path(rb.__file__).read_text(encoding="utf-8") + Path(rf.__file__).read_text(encoding="utf-8")
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
    assert wb.sheetnames[3:] == ["trades", "reserve", "kpis", "orders_rejected", "holders"]
    rows = list(wb["trades"].values)
    run = rb.load_run(run_dir)
    assert len(rows) == len(run.tables["trades"]) + 1 and rows[0][0] == "time"
    charges = list(wb["按持有人汇总的收费"].values)
    total = sum(r[-1] for r in charges[1:])
    assert round(total * 100) == int(run.tables["charges"]["amount_fen"].sum())
    assert build_report(run_dir, lang="zh")["xlsx"].read_bytes() == first
