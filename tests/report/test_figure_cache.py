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
    fc.forget()  # nothing remembered from other tests of this process
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
    fc.forget()
    assert again == figs.surcharge_figure(_by_band(1.0), L=Labels("en"))  # drawing again gives the same bytes
    with fc.cached(folder, "zh") as c:
        fc.draw(figs.surcharge_figure, _by_band(1.0), L=Labels("zh"))
    fc.forget()
    assert (c.drawn, c.reused) == (1, 0)  # labels of another language: another figure
    # each build kept only what it used, per language: en's three files of the last build, zh's one
    names = sorted(p.name.split("-")[0] + p.suffix for p in folder.iterdir())
    assert names == ["en.none", "en.png", "en.png", "zh.png"]


def test_outside_cached_figures_are_drawn_and_nothing_is_written(tmp_path: Path) -> None:
    png = fc.draw(figs.surcharge_figure, _by_band(1.0), L=Labels("en"))
    assert png == figs.surcharge_figure(_by_band(1.0), L=Labels("en"))
    assert not list(tmp_path.iterdir())


def test_a_figure_drawn_in_this_process_is_remembered_for_another_folder_and_written_there(tmp_path: Path) -> None:
    fc.forget()
    calls = []

    def fig(x: float) -> bytes:
        calls.append(x)
        return f"png {x}".encode()

    with fc.cached(tmp_path / "a", "en") as c:
        assert fc.draw(fig, 1.0) == b"png 1.0"
    assert (c.drawn, c.reused) == (1, 0)
    with fc.cached(tmp_path / "b", "en") as c:  # another run folder, the same inputs: not drawn again
        assert fc.draw(fig, 1.0) == b"png 1.0" and fc.draw(fig, 2.0) == b"png 2.0"
    assert (c.drawn, c.reused) == (1, 1) and calls == [1.0, 2.0]
    assert sorted(p.read_bytes() for p in (tmp_path / "b").iterdir()) == [b"png 1.0", b"png 2.0"]
    assert fc.draw(fig, 1.0) == b"png 1.0" and calls == [1.0, 2.0]  # outside a build too
    fc.forget()
    assert fc.draw(fig, 1.0) == b"png 1.0" and calls == [1.0, 2.0, 1.0]


def test_the_memory_is_bounded_least_recently_used_first(monkeypatch) -> None:
    fc.forget()
    monkeypatch.setattr(fc, "MEMORY_BYTES", 10)
    calls = []

    def fig(x: int) -> bytes:
        calls.append(x)
        return b"1234"  # 4 bytes: two fit, a third drops the least recently used

    fc.draw(fig, 1), fc.draw(fig, 2), fc.draw(fig, 1), fc.draw(fig, 3)  # 2 is now the oldest: dropped
    assert calls == [1, 2, 3]
    fc.draw(fig, 1), fc.draw(fig, 3), fc.draw(fig, 2)
    assert calls == [1, 2, 3, 2]
    fc.forget()


def test_a_value_the_key_cannot_hash_means_drawing(tmp_path: Path) -> None:
    calls = []

    def fig(x: object) -> bytes:
        calls.append(x)
        return b"png"

    with fc.cached(tmp_path, "en") as c:
        assert fc.draw(fig, object()) == b"png" and fc.draw(fig, object()) == b"png"
    assert len(calls) == 2 and c.reused == 0 and not list(tmp_path.iterdir())
