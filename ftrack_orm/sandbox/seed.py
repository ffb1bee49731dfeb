"""Deterministic seeds: the same seed gives the same ids and values on every run.

``empty``: the API users (``admin``, and ``readonly`` whose writes are refused)
and the reference data a server always has (object types with their real ids,
states, statuses, priorities, task types, workflows, a complete project schema (task type schema, a workflow
override, per-object-type schemas with their statuses and types), custom
attribute types, asset types, a location). ``demo`` adds a small studio:
project ``demo_vfx``, sequences ``sq010``/``sq020``, shots ``sh010``…``sh100``
with ``fstart``/``fend`` custom attributes and metadata, 30 tasks of three
types and several statuses, assets with versions and components, notes,
assignments and timelogs, task dependencies (``TypedContextLink``), a task list and a
dailies list of versions. ``accounts`` holds only the API users (for a database
filled from elsewhere, e.g. ``ftrack-orm snapshot``). Everything is created through the same write path as
client ``create`` operations, with ids from :func:`uid` and a fixed clock.
"""
from __future__ import annotations

import contextlib
import datetime
import secrets
import uuid
from typing import Any, Callable, Dict, Iterator, Optional, Sequence, Tuple

from ..times import encode_datetime, utc_text
from .components import BUILTIN_LOCATIONS
from .writes import Writer

NAMESPACE = uuid.UUID("6f1c4a52-3d1e-5b7a-9c2f-0a1b2c3d4e5f")
START = datetime.datetime(2024, 1, 8, 9, 0, 0)

#: Real ids that ftrack servers ship with.
NOT_STARTED_STATE = "6c59abf8-4dbf-11e1-9902-f23c91df25eb"
USER_TYPE = "ac9fa5aa-4361-11e0-b7cc-0019bb4983d8"

STATES = (("Not started", "NOT_STARTED"), ("In progress", "IN_PROGRESS"), ("Blocked", "BLOCKED"), ("Done", "DONE"))
STATUSES = (
    ("Not started", "NOT_STARTED", "#cccccc"),
    ("In progress", "IN_PROGRESS", "#3498db"),
    ("Pending review", "IN_PROGRESS", "#f39c12"),
    ("Approved", "DONE", "#2ecc71"),
    ("On hold", "BLOCKED", "#e74c3c"),
)
TASK_TYPES = ("Generic", "Compositing", "Animation", "Lighting", "Modeling", "Rigging")
#: Types of asset builds (a real server ships these in the asset build object schema).
ASSET_BUILD_TYPES = ("Character", "Prop", "Environment")
#: Task types whose tasks follow a workflow of their own (a project schema override).
OVERRIDES = {"Modeling": ("Modeling workflow", ("Not started", "In progress", "Approved"))}
USERS = (
    ("admin", "Sandbox", "Admin", False),
    ("readonly", "Read", "Only", True),
    ("jane.doe", "Jane", "Doe", None),
    ("john.smith", "John", "Smith", None),
    ("amy.lee", "Amy", "Lee", None),
)


def uid(*parts: str) -> str:
    """A stable id for a seeded entity."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def api_key(username: str) -> str:
    """The fixed, predictable key of a seeded user (``Sandbox(fixed_keys=True)`` only)."""
    return uid("api-key", username)


def random_api_key(username: str) -> str:
    """A fresh, unguessable key (the default: nobody can derive it from the user name)."""
    return str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))


def apply_seed(writer: Writer, name: str, key_for: Callable[[str], str] = random_api_key) -> None:
    """Fill a new database with seed ``name`` through ``writer`` (inside the caller's
    transaction); ``key_for(username)`` makes each API user's key."""
    SEEDS[name](_Maker(writer, key_for))


class _Maker:
    """Creates entities through the sandbox's write path with a fixed clock."""

    def __init__(self, writer: Writer, key_for: Callable[[str], str]) -> None:
        self.writer = writer
        self.key_for = key_for
        self.schemas = writer.schemas
        self.user_id: Optional[str] = None
        self.tick = 0

    def __call__(self, entity_type: str, data: Dict[str, Any], label: str = "") -> str:
        """Create an entity that has an ``id`` (a seeded one unless given); return the id."""
        new_id: str = self._create(entity_type, data, label)["id"]
        return new_id

    def link(self, entity_type: str, data: Dict[str, Any]) -> None:
        """Create an entity keyed by its references (no ``id``), e.g. ``WorkflowSchemaStatus``."""
        self._create(entity_type, data, "")

    def _create(self, entity_type: str, data: Dict[str, Any], label: str) -> Dict[str, Any]:
        schema = self.schemas[entity_type]
        data = dict(data)
        if "id" in schema.attributes and "id" not in data:
            data["id"] = uid(entity_type, label or str(data.get("name")))
        self.tick += 1
        now = utc_text(START + datetime.timedelta(minutes=self.tick))
        self.writer.create(entity_type, data, self.user_id, now)
        return data

    @contextlib.contextmanager
    def paused_clock(self) -> Iterator[None]:
        """Entities made inside do not advance the clock: the times seeded after them stay as they were."""
        tick = self.tick
        yield
        self.tick = tick

    def at(self, minutes: int) -> Dict[str, str]:
        return encode_datetime(START + datetime.timedelta(minutes=minutes))


