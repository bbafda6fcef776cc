"""How classroom robots price their shouts: ZI-C, truthful and ZIP, on the market's price grid.

Prices here are in **steps** of the classroom's price step (``price_step_yuan``), so every shout is on the
grid. ``limit`` is the robot's value per base unit of the lot it would buy (buyers, rounded down to a step)
or its cost per base unit of the lot it would sell (sellers, rounded up); ``lo``/``hi`` bound every price of
the market (the price bounds, and the floor where the base price is one, rule E3).

* ``zi_c`` — Gode & Sunder (1993): bid uniform on [lo, limit], ask uniform on [limit, hi]
  (:func:`rights_market.agents.behaviour.quote_one`); never trades at a loss.
* ``truthful`` — bid the value, ask the cost.
* ``zip`` — Cliff (1997) (:class:`rights_market.agents.zip.ZipTraders`): limit × (1 + margin), the margin
  learnt from every shout in the market. A ZIP robot keeps one side for the session: the side its role has
  at the start of a period (it buys if a further lot is worth at least the base price, else it sells if it
  holds a lot).

Randomness comes only from the streams handed in (one per robot, from the session's
:class:`~rights_market.engine.rng.RngTree`).
"""

from __future__ import annotations

import numpy as np

from ..agents.behaviour import BUY, SELL, quote_one
from ..agents.zip import ZipParams, ZipTraders
from ..scenario.model import ZIP
from ..units import yuan_to_ticks


def zip_params(spec: ZIP, step_ticks: int) -> ZipParams:
    """Cliff's ZIP parameters of the scenario, with the absolute perturbation in steps."""
    return ZipParams(
        learning_rate=spec.learning_rate, momentum=spec.momentum, initial_margin=spec.initial_margin,
        relative_perturbation=spec.relative_perturbation,
        absolute_perturbation_ticks=float(yuan_to_ticks(spec.absolute_perturbation_yuan)) / step_ticks,
    )


class RobotPricing:
    """Prices of every robot seat's shouts.

    ``kinds[i]`` is the player of robot ``i`` (``zi_c``, ``truthful``, ``zip``); ``zip_sides[i]`` the fixed side
    of a ZIP robot (:data:`BUY` or :data:`SELL`; ignored for others). ``zip_rng`` draws the ZIP traders'
    parameters and perturbations.
    """

    def __init__(self, kinds: list[str], zip_sides: list[int], params: ZipParams, zip_rng: np.random.Generator):
        for k in kinds:
            if k not in ("zi_c", "truthful", "zip"):
                raise ValueError(f"unknown robot strategy {k!r}")
        self.kinds = list(kinds)
        self.zip_index = {i: j for j, i in enumerate(i for i, k in enumerate(kinds) if k == "zip")}
        sides = np.array([zip_sides[i] for i in self.zip_index], dtype=np.int64)
        self.zip_rng = zip_rng
        self.zip = ZipTraders(sides, params, zip_rng) if sides.size else None

    def fixed_side(self, i: int) -> int | None:
        """The side robot ``i`` keeps (ZIP), or None if it may take either."""
        j = self.zip_index.get(i)
        return None if j is None or self.zip is None else int(self.zip.side[j])

    def quote(self, i: int, side: int, limit: int, lo: int, hi: int, rng: np.random.Generator) -> int:
        """Shout of robot ``i`` in steps, or −1 for none (its limit is outside [lo, hi] on the wrong side)."""
        kind = self.kinds[i]
        if kind == "zip":
            assert self.zip is not None
            p = self.zip.price_of(self.zip_index[i], limit)
            p = min(max(p, lo), hi)
            return -1 if (p > limit if side == BUY else p < limit) else p
        return quote_one(kind, side, limit, lo, hi, float(rng.random()))

    def observe(self, limits: np.ndarray, active: np.ndarray, q: int, shout_side: int, accepted: bool) -> None:
        """ZIP learning after any shout in the market: price ``q`` (steps; the trade price if ``accepted``).
        ``limits``/``active`` are the ZIP robots' current limits (steps) and whether each can still trade."""
        if self.zip is not None:
            self.zip.respond(limits, active, q, shout_side, accepted, self.zip_rng)

    @property
    def zip_robots(self) -> list[int]:
        """Robot indices of the ZIP robots, in the order of :meth:`observe`'s arrays."""
        return list(self.zip_index)


__all__ = ["BUY", "SELL", "RobotPricing", "zip_params"]
