"""The SVG chart engine (:mod:`rights_market.report.chart`): ticks, numbers, geometry, determinism, escaping."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from rights_market.report.chart import Axis, Bars, Chart, Line, Panel, Points, render
from rights_market.report.chart.layout import layout
from rights_market.report.chart.ticks import (
    axis_scale,
    nice_ticks,
    number_text,
    price_text,
    tick_texts,
    year_ticks,
)
from rights_market.report.figure_base import sequential

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(("lo", "hi", "most"), [(0, 1, 6), (0, 6.5, 8), (0.03, 30_000, 7), (-3e4, 3e7, 5),
                                                (2020.8, 2031.2, 10), (0, 0.0004, 6), (-1, 1, 2)])
def test_nice_ticks_are_evenly_spaced_round_numbers_inside_the_range(lo: float, hi: float, most: int) -> None:
    ticks = nice_ticks(lo, hi, most)
    assert 2 <= len(ticks) <= most + 1
    assert all(lo - 1e-9 <= t <= hi + 1e-9 for t in ticks)
    steps = {round(b - a, 12) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len({round(s / min(steps), 6) for s in steps}) == 1  # evenly spaced
    step = min(steps)
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5)), step
    assert all(math.isclose(t / step, round(t / step), abs_tol=1e-6) for t in ticks)  # multiples of the step


def test_year_ticks_each_year_when_few_else_round_years() -> None:
    assert year_ticks(2020.7, 2026.3, [2021, 2023, 2025], 20) == [2021.0, 2023.0, 2025.0]
    assert year_ticks(2020.7, 2026.3, None, 10) == [float(y) for y in range(2021, 2027)]
    many = year_ticks(2000, 2050, None, 10)
    assert len(many) <= 10 and all(y % 10 == 0 for y in many)


def test_numbers_on_axes() -> None:
    assert number_text(1500) == "1,500"
    assert number_text(2_500_000, 6) == "2.5"
    assert number_text(-0.75) == "-0.75"
    assert price_text(0.0305) == "0.0305"
    assert price_text(30_000) == "30,000"
    assert tick_texts([0.0, 0.0025, 0.005, 0.0075], "number") == ["0",
        "0.0025", "0.005", "0.0075"]  # as many decimals as it takes to tell the ticks apart
    assert tick_texts([0.0, 0.5, 1.0], "number") == ["0", "0.5", "1"]
    assert axis_scale(9_999, "en") == 0 and axis_scale(10_000, "en") == 3 and axis_scale(2e6, "en") == 6
    assert axis_scale(2e4, "zh") == 4 and axis_scale(3e8, "zh") == 8


def test_sequential_colours_run_from_light_yellow_to_dark_red() -> None:
    assert sequential(0.0) == "#ffffcc" and sequential(1.0) == "#800026"
    assert sequential(0.5) == "#fd8d3c"


def _chart(**kw) -> Chart:
    series = kw.pop("series", (Line((2021.0, 2022.0, 2023.0), (1.0, 3.0, 2.0), "#000000", label="a line"),))
    return Chart((Panel(series, x=Axis("Year", "year"), y=Axis("Price", "price", **kw)),), title="T")


def test_same_chart_same_bytes_and_well_formed() -> None:
    a, b = render(_chart()).svg, render(_chart()).svg
    assert a == b
    root = ET.fromstring(a)
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 800 480"


def test_text_is_escaped_and_control_characters_dropped() -> None:
    evil = 'x<script>alert("1")</script>&\x07y'
    svg = render(Chart((Panel((Line((0.0, 1.0), (0.0, 1.0), "#000", label=evil),)),), title=evil)).svg
    assert "<script" not in svg and "\x07" not in svg
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert 'x<script>alert("1")</script>&y' in texts


def test_dots_on_one_spot_are_written_once_with_the_opacity_of_the_stack() -> None:
    n, alpha = 5, 0.25
    svg = render(_chart(series=(Points((2022.0,) * n + (2021.0,), (2.0,) * n + (1.0,), "#123456", 4.0, alpha),))).svg
    groups = {g.get("fill-opacity"): g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("fill") == "#123456"}
    assert set(groups) == {"0.25", f"{round(1 - (1 - alpha) ** n, 2):g}"}
    assert all(len(list(g)) == 1 for g in groups.values())


def test_stacked_bars_and_limits_map_to_the_plot_box() -> None:
    bars = (Bars((2021.0,), (2.0,), "#aa0000"), Bars((2021.0,), (3.0,), "#00aa00", bottoms=(2.0,)))
    chart = _chart(series=bars, limits=(0.0, 10.0))
    frame = layout(chart).panels[0]
    x0, y0, x1, y1 = frame.box
    root = ET.fromstring(render(chart).svg)
    found = {g.get("fill"): next(iter(g)) for g in root.iter(f"{SVG}g") if g.get("fill") in ("#aa0000", "#00aa00")}
    per_unit = (y1 - y0) / 10.0
    red, green = found["#aa0000"], found["#00aa00"]
    assert math.isclose(float(red.get("y")) + float(red.get("height")), y1, abs_tol=0.1)  # from 0
    assert math.isclose(float(red.get("height")), 2 * per_unit, abs_tol=0.15)
    assert math.isclose(float(green.get("y")), y1 - 5 * per_unit, abs_tol=0.1)  # stacked up to 5
    assert frame.y.lo == 0.0 and frame.y.hi == 10.0


def test_an_end_left_open_comes_from_the_data_and_bars_start_at_zero() -> None:
    frame = layout(_chart(limits=(-1.0, None))).panels[0]
    assert frame.y.lo == -1.0 and frame.y.hi == pytest.approx(3.0 + 0.05 * 2.0)  # margin of the data's range
    bars = layout(_chart(series=(Bars((2021.0, 2022.0), (4.0, 6.0), "#000"),))).panels[0]
    assert bars.y.lo == 0.0 and bars.y.hi == pytest.approx(6.3)


def test_step_lines_hold_each_value_until_the_next_point() -> None:
    svg = render(_chart(series=(Line((2021.0, 2022.0, 2023.0), (1.0, 2.0, 2.0), "#0000ff", step=True),))).svg
    d = next(p.get("d") for p in ET.fromstring(svg).iter(f"{SVG}path") if p.get("stroke") == "#0000ff")
    assert re.fullmatch(r"M[\d.]+ [\d.]+H[\d.]+V[\d.]+H[\d.]+V[\d.]+", d), d
