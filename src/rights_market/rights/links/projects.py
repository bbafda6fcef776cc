"""Projects that need several rights (rule X4): they buy what they lack from the rights' reserves, all of it
or nothing, and proceed in the year they hold everything. Quantities base units, prices ticks, money fen."""

from __future__ import annotations

from ...engine.world import World
from ...ledger import ECONOMY, FISCAL
from ...units import amount_fen, yuan_to_ticks
from ..shared.pledges import free_quantity
from ..shared.records import record_charge, record_rejection, record_trade
from ..shared.registry import register
from ..shared.reserves import RESERVES, reserve_sale_route
from .state import RIGHT, LinksConfig, LinksState


def project_price(cfg: LinksConfig, prices_yuan, product: str) -> int:
    """X4: what a project pays a reserve per base unit of ``product`` (ticks): its ``prices_yuan`` entry, or
    for a right held for a term (``water.right``: the industrial validity term of W2) the present value of
    that annual price over the term (:func:`~rights_market.rules.economics.term_price`), never one year's
    price for a right held for years."""
    annual = yuan_to_ticks(prices_yuan.get(product, 0))
    factor = cfg.term_factor.get(product)
    return annual if factor is None else int(annual * factor)


def start_projects(st: LinksState, world: World, cfg: LinksConfig) -> None:
    """X4: every waiting project buys what it lacks from the reserves if they can supply all of it, and
    proceeds; otherwise each lacking product is a rejected buy (``insufficient_rights``) and it waits."""
    acc, year = world.accounts, world.clock.year
    for k, p in enumerate(cfg.spec.projects):
        if p.name in st.started or year < p.start_year:
            continue
        pid = int(st.project_ids[k])
        missing = {prod: q - int(acc.of(prod, pid)) for prod, q in p.needs.items()}
        missing = {prod: q for prod, q in missing.items() if q > 0}
        short = {}
        for prod, q in missing.items():
            supply = int(free_quantity(acc, prod, RESERVES[prod.split(".")[0]]))
            if supply < q:
                short[prod] = q - supply
        if short:
            for prod, q in short.items():
                record_rejection(world, product=prod, trader=pid, side="buy", quantity=q,
                                        price_ticks=project_price(cfg, p.prices_yuan, prod),
                                        reason="insufficient_rights")
            st.blocked += 1
            continue
        for prod, q in missing.items():
            right = prod.split(".")[0]
            reserve = RESERVES[right]
            payee, action = reserve_sale_route(right)  # E9: emission reserve income to the fiscal account
            price = project_price(cfg, p.prices_yuan, prod)
            amount = amount_fen(q, price)
            if amount:
                acc.pay(ECONOMY, pid, amount)
                record_charge(world, holder=ECONOMY, payee=pid, product=prod, kind="capital", band=0, quantity=q,
                                     rate_ticks=price, amount_fen=amount)
                acc.pay(pid, payee, amount)
            acc.move(prod, reserve, pid, q)
            record_trade(world, right=right, product=prod, mechanism="directed", seller=reserve, buyer=pid,
                                quantity=q, unit=cfg.unit_of(prod), price_ticks=price, amount_fen=amount,
                                relation=f"reserve->project:{p.name}", base_price_ticks=price)
            note = "; income to the fiscal account (E9)" if payee == FISCAL else ""
            world.record_reserve(product=prod, action=action, quantity=q, price_ticks=price, amount_fen=amount,
                                 stock=int(acc.of(prod, reserve)), cash_fen=int(acc.of("money", reserve)),
                                 reason=f"release to project {p.name} (X4){note}")
        st.started[p.name] = year
        register(world, right=RIGHT, product=",".join(p.needs), event="project_start", holder=pid,
                 quantity=0, unit=",".join(cfg.unit_of(prod) for prod in p.needs),
                 note=f"{p.name}: every right held (X4)")

