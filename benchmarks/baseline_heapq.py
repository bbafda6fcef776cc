"""Bare heapq baseline for the continuous double auction, and a random limit-order stream.

``bare_match`` is the least a price-time priority matcher can do in pure Python: two heaps of
``[price key, arrival, remaining]`` lists, crossing at the resting price, partial fills, remainder rests. It does
no validation, no self-trade prevention and records nothing but two counters, so it is an honest lower bound on
the cost of matching in CPython against which :class:`rights_market.market.ContinuousDoubleAuction` (which
validates, records every fill columnar and supports cancellation) is measured.

Run ``python benchmarks/baseline_heapq.py [n_orders]`` (default 1,000,000) to print orders/s of both and the
ratio. The functions are importable (``benchmarks/`` is not a package; put it on ``sys.path``).
"""

from __future__ import annotations

import sys
import time
from heapq import heappop, heappush

import numpy as np


def make_order_stream(
    rng: np.random.Generator,
    n: int,
    *,
    mid_ticks: int = 10_000,
    half_spread_ticks: int = 5,
    p_aggressive: float = 0.3,
    max_cross_ticks: int = 20,
    passive_depth_p: float = 0.08,
    mid_step_ticks: float = 0.5,
    lot: int = 100,
    lot_p: float = 0.15,
    n_traders: int = 1_000,
) -> dict[str, np.ndarray]:
    """A random limit-order stream of ``n`` orders, as int64 columns.

    The mid price follows a Gaussian random walk (``mid_step_ticks`` per order, rounded, kept >= 1 tick above
    the spread) starting at ``mid_ticks``. Each order is a buy or a sell with probability 1/2. With probability
    ``p_aggressive`` it is marketable: priced through the opposite touch at ``mid ± (half_spread + U{0..
    max_cross_ticks})``; otherwise it is passive: priced behind its own touch at ``mid ∓ (half_spread + G)``
    with ``G`` geometric(``passive_depth_p``) − 1, so the book builds a depth profile thinning away from the mid.
    Quantities are ``lot`` × geometric(``lot_p``) base units; traders are uniform over ``n_traders`` ids.

    Returns a dict with keys ``order_id`` (0..n-1), ``trader``, ``side`` (+1 buy / -1 sell), ``price`` (ticks,
    always >= 1) and ``quantity`` (base units, > 0).
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    side = np.where(rng.random(n) < 0.5, 1, -1).astype(np.int64)
    mid = mid_ticks + np.rint(np.cumsum(rng.normal(0.0, mid_step_ticks, n))).astype(np.int64)
    aggressive = rng.random(n) < p_aggressive
    cross = half_spread_ticks + rng.integers(0, max_cross_ticks + 1, n)
    behind = half_spread_ticks + rng.geometric(passive_depth_p, n) - 1
    offset = np.where(aggressive, cross, -behind).astype(np.int64)
    mid = np.maximum(mid, half_spread_ticks + int(behind.max(initial=0)) + 1)
    price = mid + side * offset
    quantity = lot * rng.geometric(lot_p, n).astype(np.int64)
    return {
        "order_id": np.arange(n, dtype=np.int64),
        "trader": rng.integers(0, n_traders, n, dtype=np.int64),
        "side": side,
        "price": price.astype(np.int64),
        "quantity": quantity,
    }


def bare_match(sides: np.ndarray, prices: np.ndarray, quantities: np.ndarray) -> tuple[int, int]:
    """Match the stream with two bare heaps; return ``(number of fills, traded volume)``.

    Same matching rule as the book (price-time priority, resting price, partial fills, remainder rests), minus
    validation, self-trade prevention and recording.
    """
    bids: list[list[int]] = []  # [-price, arrival, remaining]
    asks: list[list[int]] = []  # [price, arrival, remaining]
    n_fills = 0
    volume = 0
    for seq, (s, p, q) in enumerate(zip(sides.tolist(), prices.tolist(), quantities.tolist(), strict=True)):
        if s > 0:
            while asks and asks[0][0] <= p:
                top = asks[0]
                r = top[2]
                n_fills += 1
                if r > q:
                    top[2] = r - q
                    volume += q
                    q = 0
                    break
                heappop(asks)
                volume += r
                q -= r
                if not q:
                    break
            if q:
                heappush(bids, [-p, seq, q])
        else:
            while bids and -bids[0][0] >= p:
                top = bids[0]
                r = top[2]
                n_fills += 1
                if r > q:
                    top[2] = r - q
                    volume += q
                    q = 0
                    break
                heappop(bids)
                volume += r
                q -= r
                if not q:
                    break
            if q:
                heappush(asks, [p, seq, q])
    return n_fills, volume


def _best_of(repeat: int, fn) -> tuple[float, object]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(n: int = 1_000_000, seed: int = 20210501, repeat: int = 3) -> None:
    from rights_market.market import ContinuousDoubleAuction

    stream = make_order_stream(np.random.default_rng(seed), n)
    t_bare, (n_fills, volume) = _best_of(
        repeat, lambda: bare_match(stream["side"], stream["price"], stream["quantity"])
    )

    def run_book() -> tuple[int, int, int]:
        book = ContinuousDoubleAuction()
        book.submit_many(
            stream["order_id"], stream["trader"], stream["side"], stream["price"], stream["quantity"], 0
        )
        fills = book.take_fills()
        return len(fills["quantity"]), int(fills["quantity"].sum()), len(book)

    t_book, (b_fills, b_volume, resting) = _best_of(repeat, run_book)
    print(f"orders: {n:,}  (best of {repeat})")
    print(f"bare heapq:               {n / t_bare:12,.0f} orders/s  fills {n_fills:,}  volume {volume:,}")
    print(
        f"ContinuousDoubleAuction:  {n / t_book:12,.0f} orders/s  fills {b_fills:,}  volume {b_volume:,}"
        f"  resting {resting:,}  (incl. take_fills)"
    )
    print(f"ratio book/bare orders/s: {t_bare / t_book:.2f}  (time ratio {t_book / t_bare:.2f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
