"""``project_schema.get_statuses(schema, type_id=None)`` and ``get_types(schema)``, as in
ftrack-python-api (``ftrack_api.entity.project_schema``).

``Task`` statuses come from the task workflow (or the override of ``type_id``), ``Task``
types from the task type schema, ``AssetVersion`` statuses from the version workflow;
other types (``Shot``, ``Sequence``...) from the project schema's object type schema
(``Schema``) of the type's ``object_type_id`` default, then its ``SchemaStatus`` or
``SchemaType`` rows (two queries). ``ValueError`` names the
schema when it has none.
"""
from __future__ import annotations

from typing import Any, List, Optional


class ProjectSchemaStatuses:
    """``get_statuses`` / ``get_types`` for ``ProjectSchema``."""

    __slots__ = ()

    def get_statuses(self, schema: str, type_id: Optional[str] = None) -> List[Any]:
        """The ``Status`` entities of ``schema`` (``"Task"``, ``"AssetVersion"``, ``"Shot"``...);
        for ``Task``, ``type_id`` picks a type's workflow override when there is one."""
        if schema == "Task":
            if type_id is not None:
                for override in self["task_workflow_schema_overrides"]:  # type: ignore[index]
                    if override["type_id"] == type_id:
                        return list(override["workflow_schema"]["statuses"])
            return list(self["task_workflow_schema"]["statuses"])  # type: ignore[index]
        if schema == "AssetVersion":
            return list(self["asset_version_workflow_schema"]["statuses"])  # type: ignore[index]
        return self._object_type_values(schema, "statuses", "SchemaStatus", "task_status")

    def get_types(self, schema: str) -> List[Any]:
        """The ``Type`` entities of ``schema`` (``"Task"``: the task type schema's)."""
        if schema == "Task":
            return list(self["task_type_schema"]["types"])  # type: ignore[index]
        return self._object_type_values(schema, "types", "SchemaType", "task_type")

    def _object_type_values(self, schema: str, what: str, link: str, target: str) -> List[Any]:
        session: Any = self.session  # type: ignore[attr-defined]
        if schema not in session.types:
            raise ValueError(f"Schema {schema} does not exist.")
        attribute = session.schemas[schema].attributes.get("object_type_id")
        if attribute is None or not attribute.has_default:
            raise ValueError(f"Schema {schema} does not have {what}.")
        # the official client reads the project schema's ``_schemas``: the same rows, filtered here
        object_schema = session.query("Schema").where(project_schema_id=self["id"],  # type: ignore[index]
                                                      type_id=attribute.default).select("id").first()
        if object_schema is not None:
            rows = session.query(link).where(schema_id=object_schema["id"]).select(target).all()
            return [row[target] for row in rows]
        raise ValueError(f"No valid {what} were found for schema {schema}.")
