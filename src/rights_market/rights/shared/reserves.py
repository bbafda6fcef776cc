"""**Reserve money (X2, E9).** A sale from a right's reserve is paid where that right's rules send reserve income
(:func:`reserve_sale_route`): the emission reserve's income is non-tax revenue paid to the fiscal account, kept
apart from its spending, which comes from its budget only (收支两条线, E9); the other reserves keep their sale
income in their own accounts (X2). Every movement of reserve money is a row of the ``reserve`` table, so
:func:`reserve_tallies` reads a reserve's budget, income and spending from the records, whoever made them.
"""

from __future__ import annotations

from ...engine.world import World
from ...ledger import FISCAL
from ..emission.descriptor import DESCRIPTOR as EMISSION
from ..forest.descriptor import DESCRIPTOR as FOREST
from ..land.descriptor import DESCRIPTOR as LAND
from ..water.descriptor import DESCRIPTOR as WATER

#: One government reserve per right, each with its own accounts (rule X2), from the rights' descriptors.
RESERVES: dict[str, int] = {d.right: d.reserve_account for d in (WATER, EMISSION, LAND, FOREST)}
_TO_FISCAL = frozenset(d.right for d in (WATER, EMISSION, LAND, FOREST) if d.reserve_income_to_fiscal)


def reserve_sale_route(right: str) -> tuple[int, str]:
    """Rules X2, E9: (account paid, ``reserve`` table action) of a sale from ``right``'s reserve. The emission
    reserve's sale income is non-tax revenue paid straight to the fiscal account, never to the reserve
    (收支两条线, E9; the path of the emission market's own releases); the other reserves keep it (X2)."""
    if right in _TO_FISCAL:
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

