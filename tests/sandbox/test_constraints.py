"""Uniqueness rules (sandbox/constraints.py), answered as DuplicateEntryError like ftrack."""
from __future__ import annotations

from ftrack_orm.sandbox.seed import uid


def create(entity_type, data):
    return {"action": "create", "entity_type": entity_type, "entity_data": {"__entity_type__": entity_type, **data}}


def test_two_sibling_shots_with_the_same_name_are_refused(client):
    sequence = uid("Sequence", "sq010")
    body = client.error([create("Shot", {"name": "sh010", "parent_id": sequence})])
    assert body["exception"] == "DuplicateEntryError" and "sh010" in body["content"]
    body = client.error([create("Shot", {"name": "twin", "parent_id": sequence}),
                         create("Shot", {"name": "twin", "parent_id": sequence})])
    assert body["exception"] == "DuplicateEntryError" and body["operation_index"] == 1
    assert client.rows("select id from Shot where name is twin") == []


def test_the_same_name_under_another_parent_is_fine(client):
    client.call([create("Shot", {"name": "sh010", "parent_id": uid("Sequence", "sq020")})])
    assert len(client.rows("select id from Shot where name is sh010")) == 2


def test_renaming_onto_a_sibling_is_refused_and_renaming_itself_is_not(client):
    shot = uid("Shot", "sh020")
    body = client.error([{"action": "update", "entity_type": "Shot", "entity_key": [shot],
                          "entity_data": {"name": "sh010"}}])
    assert body["exception"] == "DuplicateEntryError"
    client.call([{"action": "update", "entity_type": "Shot", "entity_key": [shot],
                  "entity_data": {"name": "sh020", "description": "same"}}])


def test_a_user_has_one_running_timer(client):
    user = uid("User", "jane.doe")
    client.call([create("Timer", {"user_id": user})])
    body = client.error([create("Timer", {"user_id": user})])
    assert body["exception"] == "DuplicateEntryError" and "timer" in body["content"]
    client.call([create("Timer", {"user_id": uid("User", "amy.lee")})])


def test_a_username_names_one_user(client):
    body = client.error([create("User", {"username": "jane.doe", "first_name": "Another"})])
    assert body["exception"] == "DuplicateEntryError" and "jane.doe" in body["content"]
    client.call([create("User", {"username": "jane.doe2"})])
    body = client.error([{"action": "update", "entity_type": "User", "entity_key": [uid("User", "amy.lee")],
                          "entity_data": {"username": "jane.doe2"}}])
    assert body["exception"] == "DuplicateEntryError"
    assert len(client.rows("select id from User where username is jane.doe")) == 1
