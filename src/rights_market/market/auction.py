"""Ascending open bidding: the timed bidding round and the English auction with a reserve price (拍卖).

Mechanism of rule X1 (the same for every right): this module knows nothing of what is sold. Prices are integer
**ticks** (0.0001 yuan per base unit), quantities integer **base units**, times integer **seconds** on the
round's own clock (0 = the round opens). A result is a record with the winner, the price, every accepted bid
and every rejected one with its reason; nothing is dropped silently.

The bidding round (:class:`AscendingRound`)
-------------------------------------------
A small explicit state machine, also used by the bidding stage of a listing (:mod:`.listing`).

* The round opens at ``opened_at`` with a current price ``start``. Optionally a *standing offer* — a bidder
  who already holds the start price, e.g. the earliest registrant of a listing — leads from the opening.
* :meth:`AscendingRound.bid` takes ``(bidder, price, t)`` with ``t`` non-decreasing. A bid is accepted if the
  round is open at ``t`` (``t`` before the end), the bidder is admitted, the bidder is not already leading
  (unless ``allow_self_raise``) and the price is at least the **minimum bid**: the start price for the first bid
  of a round without a leader, else the current price plus the increment. The accepted bid becomes the current
  price and its bidder the leader. Bids are processed in the order they arrive, so of two bids at the same
  price the earlier wins and the later is rejected (``below_increment``): *earlier bid wins a tie*.
* **Extension (延时).** A bid accepted in the last ``extension_window`` seconds before the end moves the end:
  ``mode="add"`` adds ``extension`` seconds to it, ``mode="restart"`` sets it to ``t + extension`` if that is
  later (the countdown restarts at every late bid). ``max_extensions`` caps how often (``None``: no cap).
* :meth:`AscendingRound.close` ends the round at ``t`` (a timed round cannot be closed before its end).
  The leader wins at the current price.

Rejection reasons: ``non_positive`` (price ≤ 0), ``self_trade`` (the bidder is the seller of the lot), ``round_closed`` (at or after the end, or after close),
``not_registered`` (the bidder is not one of the round's bidders), ``already_leading``, ``below_start`` (first
bid below the start price), ``below_increment`` (below current price + increment).

The English auction (:func:`english_auction`, :class:`EnglishAuction`)
-----------------------------------------------------------------------
An auction house sale (拍卖): a starting price (起拍价), a reserve price (保留价, secret to bidders; it may be
above the starting price) and an increment. The bidding is one ascending round; at the hammer the highest bid
sells if it reaches the reserve, else the lot is unsold with reason ``reserve_not_met`` (``no_bid`` if nobody
bid). A reserve below the product's floor is refused before the sale: outcome ``rejected``, reason
``below_floor``. Bidders the right's eligibility rule refuses are rejected at registration (``not_eligible``).

The bidding process (:func:`play_round`)
----------------------------------------
A documented, seeded model of bidders with private values, so a policy can run a whole sale in one call. Each
admitted bidder ``i`` has a value ``v_i`` (ticks). At any moment the *willing* bidders are those not leading
whose value reaches the minimum bid. Each willing bidder responds after an exponential think time of mean
``mean_response_s`` seconds (memoryless, so the clocks are re-drawn after every bid without bias): the next
bid comes after ``Exp(mean_response_s / k)`` seconds (``k`` willing bidders, rounded up to whole seconds)
from a willing bidder drawn uniformly, who bids exactly the minimum bid (no jump bids). If that time falls at
or after the end of a timed round, nobody bids again and the round closes at its end; in an untimed round
the auctioneer closes when nobody is willing. Under this process an English auction ends with the price
within one increment of the second-highest value (or at the start price), the highest-value bidder winning
unless time runs out — what English-auction theory predicts (Vickrey 1961; Milgrom & Weber 1982).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

__all__ = [
    "AscendingRound",
    "AuctionResult",
    "Eligibility",
    "EnglishAuction",
    "RoundRules",
    "english_auction",
    "is_eligible",
    "play_round",
]

#: Eligibility hook of a right policy: a callable ``bidder -> bool`` or a boolean mask indexed by account id
#: (ids outside the mask are not eligible); ``None`` admits everybody.
Eligibility = Callable[[int], bool] | np.ndarray | None


def is_eligible(eligible: Eligibility, bidder: int) -> bool:
    """Whether ``bidder`` passes the eligibility hook ``eligible`` (see :data:`Eligibility`)."""
    if eligible is None:
        return True
    if isinstance(eligible, np.ndarray):
        return 0 <= bidder < eligible.size and bool(eligible[bidder])
    return bool(eligible(bidder))


def _columns(rows: list[tuple], names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Rows of integers (and a trailing reason string if the last name is ``reason``) → dict of columns."""
    has_reason = names[-1] == "reason"
    n_int = len(names) - 1 if has_reason else len(names)
    ints = np.array([r[:n_int] for r in rows], dtype=np.int64).reshape(-1, n_int)
    out = {name: np.ascontiguousarray(ints[:, i]) for i, name in enumerate(names[:n_int])}
    if has_reason:
        out["reason"] = np.array([r[n_int] for r in rows], dtype=str) if rows else np.zeros(0, dtype=str)
    return out


