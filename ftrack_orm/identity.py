"""The identity map: one Python object per (identity type, primary key) per session.

``IdentityMap.merge(payload)`` is the codec's entity hook: every decoded dict with
``"__entity_type__"`` comes through it, bottom-up, and leaves as an entity object.

Merge rules
    * the key is ``(identity type, *primary key values)``; the identity type is the
      topmost supertype (``Shot`` -> ``Context``) so a Shot reached as a
      ``Context`` reference is the same object; composite keys are supported
      (``Metadata``: ``(parent_id, key)``);
    * a first occurrence is ADOPTED: the payload dict becomes the entity's server
      values (no copy; ``__entity_type__`` is popped from it). The caller hands
      the dict over and must not reuse it;
    * a later occurrence (same response or a later one) updates the server values
      only; unsaved local changes live apart and keep winning on reads;
    * a payload of a subtype upgrades an object created from a supertype reference;
    * memory: string values of foreign-key and ``*_type`` attributes
      are interned (``sys.intern``), so the thousands of equal ``project_id`` /
      ``status_id`` / ``parent_id`` strings of a result share one object; entities
      are stored in one dict per identity type keyed by the bare key value
      (single-attribute keys) or a tuple (composite keys).

Threads
    The hot path takes no lock: it relies on the atomicity of built-in ``dict``
    operations under the GIL (``dict.get``, ``dict.setdefault`` with tuple-of-str
    keys, ``dict.update`` from a dict with str keys). ``setdefault`` settles insert
    races: two threads decoding the same new entity both build a candidate, one
    wins, the other merges into the winner, so no merge is lost and there is one
    object per key. Class generation and entity creation take a lock. Change
    recording (the unit of work's input) is not meant to be driven from several
    threads at once on the same entities.
"""
from __future__ import annotations

import contextlib
import copy
import sys
import threading
import uuid
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Sequence, Tuple, Union

from .entity.base import Entity
from .entity.changes import ChangeTracker, Snapshot, commit_mapped
from .entity.custom_attributes import CustomAttributeConfigurations
from .entity.factory import TypeRegistry
from .entity.loading import Loader, ResultGroup, populate, query_class
from .entity.state import NOT_LOADED, EntityState
from .schema import SchemaRegistry

_new_object = object.__new__
_intern = sys.intern
_set_values = Entity._values.__set__  # type: ignore[attr-defined]
_set_state = Entity._state.__set__  # type: ignore[attr-defined]
_set_group = Entity._group.__set__  # type: ignore[attr-defined]


class _ThreadState(threading.local):
    group: Optional[ResultGroup] = None
    auto_populate: Optional[bool] = None


