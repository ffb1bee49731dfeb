"""Schema -> Python class, one class per entity type, generated on first use.

Class layout
    ``Shot`` -> ``TypedContext`` -> ``Context`` -> :class:`~ftrack_orm.entity.base.Entity`
    (the schema registry's subtype graph), so ``isinstance(shot, types["Context"])``
    holds. Every class has ``__slots__ = ()``: instances carry only the three
    ``Entity`` slots. Each class gets its own descriptors for all of its schema's
    attributes (a subtype may differ, e.g. ``Shot.bid`` is immutable while
    ``Task.bid`` is not); a supertype attribute missing from a subtype's schema is
    blocked with an ``AbsentAttribute``.

Rename rule (published)
    A schema attribute keeps its name as the Python attribute name, unless that
    name is a Python keyword (``keyword.kwlist``) or a name the ``Entity`` base
    class defines (``dir(Entity)``: ``changes``, ``is_dirty``, ``revert``,
    ``to_dict``, ``_values``, ... but not the mapping names of
    :data:`~ftrack_orm.entity.mapping.SCHEMA_WINS`, which the attribute takes over);
    then a trailing underscore is appended, as many
    times as needed: ``TypedContextLink.from`` -> ``from_``. Characters not valid
    in identifiers become ``_``. The wire name is unchanged: ``link["from"]``,
    ``to_dict()``, ``changes`` and payloads use it.

Why descriptors rather than ``attrs`` classes
    ``attrs`` (slots + ``on_setattr``) was considered and rejected for entities:

    * "not loaded" must differ from ``None``, and a read of an unloaded attribute
      must fetch it. attrs slots would need a sentinel per attribute or
      ``__getattr__`` fallbacks on every miss;
    * hydration must cost no per-attribute Python work: we ADOPT the decoded JSON
      dict as the entity's server values (zero copies). attrs would need one
      ``setattr`` per attribute per entity (its ``on_setattr`` hooks would also
      fire on hydration unless bypassed);
    * memory: a ``Task`` has 50 schema attributes; 50 slots cost 400+ bytes per
      instance even when 12 are loaded, the adopted dict holds just the loaded ones;
    * generating 116 attrs classes (code generation through ``exec``) is far
      slower than ``type()`` with prebuilt descriptors.

    So each attribute is a small descriptor (:mod:`ftrack_orm.entity.attributes`)
    doing conversion, validation and change recording on user assignment only.
    ``attrs`` is still used for the small value records (configurations,
    ``MappedChange``).
"""
from __future__ import annotations

import keyword
import re
import threading
from collections.abc import Mapping
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Type, cast

from ..schema import SchemaRegistry, UnknownEntityTypeError
from .attributes import AbsentAttribute, make_attribute
from .base import Entity
from .loading import query_class
from .mapping import SCHEMA_WINS
from .mixins import check_mixin, mixins_for
from .protocols import EntityMap

#: Names a schema attribute cannot use as is (see the rename rule).
RESERVED = frozenset(keyword.kwlist) | (frozenset(dir(Entity)) - SCHEMA_WINS)

_INVALID = re.compile(r"\W")


def python_name(name: str) -> str:
    """The Python attribute name of schema attribute ``name`` (the rename rule)."""
    result = _INVALID.sub("_", name)
    if not result or result[0].isdigit():
        result = "_" + result
    while result in RESERVED:
        result += "_"
    return result


class TypeRegistry(Mapping[str, Type[Entity]]):
    """Entity classes of one identity map (session): ``types["Task"]``, ``types.Task``.

    Classes are generated on first access (with their supertypes); ``build_all()``
    generates all of them. ``mixins``: entity type -> classes placed before the
    supertype in the bases (after those of :func:`~ftrack_orm.entity.mixins.register_mixin`).
    """

    def __init__(
        self, schemas: SchemaRegistry, identity_map: EntityMap,
        mixins: Optional[Mapping[str, Sequence[type]]] = None,
    ) -> None:
        self._schemas = schemas
        self._map = identity_map
        self._mixins = {name: tuple(classes) for name, classes in (mixins or {}).items()}
        self._classes: Dict[str, Type[Entity]] = {}
        self._query_classes: Dict[Tuple[type, str], type] = {}
        self._lock = threading.RLock()

    def __getitem__(self, name: str) -> Type[Entity]:
        cls = self._classes.get(name)
        if cls is None:
            with self._lock:
                cls = self._classes.get(name)
                if cls is None:
                    cls = self._build(name)
        return cls

    def __getattr__(self, name: str) -> Type[Entity]:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except UnknownEntityTypeError as error:
            raise AttributeError(str(error)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._schemas)

    def __len__(self) -> int:
        return len(self._schemas)

    def __contains__(self, name: object) -> bool:
        return name in self._schemas

    def __dir__(self) -> List[str]:
        return sorted(set(self._schemas) | set(super().__dir__()))

    def query_class(self, cls: type, name: str) -> type:
        """The most general class in ``cls``'s chain whose schema has attribute ``name``
        (the type a lazy load of ``name`` queries), cached."""
        found = self._query_classes.get((cls, name))
        if found is None:
            found = self._query_classes[(cls, name)] = query_class(cls, name)
        return found

    def build_all(self) -> None:
        """Generate every class now."""
        for name in self._schemas:
            self[name]

    def _build(self, name: str) -> Type[Entity]:
        schema = self._schemas[name]  # UnknownEntityTypeError with did-you-mean
        parent = self._schemas.supertypes.get(name)
        base: Type[Entity] = self[parent] if parent else Entity
        namespace: Dict[str, Any] = {
            "__slots__": (),
            "__module__": "ftrack_orm.entity.types",
            "__qualname__": name,
            "__doc__": f"ftrack entity type {name!r} (generated from the server schema).",
            "__entity_type__": name,
            "_schema": schema,
        }
        attributes = {}
        for attribute in schema.attributes.values():
            descriptor = make_attribute(attribute, name, python_name(attribute.name))
            namespace[descriptor.python_name] = descriptor
            attributes[attribute.name] = descriptor
        for inherited in getattr(base, "_attributes", {}).values():
            if inherited.name not in attributes:
                namespace[inherited.python_name] = AbsentAttribute(f"{name}.{inherited.name}")
        namespace["_attributes"] = attributes
        namespace["_settable"] = {}
        if base is Entity:
            namespace["_map"] = self._map
        mixins = mixins_for(name, self._mixins)
        if mixins:
            taken = {d.python_name: d.name for d in attributes.values()}
            for mixin in mixins:
                check_mixin(name, mixin, taken)
        # type() builds a subclass of ``base``: an entity class (once per entity type)
        cls = cast(Type[Entity], type(_class_name(name), (*mixins, base), namespace))
        self._classes[name] = cls
        return cls

    def __repr__(self) -> str:
        return f"<TypeRegistry {len(self._classes)}/{len(self._schemas)} classes generated>"


def _class_name(name: str) -> str:
    return name if name.isidentifier() and not keyword.iskeyword(name) else python_name(name)

