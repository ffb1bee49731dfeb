"""Attribute kinds (conversion and validation) and the descriptors that carry them.

One TABLE, :data:`KINDS`, maps every schema attribute kind (``AttributeSchema.kind``)
to an :class:`AttributeKind` object. The kind converts and checks a value the
*user* assigns, and names the descriptor class that exposes the attribute on the
entity class. Values hydrated from the server are never converted or validated:
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

import datetime as _dt
from typing import Any, Dict, Iterable, List, Mapping, Tuple, Type

from ..schema import AttributeSchema
from .base import Entity
from .collections import Collection, CustomAttributes, MappedCollection
from .state import DetachedEntityError

UTC = _dt.timezone.utc


class AttributeKind:
    """Conversion and validation of one kind of value, on user assignment only."""

    label = "any value"

    def __init__(self, name: str) -> None:
        self.name = name

    def convert(self, value: Any, attribute: Attribute, entity: Entity) -> Any:
        """Return the value to store, or raise ``TypeError`` naming the attribute."""
        return value

    def fail(self, value: Any, attribute: Attribute) -> TypeError:
        return TypeError(
            f"{attribute.qualname} expects {self.label}, got {type(value).__name__} {value!r}"
        )


class StringKind(AttributeKind):
    label = "a string"

    def convert(self, value: Any, attribute: Attribute, entity: Entity) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(value, attribute)
        enum = attribute.schema.enum
        if enum is not None and value not in enum:
            raise ValueError(f"{attribute.qualname} must be one of {list(enum)}, got {value!r}")
        return value


class IntegerKind(AttributeKind):
    label = "an integer"

    def convert(self, value: Any, attribute: Attribute, entity: Entity) -> Any:
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise self.fail(value, attribute)


class NumberKind(AttributeKind):
    label = "a number"

    def convert(self, value: Any, attribute: Attribute, entity: Entity) -> Any:
        if value is None or type(value) is float:
            return value
        if isinstance(value, bool):
            raise self.fail(value, attribute)
        if isinstance(value, int):
            converted = float(value)
            if int(converted) != value:  # not lossless (beyond 2**53)
                raise TypeError(f"{attribute.qualname}: {value!r} cannot be stored as a number without loss")
            return converted
        if isinstance(value, float):
            return float(value)
        raise self.fail(value, attribute)


class BooleanKind(AttributeKind):
    label = "a boolean"

    def convert(self, value: Any, attribute: Attribute, entity: Entity) -> Any:
        if value is None or isinstance(value, bool):
            return value
        raise self.fail(value, attribute)


class DatetimeKind(AttributeKind):
    """``datetime`` values, stored aware in UTC (a naive value is taken to be UTC)."""

    label = "a datetime"

    def convert(self, value: Any, attribute: Attribute, entity: Entity) -> Any:
        if value is None:
            return None
        if not isinstance(value, _dt.datetime):
            raise self.fail(value, attribute)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class DateKind(AttributeKind):
    label = "a date"

    def convert(self, value: Any, attribute: Attribute, entity: Entity) -> Any:
        if value is None or (isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)):
            return value
        raise self.fail(value, attribute)


class JsonKind(AttributeKind):
    """``object``/``variable``/``json``: any JSON value (checked for JSON types only)."""

    label = "a JSON value"
    _types: Tuple[type, ...] = (str, int, float, bool, list, dict, tuple, _dt.date)

    def convert(self, value: Any, attribute: Attribute, entity: Entity) -> Any:
        if value is None or isinstance(value, self._types):
            return value
        raise self.fail(value, attribute)


def _check_entity(value: Any, attribute: Attribute, entity: Entity, label: str) -> None:
    if isinstance(value, Entity) and value._map is not entity._map:
        raise ValueError(f"{attribute.qualname}: {value!r} belongs to another session")
    target = entity._map.types[attribute.schema.target]
    if not isinstance(value, target):
        raise TypeError(
            f"{attribute.qualname} expects {label} {attribute.schema.target}, "
            f"got {type(value).__name__} {value!r}"
        )


class ReferenceKind(AttributeKind):
    label = "an entity"

    def convert(self, value: Any, attribute: Attribute, entity: Entity) -> Any:
        if value is not None:
            _check_entity(value, attribute, entity, "a")
        return value


class CollectionKind(AttributeKind):
    label = "a list of entities"

    def convert(self, value: Any, attribute: Attribute, entity: Entity) -> Any:
        if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable):
            raise self.fail(value, attribute)
        items = list(value)
        seen = set()
        for item in items:
            _check_entity(item, attribute, entity, "items of type")
            if id(item) in seen:
                raise ValueError(f"{attribute.qualname}: {item!r} appears twice")
            seen.add(id(item))
        return items


class MappedCollectionKind(AttributeKind):
    label = "a mapping"


# --------------------------------------------------------------------------- descriptors


class Attribute:
    """Descriptor for a scalar or reference attribute of a generated entity class."""

    __slots__ = ("name", "python_name", "schema", "kind", "owner_name", "qualname")

    def __init__(self, schema: AttributeSchema, owner_name: str, python_name: str, kind: AttributeKind) -> None:
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

    def check_settable(self, instance: Entity) -> None:
        schema = self.schema
        if schema.computed:
            raise AttributeError(f"{self.qualname} is computed by the server and cannot be set")
        if schema.immutable:
            state = instance._state
            if state is None or not state.new:
                raise AttributeError(f"{self.qualname} is immutable once the entity exists")

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

    __slots__ = ()

    def prepare(self, instance: Entity, value: Any) -> Any:
        """``(value, foreign key name or None, foreign key value)``."""
        value = super().prepare(instance, value)
        foreign_key = type(instance)._attributes.get(self.name + "_id")
        if foreign_key is not None and foreign_key.schema.foreign_key and not foreign_key.schema.immutable:
            key = value._primary_key() if value is not None else (None,)
            if len(key) == 1:
                return value, foreign_key.name, key[0]
        return value, None, None

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
        if reference is None or reference.schema.kind != "reference":
            return value, None, None
        target = instance._map.get(reference.schema.target, value) if value is not None else None
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

#: Schema attribute kind -> (kind object, descriptor class). THE table; no if/elif on kinds.
KINDS: Dict[str, Tuple[AttributeKind, Type[Attribute]]] = {
    "string": (StringKind("string"), Attribute),
    "integer": (IntegerKind("integer"), Attribute),
    "number": (NumberKind("number"), Attribute),
    "boolean": (BooleanKind("boolean"), Attribute),
    "datetime": (DatetimeKind("datetime"), Attribute),
    "date": (DateKind("date"), Attribute),
    "json": (JsonKind("json"), Attribute),
    "object": (JsonKind("object"), Attribute),
    "variable": (JsonKind("variable"), Attribute),
    "reference": (ReferenceKind("reference"), ReferenceAttribute),
    "collection": (CollectionKind("collection"), CollectionAttribute),
    "mapped_collection": (MappedCollectionKind("mapped_collection"), MappedCollectionAttribute),
}


def make_attribute(schema: AttributeSchema, owner_name: str, python_name: str) -> Attribute:
    """Build the descriptor for one schema attribute through :data:`KINDS`."""
    kind, descriptor = KINDS.get(schema.kind, KINDS["variable"])
    if schema.foreign_key and descriptor is Attribute:
        descriptor = ForeignKeyAttribute
    return descriptor(schema, owner_name, python_name, kind)


def assign(entity: Entity, data: Mapping[str, Any]) -> None:
    """Set every wire attribute of ``data`` on ``entity``, all or nothing: every value
    is prepared (checked and converted) before any is recorded."""
    cls = type(entity)
    prepared: List[Tuple[Any, Any]] = []
    for name, value in data.items():
        attribute = cls._attribute(name)
        prepared.append((attribute, attribute.prepare(entity, value)))
    for attribute, value in prepared:
        attribute.record(entity, value)
