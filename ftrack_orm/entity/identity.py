"""The identity map: one Python object per (identity type, primary key) per session.

This module is the identity lookup (the merge hook, ``get``, ``key_of``, iteration).
The map's other two jobs live apart and are reached through it: entity lifecycle
(:mod:`ftrack_orm.entity.lifecycle`: create, delete, detach, roll back, apply a
landed commit) and lazy-load settings (:mod:`ftrack_orm.entity.settings`).

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
    * memory: the map holds clean entities WEAKLY (a bucket maps a key to a weak
      reference that knows its key and leaves the bucket when its entity dies);
      pending ones (new, dirty, deleted) are held strongly by the change sets, so
      an entity is held strongly from its first recorded change until its commit
      lands. References between entities (``task.parent``) are strong, so what a
      held entity reaches stays. A result group's members are the same weak
      references: a streamed page nobody holds is freed;
    * memory: string values of foreign-key and ``*_type`` attributes
      (``EntitySchema.interned_attributes``) are interned (``sys.intern``), so the thousands of equal ``project_id`` /
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
import datetime as _dt
import sys
import threading
import weakref
from _weakref import _remove_dead_weakref  # type: ignore[attr-defined]  # stdlib's atomic removal
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Sequence, Tuple, Type, Union

from ..codec import decode_typed
from ..codec import object_hook as mark_object_hook
from ..schema import SchemaRegistry
from ..times import DATETIME_TYPE, UTC, UTC_SUFFIX
from .base import Entity
from .changes import ChangeTracker
from .custom_attributes import CustomAttributeConfigurations
from .factory import TypeRegistry
from .lifecycle import LandedCommit, Lifecycle
from .loading import Loader, ResultGroup, populate
from .release import release_all
from .settings import LoadSettings
from .state import EntityState

_new_object = object.__new__
_intern = sys.intern
_fromisoformat = _dt.datetime.fromisoformat



class _Ref(weakref.ref):  # type: ignore[type-arg]
    """A bucket's weak reference to an entity; it knows its key (to leave the bucket)."""

    __slots__ = ("key",)
    key: Any


#: One identity type's entities: key value (or tuple for composite keys) -> weak reference.
_Bucket = Dict[Any, _Ref]
#: An identity map's entry for one entity type: (class, bucket of its identity type,
#: single key name or None, key names, names of the string attributes to intern,
#: the bucket's removal callback).
_TypeEntry = Tuple[Type[Entity], _Bucket, Optional[str], Tuple[str, ...], Tuple[str, ...], Callable[[_Ref], None]]
# the slots' own setters (the member descriptors of Entity.__slots__)
_set_values: Callable[[Entity, Dict[str, Any]], None] = Entity.__dict__["_values"].__set__
_set_state: Callable[[Entity, Optional[EntityState]], None] = Entity.__dict__["_state"].__set__
_set_group: Callable[[Entity, Optional[ResultGroup]], None] = Entity.__dict__["_group"].__set__


class _ThreadGroup(threading.local):
    group: Optional[ResultGroup] = None


