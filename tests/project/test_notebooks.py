"""The notebooks of notebooks/ run from top to bottom (small sizes), in a real Jupyter kernel, show their
figures as images (not as ``<Figure size ...>`` text), and use only the public API of rights_market."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import svg_texts
from rights_market.report.labels import Labels

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
#: Each notebook and the figures it shows, by kind of output: a report's figure is an SVG file shown as
#: ``image/svg+xml``; the researcher's own matplotlib plot shows as ``image/png`` (the inline backend).
FIGURES = {"office_pricing_test": {"image/svg+xml": 1}, "researcher_sweep": {"image/png": 1},
           "trainer_walkthrough": {}}
IMAGE_KINDS = ("image/png", "image/svg+xml")
#: A private name of the package: a module or function whose name starts with an underscore.
PRIVATE = re.compile(r"\brights_market(?:\.\w+)*\._\w+|\bfrom rights_market[\w.]* import [^\n]*\b_[a-z]\w*")


def test_every_notebook_is_listed():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(FIGURES)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_notebook_uses_only_the_public_api_and_renders_its_headings(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "rights_market" in code and not PRIVATE.findall(code)
    assert not [c.source[:20] for c in nb.cells if c.cell_type == "markdown" and re.match(r"md[# ]", c.source)]


def test_private_name_pattern():
    assert PRIVATE.search("from rights_market.sweep.commands import _report_store")
    assert PRIVATE.search("rights_market.sweep._report_store(x)")
    assert not PRIVATE.search("from rights_market.sweep import report_study, run_sweep")


@pytest.mark.slow  # a notebook kernel: not in the inner loop
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_notebook_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTS_MARKET_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("RIGHTS_MARKET_NOTEBOOK_OUT", str(tmp_path))
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stored without outputs
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors
    images = [o for o in outputs if any(k in o.get("data", {}) for k in IMAGE_KINDS)]
    shown = {k: sum(k in o["data"] for o in images) for k in IMAGE_KINDS}
    assert {k: n for k, n in shown.items() if n} == FIGURES[name]
    # a figure shown as text only: its repr, with no image beside it (an image's output carries its repr too)
    texts = [o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs if o not in images]
    assert not [t for t in texts if "<Figure size" in t]
    if name == "office_pricing_test":
        assert (tmp_path / "office_pricing_test" / "compare.zh.xlsx").is_file()  # the notebook compares in Chinese
        assert "report.zh.html" in "".join(texts)
        # the comparison's figure as written, labelled in Chinese: the mean price per year
        texts_of_figure = svg_texts(images[0]["data"]["image/svg+xml"])
        zh = Labels("zh")
        assert texts_of_figure[0] == zh.metric("mean_price") and zh("fig.year") in texts_of_figure
    if name == "researcher_sweep":
        assert len(list((tmp_path / "price_grid_store" / "kpis").glob("*.parquet"))) == 12
        assert (tmp_path / "price_grid_store" / "report.html").is_file()
