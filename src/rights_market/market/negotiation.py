"""Negotiation (协商/议价) between matched pairs, pure and vectorised (rule W11; mechanism of rule X1).

A buyer with limit ``bid`` (its value) meets a seller with limit ``ask`` (its cost). If ``bid >= ask`` they
agree on ``ask + power × (bid − ask)`` — the generalised Nash bargaining split with the seller's bargaining
power ``power`` — perturbed by a noise share of the gain, and always kept inside [ask, bid]. Otherwise
no deal. A pair whose buyer is its seller (accounts passed as ``buyer``/``seller``) never deals: nobody
negotiates with itself. Prices are integer ticks.

:func:`anchored_prices` is the same bargaining where a base price is the benchmark both sides start from
(基准价): the agreement zone is cut to the market's price bounds and a floor, and the price blends the base
price with the Nash split of the zone.
"""

from __future__ import annotations

from fractions import Fraction

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


def anchored_prices(ask: np.ndarray, bid: np.ndarray, base: np.ndarray, lo: int, hi: int, floor: np.ndarray,
                    power: float | Fraction, anchor: float | Fraction, noise: np.ndarray,
                    buyer: np.ndarray | None = None, seller: np.ndarray | None = None) -> np.ndarray:
    """The price each pair agrees on, in ticks, or −1 where there is no deal: bargaining anchored on a base price
    (the benchmark of a relation, rule W5 for water; W11 negotiation).

    The agreement zone is where both gain, cut to the market's bounds and the floor:
    ``[max(ask, lo, floor), min(bid, hi)]``, and only if the buyer's limit is strictly above the seller's
    (a pair with nothing to gain does not trade). In it, the Nash split ``z_lo + power × (z_hi − z_lo)``
    (power: the seller's bargaining power) and the base price of the relation (brought into the zone) are
    blended: ``anchor × base + (1 − anchor) × nash`` — the base price is the benchmark both parties start
    from (W5). ``noise`` (a share of the zone's width per pair) moves the price, which stays in the zone.
    The blend is rounded down to a tick and the noise to the nearest tick (in floating point, as
    :func:`nash_prices`: tick counts far below 2**53, no integer overflow whatever the bounds). A pair whose
    ``buyer`` account is its ``seller`` never deals."""
    ask = np.asarray(ask, dtype=np.int64)
    bid = np.asarray(bid, dtype=np.int64)
    z_lo = np.maximum(np.maximum(ask, lo), floor)
    z_hi = np.minimum(bid, hi)
    deal = (bid > ask) & (z_lo <= z_hi) & ~self_pairs(buyer, seller, bid.shape)
    width = np.maximum(z_hi - z_lo, 0)
    nash = z_lo + np.floor(width * float(power))
    ref = np.clip(np.asarray(base, dtype=np.int64), z_lo, np.maximum(z_hi, z_lo))
    a = float(anchor)
    price = np.floor(a * ref + (1.0 - a) * nash).astype(np.int64)
    price = price + np.rint(np.asarray(noise, dtype=float) * width).astype(np.int64)
    price = np.clip(price, z_lo, np.maximum(z_hi, z_lo))
    return np.where(deal, price, -1)


def self_pairs(buyer: np.ndarray | None, seller: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """Pairs whose buyer account is its seller account (refused as ``self_trade``); all False without accounts."""
    if buyer is None or seller is None:
        if (buyer is None) != (seller is None):
            raise ValueError("pass both buyer and seller accounts, or neither")
        return np.zeros(shape, dtype=bool)
    b = np.broadcast_to(np.asarray(buyer, dtype=np.int64), shape)
    s = np.broadcast_to(np.asarray(seller, dtype=np.int64), shape)
    return b == s
