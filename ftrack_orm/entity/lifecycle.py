"""Entity lifecycle: create, delete, detach, roll back, and apply a landed commit.

:class:`Lifecycle` moves entities between the states of
:mod:`ftrack_orm.entity.state` (new, clean, dirty, deleted, detached). It is the
ONE place where a commit the server confirmed is applied to local state
(:meth:`Lifecycle.apply_commit`, after SQLAlchemy's ``finalize_flush_changes``):
local values become server values, mapped-collection changes fold into their
item entities, deleted entities are detached, and items moved between
collections leave their old owner's loaded collection. The unit of work only
gathers, plans, sends and then hands over a :class:`LandedCommit`.

Keys are the identity map's business: the lifecycle registers and forgets
entities through the narrow :class:`KeyIndex` protocol.
"""
from __future__ import annotations

import copy
from typing import AbstractSet, Any, Callable, Container, Dict, List, Mapping, Optional, Protocol, Tuple, Type

import attrs

from .attributes import assign
from .base import Entity
from .changes import ChangeTracker, mapped_changes
from .loading import ResultGroup
from .release import release_one
from .savepoint import Savepoint
from .settings import LoadSettings
from .state import EntityState

_new_object = object.__new__
# the slots' own setters (the member descriptors of Entity.__slots__)
_set_values: Callable[[Entity, Dict[str, Any]], None] = Entity.__dict__["_values"].__set__
_set_state: Callable[[Entity, Optional[EntityState]], None] = Entity.__dict__["_state"].__set__
_set_group: Callable[[Entity, Optional[ResultGroup]], None] = Entity.__dict__["_group"].__set__


class EntityClasses(Protocol):
    """The generated entity classes, as the lifecycle needs them."""

    def __getitem__(self, name: str) -> Type[Entity]:
        """The class of entity type ``name``."""


class KeyIndex(Protocol):
    """What the lifecycle needs from the identity map's key index."""

    def get(self, entity_type: str, key: Any) -> Optional[Entity]:
        """The entity already in the map, or ``None``."""

    def add(self, entity: Entity, key: Optional[Tuple[Any, ...]] = None) -> None:
        """Register ``entity`` under its key (``key``: already computed); ``ValueError`` if taken."""

    def discard(self, entity: Entity) -> None:
        """Forget ``entity``'s key (if it is the one registered there)."""

    def merge_into(self, payload: Dict[str, Any], group: Any) -> Any:
        """Merge one entity dict (as decoding does)."""


@attrs.frozen
class Move:
    """An item moved between one-to-many collections by a landed commit: its foreign
    key, the collection it moved in, and the foreign key's value before the commit."""

    item: Entity
    foreign_key: str
    collection: str
    old_key: Any


@attrs.frozen
class LandedCommit:
    """What the server confirmed: the entities the commit settles, the attributes its
    answer carried per entity (``id(entity)`` -> wire names; they keep the server's
    value), and the collection moves it made."""

    entities: Tuple[Entity, ...]
    answered: Mapping[int, AbstractSet[str]] = attrs.field(factory=dict)
    moves: Tuple[Move, ...] = ()


