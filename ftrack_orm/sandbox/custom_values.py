"""Custom attribute values as a real server keeps them.

On ftrack the base ``CustomAttributeValue`` and the typed value types
(``ContextCustomAttributeValue``, ``AssetVersionCustomAttributeValue``, ...) share
one store: a value the official client creates as a ``CustomAttributeValue``
(``{configuration_id, value, entity_id}``) is read through the entity's
``custom_attributes`` and the other way round. So every value type is stored in
the one family :data:`BASE`, each row under its typed type (taken from the
configuration's ``entity_type``), and a query of the base type reads every row.

A typed ``custom_attributes`` collection holds one item per configuration that
applies to the entity (``entity_type``, ``project_id`` the entity's project or
null, ``object_type_id``; project-specific ones shadow global ones with the same
key, as in the official client's ``_get_entity_configurations``): an item with no
stored value carries the configuration's default. Filters see stored values only.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from ..relations import Relation
from ..schema import SchemaRegistry

#: The base value type: its family holds every custom attribute value.
BASE = "CustomAttributeValue"

#: Owner family → the configuration ``entity_type`` of its entities (contexts: their ``context_type``).
ENTITY_TYPES: Mapping[str, str] = {
    "AssetVersion": "assetversion", "Asset": "asset", "Resource": "user", "List": "list", "ListObject": "listobject",
}

_KEY = {"configuration_id", "entity_id"}


def value_types(schemas: SchemaRegistry) -> List[str]:
    """Every custom attribute value type (the base first), all keyed by ``(configuration_id, entity_id)``."""
    if BASE not in schemas:
        return []
    typed = [n for n in schemas if n != BASE and n.endswith(BASE) and set(schemas[n].primary_key) == _KEY]
    return [BASE, *typed]


def shared_families(schemas: SchemaRegistry) -> Dict[str, str]:
    """Value type → the family storing it (:data:`BASE` for all)."""
    return {name: BASE for name in value_types(schemas)}


class CustomValues:
    """Reads and types custom attribute values on a store (duck-typed: ``family``, ``relations``,
    ``connection``, ``schemas``)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.types = frozenset(value_types(store.schemas))
        #: Owner family → its typed value type, from the schemas' ``custom_attributes`` relations.
        self._typed_for: Dict[str, str] = {}
        for name in store.schemas:
            relation = store.relations.get(name, "custom_attributes")
            if relation is not None and relation.target in self.types:
                self._typed_for.setdefault(store.family(name), relation.target)

    # -- writing ------------------------------------------------------------------------------
    def stored_type(self, entity_type: str, data: Any) -> str:
        """The type a created value of ``entity_type`` is stored as: a base value becomes the typed
        value type of its configuration's ``entity_type``."""
        if entity_type != BASE or not isinstance(data, dict):
            return entity_type
        configuration = data.get("configuration_id")
        if configuration is None and isinstance(data.get("configuration"), dict):
            configuration = data["configuration"].get("id")
        found = self.store.connection.execute(
            'SELECT entity_type FROM "CustomAttributeConfiguration" WHERE id = ?', [configuration]
        ).fetchone() if isinstance(configuration, str) else None
        if found is None:
            return entity_type
        kind = found[0]
        family = "Context" if kind in ("task", "show") else next(
            (f for f, k in ENTITY_TYPES.items() if k == kind), None)
        return self._typed_for.get(family or "", entity_type)

    # -- which configurations apply -------------------------------------------------------
    def _configurations(self) -> List[Dict[str, Any]]:
        """Every configuration, project-specific ones first (they shadow global ones)."""
        return [dict(r) for r in self.store.connection.execute(
            'SELECT * FROM "CustomAttributeConfiguration" ORDER BY project_id IS NULL, rowid')]

    @staticmethod
    def _applicable(configurations: Iterable[Dict[str, Any]], kind: Any, project: Optional[str],
                    object_type: Any) -> Dict[str, Dict[str, Any]]:
        """Key → the configuration applying to an entity of configuration type ``kind`` in
        ``project`` with ``object_type``: a project-specific one shadows a global one."""
        found: Dict[str, Dict[str, Any]] = {}
        for config in configurations:
            if config["entity_type"] == kind and config["project_id"] in (project, None) \
                    and config["object_type_id"] == object_type:
                found.setdefault(config["key"], config)
        return found

    def applicable(self, owner_type: str, row: Any) -> Dict[str, Dict[str, Any]]:
        """Key → the configuration of each custom attribute that applies to the stored entity
        ``row`` (a mapping or ``sqlite3.Row``) of ``owner_type`` (what its ``custom_attributes``
        reads and writes)."""
        family = self.store.family(owner_type)
        row = dict(row)
        kind = row.get("context_type") if family == "Context" else ENTITY_TYPES.get(family)
        project = self._projects(family, [row]).get(row.get("id"))
        return self._applicable(self._configurations(), kind, project, row.get("object_type_id"))

    # -- reading ------------------------------------------------------------------------------
    def add_defaults(self, owner_type: str, rows: Sequence[Dict[str, Any]], owner_key: str,
                     groups: Dict[Any, List[Dict[str, Any]]], relation: Relation) -> List[Dict[str, Any]]:
        """Add to ``groups`` (owner key → loaded items) an item holding the default of each applicable
        configuration with no stored value; returns the added items."""
        family = self.store.family(owner_type)
        configurations = self._configurations()
        if not configurations:
            return []
        projects = self._projects(family, rows)
        added: List[Dict[str, Any]] = []
        for row in rows:
            owner = row.get(owner_key)
            kind = row.get("context_type") if family == "Context" else ENTITY_TYPES.get(family)
            items = groups.setdefault(owner, [])
            stored = {item.get("configuration_id") for item in items}
            applicable = self._applicable(configurations, kind, projects.get(owner), row.get("object_type_id"))
            for config in applicable.values():
                if config["id"] in stored:
                    continue
                item = {"_type": relation.target, "configuration_id": config["id"], relation.fk: owner,
                        "key": config["key"], "value": config["default"]}
                items.append(item)
                added.append(item)
        return added

    def _projects(self, family: str, rows: Iterable[Dict[str, Any]]) -> Dict[Any, Optional[str]]:
        """Owner id → its project id (``None`` for entities outside projects)."""
        rows = list(rows)
        if family == "Context":
            return {r["id"]: r["id"] if r["_type"] == "Project" else r.get("project_id") for r in rows}
        joins = {
            "Asset": ('SELECT a.id, c.id, c._type, c.project_id FROM "Asset" a '
                      'JOIN "Context" c ON c.id = a.context_id WHERE a.id = ?'),
            "AssetVersion": ('SELECT v.id, c.id, c._type, c.project_id FROM "AssetVersion" v JOIN "Asset" a '
                             'ON a.id = v.asset_id JOIN "Context" c ON c.id = a.context_id WHERE v.id = ?'),
        }
        sql = joins.get(family)
        found: Dict[Any, Optional[str]] = {}
        for row in rows:
            if sql is None:
                found[row.get("id")] = row.get("project_id")
                continue
            hit = self.store.connection.execute(sql, [row.get("id")]).fetchone()
            found[row.get("id")] = None if hit is None else (hit[1] if hit[2] == "Project" else hit[3])
        return found
