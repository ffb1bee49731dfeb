"""create / update / delete: checks, server-filled values, atomic batches, delete policy."""
from __future__ import annotations

import pytest

from ftrack_orm.sandbox.seed import uid

from tests.support.sandbox_http import merged


def shot_id(client, name="sh010"):
    return client.rows(f"select id from Shot where name is {name}")[0]["id"]


def type_id(client, name="Compositing"):
    return client.rows(f"select id from Type where name is {name}")[0]["id"]


def create(entity_type, data):
    return {"action": "create", "entity_type": entity_type, "entity_data": {"__entity_type__": entity_type, **data}}


def test_create_task_with_name_parent_and_type_like_a_server(client, sandbox):
    parent = shot_id(client, "sh020")
    answer = client.call([create("Task", {
        "name": "paint", "parent": {"__entity_type__": "Shot", "id": parent},
        "type": {"__entity_type__": "Type", "id": type_id(client)},
    })])[0]
    data = answer["data"]
    assert answer["action"] == "create" and data["__entity_type__"] == "Task"
    assert data["name"] == "paint" and data["context_type"] == "task"
    assert data["object_type_id"] == "11c137c0-ee7e-4f9c-91c5-8c77cec22b2c"
    stored = client.rows(
        f"select sort, bid, status.name, priority_id, project.name, parent_id, created_by.username, created_at "
        f"from Task where id is {data['id']}"
    )[0]
    assert stored["sort"] == 0.0 and stored["bid"] == 0.0
    assert stored["status"]["name"] == "Not started"  # the project's task workflow's first status
    assert stored["priority_id"] == "9661b320-3a0c-11e2-81c1-0800200c9a66"  # literal default
    assert stored["project"]["name"] == "demo_vfx" and stored["parent_id"] == parent
    assert stored["created_by"]["username"] == sandbox.api_user
    assert stored["created_at"]["__type__"] == "datetime" and stored["created_at"]["value"] > "2025"


def test_create_fills_uid_and_keeps_client_ids(client):
    made = client.call([create("Note", {"content": "a", "user_id": uid("User", "jane.doe")}),
                        create("Note", {"id": "my-own-id", "content": "b", "user_id": uid("User", "jane.doe")})])
    assert len(made[0]["data"]["id"]) == 36 and made[1]["data"]["id"] == "my-own-id"
    assert made[0]["data"]["is_todo"] is False  # literal default
    duplicate = client.error([create("Note", {"id": "my-own-id", "content": "c", "user_id": uid("User", "jane.doe")})])
    assert duplicate["exception"] == "ValidationError" and "my-own-id" in duplicate["content"]


def test_accepts_datetimes_with_offset_and_fractions(client):
    note = client.call([create("Note", {"content": "x", "user_id": uid("User", "jane.doe"),
                                         "date": {"__type__": "datetime", "value": "2024-03-01T12:30:45.123456+02:00"}})])[0]
    assert client.rows(f"select date from Note where id is {note['data']['id']}")[0]["date"] == {
        "__type__": "datetime", "value": "2024-03-01T10:30:45.123456"}  # UTC, microseconds kept


