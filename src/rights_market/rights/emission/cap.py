"""The cap path of the emission market (rule E2 with the plan's aim of a clearly falling total, 排放总量明显下降).

The district's cap of a pollutant is the total of rights in circulation: the units' and the reserve's. At set-up
it is what was issued (:func:`start`); each year it follows the scenario's path (``emission.cap``:
a yearly reduction share from a base year, or tonnes per year) and rights above it are retired to the issuer
at the year start (:func:`tighten`): pro rata, exactly, over the units' free rights (neither pledged nor leased
in) and the reserve's stock (an ``expire`` record), so the reserve keeps its share for new projects (X4)
(:func:`~rights_market.rules.emission.pro_rata_cut`).
Paid rights are cut last: a unit's paid tally never exceeds what it owns. Quantities are kg.

Units read the published path ahead (:func:`anticipate`, with ``market.expectation.cap_path_years`` > 0): the
yearly permit price they expect is the mean, over that horizon, of the price at which the district's abatement
meets each year's cap (:func:`~rights_market.rules.economics.scarcity_price`).
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import ISSUER
from ...rules.economics import scarcity_price
from ...rules.emission import cap_for_year, pro_rata_cut
from .products import ACTIVE, NOT_YET, RES, t_to_kg
from .state import EmissionState


def start(st: EmissionState, world: World) -> None:
    """The cap path's start: the rights issued at set-up, per pollutant (units and reserve), kg."""
    for k in range(st.P):
        st.cap_initial[k] = int(st.held(world, k).sum()) + st.reserve_stock(world, k)
        st.cap_now[k] = st.cap_initial[k]


def year_cap(st: EmissionState, k: int, year: int) -> int:
    """The cap of pollutant ``k`` in ``year``, kg (see :func:`~rights_market.rules.emission.cap_for_year`)."""
    spec = st.spec.cap
    pid = st.pollutants[k]
    base = spec.base_year if spec.base_year is not None else st.start_year
    path = spec.path_t.get(pid, {})
    return cap_for_year(int(st.cap_initial[k]), float(spec.reduction_share_per_year.get(pid, 0)), year - base,
                        t_to_kg(path[year]) if year in path else None)


def tighten(st: EmissionState, world: World, year: int) -> None:
    """Set this year's cap and retire the rights above it, pro rata over the units' free rights and the
    reserve's stock (``st.retired`` counts them for the KPIs)."""
    acc = world.accounts
    for k in range(st.P):
        cap = year_cap(st, k, year)
        st.cap_now[k] = cap
        over = int(st.held(world, k).sum()) + st.reserve_stock(world, k) - cap
        if over <= 0:
            continue
        # pro rata over the units' free rights and the reserve's stock together: the reserve keeps its share
        # for the new projects it is there for (X4), instead of being emptied first
        both = pro_rata_cut(np.append(st.free(world, k), st.reserve_stock(world, k)), over)
        cut, r_cut = both[:-1], int(both[-1])
        if r_cut:
            acc.move(st.product[k], RES, ISSUER, r_cut)
            world.record_reserve(product=st.product[k], action="expire", quantity=r_cut, price_ticks=0,
                                 amount_fen=0, stock=st.reserve_stock(world, k), cash_fen=st.reserve_cash(world),
                                 reason="cap path: rights above the year's cap retired (E2)")
        if cut.any():
            acc.move(st.product[k], st.ids, ISSUER, cut)
            st.paid[k] = np.minimum(st.paid[k], st.owned(world, k))
        st.retired[k] += r_cut + int(cut.sum())


def anticipate(st: EmissionState, year: int) -> None:
    """The yearly permit price units read from the published cap path (``st.anticipated``, ticks/kg a year).

    For each year ``y`` of the horizon (``cap_path_years``, this year included) the district's emission before
    abatement is expected from this year's: each unit grows at its group's mean rate, and approved projects
    (E4: they must buy their rights within the total) count from their entry year. The price of year ``y`` is
    the least yearly price at which the units' abatement (this year's curves, grown in proportion) brings
    that emission within the year's cap — the least-cost (Montgomery) price of meeting it — and at least the
    E3 base price per year of the valuation horizon; at most the highest order price per year if the cap
    cannot be met. The anticipated price is the mean over the horizon: abatement put in place now keeps
    abating through it. Called after this year's emission and curves are set (``update_emission``)."""
    horizon = st.spec.market.expectation.cap_path_years
    if horizon <= 0:
        return
    live = (st.status == ACTIVE) | (st.status == NOT_YET)
    for k in range(st.P):
        unabated = st.e0[k] * st.output
        z_at = st.curves[k].abatement_at
        lo, hi = float(st.base[k]) / st.years, float(st.cap[k]) / st.years
        prices = []
        for y in range(year, year + horizon):
            grown = np.where(live & st.has[k] & (st.entry <= y),
                             (1.0 + st.growth_mean) ** max(0, y - year), 0.0)
            need = float((unabated * grown).sum()) - year_cap(st, k, y)

            def supply(p, grown=grown, z_at=z_at):
                return float((z_at(p) * grown).sum())

            prices.append(scarcity_price(supply, need, lo, hi))
        st.anticipated[k] = float(np.mean(prices))
