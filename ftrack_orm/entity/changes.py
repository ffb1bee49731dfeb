"""Session-level change sets and what the unit of work reads from them.

:class:`ChangeTracker` (``identity_map.changes``) keeps three insertion-ordered
sets, ``new``, ``dirty`` and ``deleted``. Entity state registers itself when it
changes (``sync``), so finding pending work costs the number of changed entities,
never a scan of the identity map. Attributes never call the session.

:func:`split_changes` sorts one entity's local changes for the unit of work.
For mapped collections, :func:`mapped_changes` turns recorded key -> value changes
into :class:`MappedChange` records that name the operation to send:

* ``metadata`` (item type ``Metadata``, key ``(parent_id, key)``): ``create``
  for a new key (data ``parent_id``, ``parent_type`` = the owner's entity type,
  ``key``, ``value``), ``update`` of ``value`` for an existing key, ``delete``
  for a removed key;
* ``custom_attributes`` (item type e.g. ``ContextCustomAttributeValue``, key
  ``(configuration_id, entity_id)``): always ``update`` of ``value`` (the server
  upserts), ``configuration_id`` from the loaded value item or the custom
  attribute configurations (``None`` if neither knows the key).
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Mapping, Tuple

import attrs

from .base import Entity
from .state import MISSING


class ChangeTracker:
    """Insertion-ordered sets of new, dirty and deleted entities.

    ``new`` entities are created locally and not committed; ``dirty`` are loaded
    entities with changed attributes; ``deleted`` have a pending deletion (they
    leave ``dirty``). Each set is a dict used as an ordered set (atomic under the GIL).
    """

    def __init__(self) -> None:
        self._new: Dict[Entity, None] = {}
        self._dirty: Dict[Entity, None] = {}
        self._deleted: Dict[Entity, None] = {}

    @property
    def new(self) -> List[Entity]:
        return list(self._new)

    @property
    def dirty(self) -> List[Entity]:
        return list(self._dirty)

    @property
    def deleted(self) -> List[Entity]:
        return list(self._deleted)

    def __bool__(self) -> bool:
        return bool(self._new or self._dirty or self._deleted)

    def __len__(self) -> int:
        return len(self._new) + len(self._dirty) + len(self._deleted)

    def __iter__(self) -> Iterator[Entity]:
        """All pending entities: new, then dirty, then deleted."""
        yield from list(self._new)
        yield from list(self._dirty)
        yield from list(self._deleted)

    def sync(self, entity: Entity) -> None:
        """Put ``entity`` in the set its state calls for (called by entity state only)."""
        state = entity._state
        new, dirty, deleted = self._new, self._dirty, self._deleted
        if state is None or state.detached:
            new.pop(entity, None)
            dirty.pop(entity, None)
            deleted.pop(entity, None)
        elif state.deleted:
            dirty.pop(entity, None)
            new.pop(entity, None)
            deleted[entity] = None
        elif state.new:
            new[entity] = None
        elif state.local:
            deleted.pop(entity, None)
            dirty[entity] = None
        else:
            dirty.pop(entity, None)
            deleted.pop(entity, None)

    def discard(self, entity: Entity) -> None:
        self._new.pop(entity, None)
        self._dirty.pop(entity, None)
        self._deleted.pop(entity, None)

    def clear(self) -> None:
        self._new.clear()
        self._dirty.clear()
        self._deleted.clear()


def primary_key(entity: Entity) -> Tuple[Any, ...]:
    """The primary-key values of ``entity`` (local values win), in schema order."""
    return entity._primary_key()


def split_changes(
    entity: Entity, new_by_key: Mapping[Any, Entity], collections: List[Tuple[Entity, str, List[Entity]]]
) -> Tuple[Dict[str, Any], Tuple[Entity, ...], bool]:
    """Split ``entity``'s local changes for the unit of work: the plain values to send
    (and the entities they reference, including new entities named by a foreign key
    in ``new_by_key``), the collections (appended to ``collections`` as
    ``(entity, name, new list)``), and whether any mapped collection changed."""
    state = entity._state
    data: Dict[str, Any] = {}
    references: List[Entity] = []
    has_mapped = False
    if state is None:
        return data, (), False
    attributes = type(entity)._attributes
    for name, value in state.local.items():
        kind = value.__class__
        if kind is dict:  # a mapped collection's key changes (json attributes are never dicts here)
            if attributes[name].schema.kind == "mapped_collection":
                has_mapped = True
                continue
        elif kind is list and attributes[name].schema.kind == "collection":
            collections.append((entity, name, value))
            continue
        data[name] = value
        if kind is str:  # most values: no isinstance check
            if value in new_by_key and attributes[name].schema.foreign_key:
                # a subtype's id is a "foreign key" to its own base row (FileComponent.id): not a reference
                if new_by_key[value] is not entity or name not in type(entity)._schema.primary_key:
                    references.append(new_by_key[value])
        elif isinstance(value, Entity):
            references.append(value)
    return data, tuple(references), has_mapped


@attrs.frozen
class MappedChange:
    """One key change in a mapped collection, ready to become an operation."""

    owner: Any  # the entity whose mapped collection changed
    attribute: str  # "metadata" / "custom_attributes"
    key: str
    old: Any  # MISSING when the key did not exist
    new: Any  # MISSING when the key was removed
    action: str  # "create" | "update" | "delete"
    entity_type: str  # item type: "Metadata", "ContextCustomAttributeValue", ...
    entity_key: Dict[str, Any]  # item primary key by name
    entity_data: Dict[str, Any]  # data of the operation (the full data for "create")
    item: Any = None  # the loaded item entity, if any


def mapped_changes(entity: Entity) -> List[MappedChange]:
    """Every pending key change of ``entity``'s mapped collections (see module doc)."""
    state = entity._state
    if state is None:
        return []
    result = []
    cls = type(entity)
    for name, pending in state.local.items():
        if type(pending) is not dict:  # fast path: mapped-collection changes are dicts
            continue
        attribute = cls._attributes.get(name)
        if attribute is None or attribute.schema.kind != "mapped_collection":
            continue
        originals = state.originals.get(name, {})
        items = _loaded_items(entity, attribute)
        for key, new in pending.items():
            result.append(_change(entity, attribute, key, originals.get(key, MISSING), new, items.get(key)))
    return result