@pytest.mark.parametrize(
    "entity_type, data, fragments",
    [
        ("Tsk", {"name": "x"}, ["Unknown entity type 'Tsk'", "Did you mean 'Task'?"]),
        ("TypedContext", {"name": "x"}, ["abstract type 'TypedContext'", "Shot"]),
        ("Task", {"nmae": "x"}, ["No attribute 'nmae' exists for schema 'Task'", "Did you mean 'name'?"]),
        ("Task", {"name": 5}, ["Task.name must be of type string. Got 5"]),
        ("Task", {"name": "x", "bid": "lots"}, ["Task.bid must be of type number"]),
        ("Status", {"name": "x", "is_active": "yes"}, ["Status.is_active must be of type boolean"]),
        ("Task", {"name": "x", "start_date": "whenever"}, ["Invalid datetime 'whenever'"]),
        ("Task", {"name": "x", "parent_id": "missing"}, ["Task.parent_id: no Context with id 'missing' exists"]),
        ("Task", {"name": "x", "parent": {"__entity_type__": "Shot", "id": "missing"}}, ["no Shot with id 'missing'"]),
        ("Task", {"name": "x", "parent": {"__entity_type__": "User", "id": "u"}}, ["must reference a Context, not 'User'"]),
        ("Task", {"name": "x", "children": "x"}, ["Task.children must be written as a list of entity references"]),
        ("Task", {"name": "x", "ancestors": []}, ["Collection 'ancestors' of Task is computed"]),
        ("Task", {"name": "x", "time_logged": 3.0}, ["computed"]),
        ("Note", {"content": "x"}, ["Missing required attribute(s) for Note: user_id"]),
        ("Shot", {"name": "x", "custom_attributes": {"fstart": "test"}},
         ['Custom attribute value for "fstart" must be of type number. Got "test"']),
        ("Shot", {"name": "x", "custom_attributes": {"fstrat": 1}}, ["No custom attribute 'fstrat'", "'fstart'"]),
        ("Shot", {"name": "x", "metadata": ["a"]}, ["Shot.metadata: each item must be an entity reference object"]),
        ("Shot", {"name": "x", "metadata": 5}, ["Shot.metadata must be written as an object"]),
    ],
)
def test_create_validation_errors(client, entity_type, data, fragments):
    if entity_type in ("Task", "Shot") and "parent_id" not in data and "parent" not in data:
        data = {**data, "parent_id": shot_id(client)}
    status, body = client.post([create(entity_type, data)], strict=True)
    assert status == 400 and body["exception"] == "ValidationError", body
    for fragment in fragments:
        assert fragment in body["content"]
    assert client.rows("select name from Task where name is x") == []


def test_shot_without_type_is_fine_and_custom_attributes_and_metadata_round_trip(client):
    made = client.call([create("Shot", {"name": "sh999", "parent_id": shot_id(client, "sh010"),
                                         "custom_attributes": {"fstart": 1001, "fend": 1010},
                                         "metadata": {"camera": "cam_Z"}})])[0]["data"]
    key = [made["id"]]
    client.call([{"action": "update", "entity_type": "Shot", "entity_key": key,
                  "entity_data": {"custom_attributes": {"fend": 1200}, "metadata": {"camera": None, "lens": "85mm"}}}])
    shot = client.rows(f"select metadata, custom_attributes from Shot where id is {made['id']}")[0]
    assert {m["key"]: m["value"] for m in shot["metadata"]} == {"lens": "85mm"}
    assert {c["key"]: c["value"] for c in shot["custom_attributes"]} == {"fstart": 1001, "fend": 1200}
    found = client.rows("select name from Shot where custom_attributes any (key is fend and value is 1200)")
    assert [r["name"] for r in found] == ["sh999"]


def test_update_rules(client):
    task = client.rows("select id, name from Task limit 1")[0]
    key = [task["id"]]
    answer = client.call([{"action": "update", "entity_type": "Task", "entity_key": key,
                           "entity_data": {"name": "renamed", "bid": 7, "parent": {"__entity_type__": "Shot", "id": shot_id(client, "sh100")}}}])[0]
    assert answer["action"] == "update" and answer["data"]["name"] == "renamed" and answer["data"]["bid"] == 7.0
    stored = merged(client.rows(f"select name, parent.name from Task where id is {task['id']}"))
    assert stored[task["id"]]["name"] == "renamed"
    for data, fragment in [
        ({"id": "other"}, "Attribute 'id' of Task is immutable"),
        ({"created_at": "2024-01-01T00:00:00"}, "immutable"),
        ({"object_type_id": "x"}, "immutable"),
        ({"name": None}, "required"),
        ({"status_id": "missing"}, "no Status with id 'missing'"),
        ({"nam": "x"}, "Did you mean 'name'?"),
    ]:
        body = client.error([{"action": "update", "entity_type": "Task", "entity_key": key, "entity_data": data}])
        assert body["exception"] == "ValidationError" and fragment in body["content"], body
    missing = client.error([{"action": "update", "entity_type": "Task", "entity_key": ["nope"], "entity_data": {"name": "x"}}])
    assert "No Task with key ['nope'] exists" in missing["content"]
    wrong_type = client.error([{"action": "update", "entity_type": "Shot", "entity_key": key, "entity_data": {"name": "x"}}])
    assert "No Shot with key" in wrong_type["content"]


