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
