"""Entities read and write like mappings of their schema attributes (the habit of
ftrack-python-api code): ``task["name"]``, ``task.get("name")``, ``"name" in task``,
``task.keys()``, ``task.items()``, ``dict(task)``, ``task.update({...})``, plus
``entity.entity_type`` and ``entity.session``.

The rule: **asking for one attribute by name may fetch it; going over the mapping
never fetches.**

* ``task["name"]`` and ``task.get("name", default)`` read like ``task.name`` (an
  unloaded attribute is fetched, batched over its query result); ``get`` returns
  ``default`` only for a name the schema does not have.
* ``"name" in task`` says whether the type's schema has the attribute (loaded or not).
* ``keys()``, iteration, ``len()``, ``values()``, ``items()`` and ``dict(task)`` cover
  the attributes the entity holds a value for (loaded from the server, or set
  locally): nothing is sent. ``session.populate(entities, "a, b")`` loads more first.
* ``update(mapping, **values)`` assigns all of them, or none when one is refused.

Keys are the schema's (wire) names. An entity is always true, even with nothing loaded.
On the few types whose schema has an attribute named like one of these methods
(``TaskTemplate.items``, ``TypedContextList.items``, ``AssetVersionList.items``,
``CustomAttributeConfiguration.values`` and ``.entity_type``,
``CustomConfigurationBase.entity_type``, ``CustomAttributeLinkConfiguration.entity_type``)
the schema attribute keeps the name (see :data:`SCHEMA_WINS`); the type name is
``type(entity).__entity_type__`` there.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Mapping, Tuple

from ..query.paths import PSEUDO_PREFIX

#: Method names a schema attribute of the same name takes over on its type (the
#: factory's rename rule does not rename such attributes).
SCHEMA_WINS = frozenset({"keys", "items", "values", "get", "update", "entity_type", "session"})


class EntityMapping:
    """The mapping methods of :class:`~ftrack_orm.entity.base.Entity` (see the module)."""

    __slots__ = ()

    def _held(self) -> List[str]:
        """Wire names with a loaded or local value, in schema order (no fetch)."""
        values: Dict[str, Any] = self._values  # type: ignore[attr-defined]
        state = self._state  # type: ignore[attr-defined]
        local: Mapping[str, Any] = state.local if state is not None else {}
        return [name for name in self._attributes if name in values or name in local]  # type: ignore[attr-defined]

    def keys(self) -> List[str]:
        """Wire names of the attributes the entity holds a value for (loaded or set); no fetch."""
        return self._held()

    def __iter__(self) -> Iterator[str]:
        return iter(self._held())

    def __len__(self) -> int:
        return len(self._held())

    def __bool__(self) -> bool:
        return True

    def __contains__(self, name: object) -> bool:
        """True when the entity type's schema has attribute ``name`` (loaded or not)."""
        return name in self._attributes  # type: ignore[attr-defined]

    def values(self) -> List[Any]:
        """The values of :meth:`keys`, in the same order; no fetch."""
        return [self[name] for name in self._held()]  # type: ignore[index]

    def items(self) -> List[Tuple[str, Any]]:
        """``(wire name, value)`` of :meth:`keys`; no fetch."""
        return [(name, self[name]) for name in self._held()]  # type: ignore[index]

    def get(self, name: str, default: Any = None) -> Any:
        """``entity[name]`` (fetched when not loaded), or ``default`` when the schema has no ``name``
        (a server pseudo-attribute such as ``__permissions``: its answered value, if any)."""
        if name not in self._attributes:  # type: ignore[attr-defined]
            return self._values.get(name, default) if name.startswith(PSEUDO_PREFIX) else default  # type: ignore[attr-defined]
        return self[name]  # type: ignore[index]

    def update(self, values: Any = (), **more: Any) -> None:
        """Assign every ``name: value`` (a mapping or pairs, then keywords): all, or none
        when one is refused."""
        data = dict(values)
        data.update(more)
        cls = type(self)
        prepared = [(attribute, attribute.prepare(self, value))
                    for attribute, value in ((cls._attribute(name), value) for name, value in data.items())]  # type: ignore[attr-defined]
        for attribute, value in prepared:  # the same all-or-nothing as Session.update
            attribute.record(self, value)

    @property
    def entity_type(self) -> str:
        """The entity type's schema name (``"Task"``)."""
        return type(self).__entity_type__  # type: ignore[attr-defined,no-any-return]

    @property
    def session(self) -> Any:
        """The session the entity belongs to (``None`` for an identity map without one)."""
        return type(self)._map.session  # type: ignore[attr-defined]
