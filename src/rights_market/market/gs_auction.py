"""Single-unit double auctions of the zero-intelligence literature: Gode & Sunder (1993) and Cliff (1997).

Both are continuous double auctions in which every shout (bid or ask) is for **one unit**, and both differ from
the price-time priority book of :mod:`rights_market.market.orderbook` in ways that change what random traders
achieve. They know nothing of the right traded; prices are integer ticks, traders integer ids, sides
:data:`BUY` / :data:`SELL`.

Gode & Sunder (1993) — :class:`GodeSunderAuction`
    D. K. Gode and S. Sunder, "Allocative efficiency of markets with zero-intelligence traders: market as a
    partial substitute for individual rationality", *J. Political Economy* 101(1): 119–137 (1993). Their
    double auction keeps only the **best bid and the best ask**:

    * a shout must **improve** on the current best quote of its side — a bid above the best bid, an ask below
      the best ask (the "NYSE spread-improvement rule"); any other shout is invalid (rejected here with reason
      ``"not_improving"``, never dropped silently);
    * a bid at or above the best ask, or an ask at or below the best bid, **trades one unit at the price of the
      standing (earlier) quote**;
    * after each transaction **the book is cleared**: every outstanding bid and ask is cancelled, and the next
      shout of either side opens a new spread;
    * a valid shout that does not cross becomes its side's best quote (the one it improved on is superseded).

    Traders shout in random order, several hundred shouts a period, and trade their units in order (a buyer's
    highest value first, a seller's lowest cost first) — that is the caller's business (the teaching market,
    :mod:`rights_market.rights.teaching`). For contrast, the Bristol Stock Exchange (Cliff's teaching
    simulator, github.com/davecliff/BristolStockExchange, ``BSE.py`` ``Exchange.process_order2``) keeps a
    price-time book with one order per trader and neither the improvement rule nor the clearing — like the
    teaching market's ``cda`` rules.

Cliff (1997) — :class:`CliffQuotes`, :func:`cliff_counterpart`
    D. Cliff, "Minimal-intelligence agents for bargaining behaviours in market-based environments", HP Labs
    HPL-97-91 (1997). His simulator (the C source ``smith.c`` / ``agent.c``, Sept 1996, as published in
    github.com/marcofavorito/zero-intelligence-plus-code) does **not** run a book. Each shout is offered to the
    other side at once and either trades or fails:

    * a side is drawn with probability proportional to its active traders (those with a unit left), then a
      trader of that side *able* to shout;
    * with the NYSE rules on (his ZI-C runs), a zero-intelligence trader is able only if its **limit** can
      beat the best quote of its side in the current session (a seller with cost ≤ best offer, a buyer with value
      ≥ best bid); a trader with a deterministic price (ZIP, truthful, markup) only if its **price** strictly
      beats it. The shout then becomes the best quote if it is better (it need not be);
    * every active trader of the other side responds: a zero-intelligence trader draws a **fresh** random price
      and is *willing* if it strictly beats the shout (``r > p`` for a buyer, ``r < p`` for a seller); a
      deterministic trader is willing if its price reaches the shout (``≥`` / ``≤``); one willing trader,
      drawn uniformly, **trades at the shout's price**;
    * a trade resets the quotes and ends a "session", as does a run of failed shouts (his ``MAX_FAILS`` = 100);
      a day is a fixed number of sessions (his control file's "max trades per day"), and ends early when the
      side drawn has no trader able to shout.

    Cliff's predicted ZI-C mean prices (125 and 260 in his excess-demand and excess-supply boxes) are the
    centres of the overlap of the bid and offer ranges. In this mechanism a shout at ``p`` trades with the
    probability that some trader of the other side draws a better price, which depends on ``p`` and on how many
    traders are left; weighted by it, the expected mean prices are 137.2 and 251.1, and that is what the
    mechanism gives (``tests/teaching/test_teaching_markets.py``).

The teaching market selects either with ``teaching.rules`` (``gode_sunder`` or ``cliff``); ``cda`` keeps the
price-time book.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .orderbook import BUY, SELL

__all__ = [
    "GS_FILL_COLUMNS",
    "GS_REJECTION_COLUMNS",
    "QUOTED",
    "REASON_NOT_IMPROVING",
    "REJECTED",
    "TRADED",
    "CliffQuotes",
    "GodeSunderAuction",
    "cliff_counterpart",
]

#: Outcome of :meth:`GodeSunderAuction.shout`: the shout traded one unit.
TRADED = 1
#: Outcome of :meth:`GodeSunderAuction.shout`: the shout is now its side's best quote.
QUOTED = 0
#: Outcome of :meth:`GodeSunderAuction.shout`: the shout was invalid (see :meth:`~GodeSunderAuction.take_rejections`).
REJECTED = -1

#: A shout that does not improve on its side's best quote (Gode & Sunder's improvement rule).
REASON_NOT_IMPROVING = "not_improving"
REASON_NON_POSITIVE = "non_positive"
REASON_BELOW_FLOOR = "below_floor"
REASON_ABOVE_CEILING = "above_ceiling"
REASON_INVALID_SIDE = "invalid_side"
#: A shout that would cross the same trader's own standing quote.
REASON_SELF_TRADE = "self_trade"

#: Columns of :meth:`GodeSunderAuction.take_fills` (all int64); ``aggressor`` is the side of the shout that
#: crossed the standing quote; the price is the standing quote's.
GS_FILL_COLUMNS = ("time", "buyer", "seller", "price", "aggressor")
#: Columns of :meth:`GodeSunderAuction.take_rejections` (int64 except ``reason``).
GS_REJECTION_COLUMNS = ("time", "trader", "side", "price", "reason")


class GodeSunderAuction:
    """Gode & Sunder's (1993) single-unit double auction (module docstring): best bid and best ask only, the
    improvement rule, trades at the standing quote's price, the book cleared after every trade.

    Parameters
    ----------
    floor_ticks, ceiling_ticks:
        Admissible prices ``[floor, ceiling]`` (ticks); shouts outside are rejected (``below_floor``,
        ``above_ceiling``); ``ceiling_ticks=None``: no ceiling. Prices must be positive (``non_positive``).

    After a :data:`TRADED` shout, :attr:`last_buyer`, :attr:`last_seller` and :attr:`last_price` describe the
    trade. Quotes are visible as :attr:`bid` / :attr:`ask` (ticks, ``-1`` when none) and :attr:`bid_trader` /
    :attr:`ask_trader`.
    """

    __slots__ = ("floor_ticks", "ceiling_ticks", "bid", "bid_trader", "ask", "ask_trader", "last_buyer",
                 "last_seller", "last_price", "_fills", "_rejections")

    def __init__(self, floor_ticks: int = 1, ceiling_ticks: int | None = None) -> None:
        floor_ticks = max(int(floor_ticks), 1)
        if ceiling_ticks is not None and int(ceiling_ticks) < floor_ticks:
            raise ValueError("ceiling_ticks must be >= floor_ticks (and positive)")
        self.floor_ticks = floor_ticks
        self.ceiling_ticks = None if ceiling_ticks is None else int(ceiling_ticks)
        self.bid = self.ask = -1
        self.bid_trader = self.ask_trader = -1
        self.last_buyer = self.last_seller = self.last_price = -1
        self._fills: list[tuple[int, int, int, int, int]] = []
        self._rejections: list[tuple[int, int, int, int, str]] = []

    def shout(self, trader: int, side: int, price: int, time: int = 0) -> int:
        """One single-unit shout; returns :data:`TRADED`, :data:`QUOTED` or :data:`REJECTED`.

        A bid that reaches the best ask (an ask that reaches the best bid) trades at the ask's (bid's) price and
        clears the book; otherwise a bid above the best bid (an ask below the best ask) becomes the best quote;
        any other shout is rejected with ``not_improving``.
        """
        reason = None
        if side != BUY and side != SELL:
            reason = REASON_INVALID_SIDE
        elif price <= 0:
            reason = REASON_NON_POSITIVE
        elif price < self.floor_ticks:
            reason = REASON_BELOW_FLOOR
        elif self.ceiling_ticks is not None and price > self.ceiling_ticks:
            reason = REASON_ABOVE_CEILING
        elif side == BUY:
            if self.ask >= 0 and price >= self.ask:
                if self.ask_trader == trader:
                    reason = REASON_SELF_TRADE
                else:
                    return self._trade(trader, self.ask_trader, self.ask, BUY, time)
            elif self.bid >= 0 and price <= self.bid:
                reason = REASON_NOT_IMPROVING
            else:
                self.bid, self.bid_trader = price, trader
                return QUOTED
        else:
            if self.bid >= 0 and price <= self.bid:
                if self.bid_trader == trader:
                    reason = REASON_SELF_TRADE
                else:
                    return self._trade(self.bid_trader, trader, self.bid, SELL, time)
            elif self.ask >= 0 and price >= self.ask:
                reason = REASON_NOT_IMPROVING
            else:
                self.ask, self.ask_trader = price, trader
                return QUOTED
        self._rejections.append((time, trader, side, price, reason))
        return REJECTED

    def _trade(self, buyer: int, seller: int, price: int, aggressor: int, time: int) -> int:
        self._fills.append((time, buyer, seller, price, aggressor))
        self.last_buyer, self.last_seller, self.last_price = buyer, seller, price
        self.clear()
        return TRADED

    def clear(self) -> None:
        """Cancel both standing quotes (after a trade, and at the end of a period)."""
        self.bid = self.ask = -1
        self.bid_trader = self.ask_trader = -1

    def take_fills(self) -> dict[str, np.ndarray]:
        """Trades since the last call, columns :data:`GS_FILL_COLUMNS` (int64); clears the buffer."""
        rows, self._fills = self._fills, []
        a = np.array(rows, dtype=np.int64).reshape(-1, len(GS_FILL_COLUMNS))
        return {c: np.ascontiguousarray(a[:, i]) for i, c in enumerate(GS_FILL_COLUMNS)}

    def take_rejections(self) -> dict[str, np.ndarray]:
        """Rejected shouts since the last call, columns :data:`GS_REJECTION_COLUMNS`; clears the buffer."""
        rows, self._rejections = self._rejections, []
        a = np.array([r[:4] for r in rows], dtype=np.int64).reshape(-1, 4)
        out = {c: np.ascontiguousarray(a[:, i]) for i, c in enumerate(GS_REJECTION_COLUMNS[:4])}
        out["reason"] = np.array([r[4] for r in rows], dtype=str) if rows else np.zeros(0, dtype=str)
        return out


class CliffQuotes:
    """The NYSE quotes of Cliff's (1997) simulator (module docstring): the best bid and offer shouted in the
    current session, which decide who is able to shout. :meth:`reset` when a session ends (a trade, or a run of
    failed shouts)."""

    __slots__ = ("bid", "offer")

    def __init__(self) -> None:
        self.bid = self.offer = -1

    def reset(self) -> None:
        self.bid = self.offer = -1

    def able(self, side: int, level: int, strict: bool) -> bool:
        """May a trader of ``side`` shout? ``level`` is its limit (zero-intelligence traders, ``strict=False``:
        a seller with cost ≤ best offer, a buyer with value ≥ best bid) or its price (deterministic traders,
        ``strict=True``: strictly better than the best quote). Everybody may open a session."""
        if side == SELL:
            return self.offer < 0 or (level < self.offer if strict else level <= self.offer)
        return self.bid < 0 or (level > self.bid if strict else level >= self.bid)

    def note(self, side: int, price: int) -> None:
        """Record a shout: it becomes its side's best quote if it is better (it need not be)."""
        if side == SELL:
            if self.offer < 0 or price < self.offer:
                self.offer = price
        elif price > self.bid:
            self.bid = price


def cliff_counterpart(shout_side: int, price: int, responses: Sequence[int], strict: Sequence[bool],
                      u: float) -> int:
    """Index (into ``responses``) of the trader who takes a shout in Cliff's simulator, or ``-1``.

    ``responses`` are the prices of the other side's active traders at this shout (a fresh random draw for a
    zero-intelligence trader, ``strict=True``; the current price of a deterministic one, ``strict=False``;
    negative: cannot price, never willing). A buyer is willing if its response beats a shouted offer
    (``r > p``, or ``r ≥ p`` when not strict), a seller if it beats a shouted bid; one willing trader is chosen
    with the uniform ``u`` in [0, 1). The trade is at the shout's ``price``.
    """
    willing = []
    if shout_side == SELL:  # buyers respond to an offer
        for k, r in enumerate(responses):
            if r >= 0 and (r > price if strict[k] else r >= price):
                willing.append(k)
    else:  # sellers respond to a bid
        for k, r in enumerate(responses):
            if r >= 0 and (r < price if strict[k] else r <= price):
                willing.append(k)
    return willing[int(u * len(willing))] if willing else -1
