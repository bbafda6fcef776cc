"""Uniform-price sealed-bid call auction (集合竞价), vectorised with numpy.

All bids and asks of one call are collected and cleared at a single price. Like the continuous book, this module
knows nothing about the right being traded: prices are integer **ticks** (0.0001 yuan per base unit),
quantities integer **base units**.

Clearing rule
-------------
For a price ``p`` let demand ``D(p)`` be the total quantity of bids with limit ``>= p`` and supply ``S(p)`` the
total quantity of asks with limit ``<= p``; the volume executable at ``p`` is ``V(p) = min(D(p), S(p))``.

1. **Volume.** The auction executes the maximum volume ``V* = max_p V(p)``. ``D`` is non-increasing and ``S``
   non-decreasing, so ``V`` is unimodal and the prices reaching ``V*`` form one interval of ticks
   ``[price_low, price_high]``; its ends are always limit prices of submitted orders, so it is found by
   evaluating ``V`` at the distinct submitted prices only.
2. **Price.** The clearing price is the midpoint of that interval rounded down to a whole tick,
   ``(price_low + price_high) // 2``. Every price in the interval executes the same volume, so the choice only
   splits the surplus between the two sides; the midpoint splits it evenly (the classic k = 1/2 double
   auction), is deterministic, independent of the order in which orders were submitted, and needs no outside
   reference price. Rounding down keeps the price an integer tick inside the interval.
3. **Rationing.** At the clearing price the eligible bids (limit ``>= price``) and eligible asks (limit
   ``<= price``) each total at least ``V*``; each side executes exactly ``V*`` by taking its eligible orders in
   priority order: price first (higher bids, lower asks), then time (``seq`` ascending, then input position).
   So on the longer side the marginal orders are rationed, and every order is filled completely, partially (at
   most one per side) or not at all, in priority order.
4. **Bilateral fills.** Executed bids in priority order and executed asks in priority order are laid end to end
   on ``[0, V*]``; the union of the two sets of cumulative sums cuts that segment into pieces, each belonging to
   exactly one bid and one ask. Each piece is a fill at the clearing price. There are at most
   ``n_executed_bids + n_executed_asks - 1`` fills.

If no bid meets an ask (``V* = 0``), nothing trades: ``price`` is ``None`` and ``volume`` is 0.

Self-trade prevention
---------------------
When the owners of the orders are passed (``bid_owner``/``ask_owner``), no owner trades with itself. An owner's
bid and ask can both execute at one uniform price only if that bid's limit reaches that ask's limit, so only
such *crossing* own orders are refused, before clearing: the owner keeps the side of its earliest order (smallest
``seq``; a bid on a tie) and its orders on the other side that cross any of its kept orders are refused
(``bid_refused``/``ask_refused``, reason ``self_trade``) and take no part in the auction. Its remaining orders
cannot both execute, so no fill pairs an owner with itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["REASON_SELF_TRADE", "CallResult", "clear_call_auction"]

#: Reason of an order refused because it would cross an order of the same owner.
REASON_SELF_TRADE = "self_trade"


@dataclass(frozen=True, slots=True)
class CallResult:
    """Outcome of :func:`clear_call_auction`.

    Attributes
    ----------
    price:
        Clearing price in ticks, or ``None`` if nothing crossed.
    volume:
        Executed volume in base units (``bid_executed.sum() == ask_executed.sum() == volume``).
    price_low, price_high:
        The interval of volume-maximising prices (ticks), ``None`` if nothing crossed.
    bid_executed, ask_executed:
        int64 executed quantity per bid / per ask, in the *input* order.
    fill_bid, fill_ask:
        int64 input indices of the bid and the ask of each bilateral fill.
    fill_quantity:
        int64 quantity of each fill; all fills are at ``price``.
    fill_bid_id, fill_ask_id:
        ``bid_ids[fill_bid]`` / ``ask_ids[fill_ask]`` when ids were passed, else ``None``.
    bid_refused, ask_refused:
        bool per bid / per ask (input order): refused as a self-trade (:data:`REASON_SELF_TRADE`); all ``False``
        when no owners were passed.
    """

    price: int | None
    volume: int
    price_low: int | None
    price_high: int | None
    bid_executed: np.ndarray
    ask_executed: np.ndarray
    fill_bid: np.ndarray
    fill_ask: np.ndarray
    fill_quantity: np.ndarray
    fill_bid_id: np.ndarray | None = None
    fill_ask_id: np.ndarray | None = None
    bid_refused: np.ndarray | None = None
    ask_refused: np.ndarray | None = None


def _as_int_vector(values: object, name: str) -> np.ndarray:
    a = np.asarray(values)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if a.size and not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"{name} must hold integers, got dtype {a.dtype}")
    return a.astype(np.int64, copy=False)


def _ration(prio: np.ndarray, qty: np.ndarray, eligible: np.ndarray, volume: int) -> np.ndarray:
    """Execute ``volume`` over the eligible orders taken in priority order ``prio``; per input order."""
    q_sorted = np.where(eligible[prio], qty[prio], 0)
    before = np.cumsum(q_sorted) - q_sorted
    executed_sorted = np.clip(volume - before, 0, q_sorted)
    executed = np.empty_like(qty)
    executed[prio] = executed_sorted
    return executed


def _self_trades(bp: np.ndarray, bs: np.ndarray, ap: np.ndarray, as_: np.ndarray, bid_owner: object,
                 ask_owner: object) -> tuple[np.ndarray, np.ndarray]:
    """Bids and asks refused as self-trades (module docstring), as bool masks in input order."""
    if bid_owner is None or ask_owner is None:
        if (bid_owner is None) != (ask_owner is None):
            raise ValueError("pass both bid_owner and ask_owner, or neither")
        return np.zeros(bp.size, dtype=bool), np.zeros(ap.size, dtype=bool)
    bo = _as_int_vector(bid_owner, "bid_owner")
    ao = _as_int_vector(ask_owner, "ask_owner")
    if bo.shape != bp.shape or ao.shape != ap.shape:
        raise ValueError("bid_owner and ask_owner must have the bids' and the asks' lengths")
    owners, code = np.unique(np.concatenate((bo, ao)), return_inverse=True)
    bc, ac = code[: bo.size], code[bo.size :]
    never = np.iinfo(np.int64).max
    first_bid = np.full(owners.size, never, dtype=np.int64)
    first_ask = np.full(owners.size, never, dtype=np.int64)
    np.minimum.at(first_bid, bc, bs)
    np.minimum.at(first_ask, ac, as_)
    top_bid = np.zeros(owners.size, dtype=np.int64)
    low_ask = np.full(owners.size, never, dtype=np.int64)
    np.maximum.at(top_bid, bc, bp)
    np.minimum.at(low_ask, ac, ap)
    keeps_bids = first_bid <= first_ask
    return ~keeps_bids[bc] & (bp >= low_ask[bc]), keeps_bids[ac] & (ap <= top_bid[ac])


def _pieces(order: np.ndarray, executed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Executed orders (input indices) in priority order and their cumulative executed quantity."""
    idx = order[executed[order] > 0]
    return idx, np.cumsum(executed[idx])


