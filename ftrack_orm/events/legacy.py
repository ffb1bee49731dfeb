"""The legacy names ``ftrack.update`` events use, shared by the sandbox (which writes them)
and :mod:`ftrack_orm.events.updates` (which reads them back)."""
from __future__ import annotations

from typing import Dict

__all__ = ["LEGACY_ATTRIBUTES", "LEGACY_TYPES", "SCHEMA_ATTRIBUTES"]

#: Schema attribute → the name ftrack.update events use for it.
LEGACY_ATTRIBUTES: Dict[str, str] = {
    "status_id": "statusid", "type_id": "typeid", "object_type_id": "object_typeid", "priority_id": "priorityid",
    "start_date": "startdate", "end_date": "enddate", "task_id": "taskid", "user_id": "userid",
    "project_schema_id": "projectschemeid",
}
#: The reverse: legacy name in ``keys`` / ``changes`` → schema attribute.
SCHEMA_ATTRIBUTES: Dict[str, str] = {legacy: name for name, legacy in LEGACY_ATTRIBUTES.items()}
#: Schema name → legacy ``entityType`` (contexts: ``task``, a project: ``show``).
LEGACY_TYPES: Dict[str, str] = {
    "AssetVersion": "assetversion", "Asset": "asset", "Note": "note", "User": "user", "List": "list",
    "TypedContextList": "list", "AssetVersionList": "list", "TypedContextLink": "dependency",
    "Appointment": "appointment", "Component": "component", "FileComponent": "component",
    "ContainerComponent": "component", "SequenceComponent": "component", "Timelog": "timelog",
}
