"""The sensitivity report of a store: ``sensitivity.md`` + ``figures/``, ``sensitivity.html`` (figures
embedded) and ``sensitivity.csv`` (the indices), in English or Chinese (labels ``sens.*``).

Per output: a tornado chart (parameters as horizontal bars, the most influential at the top, whiskers the
bootstrap interval; Morris ``mu_star``, Sobol ``S1`` and ``ST`` side by side) and the table of indices.
Every file is written atomically into the store (:func:`rights_market.report.figure_files.write_with_figures`,
own figure record), like the study report; a rebuild removes only figures an earlier sensitivity report
wrote.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..atomic import write_atomic
from ..report import build as rb
from ..report.chart import Axis, Chart, HBars, Panel
from ..report.figure_base import svg
from ..report.labels import Labels
from .analyse import Indices
from .spec import DUMMY, SensitivitySpec

__all__ = ["FIGURE_FILE", "build_sensitivity_report", "output_label"]

#: Figure files of the sensitivity report (``sensitivity_<output>.svg``; ``.png`` before the figures were SVG);
#: only these are ever removed.
FIGURE_FILE = re.compile(r"sensitivity_[A-Za-z0-9_.-]+\.(?:svg|png)")
FIGURE_RECORD = ".sensitivity-figures.json"
CSV = "sensitivity.csv"


def output_label(L: Labels, output: str) -> str:
    """An output column in words: ``water.mean_price`` → "Water rights: Mean price" (last year marked)."""
    parts = output.split(".")
    text = L("sens.output", right=L.right(parts[0]), metric=L.metric(parts[1]))
    return L("sens.output_last", output=text) if len(parts) == 3 else text


def _param_label(L: Labels, name: str) -> str:
    return L("sens.dummy") if name == DUMMY else name


def _tornado(L: Labels, indices: Indices, output: str, unit: str) -> Chart:
    """Horizontal bars per parameter, the largest at the top, with their bootstrap whiskers."""
    t = indices.table[indices.table["output"] == output]
    key = "mu_star" if indices.method == "morris" else "ST"
    t = t.sort_values(key, ascending=False, kind="stable")
    names = tuple(_param_label(L, p) for p in t["parameter"])
    ypos = tuple(float(i) for i in range(len(t)))

    def col(name: str) -> tuple[float, ...]:
        return tuple(float(v) for v in t[name])

    if indices.method == "morris":
        bars = (HBars(ypos, col("mu_star"), "#4c72b0", 0.8, col("mu_star_conf"), L("sens.mu_star")),)
        xlabel = L("sens.axis_morris", unit=L.unit(unit)) if unit else L("sens.mu_star")
    else:
        h = 0.4
        bars = (HBars(tuple(y - h / 2 for y in ypos), col("ST"), "#4c72b0", h, col("ST_conf"), L("sens.st")),
                HBars(tuple(y + h / 2 for y in ypos), col("S1"), "#dd8452", h, col("S1_conf"), L("sens.s1")))
        xlabel = L("sens.axis_sobol")
    panel = Panel(bars, x=Axis(xlabel, "number"), y=Axis("", "category", categories=names))
    return Chart((panel,), output_label(L, output), height=max(240.0, 90.0 + 32.0 * len(t)) + 40.0)


def _fmt(v: float) -> str:
    return "–" if not np.isfinite(v) else f"{v:,.4g}"


def _units(store_path: Path, outputs: list[str]) -> dict[str, str]:
    """The unit of each output, from the first run's KPI table (empty when unknown)."""
    runs = sorted((store_path / "runs").glob("p*/kpis.parquet"))
    if not runs:
        return {}
    k = pd.read_parquet(runs[0], columns=["right", "metric", "unit"]).drop_duplicates(["right", "metric"])
    units = {f"{r}.{m}": str(u) for r, m, u in k.itertuples(index=False)}
    return {o: units.get(".".join(o.split(".")[:2]), "") for o in outputs}


def build_sensitivity_report(store_path: Path, spec: SensitivitySpec, indices: Indices, runs: int,
                             lang: str = "en") -> dict[str, Path]:
    """Write the report of ``indices`` into the store at ``store_path``; returns the paths written
    (``csv``, ``md``, ``html``, ``figure:<stem>``)."""
    L = Labels(lang)
    store_path = Path(store_path)
    units = _units(store_path, spec.outputs)
    doc = rb.Document(lang, L("sens.title", name=spec.name))
    method = L(f"sens.method.{indices.method}")
    m = spec.method
    size = (L("sens.size_morris", trajectories=m.trajectories, levels=m.levels) if indices.method == "morris"
            else L("sens.size_sobol", n=m.n))
    doc.add(rb.KeyValues([
        (L("sens.kv.method"), f"{method} ({size})"),
        (L("sens.kv.scenario"), spec.scenario),
        (L("sens.kv.parameters"), str(len(spec.names()))),
        (L("sens.kv.runs"), f"{runs:,}"),
        (L("sens.kv.replications"), str(spec.seeds.replications)),
        (L("sens.kv.bootstrap"), L("sens.bootstrap", resamples=spec.bootstrap.resamples,
                                   confidence=f"{spec.bootstrap.confidence:.0%}")),
    ], L("header.sep")))
    cols = ["mu_star", "mu_star_conf", "mu", "sigma"] if indices.method == "morris" else ["S1", "S1_conf", "ST", "ST_conf"]
    key = cols[0] if indices.method == "morris" else "ST"
    for out in spec.outputs:
        doc.add(rb.Heading(2, output_label(L, out)))
        if out in indices.notes:
            note = indices.notes[out]
            why = (L("sens.note.missing", runs=f"{note[1]:,}", points=f"{note[2]:,}") if note[0] == "missing"
                   else L("sens.note.constant", value=f"{note[1]:,.6g}"))
            doc.add(rb.Para(why, "empty"))
            continue
        stem = "sensitivity_" + re.sub(r"[^A-Za-z0-9_.-]", "_", out)
        doc.add(rb.FigureBlock(stem, svg(_tornado(L, indices, out, units.get(out, ""))), output_label(L, out)))
        t = indices.table[indices.table["output"] == out].sort_values(key, ascending=False, kind="stable")
        doc.add(rb.TableBlock(
            output_label(L, out), [L("sens.col.parameter"), *[L(f"sens.col.{c}") for c in cols]],
            [[_param_label(L, p), *[_fmt(v) for v in row]] for p, *row in t[["parameter", *cols]].itertuples(index=False)],
            ["l", *["r"] * len(cols)]))
    doc.add(rb.Heading(2, L("sens.section.how_to_read")))
    doc.add(rb.Para(L(f"sens.howto.{indices.method}")))
    if spec.dummy:
        doc.add(rb.Para(L("sens.howto.dummy")))
    doc.add(rb.Para(L("sens.generated_by", version=__version__), "note"))

    def write_documents(rel: dict[str, str], svgs: dict[str, str]) -> dict[str, Path]:
        write_atomic(store_path / CSV, indices.table.to_csv(index=False, float_format="%.6g").encode("utf-8"))
        write_atomic(store_path / "sensitivity.md", rb.render_markdown(doc, rel).encode("utf-8"))
        write_atomic(store_path / "sensitivity.html", rb.render_html(doc, svgs).encode("utf-8"))
        return {"csv": store_path / CSV, "md": store_path / "sensitivity.md",
                "html": store_path / "sensitivity.html"}

    figures = [b for b in doc.blocks if isinstance(b, rb.FigureBlock)]
    return rb.write_with_figures(store_path, figures, write_documents, pattern=FIGURE_FILE, record=FIGURE_RECORD)
