"""Typed ftrack.update records and refreshing loaded entities, with two sessions on the sandbox."""
from __future__ import annotations

import datetime

import attrs
import pytest

from ftrack_orm import Session, inspect
from ftrack_orm.events import Event, Refresher, parse_update, watch_updates
from tests.support.eventhub import until


@pytest.fixture
def sessions(sandbox):
    opened = []

    def open_session(**options):
        session = Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False, **options)
        opened.append(session)
        return session

    yield open_session
    for session in opened:
        session.close()


def test_an_update_becomes_typed_records(sandbox, sessions):
    listener, artist = sessions(auto_connect_event_hub=True), sessions()
    updates = []
    watch_updates(listener, updates.append, refresh=False)
    task = artist.query("select description, status_id from Task").first()
    status = artist.query(f"Status where id != {task.status_id}").first()
    old_status = task.status_id
    task.description = "ready"
    task.status = status
    artist.commit()
    until(lambda: updates)
    update = updates[0]
    assert update.caused_by(artist.client_token) and not update.caused_by(listener.client_token)
    assert update.username == sandbox.api_user and update.user_id
    (change,) = update.entities
    assert (change.entity_type, change.id, change.action, change.legacy_type) == ("Task", task.id, "update", "task")
    assert set(change.attributes) == {"description", "status_id"} and change.changed("status_id")
    assert change.attributes["status_id"].key == "statusid"
    assert (change.attributes["status_id"].old, change.attributes["status_id"].new) == (old_status, status.id)
    assert change.parent_id == task.parent_id
    assert [p.entity_type for p in change.parents][0] == "Task" and change.parents[-1].entity_type == "Project"
    assert change.parents[1].id == task.parent_id and update.of_type("Shot") == ()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        change.action = "remove"


def test_own_commits_are_told_apart_and_skipped_unless_asked(sandbox, sessions):
    session = sessions(auto_connect_event_hub=True)
    others, everything = [], []
    watch_updates(session, others.append)
    watch_updates(session, everything.append, include_own=True)
    task = session.query("select description from Task").first()
    task.description = "mine"
    session.commit()
    until(lambda: everything)
    assert everything[0].caused_by(session.client_token)
    assert others == []


def test_another_sessions_commit_refreshes_a_loaded_shot_and_keeps_local_changes(sandbox, sessions):
    listener, artist = sessions(auto_connect_event_hub=True), sessions()
    seen = []
    watch_updates(listener, seen.append)
    shot = listener.query("select name, description, status, status_id from Shot where name is sh010").one()
    other = listener.query("select name, description from Shot where name is sh020").one()
    original = other.description
    other.description = "my local note"
    theirs = artist.query("select description, status_id from Shot where name in (sh010, sh020)").all()
    status = artist.query(f"Status where id != {shot.status_id}").first()
    for item in theirs:
        item.description = f"changed by the artist ({item.name})"
    theirs[0].status = status
    artist.commit()
    until(lambda: seen)
    assert shot.description == "changed by the artist (sh010)"
    assert inspect(shot).state == "clean"
    assert shot.status_id == status.id and shot.status is listener.identity_map.get("Status", status.id)
    assert other.description == "my local note"  # the pending local change is kept ...
    assert inspect(other).pending["description"] == "my local note"
    assert inspect(other).server_values["description"] == original  # ... and its server value left alone



def test_datetimes_are_refreshed_parsed_and_unloaded_attributes_stay_unloaded(sandbox, sessions):
    listener, artist = sessions(auto_connect_event_hub=True), sessions()
    seen = []
    watch_updates(listener, seen.append)
    task = listener.query("select start_date from Task").first()
    theirs = artist.query(f"select start_date, description from Task where id is {task.id}").one()
    theirs.start_date = datetime.datetime(2031, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
    theirs.description = "not loaded by the listener"
    artist.commit()
    until(lambda: seen)
    assert inspect(task).server_values["start_date"] == datetime.datetime(2031, 5, 6, 7, 8, 9,
                                                                          tzinfo=datetime.timezone.utc)
    assert "description" not in inspect(task).loaded


def test_parse_update_reads_legacy_items_and_refuses_other_topics():
    event = Event("ftrack.update", data={"entities": [
        {"action": "update", "entityId": "v1", "entityType": "assetversion", "keys": ["statusid"],
         "changes": {"statusid": {"old": "a", "new": "b"}},
         "parents": [{"entityId": "v1", "entityType": "assetversion"}, {"entityId": "p", "entityType": "show"}]},
        {"action": "add", "entityId": "t1", "entityType": "task"},
        {"action": "update"},  # no id: skipped
    ]}, source={"user": {"username": "jane", "id": "u1"}})
    update = parse_update(event)
    assert [(c.entity_type, c.id, c.action) for c in update.entities] == [
        ("AssetVersion", "v1", "update"), ("TypedContext", "t1", "add")]
    assert update.entities[0].attributes["status_id"].new == "b"
    assert [p.entity_type for p in update.entities[0].parents] == ["AssetVersion", "Project"]
    assert (update.username, update.user_id, update.client_token) == ("jane", "u1", None)
    assert not update.caused_by(None)
    with pytest.raises(ValueError, match="ftrack.update"):
        parse_update(Event("ftrack.other"))


def test_refresher_ignores_entities_not_in_the_map(sandbox, sessions):
    session = sessions()
    update = parse_update(Event("ftrack.update", data={"entities": [
        {"action": "update", "entityId": "nope", "entity_type": "Shot", "changes": {"name": {"new": "x"}}},
        {"action": "update", "entityId": "nope", "entity_type": "NoSuchType", "changes": {"name": {"new": "x"}}}]}))
    assert Refresher(session.identity_map)(update) == []
