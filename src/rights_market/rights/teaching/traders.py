"""The traders of the teaching market: buyers then sellers, their behaviours and the ZIP learning state."""

from __future__ import annotations

import numpy as np

from ...agents.behaviour import BUY, SELL
from ...agents.zip import ZipParams, ZipTraders
from ...engine.world import World
from ...scenario.model import ZIP, Markup
from ...units import yuan_to_ticks
from .state import RIGHT, TeachingMarket, TeachingState


def make_traders(m: TeachingMarket, world: World, first_holder: int) -> TeachingState:
    """Holders (buyers then sellers, ids ``first_holder …``) and their behaviours, recorded in ``holders``;
    ZIP traders draw their parameters here. Returns the market's state, the one place it is made."""
    ids = np.arange(first_holder, first_holder + m.n, dtype=np.int64)
    spec = m.spec
    names = [f"buyer-{i + 1}" for i in range(m.n_buyers)] + [
        f"seller-{i + 1}" for i in range(m.n - m.n_buyers)
    ]
    world.tables["holders"].append(
        holder=ids, name=np.array(names, dtype=object),
        group=np.where(m.side == BUY, "buyers", "sellers").astype(object), sector="", right=RIGHT,
    )
    kind = [spec.buyer_behaviour.type] * m.n_buyers + [spec.seller_behaviour.type] * (m.n - m.n_buyers)
    markup = [spec.buyer_behaviour.markup if isinstance(spec.buyer_behaviour, Markup) else 0.0] * (
        m.n_buyers) + [spec.seller_behaviour.markup if isinstance(spec.seller_behaviour, Markup) else 0.0] * (
        m.n - m.n_buyers)
    # ZIP traders of either side share one learning state; zip_pos maps a trader to its row there
    zip_members = [i for i in range(m.n) if kind[i] == "zip"]
    zip_pos = np.full(m.n, -1, dtype=np.int64)
    zip_traders: ZipTraders | None = None
    if zip_members:
        by_side = {BUY: spec.buyer_behaviour, SELL: spec.seller_behaviour}
        spec_z = next(b for b in (by_side[BUY], by_side[SELL]) if isinstance(b, ZIP))
        params = ZipParams(
            learning_rate=spec_z.learning_rate, momentum=spec_z.momentum,
            initial_margin=spec_z.initial_margin, relative_perturbation=spec_z.relative_perturbation,
            absolute_perturbation_ticks=float(yuan_to_ticks(spec_z.absolute_perturbation_yuan)),
        )
        if isinstance(by_side[BUY], ZIP) and isinstance(by_side[SELL], ZIP) and by_side[BUY] != by_side[SELL]:
            raise ValueError("teaching: buyers and sellers using ZIP must use the same ZIP parameters")
        zip_traders = ZipTraders(m.side[zip_members], params, world.rng.stream("teaching.zip"))
        zip_pos[zip_members] = np.arange(len(zip_members))
    return TeachingState(ids=ids, kind=kind, markup=markup, zip=zip_traders, zip_pos=zip_pos,
                         zip_members=np.array(zip_members, dtype=np.int64),
                         rng=world.rng.stream("teaching.shouts"))
