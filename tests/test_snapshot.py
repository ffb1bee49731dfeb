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
from ftrack_orm import snapshot as snapshot_module
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
            _studio_extras(session)
        yield sandbox


def _studio_extras(session):
    """What the demo seed lacks: a custom attribute group with a global configuration on
    versions and its values, version links, note labels, a user custom to the studio, and
    a studio user whose username is one of the sandbox's own API users."""
    number = session.query("CustomAttributeType where name is number").one()
    group = session.create("CustomAttributeGroup", {"name": "Review"})
    score = session.create("CustomAttributeConfiguration", {
        "key": "score", "label": "Score", "entity_type": "assetversion", "type": number, "group": group,
        "config": '{"isdecimal": true}', "core": False, "default": 0.0})
    versions = session.query("AssetVersion where asset.parent.name is sh010 order by version").all()
    for version, value in zip(versions, (2.5, 4.0)):
        session.create("CustomAttributeValue", {"configuration_id": score.id, "entity_id": version.id, "value": value})
    session.create("AssetVersionLink", {"from": versions[0], "to": versions[1]})
    label = session.create("NoteLabel", {"name": "Client", "color": "#ff0000", "sort": 0})
    shot = session.query("Shot where name is sh010").one()
    note = session.query(f"Note where parent_id is {shot.id} and in_reply_to_id is none").first()
    session.create("NoteLabelLink", {"note_id": note.id, "label_id": label.id})
    version = versions[0]
    version["metadata"]["reviewed"] = "yes"
    user_type = session.query("UserType").first()
    session.create("User", {"username": "sam.ng", "first_name": "Sam", "last_name": "Ng", "email": "sam@studio.test",
                            "is_active": False, "user_type": user_type})
    # a username names one user: the studio's "readonly" takes the name from this sandbox's own API user
    session.query("User where username is readonly").one()["username"] = "sandbox.readonly"
    session.commit()  # a batch sends its creates before its updates
    session.create("User", {"username": "readonly", "first_name": "Studio", "last_name": "Reader",
                            "email": "reader@studio.test", "is_active": True, "user_type": user_type})
    session.commit()


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
    with session_on(studio) as session, pytest.MonkeyPatch.context() as patch:
        patch.setattr(snapshot_module, "CHUNK_SIZE", 7)  # many pages and commits per type
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


#: What hangs off the project and the server's custom attributes, read the same on both.
ROUND_TRIP = (
    "select key, label, entity_type, object_type_id, type_id, group_id, config, default, project_id, core "
    "from CustomAttributeConfiguration",
    "select name, core from CustomAttributeType", "select name from CustomAttributeGroup",
    "select configuration_id, entity_id, value from CustomAttributeValue",
    "select custom_attributes from Shot", "select custom_attributes from AssetVersion",
    "select name, context_id, type_id from Asset", "select name, short from AssetType",
    "select version, comment, status_id, user_id, asset_id, task_id, is_published, date from AssetVersion",
    "select name, file_type, size, system_type, version_id, container_id from Component",
    "select component_id, location_id, resource_identifier from ComponentLocation", "select name, label from Location",
    "select content, parent_id, parent_type, user_id, in_reply_to_id, date, category_id from Note",
    "select note_id, label_id from NoteLabelLink", "select name, color from NoteLabel",
    "select name, category_id, project_id, user_id, is_open, system_type from List", "select list_id, entity_id from ListObject",
    "select from_id, to_id from TypedContextLink", "select from_id, to_id from AssetVersionLink",
    "select type, context_id, resource_id from Appointment", "select comment, start, duration, user_id, context_id from Timelog",
    "select parent_id, parent_type, key, value from Metadata", "select metadata from Shot", "select metadata from AssetVersion",
)


@pytest.mark.parametrize("expression", ROUND_TRIP)
def test_project_content_round_trips_with_its_ids(studio, served, expression):
    with session_on(studio) as theirs, session_on(served) as ours:
        expected = rows(theirs, expression)
        assert expected, expression  # the studio has some: the comparison can fail
        assert rows(ours, expression) == expected


def test_users_keep_names_emails_and_activity_but_never_keys(studio, served):
    expression = "select username, first_name, last_name, email, is_active, user_type_id from User"
    with session_on(studio) as theirs, session_on(served) as ours:
        expected = {row["id"]: row for row in rows(theirs, expression)}
        copied = {row["id"]: row for row in rows(ours, expression)}
    reader = next(key for key, row in expected.items() if row["email"] == "reader@studio.test")
    assert copied.pop(reader) == {**expected.pop(reader), "username": "readonly.server"}  # the API user keeps its name
    api_user = next(key for key, row in expected.items() if row["username"] == "sandbox.readonly")
    assert copied.pop(api_user) == {**expected.pop(api_user), "username": "readonly"}  # the sandbox's own row stays
    assert copied == expected and not expected[next(k for k, r in expected.items() if r["username"] == "sam.ng")]["is_active"]
    with session_on(served) as ours:
        assert ours.query("select username from User where username is readonly").one().email == "readonly@example.com"


def test_without_people_no_users_assignments_or_timelogs(studio, tmp_path):
    with session_on(studio) as session:
        made = take_snapshot(session, str(tmp_path / "nobody"), project="demo_vfx", people=False)
        notes = len(session.query("select id from Note").all())
    assert not {"User", "Appointment", "Timelog"} & set(made.counts)
    with Sandbox(db=made.database, schemas=made.schemas) as sandbox, session_on(sandbox) as session:
        assert sorted(user["username"] for user in session.query("select username from User").to_dicts()) == \
            ["admin", "readonly"]
        assert {row["user_id"] for row in session.query("select user_id from Note").to_dicts()} == \
            {session.query("User where username is admin").one().id}  # a note must have an author
        assert len(session.query("select id from Note").all()) == notes
        assert {row["user_id"] for row in session.query("select user_id from AssetVersion").to_dicts()} == {None}
        assert session.query("Appointment").all() == [] and session.query("Timelog").all() == []
