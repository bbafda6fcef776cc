"""Negotiation (协商/议价) between matched pairs, pure and vectorised (rule W11; mechanism of rule X1).

A buyer with limit ``bid`` (its value) meets a seller with limit ``ask`` (its cost). If ``bid >= ask`` they
agree on ``ask + power × (bid − ask)`` — the generalised Nash bargaining split with the seller's bargaining
power ``power`` — perturbed by a noise share of the gain, and always kept inside [ask, bid]. Otherwise
no deal. A pair whose buyer is its seller (accounts passed as ``buyer``/``seller``) never deals: nobody
negotiates with itself. Prices are integer ticks.
"""

from __future__ import annotations

import numpy as np


def nash_prices(bid: np.ndarray, ask: np.ndarray, power: float, noise: np.ndarray,
                buyer: np.ndarray | None = None, seller: np.ndarray | None = None) -> np.ndarray:
    """Agreed price per pair in ticks, or −1 where the pair has no gain to share or (when ``buyer`` and
    ``seller`` accounts are given) the buyer is the seller (see :func:`self_pairs`).

    ``noise`` is a standard draw per pair scaled to a share of the gain (e.g. ``sd × N(0,1)``).
    """
    bid = np.asarray(bid, dtype=np.int64)
    ask = np.asarray(ask, dtype=np.int64)
    gain = bid - ask
    share = np.clip(power + np.asarray(noise, dtype=float), 0.0, 1.0)
    price = ask + np.floor(share * np.maximum(gain, 0)).astype(np.int64)
    price = np.clip(price, ask, np.maximum(bid, ask))
    return np.where((gain >= 0) & ~self_pairs(buyer, seller, gain.shape), price, -1)


def self_pairs(buyer: np.ndarray | None, seller: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """Pairs whose buyer account is its seller account (refused as ``self_trade``); all False without accounts."""
    if buyer is None or seller is None:
        if (buyer is None) != (seller is None):
            raise ValueError("pass both buyer and seller accounts, or neither")
        return np.zeros(shape, dtype=bool)
    b = np.broadcast_to(np.asarray(buyer, dtype=np.int64), shape)
    s = np.broadcast_to(np.asarray(seller, dtype=np.int64), shape)
    return b == s
