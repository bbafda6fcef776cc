"""The Helan Mountain forest farm (rule F10), forest funds forest (rule F6) and forest cover (rule F9).

The policy (:mod:`.forest`) calls these steps; each applies the pure rules of :mod:`rights_market.rules.forest`
to the parcel book and moves money only through the ledger:

* :func:`incorporate` — F10: state areas run by the government enter the farm's management over the years;
* :func:`pay_budget` — F10: the fiscal account pays the farm its base budget plus 650 yuan/mu on the budgeted
  area (incorporated greening area, and new planting after the lag);
* :func:`collect_own_revenue` — F6: concessions and under-forest leases pay the farm;
* :func:`plant` — F10: the farm plants part of the plantable land with fiscal afforestation money; a drawn share
  survives and becomes new state parcels the farm manages;
* :func:`grow` — F10: growing stock grows (logistic, a drawn rate per year);
* :func:`spend_maintenance` — F10: the farm pays for maintaining what it manages, within its cash; the
  maintenance gap, what other money of the farm covered and what stays unfunded are kept for the KPIs, so the
  accounts agree: need = spent + unfunded, spent = (budget + F6 revenue used) + other funds;
* :func:`cover` — F9: forest area over district area.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ...engine.world import World
from ...ledger import ECONOMY, FISCAL, GOVERNMENT
from ...rules.forest import (
    forest_cover,
    grow_stock,
    maintenance,
    mu_to_cmu,
    per_mu_amount_fen,
    split_area,
    stock_dm3,
    survived_area,
)
from ...units import decimal_to_rational, yuan_to_fen
from ..shared.records import record_charge
from .parcels import FARM_PLANTING, MANAGEMENT, ParcelBook


@dataclass
class FarmYear:
    """What the farm's books say about the current year (fen, 0.01 mu)."""

    budget_fen: int = 0
    own_revenue_fen: int = 0  # F6: concessions and under-forest leases
    investment_margin_fen: int = 0  # F7/F8 investment the farm received beyond its planting cost
    need_fen: int = 0
    gap_fen: int = 0  # need − budget (≥ 0)
    other_funds_fen: int = 0  # maintenance paid beyond the year's budget and F6 revenue (F7/F8 margin, cash kept)
    unfunded_fen: int = 0  # need − spent: maintenance the farm could not pay
    spent_fen: int = 0
    planted_cmu: int = 0
    survived_cmu: int = 0
    incorporated_cmu: int = 0


def incorporate(book: ParcelBook, world: World, zones, farm: int, incorporated: dict[int, int]) -> int:
    """Rule F10: move whole government-run parcels of incorporating zones to the farm until the zone's
    cumulative incorporated area reaches ``mu_per_year`` × years since the start. Returns the area moved."""
    year = world.clock.year
    moved = 0
    for zi, z in enumerate(zones):
        inc = z.incorporation
        if inc is None or year < inc.start_year:
            continue
        target = min(mu_to_cmu(z.area_mu), mu_to_cmu(inc.mu_per_year) * (year - inc.start_year + 1))
        done = incorporated.get(zi, 0)
        waiting = np.nonzero((book.col("zone") == zi) & (book.col("manager") == GOVERNMENT))[0]
        take = []
        for p in waiting.tolist():
            a = int(book.area[p])
            if done + a > target:
                break
            take.append(p)
            done += a
        if take:
            ids = np.array(take, dtype=np.int64)
            book.move_contract(world, ids, farm, note=f"incorporated: {z.name}")
            book.move_management(world, ids, farm, None, event="incorporate", note=z.name)
            if z.in_budget:
                book.budget_from[ids] = year
            moved += int(book.area[ids].sum())
        incorporated[zi] = done
    return moved


def budgeted_area(book: ParcelBook, farm: int, year: int) -> int:
    """Rule F10: area (cmu) the per-mu budget covers this year: the farm's parcels whose ``budget_from`` has
    come and that the base budget does not cover."""
    m = (book.col("manager") == farm) & (book.col("budget_from") <= year) & ~book.col("base_area")
    return int(book.col("area")[m].sum())


def pay_budget(book: ParcelBook, world: World, spec, farm: int, fy: FarmYear) -> None:
    """Rule F10: the fiscal account pays the farm its yearly maintenance budget (recorded as a charge of kind
    ``budget``, payer the fiscal account)."""
    area = budgeted_area(book, farm, world.clock.year)
    per_mu = decimal_to_rational(spec.budget_yuan_per_mu_year)
    amount = yuan_to_fen(spec.base_budget_yuan_per_year) + int(per_mu_amount_fen(area, per_mu))
    fy.budget_fen = amount
    if amount:
        world.accounts.pay(FISCAL, farm, amount)
        record_charge(world, holder=FISCAL, payee=farm, product=MANAGEMENT, kind="budget", band=0, quantity=area,
                             rate_ticks=int(per_mu * 100), amount_fen=amount)