#: Columns of a bid log (int64): time in seconds of the round's clock, bidder account id, price in ticks.
BID_COLUMNS = ("time", "bidder", "price")
#: Columns of a rejection log: as :data:`BID_COLUMNS` plus ``reason`` (str).
REJECTION_COLUMNS = ("time", "bidder", "price", "reason")


@dataclass(frozen=True, slots=True)
class RoundRules:
    """Rules of one ascending bidding round (times in seconds, prices in ticks).

    ``increment``: minimum raise over the current price (> 0). ``duration``: length of the round, or ``None``
    for an untimed round closed by the caller. ``extension_window``/``extension``/``mode``/``max_extensions``:
    the 延时 rule (module docstring); a window of 0 disables it. ``allow_self_raise``: whether the leader may
    raise its own bid. ``first_bid_at_start``: whether the first bid of a round without a leader may equal the
    start price (else it must be start + increment).
    """

    increment: int
    duration: int | None = None
    extension_window: int = 0
    extension: int = 0
    mode: Literal["add", "restart"] = "add"
    max_extensions: int | None = None
    allow_self_raise: bool = False
    first_bid_at_start: bool = True

    def __post_init__(self) -> None:
        if int(self.increment) <= 0:
            raise ValueError("increment must be a positive number of ticks")
        if self.duration is not None and int(self.duration) <= 0:
            raise ValueError("duration must be positive seconds (or None for an untimed round)")
        if self.extension_window < 0 or self.extension < 0:
            raise ValueError("extension_window and extension must be >= 0 seconds")
        if self.mode not in ("add", "restart"):
            raise ValueError("mode must be 'add' or 'restart'")
        if self.max_extensions is not None and self.max_extensions < 0:
            raise ValueError("max_extensions must be >= 0 or None")