def clear_call_auction(
    bid_price: np.ndarray,
    bid_qty: np.ndarray,
    bid_seq: np.ndarray,
    ask_price: np.ndarray,
    ask_qty: np.ndarray,
    ask_seq: np.ndarray,
    bid_ids: np.ndarray | None = None,
    ask_ids: np.ndarray | None = None,
    bid_owner: np.ndarray | None = None,
    ask_owner: np.ndarray | None = None,
) -> CallResult:
    """Clear one uniform-price call auction (rules in the module docstring).

    Parameters
    ----------
    bid_price, bid_qty, bid_seq:
        Limit price (ticks, > 0), quantity (base units, >= 0) and time priority (smaller is earlier) of each bid.
    ask_price, ask_qty, ask_seq:
        The same for each ask.
    bid_ids, ask_ids:
        Optional order ids carried into ``fill_bid_id`` / ``fill_ask_id``.
    bid_owner, ask_owner:
        Optional account of each bid / ask; when given (both), self-trades are prevented (module docstring).

    Raises ``ValueError`` on mismatched lengths, non-positive prices or negative quantities. No Python loop runs
    over the orders; cost is ``O((n_bids + n_asks) log(n_bids + n_asks))``.
    """
    bp = _as_int_vector(bid_price, "bid_price")
    bq = _as_int_vector(bid_qty, "bid_qty")
    bs = _as_int_vector(bid_seq, "bid_seq")
    ap = _as_int_vector(ask_price, "ask_price")
    aq = _as_int_vector(ask_qty, "ask_qty")
    as_ = _as_int_vector(ask_seq, "ask_seq")
    if not (bp.size == bq.size == bs.size):
        raise ValueError("bid_price, bid_qty and bid_seq must have the same length")
    if not (ap.size == aq.size == as_.size):
        raise ValueError("ask_price, ask_qty and ask_seq must have the same length")
    if bid_ids is not None and np.shape(bid_ids) != bp.shape:
        raise ValueError("bid_ids must have the bids' length")
    if ask_ids is not None and np.shape(ask_ids) != ap.shape:
        raise ValueError("ask_ids must have the asks' length")
    for name, a in (("bid_price", bp), ("ask_price", ap)):
        if a.size and a.min() <= 0:
            raise ValueError(f"{name} must be positive")
    for name, a in (("bid_qty", bq), ("ask_qty", aq)):
        if a.size and a.min() < 0:
            raise ValueError(f"{name} must be non-negative")

    bid_refused, ask_refused = _self_trades(bp, bs, ap, as_, bid_owner, ask_owner)
    bq = np.where(bid_refused, 0, bq)
    aq = np.where(ask_refused, 0, aq)

    empty = np.zeros(0, dtype=np.int64)
    no_trade = CallResult(
        price=None,
        volume=0,
        price_low=None,
        price_high=None,
        bid_executed=np.zeros(bp.size, dtype=np.int64),
        ask_executed=np.zeros(ap.size, dtype=np.int64),
        fill_bid=empty,
        fill_ask=empty.copy(),
        fill_quantity=empty.copy(),
        fill_bid_id=None if bid_ids is None else np.asarray(bid_ids)[:0],
        fill_ask_id=None if ask_ids is None else np.asarray(ask_ids)[:0],
        bid_refused=bid_refused,
        ask_refused=ask_refused,
    )
    if bp.size == 0 or ap.size == 0:
        return no_trade

    # Demand and supply at every distinct submitted price.
    candidates = np.unique(np.concatenate((bp, ap)))
    b_order = np.argsort(bp, kind="stable")
    b_cum = np.concatenate(([0], np.cumsum(bq[b_order])))
    demand = b_cum[-1] - b_cum[np.searchsorted(bp[b_order], candidates, side="left")]
    a_order = np.argsort(ap, kind="stable")
    a_cum = np.concatenate(([0], np.cumsum(aq[a_order])))
    supply = a_cum[np.searchsorted(ap[a_order], candidates, side="right")]
    volume_at = np.minimum(demand, supply)
    volume = int(volume_at.max())
    if volume == 0:
        return no_trade
    best = np.flatnonzero(volume_at == volume)
    price_low = int(candidates[best[0]])
    price_high = int(candidates[best[-1]])
    price = (price_low + price_high) // 2

    # Priority orders: bids by price descending, asks ascending, then seq, then input position.
    b_prio = np.lexsort((np.arange(bp.size), bs, -bp))
    a_prio = np.lexsort((np.arange(ap.size), as_, ap))
    bid_executed = _ration(b_prio, bq, bp >= price, volume)
    ask_executed = _ration(a_prio, aq, ap <= price, volume)

    # Bilateral fills: merge the two cumulative executed sums.
    b_idx, b_end = _pieces(b_prio, bid_executed)
    a_idx, a_end = _pieces(a_prio, ask_executed)
    cuts = np.union1d(b_end, a_end)  # sorted, unique, last element == volume
    starts = np.concatenate(([0], cuts[:-1]))
    fill_bid = b_idx[np.searchsorted(b_end, starts, side="right")]
    fill_ask = a_idx[np.searchsorted(a_end, starts, side="right")]
    fill_quantity = (cuts - starts).astype(np.int64)

    return CallResult(
        price=price,
        volume=volume,
        price_low=price_low,
        price_high=price_high,
        bid_executed=bid_executed,
        ask_executed=ask_executed,
        fill_bid=fill_bid.astype(np.int64),
        fill_ask=fill_ask.astype(np.int64),
        fill_quantity=fill_quantity,
        fill_bid_id=None if bid_ids is None else np.asarray(bid_ids)[fill_bid],
        fill_ask_id=None if ask_ids is None else np.asarray(ask_ids)[fill_ask],
        bid_refused=bid_refused,
        ask_refused=ask_refused,
    )
