"""The comparison report: ``report.html`` (self-contained), ``report.md`` + ``figures/``, ``compare.xlsx``.

Built from groups of runs (:mod:`rights_market.compare.inputs`) for every right found in their ``kpis``
tables, whatever its metrics: a table of the variants, what differs from the baseline (from the resolved
scenarios in the run manifests), per right a side-by-side table of every indicator (median over all runs
with the band of :func:`rights_market.compare.stats.spread_kind`, change against the baseline), the paired
differences from the baseline seed by seed (:func:`rights_market.compare.stats.paired`), fan charts of the
chosen indicators per year and of their paired differences. The workbook holds the same in long form (one
row per variant and indicator, never wider than a dozen columns), every number with a format by its unit. Rendering
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
from ..report.fan import fan_figure
from ..report.figure_base import svg
from ..report.labels import Labels
from ..report.xlsx import FORMATS_ATTR, INT_FORMAT, SHARE_FORMAT, number_format, workbook_bytes
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
FIGURE_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*_[A-Za-z0-9_.-]+\.(?:svg|png)")
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


def _signed(row: pd.Series, metric: str, unit: str) -> str:
    """A paired difference: its median with a sign and, from two pairs, its band in brackets."""
    def one(v: float) -> str:
        text = _fmt(v, metric, unit)
        return f"+{text}" if not pd.isna(v) and v > 0 else text

    text = one(row["median"])
    if int(row["n"]) > 1:
        text += f" ({one(row['low'])} … {one(row['high'])})"
    return text


def spread_text(L: Labels, ns: Sequence[int]) -> str:
    """What the bands of groups of ``ns`` runs are, in words (each kind once)."""
    kinds = [k for k in ("range", "quantiles") if k in {stats.spread_kind(n) for n in ns}]
    if not kinds:
        return L("cmp.spread.range", min=stats.QUANTILE_MIN_RUNS)
    return "; ".join(L(f"cmp.spread.{k}", min=stats.QUANTILE_MIN_RUNS) for k in kinds)


def _band_label(L: Labels) -> object:
    def label(group: str, n: int) -> str:
        if stats.spread_kind(n) == "quantiles":
            return L("cmp.fig.band", label=group)
        return L("cmp.fig.band_range", label=group, n=n)
    return label


def _with_formats(df: pd.DataFrame, unit_col: str, metric_col: str, value_cols: Sequence[str],
                  extra: Mapping[str, object] | None = None, L: Labels | None = None) -> pd.DataFrame:
    """``df`` with the number formats of ``value_cols`` per row, by the unit (a code, ``yuan/m3``) and values
    of each indicator; with ``L`` the unit column then in words of its language."""
    if df.empty:
        return df
    df = df.copy()
    keys = list(zip(df[metric_col].astype(str), df[unit_col].astype(str), strict=True))
    values: dict[tuple[str, str], list[object]] = {}
    for i, k in enumerate(keys):
        values.setdefault(k, []).extend(df[c].iat[i] for c in value_cols)
    fmt = {k: number_format(k[1], v, k[0]) for k, v in values.items()}
    per_row = [fmt[k] for k in keys]
    if L is not None:
        df[unit_col] = [L.unit(u) for u in df[unit_col].astype(str)]
    df.attrs[FORMATS_ATTR] = {**{c: per_row for c in value_cols}, **(extra or {})}
    return df


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def build_document(groups: Sequence[Group], lang: str = "en", *, title: str | None = None,
                   metrics: Sequence[str] = ()) -> tuple[rb.Document, dict[str, pd.DataFrame]]:
    """The comparison as report blocks, and the tables for the workbook (no file written; number formats
    in each table's ``attrs``)."""
    L = Labels(lang)
    labels = [g.label for g in groups]
    base = groups[0]
    yearly = yearly_table(groups)
    bands = stats.bands(yearly)
    runs = stats.run_level(yearly)
    summ = stats.summary(runs)
    pair = stats.paired(runs, base.label) if len(groups) > 1 else stats.paired(runs.iloc[:0], base.label)
    pair_runs = stats.paired_runs(runs, base.label) if len(groups) > 1 else None
    pair_years = stats.paired_yearly(yearly, base.label) if len(groups) > 1 else None
    spread = spread_text(L, [len(g.runs) for g in groups])
    pair_spread = spread_text(L, [int(n) for n in pair["n"]]) if not pair.empty else spread

    doc = rb.Document(lang, title or L("cmp.title"))
    doc.add(rb.Heading(1, doc.title))
    # variants
    doc.add(rb.Heading(2, L("cmp.section.variants")))
    with_params = any(g.params for g in groups)
    vrows = []
    for i, g in enumerate(groups):
        seeds = sorted({s for _, _, s in g.runs})
        seed_text = ", ".join(str(s) for s in seeds[:3]) + (" …" if len(seeds) > 3 else "")
        row = [L("cmp.baseline", label=g.label) if i == 0 else g.label, g.source, g.scenario_name,
               g.scenario_hash[:8], rb.fmt_int(len(g.runs)), seed_text]
        vrows.append(row + ([_params_text(g)] if with_params else []))
    vcols = [L("cmp.col.variant"), L("cmp.col.source"), L("cmp.col.scenario"), L("cmp.col.hash"),
             L("cmp.col.runs"), L("cmp.col.seeds")] + ([L("cmp.col.parameters")] if with_params else [])
    doc.add(rb.TableBlock("", vcols, vrows, ["l", "l", "l", "l", "r", "l"] + (["l"] if with_params else [])))
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
            base_row = s[(s["metric"] == m) & (s["group"] == base.label)]
            base_med = float(base_row["median"].iloc[0]) if len(base_row) else float("nan")
            for i, label in enumerate(labels):
                r = s[(s["metric"] == m) & (s["group"] == label)]
                cells.append(_cell(r.iloc[0], m, unit) if len(r) else "—")
                ch = None
                if i > 0:
                    med = float(r["median"].iloc[0]) if len(r) else float("nan")
                    ch = stats.relative_change(med, base_med)
                    cells.append(f"{ch:+.1%}" if ch is not None else "—")
                if len(r):
                    sheet_rows.append({
                        L("cmp.col.variant"): label, L("cmp.col.metric"): L.metric(m), "metric": m,
                        L("cmp.col.unit"): unit, L("cmp.col.runs"): int(r["n"].iloc[0]),
                        L("cmp.col.median"): float(r["median"].iloc[0]), L("cmp.col.low"): float(r["low"].iloc[0]),
                        L("cmp.col.high"): float(r["high"].iloc[0]), L("cmp.col.change", label=""): ch})
            rows.append(cells)
        align = ["l", "l"] + ["r"] * (len(cols) - 2)
        doc.add(rb.TableBlock("", cols, rows, align, note=L("cmp.table.note", spread=spread)))
        for g in groups[1:]:
            if stats.revenue_only(summ, base.label, g.label, right):
                doc.add(rb.Para(L("cmp.revenue_only", label=g.label, tol=f"{stats.REVENUE_ONLY_TOLERANCE:.1%}",
                                  metrics=", ".join(L.metric(m) for m in stats.BEHAVIOUR_METRICS[right][:5])), "note"))
        sheet = pd.DataFrame(sheet_rows).rename(columns={L("cmp.col.change", label=""): L("cmp.col.change",
                                                                                           label="").strip()})
        sheets[L("cmp.sheet.kpis", right=L.right(right))] = _with_formats(
            sheet, L("cmp.col.unit"), "metric", [L("cmp.col.median"), L("cmp.col.low"), L("cmp.col.high")],
            {L("cmp.col.runs"): INT_FORMAT, L("cmp.col.change", label="").strip(): SHARE_FORMAT}, L)

        p = pair[pair["right"] == right]
        if len(groups) > 1:
            doc.add(rb.Heading(3, L("cmp.table.paired")))
            if p.empty:
                doc.add(rb.Para(L("cmp.paired.none"), "empty"))
            else:
                pcols = [L("cmp.col.metric"), L("cmp.col.unit")] + labels[1:]
                prow = []
                for m in metric_list:
                    unit = units.get(m, "")
                    cells = [L.metric(m), L.unit(unit)]
                    for label in labels[1:]:
                        r = p[(p["metric"] == m) & (p["group"] == label)]
                        cells.append(_signed(r.iloc[0], m, unit) if len(r) and int(r["n"].iloc[0]) else "—")
                    prow.append(cells)
                doc.add(rb.TableBlock("", pcols, prow, ["l", "l"] + ["r"] * (len(pcols) - 2),
                                      note=L("cmp.table.paired_note", spread=pair_spread)))

        doc.add(rb.Heading(3, L("section.figures")))
        if len(labels) > MAX_FIGURE_GROUPS:
            doc.add(rb.Para(L("cmp.fig.more", shown=MAX_FIGURE_GROUPS, total=len(labels)), "note"))
        b = bands[bands["right"] == right]
        for m in figure_metrics(right, metric_list, metrics):
            bm = b[b["metric"] == m]
            image = svg(fan_figure(bm, fig_groups, L=L, metric=m, unit=units.get(m, ""), band_key="cmp.fig.band",
                             title=L.metric(m), band_label=_band_label(L)))
            if image is not None:
                stem = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{right}_{m}")  # a file name on every system
                doc.add(rb.FigureBlock(stem, image, L("cmp.fig.caption", metric=L.metric(m), spread=spread)))
            if pair_years is None:
                continue
            pm = pair_years[(pair_years["right"] == right) & (pair_years["metric"] == m)]
            image = svg(fan_figure(pm, fig_groups[1:], L=L, metric=m, unit=units.get(m, ""), band_key="cmp.fig.band",
                             title=L("cmp.fig.paired_title", metric=L.metric(m)), band_label=_band_label(L),
                             first_style=1, zero_line=True))
            if image is not None:
                stem = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{right}_{m}_paired")
                doc.add(rb.FigureBlock(stem, image, L("cmp.fig.paired_caption", metric=L.metric(m),
                                                    spread=pair_spread)))

    doc.add(rb.Heading(2, L("cmp.section.how_to_read")))
    for key in ("cmp.howto.intro", "cmp.howto.seeds", "cmp.howto.median", "cmp.howto.change", "howto.units"):
        doc.add(rb.Para(L(key, spread=spread)))
    doc.add(rb.Para(L("cmp.generated_by", version=__version__), "note"))
    return doc, _book(L, groups, change_rows, sheets, bands, runs, pair, pair_runs)


def _params_text(g: Group) -> str:
    """The full parameter values of a sweep point: ``water.pricing.x=1.0, ...``."""
    return ", ".join(f"{k}={v}" for k, v in g.params.items())


def _book(L: Labels, groups: Sequence[Group], change_rows: list[dict], sheets: dict[str, pd.DataFrame],
          bands: pd.DataFrame, runs: pd.DataFrame, pair: pd.DataFrame,
          pair_runs: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """The workbook's tables, every one in long form with its number formats."""
    with_params = any(g.params for g in groups)
    variants = pd.DataFrame([{L("cmp.col.variant"): g.label, **({L("cmp.col.parameters"): _params_text(g)}
                                                                 if with_params else {}),
                              L("cmp.col.source"): g.source, L("cmp.col.scenario"): g.scenario_name,
                              L("cmp.col.hash"): g.scenario_hash, L("cmp.col.runs"): len(g.runs),
                              L("cmp.col.seeds"): ", ".join(str(s) for _, _, s in g.runs)} for g in groups])
    variants.attrs[FORMATS_ATTR] = {L("cmp.col.runs"): INT_FORMAT}
    book = {L("cmp.sheet.variants"): variants}
    if change_rows:
        book[L("cmp.sheet.changes")] = pd.DataFrame(change_rows).rename(columns={
            "variant": L("cmp.col.variant"), "path": L("cmp.col.path"), "baseline": L("cmp.col.base_value"),
            "value": L("cmp.col.value")})
    book.update(sheets)
    stat_cols = {"group": L("cmp.col.variant"), "right": L("cmp.col.right"), "year": L("cmp.col.year"),
                 "n": L("cmp.col.runs"), "median": L("cmp.col.median"), "low": L("cmp.col.low"),
                 "high": L("cmp.col.high"), "unit": L("cmp.col.unit")}
    if not pair.empty:
        book[L("cmp.sheet.paired")] = _with_formats(pair.rename(columns=stat_cols), L("cmp.col.unit"), "metric",
                                                    [L("cmp.col.median"), L("cmp.col.low"), L("cmp.col.high")],
                                                    {L("cmp.col.runs"): INT_FORMAT}, L)
    if pair_runs is not None and not pair_runs.empty:
        book[L("cmp.sheet.paired_runs")] = _with_formats(pair_runs.rename(columns={
            "group": L("cmp.col.variant"), "seed": L("cmp.col.seed"), "right": L("cmp.col.right"),
            "unit": L("cmp.col.unit"), "base_value": L("cmp.col.base_value"), "value": L("cmp.col.value"),
            "difference": L("cmp.col.difference")}), L("cmp.col.unit"), "metric",
            [L("cmp.col.base_value"), L("cmp.col.value"), L("cmp.col.difference")], L=L)
    book[L("cmp.sheet.yearly")] = _with_formats(bands.rename(columns=stat_cols), L("cmp.col.unit"), "metric",
                                                [L("cmp.col.median"), L("cmp.col.low"), L("cmp.col.high")],
                                                {L("cmp.col.runs"): INT_FORMAT}, L)
    book[L("cmp.sheet.runs")] = _with_formats(runs.rename(columns={
        "group": L("cmp.col.variant"), "replication": L("cmp.col.replication"), "seed": L("cmp.col.seed"),
        "right": L("cmp.col.right"), "unit": L("cmp.col.unit"), "mean": L("cmp.col.mean"),
        "last": L("cmp.col.last")}), L("cmp.col.unit"), "metric", [L("cmp.col.mean"), L("cmp.col.last")], L=L)
    return book


def build_comparison(groups: Sequence[Group], out_dir: Path, lang: str = "en", *, title: str | None = None,
                     metrics: Sequence[str] = (), xlsx_name: str = "compare.xlsx") -> dict[str, Path]:
    """Write ``report.html``, ``report.md``, ``figures/*.svg`` and the workbook into ``out_dir`` (in Chinese
    ``report.zh.html``, ``report.zh.md``, ``figures/*.zh.svg`` and ``compare.zh.xlsx``: side by side).

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

    def write_documents(rel: dict[str, str], svgs: dict[str, str]) -> dict[str, Path]:
        write_atomic(md, rb.render_markdown(doc, rel).encode("utf-8"))
        write_atomic(html, rb.render_html(doc, svgs).encode("utf-8"))
        write_atomic(out_dir / xlsx_name, workbook_bytes(list(book.items())))
        return {"md": md, "html": html, "xlsx": out_dir / xlsx_name}

    figures = [b for b in doc.blocks if isinstance(b, rb.FigureBlock)]
    pattern, record = rb.for_language(figures, FIGURE_FILE, FIGURE_RECORD, lang)
    return rb.write_with_figures(out_dir, figures, write_documents, pattern=pattern, record=record)