class AscendingRound:
    """One ascending bidding round (rules in the module docstring). Rule X1 mechanism.

    Parameters
    ----------
    start:
        Start price in ticks (> 0).
    rules:
        :class:`RoundRules`.
    bidders:
        Account ids admitted to bid, or ``None`` to admit anybody.
    opened_at:
        Round clock at the opening (seconds), default 0.
    standing:
        ``(bidder, t)`` of a standing offer at the start price that leads from the opening, or ``None``.
    seller:
        Account selling the lot, or ``None``; its bids are refused (``self_trade``): nobody buys from itself.
    """

    __slots__ = ("start", "rules", "admitted", "seller", "price", "leader", "leader_time", "end", "extensions", "closed",
                 "closed_at", "_bids", "_rejections", "_now")

    def __init__(self, start: int, rules: RoundRules, bidders: Iterable[int] | None = None, opened_at: int = 0,
                 standing: tuple[int, int] | None = None, seller: int | None = None) -> None:
        start = int(start)
        if start <= 0:
            raise ValueError("start price must be positive ticks")
        self.start = start
        self.rules = rules
        self.admitted: frozenset[int] | None = None if bidders is None else frozenset(int(b) for b in bidders)
        self.seller = None if seller is None else int(seller)
        if standing is not None and self.seller is not None and int(standing[0]) == self.seller:
            raise ValueError("the seller cannot hold the standing offer on its own lot")
        self.price = start
        self.leader: int | None = None
        self.leader_time: int | None = None
        if standing is not None:
            self.leader, self.leader_time = int(standing[0]), int(standing[1])
        self.end: int | None = None if rules.duration is None else int(opened_at) + int(rules.duration)
        self.extensions = 0
        self.closed = False
        self.closed_at: int | None = None
        self._bids: list[tuple[int, int, int]] = []
        self._rejections: list[tuple[int, int, int, str]] = []
        self._now = int(opened_at)

    # ------------------------------------------------------------------ queries
    def min_bid(self) -> int:
        """Lowest price the next bid may have, in ticks."""
        if self.leader is None and self.rules.first_bid_at_start:
            return self.start
        return self.price + self.rules.increment

    def is_open(self, t: int) -> bool:
        """Whether a bid at ``t`` seconds would be in time."""
        return not self.closed and (self.end is None or int(t) < self.end)

    @property
    def n_bids(self) -> int:
        """Number of accepted bids in the round (a standing offer is not a bid)."""
        return len(self._bids)

    def bids(self) -> dict[str, np.ndarray]:
        """Accepted bids, columns :data:`BID_COLUMNS`, in arrival order."""
        return _columns(self._bids, BID_COLUMNS)

    def rejections(self) -> dict[str, np.ndarray]:
        """Rejected bids, columns :data:`REJECTION_COLUMNS`, in arrival order."""
        return _columns(self._rejections, REJECTION_COLUMNS)

    # ------------------------------------------------------------------ events
    def bid(self, bidder: int, price: int, t: int) -> str | None:
        """Submit a bid of ``price`` ticks by ``bidder`` at ``t`` seconds; ``None`` if accepted, else the reason.

        ``t`` must not be earlier than the previous event (``ValueError``: a caller bug, not a bad bid).
        """
        bidder, price, t = int(bidder), int(price), int(t)
        if t < self._now:
            raise ValueError(f"bid at t={t} is earlier than the previous event at t={self._now}")
        self._now = t
        reason = self._check(bidder, price, t)
        if reason is not None:
            self._rejections.append((t, bidder, price, reason))
            return reason
        self.price, self.leader, self.leader_time = price, bidder, t
        self._bids.append((t, bidder, price))
        r = self.rules
        if (self.end is not None and r.extension_window > 0 and t >= self.end - r.extension_window
                and (r.max_extensions is None or self.extensions < r.max_extensions)):
            new_end = self.end + r.extension if r.mode == "add" else max(self.end, t + r.extension)
            if new_end != self.end:
                self.end = new_end
                self.extensions += 1
        return None

    def _check(self, bidder: int, price: int, t: int) -> str | None:
        if price <= 0:
            return "non_positive"
        if bidder == self.seller:
            return "self_trade"
        if not self.is_open(t):
            return "round_closed"
        if self.admitted is not None and bidder not in self.admitted:
            return "not_registered"
        if bidder == self.leader and not self.rules.allow_self_raise:
            return "already_leading"
        if price < self.min_bid():
            return "below_start" if self.leader is None else "below_increment"
        return None

    def close(self, t: int | None = None) -> None:
        """Close the round at ``t`` (default: its end, or the last event of an untimed round).

        A timed round cannot close before its end (``ValueError``). Closing twice is a no-op.
        """
        if self.closed:
            return
        if t is None:
            t = self.end if self.end is not None else self._now
        t = int(t)
        if self.end is not None and t < self.end:
            raise ValueError(f"the round runs until t={self.end}; it cannot close at t={t}")
        if t < self._now:
            raise ValueError(f"close at t={t} is earlier than the previous event at t={self._now}")
        self.closed, self.closed_at, self._now = True, t, t


