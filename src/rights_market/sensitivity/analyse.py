"""Sensitivity indices from a finished study: per output, per parameter, with bootstrap confidence intervals.

The output of a point is the mean of the KPI column over the point's replications (all points use the same
seeds). Morris (SALib ``analyze.morris``): ``mu`` (mean elementary effect), ``mu_star`` (mean absolute
effect, the screening measure), ``sigma`` (spread: interactions or non-linearity), ``mu_star_conf``
(half-width of the bootstrap interval of ``mu_star``); effects are per whole range of the parameter, in the
output's unit. Sobol (SALib ``analyze.sobol``): ``S1`` (first-order share of the variance), ``ST`` (total
share, interactions included) with ``S1_conf``, ``ST_conf``. The bootstrap draws from the design's seed, so
the same store gives the same indices, byte for byte.

An output missing in some runs (a KPI a run did not record) or constant over all runs gets no indices
(NaN) and a note.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..sweep.design import param_column
from .spec import MorrisMethod, SensitivitySpec

__all__ = ["INDEX_COLUMNS", "Indices", "analyse", "outputs_matrix"]

#: Columns of the indices table per method (after ``output``, ``parameter``).
INDEX_COLUMNS = {
    "morris": ["mu", "mu_star", "mu_star_conf", "sigma"],
    "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
}


@dataclass(frozen=True)
class Indices:
    """The indices (``table``: one row per output × parameter, outputs in design order, parameters in
    design order) and the notes on outputs without indices: output → ``("missing", runs lacking it,
    points)`` or ``("constant", value)``; :meth:`why` says it in English."""

    method: str
    table: pd.DataFrame
    notes: dict[str, tuple] = field(default_factory=dict)

    def why(self, output: str) -> str:
        """Why ``output`` has no indices, in English."""
        note = self.notes[output]
        if note[0] == "missing":
            return f"missing in {note[1]:,} of {note[2]:,} points"
        return f"the same value ({note[1]:g}) in every run"


def outputs_matrix(kpis: pd.DataFrame, spec: SensitivitySpec, n_points: int) -> tuple[np.ndarray, pd.DataFrame]:
    """The rounded design values that were run (points × parameters) and the mean of each output per
    point (a DataFrame, one column per output; NaN where a run lacks it)."""
    rows = kpis.sort_values(["point", "replication"], kind="stable")
    present = [o for o in spec.outputs if o in rows.columns]
    per_point = rows.groupby("point", sort=True)
    y = per_point[present].agg(lambda s: s.mean(skipna=False)) if present else pd.DataFrame(index=range(n_points))
    for o in spec.outputs:
        if o not in y.columns:
            y[o] = np.nan
    x = per_point[[param_column(n) for n in spec.names()]].first().to_numpy(dtype=float)
    return x, y[spec.outputs]


def analyse(kpis: pd.DataFrame, spec: SensitivitySpec, n_points: int) -> Indices:
    """The indices of every output of ``spec`` from the KPI rows of all its runs (every point present)."""
    from .design import problem

    got = sorted(set(kpis["point"].astype(int))) if len(kpis) else []
    if got != list(range(n_points)):
        missing = n_points - len(got)
        raise ValueError(f"the study is not finished: {missing:,} of {n_points:,} points have no runs")
    x, y = outputs_matrix(kpis, spec, n_points)
    prob = problem(spec)
    method = spec.method.type
    bs = spec.bootstrap
    rows: list[dict] = []
    notes: dict[str, tuple] = {}
    for out in spec.outputs:
        v = y[out].to_numpy(dtype=float)
        nan = int(np.isnan(v).sum())
        if nan:
            notes[out] = ("missing", nan, len(v))
        elif np.ptp(v) == 0:
            notes[out] = ("constant", float(v[0]))
        if out in notes:
            rows.extend({"output": out, "parameter": p, **dict.fromkeys(INDEX_COLUMNS[method], np.nan)}
                        for p in prob["names"])
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (FutureWarning, RuntimeWarning))
            if isinstance(spec.method, MorrisMethod):
                from SALib.analyze import morris

                si = morris.analyze(prob, x, v, num_resamples=bs.resamples, conf_level=bs.confidence,
                                    num_levels=spec.method.levels, seed=bs.seed)
            else:
                from SALib.analyze import sobol

                si = sobol.analyze(prob, v, calc_second_order=spec.method.second_order,
                                   num_resamples=bs.resamples, conf_level=bs.confidence, seed=bs.seed)
        for j, p in enumerate(prob["names"]):
            rows.append({"output": out, "parameter": p,
                         **{c: float(np.asarray(si[c])[j]) for c in INDEX_COLUMNS[method]}})
    table = pd.DataFrame(rows, columns=["output", "parameter", *INDEX_COLUMNS[method]])
    return Indices(method, table, notes)
