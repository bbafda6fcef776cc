"""Links between the four rights: the rights register, pledges across rights (X3), projects that need
several rights (X4). Rules F1, F2, F3, X3, X4.

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

from collections.abc import Iterable
from fractions import Fraction

import numpy as np

from ..engine.world import TABLES, World
from ..ledger import ECONOMY, FISCAL, ISSUER, RESERVES, Accounts, Table
from ..units import amount_fen, decimal_to_rational, div_round_half_up, yuan_to_ticks

PLEDGED_SUFFIX = ".pledged"

#: Columns of the ``registry`` table (docs/tables.md).
REGISTRY_COLUMNS: dict[str, str] = TABLES["registry"]


def registry_table(world: World) -> Table:
    """The run's ``registry`` table (rights registrations: F1, F2, F3, X3)."""
    return world.tables["registry"]


def register(world: World, *, right: str, product: str, event: str, holder, quantity, unit: str,
             parcel=-1, counterparty=-1, term_end=-1, amount_fen=0, note: str = "") -> None:
    """Append register rows (arrays or scalars, broadcast) at the current time.

    ``event``: ``confirm`` (initial confirmation, F1), ``transfer``, ``register`` (a transfer registered, F2),
    ``revert`` (a term ends), ``incorporate``, ``afforest``, ``issue``, ``pledge``, ``release``, ``forfeit``
    (F3, X3), ``collateral_lost``. ``term_end``: last calendar year of a term (−1: none).
    """
    registry_table(world).append(
        time=world.clock.day, year=world.clock.year or world.calendar.start_year, right=right, product=product, event=event, parcel=parcel,
        holder=holder, counterparty=counterparty, quantity=quantity, unit=unit, term_end=term_end,
        amount_fen=amount_fen, note=note,
    )


def _batch(cols: dict) -> dict:
    """Numbers and arrays → 1-d arrays of one common length (the record helpers of the world take batches)."""
    arrays = {k: np.atleast_1d(np.asarray(v)) for k, v in cols.items() if not isinstance(v, str)}
    n = max((a.size for a in arrays.values()), default=1)
    return {k: (np.broadcast_to(arrays[k], (n,)).copy() if k in arrays else v) for k, v in cols.items()}


def record_charge(world: World, **cols) -> None:
    """``world.record_charges`` for scalars or arrays (a batch of one is fine)."""
    world.record_charges(**_batch(cols))


def record_trade(world: World, **cols) -> None:
    """``world.record_trades`` for scalars or arrays."""
    world.record_trades(**_batch(cols))


def record_rejection(world: World, **cols) -> None:
    """``world.record_rejections`` for scalars or arrays."""
    world.record_rejections(**_batch(cols))


def base_unit(product: str) -> str:
    """The base unit of ``product`` as its market writes it (docs/tables.md, Products): ``m3`` (water), ``kg``
    (emission), ``m2`` (land, construction-land quota), ``0.01mu`` (forest rights), ``kgce`` (energy-use quota);
    ``""`` for a product of no market. For the unit column of the X3 and X4 rows this module writes."""
    # Imported here, not at the top: the market modules import this one.
    from .emission_units import UNIT as EMISSION_UNIT
    from .forest_afforest import ENERGY, ENERGY_UNIT
    from .forest_parcels import AREA_UNIT
    from .land_parcels import UNIT as LAND_UNIT
    from .water_holders import UNIT as WATER_UNIT

    if product == ENERGY:
        return ENERGY_UNIT
    by_right = {"water": WATER_UNIT, "emission": EMISSION_UNIT, "land": LAND_UNIT, "forest": AREA_UNIT}
    return by_right.get(product.split(".")[0], "")


def pledge_product(product: str) -> str:
    """Rule X3: the ledger product that holds the encumbrance on ``product``."""
    return product + PLEDGED_SUFFIX


def pledged_quantity(accounts: Accounts, product: str, ids: np.ndarray | int) -> np.ndarray:
    """Rule X3: how much of ``product`` each of ``ids`` has pledged (0 if the product cannot be pledged)."""
    pp = pledge_product(product)
    if pp not in accounts.index:
        return np.zeros(np.shape(np.asarray(ids)), dtype=np.int64)
    return accounts.of(pp, ids)


def free_quantity(accounts: Accounts, product: str, ids: np.ndarray | int) -> np.ndarray:
    """Rule X3: what each of ``ids`` may sell of ``product``: holding − encumbrance, at least 0."""
    return np.maximum(accounts.of(product, ids) - pledged_quantity(accounts, product, ids), 0)


def pledge(world: World, product: str, holder: np.ndarray | int, qty: np.ndarray | int) -> None:
    """Rule X3: encumber ``qty`` of ``product`` held by ``holder`` (the caller checked it is free)."""
    world.accounts.move(pledge_product(product), ISSUER, holder, qty)


def release(world: World, product: str, holder: np.ndarray | int, qty: np.ndarray | int) -> None:
    """Rule X3: lift an encumbrance of ``qty`` on ``product`` held by ``holder``."""
    world.accounts.move(pledge_product(product), holder, ISSUER, qty)


