"""Listing with competitive bidding (挂牌竞价), as an explicit state machine plus a one-call driver.

Mechanism of rule X1: the way the plans trade emission rights (E6: 挂牌竞价 on the unified platform), forest
rights (F5: 议价协商、挂牌竞价、定向出让) and state land (L11: 招拍挂, the 挂 being this listing). It knows
nothing of which right it sells. Prices are integer **ticks** (0.0001 yuan per base unit), the lot's quantity
integer **base units**; the listing period runs on the caller's clock (e.g. simulation days), the bidding round
on its own clock in **seconds** (0 = the round opens).

Procedure (as on the Ningxia public resource trading platform, e.g. notice 宁排污出让告字[2025]10号)
----------------------------------------------------------------------------------------------------
1. **Listing.** A seller or a reserve lists one lot with a starting price, a bid increment and a listing
   period ``[opens, closes)``. A starting price below the product's floor is refused: outcome ``rejected``,
   reason ``below_floor`` (the floor of the right, e.g. the base price of emission rights, rule E3).
2. **Registration.** During the listing period bidders register (意向受让申请). A registration accepts the
   starting price. Refused: ``self_trade`` (the seller itself), ``not_eligible`` (the right policy's eligibility hook says no), ``already_registered``,
   ``listing_not_open`` (before ``opens``), ``listing_closed`` (at or after ``closes``, or after the close).
3. **Close of the listing** (:meth:`Listing.close_listing`): no bidder → ``unsold`` (reason ``no_bidder``); a lone
   bidder takes the lot at the starting price; two or more go to a timed bidding round.
4. **Bidding round** (:class:`~.auction.AscendingRound`): ``round_seconds`` long; each bid must be at least the
   current price plus the increment (else ``below_increment``); a bid in the last ``extension_window`` seconds
   extends the round by ``extension`` seconds (延时; ``extension_mode="restart"`` restarts the countdown at
   the bid instead); highest price wins. With ``registration_is_offer`` (the default) every registrant stands
   at the starting price and the **earliest registrant** leads when the round opens, so if nobody raises it
   takes the lot at the starting price and any tie goes to the earlier bid; the first raise must then be at least
   start + increment. Without it the first bid may equal the starting price and a round without a bid leaves the
   lot ``unsold`` (``no_bid``).
5. **Close of the round** (:meth:`Listing.close_round`) → :class:`~.auction.AuctionResult`.

:func:`run_listing` plays all of it in one call among bidders with private values (registration at seeded
random times in the listing period, bidding by :func:`~.auction.play_round`).

No self-trade: with ``ListingTerms.seller`` set, the seller's own registration is refused (``self_trade``) and
the round refuses its bids, so a lot never goes to the account that listed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from .auction import (
    REJECTION_COLUMNS,
    AscendingRound,
    AuctionResult,
    Eligibility,
    RoundRules,
    _columns,
    is_eligible,
    play_round,
)

__all__ = ["Listing", "ListingTerms", "run_listing"]


@dataclass(frozen=True, slots=True)
class ListingTerms:
    """Terms of one listing (rule X1, 挂牌竞价). Ticks, base units; ``opens``/``closes`` on the caller's clock;
    the round's durations in seconds.

    ``quantity``: the lot (> 0). ``start``: starting price (挂牌价/起始价, > 0). ``increment``: minimum raise in the
    round (> 0). ``floor``: the product's floor (a start below it is refused, ``below_floor``). ``opens``/``closes``:
    the registration period. ``round_seconds``: length of the bidding round. ``extension_window``/``extension``/
    ``extension_mode``/``max_extensions``: the 延时 rule. ``registration_is_offer``: see the module docstring.
    ``seller``: the account that lists the lot (``None``: not known to the mechanism); it may not register.
    """

    quantity: int
    start: int
    increment: int
    floor: int = 0
    opens: int = 0
    closes: int = 1
    round_seconds: int = 240
    extension_window: int = 0
    extension: int = 0
    extension_mode: Literal["add", "restart"] = "add"
    max_extensions: int | None = None
    registration_is_offer: bool = True
    seller: int | None = None

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError("quantity must be positive base units")
        if self.start <= 0:
            raise ValueError("start must be positive ticks")
        if self.floor < 0:
            raise ValueError("floor must be >= 0 ticks")
        if self.closes <= self.opens:
            raise ValueError("the listing period must end after it opens (closes > opens)")
        self.round_rules()  # validates increment and the round's times

    def round_rules(self) -> RoundRules:
        """The :class:`~.auction.RoundRules` of the bidding round."""
        return RoundRules(
            increment=self.increment, duration=self.round_seconds, extension_window=self.extension_window,
            extension=self.extension, mode=self.extension_mode, max_extensions=self.max_extensions,
            allow_self_raise=False, first_bid_at_start=not self.registration_is_offer,
        )


State = Literal["listing", "bidding", "sold", "unsold", "rejected"]


class Listing:
    """A listing with competitive bidding (挂牌竞价), one lot; the procedure is in the module docstring.

    ``eligible`` is the right policy's eligibility hook (:data:`~.auction.Eligibility`). ``state`` moves
    ``listing`` → ``bidding`` → ``sold``/``unsold``, or straight from ``listing`` to ``sold`` (lone bidder) or
    ``unsold`` (no bidder); a start below the floor is ``rejected`` from the outset. :attr:`result` holds the
    :class:`~.auction.AuctionResult` once the state is final.
    """

    def __init__(self, terms: ListingTerms, eligible: Eligibility = None) -> None:
        self.terms = terms
        self.eligible = eligible
        self.registered: list[int] = []
        self._registered_set: set[int] = set()  # the same bidders, for the already_registered test
        self.registered_at: list[int] = []
        self.round: AscendingRound | None = None
        self.result: AuctionResult | None = None
        self._reg_rejections: list[tuple[int, int, int, str]] = []
        self.state: State = "listing"
        if terms.start < terms.floor:
            self._finish("rejected", "below_floor", None, None)

    # ------------------------------------------------------------------ listing period
    def register(self, bidder: int, t: int) -> str | None:
        """Register ``bidder`` at ``t`` (caller's clock); ``None`` if accepted, else the reason (recorded)."""
        bidder, t = int(bidder), int(t)
        reason = None
        if self.state != "listing" or t >= self.terms.closes:
            reason = "listing_closed"
        elif t < self.terms.opens:
            reason = "listing_not_open"
        elif self.terms.seller is not None and bidder == self.terms.seller:
            reason = "self_trade"
        elif bidder in self._registered_set:
            reason = "already_registered"
        elif not is_eligible(self.eligible, bidder):
            reason = "not_eligible"
        if reason is not None:
            self._reg_rejections.append((t, bidder, self.terms.start, reason))
            return reason
        if self.registered_at and t < self.registered_at[-1]:
            raise ValueError(f"registration at t={t} is earlier than the previous one at t={self.registered_at[-1]}")
        self.registered.append(bidder)
        self._registered_set.add(bidder)
        self.registered_at.append(t)
        return None

    def close_listing(self, t: int | None = None) -> State:
        """End the listing period (at ``closes`` by default; not before it) and return the new state."""
        if self.state != "listing":
            return self.state
        if t is not None and int(t) < self.terms.closes:
            raise ValueError(f"the listing period runs until {self.terms.closes}; it cannot close at {t}")
        if not self.registered:
            self._finish("unsold", "no_bidder", None, None)
        elif len(self.registered) == 1:
            self._finish("sold", "", self.registered[0], self.terms.start)
        else:
            standing = (self.registered[0], 0) if self.terms.registration_is_offer else None
            self.round = AscendingRound(self.terms.start, self.terms.round_rules(), self.registered, 0, standing,
                                        seller=self.terms.seller)
            self.state = "bidding"
        return self.state

    # ------------------------------------------------------------------ bidding round
    def bid(self, bidder: int, price: int, t: int) -> str | None:
        """A bid of ``price`` ticks at ``t`` seconds of the round; ``None`` if accepted, else the reason.

        Outside the bidding state the bid is rejected with ``not_bidding`` (recorded).
        """
        if self.state != "bidding" or self.round is None:
            self._reg_rejections.append((int(t), int(bidder), int(price), "not_bidding"))
            return "not_bidding"
        return self.round.bid(bidder, price, t)

    def close_round(self, t: int | None = None) -> AuctionResult:
        """Close the bidding round (at its end by default) and return the result."""
        if self.state != "bidding" or self.round is None:
            if self.result is None:
                raise ValueError(f"no bidding round to close (state {self.state!r})")
            return self.result
        rnd = self.round
        rnd.close(t)
        if rnd.leader is None:
            self._finish("unsold", "no_bid", None, None)
        else:
            self._finish("sold", "", rnd.leader, rnd.price)
        assert self.result is not None
        return self.result

    def _finish(self, outcome: Literal["sold", "unsold", "rejected"], reason: str, winner: int | None,
                price: int | None) -> None:
        rnd = self.round
        rows = self._reg_rejections + (rnd._rejections if rnd is not None else [])
        self.result = AuctionResult(
            outcome=outcome, reason=reason, winner=winner, price=price, quantity=self.terms.quantity,
            n_bids=rnd.n_bids if rnd is not None else 0,
            bids=rnd.bids() if rnd is not None else _columns([], ("time", "bidder", "price")),
            rejections=_columns(rows, REJECTION_COLUMNS),
            end=rnd.closed_at if rnd is not None else None, extensions=rnd.extensions if rnd is not None else 0,
            registered=tuple(self.registered),
        )
        self.state = outcome


def run_listing(terms: ListingTerms, bidders: np.ndarray, values: np.ndarray, rng: np.random.Generator, *,
                eligible: Eligibility = None, register_times: np.ndarray | None = None,
                mean_response_s: float = 20.0) -> AuctionResult:
    """Run a whole listing among ``bidders`` with private ``values`` (ticks per base unit); rule X1 (挂牌竞价).

    Every bidder whose value reaches the starting price registers — at ``register_times`` if given, else at a
    time drawn uniformly from the listing period by ``rng`` — in time order (ties in input order); the others
    stay away. If the listing goes to a round, it is played by :func:`~.auction.play_round` (a bidder never bids
    above its value). ``rng`` is the caller's stream. Returns the :class:`~.auction.AuctionResult`.
    """
    ids = np.asarray(bidders, dtype=np.int64)
    vals = np.asarray(values, dtype=np.int64)
    if ids.shape != vals.shape or ids.ndim != 1:
        raise ValueError("bidders and values must be one-dimensional and of the same length")
    listing = Listing(terms, eligible)
    if listing.state == "rejected":
        assert listing.result is not None
        return listing.result
    if register_times is None:
        times = rng.integers(terms.opens, terms.closes, size=ids.size)
    else:
        times = np.asarray(register_times, dtype=np.int64)
        if times.shape != ids.shape:
            raise ValueError("register_times must have the bidders' length")
    interested = np.flatnonzero(vals >= terms.start)
    order = interested[np.argsort(times[interested], kind="stable")]
    for bidder, t in zip(ids[order].tolist(), times[order].tolist(), strict=True):
        listing.register(bidder, t)
    if listing.close_listing() == "bidding":
        assert listing.round is not None
        play_round(listing.round, ids, vals, rng, mean_response_s)
        return listing.close_round()
    assert listing.result is not None
    return listing.result
