"""Figures cached per run (:mod:`rights_market.report.figure_cache`): the same inputs give the cached PNG
without drawing, other inputs (or another language) are drawn, and a build keeps only what it used."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rights_market.report import figure_cache as fc
from rights_market.report import figures as figs
from rights_market.report.labels import Labels


def _by_band(amount: float) -> pd.DataFrame:
    return pd.DataFrame({1: [amount, 2.0], 2: [3.0, 4.0]}, index=[2021, 2022])


def test_same_inputs_reuse_the_png_other_inputs_are_drawn(tmp_path: Path) -> None:
    folder = tmp_path / "figures" / fc.CACHE_DIR
    with fc.cached(folder, "en") as c:
        first = fc.draw(figs.surcharge_figure, _by_band(1.0), L=Labels("en"))
        nothing = fc.draw(figs.surcharge_figure, _by_band(0.0) * 0, L=Labels("en"))
    assert first is not None and first.startswith(b"\x89PNG") and nothing is None
    assert (c.drawn, c.reused) == (2, 0)
    with fc.cached(folder, "en") as c:
        again = fc.draw(figs.surcharge_figure, _by_band(1.0), L=Labels("en"))
        assert fc.draw(figs.surcharge_figure, _by_band(0.0) * 0, L=Labels("en")) is None
        other = fc.draw(figs.surcharge_figure, _by_band(1.5), L=Labels("en"))
    assert again == first and other != first  # the cached bytes are the drawn bytes; changed data redrawn
    assert (c.drawn, c.reused) == (1, 2)
    assert again == figs.surcharge_figure(_by_band(1.0), L=Labels("en"))  # drawing again gives the same bytes
    with fc.cached(folder, "zh") as c:
        fc.draw(figs.surcharge_figure, _by_band(1.0), L=Labels("zh"))
    assert (c.drawn, c.reused) == (1, 0)  # labels of another language: another figure
    # each build kept only what it used, per language: en's three files of the last build, zh's one
    names = sorted(p.name.split("-")[0] + p.suffix for p in folder.iterdir())
    assert names == ["en.none", "en.png", "en.png", "zh.png"]


def test_outside_cached_figures_are_drawn_and_nothing_is_written(tmp_path: Path) -> None:
    png = fc.draw(figs.surcharge_figure, _by_band(1.0), L=Labels("en"))
    assert png == figs.surcharge_figure(_by_band(1.0), L=Labels("en"))
    assert not list(tmp_path.iterdir())


def test_a_value_the_key_cannot_hash_means_drawing(tmp_path: Path) -> None:
    calls = []

    def fig(x: object) -> bytes:
        calls.append(x)
        return b"png"

    with fc.cached(tmp_path, "en") as c:
        assert fc.draw(fig, object()) == b"png" and fc.draw(fig, object()) == b"png"
    assert len(calls) == 2 and c.reused == 0 and not list(tmp_path.iterdir())
