"""Energy for forest (能耗换林, rule F8) and land for forest (以地换林, rule F7).

An afforestation lot is an area of the shallow mountains that a firm plants at its own cost. The firm's
investment converts into a reward the lot fixes in advance:

* F8 — energy-use quota ``forest.energy_quota`` (kgce): quota = investment ÷ the conversion rate (yuan per t of
  standard coal; 7,000 by default, the Huinong case). The plan's energy–forest equivalence (能耗—林木等价体系,
  [F §二(四)10]) fixes the price: the lot's quota costs exactly the conversion rate, so the winner pays exactly
  the lot's investment and its cost per tce is the rate. Firms compete (竞标) for the right to afforest, not on
  the price: by listing, every firm whose value of quota reaches the rate registers and the earliest registrant
  takes the lot at the rate (nobody may raise a fixed price); by tender, the best afforestation score wins
  (ties: the earlier bid). The quota the firms later resell (auction of surplus) is priced by the market.
* F7 — construction-land quota ``land.construction_quota`` (m²): the set share (3 %) of the afforested area.
  The lot is offered for its quota at a start price per m² that makes the standard investment.

The forest farm organises the lots on the district's behalf: the reward is issued to it and sold to the winner,
whose payment goes to the farm, which pays the planting contractors (or, if the scenario says so, passes the
whole investment on to them). What survives of the planting becomes the winner's parcel: state land, contract
right with the farm, the management right with the firm for the lot's term — tradable (F5) and registered if
the term reaches the threshold (F2). Unsold lots give their quota back and are recorded as rejected sell
orders. Firms use their energy quota at the year end and sell quota above their need in the middle of the year.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import CONSUMED, ECONOMY, GOVERNMENT, ISSUER
from ...market.listing import run_listing
from ...market.tender import TenderTerms, run_tender
from ...rules.forest import (
    construction_quota_m2,
    energy_quota_kgce,
    mu_to_cmu,
    needs_registration,
    per_mu_amount_fen,
    quota_price_ticks_per_kg,
    split_area,
    stock_dm3,
    survived_area,
)
from ...units import amount_fen, decimal_to_rational, div_round_half_up, yuan_to_fen
from ..shared.records import record_charge, record_rejection, record_trade
from ..shared.registry import register
from .parcels import AREA_UNIT, ENERGY_LOT, LAND_LOT, MANAGEMENT, RIGHT
from .state import ForestState
from .trading import listing_terms

ENERGY = "forest.energy_quota"
ENERGY_UNIT = "kgce"
LAND_QUOTA = "land.construction_quota"
LAND_UNIT = "m2"


def energy_lots(spec, year: int) -> list[tuple[int, int]]:
    """Rule F8: this year's lots as (area cmu, investment fen): the explicit ones, then ``lots_per_year`` of
    the standard size at the standard investment per mu."""
    out = []
    rate = decimal_to_rational(spec.yuan_per_t_sce)
    for lot in spec.lots:
        if lot.year != year:
            continue
        area = mu_to_cmu(lot.area_mu)
        if lot.investment_yuan is not None:
            inv = yuan_to_fen(lot.investment_yuan)
        elif lot.quota_t_sce is not None:
            q = decimal_to_rational(lot.quota_t_sce) * rate * 100  # t × yuan/t → fen
            inv = div_round_half_up(q.numerator, q.denominator)
        else:
            inv = int(per_mu_amount_fen(area, decimal_to_rational(spec.investment_yuan_per_mu)))
        out.append((area, inv))
    std = mu_to_cmu(spec.lot_area_mu)
    out += [(std, int(per_mu_amount_fen(std, decimal_to_rational(spec.investment_yuan_per_mu))))] * spec.lots_per_year
    return out


def land_lots(spec, year: int) -> list[tuple[int, int]]:
    """Rule F7: this year's lots as (area cmu, investment fen)."""
    out = []
    for lot in spec.lots:
        if lot.year == year:
            area = mu_to_cmu(lot.area_mu)
            inv = yuan_to_fen(lot.investment_yuan) if lot.investment_yuan is not None else int(
                per_mu_amount_fen(area, decimal_to_rational(spec.investment_yuan_per_mu)))
            out.append((area, inv))
    std = mu_to_cmu(spec.lot_area_mu)
    out += [(std, int(per_mu_amount_fen(std, decimal_to_rational(spec.investment_yuan_per_mu))))] * spec.lots_per_year
    return out


