"""Tracked collection views: collections (lists of entities) and mapped collections.

Views hold no data of their own: every operation reads the entity's current value
(local change, else server value) and writes a change into the entity's state.
So a view never goes stale when the server refreshes the entity, and creating one
costs nothing.

* :class:`Collection` (``shot.children``): a mutable sequence of entities.
  ``append``/``remove``/``insert``/slice assignment copy the list on the first
  change and record it as the attribute's local value (``changes`` shows
  ``(old list, new list)``; :func:`collection_diff` gives added/removed items).
* :class:`MappedCollection` (``task.metadata``): a mutable mapping key -> value
  over the item entities; setting or deleting a key records ``key -> value``
  (``MISSING`` for a deleted key) in ``state.local[name]``.
* :class:`CustomAttributes` (``task.custom_attributes``): a mapped collection that
  converts values per the custom attribute configuration's type.
"""
from __future__ import annotations

from collections.abc import MutableMapping, MutableSequence
from typing import Any, Dict, Iterator, List, Tuple

from ..didyoumean import no_key
from .protocols import Descriptor
from .state import MISSING

#: An entity (its class is defined above this module, in :mod:`ftrack_orm.entity.base`).
Entity = Any


class Collection(MutableSequence[Any]):
    """A list-like, change-tracked view of a collection attribute."""

    __slots__ = ("_entity", "_attribute")

    def __init__(self, entity: Entity, attribute: Descriptor) -> None:
        self._entity = entity
        self._attribute = attribute

    def _items(self) -> List[Any]:
        items: List[Any] = self._attribute.raw(self._entity)
        return items

    def _write(self, items: List[Any]) -> None:
        attribute, entity = self._attribute, self._entity
        attribute.record(entity, attribute.prepare(entity, items))

    def __len__(self) -> int:
        return len(self._items())

    def _repr_html_(self) -> str:
        from .notebook import collection_html

        return collection_html(f"{self._entity!r}.{self._attribute.schema.name}", list(self._items()))

    def __getitem__(self, index: Any) -> Any:
        return self._items()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._items()))

    def __contains__(self, value: object) -> bool:
        return any(item is value for item in self._items())

    def __setitem__(self, index: Any, value: Any) -> None:
        items = list(self._items())
        items[index] = value
        self._write(items)

    def __delitem__(self, index: Any) -> None:
        items = list(self._items())
        del items[index]
        self._write(items)

    def insert(self, index: int, value: Any) -> None:
        items = list(self._items())
        items.insert(index, value)
        self._write(items)

    def append(self, value: Any) -> None:
        items = list(self._items())
        items.append(value)
        self._write(items)

    def remove(self, value: Any) -> None:
        items = list(self._items())
        for index, item in enumerate(items):
            if item is value:
                del items[index]
                self._write(items)
                return
        raise ValueError(f"{value!r} is not in {self._attribute.qualname}")

    def index(self, value: Any, start: int = 0, stop: Any = None) -> int:
        items = self._items()
        for index in range(start, len(items) if stop is None else stop):
            if items[index] is value:
                return index
        raise ValueError(f"{value!r} is not in {self._attribute.qualname}")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Collection):
            other = other._items()
        return isinstance(other, list) and len(other) == len(self._items()) and all(
            a is b for a, b in zip(self._items(), other)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Collection({self._items()!r})"


def collection_diff(old: Any, new: List[Any]) -> Tuple[List[Any], List[Any]]:
    """``(added, removed)`` items between two collection values (by identity)."""
    old_items = old if isinstance(old, list) else []
    old_ids = {id(item) for item in old_items}
    new_ids = {id(item) for item in new}
    return [i for i in new if id(i) not in old_ids], [i for i in old_items if id(i) not in new_ids]


class MappedCollection(MutableMapping[Any, Any]):
    """A key -> value view of a mapped collection (e.g. ``metadata``), change-tracked."""

    __slots__ = ("_entity", "_attribute")

    def __init__(self, entity: Entity, attribute: Descriptor) -> None:
        self._entity = entity
        self._attribute = attribute

    def _ipython_key_completions_(self) -> List[str]:
        """Completion of ``shot.metadata["<TAB>``: the keys (string keys only)."""
        return [key for key in self if isinstance(key, str)]

    # -- reading
    def item_entities(self) -> Dict[Any, Any]:
        """The loaded item entities by key (no local changes)."""
        key_name = self._attribute.schema.key_attribute or "key"
        return {item[key_name]: item for item in self._attribute.raw(self._entity)}

    def _pending(self) -> Dict[Any, Any]:
        state = self._entity._state
        if state is None:
            return {}
        pending: Dict[Any, Any] = state.local.get(self._attribute.name, {})
        return pending

    def _server_value(self, item: Any) -> Any:
        return item[self._attribute.schema.value_attribute or "value"]

    def __getitem__(self, key: Any) -> Any:
        pending = self._pending()
        if key in pending:
            value = pending[key]
            if value is MISSING:
                raise KeyError(key)
            return value
        item = self.item_entities().get(key)
        if item is None:
            return self._missing(key)
        return self._server_value(item)

    def _missing(self, key: Any) -> Any:
        raise KeyError(key)

    def _keys(self) -> List[Any]:
        keys = dict.fromkeys(self.item_entities())
        for key, value in self._pending().items():
            if value is MISSING:
                keys.pop(key, None)
            else:
                keys[key] = None
        return list(keys)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def __contains__(self, key: object) -> bool:
        return key in self._keys()

    # -- writing: prepare (pure: check and convert) then record
    def prepare(self, key: Any, value: Any) -> Any:
        """Check and convert one value before it is recorded (subclasses convert by
        type); raises naming the attribute and key, changes nothing."""
        if not isinstance(key, str):
            raise TypeError(f"{self._attribute.qualname} keys are strings, got {key!r}")
        return value

    def record(self, key: Any, prepared: Any) -> None:
        """Record ``self[key] = prepared`` (a value :meth:`prepare` returned)."""
        self._entity._set_mapped(self._attribute.name, key, prepared, self._original(key))

    def _current(self, key: Any) -> Any:
        pending = self._pending()
        if key in pending:
            return pending[key]
        item = self.item_entities().get(key)
        return MISSING if item is None else self._server_value(item)

    def __setitem__(self, key: Any, value: Any) -> None:
        self.record(key, self.prepare(key, value))

    def __delitem__(self, key: Any) -> None:
        if self._current(key) is MISSING:
            raise KeyError(key)
        self._entity._set_mapped(self._attribute.name, key, MISSING, self._original(key))

    def _original(self, key: Any) -> Any:
        item = self.item_entities().get(key)
        return MISSING if item is None else self._server_value(item)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())!r})"


class CustomAttributes(MappedCollection):
    """``entity.custom_attributes``: values converted per configuration type.

    Configurations come from ``identity_map.custom_attribute_configurations`` (see
    :mod:`ftrack_orm.entity.custom_attributes`). Without them, values are taken
    as given and only keys with a loaded value item can be resolved.
    """

    __slots__ = ()

    def configurations(self) -> Any:
        registry = self._entity._map.custom_attribute_configurations
        return None if registry is None else registry.for_entity(self._entity)

    def _missing(self, key: Any) -> Any:
        configs = self.configurations()
        if configs is not None and key in configs:
            return configs[key].default
        raise KeyError(no_key("", key, configs or self._keys()))

    def prepare(self, key: Any, value: Any) -> Any:
        super().prepare(key, value)
        configs = self.configurations()
        if configs is None:
            return value
        config = configs.get(key)
        if config is None:
            raise KeyError(no_key(f"{type(self._entity).__entity_type__} has no custom attribute", key, configs))
        return config.convert(value, f"{type(self._entity).__entity_type__}.custom_attributes[{key!r}]")
