"""Links between the four rights: the rights register, pledges across rights (X3), projects that need
several rights (X4). Rules F1, F2, F3, X3, X4.

The register, pledges and reserve money live in :mod:`..shared`; this module is the X3/X4 policy.

**Register.** Every confirmation, registered transfer, reversion, pledge, release and forfeiture of a right is a
row of the run's ``registry`` table (columns :data:`REGISTRY_COLUMNS`), which any right policy appends to
through :func:`register`. It is the simulator's 不动产登记簿: ``grep`` a parcel id to see its history.

**Pledges (X3; for water the pledge and mortgage of W14, for emission E10, for forest F3).** A pledged quantity of product ``P`` is an encumbrance kept in the ledger itself as the
companion product ``P.pledged`` (:func:`pledge_product`): pledging issues it to the holder, releasing returns it
to the issuer, so encumbrances are conserved and checked like every right, and any policy can see them through
:func:`free_quantity` = holding − encumbrance. A sale of more than the free quantity is refused with the
reason ``pledged`` (:func:`screen_sales` refuses whole sales, :func:`cap_sales` cuts each sale to the free
quantity and refuses the rest). Policies that sell ``P`` must screen their sales (water, emission, land and
forest do); a right policy that declares ``P`` also declares ``P.pledged`` if its holders may pledge it.

**Reserve money (X2, E9).** A sale from a right's reserve is paid where that right's rules send reserve income
(:func:`reserve_sale_route`): the emission reserve's income is non-tax revenue paid to the fiscal account, kept
apart from its spending, which comes from its budget only (收支两条线, E9); the other reserves keep their sale
income in their own accounts (X2). Every movement of reserve money is a row of the ``reserve`` table, so
:func:`reserve_tallies` reads a reserve's budget, income and spending from the records, whoever made them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction

import numpy as np

from ...engine.world import World
from ...ledger import ECONOMY, FISCAL
from ...units import amount_fen, decimal_to_rational, div_round_half_up, yuan_to_ticks
from ..shared.pledges import free_quantity, pledge, pledge_product, release
from ..shared.records import record_charge, record_rejection, record_trade
from ..shared.registry import register
from ..shared.reserves import RESERVES, reserve_sale_route


class LinksPolicy:
    """Rules X3 and X4 across whichever markets the scenario holds (a policy with no market of its own).

    **X3.** Each year start, for every pledge rule, a drawn share of the holders of the product (accounts with
    a free quantity) pledge ``pledge_share`` of it for a loan from the bank (the economy account); interest is
    paid every year end; at maturity the loan is repaid and the encumbrance lifted, or (by chance) it defaults:
    the encumbrance is lifted, the collateral moves to the right's reserve (X2), which pays the bank what its
    cash allows. If the holder no longer holds the collateral (reclaimed, expired), the encumbrance is cut to
    what it holds (register event ``collateral_lost``).

    **X4.** Each project, from its start year until it proceeds, checks what it lacks of every need; it buys
    the missing quantities from the reserves of their rights at its prices — only if every reserve can supply
    all of it — and proceeds in the year it holds everything; otherwise it waits, and each lacking product is
    recorded as a rejected buy order (reason ``insufficient_rights``). Projects are accounts of their own,
    funded by the economy (kind ``capital``); they pay for a reserve's rights where that right's rules send
    reserve income (:func:`reserve_sale_route`: the emission reserve's to the fiscal account, E9), recorded in the
    ``reserve`` table exactly like the market's own releases. Water rights bound land use and industry this way:
    a project that cannot get its water does not go ahead whatever land and emission rights it has. A project
    holding ``water.right`` receives its annual water (``water.annual``) at every year start like any holder of
    the right (rule W12's allocation in :mod:`.water`) — from the year after it bought the right, since the
    links act after the markets' year starts; the water market neither bills nor uses a project's water, which
    expires unused at the year end (the simulator does not model the project's operation).
    """

    right = "links"

    def __init__(self, spec, market_products: Iterable[str], unit_of: Callable[[str], str] = lambda p: ""):
        """``unit_of``: base unit of a product (from the rights' descriptors) for the X3 and X4 rows."""
        self.spec = spec
        self._unit_of = unit_of
        available = set(market_products)
        problems = []
        for i, r in enumerate(spec.pledges):
            if r.product not in available:
                problems.append(f"links.pledges.{i}.product: {r.product!r} is not traded by any market of this "
                                f"scenario (products: {', '.join(sorted(available))})")
        for i, p in enumerate(spec.projects):
            for product in p.needs:
                if product not in available:
                    problems.append(f"links.projects.{i}.needs: {product!r} (project {p.name}) is not traded by any "
                                    f"market of this scenario; add the {product.split('.')[0]} section or drop it")
        if problems:
            raise ValueError("; ".join(problems))
        self._products = [pp for pp in dict.fromkeys(pledge_product(r.product) for r in spec.pledges)
                          if pp not in available]
        self.started: dict[str, int] = {}

    def unit_of(self, product: str) -> str:
        """Base unit of ``product`` as its market writes it (``""`` for a product of no market)."""
        return self._unit_of(product)

    def notes(self) -> list[str]:
        return []

    def products(self) -> list[str]:
        return list(self._products)

    def holder_count(self) -> int:
        return len(self.spec.projects)

    def setup(self, world: World, first_holder: int) -> None:
        n = len(self.spec.projects)
        self.project_ids = np.arange(first_holder, first_holder + n, dtype=np.int64)
        self.loans: list[dict] = []
        if n:
            world.tables["holders"].append(holder=self.project_ids,
                                           name=np.array([p.name for p in self.spec.projects], dtype=object),
                                           group="projects", sector="industry", right="links")

    # ------------------------------------------------------------------ X3
    def _new_pledges(self, world: World) -> None:
        acc, year = world.accounts, world.clock.year
        rng = world.rng.stream("links.pledges")
        holders_all = np.arange(acc.n_holders, dtype=np.int64)
        for ri, r in enumerate(self.spec.pledges):
            free = free_quantity(acc, r.product, holders_all)
            free[self.project_ids] = 0
            cand = np.nonzero(free > 0)[0]
            chosen = cand[rng.random(cand.size) < float(r.holder_share)]
            share = _q(r.pledge_share)
            qty = (free[chosen] * share.numerator) // share.denominator
            keep = qty > 0
            chosen, qty = chosen[keep], qty[keep]
            if not chosen.size:
                continue
            per_unit = _q(r.value_yuan_per_unit) * 100 * _q(r.loan_to_value)  # fen per base unit lent
            loans = (qty * per_unit.numerator) // per_unit.denominator
            pledge(world, r.product, chosen, qty)
            acc.pay(ECONOMY, chosen, loans)
            end = year + r.term_years - 1
            register(world, right=r.product.split(".")[0], product=r.product, event="pledge", holder=chosen,
                     counterparty=ECONOMY, quantity=qty, unit=self.unit_of(r.product), term_end=end, amount_fen=loans,
                     note="loan (X3)")
            record_charge(world, holder=ECONOMY, payee=chosen, product=r.product, kind="loan", band=0, quantity=qty,
                                 rate_ticks=0, amount_fen=loans)
            for h, q, loan in zip(chosen.tolist(), qty.tolist(), loans.tolist(), strict=True):
                self.loans.append({"rule": ri, "holder": h, "qty": q, "loan": loan, "end": end})

    def _settle_loans(self, world: World) -> None:
        acc, year = world.accounts, world.clock.year
        rng = world.rng.stream("links.pledges")
        left = []
        for loan in self.loans:
            r = self.spec.pledges[loan["rule"]]
            h, product = loan["holder"], r.product
            held = int(acc.of(product, h))
            if held < loan["qty"]:  # the collateral went away (reclaimed at the end of its validity, ...)
                release(world, product, h, loan["qty"] - held)
                register(world, right=product.split(".")[0], product=product, event="collateral_lost", holder=h,
                         quantity=loan["qty"] - held, unit=self.unit_of(product), note="encumbrance cut to the holding")
                loan["qty"] = held
            interest = _round(loan["loan"] * _q(r.interest_rate))
            if interest:
                acc.pay(h, ECONOMY, interest)
                record_charge(world, holder=h, payee=ECONOMY, product=product, kind="interest", band=0,
                                     quantity=loan["qty"], rate_ticks=0, amount_fen=interest)
            if loan["end"] != year:
                left.append(loan)
                continue
            release(world, product, h, loan["qty"])
            right = product.split(".")[0]
            if rng.random() < float(r.default_rate) and loan["qty"]:
                reserve = RESERVES[right]
                paid = max(min(loan["loan"], int(acc.of("money", reserve))), 0)
                acc.move(product, h, reserve, loan["qty"])
                if paid:
                    acc.pay(reserve, ECONOMY, paid)
                register(world, right=right, product=product, event="forfeit", holder=reserve, counterparty=h,
                         quantity=loan["qty"], unit=self.unit_of(product), amount_fen=paid,
                         note=f"default: reserve paid {paid} fen")
                world.record_reserve(product=product, action="buy", quantity=loan["qty"], price_ticks=0,
                                     amount_fen=paid, stock=int(acc.of(product, reserve)),
                                     cash_fen=int(acc.of("money", reserve)), reason="collateral of a defaulted loan (X3)")
                self.defaults += 1
            else:
                acc.pay(h, ECONOMY, loan["loan"])
                record_charge(world, holder=h, payee=ECONOMY, product=product, kind="loan_repayment", band=0,
                                     quantity=loan["qty"], rate_ticks=0, amount_fen=loan["loan"])
                register(world, right=right, product=product, event="release", holder=h, counterparty=ECONOMY,
                         quantity=loan["qty"], unit=self.unit_of(product), amount_fen=loan["loan"], note="loan repaid")
        self.loans = left

    # ------------------------------------------------------------------ X4
    def _projects(self, world: World) -> None:
        acc, year = world.accounts, world.clock.year
        for k, p in enumerate(self.spec.projects):
            if p.name in self.started or year < p.start_year:
                continue
            pid = int(self.project_ids[k])
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
                self.blocked += 1
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
                                    quantity=q, unit=self.unit_of(prod), price_ticks=price, amount_fen=amount,
                                    relation=f"reserve->project:{p.name}", base_price_ticks=price)
                note = "; income to the fiscal account (E9)" if payee == FISCAL else ""
                world.record_reserve(product=prod, action=action, quantity=q, price_ticks=price, amount_fen=amount,
                                     stock=int(acc.of(prod, reserve)), cash_fen=int(acc.of("money", reserve)),
                                     reason=f"release to project {p.name} (X4){note}")
            self.started[p.name] = year
            register(world, right="links", product=",".join(p.needs), event="project_start", holder=pid,
                     quantity=0, unit=",".join(self.unit_of(prod) for prod in p.needs),
                     note=f"{p.name}: every right held (X4)")

    # ------------------------------------------------------------------ hooks
    def year_start(self, world: World) -> None:
        self.defaults = 0
        self.blocked = 0
        self._new_pledges(world)
        self._projects(world)

    def session(self, world: World) -> None:
        """Links act at year boundaries only."""

    def period_end(self, world: World, period: int) -> None:
        """Nothing to snapshot: the markets snapshot their products."""

    def year_end(self, world: World) -> None:
        self._settle_loans(world)
        k = world.record_kpi
        for r in self.spec.pledges:
            q = sum(loan["qty"] for loan in self.loans if self.spec.pledges[loan["rule"]].product == r.product)
            k("links", f"pledged:{r.product}", q, "base units")
        k("links", "loans_outstanding", sum(loan["loan"] for loan in self.loans) / 100, "yuan")
        k("links", "defaults", self.defaults, "1")
        k("links", "projects_started", len(self.started), "1")
        k("links", "projects_blocked", self.blocked, "1")


def _q(value) -> Fraction:
    return decimal_to_rational(value)


def _round(x: Fraction) -> int:
    return div_round_half_up(x.numerator, x.denominator)

