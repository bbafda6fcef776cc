"""The water market's state and its fixed rules, as declared data (rules W1–W9, W11, W12, W16).

* :class:`WaterConfig` — what the scenario fixes for the whole run, in engine units: the spec, the exact
  prices (:class:`~.pricing.WaterPricing`), the price bounds, the W5 floor, the W16 holding limit and
  protected sectors. Built once by :meth:`WaterConfig.from_spec`; never changed.
* :class:`WaterState` — everything that changes during a run: the holders' columns (one entry per holder, in
  account-id order), this year's tallies, the running term deals (:class:`TermDeal`) and the last trade
  price. Created in one place, :func:`.holders.make_holders`; the topic modules take it and change the fields
  they document.

The reserve (W12, X2) keeps no state of its own here: its stock and cash are ledger balances of the account
:data:`~.descriptor.RESERVE` (:func:`reserve_stock`, :func:`reserve_cash`).

Units: quantities m³ (int64), prices ticks per m³ (:data:`~rights_market.units.TICKS_PER_YUAN` ticks a yuan),
money fen (:data:`~rights_market.units.FEN_PER_YUAN` fen a yuan), years calendar years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ...engine.world import World
from ...scenario.water import SECTORS, WaterSpec
from ...units import decimal_to_rational, div_round_half_up, yuan_to_ticks
from .descriptor import RESERVE
from .pricing import WaterPricing

RIGHT = "water"
#: The confirmed right (确权量), m³ a year with a validity term (W1, W2).
RIGHT_P = "water.right"
#: This year's use right, m³, expiring at the year end (W12).
ANNUAL = "water.annual"
#: Base unit of both products.
UNIT = "m3"
#: Sector codes: positions in :data:`~rights_market.scenario.water.SECTORS` (−1: the reserve or an outsider).
AGRI, IND, DOM, ECO = (SECTORS.index(s) for s in ("agriculture", "industry", "domestic", "ecology"))


@dataclass(frozen=True)
class WaterConfig:
    """The scenario's water rules in engine units, fixed for the run."""

    spec: WaterSpec
    pricing: WaterPricing  # base prices per relation (W5), tariffs and surcharges per sector (W8, W9)
    price_lo: int  # lowest price a holder quotes, ticks per m³
    price_hi: int  # highest price a holder quotes, ticks per m³
    floor: int  # W5: orders below it can trade with nobody, ticks per m³ (0: no floor)
    hold_limit: int  # W16: most annual water a holder may hold after a purchase, m³
    protected: np.ndarray  # W16: bool per sector code, its water may not be sold (to industry)

    @classmethod
    def from_spec(cls, spec: WaterSpec) -> WaterConfig:
        pricing = WaterPricing.from_spec(spec)
        m = spec.market
        # W5 floor: no trade below its relation's base price (trading.below_floor); orders below the lowest
        # base price of all relations (the reserve's default included) can trade with nobody.
        lowest = min(int(pricing.base_ticks.min()), pricing.default_base_ticks)
        limit_share = decimal_to_rational(spec.supervision.max_holding_share_of_cap)
        return cls(
            spec=spec, pricing=pricing,
            price_lo=yuan_to_ticks(m.price_min_yuan_per_m3), price_hi=yuan_to_ticks(m.price_max_yuan_per_m3),
            floor=lowest if m.floor_at_base_price else 0,
            hold_limit=div_round_half_up(spec.cap_m3 * limit_share.numerator, limit_share.denominator),
            protected=np.array([s in spec.supervision.protected_sectors for s in SECTORS]),
        )


@dataclass(frozen=True)
class TermDeal:
    """W4: one batch of medium- or long-term deals of ``water.right`` made in the same year (parallel arrays)."""

    seller: np.ndarray  # account ids of the farms that saved the water (int64)
    buyer: np.ndarray  # account ids of the firms holding the right for the term (int64)
    qty: np.ndarray  # m³ a year of confirmed right under each deal (int64)
    end: int  # calendar year at whose end the rights return to the sellers