def collect_own_revenue(book: ParcelBook, world: World, funds, farm: int, fy: FarmYear) -> None:
    """Rule F6: concession fees and under-forest leases (a share of the farm's managed area at a rent per mu)
    paid by the rest of the economy to the farm (charges of kind ``concession`` and ``lease``)."""
    total = 0
    for c in funds.concessions:
        fee = yuan_to_fen(c.yuan_per_year)
        if fee:
            world.accounts.pay(ECONOMY, farm, fee)
            record_charge(world, holder=ECONOMY, payee=farm, product=MANAGEMENT, kind="concession", band=0,
                                 quantity=0, rate_ticks=0, amount_fen=fee)
            total += fee
    managed = book.area_of(book.managed_by(farm))
    share = decimal_to_rational(funds.under_forest_lease_share)
    leased = managed * share.numerator // share.denominator
    rent = int(per_mu_amount_fen(leased, decimal_to_rational(funds.under_forest_rent_yuan_per_mu_year)))
    if rent:
        world.accounts.pay(ECONOMY, farm, rent)
        record_charge(world, holder=ECONOMY, payee=farm, product=MANAGEMENT, kind="lease", band=0, quantity=leased,
                             rate_ticks=int(decimal_to_rational(funds.under_forest_rent_yuan_per_mu_year) * 100),
                             amount_fen=rent)
        total += rent
    fy.own_revenue_fen += total


def plant(book: ParcelBook, world: World, spec, farm: int, plantable: int, fy: FarmYear,
          rng: np.random.Generator) -> int:
    """Rule F10: the farm plants ``planting_mu_per_year`` (at most the plantable land left) with money from the
    fiscal afforestation budget, paid on to contractors; a share drawn from ``survival`` survives and becomes
    new parcels. Returns the plantable land left (failed area stays plantable)."""
    want = min(mu_to_cmu(spec.planting_mu_per_year), plantable)
    if want <= 0:
        return plantable
    cost = int(per_mu_amount_fen(want, decimal_to_rational(spec.planting_cost_yuan_per_mu)))
    if cost:
        acc = world.accounts
        acc.pay(FISCAL, farm, cost)
        record_charge(world, holder=FISCAL, payee=farm, product=MANAGEMENT, kind="planting_budget", band=0,
                             quantity=want, rate_ticks=0, amount_fen=cost)
        acc.pay(farm, ECONOMY, cost)
        record_charge(world, holder=farm, payee=ECONOMY, product=MANAGEMENT, kind="planting", band=0,
                             quantity=want, rate_ticks=0, amount_fen=cost)
    share = rng.normal(float(spec.survival.mean), spec.survival.sd)
    alive = survived_area(want, share)
    fy.planted_cmu += want
    fy.survived_cmu += alive
    if alive:
        areas = split_area(alive, mu_to_cmu(spec.parcel_mu))
        book.add(world, area=areas, owner=GOVERNMENT, contract=farm, manager=farm,
                 stock=stock_dm3(areas, spec.growth.new_stock_m3_per_mu), origin=FARM_PLANTING,
                 planted=world.clock.year, budget_from=world.clock.year + spec.new_area_budget_lag_years,
                 event="afforest", note="forest farm planting")
    return plantable - alive


def grow(book: ParcelBook, growth, rng: np.random.Generator) -> float:
    """Rule F10: one year of growth of every parcel's stock; the year's rate is one draw for the whole forest
    (the year's weather). Returns the rate used."""
    rate = max(float(rng.normal(growth.rate_mean, growth.rate_sd)), 0.0)
    if book.n:
        book.stock[: book.n] = grow_stock(book.col("stock"), book.col("area"), rate,
                                          decimal_to_rational(growth.capacity_m3_per_mu))
    return rate


def spend_maintenance(book: ParcelBook, world: World, spec, farm: int, fy: FarmYear) -> None:
    """Rule F10 (and F6): the farm pays for maintaining its managed area within the cash it has. Recorded in
    ``fy``: the gap (need − budget); what was paid beyond the year's budget and F6 revenue (``other_funds_fen``:
    the F7/F8 investment margin and cash kept from earlier years); and what stays unfunded, need − spent — the
    maintenance actually not paid, so ``spent + unfunded == need`` always."""
    mine = book.managed_by(farm)
    base = int(book.area[mine][book.base_area[mine]].sum())
    extra = book.area_of(mine) - base
    m = maintenance(yuan_to_fen(spec.base_budget_yuan_per_year), decimal_to_rational(spec.budget_yuan_per_mu_year),
                    budgeted_area(book, farm, world.clock.year), yuan_to_fen(spec.base_cost_yuan_per_year),
                    decimal_to_rational(spec.cost_yuan_per_mu_year), extra, fy.own_revenue_fen)
    fy.need_fen, fy.gap_fen = m.need_fen, m.gap_fen
    cash = int(world.accounts.of("money", farm))
    spend = max(min(m.need_fen, cash), 0)
    fy.spent_fen = spend
    fy.unfunded_fen = m.need_fen - spend
    fy.other_funds_fen = max(spend - m.budget_fen - m.own_revenue_fen, 0)
    if spend:
        world.accounts.pay(farm, ECONOMY, spend)
        record_charge(world, holder=farm, payee=ECONOMY, product=MANAGEMENT, kind="maintenance", band=0,
                             quantity=book.area_of(mine), rate_ticks=0, amount_fen=spend)


def cover(book: ParcelBook, other_forest_cmu: int, district_km2) -> tuple[int, Fraction]:
    """Rule F9: forest area (cmu: every parcel plus the forest outside the book) and its share of the district."""
    area = int(book.col("area").sum()) + int(other_forest_cmu)
    return area, forest_cover(area, district_km2)