def _loaded_items(entity: Entity, attribute: Any) -> Dict[Any, Any]:
    key_name = attribute.schema.key_attribute or "key"
    return {item._values.get(key_name): item for item in entity._values.get(attribute.name) or ()}


def _change(entity: Entity, attribute: Any, key: Any, old: Any, new: Any, item: Any) -> MappedChange:
    schema = attribute.schema
    target = entity._map.schemas[schema.target]
    key_name, value_name = schema.key_attribute or "key", schema.value_attribute or "value"
    owner_id = entity._current_value("id")
    if "configuration_id" in target.primary_key:  # custom attribute values: server upserts
        config_id = item._values.get("configuration_id") if item is not None else None
        if config_id is None:
            registry = entity._map.custom_attribute_configurations
            config = registry.for_entity(entity).get(key) if registry is not None else None
            config_id = config.id if config is not None else None
        if new is MISSING:
            raise ValueError(f"{entity!r}: custom attribute {key!r} cannot be removed, set it to None")
        entity_key = {"configuration_id": config_id, "entity_id": owner_id}
        return MappedChange(entity, attribute.name, key, old, new, "update", target.name, entity_key, {value_name: new}, item)
    if item is not None:
        entity_key = {n: item._values.get(n) for n in target.primary_key}
        action = "delete" if new is MISSING else "update"
        data = {} if new is MISSING else {value_name: new}
        return MappedChange(entity, attribute.name, key, old, new, action, target.name, entity_key, data, item)
    data = {key_name: key, value_name: new}
    if "parent_id" in target.attributes:
        data["parent_id"] = owner_id
    if "parent_type" in target.attributes:
        data["parent_type"] = entity.__entity_type__
    if "entity_id" in target.attributes:
        data["entity_id"] = owner_id
    entity_key = {n: data.get(n) for n in target.primary_key}
    return MappedChange(entity, attribute.name, key, old, new, "create", target.name, entity_key, data, None)
