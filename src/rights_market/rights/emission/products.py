"""Emitting units of the emission market: constants, unit conversions and the columnar unit state.

* :func:`make_units` — the units of every group with their permits, unabated emission and cost scales;
* :func:`issue_initial_rights` — rule E2: existing units get initial rights equal to their permitted emission
  (unpaid), and the reserve its initial stock;
* :func:`enter`, :func:`grow`, :func:`update_emission` — projects whose entry year has come start emitting with
  no rights (E4), output grows, and the year's emission before abatement and cost curves follow;
* :func:`abatement_curves` — a product's marginal abatement cost curves, scaled to each unit's emission.

Quantities are kg (int64), prices ticks per kg (1 yuan/t = 10 ticks/kg).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from ...engine.sampling import draw
from ...engine.world import World
from ...ledger import ISSUER
from ...rules.emission import MacCurves, piecewise_curves, quadratic_curves, stack_curves
from ...scenario.emission import CARBON, EMISSION_SECTORS, UNIT_KINDS, Quadratic
from ...units import to_scaled_int
from ..shared.reserves import RESERVES

if TYPE_CHECKING:
    from .policy import EmissionPolicy

RIGHT = "emission"
UNIT = "kg"
RES = RESERVES["emission"]
NOT_YET, ACTIVE, CLOSED = 0, 1, 2
KIND = {k: i for i, k in enumerate(UNIT_KINDS)}
SECTOR_NAMES = np.array([*EMISSION_SECTORS, "reserve"], dtype=object)


def t_to_kg(value: object) -> int:
    """Tonnes (text or number) → kg, exactly."""
    return to_scaled_int(value, 1000, "quantity in tonnes")


def yuan_per_t_to_ticks(value: object) -> int:
    """Yuan per tonne → ticks (0.0001 yuan) per kg, exactly (1 yuan/t = 10 ticks/kg)."""
    return to_scaled_int(value, 10, "price in yuan per tonne")


def frac_of(q: np.ndarray, share: Fraction) -> np.ndarray:
    """⌊q × share⌋ exactly."""
    return (np.asarray(q, dtype=np.int64) * share.numerator) // share.denominator


def make_units(pol: EmissionPolicy, world: World, first_holder: int) -> None:
    """The columnar state of the units of every group: sector, kind, entry year, behaviour parameters, and per
    product (pollutants, then carbon allowances) the permit (kg), unabated emission at output 1 (kg) and cost
    scale drawn from the group's distributions."""
    spec, rng = pol.spec, world.rng.stream("emission.units")
    n = pol.holder_count()
    pol.n, pol.first = n, first_holder
    pol.ids = np.arange(first_holder, first_holder + n, dtype=np.int64)
    start = world.calendar.start_year
    pol.start_year = start
    pol.sector = np.empty(n, np.int8)
    pol.kind = np.empty(n, np.int8)
    pol.group = np.empty(n, np.int32)
    pol.entry = np.empty(n, np.int64)
    pol.participation = np.empty(n)
    pol.aware = np.zeros(n, bool)
    pol.closure_rate = np.empty(n)
    pol.mortgage_rate = np.empty(n)
    pol.lease_part = np.empty(n)
    K = len(pol.keys)
    pol.permit = np.zeros((K, n), np.int64)
    pol.e0 = np.zeros((K, n), np.float64)
    pol.scale = np.ones((K, n))
    pol.has = np.zeros((K, n), bool)
    pol.curve_spec = [[None] * len(spec.groups) for _ in range(K)]
    pol.group_idx = []
    i = 0
    for gi, g in enumerate(spec.groups):
        idx = np.arange(i, i + g.count)
        pol.group_idx.append(idx)
        pol.sector[idx] = EMISSION_SECTORS.index(g.sector)
        pol.kind[idx] = KIND[g.kind]
        pol.group[idx] = gi
        pol.entry[idx] = start if g.kind == "existing" or g.entry_year is None else g.entry_year
        pol.participation[idx] = g.participation
        pol.aware[idx] = rng.random(g.count) < float(g.floor_aware_share)
        pol.closure_rate[idx] = g.closure_rate_per_year
        pol.mortgage_rate[idx] = g.mortgage_rate_per_year
        pol.lease_part[idx] = g.lease_participation
        for k, key in enumerate(pol.keys):
            if key == CARBON:
                if g.carbon is None:
                    continue
                pol.e0[k, idx] = np.maximum(draw(g.carbon.emission_t, g.count, rng), 0.0) * 1000.0
                pol.scale[k, idx] = np.maximum(draw(g.carbon.cost_scale, g.count, rng), 0.0)
                pol.curve_spec[k][gi] = g.carbon.abatement
            else:
                up = g.pollutants.get(key)
                if up is None:
                    continue
                permit = np.maximum(np.rint(draw(up.permitted_t, g.count, rng) * 1000.0), 0).astype(np.int64)
                pol.permit[k, idx] = permit
                pol.e0[k, idx] = permit * np.maximum(draw(up.unabated_share_of_permit, g.count, rng), 0.0)
                pol.scale[k, idx] = np.maximum(draw(up.cost_scale, g.count, rng), 0.0)
                pol.curve_spec[k][gi] = up.abatement
            pol.has[k, idx] = True
        i += g.count
    pol.knows_sector_rule = np.zeros(n, bool)
    pol.knows_release_rule = np.zeros(n, bool)
    pol.status = np.where(pol.entry <= start, ACTIVE, NOT_YET).astype(np.int8)
    pol.status[pol.kind != KIND["existing"]] = NOT_YET
    pol.output = np.ones(n)
    pol.paid = np.zeros((K, n), np.int64)
    pol.pledged = np.zeros((K, n), np.int64)
    pol.leased_in = np.zeros((K, n), np.int64)
    pol.leased_out = np.zeros((K, n), np.int64)
    pol.leases = []
    pol.loans = []
    pol.E = np.zeros((K, n), np.int64)
    pol.curves = [abatement_curves(pol, k) for k in range(K)]


