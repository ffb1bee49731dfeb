"""Required attributes, checked at the END of a batch as a server checks them.

A ``create`` may leave a required attribute unset when a later ``update`` of the
same batch fills it (the server writes the whole batch, then validates): each
create is remembered (:meth:`RequiredAttributes.created`) with the index of the
operation that made it, and :meth:`RequiredAttributes.settle` checks the rows as
they stand after the last operation. The error names the creating operation's
index, and the batch is rolled back by the caller.
"""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

from ..schema import EntitySchema
from .errors import SandboxError, validation_error
from .store import Store


#: (type or one of its supertypes) → attributes a real server requires though the schemas do
#: not list them. A typed context (``Shot``, ``Task``…) lives in a project: its ``project_id`` is
#: its parent's project, and ftrack-python-api's ``StandardStructure`` reads ``link[0]`` of any
#: context as its ``Project``. No public source shows a server accepting one without a parent.
REQUIRED_BEYOND_SCHEMAS = {
    "TypedContext": ("parent_id",),
}


class RequiredAttributes:
    """The creates of the running batch whose required attributes are checked when it ends."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._created: List[Tuple[EntitySchema, List[Any], Optional[int]]] = []

    def begin(self) -> None:
        """Forget what an earlier batch created."""
        self._created = []

    def created(self, schema: EntitySchema, key: List[Any]) -> None:
        """``schema.name`` ``key`` was created by the running operation."""
        self._created.append((schema, key, None))

    def operation_done(self, index: int) -> None:
        """Operation ``index`` of the batch finished: it made the creates not yet attributed."""
        self._created = [(s, k, index if i is None else i) for s, k, i in self._created]

    def settle(self) -> Optional[Tuple[int, SandboxError]]:
        """The first create (in batch order) that still lacks a required attribute, with its
        operation index and error; ``None`` if every one is complete."""
        created, self._created = self._created, []
        for schema, key, index in created:
            row = self.store.get(schema.name, key)
            if row is None:  # deleted later in the batch
                continue
            missing = self.missing(schema, row)
            if missing:
                return index or 0, validation_error(
                    f"Missing required attribute(s) for {schema.name}: {', '.join(missing)}."
                )
        return None

    def missing(self, schema: EntitySchema, row: Any) -> List[str]:
        """The required scalar attributes of ``schema`` that ``row`` leaves null."""
        columns = row.keys()
        missing = []
        required = list(schema.required)
        for type_name in (schema.name, *self.store.schemas.ancestors(schema.name)):
            required.extend(REQUIRED_BEYOND_SCHEMAS.get(type_name, ()))
        for name in required:
            attribute = schema.attributes.get(name)
            if attribute is None or not attribute.is_scalar or (name in columns and row[name] is not None):
                continue
            if name == "type_id" and not self._typeable(row["object_type_id"] if "object_type_id" in columns else None):
                continue
            missing.append(name)
        return missing

    def _typeable(self, object_type_id: Optional[str]) -> bool:
        if object_type_id is None or "ObjectType" not in self.store.schemas:
            return True
        row = self.store.get("ObjectType", [object_type_id])
        return row is None or bool(row["is_typeable"])
