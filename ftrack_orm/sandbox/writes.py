"""``create``, ``update`` and ``delete``: checked against the schemas, filled like a server.

Delete policy (see the package docstring): a context takes its descendants and
what they own with it (:data:`OWNED`); anything else that still references a
deleted entity makes the delete fail with a ``ValidationError`` naming it.
"""
from __future__ import annotations

import sqlite3

import uuid
from typing import Any, Dict, List, Mapping, Optional, Protocol, Set, Tuple

import attrs

from ..didyoumean import did_you_mean, no_schema_attribute, unknown_type
from ..kinds import custom_kind
from ..schema import AttributeSchema, EntitySchema
from .components import CREATABLE_BASES
from .constraints import UniqueRules
from .custom_values import BASE as VALUES_BASE
from .defaults import ServerDefaults
from .errors import validation_error
from .evaluator import Evaluator
from .links import CollectionWriter
from .required import RequiredAttributes
from .hierarchy import refuse_cycle
from .store import Store, quote, to_column

#: (items type, column): rows that are deleted with the entity whose key the column holds.
OWNED: Tuple[Tuple[str, str], ...] = (
    ("Context", "parent_id"),
    ("Asset", "context_id"),
    ("AssetVersion", "asset_id"),
    ("Component", "version_id"),
    ("ComponentLocation", "component_id"),
    ("Note", "parent_id"),
    ("Note", "in_reply_to_id"),
    ("Recipient", "note_id"),
    ("NoteComponent", "note_id"),
    ("Timelog", "context_id"),
    ("Appointment", "context_id"),
    ("Metadata", "parent_id"),
    # A user takes their timers, time logs and appointments along (the official client's
    # own tests delete users that logged time); an entity leaves its lists and dependencies.
    ("Timer", "user_id"),
    ("Timelog", "user_id"),
    ("Appointment", "resource_id"),
    ("ListObject", "entity_id"),
    ("ListObject", "list_id"),
    ("TypedContextLink", "from_id"),
    ("TypedContextLink", "to_id"),
    ("AssetVersionLink", "from_id"),
    ("AssetVersionLink", "to_id"),
)



@attrs.define
class _Written:
    """What the data of one create/update writes: columns, their reference targets, mapped collections."""

    values: Dict[str, Any] = attrs.field(factory=dict)
    targets: Dict[str, str] = attrs.field(factory=dict)
    mapped: Dict[str, Any] = attrs.field(factory=dict)
    collections: Dict[str, Any] = attrs.field(factory=dict)  # written as lists of references


class ChangeRecorder(Protocol):
    """Told of every write (the sandbox's ``ftrack.update`` events are built from it)."""

    def created(self, entity_type: str, key: List[Any], values: Mapping[str, Any]) -> None: ...

    def updating(self, entity_type: str, row: Any, values: Mapping[str, Any],
                 mapped: Mapping[str, Mapping[str, Any]]) -> None: ...

    def deleting(self, doomed: Mapping[str, Set[int]]) -> None: ...


class _Unrecorded:
    def created(self, entity_type: str, key: List[Any], values: Mapping[str, Any]) -> None:
        pass

    def updating(self, entity_type: str, row: Any, values: Mapping[str, Any],
                 mapped: Mapping[str, Mapping[str, Any]]) -> None:
        pass

    def deleting(self, doomed: Mapping[str, Set[int]]) -> None:
        pass