@dataclass
class WaterState:
    """The water market's changing state: per-holder columns (arrays of one entry per holder, position =
    account id − ``first``), this year's tallies and the market's memory."""

    # --- the holders, fixed at setup
    first: int  # account id of the first holder
    ids: np.ndarray  # account ids (int64)
    sector: np.ndarray  # sector code (int8, :data:`AGRI` …)
    group: np.ndarray  # index of the holder's group in ``spec.groups`` (int32)
    mv: np.ndarray  # reference value of water (the value curve's p_ref), ticks per m³ (int64, ≥ 1)
    p_ref: np.ndarray  # value curve: marginal value at the reference use, yuan per m³ (float)
    elasticity: np.ndarray  # value curve: price elasticity at the reference point (float, < 0)
    choke: np.ndarray  # value curve: v_max / p_ref (float, ≥ 1)
    satiation: np.ndarray  # value curve: q_max / q_ref (float, ≥ 1)
    need_noise: np.ndarray  # sd of the yearly need noise, share of the need (float)
    margin: np.ndarray  # W3: plan margin above the expected need, share (float)
    overuse: np.ndarray  # most use beyond holdings, share of the effective plan (float)
    participation: np.ndarray  # probability of placing an order in a session (float)
    behaviour_groups: list[tuple[np.ndarray, str, float]]  # (holder positions, behaviour type, markup) per group
    confirm_scaled: bool  # W1: the drawn confirmed volumes exceeded the cap and were scaled down
    # --- the holders, changed over the years
    q_ref: np.ndarray  # value curve: use at the reference price in a normal year, m³ a year (float); saving lowers it (W4)
    exp_buy: np.ndarray  # expected price of buying a m³ of annual water, per sector, yuan (float, :func:`~rights_market.rules.economics.expect`)
    exp_sell: np.ndarray  # expected price of selling one, per sector, yuan (float)
    expiry: np.ndarray  # W2: last calendar year of the confirmed right's current term (int64)
    plan: np.ndarray  # W3: this year's declared plan, m³ (int64)
    saved: np.ndarray  # W4: water saved by retrofits not yet sold, m³ a year (int64)
    invested: np.ndarray  # W4: saving invested in so far, m³ a year (float)
    leased_in: np.ndarray  # W4: confirmed right held under running term deals, m³ a year (int64)
    term_deals: list[TermDeal] = field(default_factory=list)  # W4: running term deals (W14 contracts too)
    companies: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # W14: the companies' account ids
    contract_total: int = 0  # W14: saving funded by contract so far, m³ a year
    # --- this year (reset at every year start)
    deliverable: Fraction = Fraction(1)  # W12: share of confirmed rights delivered this year
    alloc: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # annual water allocated, m³
    need: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # this year's intended use, m³
    factor: np.ndarray = field(default_factory=lambda: np.zeros(0))  # this year's weather × noise on q_ref (float)
    tolerated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # W9: over-use it means to pay for, m³
    saving_year: float = 0.0  # W4: saving invested this year, m³ a year
    saving_cost_year: float = 0.0  # W4: its capital, yuan
    contract_year: int = 0  # W14: saving funded by contract this year, m³ a year
    contract_capital_fen: int = 0  # W14: the companies' capital of it, fen
    bought: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # annual water bought, m³
    sold: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # annual water sold, m³
    gains_realised: int = 0  # gains from trades between holders, ticks × m³
    gains_max: int = 0  # the year's possible gains from trade, ticks × m³
    year_volume: int = 0  # annual water traded, m³
    year_amount: int = 0  # money paid for it, fen
    year_trades: int = 0  # trades of annual water
    sector_trade: np.ndarray = field(default_factory=lambda: np.zeros((2, 4, 2), dtype=np.int64))
    # ^ [0 sold / 1 bought, sector, 0 m³ / 1 fen] of this year's trades of annual water (for expectations)
    # --- the market's memory
    last_price: int | None = None  # price of the last trade of annual water, ticks per m³ (None: none yet)
    market_price: int | None = None  # W12: mean price of the last session with holders' trades, ticks per m³

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

    def effective_plan(self) -> np.ndarray:
        """W3: this year's plan within the allocation, plus what was bought, m³."""
        return np.minimum(self.plan, self.alloc) + self.bought

    def sellable(self, world: World) -> np.ndarray:
        """W3: what each holder may still sell this year: its annual holding above its effective plan, m³."""
        annual = world.accounts.of(ANNUAL, self.ids)
        return np.maximum(annual - self.effective_plan(), 0)

    def wanted(self, world: World) -> np.ndarray:
        """What each holder still wants to buy, m³: intended use not covered by its holdings, less the
        over-use it means to pay the surcharge on (``tolerated``, W9); sellers want nothing."""
        annual = world.accounts.of(ANNUAL, self.ids)
        tolerated = self.tolerated if self.tolerated.size else 0
        return np.where(self.sellable(world) > 0, 0, np.maximum(self.need - annual - tolerated, 0))

    def uncovered(self, world: World) -> np.ndarray:
        """Intended use not covered by the holder's own rights, m³ (W12 dry-year releases): unlike
        :meth:`wanted`, the over-use a holder meant to pay the tariff or surcharge on is counted, because in a
        dry year that water is not there — use beyond holdings only shares what is left of the delivered cap
        (:func:`.billing.use`), so a group with an over-use allowance (households, ecology) is short though it
        bids for nothing. Sellers are short of nothing."""
        annual = world.accounts.of(ANNUAL, self.ids)
        return np.where(self.sellable(world) > 0, 0, np.maximum(self.need - annual, 0))


def reserve_stock(world: World) -> int:
    """Annual water the reserve holds now, m³."""
    return int(world.accounts.of(ANNUAL, RESERVE))


def reserve_cash(world: World) -> int:
    """The reserve's money now, fen."""
    return int(world.accounts.of("money", RESERVE))
