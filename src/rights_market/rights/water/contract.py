"""Contract water saving (合同节水, rule W14) as an economic decision of water-saving service companies.

The plan ([W §二(四)12]) sets up "contract saving + water-rights trading" (合同节水+水权交易) and asks *social
capital* (社会资本) to build and run saving works and to obtain the saved water first (优先获得节约的水资源使用权).
So the investor is a company, not the reserve: ``water.contract_saving.companies`` holder accounts after the
holders of the groups (group :data:`COMPANY_GROUP`, no sector), each with its own money.

Each year end, after the holders' own saving and W4 term deals (:mod:`.terms`):

* the annual price industry expects to pay, ``p`` (``exp_buy`` of industry), gives the W4 term price of a m³
  a year for the contract term, ``P = term_price(p, term_years, discount_rate)`` in whole ticks, as the
  farms' own term deals are priced; firms deal only when their alternative (the top surcharge band their
  allowance reaches) is at least ``p``, as in W4;
* a company funds saving in a host (a holder of ``host_groups``) on the host's own capital curve, starting
  where the host's saving so far left it, while the capital of the next saved m³ a year is at most what the
  company gets for it, ``investor_share × P`` (:func:`~rights_market.rules.economics.saving_to_invest` with
  capital in place of annualised cost: the term price is paid at once, so the company recovers its capital
  at signing). A host that did not invest itself at these prices (a farm borrowing at its
  ``financing_rate``) is where the company finds room; the host pays nothing and gains water;
* up to ``contracts_per_year`` contracts, the hosts with the cheapest next m³ first (ties in a seeded random
  order), each with a random firm short of rights (planned use in a normal year above its confirmed right);
  a contract's saving ``s`` (whole m³ a year) is cut so that the company's share ⌊s × share⌋ fits the
  firm's shortfall, the right the host holds free of pledges (X3) and the host's confirmed right;
* the company pays the capital to the economy (a ``capital`` charge, rounded to the fen), the host's
  confirmed right of ⌊s × share⌋ passes to the company (registry ``transfer``, no money) and straight on to
  the firm in a W4 term deal of ``term_years`` at ``P`` (a ``negotiation`` trade of ``water.right`` with
  ``deal`` ``contract_saving``, relation ``saving_company->industry``, registry ``transfer``); when the term
  ends the right returns to the host (the W4 ``revert`` of :func:`.terms.long_term`). The saving lowers the
  host's reference use for good; the host keeps ``s − ⌊s × share⌋`` as its own saved water (farms may sell it
  in W4 term deals).

A company's return is what its term deals brought in minus its capital: its money balance, exact in fen
(KPI ``contract_saving_return``). Quantities m³ (a year), prices ticks per m³, money fen.
"""

from __future__ import annotations

import numpy as np

from ...engine.world import World
from ...ledger import ECONOMY
from ...rules import economics as econ
from ...units import FEN_PER_YUAN, TICKS_PER_YUAN, amount_fen_array, decimal_to_rational
from ..shared.pledges import free_quantity
from ..shared.registry import register
from . import decisions
from .state import AGRI, IND, RIGHT, RIGHT_P, UNIT, TermDeal, WaterConfig, WaterState
from .terms import surcharge_step

#: The ``group`` of the companies' accounts in the holders table, and the seller kind of their trades.
COMPANY_GROUP = "water_saving_company"
#: Seller kind of a company's term deals in ``relation``.
COMPANY_KIND = "saving_company"
#: ``deal`` of a company's term deals.
DEAL = "contract_saving"


def company_count(spec) -> int:
    """Accounts the water market needs for its companies (0 without contract saving)."""
    cs = spec.contract_saving
    return cs.companies if cs.enabled else 0


def make_companies(st: WaterState, world: World, cfg: WaterConfig, first: int) -> None:
    """The companies' accounts (ids ``first …``), recorded in ``holders`` (group :data:`COMPANY_GROUP`, no
    sector); they start with nothing: their capital goes out before their sales come in."""
    n = company_count(cfg.spec)
    st.companies = np.arange(first, first + n, dtype=np.int64)
    if n:
        world.tables["holders"].append(
            holder=st.companies, name=np.char.add(f"{COMPANY_GROUP}-", np.arange(1, n + 1).astype(str)).astype(object),
            group=COMPANY_GROUP, sector="", right=RIGHT)