def test_batch_is_atomic_and_names_the_failing_operation(client, sandbox):
    parent, kind = shot_id(client), type_id(client)
    operations = [create("Task", {"name": f"bulk{i}", "parent_id": parent, "type_id": kind}) for i in range(499)]
    operations.append(create("Task", {"name": "bad", "parent_id": "does-not-exist", "type_id": kind}))
    status, body = client.post(operations, strict=True)
    assert status == 400
    assert body["exception"] == "ValidationError" and body["operation_index"] == 499
    assert "operation 499 of the batch" in body["content"] and "nothing of the batch was applied" in body["content"]
    assert client.rows("select id from Task where name like 'bulk%'") == []
    good = client.call(operations[:499])
    assert len(good) == 499 and len(client.rows("select id from Task where name like 'bulk%'")) == 499


def test_a_batch_sees_its_own_writes(client):
    parent, kind = shot_id(client), type_id(client)
    answers = client.call([
        create("Task", {"id": "t-1", "name": "first", "parent_id": parent, "type_id": kind}),
        {"action": "update", "entity_type": "Task", "entity_key": ["t-1"], "entity_data": {"name": "second"}},
        {"action": "query", "expression": "select name from Task where id is t-1"},
        {"action": "delete", "entity_type": "Task", "entity_key": ["t-1"]},
        {"action": "query", "expression": "select name from Task where id is t-1"},
    ])
    assert answers[2]["data"][0]["name"] == "second"
    assert answers[3] == {"action": "delete", "data": True}
    assert answers[4]["data"] == []


def test_delete_cascades_children_of_a_context(client):
    shot = shot_id(client, "sh010")
    before = {t: len(client.rows(f"select {'key' if t in ('Metadata', 'ContextCustomAttributeValue') else 'id'} from {t}")) for t in ("Task", "Asset", "AssetVersion", "FileComponent", "ComponentLocation", "Note", "Metadata", "ContextCustomAttributeValue", "Appointment")}
    assert client.call([{"action": "delete", "entity_type": "Shot", "entity_key": [shot]}]) == [{"action": "delete", "data": True}]
    after = {t: len(client.rows(f"select {'key' if t in ('Metadata', 'ContextCustomAttributeValue') else 'id'} from {t}")) for t in before}
    assert before["Task"] - after["Task"] == 3
    assert before["Asset"] - after["Asset"] == 1
    assert before["AssetVersion"] - after["AssetVersion"] == 3
    assert before["FileComponent"] - after["FileComponent"] == 3
    assert before["ComponentLocation"] - after["ComponentLocation"] == 3
    assert before["Note"] - after["Note"] == 2
    assert before["Appointment"] - after["Appointment"] == 3
    assert before["Metadata"] - after["Metadata"] == 2 and before["ContextCustomAttributeValue"] - after["ContextCustomAttributeValue"] == 2
    assert client.rows(f"select key from Metadata where parent_id is {shot}") == []
    assert client.rows(f"select key from ContextCustomAttributeValue where entity_id is {shot}") == []
    assert client.rows("select id from Shot where name is sh010") == []


