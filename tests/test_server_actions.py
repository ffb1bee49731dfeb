"""The session's server-side helpers against the sandbox (real HTTP on loopback)."""
from __future__ import annotations

import pytest

from ftrack_orm.steps import run
from ftrack_orm import Session
from ftrack_orm.errors import ServerCompatibilityError
from ftrack_orm.sandbox import Sandbox
from ftrack_orm import server_actions
from ftrack_orm.server_actions import check_server_compatibility
from tests.support.live import recording_session


@pytest.fixture
def sandbox():
    with Sandbox(seed="demo") as studio:
        yield studio


def test_widget_url_invites_and_delayed_job(sandbox):
    with recording_session(sandbox) as session:
        task = session.query("Task").first()
        url = session.get_widget_url("info", entity=task, theme="light")
        assert url.startswith(sandbox.url) and "view=info" in url and task.id in url and sandbox.api_key not in url
        assert session.transport.batches[-1] == [{"action": "get_widget_url", "name": "info", "theme": "light",
                                                  "entity_type": "Task", "entity_key": [task.id]}]
        users = session.query("User").all()
        session.send_user_invites(users)
        session.send_user_invite(users[0])
        assert sandbox.actions.invited == [u.id for u in users] + [users[0].id]
        job = session.delayed_job("SYNC_USERS_LDAP")
        assert job.entity_type == "Job" and job.status == "queued"
        with pytest.raises(ValueError, match="Invalid job type"):
            session.delayed_job("NOPE")


def test_reset_remote_gives_a_user_a_new_api_key(sandbox):
    with recording_session(sandbox) as session:
        other = session.query(f"User where username is not {sandbox.api_user}").first()
        data = session.reset_remote("api_key", entity=other)
        assert set(data) == {"api_key"} and data["api_key"]
        assert session.transport.batches[-1][0]["entity_key"] == other.id


def test_compatibility(sandbox):
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as session:
        session.check_server_compatibility()  # the sandbox is "dev"
    check_server_compatibility({"version": "4.13.8"})
    with pytest.raises(ServerCompatibilityError, match="3.3.11"):
        check_server_compatibility({"version": "3.3.1"})
    with pytest.raises(ServerCompatibilityError, match="Could not determine"):
        check_server_compatibility({})


def test_an_unknown_action_is_a_compatibility_error(scripted_server):
    def answer(request):
        if request["json"][0]["action"] == "query_server_information":
            return 200, [{"version": "3.0.0"}]
        return 200, {"exception": "ValidationError", "content": "Invalid action u'get_widget_url'"}

    scripted_server.handler = answer
    session = Session(scripted_server.url, "jane", "key", schema_cache=False)
    version = lambda: session.call([{"action": "query_server_information"}])[0]["version"]  # noqa: E731
    with pytest.raises(ServerCompatibilityError, match="'3.0.0' does not support 'get_widget_url'"):
        run(server_actions.get_widget_url(version, "info"), lambda batch, hook: session.call(batch))
