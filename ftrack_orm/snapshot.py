"""Save a server's shape for offline tests: ``ftrack-orm snapshot``.

:func:`take_snapshot` reads a server through a :class:`~ftrack_orm.session.Session`
(its schemas, custom object types included, its server information, its reference
data: object types, states, statuses, task types, priorities, workflows and project
schemas, locations, asset types, note categories and labels, list categories, custom
attribute types, groups and global configurations; its users: usernames, names, emails,
``is_active``; optionally one project: its contexts, custom attribute configurations
and values, assets, versions, components and their component locations (as they were:
same locations and resource identifiers, no file bytes), notes and their labels, lists
and their objects, context and version links, assignments, timelogs and metadata) and
stores it in a new sandbox database through the sandbox's own API (a second session on
a local sandbox serving the saved schemas), keeping every id as on the server, a page
at a time (:data:`COPIES` says what, in which order). The directory then holds::

    schemas.json               the server's query_schemas answer
    server_information.json    its query_server_information answer
    sandbox.db                 a sandbox database (API users: admin, readonly)

and ``python -m ftrack_orm.sandbox --schemas DIR/schemas.json --server-information
DIR/server_information.json --db DIR/sandbox.db`` serves it. The server's API key is
never written: the database holds only the sandbox's own users and keys (a server user
whose username is one of theirs is copied as ``<username>.server``).
"""
from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, List, Optional, Tuple

import attrs

from .relations import Relations
from .sandbox import Sandbox
from .sandbox.computed import COMPUTED
from .schema import SchemaRegistry
from .session import Session

@attrs.frozen
class Copy:
    """One entry of :data:`COPIES`: rows of ``entity_type`` (its concrete subtypes) matching
    ``where`` (``{id}``: the project's id). ``project``: only with a project (else with or
    without one); ``people``: only when users are copied; ``attributes``: only these."""

    entity_type: str
    where: str = ""
    project: bool = False
    people: bool = False
    attributes: Optional[Tuple[str, ...]] = None


_CONTEXTS = "select id from TypedContext where project_id is {id}"
_ASSETS = f"select id from Asset where context_id is {{id}} or context_id in ({_CONTEXTS})"
_VERSIONS = f"select id from AssetVersion where asset_id in ({_ASSETS})"
_COMPONENTS = f"select id from Component where version_id in ({_VERSIONS})"
_NOTES = f"select id from Note where parent_id is {{id}} or parent_id in ({_CONTEXTS}) or parent_id in ({_VERSIONS})"
_LISTS = "select id from List where project_id is {id}"


def _owned(key: str, *owners: str) -> str:
    return " or ".join([f"{key} is {{id}}", *(f"{key} in ({owner})" for owner in owners)])


