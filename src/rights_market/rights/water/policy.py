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
would hoard are rejected (W16). At the year end each holder uses what it needs — up to its holdings plus an
over-use allowance — and is billed by its sector's block tariff (W8) and progressive surcharge above its
plan or quota (W8, W9); proceeds of farmers' sales to industry are split (W7); fees are due on industrial
rights (W6). Farms that save water sell their confirmed right for a term to firms short of rights (W4).
State lives in columnar arrays; no process per holder. The work is split by topic, each module a set of
functions taking the policy:

* :mod:`.water_holders` — products and sectors, holders and confirmed rights (W1), plans (W3), the year's
  allocation and needs;
* :mod:`.water_trading` — orders, clearing, negotiation and settlement with the proceeds shares (W5, W7, W11,
  W16);
* :mod:`.water_reserve` — the reserve's budget, session orders, dry-year releases and expiry (W12);
* :mod:`.water_billing` — use fees, use and bills (W6, W8, W9), with the tariffs of :mod:`.water_pricing`;
* :mod:`.water_terms` — validity terms (W2) and medium- and long-term deals (W4);
* :mod:`.water_kpis` — the yearly KPIs;
* this module — the policy: its state, the calendar hooks and the queries the topic modules share.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import CONSUMED, ISSUER
from ...market.metrics import max_gains
from ...scenario.model import Markup, Weather, WeatherState
from ...scenario.water import SECTORS, WaterSpec
from ...units import decimal_to_rational, div_round_half_up, yuan_to_ticks
from . import billing, holders, kpis, reserve, terms, trading
from .descriptor import RESERVE
from .holders import ANNUAL, RIGHT, RIGHT_P
from .pricing import WaterPricing


