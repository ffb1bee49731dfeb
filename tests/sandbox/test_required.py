"""Required attributes are checked when the batch ends, not per operation."""
from __future__ import annotations

from ftrack_orm.sandbox.seed import uid


def create(entity_type, data):
    return {"action": "create", "entity_type": entity_type, "entity_data": {"__entity_type__": entity_type, **data}}


def update(entity_type, key, data):
    return {"action": "update", "entity_type": entity_type, "entity_key": [key], "entity_data": data}


def test_a_later_update_of_the_batch_may_fill_a_required_attribute(client):
    made = client.call([
        create("Note", {"id": "note-late-user", "content": "x"}),
        update("Note", "note-late-user", {"user_id": uid("User", "jane.doe")}),
    ])
    assert made[0]["action"] == "create" and made[1]["data"]["user_id"] == uid("User", "jane.doe")
    assert client.rows("select user_id from Note where id is note-late-user")[0]["user_id"] == uid("User", "jane.doe")


def test_a_create_never_completed_fails_the_batch_naming_its_own_operation(client):
    status, body = client.post([
        {"action": "query", "expression": "select id from User"},
        create("Note", {"id": "note-no-user", "content": "x"}),
        create("Note", {"id": "note-fine", "content": "y", "user_id": uid("User", "jane.doe")}),
    ], strict=True)
    assert status == 400 and body["exception"] == "ValidationError"
    assert body["operation_index"] == 1
    assert "Missing required attribute(s) for Note: user_id" in body["content"]
    assert "operation 1 of the batch" in body["content"]
    assert client.rows("select id from Note where id in (note-no-user, note-fine)") == []


def test_an_update_may_not_null_what_a_create_of_the_batch_set(client):
    body = client.error([
        create("Note", {"id": "note-nulled", "content": "x", "user_id": uid("User", "jane.doe")}),
        update("Note", "note-nulled", {"user_id": None}),
    ])
    assert body["operation_index"] == 1 and "required" in body["content"]


def test_an_incomplete_create_deleted_in_the_same_batch_is_fine(client):
    client.call([
        create("Note", {"id": "note-gone", "content": "x"}),
        {"action": "delete", "entity_type": "Note", "entity_key": ["note-gone"]},
    ])
    assert client.rows("select id from Note where id is note-gone") == []


def test_a_typed_context_without_a_parent_is_refused_when_the_batch_ends(client):
    """A shot or task lives in a project (its project is its parent's); one left without a
    parent fails its batch, naming the attribute."""
    for entity_type in ("Shot", "Task", "Folder"):
        error = client.error([create(entity_type, {"name": "orphan"})])
        assert error["exception"] == "ValidationError"
        assert f"Missing required attribute(s) for {entity_type}: parent_id" in error["content"]
    assert client.rows('select id from TypedContext where name is "orphan"') == []


def test_a_context_given_its_parent_later_in_the_batch_gets_its_project(client):
    sequence = client.rows("select id, project_id from Sequence where name is sq010")[0]
    client.call([create("Shot", {"id": "shot-late-parent", "name": "sh950"}),
                 update("Shot", "shot-late-parent", {"parent_id": sequence["id"]})])
    shot = client.rows("select parent_id, project_id from Shot where id is shot-late-parent")[0]
    assert (shot["parent_id"], shot["project_id"]) == (sequence["id"], sequence["project_id"])
