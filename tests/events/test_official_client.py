"""The official Python client's EventHub (ftrack-python-api) against the sandbox.

Skipped only when ``ftrack_api`` is not installed (``pip install -e '.[interop]'``; CI installs it).
"""
from __future__ import annotations

import pytest

from ftrack_orm import Session
from ftrack_orm.events import Event
from tests.support.eventhub import subscribed, until

ftrack_api_hub = pytest.importorskip("ftrack_api.event.hub")
ftrack_api_event = pytest.importorskip("ftrack_api.event.base")


@pytest.fixture
def official(sandbox):
    hub = ftrack_api_hub.EventHub(sandbox.url, sandbox.api_user, sandbox.api_key)
    hub.connect()
    yield hub
    if hub.connected:
        hub.disconnect()


def wait_for(hub, condition, timeout=5.0):
    """The official hub runs callbacks only inside wait()."""
    until(lambda: (hub.wait(0.05), condition())[1], timeout)


def test_official_hub_receives_the_update_of_an_ftrack_orm_commit(sandbox, official):
    received = []
    official.subscribe(f"topic=ftrack.update and source.user.username={sandbox.api_user}", received.append)
    subscribed(sandbox, 2)  # its reply subscriber and this one
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as session:
        task = session.query("select description from Task where parent.name is sh010").first()
        task.description = "seen by ftrack_api"
        session.commit()
        wait_for(official, lambda: received)
    event = received[0]
    assert event["topic"] == "ftrack.update"
    assert event["data"]["clientToken"] == session.client_token
    (entity,) = event["data"]["entities"]
    assert (entity["action"], entity["entityType"], entity["entityId"]) == ("update", "task", task.id)
    assert entity["changes"]["description"]["new"] == "seen by ftrack_api"


def test_official_and_ftrack_orm_hubs_exchange_events_and_replies(sandbox, official, make_hub):
    ours = make_hub()
    ours.subscribe("topic=interop.question", lambda event: {"answer": event["data"]["n"] + 1})
    theirs = []
    official.subscribe("topic=interop.note", theirs.append)
    subscribed(sandbox, 4)
    replies = []
    official.publish(ftrack_api_event.Event("interop.question", data={"n": 41}), on_reply=replies.append)
    wait_for(official, lambda: replies)
    assert replies[0]["data"] == {"answer": 42}
    ours.publish(Event("interop.note", data={"from": "ftrack_orm"}))
    wait_for(official, lambda: theirs)
    assert theirs[0]["data"] == {"from": "ftrack_orm"} and theirs[0]["source"]["id"] == ours.id
