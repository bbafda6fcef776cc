"""Directed transfer (定向出让 / 定向协商购买): a designated buyer at a negotiated price within set bounds.

Mechanism of rule X1: forest rights may be sold by directed transfer (F5), major state or regional projects may
buy emission rights by directed negotiation (E4). Pure and vectorised over deals; knows no right. Prices are
integer **ticks** (0.0001 yuan per base unit), quantities integer **base units**.

* :func:`check_directed` — deals whose price was agreed elsewhere: each is accepted or rejected with a reason:
  ``non_positive`` (quantity or price ≤ 0), ``not_designated`` (the buyer is not the designated buyer — the
  policy's designation hook, a callable or a boolean mask over account ids), ``self_trade`` (the buyer is the
  deal's seller, when ``sellers`` are passed), ``outside_bounds`` (price outside
  the set bounds ``[min, max]``, both inclusive).
* :func:`negotiate_directed` — the price the two sides agree on inside the bounds: the generalised Nash split
  (:func:`~.negotiation.nash_prices`, seller's bargaining power and noise) of the interval where the buyer's value,
  the seller's cost and the bounds overlap, ``[max(cost, min), min(value, max)]``. If value < cost there is no
  deal (``no_agreement``); if the gains exist but the bounds leave no overlap, ``outside_bounds``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .auction import Eligibility, is_eligible
from .negotiation import nash_prices, self_pairs

__all__ = ["DirectedResult", "check_directed", "negotiate_directed"]


@dataclass(frozen=True)
class DirectedResult:
    """Per deal: ``accepted`` (bool), ``price`` (ticks; −1 where rejected) and ``reason`` (``""`` where
    accepted). Arrays in input order."""

    accepted: np.ndarray
    price: np.ndarray
    reason: np.ndarray


def _designated(buyers: np.ndarray, designated: Eligibility) -> np.ndarray:
    if designated is None:
        return np.ones(buyers.size, dtype=bool)
    if isinstance(designated, np.ndarray):
        ok = (buyers >= 0) & (buyers < designated.size)
        out = np.zeros(buyers.size, dtype=bool)
        out[ok] = designated[buyers[ok]].astype(bool)
        return out
    return np.array([is_eligible(designated, int(b)) for b in buyers.tolist()], dtype=bool)


def check_directed(buyers: np.ndarray, quantities: np.ndarray, prices: np.ndarray, lo: int | np.ndarray,
                   hi: int | np.ndarray, designated: Eligibility = None,
                   sellers: np.ndarray | None = None) -> DirectedResult:
    """Accept or reject directed deals (rule X1 mechanism; reasons in the module docstring).

    ``lo``/``hi``: the bounds in ticks, scalars or one per deal (``lo <= hi`` required). ``designated``: which
    account ids are designated buyers (``None``: the caller already paired each deal with its designated buyer).
    ``sellers``: the seller account of each deal (or one for all); a deal with itself is ``self_trade``.
    """
    b = np.asarray(buyers, dtype=np.int64)
    q = np.asarray(quantities, dtype=np.int64)
    p = np.asarray(prices, dtype=np.int64)
    lo_a = np.broadcast_to(np.asarray(lo, dtype=np.int64), b.shape)
    hi_a = np.broadcast_to(np.asarray(hi, dtype=np.int64), b.shape)
    if q.shape != b.shape or p.shape != b.shape:
        raise ValueError("buyers, quantities and prices must have the same length")
    if np.any(lo_a > hi_a):
        raise ValueError("each lower bound must be <= its upper bound")
    reason = np.full(b.size, "", dtype=object)
    bad_np = (q <= 0) | (p <= 0)
    not_des = ~bad_np & ~_designated(b, designated)
    out = ~bad_np & ~not_des & ((p < lo_a) | (p > hi_a))
    reason[out] = "outside_bounds"
    reason[not_des] = "not_designated"
    if sellers is not None:
        reason[self_pairs(b, sellers, b.shape)] = "self_trade"
    reason[bad_np] = "non_positive"
    accepted = reason == ""
    return DirectedResult(accepted, np.where(accepted, p, -1), reason.astype(str))


def negotiate_directed(buyers: np.ndarray, quantities: np.ndarray, value: np.ndarray, cost: np.ndarray,
                       lo: int | np.ndarray, hi: int | np.ndarray, power: float, noise: np.ndarray,
                       designated: Eligibility = None, sellers: np.ndarray | None = None) -> DirectedResult:
    """Negotiate directed deals inside the bounds and check them (rule X1 mechanism; module docstring).

    ``value``: the buyer's value, ``cost``: the seller's cost (ticks per base unit); ``power``: the seller's
    bargaining power in [0, 1]; ``noise``: one draw per deal, as a share of the gain (see
    :func:`~.negotiation.nash_prices`). ``sellers``: as in :func:`check_directed`.
    """
    v = np.asarray(value, dtype=np.int64)
    c = np.asarray(cost, dtype=np.int64)
    b = np.asarray(buyers, dtype=np.int64)
    lo_a = np.broadcast_to(np.asarray(lo, dtype=np.int64), b.shape)
    hi_a = np.broadcast_to(np.asarray(hi, dtype=np.int64), b.shape)
    if v.shape != b.shape or c.shape != b.shape:
        raise ValueError("buyers, value and cost must have the same length")
    a_lo, a_hi = np.maximum(c, lo_a), np.minimum(v, hi_a)
    price = nash_prices(np.maximum(a_hi, a_lo), a_lo, power, np.asarray(noise, dtype=float))
    no_gain = v < c
    no_overlap = ~no_gain & (a_hi < a_lo)
    agreed = np.where(no_gain | no_overlap, np.clip(v, lo_a, hi_a), price)  # a placeholder price for the check
    res = check_directed(b, quantities, np.maximum(agreed, 1), lo_a, hi_a, designated, sellers)
    reason = res.reason.astype(object)
    ok_so_far = reason == ""
    reason[ok_so_far & no_overlap] = "outside_bounds"
    reason[ok_so_far & no_gain] = "no_agreement"
    accepted = reason == ""
    return DirectedResult(accepted, np.where(accepted, res.price, -1), reason.astype(str))