def play_round(rnd: AscendingRound, bidders: np.ndarray, values: np.ndarray, rng: np.random.Generator,
               mean_response_s: float = 20.0) -> None:
    """Play ``rnd`` to its close among ``bidders`` with private ``values`` (ticks), by the seeded process of the
    module docstring; a bidder never bids above its value. ``rng`` is the caller's stream
    (``world.rng.stream("<right>.<purpose>")``). The round is closed on return.
    """
    ids = np.asarray(bidders, dtype=np.int64)
    vals = np.asarray(values, dtype=np.int64)
    if ids.shape != vals.shape or ids.ndim != 1:
        raise ValueError("bidders and values must be one-dimensional and of the same length")
    if mean_response_s <= 0:
        raise ValueError("mean_response_s must be positive")
    if np.unique(ids).size != ids.size:
        raise ValueError("bidders must be distinct")
    id_list, val_list = ids.tolist(), vals.tolist()
    keep = [i for i, b in enumerate(id_list) if (rnd.admitted is None or b in rnd.admitted) and b != rnd.seller]
    id_list, val_list = [id_list[i] for i in keep], [val_list[i] for i in keep]
    now = rnd._now
    # The willing bidders of a step are those valuing the lot at the minimum bid, but the leader (unless it may
    # raise itself), in input order. ``alive`` keeps the positions whose value reaches ``alive_need`` (refiltered
    # only when the minimum bid passes the lowest of their values); the leader is skipped by its rank in it.
    position = {b: i for i, b in enumerate(id_list)}
    alive, alive_need, lowest = list(range(len(id_list))), None, min(val_list, default=0)
    while not rnd.closed:
        need = rnd.min_bid()
        if alive_need is None or need < alive_need:
            alive = [i for i, v in enumerate(val_list) if v >= need]
            alive_need, lowest = need, min((val_list[i] for i in alive), default=0)
        elif alive and lowest < need:
            alive = [i for i in alive if val_list[i] >= need]
            alive_need, lowest = need, min((val_list[i] for i in alive), default=0)
        skip = len(alive)
        if rnd.leader is not None and not rnd.rules.allow_self_raise:
            p = position.get(rnd.leader)
            if p is not None and val_list[p] >= need:
                skip = bisect_left(alive, p)
        n_willing = len(alive) - (skip < len(alive))
        if not n_willing:
            rnd.close(max(now, rnd.end) if rnd.end is not None else now)
            break
        wait = int(np.ceil(rng.exponential(mean_response_s / n_willing)))
        r = int(rng.integers(n_willing))
        who = alive[r + (r >= skip)]
        t = now + max(wait, 1)
        if rnd.end is not None and t >= rnd.end:
            rnd.close(rnd.end)
            break
        rnd.bid(id_list[who], need, t)
        now = t


@dataclass(frozen=True)
class AuctionResult:
    """Outcome of an English auction or a listing (see :mod:`.listing`), one record.

    ``outcome``: ``"sold"``, ``"unsold"`` or ``"rejected"``; ``reason``: why not sold (``""`` if sold), e.g.
    ``reserve_not_met``, ``no_bid``, ``no_bidder``, ``below_floor``. ``winner``/``price`` (ticks per base unit):
    ``None`` unless sold. ``quantity``: base units of the lot. ``n_bids``: accepted bids of the bidding round.
    ``bids``/``rejections``: logs (:data:`BID_COLUMNS`, :data:`REJECTION_COLUMNS`); registration rejections
    (``not_eligible``, ...) are in ``rejections`` too with time on the caller's clock and price = the start.
    ``end``: when the round closed (seconds); ``extensions``: how often the 延时 rule fired.
    """

    outcome: Literal["sold", "unsold", "rejected"]
    reason: str
    winner: int | None
    price: int | None
    quantity: int
    n_bids: int
    bids: dict[str, np.ndarray]
    rejections: dict[str, np.ndarray]
    end: int | None = None
    extensions: int = 0
    registered: tuple[int, ...] = field(default_factory=tuple)

    @property
    def sold(self) -> bool:
        """Whether the lot sold."""
        return self.outcome == "sold"