def _accounts(make: _Maker, users: Sequence[Tuple[str, str, str, Optional[bool]]]) -> Dict[str, str]:
    """The user type, ``users`` and the API users' credentials; returns user ids by name."""
    ids: Dict[str, str] = {}
    connection = make.writer.store.connection
    make("UserType", {"id": USER_TYPE, "name": "user"})
    for username, first, last, readonly in users:
        ids[username] = make("User", {
            "username": username, "first_name": first, "last_name": last, "email": f"{username}@example.com",
            "is_active": True, "user_type_id": USER_TYPE,
        }, username)
        if readonly is not None:
            connection.execute(
                "INSERT INTO _sandbox_credentials (username, api_key, readonly) VALUES (?, ?, ?)",
                [username, make.key_for(username), int(readonly)],
            )
        if username == "admin":
            make.user_id = ids["admin"]
    return ids


def _empty(make: _Maker) -> Dict[str, str]:
    """Users, credentials and reference data; returns ids by name."""
    schemas = make.schemas
    ids = _accounts(make, USERS)
    for name in sorted(schemas):
        classifier = schemas[name].classifiers.get("object_typeid")
        if classifier:
            leaf = name in ("Task", "Milestone")
            ids[f"object_type:{name}"] = make("ObjectType", {
                "id": classifier, "name": name, "is_leaf": leaf, "is_typeable": leaf, "is_taskable": not leaf,
                "is_time_reportable": leaf, "is_schedulable": leaf, "is_statusable": True,
            })
    for state_name, short in STATES:
        data: Dict[str, Any] = {"name": state_name, "short": short}
        if short == "NOT_STARTED":
            data["id"] = NOT_STARTED_STATE
        ids[f"state:{short}"] = make("State", data)
    for sort, (status_name, short, color) in enumerate(STATUSES):
        ids[f"status:{status_name}"] = make("Status", {
            "name": status_name, "color": color, "is_active": True, "sort": sort,
            "state": {"__entity_type__": "State", "id": ids[f"state:{short}"]},
        })
    default_priority = schemas["Task"].attributes["priority_id"].default
    for sort, priority in enumerate(("Low", "Medium", "High")):
        data = {"name": priority, "sort": sort, "color": "#999999", "value": float(sort)}
        if priority == "Medium" and default_priority:
            data["id"] = default_priority
        make("Priority", {k: v for k, v in data.items() if k in schemas["Priority"].attributes})
    for sort, type_name in enumerate(TASK_TYPES):
        ids[f"type:{type_name}"] = make("Type", {"name": type_name, "sort": sort, "color": "#777777", "is_billable": True})
    for workflow in ("Task workflow", "Version workflow"):
        ids[workflow] = make("WorkflowSchema", {"name": workflow})
        for status_name, _, _ in STATUSES:
            make.link("WorkflowSchemaStatus", {"workflow_schema_id": ids[workflow], "status_id": ids[f"status:{status_name}"]})
    with make.paused_clock():
        ids["task_type_schema"] = make("TaskTypeSchema", {"name": "VFX task types"})
        for type_name in TASK_TYPES:
            make.link("TaskTypeSchemaType", {"task_type_schema_id": ids["task_type_schema"], "type_id": ids[f"type:{type_name}"]})
    ids["project_schema"] = make("ProjectSchema", {
        "name": "VFX", "task_workflow_schema_id": ids["Task workflow"],
        "asset_version_workflow_schema_id": ids["Version workflow"], "task_type_schema_id": ids["task_type_schema"],
    })
    with make.paused_clock():
        _object_type_schemas(make, ids)
    for type_name in ("number", "text", "boolean", "date"):
        ids[f"cat:{type_name}"] = make("CustomAttributeType", {"name": type_name, "core": True})
    for asset_type in ("Upload", "Render", "Geometry"):
        ids[f"asset_type:{asset_type}"] = make("AssetType", {"name": asset_type, "short": asset_type.lower()})
    for location_name, location_id, label in BUILTIN_LOCATIONS:
        ids[location_name] = make("Location", {"id": location_id, "name": location_name, "label": label})
    make.tick -= len(BUILTIN_LOCATIONS) - 1  # one clock tick for all: later seeded times stay as they were
    ids["location"] = ids["ftrack.unmanaged"]
    return ids


