"""The :class:`Entity` base class of every generated entity class.

An entity instance has three slots and nothing else:

* ``_values``: the server values, a dict adopted from the decoded JSON (wire
  attribute names; an absent key means *not loaded*, not ``None``);
* ``_state``: ``None`` until something happens to the entity, then an
  :class:`~ftrack_orm.entity.state.EntityState` (local changes, first originals,
  new/deleted/detached flags);
* ``_group``: the :class:`~ftrack_orm.entity.loading.ResultGroup` (query result)
  it was last decoded in, used to batch lazy loads.

Entities are weakly referenceable: the identity map holds clean ones weakly.

Class attributes set by the factory: ``__entity_type__`` (schema name), ``_schema``
(:class:`EntitySchema`), ``_attributes`` (wire name -> descriptor), ``_map`` (the
owning identity map, seen through the :class:`~ftrack_orm.entity.protocols.EntityMap`
protocol).

Public API on instances (kept small: these names are reserved, see the factory's
rename rule): ``is_dirty``, ``changes``, ``revert()``, ``to_dict()``, plus item
access by wire name (``task["name"]``), the mapping methods of
:class:`~ftrack_orm.entity.mapping.EntityMapping`, ``repr``/``dir``/``_repr_html_``.
"""
from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional, Tuple, Type, Union

from ..didyoumean import no_attribute, no_member
from ..query.paths import PSEUDO_PREFIX
from ..schema import AttributeSchema, EntitySchema
from .loading import ResultGroup, fetch
from .mapping import EntityMapping
from .protocols import Descriptor, EntityMap
from .state import MISSING, NOT_LOADED, DetachedEntityError, EntityState, deleted_error, same_value


