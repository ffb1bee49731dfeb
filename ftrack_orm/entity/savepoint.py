"""Savepoints: undo only what was recorded since a point, keeping earlier pending work.

A :class:`Savepoint` remembers the pending work of one identity map when it is
taken: for every pending entity (new, dirty or deleted) a private copy of its
:class:`~ftrack_orm.entity.state.EntityState` (local values, first originals, flags;
the mutable containers of collections and mapped collections copied too). Taking
one costs the number of pending entities, never a scan of the identity map.

:meth:`Savepoint.rollback` puts every entity back as it was then:

* an entity pending now that was not pending then: created since, it is detached;
  otherwise its changes are dropped (updates restored, a deletion un-marked);
* an entity pending then gets its remembered state back (also when it was
  reverted, deleted before its create was sent, or expunged since: it is
  registered again under its key if that key is free);
* work that LANDED since (a commit inside the block) cannot be undone: the
  lifecycle tells every open savepoint (:meth:`landed`), and those entities count
  as clean from then on. A full rollback of the session (:meth:`forget`) makes
  "nothing pending" the point to return to.

Savepoints nest: each keeps its own copies, so an inner one rolled back leaves the
outer one intact. The lifecycle keeps the open ones (see
:meth:`~ftrack_orm.entity.lifecycle.Lifecycle.savepoint`).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Optional, Protocol

from .base import Entity
from .changes import ChangeTracker
from .state import EntityState

_set_state: Callable[[Entity, Optional[EntityState]], None] = Entity.__dict__["_state"].__set__


class Registry(Protocol):
    """What a savepoint needs from the identity map and the lifecycle."""

    def add(self, entity: Entity) -> None:
        """Register ``entity`` under its key; ``ValueError`` if the key is taken."""

    def detach(self, entity: Entity, reason: str = "detached") -> None:
        """Remove ``entity`` from the map and the change sets; using it then raises."""

    def close(self, savepoint: Savepoint) -> None:
        """Stop telling ``savepoint`` about landed commits and full rollbacks."""


def _copy(value: Any) -> Any:
    kind = value.__class__
    return dict(value) if kind is dict else list(value) if kind is list else value


def copy_state(state: EntityState) -> EntityState:
    """A copy of ``state`` that later changes to ``state`` do not reach."""
    copied = EntityState(state.new)
    copied.local = {name: _copy(value) for name, value in state.local.items()}
    copied.originals = {name: _copy(value) for name, value in state.originals.items()}
    copied.deleted = state.deleted
    copied.detached = state.detached
    return copied


class Savepoint:
    """The pending work of one identity map at one moment (see the module doc).

    Made by ``identity_map.lifecycle.savepoint()``; end it with :meth:`rollback` or
    :meth:`release` (each closes it).
    """

    __slots__ = ("_changes", "_registry", "_states", "_closed")

    def __init__(self, changes: ChangeTracker, registry: Registry) -> None:
        self._changes = changes
        self._registry = registry
        # entity -> its state then (None: clean then, or landed since)
        self._states: Dict[Entity, Optional[EntityState]] = {}
        for entity in changes:
            state = entity._state
            if state is not None:
                self._states[entity] = copy_state(state)
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once rolled back or released."""
        return self._closed

    def landed(self, entities: Iterable[Entity]) -> None:
        """``entities`` were committed: from now on their point to return to is clean."""
        states = self._states
        for entity in entities:
            states[entity] = None

    def forget(self) -> None:
        """The session dropped all pending work: nothing pending is the point to return to."""
        self._states.clear()

    def release(self) -> None:
        """Keep what was recorded since, and close the savepoint."""
        if not self._closed:
            self._closed = True
            self._registry.close(self)

    def rollback(self) -> None:
        """Undo what was recorded since the savepoint (see the module doc), and close it."""
        if self._closed:
            raise RuntimeError("This savepoint was already rolled back or released.")
        self.release()
        states, changes, registry = self._states, self._changes, self._registry
        for entity in list(changes):
            if entity in states:
                continue
            state = entity._state
            if state is not None and state.new:
                registry.detach(entity, "rolled back (created in a failed transaction)")
            else:
                _set_state(entity, None)
                changes.sync(entity)
        for entity, remembered in states.items():
            if remembered is None:  # clean then, or landed since
                current = entity._state
                if current is not None and not current.detached:
                    _set_state(entity, None)
                    changes.sync(entity)
                continue
            current = entity._state
            if current is not None and current.detached and not remembered.detached:
                try:
                    registry.add(entity)
                except ValueError:
                    continue  # the key now belongs to another object: it stays detached
            _set_state(entity, remembered)
            changes.sync(entity)
