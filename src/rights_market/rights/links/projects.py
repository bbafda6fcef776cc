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
                                        price_ticks=yuan_to_ticks(p.prices_yuan.get(prod, 0)),
                                        reason="insufficient_rights")
            st.blocked += 1
            continue
        for prod, q in missing.items():
            right = prod.split(".")[0]
            reserve = RESERVES[right]
            payee, action = reserve_sale_route(right)  # E9: emission reserve income to the fiscal account
            price = yuan_to_ticks(p.prices_yuan.get(prod, 0))
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

