"""Land market set-up (rule L3) and the tiny-world driver the other land tests use.

``run_tiny`` builds a land market with only what a test switches on (two households of one village, nothing
else), lets the test adjust holder attributes after set-up (values, grades, flags — never balances unless
through the ledger), and runs the land policy's calendar hooks as the engine does: one session and one
billing period a year, ``Accounts.check()`` after every year.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import pandas as pd

from rights_market.engine.calendar import CalendarPlan
from rights_market.engine.rng import RngTree
from rights_market.engine.world import World
from rights_market.ledger import GOVERNMENT, ISSUER, Accounts
from rights_market.rights.catalogue import INSTITUTIONS, RESERVES
from rights_market.rights.land.policy import LandPolicy
from rights_market.rights.land.state import LandState
from rights_market.rules.land import BASIC, GENERAL, HOMESTEAD, MINING, STATE_CON, UNUSED
from rights_market.scenario.land import LandSpec

LAND_RESERVE = RESERVES["land"]


def const(v: float) -> dict:
    return {"type": "constant", "value": v}


#: Everything off but two households of one village with 15 mu (10,000 m²) of general farmland each.
TINY: dict = {
    "villages": [{"name": "chaohu", "name_zh": "潮湖村", "households": 2, "representatives": 3,
                  "collective_construction_parcels": 0, "new_construction_quota_m2": 100_000}],
    "rural": {"contract_mu": const(15), "basic_farmland_share": 0, "homestead_m2": const(250),
              "collective_construction_m2": const(6000), "farming_value_yuan_per_mu_year": const(300),
              "expanding_share": 0, "expanding_value_yuan_per_mu_year": const(600), "idle_homestead_share": 0},
    "benchmarks": {"industrial_yuan_per_m2": 120, "new_industry_yuan_per_m2": 150, "commercial_yuan_per_m2": 600,
                   "collective_construction_yuan_per_m2": 120, "farmland_quota_yuan_per_m2": 30,
                   "circulation_rent_yuan_per_mu_year": 500, "homestead_rent_yuan_per_m2_year": 8,
                   "wasteland_fee_yuan_per_mu_year": 20, "expropriation_yuan_per_m2": 45},
    "operators": {"family_farms": 0, "cooperatives": 0, "value_yuan_per_mu_year": const(800),
                  "demand_mu": const(100)},
    "firms": {"firms": 0, "entrants": 0, "parcel_m2": const(10_000), "parcel_age_years": const(0),
              "output_yuan_per_mu_year": const(1_200_000), "tax_share_of_output": const(0.05),
              "land_value_share_of_benchmark": const(1.5), "expanding_share": 0, "demand_m2": const(10_000),
              "new_industry_share": 0, "under_invested_share": 0, "investment_share_per_year": const(0),
              "voluntary_sale_share_per_year": 0},
    "use_control": {"requests_per_year": 0},
    "circulation": {"offer_share_per_year": 0, "term_years": [5], "share_holding_share": 0},
    "collective_entry": {"proposal_share_per_year": 0},
    "homestead_lease": {"lessees": 0, "value_yuan_per_m2_year": const(10)},
    "supply": {"reserve_parcels": 0, "reserve_parcel_m2": const(10_000), "plan_m2_per_year": 0,
               "reserve_budget_yuan_per_year": 0, "round_seconds": 1_000_000, "mixed_use_share": 0,
               "commercial_share": 0, "standard_land_share": 0},
    "secondary": {"noise_sd_share": 0},
    "idle": {"probability_per_year": 0, "resume_probability_per_year": 0, "fee_paid_probability": 1},
    "preregistration": {"exit_probability_per_year": 0},
    "zombie": {"initial_share": 0, "firms_per_year": 0},
    "restoration": {"restorers": 0, "mining_parcels": 0, "unused_parcels": 0, "mining_parcel_m2": const(10_000),
                    "unused_parcel_m2": const(100_000), "outside_demand_m2_per_year": 0, "quota_markup": const(0.2),
                    "cost_yuan_per_m2": const(15), "wasteland_value_share_of_fee": const(1.5), "years": 1},
    "redevelopment": {"probability_per_year": 0},
    "market": {"sessions_per_year": 1},
}


def merge(base: dict, changes: dict) -> dict:
    """Deep-merge ``changes`` into a copy of ``base`` (mappings key by key, everything else replaced)."""
    out = copy.deepcopy(base)
    for k, v in changes.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


class Tiny:
    """A tiny land world after a run: the policy, its state, the world and its tables as DataFrames."""

    def __init__(self, policy: LandPolicy, world: World):
        self.policy, self.st, self.world = policy, policy.state, world
        self.t = {n: t.to_dataframe() for n, t in world.tables.items()}

    def __getattr__(self, name: str) -> pd.DataFrame:
        t = self.__dict__.get("t", {})
        if name in t:
            return t[name]
        raise AttributeError(name)

    def kpi(self, metric: str, year: int | None = None) -> float:
        k = self.t["kpis"]
        k = k[k.metric == metric]
        if year is not None:
            k = k[k.year == year]
        return float(k.value.iloc[-1])

    def bal(self, product: str, acct: int) -> int:
        return int(self.world.accounts.of(product, acct))


def run_tiny(land: dict | None = None, *, years: int = 1, tweak: Callable[[LandState, World], None] | None = None,
             seed: int = 1, start_year: int = 2021) -> Tiny:
    """Run the land policy alone on ``TINY`` changed by ``land`` for ``years`` years (one session each)."""
    spec = LandSpec.model_validate(merge(TINY, land or {}))
    plan = CalendarPlan(start_year, years, 1, 1)
    pol = LandPolicy(spec, "year")
    world = World(calendar=plan, rng=RngTree(seed), accounts=Accounts(pol.holder_count(), pol.products(), INSTITUTIONS))
    world.clock.year = start_year
    pol.setup(world, 0)
    world.accounts.check()
    if tweak is not None:
        tweak(pol.state, world)
    for y in range(years):
        world.clock.now, world.clock.year_index, world.clock.year = plan.year_start(y), y, start_year + y
        pol.year_start(world)
        world.clock.now, world.clock.session = plan.sessions(y)[0], y
        pol.session(world)
        world.clock.session = -1
        world.clock.now = plan.year_end(y)
        pol.year_end(world)
        world.accounts.check()
    return Tiny(pol, world)


# --------------------------------------------------------------------------- rule L3
def test_l3_rights_confirmed_per_parcel_for_every_land_class():
    """L3: contract land (contract and management rights to the household, second-round contract extended 30
    years), homesteads, collective construction land (the collective), state industrial land (the firm),
    reserve land and wasteland (state) — each parcel's area enters the ledger from the issuer."""
    r = run_tiny({"villages": [{"name": "chaohu", "households": 2, "collective_construction_parcels": 1}],
                  "firms": {"firms": 1}, "supply": {"reserve_parcels": 1},
                  "restoration": {"mining_parcels": 1, "unused_parcels": 1}}, years=0)
    st, p = r.st, r.st.parcels
    hh = st.hh.tolist()
    assert hh == [0, 1]
    coll, firm = int(st.coll_acct[0]), int(st.firm_ids[0])
    for h in hh:
        assert r.bal("land.contract", h) == 10_000 and r.bal("land.management", h) == 10_000
        assert r.bal("land.homestead", h) == 250
    assert r.bal("land.collective_construction", coll) == 6000
    assert r.bal("land.state_construction", firm) == 10_000
    assert r.bal("land.state_construction", LAND_RESERVE) == 10_000
    assert r.bal("land.wasteland", GOVERNMENT) == 110_000
    assert -r.bal("land.contract", ISSUER) == 20_000
    contract = (p.cls == GENERAL) & (p.village == 0)
    assert (p.term_end[contract] == 2028 + 30).all()
    assert set(p.cls.tolist()) == {GENERAL, HOMESTEAD, 3, STATE_CON, MINING, UNUSED}
    assert r.holders[r.holders.holder == 0].name.iloc[0] == "chaohu/household-1"


