"""What a batch changed, as the ``ftrack.update`` event a real server publishes after a commit.

The writer reports each write (:class:`ChangeLog` implements its
``ChangeRecorder``); after the batch commits, :meth:`ChangeLog.take` builds one
event::

    {"topic": "ftrack.update", "source": {"id": "ftrack.server", "user": {"username", "id"}},
     "data": {"clientToken": <the call's ftrack-clienttoken>, "user": {"userid", "name"},
              "entities": [{"action": "add" | "update" | "remove" | "move",
                            "entityId", "entity_type": "Shot", "entityType": "task",
                            "keys": [...], "changes": {name: {"old", "new"}},
                            "parentId", "objectTypeId" (contexts),
                            "parents": [{"entityId", "entityType", "entity_type", "parentId"}, ...]}]}}

Field names follow what pipeline listeners read on real servers: legacy table
names in ``entityType`` (``task`` for every typed context, ``show`` for a
project) and legacy attribute names in ``keys`` / ``changes`` (``statusid``,
``typeid``, ``object_typeid``, ``priorityid``, ``startdate``, ``enddate``,
``taskid``, ``userid``; others as the schema names them, e.g. ``parent_id``,
``name``). A custom attribute value change is an ``update`` of its owner whose key
is the attribute's key. Moving a context (a new ``parent_id``) is a ``move``.
``parents`` starts with the entity itself and goes up to the project.
"""
from __future__ import annotations

import sqlite3
from typing import Any, Dict, List, Mapping, Optional, Set

from ...events.event import Event
from ...events.legacy import LEGACY_ATTRIBUTES, LEGACY_TYPES
from ..store import Store, from_column, quote

#: Attribute holding the parent's id, per schema (contexts use ``parent_id``).
PARENT_ATTRIBUTE: Dict[str, str] = {"Asset": "context_id", "AssetVersion": "asset_id", "Note": "parent_id"}
_HIDDEN = {"_type", "_rowid"}


