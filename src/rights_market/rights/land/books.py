"""Money and rights of the land market through the ledger and the record tables: trades with the L16 price
flags, charges, refusals (X3 pledges), leases and their rents, class conversions, transfers of parcels and
reserve rows. Functions of the :class:`~.state.LandState` and the world, used by every topic module.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import ISSUER
from ...rules.land import price_flags
from ...units import amount_fen_array
from ..shared.pledges import free_quantity
from ..shared.reserves import RESERVES
from .parcels import CONTRACT, DIVIDEND, QUOTA, RENT, UNIT, USE_PRODUCT
from .state import LandState

RIGHT = "land"
LAND_RESERVE = RESERVES["land"]


def trade(st: LandState, world: World, *, product: str, mechanism: str, seller: int, buyer: int, qty: int, price: int,
          relation: str, deal: str = "", lease_years: int = 0, bench: int = 0, pay: bool = True,
          move: bool = True) -> int:
    """Apply and record one land trade (see :func:`trades`). Returns the fen."""
    return int(trades(st, world, product=product, mechanism=mechanism, seller=np.array([seller]),
                      buyer=np.array([buyer]), qty=np.array([qty]), price=np.array([price]), relation=relation,
                      deal=deal, lease_years=lease_years, bench=np.array([bench]), pay=pay, move=move)[0])


def trades(st: LandState, world: World, *, product: str, mechanism: str, seller: np.ndarray, buyer: np.ndarray,
           qty: np.ndarray, price: np.ndarray, relation: str | np.ndarray, deal: str | np.ndarray = "",
           lease_years: int | np.ndarray = 0, bench: np.ndarray, pay: bool = True, move: bool = True) -> np.ndarray:
    """Apply and record land trades of one product and mechanism (arrays, one entry per trade): the rights
    ``seller → buyer`` (if ``move``), the money ``buyer → seller`` (if ``pay``). ``relation`` is
    ``<seller kind>-><buyer kind>``, ``deal`` the kind of deal (mode words, docs/tables.md), ``lease_years``
    the term of a lease (0 = a sale; a lease's price is the yearly rent, ``price_basis`` ``rent``). Rule L16
    flags each price more than the band off its ``bench`` (ticks per m², 0 = none) in ``price_flag``.
    Returns the fen."""
    acc = world.accounts
    seller, buyer = np.asarray(seller, dtype=np.int64), np.asarray(buyer, dtype=np.int64)
    qty, price = np.asarray(qty, dtype=np.int64), np.asarray(price, dtype=np.int64)
    bench = np.asarray(bench, dtype=np.int64)
    amount = amount_fen_array(qty, price)
    if move:
        acc.move(product, seller, buyer, qty)
    if pay:
        acc.pay(buyer, seller, amount)
    has = bench > 0
    flag = np.zeros(qty.size, dtype=np.int8)
    if has.any():
        flag[has] = price_flags(price[has], bench[has], st.band)
        st.stats["flags_low"] += int((flag < 0).sum())
        st.stats["flags_high"] += int((flag > 0).sum())
        st.stats["bench_trades"] += int(has.sum())
        st.stats["bench_price_ratio_ppm"] += int((price[has] * 1_000_000 // bench[has]).sum())
    world.record_trades(right=RIGHT, product=product, mechanism=mechanism, seller=seller, buyer=buyer,
                        quantity=qty, unit=UNIT, price_ticks=price, amount_fen=amount, relation=relation,
                        base_price_ticks=bench, deal=deal, lease_years=lease_years,
                        price_basis=np.where(np.broadcast_to(lease_years, qty.shape) > 0, "rent", "price"),
                        price_flag=np.select([flag < 0, flag > 0], ["low", "high"], ""))
    st.stats["trade_count"] += int(qty.size)
    st.stats[f"trade_count_{mechanism}"] += int(qty.size)
    st.stats["traded_m2"] += int(qty.sum())
    st.stats["traded_fen"] += int(amount.sum())
    # rents and sale prices apart (KPIs mean_rent, mean_sale_price); quota is no land, so not a sale price
    rent = np.broadcast_to(np.asarray(lease_years) > 0, qty.shape)
    st.stats["rent_m2"] += int(qty[rent].sum())
    st.stats["rent_fen"] += int(amount[rent].sum())
    if product != QUOTA:
        st.stats["sale_m2"] += int(qty[~rent].sum())
        st.stats["sale_fen"] += int(amount[~rent].sum())
    return amount


def charge(st: LandState, world: World, payer: int, payee: int, product: str, kind: str, qty: int, rate: int,
           amount: int) -> None:
    """Pay and record one charge line (``amount`` fen, ≥ 0; nothing if 0)."""
    if amount <= 0:
        return
    world.accounts.pay(payer, payee, amount)
    world.record_charges(holder=np.array([payer]), payee=np.array([payee]), product=product, kind=kind, band=0,
                         quantity=np.array([qty]), rate_ticks=np.array([rate]), amount_fen=np.array([amount]))
    st.stats[f"charge_{kind}_fen"] += amount


def reject(st: LandState, world: World, *, product: str, trader: int, side: str, qty: int, price: int, reason: str) -> None:
    """Record one refused order, conversion or transfer with its reason."""
    world.record_rejections(product=product, trader=np.array([trader]), side=side, quantity=np.array([qty]),
                            price_ticks=np.array([price]), reason=reason)
    st.stats[f"rejected_{reason}"] += 1
    st.stats["rejected"] += 1


def reject_many(st: LandState, world: World, product: str, side: str, rows: list[tuple[int, int, int, str]]) -> None:
    """Record refusals ``(trader, quantity, price ticks, reason)`` of one product and side together."""
    if not rows:
        return
    trader, qty, price, reason = (list(c) for c in zip(*rows, strict=True))
    world.record_rejections(product=product, trader=np.array(trader, dtype=np.int64), side=side,
                            quantity=np.array(qty, dtype=np.int64), price_ticks=np.array(price, dtype=np.int64),
                            reason=np.array(reason, dtype=object))
    for r in reason:
        st.stats[f"rejected_{r}"] += 1
    st.stats["rejected"] += len(rows)


def refuse_pledged(st: LandState, world: World, product: str, seller: int, qty: int, price: int, agreed: int = 0,
                   rows: list | None = None) -> bool:
    """Rule X3: refuse a sale or lease of ``qty`` m² of ``product`` by ``seller`` if it holds less than that
    free of pledges (holding − ``<product>.pledged`` − ``agreed``, the m² of its deals agreed but not yet
    applied). A refusal is recorded (reason ``pledged``) at once, or appended to ``rows`` for
    :func:`reject_many`. Returns True if refused."""
    if int(free_quantity(world.accounts, product, seller)) - agreed >= qty:
        return False
    if rows is None:
        reject(st, world, product=product, trader=seller, side="sell", qty=qty, price=price, reason="pledged")
    else:
        rows.append((seller, qty, price, "pledged"))
    return True


def start_lease(st: LandState, world: World, i: int, user: int, until: int, rent: int, payee: int, kind: int,
                mechanism: str, relation: str, deal: str, years: int, bench: int) -> None:
    """Lease parcel ``i`` (see :func:`start_leases`)."""
    start_leases(st, world, np.array([i]), np.array([user]), np.array([until]), np.array([rent]),
                 np.array([payee]), np.array([kind]), mechanism, relation, deal, years, bench)


def start_leases(st: LandState, world: World, rows: np.ndarray, users: np.ndarray, until: np.ndarray, rent: np.ndarray,
                 payee: np.ndarray, kind: np.ndarray, mechanism: str, relation: str | np.ndarray,
                 deal: str | np.ndarray, years: int | np.ndarray, bench: int) -> None:
    """Lease the use-level rights of parcels ``rows`` (all of one product) to ``users`` until the years
    ``until`` at ``rent`` ticks per m² and year, paid to ``payee`` as ``kind`` (rent or dividend) — rules L7,
    L9, L10, L13: one trade each (price = the yearly rent), the right moves now, the first year's rent is
    paid now and the others at the following year starts. ``relation``, ``deal``: as in :func:`trades`;
    ``years``: the lease term."""
    p = st.parcels
    rows = np.asarray(rows, dtype=np.int64)
    if not rows.size:
        return
    prods = {USE_PRODUCT[int(c)] for c in p.cls[rows]}
    if len(prods) != 1:
        raise ValueError("start_leases takes parcels of one product")
    trades(st, world, product=prods.pop(), mechanism=mechanism, seller=p.user[rows], buyer=users,
                qty=p.area[rows], price=rent, relation=relation, deal=deal, lease_years=years,
           bench=np.full(rows.size, bench), pay=False)
    p.user[rows], p.user_until[rows], p.rent_ticks[rows] = users, until, rent
    p.rent_payee[rows], p.rent_kind[rows], p.acquired[rows] = payee, kind, world.clock.year
    pay_rent(st, world, rows)


def pay_rent(st: LandState, world: World, rows: np.ndarray) -> None:
    """One year's rent of the leased parcels ``rows``: user → payee, a ``rent`` or ``dividend`` charge each."""
    p = st.parcels
    if not rows.size:
        return
    amount = amount_fen_array(p.area[rows], p.rent_ticks[rows])
    prods = p.use_products()[rows]
    for kind_code, kind in ((DIVIDEND, "dividend"), (RENT, "rent")):
        for prod in np.unique(prods).tolist():
            m = (p.rent_kind[rows] == kind_code) & (prods == prod) & (amount > 0)
            if not m.any():
                continue
            r = rows[m]
            world.accounts.pay(p.user[r], p.rent_payee[r], amount[m])
            world.record_charges(holder=p.user[r], payee=p.rent_payee[r], product=prod, kind=kind, band=0,
                                 quantity=p.area[r], rate_ticks=p.rent_ticks[r], amount_fen=amount[m])
            st.stats[f"charge_{kind}_fen"] += int(amount[m].sum())


def convert(st: LandState, world: World, i: int, new_cls: int, new_user: int) -> None:
    """Change the class of parcel ``i``: its old rights return to the issuer, the new use-level right is
    issued to ``new_user`` (area conserved: the same m² change product). Used by conversions (L2) and
    restoration (L8, L9)."""
    p, acc = st.parcels, world.accounts
    a = int(p.area[i])
    if p.has_contract()[i]:
        acc.move(CONTRACT, int(p.holder[i]), ISSUER, a)
    acc.move(USE_PRODUCT[int(p.cls[i])], int(p.user[i]), ISSUER, a)
    p.cls[i] = new_cls
    acc.move(USE_PRODUCT[new_cls], ISSUER, new_user, a)
    p.user[i] = new_user


def transfer_parcel(st: LandState, i: int, buyer: int, year: int, term_end: int | None = None) -> None:
    """Columns of a sold parcel (the ledger moved in :func:`trade`): new holder and user since ``year``."""
    p = st.parcels
    p.holder[i] = p.user[i] = buyer
    p.acquired[i] = year
    if term_end is not None:
        p.term_end[i] = term_end


def reserve_record(st: LandState, world: World, product: str, action: str, qty: int, price: int, amount: int,
                   reason: str) -> None:
    acc = world.accounts
    world.record_reserve(product=product, action=action, quantity=qty, price_ticks=price, amount_fen=amount,
                         stock=int(acc.of(product, LAND_RESERVE)), cash_fen=int(acc.of("money", LAND_RESERVE)),
                         reason=reason)