class Lifecycle:
    """State transitions of the entities of one identity map."""

    def __init__(self, index: KeyIndex, types: EntityClasses, changes: ChangeTracker, settings: LoadSettings) -> None:
        self._index = index
        self._types = types
        self._changes = changes
        self._settings = settings
        self._savepoints: List[Savepoint] = []  # open ones, oldest first

    def create(self, entity_type: str, data: Optional[Dict[str, Any]] = None) -> Entity:
        """A new, pending entity: schema defaults (``{uid}`` -> a new id) + ``data``.

        Like ftrack, every scalar attribute with a schema default gets it (so the
        create operation sends e.g. ``object_type_id``, ``priority_id``, ``name``);
        all of them are in ``entity.changes``. ``data`` is assigned all or nothing
        (immutable attributes may be set). Raises ``ValueError`` if the key is taken.
        """
        cls = self._types[entity_type]
        defaults, new_ids, copies = cls._schema.create_template
        local = defaults.copy()
        if new_ids:
            new_id = self._settings.id_factory
            for name in new_ids:
                local[name] = new_id()
        for name in copies:
            local[name] = copy.deepcopy(defaults[name])
        entity = _new_object(cls)
        _set_values(entity, {})
        _set_state(entity, EntityState.created(local))
        _set_group(entity, None)
        try:
            if data:
                if "__entity_type__" in data:
                    data = {k: v for k, v in data.items() if k != "__entity_type__"}
                assign(entity, data)
            key = entity._primary_key()
            if None in key:
                missing = [n for n, v in zip(cls._schema.primary_key, key) if v is None]
                raise ValueError(f"New {entity_type} needs its primary key: {', '.join(missing)} not given")
            self._index.add(entity, key)
        except BaseException:
            self._changes.discard(entity)
            raise
        self._changes.sync(entity)
        return entity

    def mark_deleted(self, entity: Entity) -> None:
        """Record a pending deletion. A new entity is simply dropped (nothing to send)."""
        state = entity._ensure_state()
        if state.new:
            self.detach(entity, "deleted before it was committed")
            return
        state.deleted = True
        self._changes.sync(entity)

    def detach(self, entity: Entity, reason: str = "detached") -> None:
        """Remove ``entity`` from the map and change sets; using it then raises."""
        self._index.discard(entity)
        state = entity._state or EntityState()
        state.detached = reason
        _set_state(entity, state)
        self._changes.discard(entity)

    def expunge(self, entity: Entity, force: bool = False) -> None:
        """Forget ``entity`` (e.g. deleted on the server); it becomes detached. Pending
        work is refused (``PendingWorkError``) unless ``force`` (see :mod:`.release`)."""
        release_one(entity, self.detach, force)

    def rollback(self) -> None:
        """Discard pending work: changed entities revert to server values, pending
        deletions are cancelled, new entities are detached."""
        for entity in list(self._changes):
            state = entity._state
            if state is not None and state.new:
                self.detach(entity, "rolled back before it was committed")
            else:
                _set_state(entity, None)
        self._changes.clear()
        for savepoint in self._savepoints:
            savepoint.forget()

    # ------------------------------------------------------------------ savepoints
    def savepoint(self) -> Savepoint:
        """A :class:`~ftrack_orm.entity.savepoint.Savepoint` of the pending work now;
        roll it back to undo only what is recorded afterwards."""
        savepoint = Savepoint(self._changes, self)
        self._savepoints.append(savepoint)
        return savepoint

    def add(self, entity: Entity) -> None:
        """Register ``entity`` under its key again (a savepoint restoring it)."""
        self._index.add(entity)

    def close(self, savepoint: Savepoint) -> None:
        """Forget an open savepoint (it released or rolled back)."""
        if savepoint in self._savepoints:
            self._savepoints.remove(savepoint)

    # ------------------------------------------------------------------ the commit landed
    def apply_commit(self, landed: LandedCommit) -> None:
        """Apply a commit the server confirmed to local state (see the module doc)."""
        answered = landed.answered
        for entity in landed.entities:
            self._settle(entity, answered.get(id(entity), ()))
        for move in landed.moves:
            _leave_old_owner(self._index, move)
        for savepoint in self._savepoints:
            savepoint.landed(landed.entities)

    def _settle(self, entity: Entity, answered: Container[str]) -> None:
        state = entity._state
        if state is None or state.detached:
            return
        if state.deleted:
            self.detach(entity, "deleted")
            return
        values = entity._values
        attributes = type(entity)._attributes
        mapped = False
        for name, value in state.local.items():
            if value.__class__ is dict and attributes[name].schema.kind == "mapped_collection":
                mapped = True  # folded below, into the item entities
            elif name not in answered:
                values[name] = value
        if mapped:
            self._fold_mapped(entity)
        _set_state(entity, None)
        self._changes.discard(entity)

    def _fold_mapped(self, entity: Entity) -> None:
        """Fold mapped-collection changes into the loaded item entities."""
        loaded = entity._values
        for change in mapped_changes(entity):
            schema = type(entity)._attributes[change.attribute].schema
            items: Optional[List[Any]] = loaded.get(change.attribute)
            if change.action == "delete":
                if items is not None:
                    loaded[change.attribute] = [i for i in items if i is not change.item]
                self.detach(change.item, "removed from the session")
                continue
            if change.item is not None:
                change.item._values[schema.value_attribute or "value"] = change.new
                continue
            if None in change.entity_key.values():
                loaded.pop(change.attribute, None)  # cannot build the item: reload on next read
                continue
            payload = dict(change.entity_key)
            payload.update(change.entity_data)
            payload[schema.key_attribute or "key"] = change.key
            payload["__entity_type__"] = change.entity_type
            item = self._index.merge_into(payload, None)
            if items is not None or (entity._state is not None and entity._state.new):
                loaded[change.attribute] = list(items or ()) + [item]


def _leave_old_owner(index: KeyIndex, move: Move) -> None:
    """After a move landed: drop the item from its old owner's loaded collection and
    forget its loaded reference (it is re-read from the new foreign key on use)."""
    item, foreign_key, collection = move.item, move.foreign_key, move.collection
    reference = foreign_key[:-3] if foreign_key.endswith("_id") else None
    old_owner = item._values.pop(reference, None) if reference else None
    attribute = type(item)._attributes.get(reference or "")
    if old_owner is None and attribute is not None and move.old_key is not None:
        old_owner = index.get(attribute.schema.target, move.old_key)  # type: ignore[arg-type]  # a reference has a target
    if isinstance(old_owner, Entity):
        items = old_owner._values.get(collection)
        state = old_owner._state
        if type(items) is list and item in items and not (state is not None and collection in state.local):
            old_owner._values[collection] = [other for other in items if other is not item]