class WaterPolicy:
    """Rules W1–W9, W11, W12, W16 over columnar holder state (see the module docstring)."""

    right = RIGHT

    def __init__(self, spec: WaterSpec, weather: Weather, weather_years: list[str], holdings_every: str):
        self.spec = spec
        self.weather = weather
        self.weather_years = weather_years
        self.holdings_every = holdings_every
        self.pricing = WaterPricing.from_spec(spec)
        m = spec.market
        self.price_lo = yuan_to_ticks(m.price_min_yuan_per_m3)
        self.price_hi = yuan_to_ticks(m.price_max_yuan_per_m3)
        # W5 floor: no trade below its relation's base price (trading.below_floor); orders below the lowest
        # base price of all relations (the reserve's default included) can trade with nobody.
        lowest = min(int(self.pricing.base_ticks.min()), self.pricing.default_base_ticks)
        self.floor = lowest if m.floor_at_base_price else 0
        self.hold_limit = div_round_half_up(
            spec.cap_m3 * decimal_to_rational(spec.supervision.max_holding_share_of_cap).numerator,
            decimal_to_rational(spec.supervision.max_holding_share_of_cap).denominator,
        )
        self.protected = np.array([s in spec.supervision.protected_sectors for s in SECTORS])
        self.last_price: int | None = None

    # ------------------------------------------------------------------ RightPolicy
    def notes(self) -> list[str]:
        """Notes for the run's manifest about what this right did to the input."""
        if self.confirm_scaled:
            return [f"{self.right}: drawn confirmed volumes exceeded the cap and were scaled down to fit it (W1)"]
        return []

    def products(self) -> list[str]:
        return [RIGHT_P, ANNUAL]

    def holder_count(self) -> int:
        return sum(g.count for g in self.spec.groups)

    def setup(self, world: World, first_holder: int) -> None:
        """Create holders and confirm their rights within the cap (W1); their first plans (W3)."""
        holders.make_holders(self, world, first_holder)
        self.behaviour_groups = [
            (np.nonzero(self.group == gi)[0], g.behaviour.type, g.behaviour.markup if isinstance(g.behaviour, Markup) else 0.0)
            for gi, g in enumerate(self.spec.groups)
        ]

    # ------------------------------------------------------------------ queries shared by the topics
    def weather_state(self, world: World) -> tuple[str, WeatherState]:
        """This year's weather: its name and state."""
        name = self.weather_years[world.clock.year_index]
        return name, self.weather.states[name]

    def reserve_stock(self, world: World) -> int:
        """Annual water the reserve holds now, m³."""
        return int(world.accounts.of(ANNUAL, RESERVE))

    def reserve_cash(self, world: World) -> int:
        """The reserve's money now, fen."""
        return int(world.accounts.of("money", RESERVE))

    def local_index(self, ids: np.ndarray) -> np.ndarray:
        """Holder-array positions of account ids (−1 for institutions)."""
        return np.where(ids >= 0, ids - self.first, -1)

    def sector_of(self, ids) -> np.ndarray:
        """Sector code of each account id (−1 for the reserve, other institutions and outside holders)."""
        local = self.local_index(np.asarray(ids, dtype=np.int64))
        inside = (local >= 0) & (local < len(self.ids))
        return np.where(inside, self.sector[np.where(inside, local, 0)], -1)

    def external(self, world: World, product: str) -> np.ndarray:
        """X4: ids of holder accounts outside this market's holders (projects of the links) holding ``product``."""
        ids = np.flatnonzero(world.accounts.holders(product))
        return ids[(ids < self.first) | (ids >= self.first + len(self.ids))]

    def sellable(self, world: World) -> np.ndarray:
        """W3: what each holder may still sell this year: its annual holding above its effective plan."""
        annual = world.accounts.of(ANNUAL, self.ids)
        return np.maximum(annual - (np.minimum(self.plan, self.alloc) + self.bought), 0)

    def wanted(self, world: World) -> np.ndarray:
        """What each holder still wants to buy: need not covered by its holdings (sellers want nothing)."""
        annual = world.accounts.of(ANNUAL, self.ids)
        return np.where(self.sellable(world) > 0, 0, np.maximum(self.need - annual, 0))

    # ------------------------------------------------------------------ hooks
    def year_start(self, world: World) -> None:
        """Use fees (W6), the reserve's budget (W12), this year's allocation (a share in dry years, W12) and
        needs, the year's possible gains from trade, dry-year releases (W12)."""
        state_name, state = self.weather_state(world)
        share = decimal_to_rational(state.deliverable_share)
        self.deliverable = share
        billing.use_fees(self, world, world.accounts.of(RIGHT_P, self.ids))
        reserve.budget(self, world)
        holders.allocate(self, world, share)
        holders.draw_needs(self, world, state)
        self.bought = np.zeros(len(self.ids), dtype=np.int64)
        self.sold = np.zeros(len(self.ids), dtype=np.int64)
        self.gains_realised = 0
        self.year_volume = self.year_amount = self.year_trades = 0
        sell = self.sellable(world)
        want = self.wanted(world)
        open_sellers = ~self.protected[self.sector]
        self.gains_max = max_gains(self.mv, want, self.mv[open_sellers], sell[open_sellers])
        world.record_kpi(RIGHT, "deliverable_share", float(share), "1")
        world.record_kpi(RIGHT, "dry_year", 1.0 if share < 1 else 0.0, "1")
        reserve.dry_year_releases(self, world, share, state_name)

    def session(self, world: World) -> None:
        """One trading session: reserve orders, holders' orders, clearing, then negotiation (W11, W12, W16)."""
        orders = trading.collect_orders(self, world, reserve.session_orders(self, world))
        if orders is not None:
            trading.clear(self, world, *orders)
        trading.negotiate(self, world)

    def period_end(self, world: World, period: int) -> None:
        if self.holdings_every == "period":
            self.snapshot(world)

    def snapshot(self, world: World) -> None:
        """``holdings`` rows of both products for the holders, the projects of the links and the reserve."""
        acc = world.accounts
        for product in (RIGHT_P, ANNUAL):
            ids = np.concatenate([self.ids, self.external(world, product), [RESERVE]])
            q = acc.of(product, ids)
            nz = q != 0
            world.tables["holdings"].append(time=world.clock.day, year=world.clock.year, holder=ids[nz],
                                            product=product, quantity=q[nz])

    def year_end(self, world: World) -> None:
        """Use, bills (W8, W9), expiry of the annual product, validity (W2), term deals (W4), next plans (W3),
        KPIs."""
        acc = world.accounts
        annual = acc.of(ANNUAL, self.ids)
        plan_eff = np.minimum(self.plan, self.alloc) + self.bought
        use = billing.use(self, annual, plan_eff)
        unmet = self.need - use
        acc.move(ANNUAL, self.ids, CONSUMED, np.minimum(use, annual))
        quota = self.alloc + self.bought - self.sold
        surcharge_rev, tariff_rev, band_rev = billing.bill(self, world, use, plan_eff, quota)
        left = acc.of(ANNUAL, self.ids)
        acc.move(ANNUAL, self.ids, ISSUER, left)
        ext = self.external(world, ANNUAL)  # X4: projects' annual water expires unused
        if ext.size:
            acc.move(ANNUAL, ext, ISSUER, acc.of(ANNUAL, ext))
        year_end_stock = reserve.expire_stock(self, world)
        terms.validity(self, world)
        terms.long_term(self, world)
        kpis.record(self, world, use, unmet, surcharge_rev, tariff_rev, band_rev, year_end_stock)
        self.plan = holders.declare_plan(self, acc.of(RIGHT_P, self.ids))
        if self.holdings_every == "year":
            self.snapshot(world)
