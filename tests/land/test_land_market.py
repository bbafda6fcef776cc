"""The land market end to end on the shipped scenario (shrunk): conservation, determinism, records that agree
with one another, the farmland balance (L2), the KPIs (L17), scenario errors, and land beside water."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rights_market import load_scenario, simulate
from rights_market.rights.catalogue import RESERVES
from rights_market.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
LAND_YAML = ROOT / "scenarios" / "dawukou_land.yaml"
SMALL_LAND = ["calendar.years=3", "land.firms.firms=50", "land.firms.entrants=12",
              "land.operators.family_farms=8", "land.operators.cooperatives=3"] + [
    f"land.villages.{v}.households=60" for v in range(8)]
LAND_RESERVE = RESERVES["land"]


@pytest.fixture(scope="module")
def small_land():
    return load_scenario(LAND_YAML, SMALL_LAND)


@pytest.fixture(scope="module")
def run(small_land):
    return simulate(small_land, seed=11, check=True)


def test_shipped_land_scenario_runs_with_conservation_checked_every_period(run):
    """Accounts.check() after every period and year end, and the parcels/ledger check every year end (L3)."""
    assert len(run.trades) > 0
    assert set(run.trades.right) == {"land"}
    assert {"listing", "negotiation", "call"} <= set(run.trades.mechanism)


def test_trades_are_positive_exact_and_never_with_oneself(run):
    t = run.trades
    assert (t.quantity > 0).all() and (t.price_ticks > 0).all() and (t.seller != t.buyer).all()
    assert (t.amount_fen == (t.quantity * t.price_ticks + 50) // 100).all()
    assert (t.unit == "m2").all()


def test_l2_farmland_balance_never_negative_in_the_default_scenario(run):
    """L2: with quota only from restored land, conversions never take the district's farmland below its start."""
    k = run.kpis
    bal = k[k.metric == "farmland_balance"].value
    assert (bal >= 0).all()
    assert (k[k.metric == "basic_farmland_area"].value.diff().fillna(0) == 0).all()  # basic farmland never converts


def test_l16_flags_counted_match_the_flagged_trades(run):
    """L16: every trade flagged in ``price_flag`` is counted once in the year's ``flags_low``/``flags_high``."""
    t, k = run.trades, run.kpis
    for flag in ("low", "high"):
        per_year = t[t.price_flag == flag].groupby("year").size()
        kpi = k[k.metric == f"flags_{flag}"].set_index("year").value
        assert kpi.reindex(per_year.index).tolist() == per_year.tolist()
        assert kpi.sum() == per_year.sum()


def test_l17_targets_reported_for_the_plan_years(run):
    k = run.kpis
    tgt = k[k.metric == "construction_land_per_gdp_target"]
    assert tgt[["year", "value"]].values.tolist() == [[2021, -0.03]]  # the run ends in 2023; 2025 is not reached
    assert set(k[k.metric == "construction_land_per_gdp_target_met"].value) <= {0.0, 1.0}


def test_rejections_carry_reasons_of_the_land_rules(run):
    rej = run.orders_rejected
    assert (rej.reason != "").all()
    known = {"basic_farmland", "farmland_loss", "no_planning_quota", "no_township_quota", "grade_excluded",
             "supporting_land_over_cap", "idle_fee_unpaid", "idle_not_transferable", "investment_below_threshold",
             "term_exceeds_contract", "vote_failed", "no_bidder", "no_bid", "no_valid_bid", "reserve_not_met",
             "no_agreement", "no_buyer", "not_disposed", "below_standard", "reserve_budget"}
    assert set(rej.reason) <= known


def test_same_seed_same_tables_and_another_seed_differs(small_land, run):
    again = simulate(small_land, seed=11)
    for name in run.tables:
        pd.testing.assert_frame_equal(run.tables[name], again.tables[name], check_exact=True)
    other = simulate(small_land, seed=12)
    assert not run.trades.equals(other.trades)


def test_land_runs_beside_water_with_its_own_holder_ids():
    """Land holders follow the water holders; both markets conserve every right and every fen."""
    from conftest import SCENARIOS, SMALL_WATER

    water = load_scenario(SCENARIOS / "dawukou_water.yaml", SMALL_WATER + ["calendar.sessions_per_year=12"])
    land = load_scenario(LAND_YAML, SMALL_LAND)
    both = water.model_copy(update={"land": land.land, "name": "water_and_land"})
    r = simulate(both, seed=3, check=True)
    h = r.holders
    first_land = int(h[h.right == "land"].holder.min())
    assert first_land == int(h[h.right == "water"].holder.max()) + 1
    t = r.trades[r.trades.right == "land"]
    sides = np.concatenate([t.seller.to_numpy(), t.buyer.to_numpy()])
    assert ((sides >= first_land) | (sides < 0)).all()


@pytest.mark.parametrize("override, message", [
    ("land.supply.modes.sale=0.5", "supply mode shares must sum to exactly 1"),
    ("land.collective_entry.members_share=0.5", "must be exactly 1"),
    ("land.grading.output_thresholds_yuan_per_mu.0=1", "must not increase"),
    ("land.homestead_lease.term_years=25", "less than or equal to 20"),
])
def test_bad_land_parameters_are_located_scenario_errors(override, message):
    with pytest.raises(ScenarioError) as err:
        load_scenario(LAND_YAML, [override])
    text = str(err.value)
    assert message in text and "land." in text