def contract_saving(st: WaterState, world: World, cfg: WaterConfig) -> None:
    """W14 at the year end: companies fund saving where it pays and sell their share for the term (module
    docstring). Sets this year's tallies ``contract_year`` (m³ a year) and ``contract_capital_fen``."""
    st.contract_year, st.contract_capital_fen = 0, 0
    cs = cfg.spec.contract_saving
    if not cs.enabled or cs.contracts_per_year <= 0:
        return
    acc, year = world.accounts, world.clock.year
    rng = world.rng.stream("water.contract_saving")
    names = [g.name for g in cfg.spec.groups]
    host_groups = [names.index(n) for n in cs.host_groups]
    hosts = np.nonzero(np.isin(st.group, host_groups))[0]
    confirmed = acc.of(RIGHT_P, st.ids)
    plan_use = decisions.normal_year_use(st, cfg, confirmed)
    shortfall = np.where(st.sector == IND, np.maximum(plan_use - confirmed, 0), 0)
    firms = np.nonzero(shortfall > 0)[0]
    expected = float(st.exp_buy[IND])
    if not hosts.size or not firms.size or expected <= 0:
        return
    if cfg.pricing.surcharges["industry"] is not None and surcharge_step(cfg) < expected - 1e-12:
        return  # firms would rather pay the surcharge than buy at the expected price (as in W4)
    rate, term = cfg.spec.economics.discount_rate, cs.term_years
    price = int(np.floor(float(econ.term_price(expected, term, rate)) * TICKS_PER_YUAN))
    share = decimal_to_rational(cs.investor_share)
    worth = float(share) * price / TICKS_PER_YUAN  # yuan the company gets per m³ a year it funds
    k_next, slope, left = decisions.capital_curve(st, cfg, hosts)
    pays = np.floor(econ.saving_to_invest(worth, k_next, slope, left))
    cand = hosts[pays >= 1]
    if not cand.size or price <= 0:
        return
    # the cheapest next m³ first; hosts at the same cost in a seeded random order
    cand = cand[rng.permutation(cand.size)]
    cand = cand[np.argsort(k_next[np.searchsorted(hosts, cand)], kind="stable")]
    firms = firms[rng.permutation(firms.size)]
    k = min(cs.contracts_per_year, cand.size, firms.size)
    host, firm = cand[:k], firms[:k]
    s = pays[np.searchsorted(hosts, host)].astype(np.int64)
    # the company's share ⌊s·num/den⌋ within the firm's shortfall, the host's free and confirmed right
    room = np.minimum(shortfall[firm], np.minimum(free_quantity(acc, RIGHT_P, st.ids[host]), confirmed[host]))
    s = np.minimum(s, (room * share.denominator) // share.numerator)
    qty = (s * share.numerator) // share.denominator
    ok = (s > 0) & (qty > 0)
    host, firm, s, qty = host[ok], firm[ok], s[ok], qty[ok]
    if not host.size:
        return
    company = st.companies[np.arange(host.size) % st.companies.size]
    more = np.zeros(len(st.ids))
    more[host] = s
    capital_fen = np.rint(decisions.saving_capital_each(st, cfg, more)[host] * FEN_PER_YUAN).astype(np.int64)
    # the company builds the works: its capital goes to the economy
    acc.pay(company, ECONOMY, capital_fen)
    world.record_charges(holder=company, payee=ECONOMY, product=RIGHT_P, kind="capital", band=0, quantity=s,
                         rate_ticks=np.rint(capital_fen * (TICKS_PER_YUAN // FEN_PER_YUAN) / s).astype(np.int64),
                         amount_fen=capital_fen)
    end = year + term
    # its share of the saved water: first to the company (the contract), at once on to the firm (W4)
    acc.move(RIGHT_P, st.ids[host], company, qty)
    register(world, right=RIGHT, product=RIGHT_P, event="transfer", holder=company, counterparty=st.ids[host],
             quantity=qty, unit=UNIT, term_end=end, note=f"contract saving, {term} years (W14)")
    amount = amount_fen_array(qty, np.full(qty.size, price, dtype=np.int64))
    acc.move(RIGHT_P, company, st.ids[firm], qty)
    acc.pay(st.ids[firm], company, amount)
    register(world, right=RIGHT, product=RIGHT_P, event="transfer", holder=st.ids[firm], counterparty=company,
             quantity=qty, unit=UNIT, term_end=end, amount_fen=amount,
             note=f"term deal of contract saving, {term} years (W4, W14)")
    st.term_deals.append(TermDeal(st.ids[host], st.ids[firm], qty, end))  # the right returns to the host
    np.add.at(st.leased_in, firm, qty)
    base_annual = cfg.pricing.base_price(np.full(qty.size, AGRI), np.full(qty.size, IND)) / TICKS_PER_YUAN
    base = np.floor(econ.term_price(base_annual, term, rate) * TICKS_PER_YUAN).astype(np.int64)
    world.record_trades(right=RIGHT, product=RIGHT_P, mechanism="negotiation", seller=company,
                        buyer=st.ids[firm], quantity=qty, unit=UNIT, price_ticks=np.full(qty.size, price),
                        amount_fen=amount, relation=f"{COMPANY_KIND}->industry", base_price_ticks=base, deal=DEAL)
    # the host: less water needed for good, the rest of the saving its own
    st.invested[host] += s
    st.q_ref[host] = np.maximum(st.q_ref[host] - s, 0.0)
    st.saved[host] += np.where(st.sector[host] == AGRI, s - qty, 0)
    st.contract_year = int(s.sum())
    st.contract_capital_fen = int(capital_fen.sum())
    st.contract_total += int(s.sum())


def company_return_fen(st: WaterState, world: World) -> int:
    """The companies' return so far, fen: their term deals' proceeds minus their capital (their money)."""
    return int(world.accounts.of("money", st.companies).sum()) if st.companies.size else 0
