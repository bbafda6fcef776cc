"""The competitive equilibrium of induced unit values and costs (rule X1: the teaching market's benchmark)."""

from __future__ import annotations

import numpy as np


def competitive_equilibrium(values: np.ndarray, costs: np.ndarray) -> tuple[int, int | None, int | None]:
    """Competitive quantity and price range of unit values and costs (ticks): ``(q0, p_low, p_high)``.

    Units sorted by value (descending) and cost (ascending) trade while value ≥ cost: ``q0`` of them. Every price
    in ``[max(c_q0, v_q0+1), min(v_q0, c_q0+1)]`` clears the market (missing neighbours impose no bound). With no
    trade possible the range is ``(None, None)``.
    """
    v = np.sort(np.asarray(values, dtype=np.int64))[::-1]
    c = np.sort(np.asarray(costs, dtype=np.int64))
    k = min(v.size, c.size)
    q0 = int(np.count_nonzero(v[:k] >= c[:k]))
    if q0 == 0:
        return 0, None, None
    low = int(c[q0 - 1]) if q0 >= v.size else max(int(c[q0 - 1]), int(v[q0]))
    high = int(v[q0 - 1]) if q0 >= c.size else min(int(v[q0 - 1]), int(c[q0]))
    return q0, low, high