class EnglishAuction:
    """An English auction with a reserve price (拍卖), as an explicit state machine. Rule X1 mechanism.

    Parameters are ticks, base units and seconds: ``quantity`` of the lot, ``start`` (起拍价), ``reserve``
    (保留价, 0 = none; may exceed ``start``), ``floor`` (the product's floor: a reserve — or, without a reserve, a
    start — below it is refused, outcome ``rejected``/``below_floor``), ``rules`` (:class:`RoundRules`),
    ``bidders`` (registered account ids), ``eligible`` (:data:`Eligibility`; refused bidders are rejected
    ``not_eligible`` and cannot bid) and ``seller`` (the account selling, if known: it is refused at registration,
    ``self_trade``, and cannot bid).

    Use :meth:`bid` during the round, then :meth:`hammer`; or :func:`english_auction` for the whole sale.
    """

    def __init__(self, quantity: int, start: int, reserve: int, rules: RoundRules, bidders: Iterable[int],
                 floor: int = 0, eligible: Eligibility = None, seller: int | None = None) -> None:
        self.quantity, self.start, self.reserve, self.floor = int(quantity), int(start), int(reserve), int(floor)
        if self.quantity <= 0:
            raise ValueError("quantity must be positive base units")
        if self.reserve < 0 or self.floor < 0:
            raise ValueError("reserve and floor must be >= 0 ticks")
        self._reg_rejections: list[tuple[int, int, int, str]] = []
        self.refused = max(self.reserve, self.start) < self.floor
        admitted = []
        for b in bidders:
            b = int(b)
            if seller is not None and b == int(seller):
                self._reg_rejections.append((0, b, self.start, "self_trade"))
            elif is_eligible(eligible, b):
                admitted.append(b)
            else:
                self._reg_rejections.append((0, b, self.start, "not_eligible"))
        self.registered = tuple(admitted)
        self.round = AscendingRound(self.start, rules, () if self.refused else admitted, seller=seller)

    def bid(self, bidder: int, price: int, t: int) -> str | None:
        """A bid in the round: ``None`` if accepted, else the reason (see :class:`AscendingRound`)."""
        return self.round.bid(bidder, price, t)

    def hammer(self, t: int | None = None) -> AuctionResult:
        """Close the round and say what sold: the highest bid if it reaches the reserve."""
        rnd = self.round
        rnd.close(t)
        rej = self._reg_rejections + rnd._rejections
        common = {"quantity": self.quantity, "n_bids": rnd.n_bids, "bids": rnd.bids(),
                  "rejections": _columns(rej, REJECTION_COLUMNS), "end": rnd.closed_at,
                  "extensions": rnd.extensions, "registered": self.registered}
        if self.refused:
            return AuctionResult("rejected", "below_floor", None, None, **common)
        if rnd.leader is None:
            return AuctionResult("unsold", "no_bid", None, None, **common)
        if rnd.price < self.reserve:
            return AuctionResult("unsold", "reserve_not_met", None, None, **common)
        return AuctionResult("sold", "", rnd.leader, rnd.price, **common)


def english_auction(quantity: int, start: int, reserve: int, rules: RoundRules, bidders: np.ndarray,
                    values: np.ndarray, rng: np.random.Generator, *, floor: int = 0,
                    eligible: Eligibility = None, mean_response_s: float = 20.0,
                    seller: int | None = None) -> AuctionResult:
    """Run a whole English auction with a reserve among ``bidders`` with private ``values`` (ticks per base
    unit), bidding by :func:`play_round`; return its :class:`AuctionResult`. Rule X1 mechanism (拍卖). The
    ``seller``, if given, is refused (``self_trade``) should it be among the bidders."""
    auction = EnglishAuction(quantity, start, reserve, rules, np.asarray(bidders).tolist(), floor, eligible, seller)
    if not auction.refused:
        play_round(auction.round, bidders, values, rng, mean_response_s)
    return auction.hammer()
