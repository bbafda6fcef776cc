"""The comparison report: ``report.html`` (self-contained), ``report.md`` + ``figures/``, ``compare.xlsx``.

Built from groups of runs (:mod:`rights_market.compare.inputs`) for every right found in their ``kpis``
tables, whatever its metrics: a table of the variants, what differs from the baseline (from the resolved
scenarios in the run manifests), per right a side-by-side table of every indicator (median over runs with
the 5–95 % range, change against the baseline) and fan charts of the chosen indicators per year. Rendering
reuses the blocks and renderers of the run report (:mod:`rights_market.report.build`), so both look alike
and are written the same way (atomically, figures embedded in the HTML).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from .. import __version__
from ..atomic import write_atomic
from ..report import build as rb
from ..report import figures as figs
from ..report.fan import fan_figure
from ..report.labels import Labels
from ..report.xlsx import workbook_bytes
from ..sweep.summary import yearly_kpis
from . import stats
from .inputs import Group

__all__ = ["DEFAULT_FIGURE_METRICS", "MAX_FIGURE_GROUPS", "build_comparison", "figure_metrics", "yearly_table"]

#: Indicators drawn by default, per right; a right not listed gets its first ``FALLBACK_FIGURES`` metrics.
#: The fiscal account (recorded by every run) is drawn by its net flow only: what a pricing rule takes in
#: or pays out in a year is the figure a variant changes; its balance adds the opening money of the run
#: and its trend repeats the net flow. The balance stays in the fiscal account's table.
DEFAULT_FIGURE_METRICS: Mapping[str, tuple[str, ...]] = {
    "water": ("mean_price", "traded_volume", "efficiency", "surcharge_revenue", "reserve_stock", "use"),
    "fiscal": ("fiscal_net_flow",),
}
FALLBACK_FIGURES = 6
MAX_FIGURE_GROUPS = 8
MAX_CHANGES_SHOWN = 15
#: Names of the figure files the comparison writes (``<right>_<metric>``, made safe for a file name, see
#: :func:`build_document`). Only files named so, and written by an earlier comparison, are ever removed.
FIGURE_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*_[A-Za-z0-9_.-]+\.png")
#: The comparison's record of the figure files it wrote (a JSON list of names in ``figures/``).
FIGURE_RECORD = ".compare-figures.json"


def yearly_table(groups: Sequence[Group]) -> pd.DataFrame:
    """KPIs per year of every run of every group: group, replication, seed, right, metric, unit, year, value."""
    frames = []
    for g in groups:
        for run_dir, rep, seed in g.runs:
            path = Path(run_dir) / "kpis.parquet"
            if not path.is_file():
                continue
            y = yearly_kpis(pd.read_parquet(path))
            y.insert(0, "seed", seed)
            y.insert(0, "replication", rep)
            y.insert(0, "group", g.label)
            frames.append(y)
    if not frames:
        return pd.DataFrame(columns=["group", "replication", "seed", "right", "metric", "unit", "year", "value"])
    return pd.concat(frames, ignore_index=True)


def _metric_order(metrics: Sequence[str]) -> list[str]:
    order = [m for m in rb.METRIC_ORDER if m in metrics]
    bands = sorted((m for m in metrics if m.startswith(rb.BAND_METRIC_PREFIX)),
                   key=lambda m: (len(m), m))
    return order + bands + sorted(m for m in metrics if m not in order and m not in bands)


def _picked(right: str, present: Sequence[str], chosen: Sequence[str]) -> list[str]:
    picked = [c.split(".", 1)[1] if c.startswith(f"{right}.") else c for c in chosen
              if c.startswith(f"{right}.") or "." not in c]
    return [m for m in picked if m in present]


def figure_metrics(right: str, present: Sequence[str], chosen: Sequence[str] = ()) -> list[str]:
    """Indicators to draw for ``right``: with ``chosen`` (``right.metric`` or ``metric``), those of them the
    right has, and nothing else (a right none of them names gets no figure); without, the right's defaults
    that are present, else its first metrics."""
    if chosen:
        return _picked(right, present, chosen)
    defaults = [m for m in DEFAULT_FIGURE_METRICS.get(right, ()) if m in present]
    return defaults or _metric_order(present)[:FALLBACK_FIGURES]


def _fmt(value: float, metric: str, unit: str) -> str:
    if pd.isna(value):
        return "—"
    whole = float(value).is_integer() and not unit.startswith("yuan")
    return rb.fmt_kpi(value, metric, unit, whole=whole)


def _cell(row: pd.Series, metric: str, unit: str) -> str:
    text = _fmt(row["median"], metric, unit)
    if int(row["n"]) > 1:
        text += f" ({_fmt(row['low'], metric, unit)}–{_fmt(row['high'], metric, unit)})"
    return text


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def build_document(groups: Sequence[Group], lang: str = "en", *, title: str | None = None,
                   metrics: Sequence[str] = ()) -> tuple[rb.Document, dict[str, pd.DataFrame]]:
    """The comparison as report blocks, and the tables for the workbook (no file written)."""
    L = Labels(lang)
    FL = Labels(figs.figure_language(lang))
    labels = [g.label for g in groups]
    base = groups[0]
    yearly = yearly_table(groups)
    bands = stats.bands(yearly)
    runs = stats.run_level(yearly)
    summ = stats.summary(runs)

    doc = rb.Document(lang, title or L("cmp.title"))
    doc.add(rb.Heading(1, doc.title))
    # variants
    doc.add(rb.Heading(2, L("cmp.section.variants")))
    vrows = []
    for i, g in enumerate(groups):
        seeds = sorted({s for _, _, s in g.runs})
        seed_text = ", ".join(str(s) for s in seeds[:3]) + (" …" if len(seeds) > 3 else "")
        vrows.append([L("cmp.baseline", label=g.label) if i == 0 else g.label, g.source, g.scenario_name,
                      g.scenario_hash[:8], rb.fmt_int(len(g.runs)), seed_text])
    doc.add(rb.TableBlock("", [L("cmp.col.variant"), L("cmp.col.source"), L("cmp.col.scenario"),
                               L("cmp.col.hash"), L("cmp.col.runs"), L("cmp.col.seeds")],
                          vrows, ["l", "l", "l", "l", "r", "l"]))
    # differences
    change_rows = []
    if len(groups) > 1:
        doc.add(rb.Heading(2, L("cmp.section.changes")))
        for g in groups[1:]:
            changes = stats.scenario_changes(base.scenario, g.scenario)
            change_rows += [{"variant": g.label, "path": p, "baseline": str(a), "value": str(b)}
                            for p, a, b in changes]
            if not changes:
                doc.add(rb.Para(L("cmp.changes.none", label=g.label)))
                continue
            items = [L("cmp.changes.item", path=p, base=_short(a), value=_short(b))
                     for p, a, b in changes[:MAX_CHANGES_SHOWN]]
            if len(changes) > MAX_CHANGES_SHOWN:
                items.append(L("cmp.changes.more", more=len(changes) - MAX_CHANGES_SHOWN))
            doc.add(rb.Para(L("cmp.changes.head", label=g.label)), rb.Bullets(items))

    rights = [r for r in rb.RIGHT_ORDER if r in set(summ["right"])] + sorted(set(summ["right"]) - set(rb.RIGHT_ORDER))
    if metrics and not any(_picked(r, list(summ.loc[summ["right"] == r, "metric"]), metrics) for r in rights):
        metrics = ()  # none of the chosen indicators was recorded: draw the defaults rather than nothing
    sheets: dict[str, pd.DataFrame] = {}
    fig_groups = labels[:MAX_FIGURE_GROUPS]
    for right in rights:
        doc.add(rb.Heading(2, L("section.right", right=L.right(right))))
        s = summ[summ["right"] == right]
        metric_list = _metric_order(list(dict.fromkeys(s["metric"])))
        units = dict(zip(s["metric"], s["unit"], strict=False))
        doc.add(rb.Heading(3, L("cmp.table.kpis")))
        if not metric_list:
            doc.add(rb.Para(L("cmp.empty.kpis"), "empty"))
            continue
        cols = [L("cmp.col.metric"), L("cmp.col.unit")]
        for i, label in enumerate(labels):
            cols.append(L("cmp.baseline", label=label) if i == 0 else label)
            if i > 0:
                cols.append(L("cmp.col.change", label=label))
        rows, sheet_rows = [], []
        for m in metric_list:
            unit = units.get(m, "")
            cells = [L.metric(m), L.unit(unit)]
            sheet = {L("cmp.col.metric"): L.metric(m), "metric": m, L("cmp.col.unit"): unit}
            base_row = s[(s["metric"] == m) & (s["group"] == base.label)]
            base_med = float(base_row["median"].iloc[0]) if len(base_row) else float("nan")
            for i, label in enumerate(labels):
                r = s[(s["metric"] == m) & (s["group"] == label)]
                cells.append(_cell(r.iloc[0], m, unit) if len(r) else "—")
                med = float(r["median"].iloc[0]) if len(r) else float("nan")
                sheet[f"{label} {L('cmp.col.median')}"] = med
                if len(r) and int(r["n"].iloc[0]) > 1:
                    sheet[f"{label} {L('cmp.col.low')}"] = float(r["low"].iloc[0])
                    sheet[f"{label} {L('cmp.col.high')}"] = float(r["high"].iloc[0])
                if i > 0:
                    ch = stats.relative_change(med, base_med)
                    cells.append(f"{ch:+.1%}" if ch is not None else "—")
                    sheet[L("cmp.col.change", label=label)] = ch
            rows.append(cells)
            sheet_rows.append(sheet)
        align = ["l", "l"] + ["r"] * (len(cols) - 2)
        doc.add(rb.TableBlock("", cols, rows, align, note=L("cmp.table.note")))
        for g in groups[1:]:
            if stats.revenue_only(summ, base.label, g.label, right):
                doc.add(rb.Para(L("cmp.revenue_only", label=g.label, tol=f"{stats.REVENUE_ONLY_TOLERANCE:.1%}",
                                  metrics=", ".join(L.metric(m) for m in stats.BEHAVIOUR_METRICS[right][:5])), "note"))
        sheets[L("cmp.sheet.kpis", right=L.right(right))] = pd.DataFrame(sheet_rows)

        doc.add(rb.Heading(3, L("section.figures")))
        if FL.lang != lang:
            doc.add(rb.Para(L("fig.font_note"), "note"))
        if len(labels) > MAX_FIGURE_GROUPS:
            doc.add(rb.Para(L("cmp.fig.more", shown=MAX_FIGURE_GROUPS, total=len(labels)), "note"))
        b = bands[bands["right"] == right]
        for m in figure_metrics(right, metric_list, metrics):
            bm = b[b["metric"] == m]
            png = fan_figure(bm, fig_groups, L=FL, metric=m, unit=units.get(m, ""), band_key="cmp.fig.band",
                             title=FL.metric(m))
            if png is not None:
                stem = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{right}_{m}")  # a file name on every system
                doc.add(rb.FigureBlock(stem, png, L("cmp.fig.caption", metric=L.metric(m))))

    doc.add(rb.Heading(2, L("cmp.section.how_to_read")))
    for key in ("cmp.howto.intro", "cmp.howto.seeds", "cmp.howto.median", "cmp.howto.change", "howto.units"):
        doc.add(rb.Para(L(key)))
    doc.add(rb.Para(L("cmp.generated_by", version=__version__), "note"))

    variants = pd.DataFrame([dict(zip([L("cmp.col.variant"), L("cmp.col.source"), L("cmp.col.scenario"),
                                       L("cmp.col.hash"), L("cmp.col.runs"), L("cmp.col.seeds")],
                                      [g.label, g.source, g.scenario_name, g.scenario_hash, len(g.runs),
                                       ", ".join(str(s) for _, _, s in g.runs)], strict=True)) for g in groups])
    book = {L("cmp.sheet.variants"): variants}
    if change_rows:
        book[L("cmp.sheet.changes")] = pd.DataFrame(change_rows).rename(columns={
            "variant": L("cmp.col.variant"), "path": L("cmp.col.path"), "baseline": L("cmp.col.base_value"),
            "value": L("cmp.col.value")})
    book.update(sheets)
    book[L("cmp.sheet.yearly")] = bands.rename(columns={
        "group": L("cmp.col.variant"), "right": L("cmp.col.right"), "year": L("cmp.col.year"),
        "n": L("cmp.col.runs"), "median": L("cmp.col.median"), "low": L("cmp.col.low"), "high": L("cmp.col.high")})
    book[L("cmp.sheet.runs")] = runs.rename(columns={
        "group": L("cmp.col.variant"), "replication": L("cmp.col.replication"), "seed": L("cmp.col.seed"),
        "right": L("cmp.col.right"), "mean": L("cmp.col.mean"), "last": L("cmp.col.last")})
    return doc, book


def build_comparison(groups: Sequence[Group], out_dir: Path, lang: str = "en", *, title: str | None = None,
                     metrics: Sequence[str] = (), xlsx_name: str = "compare.xlsx") -> dict[str, Path]:
    """Write ``report.html``, ``report.md``, ``figures/*.png`` and the workbook into ``out_dir`` (in Chinese
    ``report.zh.html``, ``report.zh.md``, ``figures/*.zh.png`` and ``compare.zh.xlsx``: side by side).

    Figures an earlier comparison wrote into ``out_dir/figures`` that this one does not draw (an indicator
    or a right no longer compared) are removed once the new report is in place, like those of the run report
    (:func:`rights_market.report.build.write_with_figures`, record ``figures/.compare-figures.json``); other
    files in ``figures/`` are left alone.

    Returns the paths written: ``html``, ``md``, ``xlsx`` and ``figure:<stem>`` per figure.
    """
    Labels(lang)
    out_dir = Path(out_dir)
    doc, book = build_document(groups, lang, title=title, metrics=metrics)

    from ..lang import report_file

    md, html = out_dir / report_file("report.md", lang), out_dir / report_file("report.html", lang)
    xlsx_name = report_file(xlsx_name, lang)  # in Chinese compare.zh.xlsx: side by side with the English

    def write_documents(rel: dict[str, str], pngs: dict[str, bytes]) -> dict[str, Path]:
        write_atomic(md, rb.render_markdown(doc, rel).encode("utf-8"))
        write_atomic(html, rb.render_html(doc, pngs).encode("utf-8"))
        write_atomic(out_dir / xlsx_name, workbook_bytes(list(book.items())))
        return {"md": md, "html": html, "xlsx": out_dir / xlsx_name}

    figures = [b for b in doc.blocks if isinstance(b, rb.FigureBlock)]
    pattern, record = rb.for_language(figures, FIGURE_FILE, FIGURE_RECORD, lang)
    return rb.write_with_figures(out_dir, figures, write_documents, pattern=pattern, record=record)
