"""The water use rights market (用水权), on the generic engine. Rules W1–W9, W11, W12, W16.

Products (base unit m³):

* ``water.right`` — the confirmed right (确权量), a volume per year with a validity term (W1, W2);
* ``water.annual`` — this year's use right. Each year start every holder of ``water.right`` receives
  ⌊confirmed × deliverable share⌋ of it (dry years cut the share, W12); what is not used by the year end
  expires. That includes accounts outside this market's holders that hold the right — the multi-right projects
  of the links (X4), which buy ``water.right`` from the reserve: they get their annual water like anyone, but
  the water market neither bills them, uses their water, trades for them nor runs validity terms on their
  right (it does not model them); their annual water expires unused at the year end.

Pledges (X3, :mod:`.links`): a holder never sells more of a product than it holds free of pledges of that
product (``<product>.pledged``): annual water in sessions and negotiations, the confirmed right in
medium- and long-term deals (W4); the part of an order or deal above the free quantity is refused and recorded
(reason ``pledged``), the rest goes ahead. A pledge of ``water.right`` encumbers the right itself — it cannot
change hands — while this year's water delivered on it stays the holder's to use or sell.

The year: plans are declared at the previous year end within the confirmed volume (W3); the surplus
(annual volume above the plan) is traded in weekly sessions by matching and negotiation (W11) around base
prices per relation (W5); the reserve buys, sells and releases by rule (W12) within its cash; orders that
would hoard are rejected (W16). Holders choose their use where its marginal value equals the marginal price they face (value
curves, :mod:`.decisions`, docs/economics.md): plans at the expected market prices (W3), this year's intended
use with the year's weather, and at the year end the use from their final position — up to their holdings
plus an over-use allowance — billed by its sector's block tariff (W8) and progressive surcharge above its
plan or quota (W8, W9); proceeds of farmers' sales to industry are split (W7); fees are due on industrial
rights (W6). Holders invest in saving where it pays; farms that saved sell their confirmed right for a
term to firms short of rights at the present value of the expected prices (W4).
The state is declared in :mod:`.state` (:class:`~.state.WaterState`, made by
:func:`.holders.make_holders`; the scenario's fixed rules in :class:`~.state.WaterConfig`); no process per
holder. The work is split by topic, each module a set of functions over the state, the world and the config —
none imports this module:

* :mod:`.holders` — holders and confirmed rights (W1), plans (W3), the year's allocation and weather;
* :mod:`.decisions` — use, reservation prices, saving and expectations from the value curves;
* :mod:`.trading` — orders, clearing, negotiation and settlement with the proceeds shares (W5, W7, W11,
  W16);
* :mod:`.reserve` — the reserve's budget, session orders, dry-year releases and expiry (W12);
* :mod:`.billing` — use fees, use and bills (W6, W8, W9), with the tariffs of :mod:`.pricing`;
* :mod:`.terms` — validity terms (W2) and medium- and long-term deals (W4);
* :mod:`.contract` — contract water saving by water-saving companies (W14), sold in W4 term deals;
* :mod:`.kpis` — the yearly KPIs;
* this module — the policy: a thin adapter from the engine's calendar hooks to the topics.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import CONSUMED, ISSUER
from ...market.metrics import max_gains
from ...scenario.model import Weather, WeatherState
from ...scenario.water import WaterSpec
from ...units import decimal_to_rational
from . import billing, contract, decisions, holders, kpis, reserve, terms, trading
from .descriptor import RESERVE
from .state import ANNUAL, RIGHT, RIGHT_P, WaterConfig, WaterState


class WaterPolicy:
    """Rules W1–W9, W11, W12, W16: the engine's :class:`~rights_market.engine.policy.RightPolicy` over a
    :class:`~.state.WaterState` (see the module docstring)."""

    right = RIGHT

    def __init__(self, spec: WaterSpec, weather: Weather, weather_years: list[str], holdings_every: str):
        self.cfg = WaterConfig.from_spec(spec)
        self.weather = weather
        self.weather_years = weather_years
        self.holdings_every = holdings_every
        self.state: WaterState | None = None  # made at setup

    @property
    def st(self) -> WaterState:
        """The market's state (after :meth:`setup`)."""
        if self.state is None:
            raise RuntimeError("water: the policy's state is made at setup")
        return self.state

    # ------------------------------------------------------------------ RightPolicy
    def notes(self) -> list[str]:
        """Notes for the run's manifest about what this right did to the input."""
        if self.st.confirm_scaled:
            return [f"{self.right}: drawn confirmed volumes exceeded the cap and were scaled down to fit it (W1)"]
        return []

    def products(self) -> list[str]:
        return [RIGHT_P, ANNUAL]

    def holder_count(self) -> int:
        return holders.holder_count(self.cfg.spec) + contract.company_count(self.cfg.spec)

    def setup(self, world: World, first_holder: int) -> None:
        """Create holders and confirm their rights within the cap (W1); their first plans (W3); the
        water-saving companies of contract saving (W14) after them."""
        self.state = holders.make_holders(self.cfg, world, first_holder)
        contract.make_companies(self.state, world, self.cfg, first_holder + holders.holder_count(self.cfg.spec))

    def weather_state(self, world: World) -> tuple[str, WeatherState]:
        """This year's weather: its name and state."""
        name = self.weather_years[world.clock.year_index]
        return name, self.weather.states[name]

    # ------------------------------------------------------------------ hooks
    def year_start(self, world: World) -> None:
        """Use fees (W6), the reserve's budget (W12), this year's allocation (a share in dry years, W12) and
        needs, the year's possible gains from trade, dry-year releases (W12)."""
        st, cfg = self.st, self.cfg
        state_name, weather = self.weather_state(world)
        share = decimal_to_rational(weather.deliverable_share)
        st.deliverable = share
        billing.use_fees(st, world, cfg, world.accounts.of(RIGHT_P, st.ids))
        reserve.budget(world, cfg)
        st.alloc = holders.allocate(st, world, share)
        st.factor = holders.draw_factors(st, world, weather)
        st.need = decisions.intended_use(st, cfg, st.alloc, st.plan)
        st.tolerated = decisions.tolerated_overuse(
            st, cfg, billing.surcharge_base(st, cfg, np.minimum(st.plan, st.alloc), st.alloc))
        st.sector_trade = np.zeros_like(st.sector_trade)
        st.bought = np.zeros(len(st.ids), dtype=np.int64)
        st.sold = np.zeros(len(st.ids), dtype=np.int64)
        st.gains_realised = 0
        st.year_volume = st.year_amount = st.year_trades = 0
        sell = st.sellable(world)
        want = st.wanted(world)
        open_sellers = ~cfg.protected[st.sector]
        st.gains_max = max_gains(st.mv, want, st.mv[open_sellers], sell[open_sellers])
        world.record_kpi(RIGHT, "deliverable_share", float(share), "1")
        world.record_kpi(RIGHT, "dry_year", 1.0 if share < 1 else 0.0, "1")
        reserve.dry_year_releases(st, world, cfg, share, state_name)

    def session(self, world: World) -> None:
        """One trading session: reserve orders, holders' orders, clearing, then negotiation (W11, W12, W16);
        the reserve notes the session's market price for its next orders (W12)."""
        st, cfg = self.st, self.cfg
        cursor = reserve.trades_cursor(world)
        orders = trading.collect_orders(st, world, cfg, reserve.session_orders(st, world, cfg))
        if orders is not None:
            trading.clear(st, world, cfg, *orders)
        trading.negotiate(st, world, cfg)
        reserve.observe_session(st, world, cursor)

    def period_end(self, world: World, period: int) -> None:
        if self.holdings_every == "period":
            self.snapshot(world)

    def snapshot(self, world: World) -> None:
        """``holdings`` rows of both products for the holders, the projects of the links and the reserve."""
        acc, st = world.accounts, self.st
        for product in (RIGHT_P, ANNUAL):
            ids = np.concatenate([st.ids, st.external(world, product), [RESERVE]])
            q = acc.of(product, ids)
            nz = q != 0
            world.tables["holdings"].append(time=world.clock.day, year=world.clock.year, holder=ids[nz],
                                            product=product, quantity=q[nz])

    def year_end(self, world: World) -> None:
        """Use, bills (W8, W9), expiry of the annual product, validity (W2), term deals (W4), contract
        saving (W14), next plans (W3), KPIs."""
        acc, st, cfg = world.accounts, self.st, self.cfg
        annual = acc.of(ANNUAL, st.ids)
        plan_eff = st.effective_plan()
        quota = st.alloc + st.bought - st.sold
        use = billing.use(st, cfg, decisions.final_use(st, cfg, annual, billing.surcharge_base(st, cfg, plan_eff, quota)),
                          annual)
        unmet = np.maximum(st.need - use, 0)
        unmet_value = decisions.unmet_value(st, cfg, use)
        acc.move(ANNUAL, st.ids, CONSUMED, np.minimum(use, annual))
        surcharge_rev, tariff_rev, band_rev = billing.bill(st, world, cfg, use, plan_eff, quota)
        left = acc.of(ANNUAL, st.ids)
        acc.move(ANNUAL, st.ids, ISSUER, left)
        ext = st.external(world, ANNUAL)  # X4: projects' annual water expires unused
        if ext.size:
            acc.move(ANNUAL, ext, ISSUER, acc.of(ANNUAL, ext))
        year_end_stock = reserve.expire_stock(world)
        decisions.update_expectations(st, cfg)
        terms.validity(st, world, cfg)
        terms.long_term(st, world, cfg)
        contract.contract_saving(st, world, cfg)
        kpis.record(st, world, cfg, use, unmet, unmet_value, surcharge_rev, tariff_rev, band_rev, year_end_stock)
        st.plan = holders.declare_plan(st, cfg, acc.of(RIGHT_P, st.ids))
        if self.holdings_every == "year":
            self.snapshot(world)