def issue_initial_rights(pol: EmissionPolicy, world: World) -> None:
    """Rule E2: existing units get initial rights equal to their permitted emission (unpaid); the reserve gets
    its initial stock (E8)."""
    acc = world.accounts
    existing = pol.kind == KIND["existing"]
    for k in range(pol.P):
        q = np.where(existing, pol.permit[k], 0)
        acc.move(pol.product[k], ISSUER, pol.ids, q)  # E2: initial right = permitted emission, unpaid
    for pid, tonnes in pol.spec.reserve.initial_t.items():
        kg = t_to_kg(tonnes)
        if kg:
            acc.move(pol.product[pol.pollutants.index(pid)], ISSUER, RES, kg)


def record_holders(pol: EmissionPolicy, world: World) -> None:
    """The ``holders`` rows of the units: ``<group>-<number>``, group and sector."""
    groups = pol.spec.groups
    names = [np.char.add(f"{g.name}-", np.arange(1, g.count + 1).astype(str)).astype(object) for g in groups]
    world.tables["holders"].append(
        holder=pol.ids, name=np.concatenate(names),
        group=np.array([g.name for g in groups], dtype=object)[pol.group],
        sector=np.array(EMISSION_SECTORS, dtype=object)[pol.sector], right=RIGHT,
    )


def abatement_curves(pol: EmissionPolicy, k: int) -> MacCurves:
    """This year's abatement cost curves of product ``k`` (scaled to each unit's unabated emission)."""
    parts = []
    e = pol.e0[k] * pol.output
    for gi, idx in enumerate(pol.group_idx):
        spec = pol.curve_spec[k][gi]
        ei = e[idx]
        if spec is None:
            parts.append((idx, quadratic_curves(np.ones(idx.size), np.zeros(idx.size), np.zeros(idx.size))))
        elif isinstance(spec, Quadratic):
            zmax = ei * float(spec.max_share)
            parts.append((idx, quadratic_curves(float(spec.b_yuan_per_t2) * pol.scale[k, idx], zmax,
                                                np.full(idx.size, float(spec.fixed_cost_yuan)))))
        else:
            parts.append((idx, piecewise_curves(np.array([float(s) for s in spec.shares]),
                                                np.array([float(v) for v in spec.mac_yuan_per_t]), ei,
                                                pol.scale[k, idx], np.full(idx.size, float(spec.fixed_cost_yuan)))))
    return stack_curves(parts, pol.n)


def enter(pol: EmissionPolicy, year: int) -> None:
    """Rule E4: projects whose entry year has come start emitting, with no rights (they buy on the market)."""
    entering = (pol.status == NOT_YET) & (pol.entry <= year)
    pol.status[entering] = ACTIVE


def grow(pol: EmissionPolicy, world: World) -> None:
    """Output of active units grows by a drawn rate (a multiplicative process; never below 0)."""
    rng = world.rng.stream("emission.growth")
    for idx, g in zip(pol.group_idx, pol.spec.groups, strict=True):
        growth = draw(g.output_growth, idx.size, rng)
        live = pol.status[idx] == ACTIVE
        pol.output[idx] = np.where(live, pol.output[idx] * np.maximum(1.0 + growth, 0.0), pol.output[idx])


def update_emission(pol: EmissionPolicy) -> None:
    """The year's emission before abatement of every product (kg; 0 for units not active) and its curves."""
    for k in range(len(pol.keys)):
        emitting = (pol.status == ACTIVE) & pol.has[k]
        pol.E[k] = np.where(emitting, np.rint(pol.e0[k] * pol.output), 0).astype(np.int64)
        pol.curves[k] = abatement_curves(pol, k)
