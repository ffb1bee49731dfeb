"""The API key never shows in the locals of a failing call's traceback (what
``capture_locals`` and error trackers record), nor in the session's attributes."""
from __future__ import annotations

import traceback

import pytest

from ftrack_orm import ServerConnectionError, Session
from ftrack_orm.transport import RequestsTransport, RetryPolicy

from tests.support.scripted import ScriptedServer
from tests.support.network import closed_port_url

KEY = "VERY-SECRET-KEY-5f1c"


def formatted_with_locals(error: BaseException) -> str:
    return "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())


def every_local(error: BaseException):
    """(frame name, local name, value) of every frame of the error and its causes."""
    seen = set()
    current = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tb = current.__traceback__
        while tb is not None:
            for name, value in tb.tb_frame.f_locals.items():
                yield tb.tb_frame.f_code.co_name, name, value
            tb = tb.tb_next
        current = current.__cause__ or current.__context__


def session_for(url):
    transport = RequestsTransport(timeout=2, retry=RetryPolicy(attempts=1, jitter=False))
    return Session(url, "jane", KEY, schema_cache=False, transport=transport)


def assert_hidden(error):
    assert KEY not in formatted_with_locals(error)
    leaks = [(frame, name) for frame, name, value in every_local(error) if KEY in repr(value)]
    assert leaks == []


def test_a_write_dropped_in_flight_shows_no_key(scripted_server):
    scripted_server.handler = lambda request: (200, ScriptedServer.DROP)
    with session_for(scripted_server.url) as session:
        with pytest.raises(ServerConnectionError) as info:
            session.call([{"action": "delete", "entity_type": "Task", "entity_key": ["t1"]}])
    assert_hidden(info.value)


def test_an_unreachable_server_shows_no_key():
    with session_for(closed_port_url()) as session:
        with pytest.raises(ServerConnectionError) as info:
            session.call([{"action": "query_server_information"}])
    assert_hidden(info.value)


def test_the_session_and_its_parts_hold_no_bare_key():
    session = session_for("http://127.0.0.1:9")
    hub = session.event_hub
    for owner in (session, session.client, session.transport, hub):
        assert KEY not in repr(vars(owner)), type(owner).__name__
    assert session.api_key == KEY  # still readable on purpose
