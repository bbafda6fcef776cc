"""Compiled kernels of :func:`~rights_market.rules.economics.choose_use`: the bisection of mv(q) = mc(q).

Contract. The kernels take the same :data:`~rights_market.rules.economics._STEPS` bisection steps as the
definition — from [0, q_max], the midpoint ``(lo + hi) / 2`` becomes ``lo`` where ``mv(mid) ≥ mc(mid)``,
else ``hi``; use 0 where ``mv(0) < mc(0)`` — and end on the same floats, bit for bit: every value and cost is
the same sequence of IEEE operations as the numpy formulas of ``ValueCurves._marginal_value_fn`` and
``PriceSchedule._cost_fn`` (no fast-math: nothing is reordered or fused), with numpy's NaN rules (``minimum``
propagates NaN, ``fmax`` drops it, ``searchsorted`` sorts it last). The tests check the equality on random
curves and schedules.

The one operation they do not compute is the power of the constant-elasticity curve: numpy's ``power``
(SVML on AVX-512 machines) and the C library's ``pow``, which compiled code calls, differ in the last bit
on a few per cent of arguments. The caller evaluates it with numpy, between kernel calls: for a few
holders, the kernels test ``depth`` bisection steps at a time, on the tree of the ``2**depth − 1``
midpoints those steps could visit (each computed as its step computes it), so that one numpy call evaluates
the power at all of them; the kernel then follows each holder's path down the tree. The linear curve has
no power: its whole solve is one kernel call.

Array layout (float64). ``cols`` holds per-holder constants, one row each (see the ``_C_`` indices):
reference price and use, choke value, satiation, linear slope, plan, surcharge band divisor, whether the
plan has bands (1.0/0.0), holding, market buy and sell prices. ``scal`` holds the schedule's scalars (the
``_S_`` indices). ``edges`` and ``rates`` are the block tariff's upper edges (units) and rates (yuan per unit;
one rate and no edges without a tariff, the rate 0). A tree for ``n`` holders and ``W = 2**depth`` is
``ends`` (n × (W + 1): the brackets' ends, ``ends[:, 0]`` the low and ``ends[:, W]`` the high end of each
holder's current bracket) and ``x`` (n × (W − 1): the power's base ``max(q, 0) / q_ref`` at each midpoint
``ends[:, k]`` in ``x[:, k − 1]``; the caller raises it in place to the power ``1 / elasticity``). ``p0`` is
that power at use 0.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# rows of ``cols``
_C_P_REF, _C_Q_REF, _C_V_MAX, _C_Q_MAX, _C_SLOPE, _C_PLAN, _C_DIVISOR, _C_BANDED = range(8)
_C_HOLDING, _C_P_BUY, _C_P_SELL = 8, 9, 10
N_COLS = 11
# entries of ``scal`` (flags 1.0/0.0)
_S_HAS_SURCHARGE, _S_HAS_MAX_BAND, _S_MAX_BAND, _S_FLAT_BAND, _S_STEP, _S_REFERENCE, _S_WITH_MARKET = range(7)
N_SCAL = 7


@njit(cache=True, inline="always")
def _minimum(a, b):
    # np.minimum: NaN if either is NaN
    if a <= b:
        return a
    if b < a:
        return b
    return a + b


@njit(cache=True, inline="always")
def _capped(out, q, cols, j):
    # mv from the uncapped value: within [0, v_max] (fmax drops NaN), 0 from satiation on
    if not out >= 0.0:
        out = 0.0
    out = _minimum(out, cols[_C_V_MAX, j])
    if q >= cols[_C_Q_MAX, j]:
        return 0.0
    return out


@njit(cache=True, inline="always")
def _tariff(q, edges, rates):
    # rates[edges.searchsorted(q, side="right")]: the first edge above q, NaN above all
    lo, hi = 0, edges.size
    while lo < hi:
        mid = (lo + hi) >> 1
        e = edges[mid]
        if q < e or (e != e and q == q):
            hi = mid
        else:
            lo = mid + 1
    return rates[lo]


@njit(cache=True, inline="always")
def _surcharge(q, cols, j, scal):
    plan = cols[_C_PLAN, j]
    if scal[_S_HAS_SURCHARGE] == 0.0:  # a hard limit: use over the plan must be covered by rights
        return np.inf if q >= plan else 0.0
    over = q - plan
    band = np.floor(over / cols[_C_DIVISOR, j]) + 1.0
    if scal[_S_HAS_MAX_BAND] != 0.0:
        band = _minimum(band, scal[_S_MAX_BAND])
    if cols[_C_BANDED, j] == 0.0:
        band = scal[_S_FLAT_BAND]
    band = band * scal[_S_STEP]
    band = band * scal[_S_REFERENCE]
    return band if over >= 0.0 else 0.0


@njit(cache=True, inline="always")
def _cost(q, cols, j, scal, edges, rates):
    if scal[_S_WITH_MARKET] == 0.0:
        return _tariff(q, edges, rates) + _surcharge(q, cols, j, scal)
    if q < cols[_C_HOLDING, j]:
        market = cols[_C_P_SELL, j]
    else:
        market = _minimum(cols[_C_P_BUY, j], _surcharge(q, cols, j, scal))
    return _tariff(q, edges, rates) + market


@njit(cache=True, inline="always")
def _linear_mv(q, cols, j):
    out = cols[_C_Q_REF, j] - q
    out = out * cols[_C_SLOPE, j]
    out = out + cols[_C_P_REF, j]
    return _capped(out, q, cols, j)


@njit(cache=True)
def solve_linear(cols, scal, edges, rates, steps):
    """Chosen use of holders with linear value curves (see the module docstring), one kernel call."""
    n = cols.shape[1]
    out = np.empty(n)
    for j in range(n):
        if _linear_mv(0.0, cols, j) < _cost(0.0, cols, j, scal, edges, rates):
            out[j] = 0.0
            continue
        lo, hi = 0.0, cols[_C_Q_MAX, j]
        for _ in range(steps):
            mid = lo + hi
            mid = mid / 2.0
            if _linear_mv(mid, cols, j) >= _cost(mid, cols, j, scal, edges, rates):
                lo = mid
            else:
                hi = mid
        out[j] = lo
    return out


@njit(cache=True, inline="always")
def _grow(ends, x, cols, j):
    # the tree's midpoints from the bracket ends[j, 0], ends[j, w] as the steps compute them, level by level
    w = ends.shape[1] - 1
    step = w
    while step > 1:
        h = step >> 1
        for k in range(h, w, step):
            mid = ends[j, k - h] + ends[j, k + h]
            ends[j, k] = mid / 2.0
        step = h
    q_ref = cols[_C_Q_REF, j]
    for k in range(1, w):
        q = ends[j, k]
        x[j, k - 1] = (0.0 if q < 0.0 else q) / q_ref


@njit(cache=True)
def plant_trees(ends, x, cols):
    """The first trees: each holder's bracket [0, q_max], its midpoints and the power's bases there."""
    n, w = ends.shape[0], ends.shape[1] - 1
    for j in range(n):
        ends[j, 0] = 0.0
        ends[j, w] = cols[_C_Q_MAX, j]
        _grow(ends, x, cols, j)


@njit(cache=True)
def descend_trees(ends, x, p0, cols, scal, edges, rates, none, first, last):
    """``depth`` bisection steps of the constant-elasticity solve, ``x`` raised to the power: each holder
    follows its path down its tree to its new bracket, then (unless ``last``) grows the next tree. On the
    ``first`` call, also records in ``none`` the holders for whom the first unit is not worth its cost."""
    n, w = ends.shape[0], ends.shape[1] - 1
    for j in range(n):
        p_ref = cols[_C_P_REF, j]
        if first:
            none[j] = _capped(p0[j] * p_ref, 0.0, cols, j) < _cost(0.0, cols, j, scal, edges, rates)
        a = 0
        half = w >> 1
        while half > 0:
            k = a + half
            q = ends[j, k]
            if _capped(x[j, k - 1] * p_ref, q, cols, j) >= _cost(q, cols, j, scal, edges, rates):
                a = k
            half >>= 1
        lo, hi = ends[j, a], ends[j, a + 1]
        ends[j, 0], ends[j, w] = lo, hi
        if not last:
            _grow(ends, x, cols, j)
