"""Server-side defaults: the values a real ftrack server fills on ``create`` when the data leaves them out.

One table, :data:`DEFAULTS`: each row names the entity type it applies to (that
type and its subtypes), the attribute, and how the value is made. A row fills
only a value that is missing (absent or null); ``only_required`` rows fill it
only where the schema lists the attribute as required (``sort``, ``bid``: every
type that requires them). Add a row to teach the sandbox another default; the
schema's own literal defaults (``"default"`` in a property) are applied before
this table, by the write path.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, Optional, Tuple

import attrs

from ..schema import EntitySchema
from .components import SYSTEM_TYPES
from .store import Store, quote


@attrs.frozen
class Fill:
    """What a default is made from: the store, the entity's type and values so far, the caller, the clock."""

    store: Store
    schema: EntitySchema
    values: Dict[str, Any]
    user_id: Optional[str]
    now: str  # the batch's server time, stored form (UTC ISO text)


@attrs.frozen
class Default:
    """One server default: ``entity_type.attribute`` ← ``make(fill)`` when missing."""

    entity_type: str  # "*": every type that has the attribute
    attribute: str
    make: Callable[[Fill], Any]
    only_required: bool = False


def _generated_username(fill: Fill) -> Optional[str]:
    """A user created without a username gets one from the e-mail, else the names, else the id."""
    values = fill.values
    email = values.get("email")
    if isinstance(email, str) and "@" in email:
        base = email
    else:
        names = [str(values[n]) for n in ("first_name", "last_name") if isinstance(values.get(n), str)]
        base = ".".join(names) if names else f"user-{str(values.get('id', ''))[:8]}"
    base = re.sub(r"\s+", ".", base.strip().lower()) or "user"
    table = quote(fill.store.table("User").name)
    taken = {
        row[0] for row in fill.store.connection.execute(
            f"SELECT username FROM {table} WHERE username = ? OR username LIKE ?", [base, base + "-%"]
        )
    }
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _default_task_type(fill: Fill) -> Optional[str]:
    """A typeable context (a Task) without a type gets the first type of its project's task-type schema."""
    store, values = fill.store, fill.values
    object_type = store.get("ObjectType", [values.get("object_type_id")]) if "ObjectType" in store.schemas else None
    if object_type is None or not object_type["is_typeable"]:
        return None
    connection = store.connection
    found = None
    project_id = values.get("project_id")
    if project_id is None and values.get("parent_id"):  # applied before the write path derives it
        parent = store.get("Context", [values["parent_id"]])
        if parent is not None:
            project_id = parent["id"] if parent["_type"] == "Project" else parent["project_id"]
    if project_id:
        found = connection.execute(
            'SELECT t.id FROM "Context" p JOIN "ProjectSchema" ps ON ps.id = p.project_schema_id '
            'JOIN "TaskTypeSchemaType" l ON l.task_type_schema_id = ps.task_type_schema_id '
            'JOIN "Type" t ON t.id = l.type_id WHERE p.id = ? ORDER BY t.sort, t.rowid LIMIT 1',
            [project_id],
        ).fetchone()
    if found is None:
        found = connection.execute('SELECT id FROM "Type" ORDER BY sort, rowid LIMIT 1').fetchone()
    return found[0] if found is not None else None


#: Every server default the sandbox fills, in the order they are applied.
DEFAULTS: Tuple[Default, ...] = (
    Default("*", "sort", lambda fill: 0, only_required=True),
    Default("*", "bid", lambda fill: 0.0, only_required=True),
    Default("Project", "status", lambda fill: "active", only_required=True),
    Default("User", "is_active", lambda fill: True),
    Default("User", "username", _generated_username),
    Default("Timer", "start", lambda fill: fill.now),
    Default("TypedContext", "type_id", _default_task_type),
    Default("Component", "system_type", lambda fill: SYSTEM_TYPES.get(fill.schema.name)),
)


class ServerDefaults:
    """:data:`DEFAULTS` prepared for one store: the rows that apply to each entity type, found once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._rows: Dict[str, Tuple[Default, ...]] = {}

    def _for(self, schema: EntitySchema) -> Tuple[Default, ...]:
        rows = self._rows.get(schema.name)
        if rows is None:
            schemas = self.store.schemas
            rows = self._rows[schema.name] = tuple(
                row for row in DEFAULTS
                if row.attribute in schema.attributes
                and (not row.only_required or row.attribute in schema.required)
                and (row.entity_type == "*" or (row.entity_type in schemas
                                                and schemas.is_subtype(schema.name, row.entity_type)))
            )
        return rows

    def apply(self, schema: EntitySchema, values: Dict[str, Any], user_id: Optional[str], now: str) -> None:
        """Fill into ``values`` (stored forms, by attribute name) every missing value :data:`DEFAULTS` gives."""
        fill: Optional[Fill] = None
        for row in self._for(schema):
            if values.get(row.attribute) is None:
                fill = fill or Fill(self.store, schema, values, user_id, now)
                value = row.make(fill)
                if value is not None:
                    values[row.attribute] = value
