"""Planning a commit: pending changes → change records in dependency order.

Pure logic, no I/O: the unit of work gathers :class:`Change` records from the
entities' state, and :func:`plan_commit` orders them so that

* an entity is created before any operation that references it, and
* an entity is deleted before the entities it references (dependents first),

while otherwise keeping creates, then updates, then deletes, each in the order
they were recorded. A cycle of references among new entities cannot be sent in
one batch and is reported before anything is sent.
"""
from __future__ import annotations

import heapq
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import attrs

from .errors import FtrackOrmError
from . import operations as ops

_PHASE = {"create": 0, "update": 1, "delete": 2}


class ReferenceCycleError(FtrackOrmError, ValueError):
    """New entities reference each other in a cycle: no order can create them."""


@attrs.frozen
class Change:
    """One entity's pending change.

    ``references`` are the entities this change points at: for creates and updates
    the entities its data references (they must exist first), for deletes the
    entities the deleted one referenced (they must be deleted after it).
    ``operation``: the wire dict, when whoever made the change built it already
    (the unit of work does, sharing ``data`` with it: a create's ``data`` then
    carries ``__entity_type__``, as the wire's ``entity_data`` does).
    """

    action: str
    entity_type: str
    key: Tuple[Any, ...]
    data: Mapping[str, Any] = attrs.field(factory=dict, eq=False)
    entity: Any = attrs.field(default=None, eq=False, repr=False)
    references: Tuple[Any, ...] = attrs.field(default=(), eq=False, repr=False)
    label: str = attrs.field(default="", eq=False)
    operation: Optional[Dict[str, Any]] = attrs.field(default=None, eq=False, repr=False)

    def to_dict(self) -> Dict[str, Any]:
        """The wire form of this change's operation (see :mod:`ftrack_orm.operations`)."""
        if self.operation is not None:
            return self.operation
        if self.action == "create":
            return ops.create(self.entity_type, self.data)
        if self.action == "update":
            return ops.update(self.entity_type, self.key, self.data)
        return ops.delete(self.entity_type, self.key)


@attrs.frozen
class CommitPlan:
    """The operations of one commit, in the order they will be sent."""

    changes: Tuple[Change, ...]

    @property
    def counts(self) -> Dict[str, int]:
        """Operations per action: ``{"create": n, "update": n, "delete": n}``."""
        counts = {"create": 0, "update": 0, "delete": 0}
        for change in self.changes:
            counts[change.action] += 1
        return counts

    def __len__(self) -> int:
        return len(self.changes)


def plan_commit(changes: Sequence[Change]) -> CommitPlan:
    """Order ``changes`` by dependency; raise :class:`ReferenceCycleError` on a cycle."""
    creates: Dict[int, int] = {}
    deletes: Dict[int, int] = {}
    for index, change in enumerate(changes):
        if change.entity is not None:
            if change.action == "create":
                creates[id(change.entity)] = index
            elif change.action == "delete":
                deletes[id(change.entity)] = index
    after: List[List[int]] = [[] for _ in changes]  # edges: index -> indexes that must follow it
    waiting = [0] * len(changes)
    ordered = True  # no dependency edge seen
    for index, change in enumerate(changes):
        for referenced in change.references:
            deleting = change.action == "delete"
            target = (deletes if deleting else creates).get(id(referenced))
            if target is None or (target == index and deleting):
                continue  # (a create referencing itself is a cycle of one)
            # delete the dependent first; create what is referenced first
            first, then = (index, target) if deleting else (target, index)
            after[first].append(then)
            waiting[then] += 1
            ordered = False
    if ordered:  # nothing references anything pending: creates, updates, deletes, each as recorded
        phases = [_PHASE[c.action] for c in changes]
        if phases == sorted(phases):
            return CommitPlan(tuple(changes))
        return CommitPlan(tuple(changes[i] for i in sorted(range(len(changes)), key=phases.__getitem__)))
    ready = [(_PHASE[c.action], i) for i, c in enumerate(changes) if waiting[i] == 0]
    heapq.heapify(ready)
    order: List[int] = []
    while ready:
        _, index = heapq.heappop(ready)
        order.append(index)
        for follower in after[index]:
            waiting[follower] -= 1
            if waiting[follower] == 0:
                heapq.heappush(ready, (_PHASE[changes[follower].action], follower))
    if len(order) != len(changes):
        raise ReferenceCycleError(_describe_cycle(changes, after, waiting))
    return CommitPlan(tuple(changes[i] for i in order))


def _describe(change: Change) -> str:
    if change.label:
        return change.label
    if change.entity is not None:
        return f"{change.action} {change.entity!r}"
    return f"{change.action} {change.entity_type} {list(change.key)}"


def _describe_cycle(changes: Sequence[Change], after: List[List[int]], waiting: List[int]) -> str:
    stuck = {i for i, count in enumerate(waiting) if count > 0}
    start = min(stuck)
    path, seen = [start], {start: 0}
    current: Optional[int] = start
    while current is not None:
        current = next((f for f in after[current] if f in stuck), None)
        if current is None:
            break
        if current in seen:
            path = path[seen[current]:] + [current]
            break
        seen[current] = len(path)
        path.append(current)
    names = " -> ".join(_describe(changes[i]) for i in path)
    return (
        f"These changes reference each other in a cycle, so no order can send them: {names}. "
        "Nothing was sent. Break the cycle (e.g. set one reference in a second commit)."
    )