class IdentityMap:
    """Entities of one session by key, their classes, change sets and lazy loading.

    ``loader``: a :class:`~ftrack_orm.entity.loading.Loader` (settable; ``None`` means
    reading an unloaded attribute raises ``NotLoadedError``). ``auto_populate``: the
    map-wide default for fetching on read. ``custom_attribute_configurations``: a
    :class:`CustomAttributeConfigurations` or a zero-argument callable returning one.
    """

    def __init__(
        self,
        schemas: SchemaRegistry,
        loader: Optional[Loader] = None,
        auto_populate: bool = True,
        custom_attribute_configurations: Any = None,
    ) -> None:
        self.schemas = schemas
        self.types = TypeRegistry(schemas, self)
        self.loader = loader
        self.auto_populate = auto_populate
        self.changes = ChangeTracker()
        self._configurations = custom_attribute_configurations
        #: Makes the ``{uid}`` defaults of new entities (settable: seeded ids in tests).
        self.id_factory: Callable[[], str] = lambda: str(uuid.uuid4())
        # identity type -> {key value (or tuple for composite keys): entity}
        self._entities: Dict[str, Dict[Any, Entity]] = {}
        self._info: Dict[str, Tuple[type, Dict[Any, Entity], Optional[str], Tuple[str, ...], Tuple[str, ...]]] = {}
        self._query_classes: Dict[Tuple[type, str], type] = {}
        self._default_cache: Dict[type, Tuple[Tuple[str, Any, str], ...]] = {}
        self._tls = _ThreadState()
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ decoding
    def merge(self, payload: Dict[str, Any]) -> Any:
        """The codec's entity hook: merge one decoded entity dict, return the entity.

        Uses the calling thread's current result group (see :meth:`result_group`).
        A payload missing its primary key is returned as a dict, unchanged.
        """
        return self._merge(payload, self._tls.group)

    def _merge(self, payload: Dict[str, Any], group: Optional[ResultGroup]) -> Any:
        entity_type = payload.pop("__entity_type__")
        info = self._info.get(entity_type)
        if info is None:
            info = self._type_info(entity_type)
        cls, entities, single, names, shared = info
        for name in shared:
            value = payload.get(name)
            if value.__class__ is str:
                payload[name] = _intern(value)
        try:
            if single is not None:
                key = payload[single]
            else:
                key = tuple([payload[name] for name in names])
        except KeyError:
            payload["__entity_type__"] = entity_type
            return payload
        entity = entities.get(key)
        if entity is None:
            candidate = _new_object(cls)
            _set_values(candidate, payload)
            _set_state(candidate, None)
            _set_group(candidate, group)
            entity = entities.setdefault(key, candidate)
            if entity is candidate:
                if group is not None:
                    group.members.append(candidate)
                return candidate
        entity._values.update(payload)
        if type(entity) is not cls and issubclass(cls, type(entity)):
            object.__setattr__(entity, "__class__", cls)
        if group is not None and entity._group is not group:
            _set_group(entity, group)
            group.members.append(entity)
        return entity

    def _type_info(self, entity_type: str) -> Tuple[type, Dict[Any, Entity], Optional[str], Tuple[str, ...], Tuple[str, ...]]:
        cls = self.types[entity_type]
        schema = cls._schema
        names = schema.primary_key or ("id",)
        shared = tuple(
            a.name
            for a in schema.attributes.values()
            if a.kind == "string" and (a.foreign_key or a.name.endswith("_type"))
        )
        with self._lock:
            bucket = self._entities.setdefault(self.schemas.identity_type(entity_type), {})
            info = (cls, bucket, names[0] if len(names) == 1 else None, names, shared)
            self._info[entity_type] = info
        return info

    @contextlib.contextmanager
    def result_group(self) -> Iterator[ResultGroup]:
        """Open a result group for this thread: entities merged inside it (through
        :meth:`merge`) batch their lazy loads together. ``group.merge`` is the same
        hook bound to the group, usable from any thread."""
        group = ResultGroup(self)
        previous = self._tls.group
        self._tls.group = group
        try:
            yield group
        finally:
            self._tls.group = previous

    # ------------------------------------------------------------------ lookup
    def _bucket_key(self, entity_type: str, key: Any) -> Tuple[Dict[Any, Entity], Any]:
        info = self._info.get(entity_type) or self._type_info(entity_type)
        names = info[3]
        if isinstance(key, dict):
            values = tuple(key[name] for name in names)
        elif isinstance(key, (list, tuple)):
            values = tuple(key)
        else:
            values = (key,)
        if len(values) != len(names):
            raise ValueError(f"{entity_type} has primary key {names}, got {key!r}")
        return info[1], values[0] if len(values) == 1 else values

    def key_of(self, entity: Entity) -> Tuple[Any, ...]:
        """``(identity type, *primary key values)`` of ``entity``."""
        return (self.schemas.identity_type(entity.__entity_type__),) + entity._primary_key()

    def get(self, entity_type: str, key: Any) -> Optional[Entity]:
        """The entity already in the map, or ``None`` (never fetches).

        ``key`` is a value (single-attribute keys), a sequence, or a mapping by name."""
        bucket, value = self._bucket_key(entity_type, key)
        return bucket.get(value)

    def _lookup(self, entity: Entity) -> Tuple[Dict[Any, Entity], Any]:
        return self._bucket_key(entity.__entity_type__, entity._primary_key())

    def __len__(self) -> int:
        return sum(len(bucket) for bucket in list(self._entities.values()))

    def __iter__(self) -> Iterator[Entity]:
        return iter([e for bucket in list(self._entities.values()) for e in list(bucket.values())])

    def __contains__(self, entity: object) -> bool:
        if not isinstance(entity, Entity):
            return False
        bucket, value = self._lookup(entity)
        return bucket.get(value) is entity

    # ------------------------------------------------------------------ lazy loading
    @property
    def auto_populate_enabled(self) -> bool:
        """Whether reading an unloaded attribute fetches it, for the calling thread."""
        override = self._tls.auto_populate
        return self.auto_populate if override is None else override

    @contextlib.contextmanager
    def auto_populating(self, enabled: bool) -> Iterator[None]:
        """Turn fetching on read on/off for the calling thread within the block."""
        previous = self._tls.auto_populate
        self._tls.auto_populate = enabled
        try:
            yield
        finally:
            self._tls.auto_populate = previous

    def populate(self, entities: Iterable[Entity], projections: Union[str, Sequence[str]]) -> None:
        """Fetch dotted ``projections`` (``"name, parent.name"``) for ``entities``, batched."""
        populate(self, entities, projections)

    def _query_class(self, cls: type, name: str) -> type:
        found = self._query_classes.get((cls, name))
        if found is None:
            found = self._query_classes[(cls, name)] = query_class(cls, name)
        return found

    @property
    def custom_attribute_configurations(self) -> Optional[CustomAttributeConfigurations]:
        source = self._configurations
        if source is not None and not isinstance(source, CustomAttributeConfigurations):
            with self._lock:
                if callable(self._configurations):
                    self._configurations = self._configurations()
                if not isinstance(self._configurations, CustomAttributeConfigurations):
                    self._configurations = CustomAttributeConfigurations.from_entities(self._configurations)
            source = self._configurations
        return source

    @custom_attribute_configurations.setter
    def custom_attribute_configurations(self, value: Any) -> None:
        self._configurations = value

    # ------------------------------------------------------------------ unit of work
    def create(self, entity_type: str, data: Optional[Dict[str, Any]] = None) -> Entity:
        """A new, pending entity: schema defaults (``{uid}`` -> a new UUID4) + ``data``.

        Like ftrack, every scalar attribute with a schema default gets it (so the
        create operation sends e.g. ``object_type_id``, ``priority_id``, ``name``);
        all of them are in ``entity.changes``. Assignments are validated (immutable
        attributes may be set). Raises ``ValueError`` if the key is already taken.
        """
        cls = self.types[entity_type]
        entity = _new_object(cls)
        _set_values(entity, {})
        state = EntityState(new=True)
        _set_state(entity, state)
        _set_group(entity, None)
        local, originals = state.local, state.originals
        for name, default, kind in self._defaults(cls):
            local[name] = self.id_factory() if kind == "uid" else copy.deepcopy(default) if kind == "copy" else default
            originals[name] = NOT_LOADED
        try:
            for name, value in (data or {}).items():
                if name != "__entity_type__":
                    entity[name] = value
            key = entity._primary_key()
            if None in key:
                missing = [n for n, v in zip(cls._schema.primary_key, key) if v is None]
                raise ValueError(f"New {entity_type} needs its primary key: {', '.join(missing)} not given")
            bucket, value = self._lookup(entity)
            with self._lock:
                existing = bucket.get(value)
                if existing is not None:
                    raise ValueError(f"{existing!r} already exists in this session")
                bucket[value] = entity
        except BaseException:
            self.changes.discard(entity)
            raise
        self.changes.sync(entity)
        return entity

    def _defaults(self, cls: type) -> Tuple[Tuple[str, Any, str], ...]:
        """``(name, default, how)`` of every scalar default of ``cls``, computed once per class;
        ``how`` is ``uid`` (a new id), ``copy`` (a mutable literal) or ``value``."""
        found = self._default_cache.get(cls)
        if found is None:
            items = []
            for attribute in cls._schema.attributes.values():
                if attribute.has_default and not attribute.is_relation:
                    default = attribute.default
                    how = "uid" if default == "{uid}" else "copy" if isinstance(default, (list, dict)) else "value"
                    items.append((attribute.name, default, how))
            found = self._default_cache[cls] = tuple(items)
        return found

    def mark_deleted(self, entity: Entity) -> None:
        """Record a pending deletion. A new entity is simply dropped (nothing to send)."""
        state = entity._ensure_state()
        if state.new:
            self.detach(entity, "deleted before it was committed")
            return
        state.deleted = True
        self.changes.sync(entity)

    def detach(self, entity: Entity, reason: str = "detached") -> None:
        """Remove ``entity`` from the map and change sets; using it then raises."""
        bucket, value = self._lookup(entity)
        with self._lock:
            if bucket.get(value) is entity:
                del bucket[value]
        state = entity._state or EntityState()
        state.detached = reason
        _set_state(entity, state)
        self.changes.discard(entity)

    def expunge(self, entity: Entity) -> None:
        """Forget ``entity`` (e.g. deleted on the server); it becomes detached."""
        self.detach(entity, "removed from the session")

    def mark_committed(self, entity: Entity, answered: Iterable[str] = ()) -> None:
        """After the server confirmed: local values become server values, the entity is
        clean (deleted ones are detached). ``answered``: attributes the server's answer
        already merged, which keep the server's value."""
        state = entity._state
        if state is None or state.detached:
            return
        if state.deleted:
            self.detach(entity, "deleted")
            return
        commit_mapped(entity, self)
        values = entity._values
        attributes = type(entity)._attributes
        for name, value in state.local.items():
            if name not in answered and attributes[name].schema.kind != "mapped_collection":
                values[name] = value
        _set_state(entity, None)
        self.changes.discard(entity)

    def snapshot(self) -> Snapshot:
        """Capture every pending entity (state, server values, map membership)."""
        entries = []
        for entity in self.changes:
            state = entity._state
            bucket, value = self._lookup(entity)
            registered = bucket.get(value) is entity
            entries.append((entity, state.copy() if state is not None else None, dict(entity._values), registered))
        tracker = self.changes
        return Snapshot(tuple(entries), (tuple(tracker._new), tuple(tracker._dirty), tuple(tracker._deleted)))

    def restore(self, snapshot: Snapshot) -> None:
        """Put back exactly what :meth:`snapshot` captured (after a failed commit)."""
        with self._lock:
            for entity, state, values, registered in snapshot.entries:
                _set_state(entity, state.copy() if state is not None else None)
                _set_values(entity, dict(values))
                if registered:
                    bucket, value = self._lookup(entity)
                    bucket[value] = entity
            tracker = self.changes
            tracker.clear()
            new, dirty, deleted = snapshot.order
            tracker._new.update(dict.fromkeys(new))
            tracker._dirty.update(dict.fromkeys(dirty))
            tracker._deleted.update(dict.fromkeys(deleted))

    def rollback(self) -> None:
        """Discard pending work: changed entities revert to server values, pending
        deletions are cancelled, new entities are detached."""
        for entity in list(self.changes):
            state = entity._state
            if state is not None and state.new:
                self.detach(entity, "rolled back before it was committed")
            else:
                _set_state(entity, None)
        self.changes.clear()

    def clear(self) -> None:
        """Forget every entity (they are not detached; pending changes are dropped)."""
        with self._lock:
            for bucket in self._entities.values():
                bucket.clear()
            self.changes.clear()

    def __repr__(self) -> str:
        return f"<IdentityMap {len(self)} entities, {len(self.changes)} pending>"


__all__ = ["IdentityMap", "Loader", "ResultGroup"]

# Re-exported for callers that type-annotate hooks.
EntityHook = Callable[[Dict[str, Any]], Any]
