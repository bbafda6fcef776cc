"""Terms of confirmed water rights (``water.right``): the validity term and its end (rule W2), and medium- and
long-term deals of the right itself (W4).

* :func:`validity` — at the end of its term an industrial right returns to the reserve (to be bought again on
  the market, ``reclaim``); the others are re-verified for a new term, keeping the set share;
* :func:`long_term` — matured term deals end (the right returns to the farm that saved the water), farms
  retrofit and save water, and farms with savings sell their right for a term to industrial firms short of
  rights by negotiation (a ``negotiation`` trade of ``water.right``, price per m³ for the whole term). The
  whole price goes to the farm that saved the water, with no collective share (rule W13: 谁节约、谁受益).

Quantities m³ per year of confirmed right, prices ticks per m³, money fen.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import GOVERNMENT
from ...market.negotiation import nash_prices
from ...scenario.water import SECTORS
from ...units import amount_fen_array, decimal_to_rational
from ..shared.pledges import cap_sales
from ..shared.registry import register
from .descriptor import RESERVE
from .state import AGRI, IND, RIGHT, RIGHT_P, UNIT, TermDeal, WaterConfig, WaterState, reserve_cash
from .trading import random_pairs


def validity(st: WaterState, world: World, cfg: WaterConfig) -> None:
    """W2: rights whose term ends this year: industry's return to the reserve (to be bought again on the
    market), the others are re-verified for a new term, keeping the set share."""
    acc, year, v = world.accounts, world.clock.year, cfg.spec.validity
    ending = np.nonzero(st.expiry == year)[0]
    if not ending.size:
        return
    conf = acc.of(RIGHT_P, st.ids[ending]) - st.leased_in[ending]  # term deals run to their end (W4)
    ind = st.sector[ending] == IND
    if ind.any():
        acc.move(RIGHT_P, st.ids[ending[ind]], RESERVE, conf[ind])
        world.record_reserve(product=RIGHT_P, action="reclaim", quantity=int(conf[ind].sum()), price_ticks=0,
                             amount_fen=0, stock=int(acc.of(RIGHT_P, RESERVE)), cash_fen=reserve_cash(world),
                             reason="industrial rights expired (W2)")
        st.expiry[ending[ind]] = year + v.industry
    other = ending[~ind]
    if other.size:
        keep = decimal_to_rational(v.reverify_keep_share)
        c = conf[~ind]
        returned = c - (c * keep.numerator) // keep.denominator
        acc.move(RIGHT_P, st.ids[other], GOVERNMENT, returned)
        terms = np.array([getattr(v, SECTORS[s]) for s in st.sector[other]], dtype=np.int64)
        st.expiry[other] = year + terms


def long_term(st: WaterState, world: World, cfg: WaterConfig) -> None:
    """W4: end matured term deals, let farms retrofit, and match savings with firms short of rights."""
    lt = cfg.spec.long_term
    acc, year = world.accounts, world.clock.year
    if not lt.enabled:
        return
    still = []
    for deal in st.term_deals:
        if deal.end == year:  # the right returns to the farm that saved the water
            acc.move(RIGHT_P, deal.buyer, deal.seller, deal.qty)
            np.subtract.at(st.leased_in, deal.buyer - st.first, deal.qty)
            register(world, right=RIGHT, product=RIGHT_P, event="revert", holder=deal.seller,
                     counterparty=deal.buyer, quantity=deal.qty, unit=UNIT, term_end=deal.end,
                     note="term deal ended (W4)")
        else:
            still.append(deal)
    st.term_deals = still
    rng = world.rng.stream("water.long_term")
    confirmed = acc.of(RIGHT_P, st.ids)
    farms = np.nonzero((st.sector == AGRI) & (rng.random(len(st.ids)) < float(lt.retrofit_probability_per_year)))[0]
    share = decimal_to_rational(lt.saving_share)
    saving = (st.need_base[farms] * share.numerator) // share.denominator
    st.need_base[farms] -= saving
    st.saved[farms] += saving
    sellable = np.minimum(st.saved, np.maximum(confirmed - st.need_base, 0))
    shortfall = np.where(st.sector == IND, np.maximum(st.need_base - confirmed, 0), 0)
    pairs = random_pairs(rng, np.nonzero(sellable > 0)[0], np.nonzero(shortfall > 0)[0], lt.pairs_per_year)
    if pairs is None:
        return
    s, b = pairs
    annual = nash_prices(st.mv[b], st.mv[s], float(lt.seller_power), np.zeros(s.size))
    ok = annual > 0
    s, b, annual = s[ok], b[ok], annual[ok]
    if not s.size:
        return
    qty = np.minimum(sellable[s], shortfall[b])
    # X3: a pledged right cannot change hands: each deal is cut to the seller's free right (rest ``pledged``)
    qty = cap_sales(world, RIGHT_P, st.ids[s], qty, annual * lt.term_years)
    ok = qty > 0
    s, b, annual, qty = s[ok], b[ok], annual[ok], qty[ok]
    if not s.size:
        return
    price = annual * lt.term_years  # ticks per m³ of annual right for the whole term
    amount = amount_fen_array(qty, price)
    acc.move(RIGHT_P, st.ids[s], st.ids[b], qty)
    acc.pay(st.ids[b], st.ids[s], amount)
    st.saved[s] -= qty
    st.term_deals.append(TermDeal(st.ids[s], st.ids[b], qty, year + lt.term_years))
    register(world, right=RIGHT, product=RIGHT_P, event="transfer", holder=st.ids[b], counterparty=st.ids[s],
             quantity=qty, unit=UNIT, term_end=year + lt.term_years, amount_fen=amount,
             note=f"term deal, {lt.term_years} year{'s' if lt.term_years > 1 else ''} (W4)")
    np.add.at(st.leased_in, b, qty)
    base = cfg.pricing.base_price(st.sector[s], st.sector[b]) * lt.term_years
    names = np.array(SECTORS, dtype=object)
    world.record_trades(right=RIGHT, product=RIGHT_P, mechanism="negotiation", seller=st.ids[s],
                        buyer=st.ids[b], quantity=qty, unit=UNIT, price_ticks=price, amount_fen=amount,
                        relation=names[st.sector[s]] + "->" + names[st.sector[b]], base_price_ticks=base)
