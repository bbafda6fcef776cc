"""The government water reserve (rule W12, with its own accounts, X2): its budget, its rules and its records.

* :func:`budget` — the yearly budget, from the fiscal account;
* :func:`session_orders` — the orders its rules place in a session: ``buy_below`` (bid at the trigger when the
  last price fell below it), ``sell_above`` (offer at the trigger when it rose above it), ``offer_stock`` (a
  share of the stock every session) — market sales and purchases, ``sell`` / ``buy`` in the ``reserve`` table;
* :func:`dry_year_release` — in a dry year, stock released at a set price to holders short of need, by sector
  priority (a *release*: not a market sale but a sale to eligible users at a set price; ``release``);
* :func:`expire_stock` — the unsold annual stock expires at the year end (``expire``).

Quantities m³ of ``water.annual``, prices ticks per m³, money fen.
"""

from __future__ import annotations

import numpy as np

from ...agents.behaviour import BUY, SELL
from ...engine.world import World
from ...ledger import ISSUER
from ...scenario.water import (
    SECTORS,
    BuyBelow,
    DryYearRelease,
    OfferBeforeExpiry,
    OfferStock,
    ReservePrice,
    SellAbove,
)
from ...units import (
    TICKS_PER_FEN,
    amount_fen_array,
    decimal_to_rational,
    div_round_half_up,
    yuan_to_fen,
    yuan_to_ticks,
)
from ..shared.reserves import fund_reserve
from .descriptor import RESERVE
from .state import ANNUAL, RIGHT, WaterConfig, WaterState, reserve_cash, reserve_stock
from .trading import settle


def budget(world: World, cfg: WaterConfig) -> None:
    """W12: the reserve's yearly budget, from the fiscal account, into its own accounts (X2)."""
    spec = cfg.spec.reserve
    if spec.enabled:
        fund_reserve(world, RIGHT, ANNUAL, yuan_to_fen(spec.budget_yuan_per_year), "yearly budget")


def dry_year_releases(st: WaterState, world: World, cfg: WaterConfig, share, state_name: str) -> None:
    """W12: every ``dry_year_release`` rule whose threshold the year's deliverable ``share`` is below."""
    spec = cfg.spec.reserve
    if not spec.enabled:
        return
    for rule in spec.rules:
        if isinstance(rule, DryYearRelease) and share < decimal_to_rational(rule.below_share):
            dry_year_release(st, world, cfg, rule, state_name)


def dry_year_release(st: WaterState, world: World, cfg: WaterConfig, rule: DryYearRelease, state_name: str) -> None:
    """W12: release reserve stock at a set price to holders short of their intended use (its part not covered
    by their rights, :meth:`~.state.WaterState.uncovered` — not only what they would buy), by sector priority."""
    rng = world.rng.stream("water.reserve")
    for sector_name in rule.priority:
        stock = reserve_stock(world)
        if stock <= 0:
            return
        code = SECTORS.index(sector_name)
        want = st.uncovered(world)
        idx = np.nonzero((st.sector == code) & (want > 0))[0]
        if not idx.size:
            continue
        idx = idx[rng.permutation(idx.size)]
        cum = np.cumsum(want[idx])
        give = np.minimum(want[idx], np.maximum(stock - (cum - want[idx]), 0))
        keep = give > 0
        idx, give = idx[keep], give[keep]
        if rule.yuan_per_m3 is not None:
            price = np.full(idx.size, yuan_to_ticks(rule.yuan_per_m3), dtype=np.int64)
        else:
            price = cfg.pricing.base_price(np.full(idx.size, -1), st.sector[idx])
        settle(st, world, cfg, np.full(idx.size, RESERVE), st.ids[idx], give, price, "reserve",
               reason=f"dry year release ({state_name})", reserve_action="release")


def rule_price(rule: ReservePrice, cfg: WaterConfig) -> int | None:
    """The price of a reserve rule, ticks per m³: its ``*_yuan_per_m3``, or its ``*_base_share`` × the base
    price of its ``relation`` (W5; the reserve's default base price without one); None if it gives neither."""
    yuan_field, share_field = rule.price_fields
    yuan, share = getattr(rule, yuan_field), getattr(rule, share_field)
    if yuan is not None:
        return yuan_to_ticks(yuan)
    if share is None:
        return None
    if rule.relation is None:
        base = cfg.pricing.default_base_ticks
    else:
        base = int(cfg.pricing.base_ticks[SECTORS.index(rule.relation.seller), SECTORS.index(rule.relation.buyer)])
    r = decimal_to_rational(share)
    return div_round_half_up(base * r.numerator, r.denominator)


