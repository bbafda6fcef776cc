"""Zero-intelligence-plus (ZIP) traders (Cliff 1997, HP Labs HPL-97-91), vectorised over a group of traders.

Each trader ``i`` shouts ``p_i = λ_i (1 + μ_i)``: its limit ``λ_i`` (value of a buyer's next unit, cost of a
seller's) times one plus its profit margin ``μ_i`` (sellers ``μ ≥ 0``, buyers ``−1 ≤ μ ≤ 0``). After **every
shout** in the market — accepted or not — each trader may adjust its margin by Cliff's rules, where ``q`` is the
price of that last shout (the trade price if it was accepted):

Sellers
    * if the last shout was accepted at ``q``: every seller with ``p_i ≤ q`` raises its margin; otherwise, if it
      was a bid, every *active* seller with ``p_i ≥ q`` lowers its margin;
    * if it was not accepted and was an offer: every *active* seller with ``p_i ≥ q`` lowers its margin.
Buyers (mirror image)
    * if the last shout was accepted at ``q``: every buyer with ``p_i ≥ q`` raises its margin (bids lower);
      otherwise, if it was an offer, every *active* buyer with ``p_i ≤ q`` lowers its margin (bids higher);
    * if it was not accepted and was a bid: every *active* buyer with ``p_i ≤ q`` lowers its margin.

("Active" = still has a unit to trade in this period; raising applies to all traders of the side, as in Cliff.)

Adjustment: Widrow–Hoff with momentum towards a target price ``τ = R q + A``, with ``R ~ U[1, 1 + c_r]`` and
``A ~ U[0, c_a]`` when the shout price should rise, ``R ~ U[1 − c_r, 1]`` and ``A ~ U[−c_a, 0]`` when it should
fall; ``Δ = β_i (τ − p_i)``, ``Γ_i ← γ_i Γ_i + (1 − γ_i) Δ``, ``μ_i ← (p_i + Γ_i) / λ_i − 1``, then the margin is
clipped to its side's range. Parameters as published by Cliff: ``β_i ~ U[0.1, 0.5]``, ``γ_i ~ U[0.2, 0.8]``,
initial ``|μ_i| ~ U[0.05, 0.35]``, ``c_r = c_a = 0.05`` (``c_a`` in price units), all scenario parameters
(:class:`~rights_market.scenario.model.ZIP`).

Deliberate differences from the widely copied Bristol Stock Exchange ``Trader_ZIP`` (whose bugs this avoids):
it misnamed ``ask_lifted`` as ``ask_bid`` in the buyer branch (BSE pull request #10); it infers the last shout
from changes of the best quotes, so shouts that do not improve the book are never learned from — here every
shout is reported with its side, price and whether it was accepted; its no-deal branch moves a seller towards
``target_up(best bid)`` and a buyer towards ``target_down(best ask)`` instead of Cliff's lowering towards the
last shout; it discards a margin update that would cross zero instead of clipping it to the bound; and its
learning-rate and momentum ranges (``U[0.1, 0.3]``, ``U[0, 0.3]``) are not Cliff's published ones.

Prices are integer ticks on the way out (buyers rounded down, sellers up, so no trader ever shouts past its
limit); the learning state is float, as in Cliff.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .behaviour import BUY, SELL

__all__ = ["ZipParams", "ZipTraders", "shout_price"]


def shout_price(limit: float, margin: float, buyer: bool) -> int:
    """The shout in ticks of a ZIP trader with ``margin`` for a unit with ``limit`` (ticks): ``limit × (1 +
    margin)`` rounded down for a buyer, up for a seller (so never past its limit)."""
    p = limit * (1.0 + margin)
    return math.floor(p) if buyer else math.ceil(p)


@dataclass(frozen=True, slots=True)
class ZipParams:
    """ZIP parameters (Cliff 1997): ranges ``(low, high)`` of the per-trader learning rate ``β``, momentum ``γ``
    and initial absolute margin; relative perturbation ``c_r`` (share) and absolute ``c_a`` (**ticks**)."""

    learning_rate: tuple[float, float] = (0.1, 0.5)
    momentum: tuple[float, float] = (0.2, 0.8)
    initial_margin: tuple[float, float] = (0.05, 0.35)
    relative_perturbation: float = 0.05
    absolute_perturbation_ticks: float = 500.0

    def __post_init__(self) -> None:
        for name in ("learning_rate", "momentum", "initial_margin"):
            lo, hi = getattr(self, name)
            if not 0 <= lo <= hi:
                raise ValueError(f"{name} must be a range 0 <= low <= high")
        if not 0 < self.learning_rate[1] <= 1 or self.momentum[1] >= 1:
            raise ValueError("learning rates must be in (0, 1] and momentum below 1")
        if self.relative_perturbation < 0 or self.absolute_perturbation_ticks < 0:
            raise ValueError("perturbations must be >= 0")


class ZipTraders:
    """Learning state of ``n`` ZIP traders; ``side[i]`` is :data:`BUY` or :data:`SELL`. Draws its per-trader
    parameters from ``rng`` (the caller's stream) once, at construction."""

    def __init__(self, side: np.ndarray, params: ZipParams, rng: np.random.Generator) -> None:
        self.side = np.asarray(side, dtype=np.int64)
        if not np.isin(self.side, (BUY, SELL)).all():
            raise ValueError("side must hold BUY (1) or SELL (-1)")
        n = self.side.size
        self.params = params
        self.beta = rng.uniform(*params.learning_rate, size=n)
        self.gamma = rng.uniform(*params.momentum, size=n)
        m = rng.uniform(*params.initial_margin, size=n)
        self.buyer = self.side == BUY
        self.seller = ~self.buyer
        self._none = np.zeros(n, dtype=bool)
        self.margin = np.where(self.buyer, -m, m)
        self.momentum_term = np.zeros(n)

    def price_of(self, i: int, limit: int) -> int:
        """Shout price in ticks of trader ``i`` for a unit with ``limit`` (ticks): buyers round down, sellers up."""
        return shout_price(limit, float(self.margin[i]), bool(self.buyer[i]))

    def prices(self, limit: np.ndarray) -> np.ndarray:
        """Shout prices (ticks) of every trader for ``limit`` (ticks, one per trader)."""
        p = np.asarray(limit, dtype=float) * (1.0 + self.margin)
        return np.where(self.buyer, np.floor(p), np.ceil(p)).astype(np.int64)

    def respond(self, limit: np.ndarray, active: np.ndarray, q: int, shout_side: int, accepted: bool,
                rng: np.random.Generator) -> None:
        """Learn from the last shout: price ``q`` (ticks; the trade price if ``accepted``), side of that shout
        (:data:`BUY` for a bid, :data:`SELL` for an offer), whether it was accepted. ``limit`` is each trader's
        current limit (ticks), ``active`` whether it still has a unit to trade. Rules in the module docstring."""
        lim = np.asarray(limit, dtype=float)
        p = lim * (1.0 + self.margin)
        # the rules compare the price each trader would shout (whole ticks), so a trader's own shout has p == q
        shout = np.where(self.buyer, np.floor(p), np.ceil(p))
        buyer, seller = self.buyer, self.seller
        if accepted:
            raise_s = seller & (shout <= q)
            raise_b = buyer & (shout >= q)
            if shout_side == BUY:  # a bid was accepted: active sellers that would not have beaten it lower
                up = raise_s
                down = (seller & active & (shout >= q) & ~raise_s) | raise_b
            else:  # an offer was accepted: active buyers that would not have beaten it raise their bids
                up = raise_s | (buyer & active & (shout <= q) & ~raise_b)
                down = raise_b
        elif shout_side == SELL:  # an offer not accepted: active sellers at or above it lower
            up, down = self._none, seller & active & (shout >= q)
        else:  # a bid not accepted: active buyers at or below it raise their bids
            up, down = buyer & active & (shout <= q), self._none
        moving = up | down
        if not moving.any():
            return
        idx = moving.nonzero()[0]
        cr, ca = self.params.relative_perturbation, self.params.absolute_perturbation_ticks
        u1, u2 = rng.random(idx.size), rng.random(idx.size)
        rising = up[idx]
        r = np.where(rising, 1.0 + cr * u1, 1.0 - cr * u1)
        a = np.where(rising, ca * u2, -ca * u2)
        target = r * q + a
        delta = self.beta[idx] * (target - p[idx])
        g = self.gamma[idx]
        gam = g * self.momentum_term[idx] + (1.0 - g) * delta
        self.momentum_term[idx] = gam
        mu = (p[idx] + gam) / np.maximum(lim[idx], 1.0) - 1.0
        self.margin[idx] = np.where(buyer[idx], np.clip(mu, -1.0, 0.0), np.maximum(mu, 0.0))
