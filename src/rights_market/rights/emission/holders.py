"""The units of the emission market through the years.

* :func:`issue_initial_rights` — rule E2: existing units get initial rights equal to their permitted emission
  (unpaid), and the reserve its initial stock;
* :func:`record_holders` — the ``holders`` rows of the units;
* :func:`enter`, :func:`grow`, :func:`update_emission` — projects whose entry year has come start emitting with
  no rights (E4), output grows, and the year's emission before abatement and cost curves follow.

The units themselves (their columns) are built by :func:`.state.new_state`. Quantities are kg (int64).
"""

from __future__ import annotations

import numpy as np

from ...engine.sampling import draw
from ...engine.world import World
from ...ledger import ISSUER
from ...rules.economics import expect
from ...scenario.emission import EMISSION_SECTORS
from .products import ACTIVE, KIND, NOT_YET, RES, RIGHT, t_to_kg
from .state import EmissionState


def issue_initial_rights(st: EmissionState, world: World) -> None:
    """Rule E2: existing units get initial rights equal to their permitted emission (unpaid); the reserve gets
    its initial stock (E8)."""
    acc = world.accounts
    existing = st.kind == KIND["existing"]
    for k in range(st.P):
        q = np.where(existing, st.permit[k], 0)
        acc.move(st.product[k], ISSUER, st.ids, q)  # E2: initial right = permitted emission, unpaid
    for pid, tonnes in st.spec.reserve.initial_t.items():
        kg = t_to_kg(tonnes)
        if kg:
            acc.move(st.product[st.pollutants.index(pid)], ISSUER, RES, kg)


def record_holders(st: EmissionState, world: World) -> None:
    """The ``holders`` rows of the units: ``<group>-<number>``, group and sector."""
    groups = st.spec.groups
    names = [np.char.add(f"{g.name}-", np.arange(1, g.count + 1).astype(str)).astype(object) for g in groups]
    world.tables["holders"].append(
        holder=st.ids, name=np.concatenate(names),
        group=np.array([g.name for g in groups], dtype=object)[st.group],
        sector=np.array(EMISSION_SECTORS, dtype=object)[st.sector], right=RIGHT,
    )


def enter(st: EmissionState, year: int) -> None:
    """Rule E4: projects whose entry year has come start emitting, with no rights (they buy on the market)."""
    entering = (st.status == NOT_YET) & (st.entry <= year)
    st.status[entering] = ACTIVE


def grow(st: EmissionState, world: World) -> None:
    """Output of active units grows by a drawn rate (a multiplicative process; never below 0)."""
    rng = world.rng.stream("emission.growth")
    for idx, g in zip(st.group_idx, st.spec.groups, strict=True):
        growth = draw(g.output_growth, idx.size, rng)
        live = st.status[idx] == ACTIVE
        st.output[idx] = np.where(live, st.output[idx] * np.maximum(1.0 + growth, 0.0), st.output[idx])


def update_emission(st: EmissionState) -> None:
    """The year's emission before abatement of every product (kg; 0 for units not active) and its curves."""
    for k in range(len(st.keys)):
        emitting = (st.status == ACTIVE) & st.has[k]
        st.E[k] = np.where(emitting, np.rint(st.e0[k] * st.output), 0).astype(np.int64)
        st.curves[k] = st.abatement_curves(k)


def plan_abatement(st: EmissionState) -> None:
    """Design principle 8, E2: at the year start each unit abates while its marginal abatement cost is below
    the permit price it expects (per year of the valuation horizon: a right is valued at the yearly MAC ×
    ``valuation_years``; with the cap path read ahead, the higher of that and the anticipated yearly price,
    :func:`.cap.anticipate`) and plans to buy rights for the rest. With durable abatement
    (``durable_abatement``) it abates at least the share of its emission it abated last year. The abatement is
    in place for the year (``st.planned``, kg): the unit abates at least that whatever it then trades (E12)."""
    durable = st.spec.durable_abatement
    for k in range(st.P):
        annual = float(st.anticipated[k]) if st.spec.market.expectation.cap_path_years else float(st.expected[k]) / st.years
        z = np.floor(st.curves[k].abatement_at(annual, strict=True) + 1e-9).astype(np.int64)
        if durable:
            z = np.maximum(z, np.floor(st.installed[k] * st.E[k]).astype(np.int64))
        emitting = (st.status == ACTIVE) & st.has[k]
        st.planned[k] = np.where(emitting, np.minimum(z, st.E[k]), 0)


def update_expectations(st: EmissionState) -> None:
    """The price units expect next year: an exponentially weighted average of the yearly volume-weighted
    trade prices of each pollutant (:func:`~rights_market.rules.economics.expect`); a year without trades
    leaves it (ticks per kg; 1 fen = 100 ticks)."""
    w = float(st.spec.market.expectation.weight)
    for k in range(st.P):
        tally = st.stats[k]
        observed = tally["fen"] * 100 / tally["volume"] if tally["volume"] else float("nan")
        st.expected[k] = float(expect(st.expected[k], observed, w))