class ChangeLog:
    """Collects one batch's writes (the sandbox runs one batch at a time, under the store lock)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._items: List[Dict[str, Any]] = []
        self._recording = False

    # -- the writer's reports ----------------------------------------------------------------
    def begin(self, record: bool = True) -> None:
        """A batch starts; ``record=False``: nobody listens, record nothing (no cost)."""
        self._items = []
        self._recording = record

    def created(self, entity_type: str, key: List[Any], values: Mapping[str, Any]) -> None:
        """A new row of ``entity_type`` with the stored ``values``."""
        if not self._recording:
            return
        if entity_type.endswith("CustomAttributeValue"):
            self._custom_attribute(values, None, values.get("value"))
            return
        if "id" not in values:  # rows without an id of their own (metadata) are not reported
            return
        changes = {name: (None, value) for name, value in values.items() if value is not None}
        self._items.append({"action": "add", "type": entity_type, "id": key[0], "changes": changes})

    def updating(self, entity_type: str, row: Mapping[str, Any], values: Mapping[str, Any],
                 mapped: Mapping[str, Mapping[str, Any]]) -> None:
        """``row`` (as stored) is about to get ``values`` and mapped-collection items ``mapped``."""
        if not self._recording:
            return
        if entity_type.endswith("CustomAttributeValue"):
            if "value" in values:
                self._custom_attribute(row, row["value"], values["value"])
            return
        if "id" not in row.keys():
            return
        changes = {name: (row[name], value) for name, value in values.items()
                   if name in row.keys() and row[name] != value}
        for name, mapping in mapped.items():
            if name == "custom_attributes":
                old = self._custom_values(row["id"])
                changes.update({key: (old.get(key), value) for key, value in mapping.items() if old.get(key) != value})
        if not changes:
            return
        action = "move" if "parent_id" in changes and self.store.family(entity_type) == "Context" else "update"
        self._items.append({"action": action, "type": row["_type"], "id": row["id"], "changes": changes})

    def deleting(self, doomed: Mapping[str, Set[int]]) -> None:
        """Rows (by table → rowids) about to be deleted."""
        if not self._recording:
            return
        for family, rowids in doomed.items():
            listed = list(rowids)
            for start in range(0, len(listed), 500):
                chunk = listed[start:start + 500]
                rows = self.store.connection.execute(
                    f"SELECT rowid AS _rowid, * FROM {quote(family)} WHERE rowid IN ({', '.join('?' * len(chunk))})",
                    chunk).fetchall()
                for row in rows:
                    if "id" not in row.keys() or row["_type"].endswith("CustomAttributeValue"):
                        continue
                    changes = {name: (row[name], None) for name in row.keys()
                               if name not in _HIDDEN and row[name] is not None}
                    self._items.append({"action": "remove", "type": row["_type"], "id": row["id"],
                                        "changes": changes, "parents": self._parents(row["_type"], row["id"])})

    def discard(self) -> None:
        """The batch was rolled back (or nobody listens)."""
        self._items = []
        self._recording = False

    # -- the event ---------------------------------------------------------------------------
    def take(self, client_token: Optional[str], user_id: Optional[str]) -> Optional[Event]:
        """The ``ftrack.update`` event of the committed batch (``None`` if it wrote nothing)."""
        items, self._items = self._items, []
        self._recording = False
        if not items:
            return None
        user = self.store.get("User", [user_id]) if user_id and "User" in self.store.schemas else None
        username = user["username"] if user is not None else None
        entities = [self._entity(item) for item in items]
        return Event("ftrack.update", data={
            "clientToken": client_token, "user": {"userid": user_id, "name": username}, "entities": entities,
        }, source={"id": "ftrack.server", "applicationId": "ftrack.server",
                   "user": {"username": username, "id": user_id}})

    def _entity(self, item: Dict[str, Any]) -> Dict[str, Any]:
        entity_type, entity_id = item["type"], item["id"]
        changes = {LEGACY_ATTRIBUTES.get(name, name): {"old": old, "new": new}
                   for name, (old, new) in item["changes"].items()}
        parents = item.get("parents") or self._parents(entity_type, entity_id)
        entity = {
            "action": item["action"], "entityId": entity_id, "entity_type": entity_type,
            "entityType": self.legacy_type(entity_type), "keys": list(changes), "changes": changes,
            "parentId": parents[0]["parentId"] if parents else None, "parents": parents,
        }
        if self.store.family(entity_type) == "Context":
            row = self.store.get("Context", [entity_id])
            old = item["changes"].get("object_type_id")
            entity["objectTypeId"] = row["object_type_id"] if row is not None else (old[0] if old else None)
        return entity

    def legacy_type(self, entity_type: str) -> str:
        """``entityType`` of an ``ftrack.update`` item for a schema name."""
        if entity_type in self.store.schemas and self.store.family(entity_type) == "Context":
            return "show" if entity_type == "Project" else "task"
        return LEGACY_TYPES.get(entity_type, entity_type.lower())

    def _parents(self, entity_type: str, entity_id: Any) -> List[Dict[str, Any]]:
        parents: List[Dict[str, Any]] = []
        current: Optional[str] = entity_type
        current_id = entity_id
        seen = set()
        while current is not None and current_id is not None and current_id not in seen and current in self.store.schemas:
            seen.add(current_id)
            row = self.store.get(current, [current_id])
            if row is None:
                break
            family = self.store.family(row["_type"])
            attribute = "parent_id" if family == "Context" else PARENT_ATTRIBUTE.get(row["_type"])
            parent_id = row[attribute] if attribute and attribute in row.keys() else None
            parents.append({"entityId": current_id, "entityType": self.legacy_type(row["_type"]),
                            "entity_type": row["_type"], "parentId": parent_id})
            current, current_id = self._parent_type(row, attribute), parent_id
        return parents

    def _parent_type(self, row: sqlite3.Row, attribute: Optional[str]) -> Optional[str]:
        if attribute is None or row[attribute] is None:
            return None
        if attribute == "asset_id":
            return "Asset"
        if "Context" in self.store.schemas and self.store.get("Context", [row[attribute]]) is not None:
            return "Context"
        if "AssetVersion" in self.store.schemas and self.store.get("AssetVersion", [row[attribute]]) is not None:
            return "AssetVersion"
        return None

    # -- custom attributes ---------------------------------------------------------------------
    def _custom_attribute(self, values: Mapping[str, Any], old: Any, new: Any) -> None:
        config = self.store.get("CustomAttributeConfiguration", [values["configuration_id"]])
        if config is None or old == new:
            return
        owner = self.store.get("Context", [values["entity_id"]]) if "Context" in self.store.schemas else None
        owner_type = owner["_type"] if owner is not None else self._owner_type(values["entity_id"])
        self._items.append({"action": "update", "type": owner_type, "id": values["entity_id"],
                            "changes": {config["key"]: (_decoded(old), _decoded(new))}})

    def _owner_type(self, entity_id: Any) -> str:
        for candidate in ("AssetVersion", "User", "Asset"):
            if candidate in self.store.schemas:
                row = self.store.get(candidate, [entity_id])
                if row is not None:
                    return str(row["_type"])
        return "Context"

    def _custom_values(self, entity_id: Any) -> Dict[str, Any]:
        rows = self.store.connection.execute(
            f'SELECT c."key" AS key, v."value" AS value FROM {quote(self.store.table("ContextCustomAttributeValue").name)} v '
            'JOIN "CustomAttributeConfiguration" c ON c.id = v.configuration_id WHERE v.entity_id = ?', [entity_id]
        ).fetchall() if "ContextCustomAttributeValue" in self.store.schemas else []
        return {row["key"]: _decoded(row["value"]) for row in rows}


def _decoded(value: Any) -> Any:
    return from_column("variable", value) if isinstance(value, str) else value
