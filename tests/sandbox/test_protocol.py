"""Transport, authentication, permissions, error objects, strict statuses and counters."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from ftrack_orm.sandbox.errors import INVALID_CREDENTIALS

from tests.support.data import SANDBOX_DATA, schemas_json, server_information_json

from tests.support.sandbox_http import Client

QUERY = [{"action": "query", "expression": "select name from Shot limit 1"}]


def test_invalid_credentials(shared_sandbox):
    for user, key in [("nobody", shared_sandbox.api_key), (shared_sandbox.api_user, "wrong-key"),
                      (shared_sandbox.readonly_user, shared_sandbox.api_key)]:
        for strict, status in ((False, 200), (True, 401)):
            got_status, body = Client(shared_sandbox, user, key).post(QUERY, strict=strict)
            assert got_status == status
            assert body == {"exception": "InvalidCredentialsError", "content": INVALID_CREDENTIALS,
                            "error_code": "api_credentials_invalid"}
    assert INVALID_CREDENTIALS.startswith("The supplied API key is not valid. API keys are created from Settings")


def test_missing_headers_are_invalid_credentials(shared_sandbox):
    response = requests.post(shared_sandbox.url + "/api", json=QUERY, timeout=10)
    assert response.status_code == 200
    assert response.json()["exception"] == "InvalidCredentialsError"


def test_read_only_user_may_read_but_not_write(shared_sandbox):
    readonly = Client(shared_sandbox, shared_sandbox.readonly_user, shared_sandbox.readonly_key)
    assert readonly.rows("select name from Shot limit 1")[0]["name"] == "sh010"
    shot = readonly.rows("select id from Shot limit 1")[0]
    for operation in [
        {"action": "create", "entity_type": "Note", "entity_data": {"content": "x"}},
        {"action": "update", "entity_type": "Shot", "entity_key": [shot["id"]], "entity_data": {"description": "x"}},
        {"action": "delete", "entity_type": "Shot", "entity_key": [shot["id"]]},
    ]:
        status, body = readonly.post([operation], strict=True)
        assert status == 403
        assert body["exception"] == "PermissionError" and operation["action"] in body["content"]
        assert readonly.post([operation])[0] == 200
    assert readonly.rows("select description from Shot limit 1")[0]["description"] == "Shot sh010 of sq010"


@pytest.mark.parametrize(
    "operations, exception, status",
    [
        ([{"action": "query", "expression": "select nope from Task"}], "ValidationError", 400),
        ([{"action": "query", "expression": "select from"}], "ValidationError", 400),
        ([{"action": "frobnicate"}], "ValidationError", 400),
        ({"action": "query"}, "ValidationError", 400),
        ([{"action": "delete", "entity_type": "Task", "entity_key": [[1]]}], "ServerError", 500),
    ],
)
def test_error_objects_and_strict_statuses(reader, operations, exception, status):
    got_status, body = reader.post(operations, strict=True)
    assert got_status == status
    assert body["exception"] == exception and body["content"] and "error_code" in body
    relaxed_status, relaxed = reader.post(operations)
    assert relaxed_status == 200 and relaxed["exception"] == exception


def test_body_that_is_not_json(shared_sandbox):
    headers = {"ftrack-user": shared_sandbox.api_user, "ftrack-api-key": shared_sandbox.api_key,
               "ftrack-strict-api": "true", "Content-Type": "application/json"}
    response = requests.post(shared_sandbox.url + "/api", data=b"{not json", headers=headers, timeout=10)
    assert response.status_code == 400
    assert response.json()["exception"] == "ParseError"
    assert requests.post(shared_sandbox.url + "/other", json=[], headers=headers, timeout=10).status_code == 404


def test_server_information_and_schemas(reader):
    info, schemas = reader.call([{"action": "query_server_information"}, {"action": "query_schemas"}])
    assert info == server_information_json()
    assert schemas == schemas_json()
    assert len(schemas) == 116


def test_tests_read_the_data_the_sandbox_serves():
    """One copy of the real schemas and server information: the sandbox's."""
    import ftrack_orm.sandbox.server as server

    assert Path(server.DATA).resolve() == SANDBOX_DATA
    assert server_information_json()["schema_hash"] == "23a1157b8b1730fd91c76f63dcd67a8f"
    assert not list(Path(__file__).resolve().parents[1].glob("data/**/schemas.json"))


def test_upload_metadata(reader):
    answer = reader.call([{"action": "get_upload_metadata", "component_id": "c1", "file_name": "a.exr", "file_size": 13}])[0]
    assert answer["component_id"] == "c1" and answer["headers"]["Content-Length"] == "13"
    assert requests.put(answer["url"], data=b"x" * 13, headers=answer["headers"], timeout=10).status_code == 200


def test_counters_and_client_tokens(sandbox):
    sandbox.reset_counters()
    client = Client(sandbox)
    client.post([{"action": "query_server_information"}], headers={"ftrack-clienttoken": "ftrack-orm--one"})
    client.post([{"action": "query_server_information"}] * 3, headers={"ftrack-clienttoken": "ftrack-orm--two"})
    Client(sandbox, "nobody", "x").post(QUERY)
    assert sandbox.request_count == 3
    assert sandbox.operation_count == 4  # the unauthenticated call's operations are not counted
    assert sandbox.client_tokens == ["ftrack-orm--one", "ftrack-orm--two", "tests-token"]
    sandbox.reset_counters()
    assert (sandbox.request_count, sandbox.operation_count, sandbox.client_tokens) == (0, 0, [])


def test_concurrent_requests(shared_sandbox):
    from concurrent.futures import ThreadPoolExecutor

    def work(_):
        return Client(shared_sandbox).rows("select name from Shot where name is sh050")[0]["name"]

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(work, range(32))) == ["sh050"] * 32


def test_a_long_running_sandbox_keeps_only_recent_client_tokens(sandbox, monkeypatch):
    from ftrack_orm.sandbox import server

    monkeypatch.setattr(server, "CLIENT_TOKENS_KEPT", 4)
    sandbox.reset_counters()
    for n in range(7):
        sandbox.call(b"[]", {"ftrack-user": sandbox.api_user, "ftrack-api-key": sandbox.api_key,
                              "ftrack-clienttoken": f"t{n}"})
    assert sandbox.client_tokens == ["t4", "t5", "t6"] and sandbox.request_count == 7
