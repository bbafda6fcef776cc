"""What a classroom epoch reports as it runs: a closed period's results, the trainer's feed, the reserve's log.

Plain records, filled by :class:`~rights_market.classroom.engine.ClassroomEngine` and read by the views and
the export.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .values import Equilibrium


@dataclass
class PeriodResult:
    """What one closed period produced: per seat (index = account id) the change in the value of its holdings,
    its net money from trades, its period-end bill (fen) and its surplus (value change + trade money); the
    realised and maximum gains from trade among the seats that took part (ticks·units) and the equilibrium."""

    period: int
    value_change_fen: np.ndarray
    trade_cash_fen: np.ndarray
    bill_fen: np.ndarray
    active: np.ndarray
    gains: int
    max_gains: int
    trades: int
    volume: int
    amount_fen: int
    equilibrium: Equilibrium | None
    surcharge_fen: int = 0

    @property
    def surplus_fen(self) -> np.ndarray:
        return self.value_change_fen + self.trade_cash_fen

    @property
    def efficiency(self) -> float:
        return self.gains / self.max_gains if self.max_gains > 0 else float("nan")


@dataclass
class FeedItem:
    """A visible event for the trainer's feed: ms, kind, text, the seat concerned (−1 if none)."""

    t_ms: int
    kind: str
    text: str
    seat: int = -1
    code: str = ""  # the text's code and params for the pages (:mod:`.notices`)
    params: dict = field(default_factory=dict)


@dataclass
class ReserveAction:
    """An action of the reserve for the trainer's view (orders placed, fills, budget, expiry)."""

    t_ms: int
    action: str
    quantity: int
    price: int
    reason: str
