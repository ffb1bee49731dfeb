"""``ftrack.update`` after every sandbox commit: the payload shape pipeline listeners read."""
from __future__ import annotations

import time
from typing import Any, Dict, List

import pytest

from ftrack_orm import Session
from ftrack_orm.errors import ServerError
from tests.support.eventhub import subscribed, until


@pytest.fixture
def listener(sandbox, make_hub):
    """A hub (another client) collecting every ftrack.update."""
    hub = make_hub()
    events: List[Any] = []
    hub.subscribe("topic=ftrack.update", events.append)
    subscribed(sandbox, 2)
    return events


@pytest.fixture
def session(sandbox):
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as opened:
        yield opened


def entities(events: List[Any], count: int = 1) -> List[Dict[str, Any]]:
    until(lambda: len(events) >= count)
    return [item for event in events[-count:] for item in event["data"]["entities"]]


def one(items: List[Dict[str, Any]], entity_type: str, action: str) -> Dict[str, Any]:
    found = [item for item in items if item["entity_type"] == entity_type and item["action"] == action]
    assert len(found) == 1, items
    return found[0]


def test_create_of_a_context(session, listener, sandbox):
    sequence = session.query("select id, parent_id from Sequence where name is sq010").one()
    shot = session.create("Shot", {"name": "sh999", "parent": sequence, "description": "new"})
    session.commit()
    event = until(lambda: listener)[-1]
    assert event["data"]["clientToken"] == session.client_token
    user = session.query(f'select id from User where username is "{sandbox.api_user}"').one()
    assert event["data"]["user"] == {"userid": user.id, "name": sandbox.api_user}
    assert event["source"]["user"]["username"] == sandbox.api_user
    item = one(entities(listener), "Shot", "add")
    assert item["entityId"] == shot.id and item["entityType"] == "task"
    assert item["parentId"] == sequence.id
    assert item["objectTypeId"] == shot.object_type_id
    assert item["changes"]["name"] == {"old": None, "new": "sh999"}
    assert item["changes"]["parent_id"]["new"] == sequence.id and "statusid" in item["keys"]
    assert set(item["keys"]) == set(item["changes"])
    assert [(p["entity_type"], p["entityType"], p["entityId"]) for p in item["parents"]] == [
        ("Shot", "task", shot.id), ("Sequence", "task", sequence.id), ("Project", "show", sequence.parent_id)]
    assert item["parents"][1]["parentId"] == sequence.parent_id and item["parents"][2]["parentId"] is None


def test_status_update_uses_the_legacy_names(session, listener):
    task = session.query("select status, type from Task where parent.name is sh010 and name is compositing").one()
    old = task.status.id
    new = session.query(f"select id from Status where id is_not {old}").first()
    task.status = new
    session.commit()
    item = one(entities(listener), "Task", "update")
    assert item["entityType"] == "task" and item["entityId"] == task.id
    assert item["keys"] == ["statusid"]
    assert item["changes"] == {"statusid": {"old": old, "new": new.id}}
    assert item["parents"][0]["entityId"] == task.id and item["parents"][-1]["entityType"] == "show"


def test_move_of_a_context(session, listener):
    shot = session.query("select parent_id from Shot where name is sh010").one()
    old_parent = shot.parent_id
    other = session.query("select id from Sequence where name is sq020").one()
    shot.parent = other
    session.commit()
    item = one(entities(listener), "Shot", "move")
    assert item["changes"]["parent_id"] == {"old": old_parent, "new": other.id}
    assert item["parentId"] == other.id and item["parents"][1]["entityId"] == other.id


def test_delete_removes_the_entity_and_what_goes_with_it(session, listener):
    sequence = session.query("select id from Sequence where name is sq010").one()
    shot = session.create("Shot", {"name": "doomed", "parent": sequence})
    task_type = session.query("select id from Type").first()
    task = session.create("Task", {"name": "work", "parent": shot, "type": task_type})
    session.commit()
    shot_id, task_id = shot.id, task.id
    session.delete(shot)
    session.commit()
    items = entities(listener, 2)[-2:]  # the delete's event: the shot and its task
    removed = one(items, "Shot", "remove")
    assert removed["entityId"] == shot_id
    assert removed["changes"]["name"] == {"old": "doomed", "new": None}
    assert [p["entityId"] for p in removed["parents"]][:2] == [shot_id, sequence.id]
    assert one(items, "Task", "remove")["entityId"] == task_id


def test_versions_and_their_status(session, listener):
    asset = session.query("select id, context_id from Asset where name is sh010_comp").one()
    version = session.create("AssetVersion", {"asset": asset, "comment": "first light"})
    session.commit()
    added = one(entities(listener), "AssetVersion", "add")
    assert added["entityType"] == "assetversion" and added["parentId"] == asset.id
    assert added["changes"]["comment"]["new"] == "first light"
    assert [p["entityType"] for p in added["parents"]][:3] == ["assetversion", "asset", "task"]
    assert added["parents"][2]["entityId"] == asset.context_id
    version_status = session.query(f"select id from Status where id is_not {added['changes']['statusid']['new']}").first()
    version.status = version_status
    session.commit()
    updated = one(entities(listener, 2)[-1:], "AssetVersion", "update")
    assert updated["keys"] == ["statusid"] and updated["changes"]["statusid"]["new"] == version_status.id


def test_notes(session, listener):
    shot = session.query("select id from Shot where name is sh020").one()
    user = session.query("select id from User").first()
    note = session.create("Note", {"content": "More grain.", "parent_id": shot.id, "parent_type": "Shot", "user_id": user.id})
    session.commit()
    item = one(entities(listener), "Note", "add")
    assert item["entityType"] == "note" and item["entityId"] == note.id and item["parentId"] == shot.id
    assert item["changes"]["content"]["new"] == "More grain."
    assert [p["entityType"] for p in item["parents"]][:2] == ["note", "task"]


def test_custom_attributes_are_changes_of_their_owner(session, listener):
    shot = session.query("select custom_attributes from Shot where name is sh030").one()
    old = shot.custom_attributes["fstart"]
    shot.custom_attributes["fstart"] = 1100
    session.commit()
    item = one(entities(listener), "Shot", "update")
    assert item["entityId"] == shot.id and item["keys"] == ["fstart"]
    assert item["changes"]["fstart"] == {"old": old, "new": 1100}


def test_own_and_other_sessions_commits_are_told_apart(session, listener, sandbox):
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as other:
        for who in (session, other):
            task = who.query("select description from Task where parent.name is sh040").first()
            task.description = f"by {who.client_token}"
            who.commit()
    until(lambda: len(listener) == 2)
    assert [e["data"]["clientToken"] for e in listener] == [session.client_token, other.client_token]


def test_a_failed_or_read_only_batch_publishes_nothing(session, listener):
    session.query("select id from Task").first()
    sequence = session.query("select id from Sequence").first()
    session.create("Shot", {"name": "dup", "parent": sequence})
    session.create("Shot", {"name": "bad", "parent": sequence, "status_id": "no-such-status"})
    with pytest.raises(ServerError):
        session.commit()
    time.sleep(0.2)
    assert listener == []


def test_no_listener_no_event_work(sandbox, session):
    task = session.query("select description from Task").first()
    task.description = "quiet"
    session.commit()
    assert sandbox.events.published == 0