class Writer:
    """Applies write operations to the store (inside the caller's transaction)."""

    def __init__(self, store: Store, evaluator: Evaluator, changes: Optional[ChangeRecorder] = None) -> None:
        self.store = store
        self.changes: ChangeRecorder = changes or _Unrecorded()
        self.schemas = store.schemas
        self.evaluator = evaluator
        self.collections = CollectionWriter(store)
        self.unique = UniqueRules(store)
        self.defaults = ServerDefaults(store)
        #: Required attributes are checked when the batch ends (a later update may fill them).
        self.required = RequiredAttributes(store)
        self._incoming: Dict[str, List[Tuple[str, str, str]]] = {}
        #: Keys of the entities deleted since the caller last cleared it, by family.
        self.deleted: Dict[str, Set[Any]] = {}
        for entity_type, attribute, relation in store.relations.references():
            family = store.family(relation.target)
            entry = (store.table(entity_type).name, relation.fk, attribute)
            if all(e[:2] != entry[:2] for e in self._incoming.get(family, [])):
                self._incoming.setdefault(family, []).append(entry)

    # -- create --------------------------------------------------------------------------
    def create(self, entity_type: Any, data: Any, user_id: Optional[str], now: str) -> Dict[str, Any]:
        requested = schema = self._schema(entity_type)
        schema = self.schemas[self.evaluator.values.stored_type(schema.name, data)]
        subtypes = [t for t in self.store.subtypes(schema.name) if t != schema.name]
        if subtypes and not schema.classifiers and schema.name not in CREATABLE_BASES:
            raise validation_error(
                f"Cannot create an entity of abstract type {schema.name!r}; create one of "
                f"{', '.join(sorted(subtypes)[:8])}."
            )
        if not isinstance(data, dict):
            raise validation_error("'entity_data' must be an object.")
        values, mapped, collections = self._values(schema, data, creating=True)
        for attribute in schema.attributes.values():
            if attribute.is_scalar and attribute.name not in values and attribute.has_default:
                default = attribute.default
                values[attribute.name] = str(uuid.uuid4()) if default == "{uid}" else to_column(
                    attribute.kind, default, attribute.name
                )
        self._fill(schema, values, user_id, now)
        self.unique.check(schema.name, values)
        table = self.store.table(schema.name)
        columns = ["_type", *values]
        try:
            self.store.connection.execute(
                f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                [schema.name, *values.values()],
            )
        except sqlite3.IntegrityError as error:
            key = [values.get(c) for c in table.primary_key]
            reason = "an entity with that key already exists" if "UNIQUE" in str(error) else "it conflicts with stored data"
            raise validation_error(f"Cannot create {schema.name} {key!r}: {reason}.") from None
        key = [values[c] for c in table.primary_key]
        self.required.created(schema, key)
        for name, mapping in mapped.items():
            self._write_mapped(schema, key[0], name, mapping)
        for name, items in collections.items():
            self.collections.write(schema, key[0], name, items)
        self.changes.created(schema.name, key, values)
        shown = [n for n in values if n in schema.attributes] + list(schema.default_projections)
        shown = [n for n in shown if n in requested.attributes]
        return {"action": "create", "data": self.evaluator.encode(requested.name, key, list(dict.fromkeys(shown)))}

    # -- update --------------------------------------------------------------------------
    def update(self, entity_type: Any, entity_key: Any, data: Any, user_id: Optional[str] = None,
               now: str = "") -> Dict[str, Any]:
        schema = self._schema(entity_type)
        key = list(entity_key) if isinstance(entity_key, (list, tuple)) else [entity_key]
        if {"configuration_id", "entity_id"} <= set(schema.primary_key) and isinstance(data, dict) \
                and len(key) == len(schema.primary_key) and self.store.get(schema.name, key) is None:
            # Custom attribute values are upserted, as on ftrack: a value that was never
            # set has no row yet.
            answer = self.create(schema.name, dict(data, **dict(zip(schema.primary_key, key))), user_id, now)
            return {"action": "update", "data": answer["data"]}
        row = self._row(entity_type, entity_key)
        schema = self.schemas[row["_type"]]
        if not isinstance(data, dict):
            raise validation_error("'entity_data' must be an object.")
        values, mapped, collections = self._values(schema, data, creating=False)
        refuse_cycle(self.store, row, values)
        if "parent_id" in values and "project_id" in schema.attributes and "project_id" not in values:
            self._derive_project(values)  # a context given its parent later in the batch, or moved
        for name, value in values.items():
            if value is None and name in schema.required:
                raise validation_error(f"Attribute {name!r} of {schema.name} is required and cannot be null.")
        self.unique.check(schema.name, {**dict(row), **values}, row["_rowid"], values)
        self.changes.updating(schema.name, row, values, mapped)
        if values:
            assignments = ", ".join(f"{quote(c)} = ?" for c in values)
            self.store.connection.execute(
                f"UPDATE {quote(self.store.table(schema.name).name)} SET {assignments} WHERE rowid = ?",
                [*values.values(), row["_rowid"]],
            )
        table = self.store.table(schema.name)
        key = [row[c] for c in table.primary_key]
        for name, mapping in mapped.items():
            self._write_mapped(schema, key[0], name, mapping)
        for name, items in collections.items():
            self.collections.write(schema, key[0], name, items)
        shown = [n for n in data if n in schema.attributes and n not in mapped]
        answered = VALUES_BASE if entity_type == VALUES_BASE else schema.name  # a typed value updated as the base
        return {"action": "update", "data": self.evaluator.encode(answered, key, shown)}

    # -- delete --------------------------------------------------------------------------
    def delete(self, entity_type: Any, entity_key: Any) -> Dict[str, Any]:
        row = self._row(entity_type, entity_key)
        doomed: Dict[str, Set[int]] = {self.store.family(row["_type"]): {row["_rowid"]}}
        ids: Dict[str, Set[Any]] = {}
        frontier = {row["id"]} if "id" in row.keys() else set()
        if frontier:
            ids[self.store.family(row["_type"])] = set(frontier)
        while frontier:
            found = set()
            for items, column in OWNED:
                if items not in self.schemas:
                    continue
                family = self.store.family(items)
                for owned in self.store.rows_where(items, column, frontier):
                    if owned["_rowid"] in doomed.setdefault(family, set()):
                        continue
                    doomed[family].add(owned["_rowid"])
                    if "id" in owned.keys():
                        ids.setdefault(family, set()).add(owned["id"])
                        found.add(owned["id"])
            frontier = found
        for name in self.schemas:
            if name.endswith("CustomAttributeValue") and "entity_id" in self.schemas[name].attributes:
                every = set().union(*ids.values()) if ids else set()
                family = self.store.family(name)
                for owned in self.store.rows_where(name, "entity_id", every):
                    doomed.setdefault(family, set()).add(owned["_rowid"])
        self._refuse_if_referenced(row, doomed, ids)
        for family, keys in ids.items():
            self.deleted.setdefault(family, set()).update(keys)
        self.changes.deleting(doomed)
        for family, rowids in doomed.items():
            listed = list(rowids)
            for start in range(0, len(listed), 500):
                chunk = listed[start:start + 500]
                self.store.connection.execute(
                    f"DELETE FROM {quote(family)} WHERE rowid IN ({', '.join('?' * len(chunk))})", chunk
                )
        return {"action": "delete", "data": True}

    def _refuse_if_referenced(self, row: Any, doomed: Dict[str, Set[int]], ids: Dict[str, Set[Any]]) -> None:
        for family, keys in ids.items():
            for table, column, label in self._incoming.get(family, []):
                for referrer in self.store.rows_where(table, column, keys):
                    if referrer["_rowid"] not in doomed.get(table, ()):
                        raise validation_error(
                            f"Cannot delete {row['_type']} {row['id']!r}: it (or an entity deleted with it) "
                            f"is still referenced by {referrer['_type']} {referrer['id'] if 'id' in referrer.keys() else ''!r} "
                            f"through its {label!r} ({column}). Delete or re-point that first."
                        )

    # -- helpers -------------------------------------------------------------------------
    def _schema(self, entity_type: Any) -> EntitySchema:
        if not isinstance(entity_type, str) or entity_type not in self.schemas:
            raise validation_error(unknown_type(entity_type, self.schemas))
        return self.schemas[entity_type]

    def _row(self, entity_type: Any, entity_key: Any) -> Any:
        schema = self._schema(entity_type)
        key = list(entity_key) if isinstance(entity_key, (list, tuple)) else [entity_key]
        row = self.store.get(schema.name, key)
        if row is None:
            raise validation_error(f"No {schema.name} with key {key!r} exists.")
        return row

    def _values(self, schema: EntitySchema, data: Dict[str, Any],
                creating: bool) -> Tuple[Dict[str, Any], Dict[str, Any], Dict[str, Any]]:
        written = _Written()
        label = schema.name
        for name, value in data.items():
            if name == "__entity_type__":
                continue
            attribute = schema.attributes.get(name)
            if attribute is None:
                raise validation_error(no_schema_attribute(name, label, schema.attributes))
            if not creating and name in schema.immutable:
                raise validation_error(f"Attribute {name!r} of {label} is immutable and cannot be updated.")
            if attribute.computed or self.evaluator.computed.get(schema.name, name) is not None:
                raise validation_error(f"Attribute {name!r} of {label} is computed by the server and cannot be set.")
            _SETTERS.get(attribute.kind, Writer._set_scalar)(self, schema, attribute, value, data, written)
        values, targets = written.values, written.targets
        for column, value in values.items():
            if value is None or column in schema.primary_key:
                continue
            target = targets.get(column)
            if target is None:
                relation = self.store.relations.reference_for_fk(schema.name, column)
                target = relation.target if relation is not None else None
            if target is not None and self.store.get(target, [value]) is None:
                raise validation_error(f"{label}.{column}: no {target} with id {value!r} exists.")
        return values, written.mapped, written.collections

    # One setter per kind of attribute written (see _SETTERS): scalars, references,
    # mapped collections; collections (lists of references) are written after the row.
    def _set_scalar(self, schema: EntitySchema, attribute: AttributeSchema, value: Any, data: Dict[str, Any],
                    written: _Written) -> None:
        label = f"{schema.name}.{attribute.name}"
        if attribute.enum and value is not None and value not in attribute.enum:
            raise validation_error(f"{label} must be one of {list(attribute.enum)}. Got {value!r}.")
        written.values[attribute.name] = to_column(attribute.kind, value, label)

    def _set_reference(self, schema: EntitySchema, attribute: AttributeSchema, value: Any, data: Dict[str, Any],
                       written: _Written) -> None:
        label, name = schema.name, attribute.name
        relation = self.store.relations.get(schema.name, name)
        if relation is None:
            raise validation_error(f"Reference {name!r} of {label} cannot be set.")
        key, target = self._reference_key(value, attribute.target or "", f"{label}.{name}")
        values = written.values
        if relation.fk in values and relation.fk in data and values[relation.fk] != key:
            raise validation_error(f"{label}.{name} and {label}.{relation.fk} disagree.")
        values[relation.fk] = key
        written.targets[relation.fk] = target

    def _set_mapped(self, schema: EntitySchema, attribute: AttributeSchema, value: Any, data: Dict[str, Any],
                    written: _Written) -> None:
        if isinstance(value, list):  # as the official clients write it: the items' references
            self._set_collection(schema, attribute, value, data, written)
            return
        if not isinstance(value, dict):
            raise validation_error(f"{schema.name}.{attribute.name} must be written as an object of key → value.")
        written.mapped[attribute.name] = value

    def _set_collection(self, schema: EntitySchema, attribute: AttributeSchema, value: Any,
                        data: Dict[str, Any], written: _Written) -> None:
        self.collections.check(schema, attribute.name, value)
        written.collections[attribute.name] = value

    def _reference_key(self, value: Any, target: str, label: str) -> Tuple[Any, str]:
        if value is None:
            return None, target
        if isinstance(value, str):
            return value, target
        if isinstance(value, dict):
            given = value.get("__entity_type__") or target
            if given not in self.schemas or not self.schemas.is_subtype(given, target):
                raise validation_error(f"{label} must reference a {target}, not {given!r}.")
            primary = self.store.table(given).primary_key[0]
            if value.get(primary) is None:
                raise validation_error(f"{label}: the reference has no {primary!r}.")
            return value[primary], given
        raise validation_error(f"{label} must be a reference object or null. Got {value!r}.")

    def _derive_project(self, values: Dict[str, Any]) -> None:
        """A context's ``project_id`` is its parent's project (the parent itself for a project)."""
        parent_id = values.get("parent_id")
        parent = self.store.get("Context", [parent_id]) if parent_id and "Context" in self.schemas else None
        if parent is not None:
            values["project_id"] = parent["id"] if parent["_type"] == "Project" else parent["project_id"]

    def _fill(self, schema: EntitySchema, values: Dict[str, Any], user_id: Optional[str], now: str) -> None:
        attributes = schema.attributes
        for server_name, classifier in schema.classifiers.items():
            for name, prop in schema.raw.get("properties", {}).items():
                if name == server_name or prop.get("alias_for") == server_name:
                    values[name] = classifier
        if "context_type" in attributes and values.get("context_type") is None:
            values["context_type"] = "show" if schema.name == "Project" else "task"
        if "created_at" in attributes and attributes["created_at"].kind == "datetime":
            values.setdefault("created_at", now)
        created_by = self.store.relations.get(schema.name, "created_by")
        if created_by is not None and user_id is not None:
            values.setdefault(created_by.fk, user_id)
        self.defaults.apply(schema, values, user_id, now)
        if "project_id" in attributes and values.get("project_id") is None:
            self._derive_project(values)
        if "status_id" in schema.required and values.get("status_id") is None:
            values["status_id"] = self._default_status(schema, values)
        if schema.name == "AssetVersion" and values.get("version") is None and values.get("asset_id"):
            top = self.store.connection.execute(
                'SELECT MAX("version") FROM "AssetVersion" WHERE asset_id = ?', [values["asset_id"]]
            ).fetchone()[0]
            values["version"] = (top or 0) + 1
        if "key" in attributes and values.get("key") is None and values.get("configuration_id"):
            config = self.store.get("CustomAttributeConfiguration", [values["configuration_id"]])
            if config is not None:
                values["key"] = config["key"]

    def _default_status(self, schema: EntitySchema, values: Dict[str, Any]) -> Optional[str]:
        """The first status (by sort) of the project's workflow for this kind of entity."""
        connection = self.store.connection
        project_id = values.get("project_id")
        if project_id is None and values.get("asset_id"):
            found = connection.execute(
                'SELECT c.id, c.project_id, c._type FROM "Asset" a JOIN "Context" c ON c.id = a.context_id '
                "WHERE a.id = ?", [values["asset_id"]]
            ).fetchone()
            if found is not None:
                project_id = found[0] if found[2] == "Project" else found[1]
        column = "asset_version_workflow_schema_id" if schema.name == "AssetVersion" else "task_workflow_schema_id"
        found = connection.execute(
            f'SELECT s.id FROM "Context" p JOIN "ProjectSchema" ps ON ps.id = p.project_schema_id '
            f'JOIN "WorkflowSchemaStatus" w ON w.workflow_schema_id = ps.{quote(column)} '
            f'JOIN "Status" s ON s.id = w.status_id WHERE p.id = ? ORDER BY s.sort, s.rowid LIMIT 1',
            [project_id],
        ).fetchone() if project_id else None
        if found is None:
            found = connection.execute('SELECT id FROM "Status" ORDER BY sort, rowid LIMIT 1').fetchone()
        return found[0] if found is not None else None

    # -- mapped collections ----------------------------------------------------------------
    def _write_mapped(self, schema: EntitySchema, owner: Any, name: str, mapping: Dict[str, Any]) -> None:
        relation = self.store.relations.get(schema.name, name)
        if relation is None or relation.kind != "mapped" or relation.key is None or relation.value is None:
            raise validation_error(f"{schema.name}.{name} cannot be written.")
        key_column, value_column = relation.key, relation.value
        items = self.schemas[relation.target]
        table = quote(self.store.table(items.name).name)
        connection = self.store.connection
        for key, value in mapping.items():
            if key_column in items.primary_key:  # Metadata: (parent_id, key)
                connection.execute(f"DELETE FROM {table} WHERE {quote(relation.fk)} = ? AND {quote(key_column)} = ?", [owner, key])
                if value is None:
                    continue
                if not isinstance(value, str):
                    raise validation_error(f"{schema.name}.{name}[{key!r}] must be a string. Got {value!r}.")
                row = {relation.fk: owner, key_column: key, value_column: value}
                if "parent_type" in items.attributes:
                    row["parent_type"] = schema.name
            else:  # custom attributes: one value per configuration
                config = self._configuration(schema, owner, key)
                self._check_custom_value(config, key, value)
                connection.execute(
                    f'DELETE FROM {table} WHERE {quote(relation.fk)} = ? AND "configuration_id" = ?', [owner, config["id"]]
                )
                kind = items.attributes[value_column].kind if value_column in items.attributes else "variable"
                row = {relation.fk: owner, "configuration_id": config["id"], key_column: key,
                       value_column: to_column(kind, value, f"{schema.name}.{name}[{key!r}]")}
            columns = ["_type", *row]
            connection.execute(
                f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) VALUES ({', '.join('?' * len(columns))})",
                [items.name, *row.values()],
            )

    def _configuration(self, schema: EntitySchema, owner: Any, key: str) -> Any:
        owner_row = self.store.get(schema.name, [owner])
        applicable = self.evaluator.values.applicable(schema.name, owner_row) if owner_row is not None else {}
        if key in applicable:
            return applicable[key]
        raise validation_error(
            f"No custom attribute {key!r} is configured for {schema.name}."
            f"{did_you_mean(key, list(applicable))}"
        )

    def _check_custom_value(self, config: Any, key: str, value: Any) -> None:
        type_row = self.store.get("CustomAttributeType", [config["type_id"]]) if config["type_id"] else None
        type_name = type_row["name"] if type_row is not None else None
        kind = custom_kind(type_name) if type_name is not None else None
        if kind is not None and not kind.accepts_wire(value):
            raise validation_error(
                f'Custom attribute value for "{key}" must be of type {type_name}. '
                f'Got "{value}" of type {type(value)}.'
            )



#: Attribute kind → how the data of a create/update writes it (every other kind: as a scalar column).
_SETTERS = {
    "reference": Writer._set_reference,
    "mapped_collection": Writer._set_mapped,
    "collection": Writer._set_collection,
}
