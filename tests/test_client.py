"""The wire client offline: headers, the hidden key, encode/decode, errors, closing, signed URLs."""
from __future__ import annotations

import datetime
import json
import logging
import pickle

import pytest

from ftrack_orm.client import ApiKey, WireClient
from ftrack_orm.errors import MalformedResponseError, ServerValidationError, SessionClosedError
from ftrack_orm.transport import HTTPResponse

KEY = "SECRET-KEY-0123"


class FakeTransport:
    """Records what is posted and answers with a scripted response."""

    def __init__(self, answer=None, status=200):
        self.posts = []
        self.answer = answer
        self.status = status
        self.closed = 0

    def post(self, url, body, headers, *, read_only):
        batch = json.loads(body)
        self.posts.append({"url": url, "batch": batch, "headers": dict(headers), "read_only": read_only})
        answer = self.answer(batch) if callable(self.answer) else self.answer
        content = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        return HTTPResponse(self.status, content)

    def close(self):
        self.closed += 1


def make_client(transport, **options):
    options.setdefault("client_token", "tok-1")
    return WireClient("https://studio.example/", "jane", KEY, transport=transport, **options)


def test_api_key_holder_never_shows_the_key():
    key = ApiKey(KEY)
    assert KEY not in repr(key) and KEY not in str(key) and KEY not in f"{key}"
    assert key.reveal() == KEY
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_client_hides_the_key_from_repr_and_vars():
    client = make_client(FakeTransport([]))
    assert KEY not in repr(client)
    assert KEY not in repr(vars(client))
    assert client.api_key == KEY
    assert client.api_url == "https://studio.example/api"


def test_request_headers_in_order_with_extras_winning():
    client = make_client(FakeTransport([]), strict_api=True, headers={"X-Studio": "north", "Accept": "*/*"})
    assert list(client.request_headers().items()) == [
        ("ftrack-user", "jane"), ("ftrack-api-key", KEY), ("ftrack-clienttoken", "tok-1"),
        ("Content-Type", "application/json"), ("Accept", "*/*"), ("ftrack-strict-api", "true"),
        ("X-Studio", "north"),
    ]
    assert "ftrack-strict-api" not in make_client(FakeTransport([])).request_headers()


def test_call_encodes_sends_and_decodes_through_the_hook():
    answer = [{"data": [{"__entity_type__": "Task", "id": "t1",
                         "start_date": {"__type__": "datetime", "value": "2024-01-02T03:04:05"}}], "metadata": {}}]
    transport = FakeTransport(lambda batch: answer if batch[0]["action"] == "query" else [{"data": True}])
    client = make_client(transport)
    hooked = []
    result = client.call([{"action": "query", "expression": "Task"}], lambda p: hooked.append(p) or {"hooked": 1})
    assert result == [{"data": [{"hooked": 1}], "metadata": {}}]
    assert hooked[0]["start_date"] == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    posted = transport.posts[0]
    assert posted["url"] == "https://studio.example/api" and posted["read_only"] is True
    assert posted["headers"]["ftrack-api-key"] == KEY
    assert client.call([]) == [] and len(transport.posts) == 1
    client.call([{"action": "delete", "entity_type": "Task", "entity_key": ["t1"]}])
    assert transport.posts[-1]["read_only"] is False


def test_send_then_decode_separately():
    transport = FakeTransport([{"action": "query_schemas", "data": True}])
    client = make_client(transport)
    batch = [{"action": "query_schemas"}]
    response = client.send(batch)
    assert response.status_code == 200
    assert client.decode(response, batch) == [{"action": "query_schemas", "data": True}]


def test_error_answer_maps_to_its_exception_without_the_key():
    payload = {"exception": "ValidationError", "content": "bad name", "error_code": None}
    client = make_client(FakeTransport(payload, status=400), strict_api=True)
    with pytest.raises(ServerValidationError) as info:
        client.call([{"action": "query", "expression": "Task"}])
    assert info.value.status_code == 400 and "bad name" in str(info.value)
    assert KEY not in str(info.value) and KEY not in repr(info.value)


@pytest.mark.parametrize("body, status, match", [
    (b"<html>gateway</html>", 502, "not JSON"),
    (json.dumps([1, 2]).encode(), 200, "list of 1 result"),
    (json.dumps([1]).encode(), 500, "HTTP 500"),
])
def test_malformed_answers(body, status, match):
    client = make_client(FakeTransport(body, status=status))
    with pytest.raises(MalformedResponseError, match=match):
        client.call([{"action": "query", "expression": "Task"}])


def test_closed_client_raises_and_closes_the_transport_once():
    transport = FakeTransport([{}])
    client = make_client(transport)
    client.close()
    client.close()
    assert client.closed and transport.closed == 1
    with pytest.raises(SessionClosedError, match="closed"):
        client.call([{"action": "query_schemas"}])
    assert transport.posts == []


def test_debug_log_names_the_call_never_the_key(caplog):
    caplog.set_level(logging.DEBUG, logger="ftrack_orm.client")
    client = make_client(FakeTransport([{}]))
    client.call([{"action": "query_server_information"}])
    messages = [record.getMessage() for record in caplog.records]
    assert any("query_server_information" in message for message in messages)
    assert not any(KEY in message for message in messages)


def test_component_url_is_signed():
    client = make_client(FakeTransport([]))
    assert client.component_url("component/get", {"id": "c 1"}) == (
        f"https://studio.example/component/get?id=c+1&username=jane&apiKey={KEY}"
    )