class IdentityMap:
    """Entities of one session by key, with their classes, change sets, lifecycle and
    lazy-load settings.

    ``loader``: a :class:`~ftrack_orm.entity.loading.Loader` (settable; ``None`` means
    reading an unloaded attribute raises ``NotLoadedError``). ``auto_populate``: the
    map-wide default for fetching on read. ``custom_attribute_configurations``: a
    :class:`CustomAttributeConfigurations` or a zero-argument callable returning one.
    ``mixins``: entity type -> studio mixin classes for the generated classes.
    Lifecycle methods (``create``, ``mark_deleted``, ``detach``, ``expunge``,
    ``rollback``, ``apply_commit``) are those of :attr:`lifecycle`.
    """

    def __init__(
        self,
        schemas: SchemaRegistry,
        loader: Optional[Loader] = None,
        auto_populate: bool = True,
        custom_attribute_configurations: Any = None,
        mixins: Optional[Any] = None,
    ) -> None:
        self.schemas = schemas
        #: The session owning this map (``entity.session``), set by it; ``None`` if none.
        self.session: Any = None
        self.types = TypeRegistry(schemas, self, mixins)
        self.changes = ChangeTracker()
        self.settings = LoadSettings(loader, auto_populate, custom_attribute_configurations)
        # identity type -> {key value (or tuple for composite keys): weak reference}
        self._entities: Dict[str, _Bucket] = {}
        # identity type -> the callback removing a dead entity's reference from its bucket
        self._removers: Dict[str, Callable[[_Ref], None]] = {}
        # entity type -> (class, its identity type's bucket): what this map owns per type;
        # facts derived from the schema (key shape, interned names) live on EntitySchema
        # entity type -> (class, bucket, and the schema's key and interning facts): one dict
        # lookup per merged payload instead of attribute lookups through class and schema
        self._classes: Dict[str, _TypeEntry] = {}
        self._thread = _ThreadGroup()
        self._merge_ungrouped = self.object_hook(None)
        self._lock = threading.RLock()
        self.lifecycle = Lifecycle(self, self.types, self.changes, self.settings)
        # bound once: calling them costs no frame more than a method of this class
        self.create = self.lifecycle.create
        self.mark_deleted = self.lifecycle.mark_deleted
        self.detach = self.lifecycle.detach
        self.expunge = self.lifecycle.expunge
        self.rollback = self.lifecycle.rollback
        self.apply_commit: Callable[[LandedCommit], None] = self.lifecycle.apply_commit

    # ------------------------------------------------------------------ decoding
    def merge(self, payload: Dict[str, Any]) -> Any:
        """The codec's entity hook: merge one decoded entity dict, return the entity.

        Uses the calling thread's current result group (see :meth:`result_group`).
        A payload missing its primary key is returned as a dict, unchanged.
        """
        group = self._thread.group
        return (group.merge if group is not None else self._merge_ungrouped)(payload)

    def merge_into(self, payload: Dict[str, Any], group: Optional[ResultGroup]) -> Any:
        """:meth:`merge`, recording the entity in result group ``group`` (or none)."""
        return (group.merge if group is not None else self._merge_ungrouped)(payload)

    def object_hook(
        self, group: Optional[ResultGroup], on_entity: Optional[Callable[[Entity, str, Dict[str, Any]], None]] = None,
    ) -> Callable[[Dict[str, Any]], Any]:
        """The fused ``json.loads`` object hook of answers decoded into ``group`` (or none):
        typed values (the codec's rules, naive UTC datetimes inline) and entities merged
        and recorded in the group, in ONE Python frame per decoded object (the hot path
        of every query). Marked with :func:`ftrack_orm.codec.object_hook`.

        ``on_entity(entity, entity_type, payload)`` is called after each entity is merged
        (``payload``: the names and values its answer carried)."""
        classes = self._classes
        class_info = self._class_info
        replace_dead = self._replace_dead
        append = group.members.append if group is not None else None

        def hook(payload: Dict[str, Any]) -> Any:
            entity_type = payload.pop("__entity_type__", None)
            if entity_type is None:
                if payload.get("__type__") == DATETIME_TYPE:
                    value = payload.get("value")
                    if value.__class__ is str:
                        try:
                            parsed = _fromisoformat(value + UTC_SUFFIX)
                            if parsed.tzinfo is UTC:
                                return parsed
                        except ValueError:
                            pass
                return decode_typed(payload)
            info = classes.get(entity_type)
            if info is None:
                info = class_info(entity_type)
            cls, entities, single, key_names, interned, remove = info
            for name in interned:
                value = payload.get(name)
                if value.__class__ is str:
                    payload[name] = _intern(value)
            try:
                if single is not None:
                    key = payload[single]
                else:
                    key = tuple([payload[name] for name in key_names])
            except KeyError:
                payload["__entity_type__"] = entity_type
                return payload
            ref = entities.get(key)
            entity: Any = ref() if ref is not None else None
            if entity is None:
                candidate = _new_object(cls)
                _set_values(candidate, payload)
                _set_state(candidate, None)
                _set_group(candidate, group)
                ref = _Ref(candidate, remove)
                ref.key = key
                found = entities.setdefault(key, ref)
                entity = found()
                if entity is None:  # a dead entity's reference not removed yet
                    found = replace_dead(entities, key, ref)
                    entity = found()
                if entity is candidate:
                    if append is not None:
                        append(ref)
                    if on_entity is not None:
                        on_entity(candidate, entity_type, payload)
                    return candidate
                ref = found
            entity._values.update(payload)
            if type(entity) is not cls and issubclass(cls, type(entity)):
                object.__setattr__(entity, "__class__", cls)
            if group is not None and entity._group is not group:
                _set_group(entity, group)
                append(ref)  # type: ignore[misc,arg-type]  # a live entity came from a reference
            if on_entity is not None:
                on_entity(entity, entity_type, payload)
            return entity

        return mark_object_hook(hook)

    def _replace_dead(self, bucket: _Bucket, key: Any, ref: _Ref) -> _Ref:
        """Put ``ref`` under ``key`` unless another thread put a live one there first;
        the live reference now under ``key``."""
        with self._lock:
            found = bucket.get(key)
            if found is None or found() is None:
                bucket[key] = found = ref
        return found

    def _class_info(self, entity_type: str) -> _TypeEntry:
        cls = self.types[entity_type]
        schema = cls._schema
        identity_type = self.schemas.identity_type(entity_type)
        with self._lock:
            bucket = self._entities.setdefault(identity_type, {})
            remove = self._removers.get(identity_type)
            if remove is None:
                remove = self._removers[identity_type] = _remover(bucket)
            info = self._classes[entity_type] = (
                cls, bucket, schema.single_key, schema.key_names, schema.interned_attributes, remove
            )
        return info

    @contextlib.contextmanager
    def result_group(self) -> Iterator[ResultGroup]:
        """Open a result group for this thread: entities merged inside it (through
        :meth:`merge`) batch their lazy loads together. ``group.merge`` is the same
        hook bound to the group, usable from any thread."""
        group = ResultGroup(self)
        previous = self._thread.group
        self._thread.group = group
        try:
            yield group
        finally:
            self._thread.group = previous

    # ------------------------------------------------------------------ lookup
    def _bucket_key(self, entity_type: str, key: Any) -> Tuple[_Bucket, Any]:
        _, bucket, _, names, _, _ = self._classes.get(entity_type) or self._class_info(entity_type)
        if isinstance(key, dict):
            values = tuple(key[name] for name in names)
        elif isinstance(key, (list, tuple)):
            values = tuple(key)
        else:
            values = (key,)
        if len(values) != len(names):
            raise ValueError(f"{entity_type} has primary key {names}, got {key!r}")
        return bucket, values[0] if len(values) == 1 else values

    def key_of(self, entity: Entity) -> Tuple[Any, ...]:
        """``(identity type, *primary key values)`` of ``entity``."""
        return (self.schemas.identity_type(entity.__entity_type__),) + entity._primary_key()

    def get(self, entity_type: str, key: Any) -> Optional[Entity]:
        """The entity already in the map, or ``None`` (never fetches).

        ``key`` is a value (single-attribute keys), a sequence, or a mapping by name."""
        bucket, value = self._bucket_key(entity_type, key)
        return _live(bucket.get(value))

    def _lookup(self, entity: Entity) -> Tuple[_Bucket, Any]:
        return self._bucket_key(entity.__entity_type__, entity._primary_key())

    def add(self, entity: Entity, key: Optional[Tuple[Any, ...]] = None) -> None:
        """Register a new ``entity`` under its key (``key``: its primary key, when already
        computed); ``ValueError`` if the key is taken."""
        bucket, value = self._bucket_key(entity.__entity_type__, entity._primary_key() if key is None else key)
        remove = self._classes[entity.__entity_type__][5]
        with self._lock:
            existing = _live(bucket.get(value))
            if existing is not None:
                raise ValueError(f"{existing!r} already exists in this session")
            ref = _Ref(entity, remove)
            ref.key = value
            bucket[value] = ref

    def discard(self, entity: Entity) -> None:
        """Forget ``entity``'s key, if ``entity`` is the object registered under it."""
        bucket, value = self._lookup(entity)
        with self._lock:
            if _live(bucket.get(value)) is entity:
                del bucket[value]

    def __len__(self) -> int:
        return sum(len(bucket) for bucket in list(self._entities.values()))

    def __iter__(self) -> Iterator[Entity]:
        found = (_live(ref) for bucket in list(self._entities.values()) for ref in list(bucket.values()))
        return iter([entity for entity in found if entity is not None])

    def __contains__(self, entity: object) -> bool:
        if not isinstance(entity, Entity):
            return False
        bucket, value = self._lookup(entity)
        return _live(bucket.get(value)) is entity

    def clear(self, force: bool = False) -> None:
        """Forget every entity. Pending work (new, dirty, deleted entities) is refused
        with :class:`~ftrack_orm.entity.release.PendingWorkError` unless ``force=True``,
        which drops it (those entities are detached)."""
        release_all(self.changes, self.lifecycle.detach, force)
        with self._lock:
            for bucket in self._entities.values():
                bucket.clear()

    # ------------------------------------------------------------------ lazy loading (settings)
    @property
    def loader(self) -> Optional[Loader]:
        """The loader that fetches unloaded attributes (see :attr:`settings`)."""
        return self.settings.loader

    @loader.setter
    def loader(self, loader: Optional[Loader]) -> None:
        self.settings.loader = loader

    @property
    def auto_populate(self) -> bool:
        """The map-wide default for fetching on read."""
        return self.settings.auto_populate

    @auto_populate.setter
    def auto_populate(self, enabled: bool) -> None:
        self.settings.auto_populate = enabled

    @property
    def auto_populate_enabled(self) -> bool:
        """Whether reading an unloaded attribute fetches it, for the calling thread."""
        return self.settings.auto_populate_enabled

    def auto_populating(self, enabled: bool) -> Any:
        """Turn fetching on read on/off for the calling thread within the block."""
        return self.settings.auto_populating(enabled)

    @property
    def custom_attribute_configurations(self) -> Optional[CustomAttributeConfigurations]:
        """The custom attribute configurations (see :attr:`settings`)."""
        return self.settings.custom_attribute_configurations

    @custom_attribute_configurations.setter
    def custom_attribute_configurations(self, value: Any) -> None:
        self.settings.custom_attribute_configurations = value

    @property
    def id_factory(self) -> Callable[[], str]:
        """Makes the ``{uid}`` defaults of new entities (settable: seeded ids in tests)."""
        return self.settings.id_factory

    @id_factory.setter
    def id_factory(self, factory: Callable[[], str]) -> None:
        self.settings.id_factory = factory

    def populate(self, entities: Iterable[Entity], projections: Union[str, Sequence[str]]) -> None:
        """Fetch dotted ``projections`` (``"name, parent.name"``) for ``entities``, batched."""
        populate(self, entities, projections)

    def __repr__(self) -> str:
        return f"<IdentityMap {len(self)} entities, {len(self.changes)} pending>"


def _live(ref: Optional[_Ref]) -> Optional[Entity]:
    """The entity ``ref`` refers to, ``None`` for no reference or a dead one."""
    return ref() if ref is not None else None


def _remover(bucket: _Bucket) -> Callable[[_Ref], None]:
    """The callback of ``bucket``'s references: a dead entity's reference leaves the bucket
    (atomically, and only if it is still the one there)."""

    def remove(ref: _Ref) -> None:
        _remove_dead_weakref(bucket, ref.key)

    return remove


__all__ = ["IdentityMap", "Loader", "ResultGroup"]