def test_delete_cascades_dependencies_and_list_membership(client):
    shot = shot_id(client, "sh010")
    tasks = [row["id"] for row in client.rows(f"select id from Task where parent_id is {shot}")]
    marks = ", ".join(tasks)
    assert client.rows(f"select id from TypedContextLink where from_id in ({marks}) or to_id in ({marks})")
    assert client.rows(f"select id from ListObject where entity_id in ({marks})")
    client.call([{"action": "delete", "entity_type": "Shot", "entity_key": [shot]}])
    assert client.rows(f"select id from TypedContextLink where from_id in ({marks}) or to_id in ({marks})") == []
    assert client.rows(f"select id from ListObject where entity_id in ({marks})") == []


def test_deleting_a_user_takes_their_timers_timelogs_and_appointments(client):
    # As on ftrack: the official client's own tests delete users who started timers and logged time.
    user = client.call([create("User", {"username": "leaving"})])[0]["data"]["id"]
    task = client.rows("select id from Task")[0]["id"]
    client.call([
        create("Timer", {"user_id": user, "context_id": task, "comment": "", "name": "t"}),
        create("Timelog", {"user_id": user, "context_id": task, "comment": "", "start": {"__type__": "datetime",
                           "value": "2024-01-08T09:00:00"}, "duration": 60.0}),
        create("Appointment", {"resource_id": user, "context_id": task, "type": "assignment"}),
    ])
    owned = {t: f"select id from {t} where {c} is {user}" for t, c in
             (("Timer", "user_id"), ("Timelog", "user_id"), ("Appointment", "resource_id"))}
    assert all(client.rows(query) for query in owned.values())
    assert client.call([{"action": "delete", "entity_type": "User", "entity_key": [user]}]) == [
        {"action": "delete", "data": True}]
    assert {t: client.rows(query) for t, query in owned.items()} == {t: [] for t in owned}
    assert client.rows(f"select id from Task where id is {task}")


def test_delete_refuses_when_still_referenced(client):
    status_id = client.rows("select id from Status where name is 'Not started'")[0]["id"]
    body = client.error([{"action": "delete", "entity_type": "Status", "entity_key": [status_id]}], strict=True)
    assert body["exception"] == "ValidationError"
    assert "Cannot delete Status" in body["content"] and "still referenced by" in body["content"]
    assert "through its 'status' (status_id)" in body["content"]
    assert len(client.rows(f"select id from Status where id is {status_id}")) == 1
    unused = client.call([create("Status", {"name": "Unused", "is_active": True})])[0]["data"]["id"]
    client.call([{"action": "delete", "entity_type": "Status", "entity_key": [unused]}])
    assert client.rows(f"select id from Status where id is {unused}") == []
    missing = client.error([{"action": "delete", "entity_type": "Status", "entity_key": [unused]}])
    assert "No Status with key" in missing["content"]


def test_composite_keys(client):
    shot = shot_id(client, "sh030")
    client.call([create("Metadata", {"parent_id": shot, "key": "extra", "value": "1", "parent_type": "Shot"})])
    client.call([{"action": "update", "entity_type": "Metadata", "entity_key": [shot, "extra"], "entity_data": {"value": "2"}}])
    assert client.rows(f"select value from Metadata where parent_id is {shot} and key is extra")[0]["value"] == "2"
    client.call([{"action": "delete", "entity_type": "Metadata", "entity_key": [shot, "extra"]}])
    assert client.rows(f"select value from Metadata where parent_id is {shot} and key is extra") == []


def test_asset_version_numbers_continue(client):
    asset = client.rows("select id from Asset where name is sh010_comp")[0]["id"]
    made = client.call([create("AssetVersion", {"asset_id": asset})])[0]["data"]
    stored = client.rows(f"select version, status.name, is_published from AssetVersion where id is {made['id']}")[0]
    assert stored["version"] == 4 and stored["is_published"] is True and stored["status"]["name"] == "Not started"
