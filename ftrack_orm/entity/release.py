"""Releasing entities from a session without losing pending work.

The identity map holds clean entities weakly (they go when nothing else holds
them), but a caller may also drop entities on purpose: ``session.expunge(entity)``,
``session.expunge_all()`` and ``identity_map.clear()``. None of them drops pending
work (a new entity not yet committed, unsaved changes, a deletion not yet sent)
unless told to: without ``force=True`` they raise :class:`PendingWorkError` naming
how many entities, and of which kind, would lose their work, before changing
anything. With ``force=True`` the pending entities are detached (using one then
raises :class:`~ftrack_orm.entity.state.DetachedEntityError`).
"""
from __future__ import annotations

from typing import Callable, Iterable, List, Protocol

from ..errors import FtrackOrmError
from .base import Entity


class PendingWorkError(FtrackOrmError, RuntimeError):
    """Releasing would drop pending work: commit or roll back first, or pass ``force=True``."""


class PendingSets(Protocol):
    """The change sets, as releasing needs them."""

    @property
    def new(self) -> List[Entity]:
        """Created locally, not committed."""

    @property
    def dirty(self) -> List[Entity]:
        """Loaded, with unsaved changes."""

    @property
    def deleted(self) -> List[Entity]:
        """With a pending deletion."""


#: ``detach(entity, reason)``: the lifecycle's detach.
Detach = Callable[[Entity, str], None]

FORCED = "released from the session with its pending work dropped (force=True)"


def _describe(pending: PendingSets) -> str:
    counts = [(len(pending.new), "new"), (len(pending.dirty), "dirty"), (len(pending.deleted), "deleted")]
    return ", ".join(f"{count} {kind}" for count, kind in counts if count)


def release_all(pending: PendingSets, detach: Detach, force: bool) -> None:
    """Check that every entity may be released: :class:`PendingWorkError` if some are
    pending and ``force`` is false; with ``force``, detach the pending ones."""
    entities: Iterable[Entity] = [*pending.new, *pending.dirty, *pending.deleted]
    entities = list(entities)
    if not entities:
        return
    if not force:
        raise PendingWorkError(
            f"Releasing every entity would drop the pending work of {len(entities)} "
            f"entit{'y' if len(entities) == 1 else 'ies'} ({_describe(pending)}): commit() or "
            "rollback() first, or pass force=True to drop it."
        )
    for entity in entities:
        detach(entity, FORCED)


def release_one(entity: Entity, detach: Detach, force: bool) -> None:
    """Release ``entity`` (detach it): :class:`PendingWorkError` if it has pending work
    and ``force`` is false."""
    state = entity._state
    pending = state is not None and not state.detached and (state.new or state.deleted or bool(state.local))
    if pending and not force:
        assert state is not None
        kind = "new" if state.new else "deleted" if state.deleted else "dirty"
        raise PendingWorkError(
            f"Expunging {entity!r} would drop its pending work (1 {kind} entity): commit() or "
            "rollback() first, or pass force=True to drop it."
        )
    detach(entity, FORCED if pending else "removed from the session")
