"""Credentials checked in the database and remembered until the next write (real HTTP, real SQLite)."""
from __future__ import annotations

from ftrack_orm.sandbox import Sandbox

from tests.support.sandbox_http import Client


def test_a_remembered_caller_is_asked_again_after_a_write(client, sandbox):
    executed = []
    client.rows("select id from User where username is admin")  # checked once: remembered now
    sandbox.store.connection.set_trace_callback(executed.append)  # this test thread's read connection
    assert sandbox.credentials.check(sandbox.api_user, sandbox.api_key)[0] is not None
    assert not any("_sandbox_credentials" in sql for sql in executed)  # served from memory
    user = client.rows("select id from User where username is admin")[0]
    client.call([{"action": "update", "entity_type": "User", "entity_key": [user["id"]],
                  "entity_data": {"first_name": "Renamed"}}])
    assert sandbox.credentials.check(sandbox.api_user, sandbox.api_key)[0] == user["id"]
    assert any("_sandbox_credentials" in sql for sql in executed)  # the write retired what was known
    sandbox.store.connection.set_trace_callback(None)


def test_a_wrong_key_is_refused_after_the_right_one_was_remembered(client, sandbox):
    assert client.rows("select id from User where username is admin")
    wrong = Client(sandbox, key=sandbox.api_key[:-1] + ("0" if sandbox.api_key[-1] != "0" else "1"))
    assert wrong.error([{"action": "query", "expression": "select id from User"}])["exception"] \
        == "InvalidCredentialsError"
    longer = Client(sandbox, key=sandbox.api_key + "0")
    assert longer.error([{"action": "query", "expression": "select id from User"}])["exception"] \
        == "InvalidCredentialsError"


def test_a_read_only_key_stays_read_only_when_remembered():
    with Sandbox() as sandbox:
        reader = Client(sandbox, user=sandbox.readonly_user, key=sandbox.readonly_key)
        for _ in range(2):  # the second answer comes from the remembered caller
            body = reader.error([{"action": "create", "entity_type": "Project",
                                  "entity_data": {"name": "p", "full_name": "p"}}])
            assert body["exception"] == "PermissionError"
