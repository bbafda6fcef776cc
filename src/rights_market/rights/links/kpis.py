"""The yearly KPIs of the links (``kpis``, right ``links``): pledged quantities (X3), loans outstanding,
defaults, projects started and blocked (X4)."""

from __future__ import annotations

from ...engine.world import World
from ...units import FEN_PER_YUAN
from .state import RIGHT, LinksConfig, LinksState


def record(st: LinksState, world: World, cfg: LinksConfig) -> None:
    """Record the year's KPIs (after the year end's loan settlement)."""
    k = world.record_kpi
    rules = cfg.spec.pledges
    for r in rules:
        q = sum(loan.qty for loan in st.loans if rules[loan.rule].product == r.product)
        k(RIGHT, f"pledged:{r.product}", q, "base units")
    k(RIGHT, "loans_outstanding", sum(loan.loan for loan in st.loans) / FEN_PER_YUAN, "yuan")
    k(RIGHT, "defaults", st.defaults, "1")
    k(RIGHT, "projects_started", len(st.started), "1")
    k(RIGHT, "projects_blocked", st.blocked, "1")
