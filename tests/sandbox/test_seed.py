"""The seed fills a store through the writer alone: no import of the server (no circle)."""
from __future__ import annotations

from ftrack_orm.sandbox.evaluator import Evaluator
from ftrack_orm.sandbox.seed import apply_seed, uid
from ftrack_orm.sandbox.store import Store
from ftrack_orm.sandbox.writes import Writer
from ftrack_orm.schema import SchemaRegistry

from tests.support.data import schemas_json
from tests.support.imports import imported_modules


def test_seed_does_not_import_the_server():
    assert "ftrack_orm.sandbox.server" not in imported_modules("ftrack_orm.sandbox.seed")
    assert "ftrack_orm.sandbox.seed" in imported_modules("ftrack_orm.sandbox.server")


def test_seed_fills_a_store_through_a_writer():
    store = Store(SchemaRegistry.from_json(schemas_json()))
    writer = Writer(store, Evaluator(store))
    with store.writing() as connection:
        connection.execute("BEGIN")
        apply_seed(writer, "empty")
        connection.execute("COMMIT")
    assert store.get("User", [uid("User", "admin")])["username"] == "admin"


def test_the_project_schema_is_complete():
    """Every collection of the seeded project schema holds rows, and each one resolves."""
    from ftrack_orm import Session
    from ftrack_orm.sandbox import Sandbox

    with Sandbox(seed="empty") as sandbox, Session(sandbox.url, sandbox.api_user, sandbox.api_key) as session:
        schema = session.query(
            "select _schemas.statuses.task_status.name, _schemas.types.task_type.name, _overrides.workflow_schema, "
            "_task_workflow.statuses, _version_workflow.statuses, _task_type_schema.types, object_types "
            "from ProjectSchema").one()
        assert schema._task_workflow.statuses and schema._version_workflow.statuses
        assert schema._task_type_schema.types and schema.object_types and schema._overrides
        assert all(override.workflow_schema.statuses for override in schema._overrides)
        shots = [s for s in schema._schemas if s.type_id == session.schemas["Shot"].attributes["object_type_id"].default]
        assert shots and all(link.task_status.name for link in shots[0].statuses)
        assert any(link.task_type.name for s in schema._schemas for link in s.types)