#: What is copied, in this order (what rows refer to comes first): reference data whole,
#: users (keys never: they are not attributes), then one project's rows.
COPIES: Tuple[Copy, ...] = (
    *(Copy(name) for name in (
        "ObjectType", "State", "Status", "Type", "Priority",
        "WorkflowSchema", "WorkflowSchemaStatus", "TaskTypeSchema", "TaskTypeSchemaType", "ProjectSchema",
        "ProjectSchemaOverride", "ProjectSchemaObjectType", "Schema", "SchemaStatus", "SchemaType",
        "Location", "AssetType", "NoteCategory", "NoteLabel", "ListCategory",
        "CustomAttributeType", "CustomAttributeGroup")),
    Copy("CustomAttributeConfiguration", "project_id is none"),
    Copy("UserType", people=True),
    Copy("User", people=True,
         attributes=("id", "username", "first_name", "last_name", "email", "is_active", "user_type_id")),
    Copy("Project", "id is {id}", project=True),
    Copy("TypedContext", "project_id is {id}", project=True),
    Copy("CustomAttributeConfiguration", "project_id is {id}", project=True),
    Copy("Asset", _owned("context_id", _CONTEXTS), project=True),
    Copy("AssetVersion", f"asset_id in ({_ASSETS})", project=True),
    Copy("Component", f"version_id in ({_VERSIONS})", project=True),
    Copy("ComponentLocation", f"component_id in ({_COMPONENTS})", project=True),
    Copy("Note", _owned("parent_id", _CONTEXTS, _VERSIONS), project=True),
    Copy("NoteLabelLink", f"note_id in ({_NOTES})", project=True),
    Copy("List", "project_id is {id}", project=True),
    Copy("ListObject", f"list_id in ({_LISTS})", project=True),
    Copy("TypedContextLink", f"from_id in ({_CONTEXTS}) and to_id in ({_CONTEXTS})", project=True),
    Copy("AssetVersionLink", f"from_id in ({_VERSIONS}) and to_id in ({_VERSIONS})", project=True),
    Copy("Appointment", f"context_id in ({_CONTEXTS}) and resource_id in (select id from User)",
         project=True, people=True),
    Copy("Timelog", f"context_id in ({_CONTEXTS})", project=True, people=True),
    Copy("CustomAttributeValue", _owned("entity_id", _CONTEXTS, _ASSETS, _VERSIONS, _LISTS), project=True),
    Copy("Metadata", _owned("parent_id", _CONTEXTS, _ASSETS, _VERSIONS, _COMPONENTS, _NOTES, _LISTS),
         project=True),
)
#: Attributes never copied: thumbnails are components outside the project's versions.
NOT_COPIED = frozenset({"thumbnail_id"})
#: Rows per page read and operations per commit to the sandbox (its batch limit is higher).
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
                  progress: Optional[Callable[[str, int], None]] = None, people: bool = True) -> Snapshot:
    """Save ``session``'s server shape into ``directory`` (created if missing; its
    ``sandbox.db`` must not exist yet); with ``project`` (a project's ``name``), that
    project, every context under it and what hangs off them too (see :data:`COPIES`).
    ``people=False``: no users (nor assignments and timelogs); what must have one (a
    note's author) gets the sandbox's ``admin``. ``progress(entity_type, rows)`` is
    called after each entry of :data:`COPIES` is copied. Raises ``FileExistsError`` for
    an existing database and ``ValueError`` for an unknown project, before writing anything."""
    database = os.path.join(directory, DATABASE_FILE)
    if os.path.exists(database):
        raise FileExistsError(f"{database} already exists: choose another directory or remove it first.")
    registry = session.schemas
    project_id = _project_id(session, project) if project is not None else None
    copies = [copy for copy in COPIES if copy.entity_type in registry and (people or not copy.people)
              and (project_id is not None or not copy.project)]
    os.makedirs(directory, exist_ok=True)
    schemas_path = _write_json(os.path.join(directory, SCHEMAS_FILE),
                               [session.get_schema(name) for name in registry])
    information_path = _write_json(os.path.join(directory, SERVER_INFORMATION_FILE), session.server_information)
    try:
        with Sandbox(db=database, seed="accounts", schemas=schemas_path, server_information=information_path) \
                as sandbox, Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as local:
            counts = _Copier(session, local, copies, project_id).run(progress or (lambda entity_type, count: None))
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