def screen_sales(world: World, product: str, sellers: np.ndarray, qty: np.ndarray,
                 price_ticks: np.ndarray) -> np.ndarray:
    """Rule X3: which sales may go ahead; the others (more than the seller's free quantity) are recorded as
    rejected sell orders with the reason ``pledged``. Sales of one seller are checked cumulatively."""
    sellers = np.asarray(sellers, dtype=np.int64)
    qty = np.asarray(qty, dtype=np.int64)
    price_ticks = np.asarray(price_ticks, dtype=np.int64)
    ok = np.ones(sellers.size, dtype=bool)
    if pledge_product(product) not in world.accounts.index or not sellers.size:
        return ok
    free = {int(s): int(f) for s, f in zip(np.unique(sellers), free_quantity(world.accounts, product, np.unique(sellers)),
                                            strict=True)}
    for i, (s, q) in enumerate(zip(sellers.tolist(), qty.tolist(), strict=True)):
        if q > free[s]:
            ok[i] = False
        else:
            free[s] -= q
    if (~ok).any():
        record_rejection(world, product=product, trader=sellers[~ok], side="sell", quantity=qty[~ok],
                                price_ticks=price_ticks[~ok], reason="pledged")
    return ok


def cap_sales(world: World, product: str, sellers: np.ndarray, qty: np.ndarray,
              price_ticks: np.ndarray) -> np.ndarray:
    """Rule X3: the quantity of each sale that may go ahead — at most what the seller has free of pledges
    (holding − encumbrance, sales of one seller checked cumulatively in the given order). The part of a sale
    above it is refused: one rejected sell order per cut sale, its quantity the refused part, reason
    ``pledged``. Without an encumbrance product for ``product`` every sale goes ahead whole."""
    sellers = np.asarray(sellers, dtype=np.int64)
    qty = np.asarray(qty, dtype=np.int64)
    if pledge_product(product) not in world.accounts.index or not sellers.size:
        return qty.copy()
    uniq = np.unique(sellers)
    free = dict(zip(uniq.tolist(), free_quantity(world.accounts, product, uniq).tolist(), strict=True))
    allowed = qty.copy()
    for i, (s, q) in enumerate(zip(sellers.tolist(), qty.tolist(), strict=True)):
        allowed[i] = min(q, max(free[s], 0))
        free[s] -= allowed[i]
    cut = allowed < qty
    if cut.any():
        price_ticks = np.broadcast_to(np.asarray(price_ticks, dtype=np.int64), sellers.shape)
        record_rejection(world, product=product, trader=sellers[cut], side="sell", quantity=(qty - allowed)[cut],
                         price_ticks=price_ticks[cut], reason="pledged")
    return allowed


def reserve_sale_route(right: str) -> tuple[int, str]:
    """Rules X2, E9: (account paid, ``reserve`` table action) of a sale from ``right``'s reserve. The emission
    reserve's sale income is non-tax revenue paid straight to the fiscal account, never to the reserve
    (收支两条线, E9; the path of the emission market's own releases); the other reserves keep it (X2)."""
    if right == "emission":
        return FISCAL, "release"
    return RESERVES[right], "sell"


def fund_reserve(world: World, right: str, product: str, fen: int, reason: str) -> None:
    """Rule X2: ``fen`` of a yearly budget from the fiscal account into the reserve of ``right`` (nothing if 0),
    a ``budget`` row of the ``reserve`` table under ``product`` (stock of ``product`` and cash after it)."""
    if not fen:
        return
    reserve, acc = RESERVES[right], world.accounts
    acc.pay(FISCAL, reserve, fen)
    world.record_reserve(product=product, action="budget", quantity=0, price_ticks=0, amount_fen=fen,
                         stock=int(acc.of(product, reserve)), cash_fen=int(acc.of("money", reserve)), reason=reason)


#: ``reserve`` table actions that bring money to a reserve's income tally, and that spend from its budget.
INCOME_ACTIONS = ("sell", "release")
SPENDING_ACTIONS = ("buy",)


def reserve_tallies(world: World, right: str) -> dict[str, int]:
    """Rules X2, E9: ``budget``, ``income`` and ``spending`` (fen, cumulative) of ``right``'s reserve, summed
    from the run's ``reserve`` records of the right's products — so sales to X4 projects and collateral taken
    over for defaulted X3 loans count as much as the market's own releases and buy-backs."""
    df = world.tables["reserve"].to_dataframe()
    df = df[df["product"].astype(str).str.startswith(right + ".")]
    action = df["action"].astype(str)
    amount = df["amount_fen"]
    return {"budget": int(amount[action == "budget"].sum()),
            "income": int(amount[action.isin(INCOME_ACTIONS)].sum()),
            "spending": int(amount[action.isin(SPENDING_ACTIONS)].sum())}


# ====================================================================================== the links policy
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

    def __init__(self, spec, market_products: Iterable[str]):
        self.spec = spec
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
                     counterparty=ECONOMY, quantity=qty, unit=base_unit(r.product), term_end=end, amount_fen=loans,
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
                         quantity=loan["qty"] - held, unit=base_unit(product), note="encumbrance cut to the holding")
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
                         quantity=loan["qty"], unit=base_unit(product), amount_fen=paid,
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
                         quantity=loan["qty"], unit=base_unit(product), amount_fen=loan["loan"], note="loan repaid")
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
                                    quantity=q, unit=base_unit(prod), price_ticks=price, amount_fen=amount,
                                    relation=f"reserve->project:{p.name}", base_price_ticks=price)
                note = "; income to the fiscal account (E9)" if payee == FISCAL else ""
                world.record_reserve(product=prod, action=action, quantity=q, price_ticks=price, amount_fen=amount,
                                     stock=int(acc.of(prod, reserve)), cash_fen=int(acc.of("money", reserve)),
                                     reason=f"release to project {p.name} (X4){note}")
            self.started[p.name] = year
            register(world, right="links", product=",".join(p.needs), event="project_start", holder=pid,
                     quantity=0, unit=",".join(base_unit(prod) for prod in p.needs),
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
