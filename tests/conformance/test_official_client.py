"""The official Python client (ftrack-python-api) against the sandbox: what it writes and reads.

Skipped only when ``ftrack_api`` is not installed (``pip install -e '.[interop]'``; CI installs it).
"""
from __future__ import annotations

import uuid

import pytest

from ftrack_orm.sandbox import Sandbox

ftrack_api = pytest.importorskip("ftrack_api")


#: The real id of the Shot object type.
SHOT_OBJECT_TYPE = "bad911de-3bd6-47b9-8b46-3476e237cb36"


@pytest.fixture
def sandbox():
    with Sandbox() as fresh_sandbox:
        yield fresh_sandbox


@pytest.fixture
def official(sandbox):
    session = ftrack_api.Session(
        server_url=sandbox.url, api_key=sandbox.api_key, api_user=sandbox.api_user,
        auto_connect_event_hub=False, plugin_paths=[], schema_cache_path=False,
    )
    yield session
    session.close()


def fresh(official, expression):
    """Read back through a new session: what the server stored, not the client's cache."""
    official.reset()
    return official.query(expression).one()


def test_metadata_written_as_the_official_client_writes_it(official):
    shot = official.query('Shot where name is "sh010"').one()
    shot["metadata"]["camera"] = "alexa"
    official.commit()
    assert fresh(official, 'select metadata from Shot where name is "sh010"')["metadata"]["camera"] == "alexa"


def test_notes_created_and_appended_as_the_official_client_does(official):
    shot = official.query('Shot where name is "sh010"').one()
    user = official.query(f'User where username is "{official.api_user}"').one()
    note = shot.create_note("looks good", author=user)
    official.commit()
    stored = fresh(official, 'select notes.content from Shot where name is "sh010"')
    assert note["id"] in [n["id"] for n in stored["notes"]]


def test_scopes_appended_to_a_task(official):
    task = official.query("Task").first()
    scope = official.create("Scope", {"name": f"scope-{uuid.uuid4().hex[:6]}"})
    task["scopes"].append(scope)
    official.commit()
    stored = fresh(official, f'select scopes.name from Task where id is "{task["id"]}"')
    assert [s["name"] for s in stored["scopes"]] == [scope["name"]]
    found = official.query(f'Task where scopes any (name is "{scope["name"]}")').all()
    assert [t["id"] for t in found] == [task["id"]]


def test_version_dependencies_as_in_the_official_docs(official):
    model, rig = official.query("AssetVersion").all()[:2]
    rig["uses_versions"].append(model)
    official.commit()
    stored = fresh(official, f'select used_in_versions from AssetVersion where id is "{model["id"]}"')
    assert [v["id"] for v in stored["used_in_versions"]] == [rig["id"]]


def test_queries_through_link_entities(official):
    workflows = official.query('WorkflowSchema where statuses any (name is "In progress")').all()
    assert workflows
    statuses = official.query(f'select statuses.name from WorkflowSchema where id is "{workflows[0]["id"]}"').one()
    assert "In progress" in [s["name"] for s in statuses["statuses"]]


def test_task_statuses_from_the_project_schema(official):
    project = official.query("Project").first()
    statuses = project["project_schema"].get_statuses("Task")
    assert "In progress" in [s["name"] for s in statuses]


def test_shot_statuses_from_the_project_schema(official):
    project = official.query("Project").first()
    rows = official.query(
        "select task_status.name, sort from SchemaStatus where schema_id in (select id from Schema "
        f'where project_schema_id is "{project["project_schema_id"]}" and type_id is "{SHOT_OBJECT_TYPE}")'
    ).all()
    expected = [row["task_status"]["name"] for row in sorted(rows, key=lambda row: row["sort"])]
    assert expected and [s["name"] for s in project["project_schema"].get_statuses("Shot")] == expected


def test_task_types_from_the_project_schema(official):
    project = official.query("Project").first()
    members = official.query(
        "select type_id from TaskTypeSchemaType where task_type_schema_id is "
        f'"{project["project_schema"]["task_type_schema_id"]}"'
    ).all()
    types = project["project_schema"].get_types("Task")
    assert types and {t["id"] for t in types} == {m["type_id"] for m in members}


def test_a_task_type_with_a_workflow_override_gets_its_statuses(official):
    project_schema = official.query("Project").first()["project_schema"]
    override = project_schema["_overrides"][0]
    statuses = project_schema.get_statuses("Task", override["type_id"])
    assert [s["id"] for s in statuses] == [s["id"] for s in override["workflow_schema"]["statuses"]]
    assert {s["id"] for s in statuses} != {s["id"] for s in project_schema.get_statuses("Task")}


def test_create_a_file_component_with_server_defaults(official):
    component = official.create("FileComponent", {"name": "main", "file_type": ".exr", "size": 1})
    official.commit()
    assert fresh(official, f'select system_type from FileComponent where id is "{component["id"]}"')["system_type"] == "file"


def test_create_a_user_with_server_defaults(official):
    user = official.create("User", {"first_name": "Ada", "last_name": "Lovelace"})
    official.commit()
    stored = fresh(official, f'select is_active, username from User where id is "{user["id"]}"')
    assert stored["is_active"] is True and stored["username"]


def test_link_of_a_task(official):
    task = official.query("select link, name from Task").first()
    assert task["link"] and task["link"][-1]["id"] == task["id"]