def _sell_lot(st: ForestState, world: World, product: str, unit: str, quantity: int, start: int, bidders: np.ndarray,
              values: np.ndarray, mechanism: str, rng: np.random.Generator,
              fixed_price: bool = False) -> tuple[int, int] | None:
    """Offer ``quantity`` of ``product`` (held by the farm) to ``bidders``; returns (winner, price) or None.
    With ``fixed_price`` (F8: the conversion rate) the lot goes at ``start``: only firms whose value reaches it
    take part (principle 8), and nobody bids above it."""
    farm, day = st.farm, world.clock.day
    if mechanism == "tender" and bidders.size:
        e = st.spec.energy
        keen = values >= start
        # sealed bid: half the way from the start to the value, or the fixed price
        prices = np.full(values.shape, start) if fixed_price else start + (values - start) // 2
        quality = st.firm_quality[bidders - st.firm_ids[0]]
        res = run_tender(TenderTerms(quantity=quantity, price_weight=e.tender_price_weight, criteria=("afforestation",),
                                     weights=(e.tender_quality_weight,), floor=start, seller=farm),
                         bidders[keen], prices[keen], quality[keen].reshape(-1, 1))
    else:
        bid_values = np.minimum(values, start) if fixed_price else values
        res = run_listing(listing_terms(st.spec.trading.listing, quantity, start, day, seller=farm), bidders,
                          bid_values, rng)
    rej = res.rejections
    if rej["bidder"].size:
        record_rejection(world, product=product, trader=rej["bidder"], side="buy", quantity=quantity,
                                price_ticks=rej["price"], reason=rej["reason"].astype(object))
    if not res.sold:
        record_rejection(world, product=product, trader=farm, side="sell", quantity=quantity, price_ticks=start,
                                reason=res.reason)
        return None
    return int(res.winner), int(res.price)


def _plant_for(st: ForestState, world: World, winner: int, area: int, term: int, origin: int, paid: int,
               rng: np.random.Generator) -> int:
    """The farm plants ``area`` for ``winner``; survivors become the winner's parcels. Returns surviving cmu."""
    spec, acc, year = st.spec, world.accounts, world.clock.year
    if spec.energy.investment_to == "economy":
        cost = paid
    else:
        cost = min(int(per_mu_amount_fen(area, decimal_to_rational(spec.farm.planting_cost_yuan_per_mu))), paid)
        st.farm_year.investment_margin_fen += paid - cost
    if cost:
        acc.pay(st.farm, ECONOMY, cost)
        record_charge(world, holder=st.farm, payee=ECONOMY, product=MANAGEMENT, kind="planting", band=0,
                             quantity=area, rate_ticks=0, amount_fen=cost)
    alive = survived_area(area, rng.normal(float(spec.farm.survival.mean), spec.farm.survival.sd))
    if alive:
        areas = split_area(alive, mu_to_cmu(spec.farm.parcel_mu))
        term_end = year + term - 1
        ids = st.book.add(world, area=areas, owner=GOVERNMENT, contract=st.farm, manager=winner,
                           stock=stock_dm3(areas, spec.farm.growth.new_stock_m3_per_mu), origin=origin, planted=year,
                           term_end=term_end, event="afforest", note="energy for forest" if origin == ENERGY_LOT
                           else "land for forest")
        if needs_registration(term, spec.trading.registration_min_years):
            st.book.registered[ids] = True
            register(world, right=RIGHT, product=MANAGEMENT, event="register", parcel=ids, holder=winner,
                     counterparty=st.farm, quantity=areas, unit=AREA_UNIT, term_end=term_end,
                     note=f"{term} years (F2)")
            st.stats["registrations"] += int(ids.size)
    st.plantable -= alive
    return alive


def run_energy_lots(st: ForestState, world: World) -> None:
    """Rule F8: offer this year's energy-for-forest lots; winners pay the investment, get the quota and the
    management right of what survives."""
    e = st.spec.energy
    if not e.enabled or not st.firm_ids.size:
        return
    rng = world.rng.stream("forest.energy")
    start = quota_price_ticks_per_kg(e.yuan_per_t_sce)
    for area, investment in energy_lots(e, world.clock.year):
        area = min(area, st.plantable)
        if area <= 0:
            break
        quota = energy_quota_kgce(investment, e.yuan_per_t_sce)
        if quota <= 0:
            continue
        world.accounts.move(ENERGY, ISSUER, st.farm, quota)
        register(world, right=RIGHT, product=ENERGY, event="issue", holder=st.farm, quantity=quota, unit=ENERGY_UNIT,
                 amount_fen=investment, note=f"energy for forest: {area} cmu (F8)")
        short = np.maximum(st.energy_need - world.accounts.of(ENERGY, st.firm_ids), 0) > 0
        bidders = st.firm_ids[short]
        values = st.energy_value_ticks[short]
        won = _sell_lot(st, world, ENERGY, ENERGY_UNIT, quota, start, bidders, values, e.mechanism, rng,
                        fixed_price=True)
        if won is None:
            world.accounts.move(ENERGY, st.farm, ISSUER, quota)
            continue
        winner, price = won
        paid = amount_fen(quota, price)
        world.accounts.pay(winner, st.farm, paid)
        world.accounts.move(ENERGY, st.farm, winner, quota)
        record_trade(world, right=RIGHT, product=ENERGY, mechanism=e.mechanism, seller=st.farm, buyer=winner,
                            quantity=quota, unit=ENERGY_UNIT, price_ticks=price, amount_fen=paid,
                            relation="afforestation->firm", base_price_ticks=start)
        st.stats["energy_issued"] += quota
        st.stats["energy_investment_fen"] += paid
        _plant_for(st, world, winner, area, e.term_years, ENERGY_LOT, paid, rng)


