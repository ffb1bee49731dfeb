"""``take_snapshot``: a running sandbox with a studio's custom object type stands in for the
real server; the snapshot is served by a second sandbox and read back through sessions."""
from __future__ import annotations

import copy
import json
import os

import pytest
import requests

from ftrack_orm import Session
from ftrack_orm.sandbox import Sandbox
from ftrack_orm.sandbox.server import DATA
from ftrack_orm.snapshot import take_snapshot

SLATE_TYPE = "5a1a7e00-0000-4000-8000-00000000beef"
REFERENCE = ("ObjectType", "Status", "State", "Type", "Priority", "WorkflowSchema", "ProjectSchema")


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    """A demo studio whose schemas have a custom object type ``Slate`` (as a real server
    lists one: a ``Task`` alias with its own object type id), with one slate."""
    with open(os.path.join(DATA, "schemas.json"), encoding="utf-8") as handle:
        schemas = json.load(handle)
    slate = copy.deepcopy(next(schema for schema in schemas if schema["id"] == "Shot"))
    slate["id"] = "Slate"
    slate["alias_for"]["classifiers"]["object_typeid"] = SLATE_TYPE
    schemas.append(slate)
    path = tmp_path_factory.mktemp("studio") / "schemas.json"
    path.write_text(json.dumps(schemas))
    with Sandbox(schemas=str(path)) as sandbox:
        with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as session:
            sequence = session.query("Sequence where name is sq010").one()
            session.create("Slate", {"name": "slate_a", "parent": sequence, "description": "opening card"})
            session.commit()
        yield sandbox


def session_on(sandbox):
    return Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False)


def raw(sandbox, action):
    answer = requests.post(sandbox.url + "/api", json=[{"action": action}], timeout=30,
                           headers={"ftrack-user": sandbox.api_user, "ftrack-api-key": sandbox.api_key})
    return answer.json()[0]


def rows(session, expression):
    return sorted(session.query(expression).to_dicts(), key=lambda row: json.dumps(row, sort_keys=True, default=str))


@pytest.fixture(scope="module")
def snapshot(studio, tmp_path_factory):
    out = tmp_path_factory.mktemp("snapshot") / "studio"
    seen = []
    with session_on(studio) as session:
        made = take_snapshot(session, str(out), project="demo_vfx",
                             progress=lambda entity_type, count: seen.append((entity_type, count)))
        contexts = len(session.query("select id from TypedContext").all())
    assert ("TypedContext", contexts) in seen and ("Project", 1) in seen
    return made


@pytest.fixture()
def served(snapshot):
    with Sandbox(db=snapshot.database, schemas=snapshot.schemas,
                 server_information=snapshot.server_information) as sandbox:
        yield sandbox


def test_files_hold_the_servers_answers(studio, snapshot):
    with open(snapshot.schemas, encoding="utf-8") as handle:
        saved = json.load(handle)
    assert sorted(saved, key=lambda s: s["id"]) == sorted(raw(studio, "query_schemas"), key=lambda s: s["id"])
    assert "Slate" in {schema["id"] for schema in saved}
    with open(snapshot.server_information, encoding="utf-8") as handle:
        assert json.load(handle) == raw(studio, "query_server_information")


def test_served_snapshot_answers_the_same_schemas_and_information(studio, served):
    assert raw(served, "query_server_information") == raw(studio, "query_server_information")
    assert raw(served, "query_schemas") == raw(studio, "query_schemas")


def test_hierarchy_and_reference_data_keep_their_server_ids(studio, served):
    with session_on(studio) as theirs, session_on(served) as ours:
        for entity_type in REFERENCE:
            assert rows(ours, f"{entity_type}") == rows(theirs, f"{entity_type}"), entity_type
        for expression in ("select name, parent_id, status_id, type_id, bid, start_date from Task",
                           "select name, parent_id, description from Slate",
                           "select name, parent_id, object_type_id from TypedContext",
                           "select name, full_name, project_schema_id, start_date from Project",
                           "select workflow_schema_id, status_id from WorkflowSchemaStatus"):
            assert rows(ours, expression) == rows(theirs, expression), expression
        slate = ours.query("select name, object_type.name, parent.name from Slate").one()
        assert (slate.name, slate.object_type.name, slate.parent.name, slate.object_type.id) == \
            ("slate_a", "Slate", "sq010", SLATE_TYPE)


def test_project_statuses_read_as_on_the_server(studio, served):
    expression = "select name from Status where id in (select status_id from WorkflowSchemaStatus)"
    with session_on(studio) as theirs, session_on(served) as ours:
        assert rows(ours, expression) == rows(theirs, expression)
        task = ours.query("select name, status.name from Task where parent.name is sh010").first()
        task.status = ours.query("Status where name is Approved").one()
        ours.commit()  # the snapshot is a working sandbox: its own users write to it


def test_api_key_is_never_written(studio, snapshot, served):
    for name in os.listdir(os.path.dirname(snapshot.database)):
        path = os.path.join(os.path.dirname(snapshot.database), name)
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                assert studio.api_key.encode() not in handle.read(), name
    assert served.api_key != studio.api_key


def test_without_a_project_only_the_shape_and_reference_data(studio, tmp_path):
    with session_on(studio) as session:
        made = take_snapshot(session, str(tmp_path / "shape"))
    assert "Project" not in made.counts and made.counts["Status"] == 5
    with Sandbox(db=made.database, schemas=made.schemas) as sandbox, session_on(sandbox) as session:
        assert session.query("Project").all() == []
        assert session.query(f"ObjectType where id is {SLATE_TYPE}").one().name == "Slate"


def test_refusals_come_before_anything_is_written(studio, snapshot, tmp_path):
    with session_on(studio) as session:
        with pytest.raises(ValueError, match="No project named 'nope'.*demo_vfx"):
            take_snapshot(session, str(tmp_path / "new"), project="nope")
        assert not (tmp_path / "new").exists()
        with pytest.raises(FileExistsError, match="sandbox.db already exists"):
            take_snapshot(session, os.path.dirname(snapshot.database))