class EntityMeta(type):
    """Metaclass of entity classes: an unknown class attribute (``Task.nmae``) fails
    at once with a did-you-mean, through the same hook as known ones."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return cls._class_attribute(name)


class Entity(EntityMapping, metaclass=EntityMeta):
    """Base of all generated entity classes (``session.types["Task"]`` etc.).

    ``session.Task(name="x", parent=shot)`` is a shortcut for
    ``session.create("Task", {...})``.
    """

    __slots__ = ("_values", "_state", "_group", "__weakref__")
    _values: Dict[str, Any]
    _state: Optional[EntityState]
    _group: Optional[ResultGroup]

    __entity_type__: ClassVar[str] = "Entity"
    _schema: ClassVar[EntitySchema]
    _attributes: ClassVar[Dict[str, Descriptor]] = {}
    _map: ClassVar[EntityMap]
    #: Python name -> whether assigning it is allowed (a data descriptor); each generated class has its own.
    _settable: ClassVar[Dict[str, bool]] = {}

    def __new__(cls, data: Any = None, **values: Any) -> Any:
        merged = dict(data or {})
        merged.update(values)
        return cls._map.create(cls.__entity_type__, merged)

    def __init__(self, data: Any = None, **values: Any) -> None:
        pass  # everything happened in __new__ (the identity map's create)

    # ------------------------------------------------------------------ class level
    @classmethod
    def _class_attribute(cls, name: str) -> Any:
        """What ``Task.name`` (class-level access) returns: a schema-checked query path."""
        from ..query.builder import AttributePath

        return AttributePath(cls._map.schemas, cls.__entity_type__).attr(name)

    @classmethod
    def _attribute(cls, name: str) -> Descriptor:
        """The descriptor for wire name ``name``; ``AttributeError`` with did-you-mean."""
        try:
            return cls._attributes[name]
        except KeyError:
            raise AttributeError(no_attribute(cls.__entity_type__, name, cls._attributes)) from None

    @classmethod
    def _unknown(cls, name: str) -> AttributeError:
        """The error for a Python attribute name the schema does not have (did-you-mean:
        a method-like name is matched against methods only)."""
        attributes = [d.python_name for d in cls._attributes.values()]
        methods = [n for n in dir(cls) if not n.startswith("_") and n not in attributes and callable(getattr(cls, n, None))]
        return AttributeError(no_member(cls.__entity_type__, name, attributes, methods))

    # ------------------------------------------------------------------ access
    def __getattr__(self, name: str) -> Any:
        # Only reached for names no descriptor/slot knows: unknown attributes.
        if name.startswith("__"):
            raise AttributeError(name)
        raise type(self)._unknown(name)

    def __setattr__(self, name: str, value: Any) -> None:
        # Descriptors (schema attributes) and slots are data descriptors on the class;
        # anything else is an unknown attribute.
        # Whether ``name`` is one is cached per generated class (no MRO walk per assignment).
        cls = type(self)
        settable = cls._settable
        known = settable.get(name)
        if known is None:
            descriptor = None
            for klass in cls.__mro__:
                descriptor = klass.__dict__.get(name)
                if descriptor is not None:
                    break
            known = descriptor is not None and hasattr(descriptor, "__set__")
            if cls.__dict__.get("_settable") is settable:  # the class's own cache, not a base's
                settable[name] = known
        if not known:
            raise cls._unknown(name)
        object.__setattr__(self, name, value)

    def __getitem__(self, name: str) -> Any:
        descriptor = type(self)._attributes.get(name)
        if descriptor is None:
            return self._pseudo_attribute(name)
        return descriptor.__get__(self, type(self))

    def _pseudo_attribute(self, name: str) -> Any:
        """The value of server pseudo-attribute ``name`` (``__permissions``) as the server
        answered it to a ``select``, kept as it came; any other unknown name raises
        ``AttributeError`` with a did-you-mean."""
        if name.startswith(PSEUDO_PREFIX) and name in self._values:
            return self._values[name]
        raise AttributeError(no_attribute(type(self).__entity_type__, name, type(self)._attributes))

    def __setitem__(self, name: str, value: Any) -> None:
        self._attribute(name).__set__(self, value)

    def _current_value(self, name: str) -> Any:
        """Local or loaded value of wire attribute ``name`` without fetching; ``None`` if absent."""
        state = self._state
        if state is not None and name in state.local and type(state.local[name]) is not dict:
            return state.local[name]
        return self._values.get(name)

    def _is_loaded(self, name: str) -> bool:
        return name in self._values

    def _fetch(self, attribute: Descriptor) -> Any:
        return fetch(self, attribute)

    # ------------------------------------------------------------------ change recording
    def _ensure_state(self) -> EntityState:
        state = self._state
        if state is None:
            state = EntityState()
            object.__setattr__(self, "_state", state)
        elif state.detached:
            raise DetachedEntityError(f"{self!r} is detached ({state.detached})")
        return state

    def _set_local(self, name: str, value: Any) -> None:
        """Record a user assignment (already validated). Never called on hydration."""
        state = self._state
        if state is None or state.detached:
            state = self._ensure_state()
        local, originals = state.local, state.originals
        if state.new:  # no sync: a new entity stays in the "new" set (Lifecycle.create syncs it once)
            if name not in originals:
                originals[name] = self._values.get(name, NOT_LOADED)
            local[name] = value
            return
        if name in originals:
            original = originals[name]
        else:
            original = self._values.get(name, NOT_LOADED)
        if same_value(original, value):
            local.pop(name, None)
            originals.pop(name, None)
        else:
            originals.setdefault(name, original)
            local[name] = value
        self._map.changes.sync(self)

    def _drop_local(self, name: str) -> None:
        """Forget the pending change of ``name``, if any."""
        state = self._state
        if state is not None and name in state.local:
            state.local.pop(name)
            state.originals.pop(name, None)
            self._map.changes.sync(self)

    def _set_mapped(self, name: str, key: Any, value: Any, original: Any) -> None:
        """Record ``self.<name>[key] = value`` (``MISSING`` deletes the key)."""
        state = self._ensure_state()
        if state.deleted:
            raise deleted_error(self, f"{self.__entity_type__}.{name}")
        pending = state.local.setdefault(name, {})
        firsts = state.originals.setdefault(name, {})
        first = firsts.setdefault(key, original)
        if same_value(first, value) or (first is MISSING and value is MISSING):
            pending.pop(key, None)
            firsts.pop(key, None)
            if not pending:
                state.local.pop(name, None)
                state.originals.pop(name, None)
        else:
            pending[key] = value
        self._map.changes.sync(self)

    # ------------------------------------------------------------------ public API
    @property
    def is_dirty(self) -> bool:
        """True when the entity has unsaved changes (new, deleted, or changed attributes)."""
        state = self._state
        return state is not None and not state.detached and bool(state.local or state.new or state.deleted)

    @property
    def changes(self) -> Dict[str, Tuple[Any, Any]]:
        """``{wire name: (old, new)}`` of unsaved changes.

        ``old`` is the first original (``NOT_LOADED`` when never loaded, e.g. every
        attribute of a new entity). Collections give lists; mapped collections give
        dicts of the changed keys only (``MISSING`` = key absent).
        """
        state = self._state
        if state is None:
            return {}
        result: Dict[str, Tuple[Any, Any]] = {}
        for name, value in state.local.items():
            original = state.originals.get(name, NOT_LOADED)
            if type(value) is dict and type(original) is dict:  # mapped collection
                result[name] = (dict(original), dict(value))
            else:
                result[name] = (original, list(value) if type(value) is list else value)
        return result

    def revert(self, *names: str) -> None:
        """Drop unsaved changes of ``names`` (wire names; all when none given).

        A pending deletion is cancelled too when reverting everything. New entities
        cannot be reverted (roll the session back or delete them instead).
        """
        for name in names:
            self._attribute(name)
        state = self._state
        if state is None:
            return
        if state.new:
            raise TypeError(f"{self!r} is new: nothing to revert to (delete it or roll back)")
        for name in names or list(state.local):
            state.local.pop(name, None)
            state.originals.pop(name, None)
        if not names:
            state.deleted = False
        self._map.changes.sync(self)
        if state.is_pristine:
            object.__setattr__(self, "_state", None)

    def _primary_key(self) -> Tuple[Any, ...]:
        schema = self._schema
        single = schema.single_key
        if single is None or not schema.primary_key:
            return tuple([self._current_value(name) for name in schema.primary_key])
        state = self._state  # _current_value inlined: this runs several times per new entity
        if state is not None:
            local = state.local
            if single in local and type(local[single]) is not dict:
                return (local[single],)
        return (self._values.get(single),)

    def _ftrack_reference(self) -> Dict[str, Any]:
        """``{"__entity_type__": T, <primary key>}``: how the codec sends this entity."""
        reference = {"__entity_type__": self.__entity_type__}
        for name in self._schema.primary_key:
            reference[name] = self._current_value(name)
        return reference

    def to_dict(self) -> Dict[str, Any]:
        """Loaded and locally set values by wire name, without fetching anything.

        References become reference dicts, collections lists of them, mapped
        collections ``{key: value}``.
        """
        result: Dict[str, Any] = {"__entity_type__": self.__entity_type__}
        state = self._state
        local = state.local if state is not None else {}
        for name, attribute in self._attributes.items():
            if name not in self._values and name not in local:
                continue
            if attribute.schema.kind == "mapped_collection":
                result[name] = dict(attribute.__get__(self, type(self)).items())
                continue
            value = local[name] if name in local else self._values[name]
            result[name] = _plain(value)
        return result

    # ------------------------------------------------------------------ notebook
    def __repr__(self) -> str:
        values = self._values
        state = self._state
        label = values.get("name")
        if state is not None and "name" in state.local:
            label = state.local["name"]
        parts = [self.__entity_type__]
        if isinstance(label, str):
            parts.append(repr(label))
        for name in self._schema.primary_key:
            parts.append(_short(self._current_value(name)))
        if state is not None:
            if state.detached:
                parts.append(f"(detached: {state.detached})")
            elif state.new:
                parts.append("(new)")
            elif state.deleted:
                parts.append("(deleted)")
        return "<" + " ".join(parts) + ">"

    def __dir__(self) -> List[str]:
        names = {d.python_name for d in self._attributes.values()}
        names.update(("is_dirty", "changes", "revert", "to_dict"))
        names.update(name for name in dir(type(self)) if not name.startswith("_"))
        return sorted(names)

    def _ipython_key_completions_(self) -> List[str]:
        """Completion of ``task["<TAB>``: the schema (wire) attribute names."""
        return sorted(self._attributes)

    def _repr_html_(self) -> str:
        from .notebook import entity_html

        plain = self.to_dict()  # what is loaded (mapped collections as dicts)
        attributes = self._attributes
        values = [(name, value if attributes[name].schema.kind == "mapped_collection" else self._current_value(name))
                  for name, value in plain.items() if name != "__entity_type__"]
        return entity_html(self, values)


def _short(value: Any) -> str:
    if isinstance(value, str) and len(value) > 8:
        return value[:4] + "\u2026"
    return repr(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Entity):
        return value._ftrack_reference()
    if type(value) is list:
        return [_plain(v) for v in value]
    return value


def attribute_schema(entity_or_class: Union[Entity, Type[Entity]], name: str) -> AttributeSchema:
    """The :class:`AttributeSchema` of wire attribute ``name`` (did-you-mean on error)."""
    cls = entity_or_class if isinstance(entity_or_class, type) else type(entity_or_class)
    return cls._attribute(name).schema
