"""The emission-rights market (排污权), on the generic engine. Rules E1–E10, E12–E14.

Products (base unit kg):

* ``emission.<pollutant>`` for every pollutant of the scenario (E1; NOx, SO2, COD, NH3-N by default) — a
  right to emit one kg a year during the validity term (E5), renewed at the term end;
* ``emission.carbon`` — annual carbon allowances of key emitters, kg CO2 (E14), surrendered at the year end.

The year
--------
*Year start*: projects whose entry year has come start emitting with no rights (E4: they buy their permit on
the market); output grows by group (a multiplicative growth process), so emission before abatement grows or
shrinks; units close, go bankrupt or relocate at a rate (E9: unpaid rights reclaimed free, paid ones bought by
the reserve or sold on the market); the cap follows its path and rights above it are retired (:mod:`.cap`);
each unit abates while its marginal abatement cost is below the permit price it expects (an EWMA of past
prices) and plans to buy rights for the rest (:func:`.holders.plan_abatement`); after the reform period unpaid rights pay the use fee, phased in (E4); the
reserve gets its budget (E8, X2); carbon allowances are allocated (E14); a lease round (E10) and new mortgage
loans (E10).

*Sessions* (every ``trade_every_sessions``): on the unified platform only (E6; off-platform attempts are
rejected ``off_platform``), within a sector (E7; others ``not_eligible``), never below the base price (E3;
``below_floor``), never selling pledged rights (E10 mortgages and X3 pledges of the links; ``pledged``). Units
bid their marginal abatement cost (:func:`~rights_market.rules.emission.lot_schedule`) through the scenario's
mechanism: listing with bidding (挂牌竞价, the plan's), a continuous double auction or a call auction. The
reserve first buys back, at base price
× multiple, asks at or below that price within its yearly target and cash, and releases its stock by listing to
strategic and major projects; major
projects may buy by directed negotiation (E4, E8). Sales of unpaid rights back-pay the use fee at the base
price; the seller keeps the premium (E5). Reserve income goes to the fiscal account, its spending comes from
its budget: income and spending are tallied apart (收支两条线, E9).

*Period ends*: holdings snapshots; on the first period end at or after the notice day, units still short of
rights get a notice (E13) — a ``notice`` line in ``charges`` (amount 0, quantity = the shortfall) — and trade
in every session for the rest of the year.

*Year end*: each unit abates (at least what it planned) or violates (E12: excess emission pays the fine,
``penalty`` in ``charges``);
carbon allowances are surrendered (E14); leases and loans that end return; at the term end rights are renewed
(E5); KPIs; the expected prices are updated from the year's prices.

State is columnar numpy arrays over the units; no process per unit; pricing, abatement and fee rules are the
pure functions of :mod:`rights_market.rules.emission`. The state is declared in :mod:`.state`; the work is
split by topic, each module a set of functions taking the state:

* :mod:`.products` — constants and unit conversions; :mod:`.state` — the declared state and its set-up;
* :mod:`.holders` — the units' initial rights (E2), entry, growth, planned abatement and price expectations;
* :mod:`.cap` — the cap path and the retirement of rights above it (E2);
* :mod:`.trading` — orders, platform checks, listing / CDA / call sessions, off-platform attempts and
  settlement (E3, E6, E7, E9); :mod:`.fills` — pure helpers of the clearings;
* :mod:`.reserve` — the reserve's budget, buy-back, releases, directed purchases and closures (E4, E8, E9);
* :mod:`.fees` — use fees, back payments and renewal at the term end (E4, E5);
* :mod:`.finance` — leases and mortgages (E10);
* :mod:`.compliance` — notices, compliance and penalties, carbon allocation and surrender (E12–E14);
* :mod:`.kpis` — the yearly KPIs;
* this module — the policy: a thin adapter of the engine's protocol that holds the state and calls the topics.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...scenario.emission import EmissionSpec
from ...units import DAYS_PER_YEAR
from ..shared.pledges import pledge_product
from . import cap, compliance, fees, finance, holders, kpis, reserve, trading
from .products import RES, RIGHT, product_keys
from .state import EmissionState, new_state


class EmissionPolicy:
    """Rules E1–E10, E12–E14: the engine's hooks over an :class:`~.state.EmissionState` (built at set-up)."""

    right = RIGHT

    def __init__(self, spec: EmissionSpec, holdings_every: str = "period"):
        self.spec = spec
        self.holdings_every = holdings_every
        self.state: EmissionState | None = None

    # ------------------------------------------------------------------ RightPolicy
    def notes(self) -> list[str]:
        """Notes for the run's manifest about what this right did to the input."""
        return []

    def products(self) -> list[str]:
        """The rights, and with E10 mortgages (a group with ``mortgage_rate_per_year`` > 0) the encumbrance
        ``<pollutant product>.pledged`` of each pollutant (X3: the ledger's products are fixed at set-up)."""
        pollutants, _, keys = product_keys(self.spec)
        product = [f"{RIGHT}.{k}" for k in keys]
        mortgaged = any(g.mortgage_rate_per_year > 0 for g in self.spec.groups)
        return product + ([pledge_product(p) for p in product[: len(pollutants)]] if mortgaged else [])

    def holder_count(self) -> int:
        return sum(g.count for g in self.spec.groups)

    def setup(self, world: World, first_holder: int) -> None:
        """Create the units, issue initial rights = permitted emission to existing units (E2), stock the
        reserve, record ``holders``."""
        self.state = st = new_state(self.spec, self.holdings_every, world, first_holder)
        holders.issue_initial_rights(st, world)
        cap.start(st, world)
        holders.record_holders(st, world)

    # ------------------------------------------------------------------ hooks
    def year_start(self, world: World) -> None:
        """Entry, growth, closures (E9), the year's cap (E2, rights above it retired), abatement planned at the
        expected permit price, use fees (E4), reserve budget (E8), carbon allocation (E14), leases and
        mortgages (E10)."""
        st, year = self.state, world.clock.year
        st.reset_year()
        holders.enter(st, year)
        if year > st.start_year:
            holders.grow(st, world)
            reserve.closures(st, world)
        cap.tighten(st, world, year)
        holders.update_emission(st)
        cap.anticipate(st, year)
        holders.plan_abatement(st)
        fees.use_fees(st, world)
        reserve.budget(st, world)
        if st.carbon_on:
            compliance.allocate_carbon(st, world)
        finance.lease_rents(st, world)
        if st.spec.lease.enabled:
            finance.lease_round(st, world)
        finance.mortgages(st, world)

    def session(self, world: World) -> None:
        """One platform session (E3, E6, E7, E8, E10): units' orders, reserve buy-back and releases, directed
        purchases of major projects, off-platform attempts; carbon allowances trade too (E14)."""
        st = self.state
        n_session = st.session_no
        st.session_no += 1
        spec = st.spec
        if n_session % spec.market.trade_every_sessions:
            return
        rng = world.rng.stream("emission.orders")
        trade_round = n_session // spec.market.trade_every_sessions
        release_round = spec.reserve.enabled and trade_round % spec.reserve.release.every_sessions == 0
        for k in range(st.P):
            if release_round:
                reserve.directed(st, world, k)
                reserve.release(st, world, k)
            self.platform(world, k, rng)
            trading.off_platform(st, world, k)
        if st.carbon_on and spec.carbon.trade:
            self.platform(world, st.P, rng)

    def platform(self, world: World, k: int, rng: np.random.Generator) -> None:
        """E6: the session's platform trading of product ``k``: the units' orders, screened (E3, E10); the
        reserve's buy-back (E8, pollutants only); the rest to the scenario's mechanism."""
        st = self.state
        sched, price = trading.order_schedule(st, world, k, rng)
        ok = trading.screen(st, world, k, sched, price)
        sched, price = sched.select(ok), price[ok]
        if k < st.P:
            sched, price = reserve.buy_back(st, world, k, sched, price, rng)
        trading.match(st, world, k, sched, price, rng)

    def period_end(self, world: World, period: int) -> None:
        """Snapshots; E13 notices on the first period end at or after the notice day."""
        st = self.state
        day_of_year = world.clock.day - world.clock.year_index * DAYS_PER_YEAR
        if not st.notice_sent and day_of_year >= st.spec.compliance.notice_day_of_year:
            compliance.notices(st, world)
        if st.holdings_every == "period":
            self.snapshot(world)

    def snapshot(self, world: World) -> None:
        """``holdings`` rows of every product for the units and the reserve (non-zero quantities)."""
        st, acc = self.state, world.accounts
        ids = np.concatenate([st.ids, [RES]])
        for product in st.product:
            q = acc.of(product, ids)
            nz = q != 0
            world.tables["holdings"].append(time=world.clock.day, year=world.clock.year, holder=ids[nz],
                                            product=product, quantity=q[nz])

    def year_end(self, world: World) -> None:
        """Compliance (E12), carbon surrender (E14), ends of leases and loans (E10), renewal at the term end
        (E5), KPIs."""
        st, year = self.state, world.clock.year
        outcomes = [compliance.comply(st, world, k) for k in range(st.P)]
        carbon = compliance.surrender(st, world) if st.carbon_on else None
        finance.end_leases(st, world, lambda lease: lease["end"] <= year)
        finance.end_loans(st, world, lambda loan: loan["end"] <= year)
        renewed = year == st.term_end
        kpis.record(st, world, outcomes, carbon, renewed)  # before the renewal: this term's paid/unpaid
        holders.update_expectations(st)
        if renewed:
            fees.renew(st, world)
        if st.holdings_every == "year":
            self.snapshot(world)
