"""The teaching / validation market: an induced-values continuous double auction through the whole engine.

A right-agnostic market (rule X1: the same mechanisms serve every right) used in class and to prove the engine
against the experimental-economics literature: Smith (1962), Gode & Sunder (1993), Cliff (1997). Product
``teaching.unit`` (base unit ``unit``). Each calendar session is one trading day ("period"):

1. every seller receives one unit per listed cost (from the issuer); buyers hold values for their units;
   every trader trades its units one at a time, in the listed order (its current unit is its first untraded
   one; Gode & Sunder list a buyer's highest value first and a seller's lowest cost first);
2. shouts arrive one at a time; the shouting trader prices its current unit by its side's behaviour —
   truthful, markup, ZI-C, ZI-U (:func:`~rights_market.agents.behaviour.quote_one`) or ZIP
   (:class:`~rights_market.agents.zip.ZipTraders`, which learns from every shout the market shows);
3. ``teaching.rules`` decides what a shout does:

   * ``cda`` — a trader drawn uniformly among those with a unit left; the shout goes to the price-time
     priority book (:class:`~rights_market.market.ContinuousDoubleAuction`), trades at the resting price; by
     default a trader's new shout replaces its resting one (``one_order_per_trader``); optionally every trade
     clears the book (``clear_book_after_trade``); a trader's other resting shouts are cancelled when it trades
     (they were for the unit it has just traded);
   * ``gode_sunder`` — Gode & Sunder (1993): a trader drawn as for ``cda``; the shout goes to
     :class:`~rights_market.market.gs_auction.GodeSunderAuction` — it must improve on its side's best quote
     (else it is rejected, ``not_improving``, and recorded in ``orders_rejected``), a crossing shout trades one
     unit at the standing quote's price, and every trade clears the book;
   * ``cliff`` — Cliff's (1997) simulator: a side drawn in proportion to its active traders, then a trader of
     it able to shout (``nyse_rule``); the other side's traders respond at once and a random willing one
     trades at the shout's price (:mod:`rights_market.market.gs_auction`); sessions end with a trade or a run
     of ``end_after_idle_shouts`` failures, at most ``sessions_per_period`` a day;
4. the day ends after ``shouts_per_period`` shouts (or ``end_after_idle_shouts`` in a row without a trade, or
   when one side has nothing left to trade — except under ``cliff``, see :func:`.shouts.day_cliff`);
   the book is cleared; trades are settled through the ledger (units seller → buyer, money buyer → seller),
   bought units are consumed and unsold units return to the issuer;
5. KPIs of the day (``kpis`` table, right ``teaching``): ``efficiency`` (realised surplus / maximum surplus),
   ``smith_alpha`` (100 × RMS(price − P0) / P0), ``profit_dispersion`` (RMS over traders of actual minus
   equilibrium profit, yuan; Gode & Sunder 1993), ``mean_price`` (yuan), ``trade_count``, ``surplus`` (yuan),
   ``p0`` (yuan), ``q0`` and ``shouts`` (shouts made that day: rejected ones and turns of a trader unable to
   price inside the bounds included).

Values are induced: the surplus of a trade is the buyer's unit value minus the seller's unit cost, whatever
the price; money budgets play no part (a buyer's money balance may go negative). Trades are recorded with
``mechanism="cda"`` under every rule (all three are continuous double auctions).

The state is declared in :mod:`.state` (the market the spec fixes, the traders, one day); the shouts of a day
are :mod:`.shouts`, its settlement and KPIs :mod:`.records`, the benchmark :mod:`.equilibrium`; this module is
the policy, a thin adapter from the engine's calendar hooks to them.
"""

from __future__ import annotations

import numpy as np

from ...agents.behaviour import BUY
from ...engine.world import World
from ...ledger import ISSUER
from ...scenario.teaching import TeachingSpec
from . import records, shouts
from .state import PRODUCT, RIGHT, Day, TeachingMarket, TeachingState
from .traders import make_traders


class TeachingPolicy:
    """The induced-values market of ``TeachingSpec`` (module docstring), one trading day per session: the
    engine's :class:`~rights_market.engine.policy.RightPolicy` over a :class:`~.state.TeachingState`."""

    right = RIGHT

    def __init__(self, spec: TeachingSpec, total_sessions: int):
        self.market = TeachingMarket.from_spec(spec, total_sessions)
        self.state: TeachingState | None = None  # made at setup

    # ------------------------------------------------------------------ RightPolicy
    def notes(self) -> list[str]:
        """Notes for the run's manifest about what this right did to the input."""
        return []

    def products(self) -> list[str]:
        return [PRODUCT]

    def holder_count(self) -> int:
        return self.market.n

    def setup(self, world: World, first_holder: int) -> None:
        """Holders (buyers then sellers) and their behaviours; ZIP traders draw their parameters here."""
        self.state = make_traders(self.market, world, first_holder)

    def year_start(self, world: World) -> None:
        """Nothing happens at a year start: the teaching market has no years, only trading days."""

    def period_end(self, world: World, period: int) -> None:
        """Nothing to do: every trading day settles itself (units do not outlive the day)."""

    def year_end(self, world: World) -> None:
        """Nothing to do at a year end."""

    def session(self, world: World) -> None:
        """One trading day (module docstring) under ``teaching.rules``; idle once ``periods`` days are traded."""
        m, st = self.market, self.state
        if st is None:
            raise RuntimeError("teaching: the policy's state is made at setup")
        if st.day >= m.periods:
            return
        st.day += 1
        t = world.clock.day
        nb = m.n_buyers
        world.accounts.move(PRODUCT, ISSUER, st.ids[nb:], np.array(m.n_units[nb:], dtype=np.int64))
        day = Day(m, st)
        rules = m.spec.rules
        if rules == "cda":
            rej = shouts.day_cda(day, t)
        elif rules == "gode_sunder":
            rej = shouts.day_gode_sunder(day, t)
        else:
            rej = shouts.day_cliff(day)
        if rej["trader"].size:  # invalid shouts: never dropped silently
            world.record_rejections(product=PRODUCT, trader=st.ids[rej["trader"]],
                                    side=np.where(rej["side"] == BUY, "buy", "sell"),
                                    quantity=np.ones(rej["trader"].size, dtype=np.int64),
                                    price_ticks=rej["price"], reason=rej["reason"])
        records.settle_day(m, st, world, day.t_buyer, day.t_seller, day.t_price, day.nxt)
        records.record_kpis(m, world, day.t_buyer, day.t_seller, day.t_price, day.t_value, day.t_cost,
                            day.n_shouts)
