"""Tender (招标): sealed bids scored on price and stated non-price criteria; the best score wins.

Mechanism of rule X1 (the 招 of 招拍挂, e.g. state construction land, rule L11). Pure: one call takes every bid
and returns a record. Prices are integer **ticks** (0.0001 yuan per base unit), the lot integer **base units**,
criterion scores integers on ``0..max_score`` as graded by the evaluation panel, times on the caller's clock.

Scoring (exact rational arithmetic, no floats decide anything)
--------------------------------------------------------------
Each valid bid gets a price score on ``0..max_score``:

* ``"ratio_to_best"`` (default): ``max_score × price / best price`` — the highest valid price scores full marks;
* ``"linear_above_floor"``: ``max_score × (price − floor) / (best price − floor)`` (full marks for all if the best
  price equals the floor).

Its total score is the weighted mean ``(w_price × price score + Σ w_k × score_k) / (w_price + Σ w_k)`` with
integer weights. The highest total wins; ties go to the earlier submission (``time``, then input order).

Rejected bids (recorded with a reason, never scored): ``self_trade`` (the bidder is the tender's ``seller``),
``non_positive`` (price ≤ 0), ``late`` (at or after the
deadline), ``not_eligible`` (the right policy's hook says no), ``duplicate_bid`` (any bid after a bidder's first
submission, whatever became of the first), ``invalid_score`` (a criterion score outside ``0..max_score``), ``below_floor`` (price below the
floor — the product's floor or the tender's reserve price 底价, whichever the policy passes).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from .auction import REJECTION_COLUMNS, Eligibility, _columns, is_eligible

__all__ = ["TenderResult", "TenderTerms", "run_tender"]


@dataclass(frozen=True, slots=True)
class TenderTerms:
    """Terms of one tender (rule X1, 招标). ``criteria`` names the non-price criteria and ``weights`` their
    integer weights (same length); ``price_weight`` is the integer weight of price. ``floor`` in ticks,
    ``deadline`` on the caller's clock (``None``: no deadline), ``quantity`` in base units; ``seller`` the account
    awarding the lot (``None``: not known to the mechanism), whose own bids are refused (``self_trade``)."""

    quantity: int
    price_weight: int
    criteria: tuple[str, ...] = ()
    weights: tuple[int, ...] = ()
    floor: int = 0
    max_score: int = 100
    price_scoring: Literal["ratio_to_best", "linear_above_floor"] = "ratio_to_best"
    deadline: int | None = None
    seller: int | None = None

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError("quantity must be positive base units")
        if len(self.criteria) != len(self.weights):
            raise ValueError("criteria and weights must have the same length")
        if len(set(self.criteria)) != len(self.criteria):
            raise ValueError("criteria names must be unique")
        if self.price_weight < 0 or any(w < 0 for w in self.weights):
            raise ValueError("weights must be >= 0")
        if self.price_weight + sum(self.weights) <= 0:
            raise ValueError("at least one weight must be positive")
        if self.max_score <= 0:
            raise ValueError("max_score must be positive")
        if self.floor < 0:
            raise ValueError("floor must be >= 0 ticks")
        if self.price_scoring not in ("ratio_to_best", "linear_above_floor"):
            raise ValueError("price_scoring must be 'ratio_to_best' or 'linear_above_floor'")


@dataclass(frozen=True)
class TenderResult:
    """Outcome of :func:`run_tender`.

    ``outcome``: ``"sold"`` or ``"unsold"`` (reason ``no_valid_bid``). ``winner``/``price`` (ticks): ``None``
    unless sold. ``valid``: input indices of the scored bids, best first (the ranking). ``score``: exact total
    score of each ranked bid (``Fraction`` on ``0..max_score``), ``price_score`` likewise. ``rejections``:
    columns ``time, bidder, price, reason``.
    """

    outcome: Literal["sold", "unsold"]
    reason: str
    winner: int | None
    price: int | None
    quantity: int
    valid: np.ndarray
    score: tuple[Fraction, ...]
    price_score: tuple[Fraction, ...]
    rejections: dict[str, np.ndarray]

    @property
    def sold(self) -> bool:
        """Whether the lot was awarded."""
        return self.outcome == "sold"


def run_tender(terms: TenderTerms, bidders: np.ndarray, prices: np.ndarray, scores: np.ndarray | None = None,
               times: np.ndarray | None = None, *, eligible: Eligibility = None) -> TenderResult:
    """Evaluate a tender (rules in the module docstring); rule X1 mechanism (招标).

    ``bidders``, ``prices`` (ticks) and ``times`` (caller's clock; default: input order) have one entry per bid;
    ``scores`` is an integer array of shape ``(n_bids, len(terms.criteria))`` (omit it when there are no
    criteria).
    """
    ids = np.asarray(bidders, dtype=np.int64)
    px = np.asarray(prices, dtype=np.int64)
    n, k = ids.size, len(terms.criteria)
    ts = np.arange(n, dtype=np.int64) if times is None else np.asarray(times, dtype=np.int64)
    sc = np.zeros((n, 0), dtype=np.int64) if scores is None else np.asarray(scores)
    if sc.ndim == 1 and k == 1:
        sc = sc.reshape(n, 1)
    if ids.ndim != 1 or px.shape != ids.shape or ts.shape != ids.shape or sc.shape != (n, k):
        raise ValueError(f"need one price, time and {k} criterion score(s) per bid")
    if sc.size and not np.issubdtype(sc.dtype, np.integer):
        raise TypeError("criterion scores must be integers")
    rejections: list[tuple[int, int, int, str]] = []
    seen: set[int] = set()
    valid: list[int] = []
    for i in np.lexsort((np.arange(n), ts)).tolist():  # in submission order, so the first bid of a bidder counts
        b, p, t = int(ids[i]), int(px[i]), int(ts[i])
        if terms.seller is not None and b == terms.seller:
            reason = "self_trade"
        elif b in seen:
            reason = "duplicate_bid"
        elif p <= 0:
            reason = "non_positive"
        elif terms.deadline is not None and t >= terms.deadline:
            reason = "late"
        elif not is_eligible(eligible, b):
            reason = "not_eligible"
        elif k and (sc[i].min() < 0 or sc[i].max() > terms.max_score):
            reason = "invalid_score"
        elif p < terms.floor:
            reason = "below_floor"
        else:
            reason = None
        seen.add(b)
        if reason is None:
            valid.append(i)
        else:
            rejections.append((t, b, p, reason))
    rej = _columns(rejections, REJECTION_COLUMNS)
    if not valid:
        return TenderResult("unsold", "no_valid_bid", None, None, terms.quantity, np.zeros(0, dtype=np.int64),
                            (), (), rej)
    best = max(int(px[i]) for i in valid)
    m = terms.max_score
    total_w = terms.price_weight + sum(terms.weights)
    totals: dict[int, Fraction] = {}
    pscore: dict[int, Fraction] = {}
    for i in valid:
        p = int(px[i])
        if terms.price_scoring == "ratio_to_best":
            ps = Fraction(m * p, best)
        else:
            ps = Fraction(m) if best == terms.floor else Fraction(m * (p - terms.floor), best - terms.floor)
        pscore[i] = ps
        criteria = sum(w * int(s) for w, s in zip(terms.weights, sc[i].tolist(), strict=True))
        totals[i] = (terms.price_weight * ps + criteria) / total_w
    # best score first; ties: earlier time, then input order (valid is already in submission order)
    ranking = sorted(valid, key=lambda i: -totals[i])
    win = ranking[0]
    return TenderResult(
        "sold", "", int(ids[win]), int(px[win]), terms.quantity, np.array(ranking, dtype=np.int64),
        tuple(totals[i] for i in ranking), tuple(pscore[i] for i in ranking), rej,
    )
