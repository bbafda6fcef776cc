"""Terms of confirmed water rights (``water.right``): the validity term and its end (rule W2), and medium- and
long-term deals of the right itself (W4).

* :func:`validity` — at the end of its term an industrial right returns to the reserve (to be bought again on
  the market, ``reclaim``); the others are re-verified for a new term, keeping the set share;
* :func:`long_term` — matured term deals end (the right returns to the farm that saved the water), holders
  invest in saving where it pays (:func:`.decisions.invest_in_saving`), and farms with savings sell their
  right for a term to industrial firms short of rights (a ``negotiation`` trade of ``water.right``, price
  per m³ for the whole term: the present value of the expected annual price over the term,
  :func:`~rights_market.rules.economics.term_price`; the recorded base price is the present value of the
  relation's base price likewise). The whole price goes to the farm that saved the water, with no
  collective share (rule W13: 谁节约、谁受益).

Quantities m³ per year of confirmed right, prices ticks per m³, money fen.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import GOVERNMENT
from ...rules import economics as econ
from ...scenario.water import SECTORS
from ...units import TICKS_PER_YUAN, amount_fen_array, decimal_to_rational
from ..shared.pledges import cap_sales
from ..shared.registry import register
from . import decisions
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
    # W4: saving is an investment decision (docs/economics.md); it lowers the reference use for good, and
    # frees confirmed right a farm may sell for a term
    more = decisions.invest_in_saving(st, cfg, confirmed)
    st.saving_cost_year = decisions.saving_capital(st, cfg, more)
    st.saving_year = float(more.sum())
    st.invested += more
    st.q_ref = np.maximum(st.q_ref - more, 0.0)
    st.saved += np.where(st.sector == AGRI, more, 0).astype(np.int64)
    plan_use = decisions.normal_year_use(st, cfg, confirmed)  # next year's use at the expected prices
    sellable = np.minimum(st.saved, np.maximum(confirmed - plan_use, 0))
    shortfall = np.where(st.sector == IND, np.maximum(plan_use - confirmed, 0), 0)
    pairs = random_pairs(rng, np.nonzero(sellable > 0)[0], np.nonzero(shortfall > 0)[0], lt.pairs_per_year)
    if pairs is None:
        return
    s, b = pairs
    # the price of a term deal: the present value of the annual price expected for it (rule W4), the
    # relation's expectation being what industry expects to pay; both sides gain: the buyer's value of the
    # right (its expected purchase price, or the surcharge it avoids, per year) is at least it, and the
    # farm would otherwise sell the saved water year by year at its expected sale price
    rate = cfg.spec.economics.discount_rate
    expected = st.exp_buy[st.sector[b]]
    annual_limit_b = np.minimum(expected, surcharge_step(cfg)) if cfg.pricing.surcharges["industry"] else expected
    ok = (expected >= st.exp_sell[st.sector[s]]) & (annual_limit_b >= expected - 1e-12)
    s, b, expected = s[ok], b[ok], expected[ok]
    if not s.size:
        return
    price = np.floor(econ.term_price(expected, lt.term_years, rate) * TICKS_PER_YUAN).astype(np.int64)
    qty = np.minimum(sellable[s], shortfall[b])
    # X3: a pledged right cannot change hands: each deal is cut to the seller's free right (rest ``pledged``)
    qty = cap_sales(world, RIGHT_P, st.ids[s], qty, price)
    ok = (qty > 0) & (price > 0)
    s, b, price, qty = s[ok], b[ok], price[ok], qty[ok]
    if not s.size:
        return
    amount = amount_fen_array(qty, price)
    acc.move(RIGHT_P, st.ids[s], st.ids[b], qty)
    acc.pay(st.ids[b], st.ids[s], amount)
    st.saved[s] -= qty
    st.term_deals.append(TermDeal(st.ids[s], st.ids[b], qty, year + lt.term_years))
    register(world, right=RIGHT, product=RIGHT_P, event="transfer", holder=st.ids[b], counterparty=st.ids[s],
             quantity=qty, unit=UNIT, term_end=year + lt.term_years, amount_fen=amount,
             note=f"term deal, {lt.term_years} year{'s' if lt.term_years > 1 else ''} (W4)")
    np.add.at(st.leased_in, b, qty)
    # the relation's base price as a term price too: the present value of the base price over the term
    base_annual = cfg.pricing.base_price(st.sector[s], st.sector[b]) / TICKS_PER_YUAN
    base = np.floor(econ.term_price(base_annual, lt.term_years, rate) * TICKS_PER_YUAN).astype(np.int64)
    names = np.array(SECTORS, dtype=object)
    world.record_trades(right=RIGHT, product=RIGHT_P, mechanism="negotiation", seller=st.ids[s],
                        buyer=st.ids[b], quantity=qty, unit=UNIT, price_ticks=price, amount_fen=amount,
                        relation=names[st.sector[s]] + "->" + names[st.sector[b]], base_price_ticks=base)


def surcharge_step(cfg: WaterConfig) -> float:
    """The industrial surcharge of the top band an over-use allowance can reach (yuan per m³): what a firm
    short of rights pays at most per m³ instead of buying."""
    sur = cfg.pricing.surcharges["industry"]
    share = max((g.max_overuse_share for g in cfg.spec.groups if g.sector == "industry"), default=0.0)
    bands = max(1, int(np.ceil(share / float(sur.width)))) if sur.width else 1
    if sur.max_band is not None:
        bands = min(bands, sur.max_band)
    return bands * float(sur.step) * float(sur.reference_price) / TICKS_PER_YUAN