def _object_type_schemas(make: _Maker, ids: Dict[str, str]) -> None:
    """The rest of the project schema as a real server ships it: a workflow override per
    task type of :data:`OVERRIDES`, the object types it uses, and for each statusable
    object type other than ``Task`` (whose statuses come from the workflows) a ``Schema``
    with its ``SchemaStatus`` rows and, for asset builds, ``SchemaType`` rows."""
    schemas, project_schema = make.schemas, ids["project_schema"]
    for type_name, (workflow, members) in OVERRIDES.items():
        ids[workflow] = make("WorkflowSchema", {"name": workflow})
        for status_name in members:
            make.link("WorkflowSchemaStatus", {"workflow_schema_id": ids[workflow], "status_id": ids[f"status:{status_name}"]})
        make("ProjectSchemaOverride", {"project_schema_id": project_schema, "type_id": ids[f"type:{type_name}"],
                                       "workflow_schema_id": ids[workflow]}, type_name)
    for sort, type_name in enumerate(ASSET_BUILD_TYPES, start=len(TASK_TYPES)):
        ids[f"type:{type_name}"] = make("Type", {"name": type_name, "sort": sort, "color": "#777777", "is_billable": False})
    for name in sorted(schemas):
        object_type = ids.get(f"object_type:{name}")
        if object_type is None:
            continue
        make.link("ProjectSchemaObjectType", {"project_schema_id": project_schema, "object_type_id": object_type})
        status = schemas[name].attributes.get("status_id")
        if name == "Task" or status is None or "status_id" in schemas[name].immutable:
            continue  # tasks follow the workflows; a type whose status cannot change has no statuses
        schema_id = make("Schema", {"project_schema_id": project_schema, "type_id": object_type}, name)
        for sort, (status_name, _, _) in enumerate(STATUSES):
            make.link("SchemaStatus", {"schema_id": schema_id, "status_id": ids[f"status:{status_name}"], "sort": sort})
        if name == "AssetBuild":
            for sort, type_name in enumerate(ASSET_BUILD_TYPES):
                make.link("SchemaType", {"schema_id": schema_id, "type_id": ids[f"type:{type_name}"], "sort": sort})


