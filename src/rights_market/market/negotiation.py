"""Negotiation (协商/议价) between matched pairs, pure and vectorised (rule W11; mechanism of rule X1).

A buyer with limit ``bid`` (its value) meets a seller with limit ``ask`` (its cost). If ``bid >= ask`` they
agree on ``ask + power × (bid − ask)`` — the generalised Nash bargaining split with the seller's bargaining
power ``power`` — perturbed by a noise share of the gain, and always kept inside [ask, bid]. Otherwise
no deal. Prices are integer ticks.
"""

from __future__ import annotations

import numpy as np


def nash_prices(bid: np.ndarray, ask: np.ndarray, power: float, noise: np.ndarray) -> np.ndarray:
    """Agreed price per pair in ticks, or −1 where the pair has no gain to share.

    ``noise`` is a standard draw per pair scaled to a share of the gain (e.g. ``sd × N(0,1)``).
    """
    bid = np.asarray(bid, dtype=np.int64)
    ask = np.asarray(ask, dtype=np.int64)
    gain = bid - ask
    share = np.clip(power + np.asarray(noise, dtype=float), 0.0, 1.0)
    price = ask + np.floor(share * np.maximum(gain, 0)).astype(np.int64)
    price = np.clip(price, ask, np.maximum(bid, ask))
    return np.where(gain >= 0, price, -1)
