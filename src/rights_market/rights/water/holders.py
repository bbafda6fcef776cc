"""Holders of the water market: products and sectors, the holders and their confirmed rights within the cap
(rule W1), their plans (W3), this year's allocation of use rights (W12: dry years deliver a share) and needs.

Quantities are m³ (int64); marginal values ticks per m³.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from ...engine.sampling import draw
from ...engine.world import World
from ...ledger import GOVERNMENT, ISSUER
from ...scenario.model import WeatherState
from ...scenario.water import SECTORS
from ..shared.registry import register
from .descriptor import RESERVE

if TYPE_CHECKING:
    from .policy import WaterPolicy

RIGHT = "water"
RIGHT_P = "water.right"
ANNUAL = "water.annual"
UNIT = "m3"
AGRI, IND, DOM, ECO = (SECTORS.index(s) for s in ("agriculture", "industry", "domestic", "ecology"))


def make_holders(pol: WaterPolicy, world: World, first_holder: int) -> None:
    """Create the holders of every group and confirm their rights within the cap (W1): listed holders bring
    their own values, the rest are drawn; if the confirmed volumes exceed the cap less the reserve's initial
    rights they are scaled down. Records ``holders``."""
    spec, rng = pol.spec, world.rng.stream("water.holders")
    n = pol.holder_count()
    pol.first = first_holder
    pol.ids = np.arange(first_holder, first_holder + n, dtype=np.int64)
    sector = np.empty(n, dtype=np.int8)
    group = np.empty(n, dtype=np.int32)
    confirmed = np.empty(n, dtype=np.int64)
    mv = np.empty(n, dtype=np.int64)
    need_share = np.empty(n, dtype=float)
    pol.need_noise = np.empty(n, dtype=float)
    pol.margin = np.empty(n, dtype=float)
    pol.overuse = np.empty(n, dtype=float)
    pol.participation = np.empty(n, dtype=float)
    expiry = np.empty(n, dtype=np.int64)
    start = world.calendar.start_year
    names: list[np.ndarray] = []
    i = 0
    for gi, g in enumerate(spec.groups):
        sl = slice(i, i + g.count)
        sector[sl] = SECTORS.index(g.sector)
        group[sl] = gi
        # listed holders (from_file / members) bring their own values; the rest are drawn, in this order
        confirmed[sl] = np.maximum(np.rint(g.values_of("confirmed_m3", lambda n, g=g: draw(g.confirmed_m3, n, rng))), 0).astype(np.int64)
        mv[sl] = np.maximum(np.rint(g.values_of("marginal_value_yuan_per_m3", lambda n, g=g: draw(g.marginal_value_yuan_per_m3, n, rng)) * 10_000), 1).astype(np.int64)
        need_share[sl] = np.maximum(g.values_of("need_share", lambda n, g=g: draw(g.need_share, n, rng)), 0.0)
        pol.need_noise[sl] = g.need_noise_sd
        pol.margin[sl] = g.plan_margin_share
        pol.overuse[sl] = g.max_overuse_share
        pol.participation[sl] = g.participation
        validity = getattr(spec.validity, g.sector)
        expiry[sl] = g.first_expiry_year if g.first_expiry_year is not None else start + validity - 1
        listed = g.holder_names()
        names.append(np.array(listed, dtype=object) if listed is not None
                     else np.char.add(f"{g.name}-", np.arange(1, g.count + 1).astype(str)).astype(object))
        i += g.count
    # W1: the confirmed volumes of the district never exceed its cap: scale down if the draws do.
    room = spec.cap_m3 - spec.reserve.initial_rights_m3
    total = int(confirmed.sum())
    pol.confirm_scaled = total > room
    if total > room:
        confirmed = (confirmed * room) // total
    pol.sector, pol.group, pol.mv = sector, group, mv
    pol.need_base = np.rint(confirmed * need_share).astype(np.int64)
    pol.expiry = expiry
    pol.term_deals = []  # W4: (seller ids, buyer ids, m³, end year) of running term deals
    pol.saved = np.zeros(n, dtype=np.int64)  # W4: savings not yet sold
    pol.leased_in = np.zeros(n, dtype=np.int64)  # W4: rights held under term deals
    acc = world.accounts
    acc.move(RIGHT_P, ISSUER, GOVERNMENT, spec.cap_m3)
    acc.move(RIGHT_P, GOVERNMENT, pol.ids, confirmed)
    if spec.reserve.initial_rights_m3:
        acc.move(RIGHT_P, GOVERNMENT, RESERVE, spec.reserve.initial_rights_m3)
    pol.plan = declare_plan(pol, acc.of(RIGHT_P, pol.ids))
    held = confirmed > 0  # W1, W2: each holder's confirmed right, valid until its expiry year
    register(world, right=RIGHT, product=RIGHT_P, event="confirm", holder=pol.ids[held], counterparty=GOVERNMENT,
             quantity=confirmed[held], unit=UNIT, term_end=expiry[held], note="confirmed right (W1, W2)")
    world.tables["holders"].append(
        holder=pol.ids, name=np.concatenate(names), group=np.array([g.name for g in spec.groups], dtype=object)[group],
        sector=np.array(SECTORS, dtype=object)[sector], right=RIGHT,
    )


def declare_plan(pol: WaterPolicy, confirmed: np.ndarray) -> np.ndarray:
    """W3: next year's plan, within the confirmed volume: expected need plus the group's margin."""
    return np.minimum(confirmed, np.rint(pol.need_base * (1.0 + pol.margin)).astype(np.int64))


def allocate(pol: WaterPolicy, world: World, share: Fraction) -> None:
    """This year's use rights (``water.annual``): ⌊confirmed × deliverable share⌋ to every holder of the right —
    the holders, the reserve and (X4) the projects of the links, which are not billed nor use it (W12: dry years
    deliver only a share)."""
    acc = world.accounts
    confirmed = acc.of(RIGHT_P, pol.ids)
    pol.alloc = (confirmed * share.numerator) // share.denominator
    acc.move(ANNUAL, ISSUER, pol.ids, pol.alloc)
    res_alloc = int(acc.of(RIGHT_P, RESERVE)) * share.numerator // share.denominator
    if res_alloc:
        acc.move(ANNUAL, ISSUER, RESERVE, res_alloc)
    ext = pol.external(world, RIGHT_P)
    if ext.size:
        acc.move(ANNUAL, ISSUER, ext, (acc.of(RIGHT_P, ext) * share.numerator) // share.denominator)


def draw_needs(pol: WaterPolicy, world: World, state: WeatherState) -> None:
    """This year's need of every holder, m³: its base need × the weather's need factor × its own noise."""
    rng = world.rng.stream("water.needs")
    noise = np.maximum(rng.normal(1.0, 1.0, size=len(pol.ids)) * pol.need_noise + (1.0 - pol.need_noise), 0.0)
    pol.need = np.rint(pol.need_base * state.need_factor * noise).astype(np.int64)
