"""The notebooks of notebooks/ run from top to bottom (small sizes), in a real Jupyter kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow  # a notebook kernel, a browser or a benchmark run: not in the inner loop

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.mark.parametrize("name", ["office_pricing_test", "researcher_sweep", "trainer_walkthrough"])
def test_notebook_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTS_MARKET_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("RIGHTS_MARKET_NOTEBOOK_OUT", str(tmp_path))
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stored without outputs
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    if name == "office_pricing_test":
        assert (tmp_path / "office_pricing_test" / "compare.xlsx").is_file()
        assert "report.html" in "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                                        for o in c.outputs)
    if name == "researcher_sweep":
        assert len(list((tmp_path / "price_grid_store" / "kpis").glob("*.parquet"))) == 12
