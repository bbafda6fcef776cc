"""Holders of the water market: the holders and their confirmed rights within the cap
(rule W1), their value curves (docs/economics.md), their plans (W3), this year's allocation of use rights
(W12: dry years deliver a share) and the year's weather and noise on their use.

Quantities are m³ (int64); marginal values ticks per m³. Products, sectors and the state's fields: :mod:`.state`.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ...engine.sampling import draw
from ...engine.world import World
from ...ledger import GOVERNMENT, ISSUER
from ...scenario.model import Markup, WeatherState
from ...scenario.water import SECTORS
from ...units import TICKS_PER_YUAN
from ..shared.registry import register
from . import decisions
from .descriptor import RESERVE
from .state import ANNUAL, RIGHT, RIGHT_P, UNIT, WaterConfig, WaterState


def holder_count(spec) -> int:
    """How many holders the water section lists (every group's count)."""
    return sum(g.count for g in spec.groups)


def make_holders(cfg: WaterConfig, world: World, first_holder: int) -> WaterState:
    """Create the holders of every group and confirm their rights within the cap (W1): listed holders bring
    their own values, the rest are drawn; if the confirmed volumes exceed the cap less the reserve's initial
    rights they are scaled down. Issues the cap, confirms the rights, declares the first plans (W3), records
    ``holders`` and the register's ``confirm`` rows. Returns the market's state, the one place it is made."""
    spec, rng = cfg.spec, world.rng.stream("water.holders")
    n = holder_count(spec)
    ids = np.arange(first_holder, first_holder + n, dtype=np.int64)
    sector = np.empty(n, dtype=np.int8)
    group = np.empty(n, dtype=np.int32)
    confirmed = np.empty(n, dtype=np.int64)
    mv = np.empty(n, dtype=np.int64)
    need_share = np.empty(n, dtype=float)
    need_noise = np.empty(n, dtype=float)
    margin = np.empty(n, dtype=float)
    overuse = np.empty(n, dtype=float)
    participation = np.empty(n, dtype=float)
    expiry = np.empty(n, dtype=np.int64)
    elasticity = np.empty(n, dtype=float)
    choke = np.empty(n, dtype=float)
    satiation = np.empty(n, dtype=float)
    curve_rng = world.rng.stream("water.curves")  # its own stream: the draws above stay as they were
    start = world.calendar.start_year
    names: list[np.ndarray] = []
    i = 0
    for gi, g in enumerate(spec.groups):
        sl = slice(i, i + g.count)
        sector[sl] = SECTORS.index(g.sector)
        group[sl] = gi
        # listed holders (from_file / members) bring their own values; the rest are drawn, in this order
        confirmed[sl] = np.maximum(np.rint(g.values_of("confirmed_m3", lambda n, g=g: draw(g.confirmed_m3, n, rng))), 0).astype(np.int64)
        mv[sl] = np.maximum(np.rint(g.values_of("marginal_value_yuan_per_m3", lambda n, g=g: draw(g.marginal_value_yuan_per_m3, n, rng)) * TICKS_PER_YUAN), 1).astype(np.int64)
        need_share[sl] = np.maximum(g.values_of("need_share", lambda n, g=g: draw(g.need_share, n, rng)), 0.0)
        need_noise[sl] = g.need_noise_sd
        margin[sl] = g.plan_margin_share
        overuse[sl] = g.max_overuse_share
        participation[sl] = g.participation
        # value curves (docs/economics.md): elasticities below −0.01 (a demand that answers to price)
        elasticity[sl] = np.minimum(draw(g.elasticity, g.count, curve_rng), -0.01)
        choke[sl] = g.choke_multiple
        satiation[sl] = g.satiation_share
        validity = getattr(spec.validity, g.sector)
        expiry[sl] = g.first_expiry_year if g.first_expiry_year is not None else start + validity - 1
        listed = g.holder_names()
        names.append(np.array(listed, dtype=object) if listed is not None
                     else np.char.add(f"{g.name}-", np.arange(1, g.count + 1).astype(str)).astype(object))
        i += g.count
    # W1: the confirmed volumes of the district never exceed its cap: scale down if the draws do.
    room = spec.cap_m3 - spec.reserve.initial_rights_m3
    total = int(confirmed.sum())
    if total > room:
        confirmed = (confirmed * room) // total
    q_ref = confirmed * need_share  # the old need: the use at the reference price
    p_ref = mv / TICKS_PER_YUAN  # the value of a m³ at the reference use (docs/economics.md)
    p_ref = np.maximum(p_ref, 1.0 / TICKS_PER_YUAN)
    exp_buy, exp_sell = decisions.seed_expectations(cfg)
    acc = world.accounts
    acc.move(RIGHT_P, ISSUER, GOVERNMENT, spec.cap_m3)
    acc.move(RIGHT_P, GOVERNMENT, ids, confirmed)
    if spec.reserve.initial_rights_m3:
        acc.move(RIGHT_P, GOVERNMENT, RESERVE, spec.reserve.initial_rights_m3)
    zeros = np.zeros(n, dtype=np.int64)
    state = WaterState(
        first=first_holder, ids=ids, sector=sector, group=group, mv=mv, need_noise=need_noise, margin=margin,
        overuse=overuse, participation=participation, p_ref=p_ref, elasticity=elasticity, choke=choke,
        satiation=satiation,
        behaviour_groups=[
            (np.nonzero(group == gi)[0], g.behaviour.type, g.behaviour.markup if isinstance(g.behaviour, Markup) else 0.0)
            for gi, g in enumerate(spec.groups)
        ],
        confirm_scaled=total > room, q_ref=q_ref, exp_buy=exp_buy, exp_sell=exp_sell, expiry=expiry,
        plan=zeros.copy(), saved=zeros.copy(), invested=np.zeros(n), leased_in=zeros.copy(),
        alloc=zeros.copy(), need=zeros.copy(), bought=zeros.copy(), sold=zeros.copy(),
    )
    state.plan = declare_plan(state, cfg, acc.of(RIGHT_P, ids))
    held = confirmed > 0  # W1, W2: each holder's confirmed right, valid until its expiry year
    register(world, right=RIGHT, product=RIGHT_P, event="confirm", holder=ids[held], counterparty=GOVERNMENT,
             quantity=confirmed[held], unit=UNIT, term_end=expiry[held], note="confirmed right (W1, W2)")
    world.tables["holders"].append(
        holder=ids, name=np.concatenate(names), group=np.array([g.name for g in spec.groups], dtype=object)[group],
        sector=np.array(SECTORS, dtype=object)[sector], right=RIGHT,
    )
    return state


def declare_plan(st: WaterState, cfg: WaterConfig, confirmed: np.ndarray) -> np.ndarray:
    """W3: next year's plan, m³, within the confirmed volume: the use the holder chooses at the prices it
    expects (:func:`.decisions.plan_use`) plus its group's margin."""
    use = decisions.plan_use(st, cfg, confirmed)
    return np.minimum(confirmed, np.rint(use * (1.0 + st.margin)).astype(np.int64))


def allocate(st: WaterState, world: World, share: Fraction) -> np.ndarray:
    """This year's use rights (``water.annual``): ⌊confirmed × deliverable share⌋ to every holder of the right —
    the holders, the reserve and (X4) the projects of the links, which are not billed nor use it (W12: dry years
    deliver only a share). Returns the holders' allocations, m³."""
    acc = world.accounts
    confirmed = acc.of(RIGHT_P, st.ids)
    alloc = (confirmed * share.numerator) // share.denominator
    acc.move(ANNUAL, ISSUER, st.ids, alloc)
    res_alloc = int(acc.of(RIGHT_P, RESERVE)) * share.numerator // share.denominator
    if res_alloc:
        acc.move(ANNUAL, ISSUER, RESERVE, res_alloc)
    ext = st.external(world, RIGHT_P)
    if ext.size:
        acc.move(ANNUAL, ISSUER, ext, (acc.of(RIGHT_P, ext) * share.numerator) // share.denominator)
    return alloc


def draw_factors(st: WaterState, world: World, weather: WeatherState) -> np.ndarray:
    """This year's factor on every holder's reference use: the weather's need factor × its own noise
    (a normal around 1 with the group's sd, at least 0)."""
    rng = world.rng.stream("water.needs")
    noise = np.maximum(rng.normal(1.0, 1.0, size=len(st.ids)) * st.need_noise + (1.0 - st.need_noise), 0.0)
    return float(weather.need_factor) * noise