def run_land_lots(st: ForestState, world: World) -> None:
    """Rule F7: offer this year's land-for-forest lots for their construction-land quota."""
    sp = st.spec.land
    if not sp.enabled or not st.firm_ids.size:
        return
    rng = world.rng.stream("forest.land")
    for area, investment in land_lots(sp, world.clock.year):
        area = min(area, st.plantable)
        if area <= 0:
            break
        quota = construction_quota_m2(area, sp.construction_share)
        if quota <= 0:
            continue
        start = max(div_round_half_up(investment * 100, quota), 1)  # ticks per m²: investment (fen × 100) / m²
        world.accounts.move(LAND_QUOTA, ISSUER, st.farm, quota)
        register(world, right=RIGHT, product=LAND_QUOTA, event="issue", holder=st.farm, quantity=quota,
                 unit=LAND_UNIT, amount_fen=investment, note=f"land for forest: {area} cmu (F7)")
        won = _sell_lot(st, world, LAND_QUOTA, LAND_UNIT, quota, start, st.firm_ids, st.land_value_ticks,
                        "listing", rng)
        if won is None:
            world.accounts.move(LAND_QUOTA, st.farm, ISSUER, quota)
            continue
        winner, price = won
        paid = amount_fen(quota, price)
        world.accounts.pay(winner, st.farm, paid)
        world.accounts.move(LAND_QUOTA, st.farm, winner, quota)
        record_trade(world, right=RIGHT, product=LAND_QUOTA, mechanism="listing", seller=st.farm, buyer=winner,
                            quantity=quota, unit=LAND_UNIT, price_ticks=price, amount_fen=paid,
                            relation="afforestation->firm", base_price_ticks=start)
        st.stats["land_issued"] += quota
        _plant_for(st, world, winner, area, sp.term_years, LAND_LOT, paid, rng)


def auction_surplus(st: ForestState, world: World) -> None:
    """Rule F8: firms holding energy quota above their year's need sell the surplus on the platform
    (listing with bidding, start at the conversion rate) to firms short of quota."""
    e = st.spec.energy
    if not e.enabled or not e.auction_surplus or not st.firm_ids.size:
        return
    rng = world.rng.stream("forest.energy")
    start = quota_price_ticks_per_kg(e.yuan_per_t_sce)
    acc = world.accounts
    for k, firm in enumerate(st.firm_ids.tolist()):
        surplus = int(acc.of(ENERGY, firm)) - int(st.energy_need[k])
        if surplus <= 0:
            continue
        short = np.maximum(st.energy_need - acc.of(ENERGY, st.firm_ids), 0) > 0
        bidders = st.firm_ids[short]
        res = run_listing(listing_terms(st.spec.trading.listing, surplus, start, world.clock.day, seller=firm),
                          bidders, st.energy_value_ticks[short], rng)
        if not res.sold:
            record_rejection(world, product=ENERGY, trader=firm, side="sell", quantity=surplus, price_ticks=start,
                                    reason=res.reason)
            continue
        paid = amount_fen(surplus, res.price)
        acc.pay(res.winner, firm, paid)
        acc.move(ENERGY, firm, res.winner, surplus)
        record_trade(world, right=RIGHT, product=ENERGY, mechanism="listing", seller=firm, buyer=int(res.winner),
                            quantity=surplus, unit=ENERGY_UNIT, price_ticks=int(res.price), amount_fen=paid,
                            relation="firm->firm", base_price_ticks=start)


def use_energy(st: ForestState, world: World) -> tuple[int, int]:
    """Rule F8: firms use their quota for the year's need (quota → consumed). Returns (used, unmet) kgce."""
    if not st.firm_ids.size:
        return 0, 0
    held = world.accounts.of(ENERGY, st.firm_ids)
    used = np.minimum(held, st.energy_need)
    world.accounts.move(ENERGY, st.firm_ids, CONSUMED, used)
    return int(used.sum()), int((st.energy_need - used).sum())
