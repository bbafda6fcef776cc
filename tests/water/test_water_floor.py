"""Rule W5 with ``market.floor_at_base_price``: one floor rule for every mechanism (issue 12).

The floor of a trade is its own relation's base price (seller's sector → buyer's sector), in the book
(CDA), the call auction and negotiation alike, as the field's description says.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rights_market import load_scenario, simulate

WATER = Path(__file__).resolve().parents[2] / "scenarios" / "dawukou_water.yaml"


@pytest.mark.parametrize("mechanism", ["cda", "call"])
def test_no_trade_of_any_mechanism_settles_below_its_relation_base_price(mechanism):
    sc = load_scenario(WATER, overrides=[
        "calendar.years=1", "water.market.floor_at_base_price=true", f"water.market.mechanism.type={mechanism}",
    ])
    r = simulate(sc, seed=3)
    annual = r.trades[r.trades["product"] == "water.annual"]
    traded = set(annual["mechanism"])
    assert {mechanism, "negotiation"} <= traded, traded
    below = annual[annual["price"] < annual["base_price"] - 1e-9]
    assert below.empty, below[["mechanism", "relation", "price", "base_price"]].head()
    # the floor bites: some orders or fills were refused for it
    assert (r.orders_rejected["reason"] == "below_floor").any()


def test_without_the_floor_trades_below_their_relation_base_price_happen():
    sc = load_scenario(WATER, overrides=["calendar.years=1"])
    annual = simulate(sc, seed=3).trades.query("product == 'water.annual'")
    assert (annual["price"] < annual["base_price"] - 1e-9).any()
