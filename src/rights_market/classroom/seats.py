"""The seats of a classroom: who sits where, playing which role, with which induced values.

Seats are numbered in file order (seat groups one after another), and a seat's number is its account id in the
engine's ledger (holders 0..n−1). Used by the engine, the listing lots, the session and the views.
"""

from __future__ import annotations

from dataclasses import dataclass

from .settings import ClassroomScenario
from .values import Valuation, valuation


@dataclass(frozen=True)
class SeatSpec:
    """One seat: its account id (holders are 0..n−1), role, player and induced values."""

    id: int
    role_name: str
    player: str
    valuation: Valuation
    sector: str
    robot_name: str = ""

    @property
    def is_robot(self) -> bool:
        return self.player != "human"


def build_seats(scenario: ClassroomScenario) -> list[SeatSpec]:
    """The seats of a classroom in file order: seat groups one after another, account ids from 0."""
    spec = scenario.classroom
    vals = {name: valuation(name, role, spec) for name, role in spec.roles.items()}
    seats: list[SeatSpec] = []
    counters: dict[str, int] = {}
    for g in spec.seats:
        role = spec.roles[g.role]
        for _ in range(g.count):
            name = ""
            if g.player != "human":
                counters[g.role] = counters.get(g.role, 0) + 1
                name = f"{g.role} robot {counters[g.role]} ({g.player})"
            seats.append(SeatSpec(len(seats), g.role, g.player, vals[g.role], role.sector, name))
    return seats
