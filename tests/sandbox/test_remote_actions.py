"""The sandbox answers the helper actions in the shapes the official client reads."""
from __future__ import annotations

import pytest
import requests

from ftrack_orm.sandbox import Sandbox


@pytest.fixture
def sandbox():
    with Sandbox(seed="demo") as studio:
        yield studio


def post(sandbox, *operations):
    headers = {"ftrack-user": sandbox.api_user, "ftrack-api-key": sandbox.api_key}
    return requests.post(sandbox.url + "/api", json=list(operations), headers=headers, timeout=10).json()


def test_answers(sandbox):
    user_id = post(sandbox, {"action": "query", "expression": "select id from User"})[0]["data"][0]["id"]
    widget, job, invite = post(
        sandbox,
        {"action": "get_widget_url", "name": "tasks", "theme": None},
        {"action": "delayed_job", "job_type": "SYNC_USERS_LDAP"},
        {"action": "send_user_invite", "user_id": user_id},
    )
    assert widget["widget_url"].startswith(sandbox.url) and "theme=dark" in widget["widget_url"]
    assert (job["data"]["__entity_type__"], job["data"]["status"]) == ("Job", "queued")
    assert invite == {} and sandbox.remote.invited == [user_id]


def test_refusals(sandbox):
    assert post(sandbox, {"action": "delayed_job", "job_type": "X"})["exception"] == "ValidationError"
    answer = post(sandbox, {"action": "reset_remote", "reset_type": "thumbnail", "entity_type": "Task",
                            "entity_key": "1"})
    assert "Unknown reset type" in answer["content"]
    assert "Unknown action 'nope'" in post(sandbox, {"action": "nope"})["content"]


def test_reset_api_key_replaces_the_key(sandbox):
    user = post(sandbox, {"action": "query", "expression": f"select id from User where username is {sandbox.readonly_user}"})
    user_id = user[0]["data"][0]["id"]
    answer = post(sandbox, {"action": "reset_remote", "reset_type": "api_key", "entity_type": "User", "entity_key": user_id})
    fresh = answer[0]["data"]["api_key"]
    assert fresh != sandbox.readonly_key
    old = requests.post(sandbox.url + "/api", json=[{"action": "query_server_information"}], timeout=10,
                        headers={"ftrack-user": sandbox.readonly_user, "ftrack-api-key": sandbox.readonly_key}).json()
    assert old["exception"] == "InvalidCredentialsError"
    new = requests.post(sandbox.url + "/api", json=[{"action": "query_server_information"}], timeout=10,
                        headers={"ftrack-user": sandbox.readonly_user, "ftrack-api-key": fresh}).json()
    assert "version" in new[0]