class _Copier:
    """Copies :data:`COPIES` entries from ``remote`` to ``local`` a page at a time."""

    def __init__(self, remote: Session, local: Session, copies: List[Copy], project_id: Optional[str]) -> None:
        self.remote, self.local, self.copies, self.project_id = remote, local, copies, project_id
        registry = self.registry = remote.schemas
        self.relations = Relations(registry)
        self.copied = {registry.identity_type(copy.entity_type) for copy in copies}
        self.counts: Dict[str, int] = {}
        self.users = {str(row["username"]): str(row["id"]) for row in local.query("select username from User").to_dicts()}

    def run(self, progress: Callable[[str, int], None]) -> Dict[str, int]:
        for copy in self.copies:
            names = _concrete(self.registry, copy.entity_type)
            together = any(self._refers_to_itself(name) for name in names)
            count = sum(self._copy(copy, name, together) for name in names)
            self._commit()
            progress(copy.entity_type, count)
        return self.counts

    def _copy(self, copy: Copy, name: str, together: bool) -> int:
        """Copy the rows of ``name``: commits each page unless ``together`` (rows of the
        entry refer to each other, as a shot to its sequence or a reply to its note: the
        caller commits them at once and the unit of work orders them)."""
        attributes, defaults = self._columns(name, copy.attributes)
        where = copy.where.format(id=self.project_id)
        expression = f"select {', '.join(attributes)} from {name}" + (f" where {where}" if where else "")
        existing = {str(row["id"]) for row in self.local.query(f"select id from {name}").to_dicts()} \
            if copy.people else set()
        count = 0
        for page in self.remote.query(expression, page_size=CHUNK_SIZE).pages():
            for entity in page:
                loaded = entity.to_dict()
                data = {key: loaded[key] for key in attributes if loaded.get(key) is not None}
                if data.get("id") in existing:
                    continue  # the sandbox's own API users (and their user type) are there already
                if name == "User" and self.users.get(str(data.get("username")), data["id"]) != data["id"]:
                    data["username"] = f"{data['username']}.server"  # the sandbox's API user keeps its name
                self.local.create(name, {**defaults, **data})
                count += 1
            if not together:
                self._commit()
        self.counts[name] = self.counts.get(name, 0) + count
        return count

    def _commit(self) -> None:
        self.local.commit(chunk_size=CHUNK_SIZE)
        self.local.expunge_all()

    def _columns(self, name: str, only: Optional[Tuple[str, ...]]) -> Tuple[List[str], Dict[str, Any]]:
        """The attributes of ``name`` to copy: stored scalars (not what the server computes,
        whether or not the schema says so), without keys of entities not copied; and the
        values for required keys of users not copied (the sandbox's API user)."""
        schema = self.registry[name]
        types = {name, *self.registry.ancestors(name)}
        dropped = {rule.attribute for rule in COMPUTED if rule.entity_type in types} | NOT_COPIED
        defaults: Dict[str, Any] = {}
        for attribute in schema.attributes.values():
            relation = self.relations.get(name, attribute.name) if attribute.is_relation else None
            if relation is None or relation.kind != "reference":
                continue
            target = self.registry.identity_type(relation.target)
            if target not in self.copied:
                dropped.add(relation.fk)
                if relation.fk in schema.required and target == self.registry.identity_type("User"):
                    defaults[relation.fk] = self.users[self.local.api_user]
        columns = [attribute.name for attribute in schema.attributes.values()
                   if not attribute.is_relation and not attribute.computed and attribute.name not in dropped]
        return [column for column in columns if only is None or column in only], defaults

    def _refers_to_itself(self, name: str) -> bool:
        own = self.registry.identity_type(name)
        for attribute in self.registry[name].attributes.values():
            relation = self.relations.get(name, attribute.name) if attribute.is_relation else None
            if relation is not None and relation.kind == "reference" and self.registry.identity_type(relation.target) == own:
                return True
        return False


def _concrete(registry: SchemaRegistry, base: str) -> List[str]:
    """The types rows of ``base`` are stored as: ``base`` itself, or for a supertype such as
    ``TypedContext`` each subtype an object type classifies (``Shot``, a studio's ``Slate``),
    or else each subtype without subtypes of its own (``FileComponent``, ...)."""
    subtypes = [name for name in registry if base in registry.ancestors(name)]
    classified = [name for name in subtypes if registry[name].classifiers]
    leaves = [name for name in subtypes if not any(name in registry.ancestors(other) for other in subtypes)]
    return classified or leaves or [base]


def _write_json(path: str, value: Any) -> str:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1, sort_keys=False)
        handle.write("\n")
    return path


def _remove(database: str) -> None:
    for path in (database, database + "-wal", database + "-shm"):
        if os.path.exists(path):
            os.remove(path)