def _demo(make: _Maker) -> None:
    ids = _empty(make)
    project = make("Project", {
        "name": "demo_vfx", "full_name": "Demo VFX", "project_schema_id": ids["project_schema"],
        "start_date": make.at(0), "end_date": make.at(60 * 24 * 90), "is_global": False,
        "metadata": {"client": "ACME", "delivery": "2024-04-01"},
    })
    for key, label in (("fstart", "Frame start"), ("fend", "Frame end")):
        make("CustomAttributeConfiguration", {
            "key": key, "label": label, "entity_type": "task", "object_type_id": ids["object_type:Shot"],
            "type_id": ids["cat:number"], "config": '{"isdecimal": false}', "core": False, "default": 1001,
            "project_id": project,
        }, key)
    users = ("jane.doe", "john.smith", "amy.lee")
    statuses = [s[0] for s in STATUSES]
    task_number = 0
    tasks: Dict[str, Dict[str, str]] = {}
    latest: Dict[str, str] = {}
    for s, sequence in enumerate(("sq010", "sq020")):
        sequence_id = make("Sequence", {"name": sequence, "parent_id": project, "description": f"Sequence {sequence}"})
        for n in range(5):
            shot_index = s * 5 + n
            shot = f"sh{(shot_index + 1) * 10:03d}"
            fstart, fend = 1001, 1001 + 40 + shot_index * 8
            shot_id = make("Shot", {
                "name": shot, "parent": {"__entity_type__": "Sequence", "id": sequence_id},
                "description": f"Shot {shot} of {sequence}", "metadata": {"camera": f"cam_{'ABC'[shot_index % 3]}", "lens": f"{35 + 15 * (shot_index % 3)}mm"},
                "custom_attributes": {"fstart": fstart, "fend": fend},
            }, shot)
            task_ids = tasks[shot] = {}
            for t, type_name in enumerate(("Compositing", "Animation", "Lighting")):
                status = statuses[0] if task_number < 2 else statuses[task_number % len(statuses)]
                task_ids[type_name] = make("Task", {
                    "name": type_name.lower(), "parent_id": shot_id, "type_id": ids[f"type:{type_name}"],
                    "status_id": ids[f"status:{status}"], "bid": float(2 + t + shot_index % 3),
                    "start_date": make.at(60 * 24 * (shot_index + t)), "end_date": make.at(60 * 24 * (shot_index + t + 5)),
                    "description": f"{type_name} for {shot}",
                }, f"{shot}/{type_name}")
                user = users[task_number % len(users)]
                make("Appointment", {"type": "assignment", "context_id": task_ids[type_name], "resource_id": ids[user]},
                     f"{shot}/{type_name}/assignment")
                if task_number % 4 == 0:
                    make("Timelog", {"comment": "work", "start": make.at(60 * 24 * shot_index + 600), "duration": 3600.0 * (1 + t),
                                     "user_id": ids[user], "context_id": task_ids[type_name]}, f"{shot}/{type_name}/timelog")
                task_number += 1
            asset_id = make("Asset", {"name": f"{shot}_comp", "parent": {"__entity_type__": "Shot", "id": shot_id},
                                      "type_id": ids["asset_type:Render"]}, f"{shot}/asset")
            for version in range(1, (4 if shot_index < 5 else 3)):
                version_id = make("AssetVersion", {
                    "asset_id": asset_id, "version": version, "task_id": task_ids["Compositing"],
                    "user_id": ids[users[(shot_index + version) % 3]], "comment": f"{shot} comp v{version}",
                    "status_id": ids[f"status:{statuses[(version + shot_index) % 4]}"], "date": make.at(60 * 24 * (shot_index + version)),
                    "is_published": True,
                }, f"{shot}/v{version}")
                latest[shot] = version_id
                component_id = make("FileComponent", {"name": "main", "file_type": ".exr", "size": 1024 * version,
                                                      "version_id": version_id, "system_type": "file"}, f"{shot}/v{version}/main")
                make("ComponentLocation", {"component_id": component_id, "location_id": ids["location"],
                                           "resource_identifier": f"/mnt/demo/{shot}/v{version:03d}/main.exr"}, f"{shot}/v{version}/loc")
            if shot_index % 2 == 0:
                author = ids[users[shot_index % 3]]
                note_id = make("Note", {"content": f"Please check the edge work on {shot}.", "parent_id": shot_id,
                                        "parent_type": "Shot", "user_id": author, "date": make.at(60 * 24 * shot_index)}, f"{shot}/note")
                make("Note", {"content": "Fixed in the next version.", "parent_id": shot_id, "parent_type": "Shot",
                              "in_reply_to_id": note_id, "user_id": ids[users[(shot_index + 1) % 3]],
                              "date": make.at(60 * 24 * shot_index + 60)}, f"{shot}/reply")

    _lists_and_links(make, project, tasks, latest)


def _lists_and_links(make: _Maker, project: str, tasks: Dict[str, Dict[str, str]],
                     latest: Dict[str, str]) -> None:
    """Task dependencies (animation, then lighting, then compositing), a list of the
    compositing tasks of ``sq010`` for the client and a dailies list of each shot's latest version."""
    for shot, task_ids in tasks.items():
        for before, after in (("Animation", "Lighting"), ("Lighting", "Compositing")):
            make("TypedContextLink", {"from_id": task_ids[before], "to_id": task_ids[after]}, f"{shot}/{before}>{after}")
    lists = (("Client review", "TypedContextList", "Client review sq010",
              [tasks[f"sh0{n}0"]["Compositing"] for n in range(1, 6)]),
             ("Dailies", "AssetVersionList", "Dailies", list(latest.values())))
    for category, list_type, name, members in lists:
        category_id = make("ListCategory", {"name": category})
        list_id = make(list_type, {"name": name, "category_id": category_id, "project_id": project,
                                   "owner": {"__entity_type__": "User", "id": make.user_id}, "date": make.at(60 * 24 * 2)})
        for member in members:
            make("ListObject", {"list_id": list_id, "entity_id": member}, f"{name}/{member}")


SEEDS: Dict[str, Callable[[_Maker], Any]] = {
    "empty": _empty, "demo": _demo,
    "accounts": lambda make: _accounts(make, [user for user in USERS if user[3] is not None]),
}
