"""What the sandbox's ``demo`` seed holds, recomputed from the seed's own rules.

Kept independent of the sandbox's query engine so that query tests compare
against the data, not against another query. See ftrack_orm/sandbox/seed.py.
"""
from __future__ import annotations

import datetime as dt
from typing import Dict, List, NamedTuple

START = dt.datetime(2024, 1, 8, 9, 0, 0, tzinfo=dt.timezone.utc)
STATUSES = ("Not started", "In progress", "Pending review", "Approved", "On hold")
USERS = ("jane.doe", "john.smith", "amy.lee")
TYPES = ("Compositing", "Animation", "Lighting")


class SeedTask(NamedTuple):
    shot: str
    sequence: str
    name: str
    status: str
    bid: float
    start: dt.datetime
    end: dt.datetime
    user: str
    timelog: bool


class SeedShot(NamedTuple):
    name: str
    sequence: str
    fstart: int
    fend: int
    camera: str
    lens: str


def shots() -> List[SeedShot]:
    result = []
    for index in range(10):
        result.append(SeedShot(
            f"sh{(index + 1) * 10:03d}", "sq010" if index < 5 else "sq020", 1001, 1041 + 8 * index,
            f"cam_{'ABC'[index % 3]}", f"{35 + 15 * (index % 3)}mm",
        ))
    return result


def tasks() -> List[SeedTask]:
    """The 30 tasks in creation order (the sandbox's order without ``order by``)."""
    result = []
    number = 0
    for index, shot in enumerate(shots()):
        for t, kind in enumerate(TYPES):
            status = STATUSES[0] if number < 2 else STATUSES[number % len(STATUSES)]
            result.append(SeedTask(
                shot.name, shot.sequence, kind.lower(), status, float(2 + t + index % 3),
                START + dt.timedelta(days=index + t), START + dt.timedelta(days=index + t + 5),
                USERS[number % 3], number % 4 == 0,
            ))
            number += 1
    return result


def versions_per_shot() -> Dict[str, int]:
    return {shot.name: (3 if index < 5 else 2) for index, shot in enumerate(shots())}


def keys(items) -> List[tuple]:
    """``(shot, task name)`` pairs, the natural identity of a seeded task."""
    return [(item.shot, item.name) for item in items]
