"""get_widget_url, reset_remote and delayed_job (sandbox/actions.py), with a real server's answer shapes."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from ftrack_orm.sandbox.seed import uid
from tests.support.sandbox_http import Client


def test_get_widget_url_answers_an_authenticated_url(client, sandbox):
    answer = client.call([{"action": "get_widget_url", "name": "info", "theme": None,
                           "entity_type": "Shot", "entity_key": [uid("Shot", "sh010")]}])[0]
    url = urlsplit(answer["widget_url"])
    assert answer["widget_url"].startswith(sandbox.url + "/widget/")
    query = parse_qs(url.query)
    assert query["view"] == ["info"] and query["theme"] == ["dark"] and query["entityType"] == ["Shot"]
    assert query["entityId"] == [uid("Shot", "sh010")] and query["auth"][0]


def test_get_widget_url_refuses_an_unknown_widget(client):
    body = client.error([{"action": "get_widget_url", "name": "nope"}])
    assert body["exception"] == "ValidationError" and "tasks_browser" in body["content"]


def test_reset_remote_api_key_gives_a_new_key_and_the_old_one_stops_working(client, sandbox):
    answer = client.call([{"action": "reset_remote", "reset_type": "api_key", "entity_type": "User",
                           "entity_key": sandbox_user_id(client, sandbox.api_user)}])[0]
    new_key = answer["data"]["api_key"]
    assert answer["data"] == {"api_key": new_key} and new_key != sandbox.api_key
    assert client.error([{"action": "query", "expression": "select id from User"}])["exception"] \
        == "InvalidCredentialsError"
    assert Client(sandbox, key=new_key).rows("select id from User where username is admin")


def sandbox_user_id(client, username):
    return client.rows(f"select id from User where username is {username}")[0]["id"]


def test_reset_remote_refuses_other_reset_types_and_read_only_users(client, sandbox):
    assert client.error([{"action": "reset_remote", "reset_type": "password", "entity_type": "User",
                          "entity_key": uid("User", "jane.doe")}])["exception"] == "ValidationError"
    reader = Client(sandbox, sandbox.readonly_user, sandbox.readonly_key)
    assert reader.error([{"action": "delayed_job", "job_type": "SYNC_USERS_LDAP"}])["exception"] == "PermissionError"


def test_delayed_job_answers_a_queued_job(client):
    job = client.call([{"action": "delayed_job", "job_type": "SYNC_USERS_LDAP"}])[0]["data"]
    assert job["__entity_type__"] == "Job"
    stored = client.rows(f"select status, data, user.username from Job where id is {job['id']}")[0]
    assert stored["status"] == "queued" and json.loads(stored["data"]) == {"job_type": "SYNC_USERS_LDAP"}
    assert stored["user"]["username"] == "admin"


def test_the_official_client_reads_the_answers(sandbox):
    ftrack_api = pytest.importorskip("ftrack_api")
    session = ftrack_api.Session(server_url=sandbox.url, api_key=sandbox.api_key, api_user=sandbox.api_user,
                                 auto_connect_event_hub=False, plugin_paths=[])
    try:
        shot = session.get("Shot", uid("Shot", "sh010"))
        assert "/widget/" in session.get_widget_url("info", entity=shot, theme="light")
        jane = session.query("User where username is jane.doe").one()
        key = jane.reset_api_key()
        assert Client(sandbox, "jane.doe", key).rows("select id from User where username is jane.doe")
    finally:
        session.close()


def test_send_user_invite_records_the_user_and_answers_nothing(client, sandbox):
    user_id = client.call([{"action": "query", "expression": "select id from User"}])[0]["data"][0]["id"]
    assert client.call([{"action": "send_user_invite", "user_id": user_id}]) == [{}]
    assert sandbox.actions.invited == [user_id]
    status, refused = client.post([{"action": "send_user_invite", "user_id": "no-such-user"}])
    assert refused["exception"] == "ValidationError" and sandbox.actions.invited == [user_id]