def trades_cursor(world: World) -> int:
    """A cursor into the trades table, taken before a session (for :func:`observe_session`)."""
    return world.tables["trades"].cursor()


def observe_session(st: WaterState, world: World, cursor: int) -> None:
    """W12: what the reserve's triggers watch — the volume-weighted mean price (ticks per m³, rounded half up)
    of the holders' trades of annual water recorded since ``cursor`` (the session just held; the reserve's own
    fills and releases left out, so that it does not chase its own orders). Kept in ``st.market_price``; a
    session without holders' trades leaves it as it was."""
    trades = world.tables["trades"]
    seller, buyer = trades.column_since("seller", cursor), trades.column_since("buyer", cursor)
    qty, amount = trades.column_since("quantity", cursor), trades.column_since("amount_fen", cursor)
    if not qty.size:
        return
    n = len(st.ids)
    ls, lb = st.local_index(seller), st.local_index(buyer)
    holders = (ls >= 0) & (ls < n) & (lb >= 0) & (lb < n)
    volume = int(qty[holders].sum())
    if volume:
        st.market_price = div_round_half_up(int(amount[holders].sum()) * TICKS_PER_FEN, volume)


def session_orders(st: WaterState, world: World, cfg: WaterConfig) -> list[tuple[int, int, int]]:
    """(side, price, qty) orders the reserve places this session by its rules (W12): ``buy_below`` and
    ``sell_above`` against the market price of the last session with holders' trades (``st.market_price``,
    :func:`observe_session`), ``offer_stock`` every session, ``offer_before_expiry`` in the year's last
    sessions. Purchases within its cash, sales within its stock."""
    spec = cfg.spec.reserve
    if not spec.enabled:
        return []
    out = []
    stock, cash = reserve_stock(world), reserve_cash(world)
    market = st.market_price
    per_year = world.calendar.sessions_per_year
    sessions_left = per_year - world.clock.session % per_year  # this one included
    for rule in spec.rules:
        if isinstance(rule, BuyBelow) and market is not None:
            trig = rule_price(rule, cfg)
            if trig is not None and market < trig and trig > 0:
                qty = min(rule.max_m3_per_session, cash * TICKS_PER_FEN // trig)
                if qty > 0:
                    out.append((BUY, trig, qty))
                    cash -= amount_fen_array(np.array([qty]), np.array([trig]))[0]
        elif isinstance(rule, SellAbove) and market is not None:
            trig = rule_price(rule, cfg)
            if trig is not None and market > trig:
                qty = min(rule.max_m3_per_session, stock)
                if qty > 0:
                    out.append((SELL, trig, qty))
                    stock -= qty
        elif isinstance(rule, OfferStock):
            share = decimal_to_rational(rule.share_per_session)
            qty = stock * share.numerator // share.denominator
            price = yuan_to_ticks(rule.yuan_per_m3) if rule.yuan_per_m3 is not None else cfg.pricing.default_base_ticks
            if qty > 0:
                out.append((SELL, price, qty))
                stock -= qty
        elif isinstance(rule, OfferBeforeExpiry) and sessions_left <= rule.last_sessions:
            price = rule_price(rule, cfg)
            qty = -(-stock // sessions_left)  # spread evenly, everything in the last session
            if qty > 0:
                out.append((SELL, cfg.pricing.default_base_ticks if price is None else price, qty))
                stock -= qty
    return out


def expire_stock(world: World) -> int:
    """The reserve's unsold annual water expires at the year end (``expire`` in the ``reserve`` table).
    Returns the stock before the expiry, m³: the reserve's stock at the year end."""
    stock = reserve_stock(world)
    if stock:
        world.accounts.move(ANNUAL, RESERVE, ISSUER, stock)
        world.record_reserve(product=ANNUAL, action="expire", quantity=stock, price_ticks=0, amount_fen=0,
                             stock=0, cash_fen=reserve_cash(world), reason="unsold annual stock expires")
    return stock
