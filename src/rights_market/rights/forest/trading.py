"""Trading management rights (rules F1, F2, F4, F5) at the public resource trading centre (X1).

A transfer hands the management right of one parcel to a buyer for a term (from the contract holder: a drawn
term; by a holder who took it for a term — 再流转 — or by the reserve: what is left of the term). Before the
trade the parcel is appraised (F4): the appraisal is the starting price of a listing and the reference of the
bounds of a directed transfer, and it is recorded as the trade's ``base_price``. The mechanism is drawn by the
scenario's weights among (F5):

* ``negotiation`` (议价协商): one operator meets the seller; Nash split between the seller's reservation value
  and the buyer's value (``market.negotiation``);
* ``listing`` (挂牌竞价): the lot is listed at max(appraisal, seller's reservation); operators whose value
  reaches it register; a bidding round if two or more (``market.listing``);
* ``directed`` (定向出让): to one designated operator at a price within [min, max] × appraisal
  (``market.directed``).

The forest reserve (X2) trades against the appraisal: a right the market did not take is bought by the reserve
at ``buy_below_value_share`` × its appraisal when the seller accepts that (:func:`reserve_buys`; mechanism
``directed``, relation ``…->reserve``), and the reserve lists what it holds at no less than
``sell_above_value_share`` × the appraisal (its reservation, :meth:`~.state.ForestState.reservation_ticks`).

A pledged right cannot be sold (X3, rejection ``pledged``). A transfer whose remaining term is at least the
registration threshold is registered (F2). Money moves buyer → seller; the right moves in the ledger and the
parcel book together.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ...engine.world import World
from ...market.directed import negotiate_directed
from ...market.listing import ListingTerms, run_listing
from ...market.negotiation import nash_prices
from ...rules.forest import appraise, needs_registration, term_value_ticks
from ...units import amount_fen, decimal_to_rational
from ..shared.pledges import screen_sales
from ..shared.records import record_rejection, record_trade
from ..shared.registry import register
from .parcels import AREA_UNIT, MANAGEMENT, RIGHT
from .state import ForestState

MECHANISMS = ("negotiation", "listing", "directed")


def listing_terms(spec_listing, quantity: int, start: int, day: int, seller: int | None = None) -> ListingTerms:
    """The F5 listing terms of one lot (ticks per 0.01 mu; the listing period on the day clock) listed by
    ``seller`` (who may not register for its own lot)."""
    inc = decimal_to_rational(spec_listing.increment_share)
    increment = max((start * inc.numerator) // inc.denominator, 1)
    return ListingTerms(quantity=int(quantity), start=int(start), increment=int(increment), floor=0, opens=day,
                        closes=day + spec_listing.days, round_seconds=spec_listing.round_seconds,
                        extension_window=spec_listing.extension_window_seconds,
                        extension=spec_listing.extension_seconds, seller=seller)


def candidates(st: ForestState, world: World, rng: np.random.Generator) -> np.ndarray:
    """Parcels whose management right comes to market this session: households' own parcels (transfer rate),
    rights held for a term by operators and firms (re-transfer rate), and every right the reserve holds."""
    book, tr = st.book, st.spec.trading
    n = world.calendar.sessions_per_year
    year = world.clock.year
    m, c, te = book.col("manager"), book.col("contract"), book.col("term_end")
    own = np.nonzero((m == c) & np.isin(m, st.household_ids))[0]
    own = own[rng.random(own.size) < float(tr.transfer_rate_per_year) / n]
    held = np.nonzero(np.isin(m, np.concatenate([st.operator_ids, st.firm_ids])) & (te >= year))[0]
    held = held[rng.random(held.size) < float(tr.retransfer_rate_per_year) / n]
    reserve = np.nonzero(m == st.reserve)[0]
    return np.concatenate([own, held, reserve])


def transfer(st: ForestState, world: World, parcel: int, rng: np.random.Generator) -> bool:
    """One management-right transfer of ``parcel`` by the F5 mechanism the scenario's weights draw. Returns
    whether it traded; a failed attempt is recorded as a rejection with its reason."""
    book, tr, year = st.book, st.spec.trading, world.clock.year
    seller = int(book.manager[parcel])
    first = seller == int(book.contract[parcel])
    term = int(rng.integers(tr.term_years.min, tr.term_years.max + 1)) if first else int(
        book.remaining_years(np.array([parcel]), year)[0])
    if term <= 0:
        return False
    area = int(book.area[parcel])
    appr = appraise(st.appraisal, st.stock_per_mu(parcel), term)
    reservation = st.reservation_ticks(seller, term, appr)
    start = max(appr.start_ticks_per_cmu, reservation)
    if book.pledged[parcel]:  # X3/F3: this parcel is collateral (the ledger screen below checks quantities)
        record_rejection(world, product=MANAGEMENT, trader=seller, side="sell", quantity=area, price_ticks=start,
                         reason="pledged")
        return False
    if not screen_sales(world, MANAGEMENT, np.array([seller]), np.array([area]), np.array([start]))[0]:
        return False
    buyers = st.operator_ids[st.operator_ids != seller]
    if not buyers.size:
        return False
    values = term_value_ticks(st.operator_value[buyers - st.operator_ids[0]], st.appraisal.rate, term)
    weights = np.array([float(getattr(tr.mechanisms, k)) for k in MECHANISMS])
    mech = MECHANISMS[int(rng.choice(len(MECHANISMS), p=weights / weights.sum()))]
    if mech == "listing":
        res = run_listing(listing_terms(tr.listing, area, start, world.clock.day, seller), buyers, values, rng)
        rej = res.rejections
        if rej["bidder"].size:
            record_rejection(world, product=MANAGEMENT, trader=rej["bidder"], side="buy", quantity=area,
                                    price_ticks=rej["price"], reason=rej["reason"].astype(object))
        if not res.sold:
            record_rejection(world, product=MANAGEMENT, trader=seller, side="sell", quantity=area, price_ticks=start,
                                    reason=res.reason)
            return reserve_buys(st, world, parcel, term, first, appr.start_ticks_per_cmu, reservation)
        buyer, price = int(res.winner), int(res.price)
    elif mech == "negotiation":
        k = int(rng.integers(buyers.size))
        neg = tr.negotiation
        p = nash_prices(values[k : k + 1], np.array([reservation]), float(neg.seller_power),
                        rng.normal(0.0, neg.noise_sd_share, size=1), buyer=buyers[k : k + 1], seller=np.array([seller]))
        if p[0] <= 0:
            record_rejection(world, product=MANAGEMENT, trader=int(buyers[k]), side="buy", quantity=area,
                                    price_ticks=int(values[k]), reason="no_agreement")
            return reserve_buys(st, world, parcel, term, first, appr.start_ticks_per_cmu, reservation)
        buyer, price = int(buyers[k]), int(p[0])
    else:
        k = int(rng.integers(buyers.size))
        d = tr.directed
        base = Fraction(appr.start_ticks_per_cmu)
        lo = int(base * decimal_to_rational(d.min_share_of_appraisal))
        hi = max(int(base * decimal_to_rational(d.max_share_of_appraisal)), lo)
        res = negotiate_directed(buyers[k : k + 1], np.array([area]), values[k : k + 1], np.array([reservation]),
                                 lo, hi, float(d.seller_power), rng.normal(0.0, tr.negotiation.noise_sd_share, size=1),
                                 sellers=np.array([seller]))
        if not res.accepted[0]:
            record_rejection(world, product=MANAGEMENT, trader=int(buyers[k]), side="buy", quantity=area,
                                    price_ticks=int(values[k]), reason=str(res.reason[0]))
            return reserve_buys(st, world, parcel, term, first, appr.start_ticks_per_cmu, reservation)
        buyer, price = int(buyers[k]), int(res.price[0])
    settle(st, world, parcel, buyer, price, mech, (year + term - 1) if first else None, appr.start_ticks_per_cmu)
    return True


def reserve_buys(st: ForestState, world: World, parcel: int, term: int, first: bool, appraisal_ticks: int,
                 reservation: int) -> bool:
    """Rule X2 (收储): the reserve buys the management right of ``parcel`` that the market did not take, at
    ``buy_below_value_share`` × the appraisal, if the seller accepts that price (its reservation is not above
    it) and the reserve has the cash. Returns whether it bought; the purchase is a directed transfer to the
    reserve (trade, registry and ``reserve`` row)."""
    spec = st.spec.reserve
    seller = int(st.book.manager[parcel])
    share = decimal_to_rational(spec.buy_below_value_share)
    price = appraisal_ticks * share.numerator // share.denominator
    if not spec.enabled or seller == st.reserve or price <= 0 or reservation > price:
        return False
    if amount_fen(int(st.book.area[parcel]), price) > int(world.accounts.of("money", st.reserve)):
        return False
    settle(st, world, parcel, st.reserve, price, "directed", (world.clock.year + term - 1) if first else None,
           appraisal_ticks)
    return True


def settle(st: ForestState, world: World, parcel: int, buyer: int, price: int, mechanism: str, term_end: int | None,
           appraisal_ticks: int) -> None:
    """Apply one transfer: money buyer → seller, the management right seller → buyer (ledger and book),
    registration if the remaining term reaches the threshold (F2), the trade record."""
    book, year = st.book, world.clock.year
    seller = int(book.manager[parcel])
    area = int(book.area[parcel])
    amount = amount_fen(area, price)
    world.accounts.pay(buyer, seller, amount)
    ids = np.array([parcel], dtype=np.int64)
    book.move_management(world, ids, buyer, term_end, event="transfer", amount_fen=amount, note=mechanism)
    remaining = int(book.remaining_years(ids, year)[0])
    registered = bool(needs_registration(remaining, st.spec.trading.registration_min_years))
    book.registered[parcel] = registered
    if registered:
        register(world, right=RIGHT, product=MANAGEMENT, event="register", parcel=parcel, holder=buyer,
                 counterparty=seller, quantity=area, unit=AREA_UNIT, term_end=int(book.term_end[parcel]),
                 amount_fen=amount, note=f"{remaining} years >= {st.spec.trading.registration_min_years} (F2)")
        st.stats["registrations"] += 1
    record_trade(world, right=RIGHT, product=MANAGEMENT, mechanism=mechanism, seller=seller, buyer=buyer,
                        quantity=area, unit=AREA_UNIT, price_ticks=price, amount_fen=amount,
                        relation=f"{st.kind_of(seller)}->{st.kind_of(buyer)}", base_price_ticks=appraisal_ticks)
    st.stats["transfers"] += 1
    st.stats["transferred_cmu"] += area
    st.stats["transfer_fen"] += amount
    if st.reserve in (seller, buyer):
        sold = seller == st.reserve
        share = st.spec.reserve.sell_above_value_share if sold else st.spec.reserve.buy_below_value_share
        world.record_reserve(product=MANAGEMENT, action="sell" if sold else "buy", quantity=area, price_ticks=price,
                             amount_fen=amount, stock=int(world.accounts.of(MANAGEMENT, st.reserve)),
                             cash_fen=int(world.accounts.of("money", st.reserve)),
                             reason=f"{'above' if sold else 'below'} {share} × the assessed value (X2, F4)")


def session(st: ForestState, world: World) -> None:
    """Rule F5: the session's transfers, in a seeded random order."""
    rng = world.rng.stream("forest.trading")
    for parcel in candidates(st, world, rng).tolist():
        transfer(st, world, int(parcel), rng)
