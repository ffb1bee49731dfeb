"""Public, read-only inspection of an entity: ``ftrack_orm.inspect(entity)``.

Code outside the entity package (the unit of work, tabular output, tools) reads
an entity's state through this view instead of its private slots. The view
holds nothing but the entity, so it never goes stale; mappings it returns are
read-only proxies of the live data (no copies).
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Dict, FrozenSet, Mapping, Tuple

from ..schema import EntitySchema
from .base import Entity
from .protocols import EntityMap

_EMPTY: Mapping[str, Any] = MappingProxyType({})

#: The lifecycle states :attr:`EntityView.state` can name.
STATES = ("new", "dirty", "deleted", "detached", "clean")


class EntityView:
    """A read-only view of one entity's state (see :func:`inspect`)."""

    __slots__ = ("entity",)

    def __init__(self, entity: Entity) -> None:
        self.entity = entity

    @property
    def state(self) -> str:
        """``"new"``, ``"dirty"``, ``"deleted"``, ``"detached"`` or ``"clean"``."""
        state = self.entity._state
        if state is None:
            return "clean"
        if state.detached:
            return "detached"
        if state.deleted:
            return "deleted"
        if state.new:
            return "new"
        return "dirty" if state.local else "clean"

    @property
    def detached_reason(self) -> str:
        """Why the entity is detached (``""`` when it is not)."""
        state = self.entity._state
        return (state.detached or "") if state is not None else ""

    @property
    def changes(self) -> Dict[str, Tuple[Any, Any]]:
        """``{wire name: (old, new)}`` of pending changes (as ``entity.changes``)."""
        return self.entity.changes

    @property
    def pending(self) -> Mapping[str, Any]:
        """Wire name -> pending local value, as recorded (a collection: the new list;
        a mapped collection: ``{key: value}`` of the changed keys). Read-only."""
        state = self.entity._state
        return _EMPTY if state is None else MappingProxyType(state.local)

    @property
    def server_values(self) -> Mapping[str, Any]:
        """Wire name -> the value the server last sent (loaded attributes only). Read-only."""
        return MappingProxyType(self.entity._values)

    @property
    def loaded(self) -> FrozenSet[str]:
        """Wire names of the attributes loaded from the server."""
        return frozenset(self.entity._values)

    @property
    def primary_key(self) -> Tuple[Any, ...]:
        """The primary-key values, in the schema's ``primary_key`` order (local values win)."""
        return self.entity._primary_key()

    @property
    def identity_key(self) -> Tuple[Any, ...]:
        """``(identity type, *primary key values)``: the entity's key in its identity map."""
        return self.identity_map.key_of(self.entity)

    @property
    def identity_map(self) -> EntityMap:
        """The identity map that owns the entity."""
        return type(self.entity)._map

    @property
    def schema(self) -> EntitySchema:
        """The entity type's schema."""
        return type(self.entity)._schema

    def value(self, name: str, default: Any = None) -> Any:
        """The current value of wire attribute ``name`` (pending, else loaded) without
        fetching; ``default`` when it is neither (a mapped collection: its loaded items)."""
        state = self.entity._state
        if state is not None and name in state.local and type(state.local[name]) is not dict:
            return state.local[name]
        return self.entity._values.get(name, default)

    def __repr__(self) -> str:
        return f"<EntityView {self.entity!r} {self.state}>"


def inspect(entity: Entity) -> EntityView:
    """A read-only view of ``entity``'s state: ``state``, ``changes``, ``pending``,
    ``loaded``, ``server_values``, ``primary_key``, ``identity_key``, ``identity_map``."""
    if not isinstance(entity, Entity):
        raise TypeError(f"inspect() takes an entity, got {type(entity).__name__} {entity!r}")
    return EntityView(entity)
