"""Save a server's shape for offline tests: ``ftrack-orm snapshot``.

:func:`take_snapshot` reads a server through a :class:`~ftrack_orm.session.Session`
(its schemas, custom object types included, its server information, its reference
data: object types, states, statuses, task types, priorities, workflows and project
schemas; optionally one project's hierarchy) and stores it in a new sandbox database
through the sandbox's own API (a second session on a local sandbox serving the saved
schemas), keeping every id as on the server. The directory then holds::

    schemas.json               the server's query_schemas answer
    server_information.json    its query_server_information answer
    sandbox.db                 a sandbox database (API users: admin, readonly)

and ``python -m ftrack_orm.sandbox --schemas DIR/schemas.json --server-information
DIR/server_information.json --db DIR/sandbox.db`` serves it. The server's API key is
never written: the database holds only the sandbox's own users and keys.
"""
from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

import attrs

from .relations import Relations
from .sandbox import Sandbox
from .sandbox.computed import COMPUTED
from .schema import SchemaRegistry
from .session import Session

#: Reference data copied whole, parents before what refers to them.
REFERENCE_TYPES: Tuple[str, ...] = (
    "ObjectType", "State", "Status", "Type", "Priority",
    "WorkflowSchema", "WorkflowSchemaStatus", "TaskTypeSchema", "TaskTypeSchemaType",
    "ProjectSchema", "ProjectSchemaOverride", "ProjectSchemaObjectType", "Schema", "SchemaStatus", "SchemaType",
)
#: Rows of one project: the type and its filter (``{id}``: the project's id).
PROJECT_TYPES: Tuple[Tuple[str, str], ...] = (("Project", "id is {id}"), ("TypedContext", "project_id is {id}"))
#: Operations per commit to the sandbox (its batch limit is higher).
CHUNK_SIZE = 500

SCHEMAS_FILE, SERVER_INFORMATION_FILE, DATABASE_FILE = "schemas.json", "server_information.json", "sandbox.db"


@attrs.frozen
class Snapshot:
    """What :func:`take_snapshot` wrote: file paths and the rows copied per entity type."""

    schemas: str
    server_information: str
    database: str
    counts: Dict[str, int]


def take_snapshot(session: Session, directory: str, project: Optional[str] = None,
                  progress: Optional[Callable[[str, int], None]] = None) -> Snapshot:
    """Save ``session``'s server shape into ``directory`` (created if missing; its
    ``sandbox.db`` must not exist yet); with ``project`` (a project's ``name``), that
    project and every context under it too. ``progress(entity_type, rows)`` is
    called after each type is read. Raises ``FileExistsError`` for an existing
    database and ``ValueError`` for an unknown project, before writing anything."""
    database = os.path.join(directory, DATABASE_FILE)
    if os.path.exists(database):
        raise FileExistsError(f"{database} already exists: choose another directory or remove it first.")
    registry = session.schemas
    project_id = _project_id(session, project) if project is not None else None
    rows = list(_read(session, registry, project_id, progress or (lambda entity_type, count: None)))
    os.makedirs(directory, exist_ok=True)
    schemas_path = _write_json(os.path.join(directory, SCHEMAS_FILE),
                               [session.get_schema(name) for name in registry])
    information_path = _write_json(os.path.join(directory, SERVER_INFORMATION_FILE), session.server_information)
    try:
        counts = _store(rows, schemas_path, information_path, database)
    except BaseException:
        _remove(database)
        raise
    return Snapshot(schemas_path, information_path, database, counts)


def _project_id(session: Session, name: str) -> str:
    found = session.query(session.types["Project"]).where(name=name).select("id").all()
    if not found:
        names = sorted(str(row["name"]) for row in session.query("select name from Project").to_dicts())
        raise ValueError(f"No project named {name!r} on {session.server_url}; projects: {', '.join(names) or 'none'}.")
    project_id: str = found[0].id
    return project_id


def _read(session: Session, registry: SchemaRegistry, project_id: Optional[str],
          progress: Callable[[str, int], None]) -> Iterable[Tuple[str, Dict[str, Any]]]:
    """``(entity type, data)`` of every row to copy (the unit of work orders their creates)."""
    wanted: List[Tuple[str, str]] = [(name, "") for name in REFERENCE_TYPES if name in registry]
    if project_id is not None:
        wanted += [(name, where.format(id=project_id)) for name, where in PROJECT_TYPES]
    copied = {registry.identity_type(name) for name, _ in wanted}
    columns = _Columns(registry, copied)
    for base, where in wanted:
        count = 0
        for name in _concrete(registry, base):
            attributes = columns.of(name)
            expression = f"select {', '.join(attributes)} from {name}" + (f" where {where}" if where else "")
            for row in session.query(expression).to_dicts():
                yield name, {key: value for key, value in row.items() if value is not None}
                count += 1
        progress(base, count)


def _concrete(registry: SchemaRegistry, base: str) -> List[str]:
    """The types rows of ``base`` are stored as: ``base`` itself, or for a supertype such as
    ``TypedContext`` each subtype an object type classifies (``Shot``, a studio's ``Slate``)."""
    subtypes = [name for name in registry if base in registry.ancestors(name) and registry[name].classifiers]
    return subtypes or [base]


class _Columns:
    """The attributes to copy of each type: stored scalars (not what the server computes,
    whether or not the schema says so), without keys of entities not copied."""

    def __init__(self, registry: SchemaRegistry, copied: Set[str]) -> None:
        self.registry, self.copied, self.relations = registry, copied, Relations(registry)

    def of(self, name: str) -> List[str]:
        schema = self.registry[name]
        types = {name, *self.registry.ancestors(name)}
        dropped = {rule.attribute for rule in COMPUTED if rule.entity_type in types}
        for attribute in schema.attributes.values():
            relation = self.relations.get(name, attribute.name) if attribute.is_relation else None
            if relation is not None and relation.kind == "reference" and \
                    self.registry.identity_type(relation.target) not in self.copied:
                dropped.add(relation.fk)
        return [attribute.name for attribute in schema.attributes.values()
                if not attribute.is_relation and not attribute.computed and attribute.name not in dropped]


def _store(rows: List[Tuple[str, Dict[str, Any]]], schemas: str, information: str, database: str) -> Dict[str, int]:
    """Create ``rows`` in a new sandbox database through a session on a local sandbox."""
    counts: Dict[str, int] = {}
    with Sandbox(db=database, seed="accounts", schemas=schemas, server_information=information) as sandbox, \
            Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as local:
        for entity_type, data in rows:
            local.create(entity_type, data)
            counts[entity_type] = counts.get(entity_type, 0) + 1
        local.commit(chunk_size=CHUNK_SIZE)
    return counts


def _write_json(path: str, value: Any) -> str:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1, sort_keys=False)
        handle.write("\n")
    return path


def _remove(database: str) -> None:
    for path in (database, database + "-wal", database + "-shm"):
        if os.path.exists(path):
            os.remove(path)