def test_l3_basic_farmland_share_draws_permanent_basic_farmland():
    r = run_tiny({"rural": {"basic_farmland_share": 1}})
    p = r.st.parcels
    assert (p.cls[(p.village == 0) & np.isin(p.cls, (BASIC, GENERAL))] == BASIC).all()
    assert r.kpi("basic_farmland_area") == r.kpi("farmland_area") == 20_000
    assert r.kpi("farmland_area_mu") == 30.0  # 20,000 m² × 15/10,000


def test_parcels_and_ledger_agree_and_a_disagreement_is_caught():
    """The ledger balance of every land product equals the parcels' area per account (checked every year)."""
    import pytest

    from rights_market.ledger import ConservationError

    r = run_tiny({"firms": {"firms": 1}})
    r.policy.check_consistency(r.world)
    r.st.parcels.user[0] = 1  # the columns say household 1 uses household 0's farmland; the ledger does not
    with pytest.raises(ConservationError, match="land.management"):
        r.policy.check_consistency(r.world)


def test_x4_land_moved_by_another_module_is_carved_out_of_the_givers_parcels():
    """X3/X4: another module (links) moves 4,000 m² of state construction land from the land reserve to a
    holder through the ledger; at its next step the land policy splits a reserve parcel so the ledger and the
    parcels agree again (a 6,000 m² piece stays with the reserve, 4,000 m² go to the receiver)."""
    def tweak(st, world):
        world.accounts.move("land.state_construction", LAND_RESERVE, 1, 4_000)

    r = run_tiny({"supply": {"reserve_parcels": 1}}, tweak=tweak)
    p = r.st.parcels
    got = p.active & (p.cls == STATE_CON) & (p.user == 1)
    assert p.area[got].tolist() == [4_000] and p.holder[got].tolist() == [1]
    kept = p.active & (p.cls == STATE_CON) & (p.user == LAND_RESERVE)
    assert p.area[kept].tolist() == [6_000]
    assert r.kpi("external_transfer_m2") == 4_000


def test_land_rights_created_outside_the_land_market_are_an_error():
    import pytest

    from rights_market.ledger import ConservationError

    def tweak(st, world):
        world.accounts.move("land.state_construction", ISSUER, 1, 100)

    with pytest.raises(ConservationError, match="created or destroyed outside the land market"):
        run_tiny(tweak=tweak)
