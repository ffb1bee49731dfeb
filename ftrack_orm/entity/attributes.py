"""The descriptors that expose schema attributes on entity classes.

Each descriptor carries its attribute's :class:`~ftrack_orm.kinds.Kind` (from the
one table, :data:`ftrack_orm.kinds.KINDS`), which converts and checks a value the
*user* assigns; :data:`DESCRIPTORS` names the descriptor class of each kind.
Values hydrated from the server are never converted or validated:
the decoded JSON dict is adopted as it is (the codec already turned typed values
into ``datetime``/``date``).

Every descriptor assigns in two steps: ``prepare(entity, value)`` checks and
converts (raising with entity type, attribute and what was expected) and changes
nothing; ``record(entity, prepared)`` records the local change. :func:`assign`
prepares every value of a mapping before recording any, so a bad value anywhere
records nothing.

Descriptors read ``entity._state.local`` first (unsaved local changes), then the
server values in ``entity._values``; an attribute absent from both is *not
loaded* (which is not the same as ``None``) and is fetched through the session's
loader (see :mod:`ftrack_orm.entity.loading`).
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple, Type

from ..kinds import FALLBACK, KINDS, Kind
from ..schema import AttributeSchema
from .base import Entity
from .collections import Collection, CustomAttributes, MappedCollection
from .state import DetachedEntityError, deleted_error


# --------------------------------------------------------------------------- descriptors


class Attribute:
    """Descriptor for a scalar or reference attribute of a generated entity class."""

    __slots__ = ("name", "python_name", "schema", "kind", "owner_name", "qualname")

    def __init__(self, schema: AttributeSchema, owner_name: str, python_name: str, kind: Kind) -> None:
        self.name = schema.name  # wire name: the key in payloads and _values
        self.python_name = python_name
        self.schema = schema
        self.kind = kind
        self.owner_name = owner_name
        self.qualname = f"{owner_name}.{schema.name}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.qualname} ({self.kind.name})>"

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return owner._class_attribute(self.name)
        state = instance._state
        if state is None:
            try:
                return instance._values[self.name]
            except KeyError:
                return instance._fetch(self)
        return self.raw(instance)

    def raw(self, instance: Entity) -> Any:
        """The current value: local change, else server value, else fetched."""
        state = instance._state
        if state is not None:
            if state.detached:
                raise DetachedEntityError(f"{instance!r} is detached ({state.detached})")
            local = state.local
            if self.name in local:
                return local[self.name]
        try:
            return instance._values[self.name]
        except KeyError:
            return instance._fetch(self)

    def empty(self) -> Any:
        """The value of a never-set attribute of a new entity."""
        return None

    def check_entity(self, value: Any, entity: Entity, label: str) -> None:
        """Raise unless ``value`` is an entity of this attribute's target type in ``entity``'s session."""
        if isinstance(value, Entity) and value._map is not entity._map:
            raise ValueError(f"{self.qualname}: {value!r} belongs to another session")
        target = entity._map.types[self.schema.target]  # type: ignore[index]  # relations have a target
        if not isinstance(value, target):
            raise TypeError(
                f"{self.qualname} expects {label} {self.schema.target}, "
                f"got {type(value).__name__} {value!r}"
            )

    def check_settable(self, instance: Entity) -> None:
        schema = self.schema
        if schema.computed:
            raise AttributeError(f"{self.qualname} is computed by the server and cannot be set")
        state = instance._state
        if schema.immutable and (state is None or not state.new):
            raise AttributeError(f"{self.qualname} is immutable once the entity exists")
        if state is not None and state.deleted:
            raise deleted_error(instance, self.qualname)

    def prepare(self, instance: Entity, value: Any) -> Any:
        """Check and convert ``value`` for ``instance`` (pure: changes nothing)."""
        self.check_settable(instance)
        return self.kind.convert(value, self, instance)

    def record(self, instance: Entity, prepared: Any) -> None:
        """Record what :meth:`prepare` returned as the local value."""
        instance._set_local(self.name, prepared)

    def __set__(self, instance: Entity, value: Any) -> None:
        # record(prepare(...)) written out: the hot path saves two frames. Subclasses
        # that override prepare/record use ``set_prepared`` instead.
        self.check_settable(instance)
        instance._set_local(self.name, self.kind.convert(value, self, instance))

    def set_prepared(self, instance: Entity, value: Any) -> None:
        """Assign: :meth:`prepare`, then :meth:`record`."""
        self.record(instance, self.prepare(instance, value))

    def __delete__(self, instance: Entity) -> None:
        raise AttributeError(f"{self.qualname} cannot be deleted; use revert() to drop a change")


class ReferenceAttribute(Attribute):
    """Descriptor for a reference; assigning it also sets its foreign key (``parent`` ->
    ``parent_id``) so the two never disagree in what is sent."""

    __slots__ = ("_foreign_keys",)

    def __init__(self, schema: AttributeSchema, owner_name: str, python_name: str, kind: Kind) -> None:
        super().__init__(schema, owner_name, python_name, kind)
        self._foreign_keys: Dict[type, Optional[str]] = {}  # per entity class: the settable foreign key

    def prepare(self, instance: Entity, value: Any) -> Any:
        """``(value, foreign key name or None, foreign key value)``."""
        self.check_settable(instance)
        value = self.kind.convert(value, self, instance)
        cls = type(instance)
        try:
            foreign_key = self._foreign_keys[cls]
        except KeyError:
            foreign_key = self._foreign_keys[cls] = self._foreign_key(cls)
        if foreign_key is not None:
            key = value._primary_key() if value is not None else (None,)
            if len(key) == 1:
                return value, foreign_key, key[0]
        return value, None, None

    def _foreign_key(self, cls: Type[Entity]) -> Optional[str]:
        """The name of the foreign key assigning this reference also sets (``parent`` -> ``parent_id``)."""
        foreign_key = cls._attributes.get(self.name + "_id")
        if foreign_key is not None and foreign_key.schema.foreign_key and not foreign_key.schema.immutable:
            return foreign_key.name
        return None

    def record(self, instance: Entity, prepared: Any) -> None:
        value, foreign_key, key = prepared
        instance._set_local(self.name, value)
        if foreign_key is not None:
            instance._set_local(foreign_key, key)

    __set__ = Attribute.set_prepared


class ForeignKeyAttribute(Attribute):
    """Descriptor for a foreign key; assigning it re-points its reference too
    (to the entity of that key when the session has it, else the reference change is dropped)."""

    __slots__ = ()

    def prepare(self, instance: Entity, value: Any) -> Any:
        """``(value, reference name or None, the referenced entity or None)``."""
        value = super().prepare(instance, value)
        attributes = type(instance)._attributes
        reference = attributes.get(self.name[:-3]) if self.name.endswith("_id") else None
        if reference is None or not reference.schema.is_reference:
            return value, None, None
        target = (
            instance._map.get(reference.schema.target, value)  # type: ignore[arg-type]  # references have a target
            if value is not None else None
        )
        if target is instance:
            raise ValueError(f"{self.qualname}: {instance!r} cannot reference itself")
        return value, reference.name, target

    def record(self, instance: Entity, prepared: Any) -> None:
        value, reference, target = prepared
        instance._set_local(self.name, value)
        if reference is None:
            return
        if target is not None or value is None:
            instance._set_local(reference, target)
        else:  # the session does not have that entity: drop a pending reference change
            instance._drop_local(reference)

    __set__ = Attribute.set_prepared


class CollectionAttribute(Attribute):
    """Descriptor for a collection: reads return a tracked :class:`Collection` view."""

    __slots__ = ()

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return owner._class_attribute(self.name)
        self.raw(instance)  # load now, so errors surface at the attribute access
        return Collection(instance, self)

    def empty(self) -> Any:
        return []


class MappedCollectionAttribute(Attribute):
    """Descriptor for a mapped collection (``metadata``, ``custom_attributes``).

    The server value is the list of item entities; local changes are key -> value
    and live in ``state.local[name]`` (see :mod:`ftrack_orm.entity.collections`).
    """

    __slots__ = ()

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return owner._class_attribute(self.name)
        self.items(instance)
        return MAPPED_VIEWS.get(self.name, MappedCollection)(instance, self)

    def items(self, instance: Entity) -> Any:
        """The item entities (server value), fetched if needed; never the local changes."""
        state = instance._state
        if state is not None and state.detached:
            raise DetachedEntityError(f"{instance!r} is detached ({state.detached})")
        try:
            return instance._values[self.name]
        except KeyError:
            return instance._fetch(self)

    raw = items

    def empty(self) -> Any:
        return []

    def prepare(self, instance: Entity, value: Any) -> Any:
        """``(view, [(key, prepared value), ...])``: every key checked before any is recorded."""
        if not hasattr(value, "items"):
            raise self.kind.fail(value, self)
        view = self.__get__(instance, type(instance))
        return view, [(key, view.prepare(key, item)) for key, item in value.items()]

    def record(self, instance: Entity, prepared: Any) -> None:
        view, items = prepared
        for key, item in items:
            view.record(key, item)

    __set__ = Attribute.set_prepared


class AbsentAttribute:
    """Placed on a subclass for a supertype attribute its own schema lacks."""

    __slots__ = ("qualname",)

    def __init__(self, qualname: str) -> None:
        self.qualname = qualname

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        raise AttributeError(f"{self.qualname} does not exist on this subtype")

    def prepare(self, instance: Any, value: Any) -> Any:
        raise AttributeError(f"{self.qualname} does not exist on this subtype")

    __set__ = prepare


#: Mapped-collection attribute name -> view class (custom attributes convert per configuration).
MAPPED_VIEWS: Dict[str, Type[MappedCollection]] = {"custom_attributes": CustomAttributes}

#: Schema attribute kind -> descriptor class (every other kind: :class:`Attribute`).
DESCRIPTORS: Dict[str, Type[Attribute]] = {
    "reference": ReferenceAttribute,
    "collection": CollectionAttribute,
    "mapped_collection": MappedCollectionAttribute,
}


def make_attribute(schema: AttributeSchema, owner_name: str, python_name: str) -> Attribute:
    """Build the descriptor for one schema attribute (its kind from :data:`~ftrack_orm.kinds.KINDS`)."""
    kind = KINDS.get(schema.kind, FALLBACK)
    descriptor = DESCRIPTORS.get(kind.name, Attribute)
    if schema.foreign_key and descriptor is Attribute:
        descriptor = ForeignKeyAttribute
    return descriptor(schema, owner_name, python_name, kind)


def assign(entity: Entity, data: Mapping[str, Any]) -> None:
    """Set every wire attribute of ``data`` on ``entity``, all or nothing: every value
    is prepared (checked and converted) before any is recorded."""
    cls = type(entity)
    attributes = cls._attributes
    prepared: List[Tuple[Any, Any]] = []
    for name, value in data.items():
        attribute = attributes.get(name) or cls._attribute(name)  # the latter raises, with did-you-mean
        prepared.append((attribute, attribute.prepare(entity, value)))
    for attribute, value in prepared:
        attribute.record(entity, value)
