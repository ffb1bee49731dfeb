"""Transport: retries with backoff (attempts counted), unknown outcomes for writes, timeouts."""
from __future__ import annotations

import time

import pytest

from ftrack_orm import OutcomeUnknownError, RetryPolicy, ServerConnectionError, Session
from ftrack_orm.transport import RequestsTransport

from tests.support.scripted import ScriptedServer
from tests.support.network import closed_port_url

READ = [{"action": "query", "expression": "select id from Task"}]
WRITE = [{"action": "create", "entity_type": "Task", "entity_data": {"name": "x"}}]


def make_session(url, attempts=3, timeout=5.0, sleeps=None):
    transport = RequestsTransport(
        timeout=timeout,
        retry=RetryPolicy(attempts=attempts, backoff=0.2, jitter=False),
        sleep=(sleeps.append if sleeps is not None else (lambda s: None)),
    )
    return Session(url, "u", "k", transport=transport, schema_cache=False)


@pytest.mark.parametrize("batch", [READ, WRITE], ids=["read", "write"])
def test_connection_refused_is_retried_for_reads_and_writes(batch):
    sleeps = []
    session = make_session(closed_port_url(), attempts=3, sleeps=sleeps)
    with pytest.raises(ServerConnectionError, match="after 3 attempt") as info:
        session.call(batch)
    assert not isinstance(info.value, OutcomeUnknownError)
    assert session.transport.attempt_count == 3
    assert sleeps == [0.2, 0.4]  # exponential backoff between attempts
    assert info.value.cause is not None


def test_backoff_jitter_stays_under_ceiling():
    policy = RetryPolicy(attempts=5, backoff=0.5, max_backoff=1.0)
    delays = [policy.delay(attempt) for attempt in (1, 2, 3, 4) for _ in range(50)]
    assert all(0 <= d <= 1.0 for d in delays)
    assert len(set(delays)) > 10


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_retried_on_reads_then_succeed(scripted_server, status):
    answers = [(status, b"busy"), (status, b"busy"), (200, [{"action": "query", "data": [], "metadata": {}}])]
    scripted_server.handler = lambda request: answers.pop(0)
    session = make_session(scripted_server.url)
    assert session.call(READ) == [{"action": "query", "data": [], "metadata": {}}]
    assert len(scripted_server.requests) == 3


def test_gateway_errors_give_up_after_attempts(scripted_server):
    scripted_server.handler = lambda request: (503, b"busy")
    session = make_session(scripted_server.url, attempts=4)
    with pytest.raises(Exception) as info:
        session.call(READ)
    assert len(scripted_server.requests) == 4
    assert info.value.status_code == 503


def test_gateway_error_on_write_is_not_resent(scripted_server):
    scripted_server.handler = lambda request: (502, b"bad gateway")
    session = make_session(scripted_server.url)
    with pytest.raises(OutcomeUnknownError, match="not re-sent") as info:
        session.call(WRITE)
    assert len(scripted_server.requests) == 1
    assert info.value.status_code == 502


def test_dropped_connection_retried_on_reads(scripted_server):
    answers = [(200, ScriptedServer.DROP), (200, [{"data": [], "metadata": {}}])]
    scripted_server.handler = lambda request: answers.pop(0)
    session = make_session(scripted_server.url)
    assert session.call(READ) == [{"data": [], "metadata": {}}]
    assert len(scripted_server.requests) == 2


def test_dropped_connection_on_write_is_unknown_outcome(scripted_server):
    scripted_server.handler = lambda request: (200, ScriptedServer.DROP)
    session = make_session(scripted_server.url)
    with pytest.raises(OutcomeUnknownError, match="may or may not have been applied") as info:
        session.call(WRITE)
    assert len(scripted_server.requests) == 1
    assert info.value.cause is not None


def slow(request):
    time.sleep(0.6)
    return 200, [{"late": True}]


def test_read_timeout_on_read_is_retried_then_fails(scripted_server):
    scripted_server.handler = slow
    session = make_session(scripted_server.url, attempts=2, timeout=0.2)
    with pytest.raises(ServerConnectionError) as info:
        session.call(READ)
    assert "Timeout" in str(info.value)
    assert len(scripted_server.requests) == 2


def test_read_timeout_on_write_is_unknown_outcome(scripted_server):
    scripted_server.handler = slow
    session = make_session(scripted_server.url, attempts=3, timeout=0.2)
    with pytest.raises(OutcomeUnknownError):
        session.call(WRITE)
    assert len(scripted_server.requests) == 1


def test_timeout_forms():
    assert RequestsTransport(timeout=60).timeout == (10.0, 60.0)
    assert RequestsTransport(timeout=3).timeout == (3.0, 3.0)
    assert RequestsTransport(timeout=(1, 2)).timeout == (1.0, 2.0)


def test_session_passes_timeout_to_default_transport():
    assert Session("http://s", "u", "k", timeout=7).transport.timeout == (7.0, 7.0)


def test_custom_transport_is_used():
    sent = []

    class Recorder:
        def post(self, url, body, headers, *, read_only):
            sent.append((url, read_only, headers["ftrack-user"]))
            from ftrack_orm.transport import HTTPResponse
            return HTTPResponse(200, b'[{"data": [], "metadata": {}}]' if read_only else b'[{"data": true}]')

        def close(self):
            sent.append("closed")

    with Session("http://s", "u", "k", transport=Recorder(), schema_cache=False) as session:
        assert session.call(READ) == [{"data": [], "metadata": {}}]
        session.call([{"action": "delete", "entity_type": "Task", "entity_key": ["t1"]}])
    assert sent == [("http://s/api", True, "u"), ("http://s/api", False, "u"), "closed"]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_after_the_last_retry_are_connection_errors_with_the_status(scripted_server, status):
    scripted_server.handler = lambda request: (status, b"<html>busy</html>")
    session = make_session(scripted_server.url, attempts=2)
    with pytest.raises(ServerConnectionError, match=f"HTTP {status}") as info:
        session.call(READ)
    assert info.value.status_code == status and not isinstance(info.value, OutcomeUnknownError)
    assert "not JSON" not in str(info.value)
    assert len(scripted_server.requests) == 2
