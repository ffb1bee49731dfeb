"""``project_schema.get_statuses`` / ``get_types`` as in ftrack-python-api, on schema objects
this test creates through the session."""
from __future__ import annotations

import pytest

from ftrack_orm import Session
from ftrack_orm.sandbox import Sandbox


@pytest.fixture
def studio():
    with Sandbox(seed="demo") as sandbox, Session(sandbox.url, sandbox.api_user, sandbox.api_key) as session:
        yield sandbox, session


def make_project_schema(session):
    """A project schema: task workflow (2 statuses), an override for the first type (1 status),
    a version workflow (1 status), a task type schema (3 types), and a Shot object schema."""
    statuses, types = session.query("Status").order_by("name").all(), session.query("Type").order_by("name").all()

    def workflow(name, members):
        schema = session.create("WorkflowSchema", {"name": name})
        for status in members:
            session.create("WorkflowSchemaStatus", {"workflow_schema_id": schema.id, "status_id": status.id})
        return schema

    task_types = session.create("TaskTypeSchema", {"name": "task types"})
    for kind in types[:3]:
        session.create("TaskTypeSchemaType", {"task_type_schema_id": task_types.id, "type_id": kind.id})
    project_schema = session.create("ProjectSchema", {
        "name": "studio", "task_workflow_schema": workflow("tasks", statuses[:2]),
        "asset_version_workflow_schema": workflow("versions", statuses[2:3]), "task_type_schema": task_types,
    })
    session.create("ProjectSchemaOverride", {"project_schema_id": project_schema.id, "type_id": types[0].id,
                                             "workflow_schema": workflow("override", statuses[3:4])})
    shot_type = session.schemas["Shot"].attributes["object_type_id"].default
    shots = session.create("Schema", {"project_schema_id": project_schema.id, "object_type_id": shot_type,
                                      "type_id": shot_type})
    session.create("SchemaStatus", {"schema_id": shots.id, "status_id": statuses[4].id, "sort": 0})
    session.commit()
    return project_schema.id, statuses, types


def fresh(sandbox, project_schema_id):
    reader = Session(sandbox.url, sandbox.api_user, sandbox.api_key)
    return reader, reader.get("ProjectSchema", project_schema_id)


def test_what_a_project_schema_does_not_have_is_a_value_error(studio):
    sandbox, session = studio
    key, _, _ = make_project_schema(session)
    reader, project_schema = fresh(sandbox, key)
    with reader:
        assert project_schema.get_types("Shot") == []  # its object schema has no SchemaType rows
        with pytest.raises(ValueError, match="No valid types were found for schema Sequence"):
            project_schema.get_types("Sequence")
        with pytest.raises(ValueError, match="No valid statuses were found for schema Sequence"):
            project_schema.get_statuses("Sequence")
        with pytest.raises(ValueError, match="Schema Nope does not exist"):
            project_schema.get_statuses("Nope")
        with pytest.raises(ValueError, match="Schema Note does not have statuses"):
            project_schema.get_statuses("Note")


def test_statuses_and_types(studio):
    sandbox, session = studio
    key, statuses, types = make_project_schema(session)
    reader, project_schema = fresh(sandbox, key)
    with reader:
        assert [s.id for s in project_schema.get_statuses("Shot")] == [statuses[4].id]
        assert {s.id for s in project_schema.get_statuses("Task")} == {s.id for s in statuses[:2]}
        assert [s.id for s in project_schema.get_statuses("Task", types[0].id)] == [statuses[3].id]
        assert {s.id for s in project_schema.get_statuses("Task", types[1].id)} == {s.id for s in statuses[:2]}
        assert [s.id for s in project_schema.get_statuses("AssetVersion")] == [statuses[2].id]
        assert {t.id for t in project_schema.get_types("Task")} == {t.id for t in types[:3]}
