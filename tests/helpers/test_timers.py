"""``user.start_timer`` / ``stop_timer`` as in ftrack-python-api: both commit."""
from __future__ import annotations

import pytest

from ftrack_orm import NoResultFoundError, NotUniqueError, Session
from ftrack_orm.sandbox import Sandbox
from tests.support.live import server_rows


@pytest.fixture
def studio():
    with Sandbox(seed="demo") as sandbox, Session(sandbox.url, sandbox.api_user, sandbox.api_key) as session:
        yield sandbox, session


def test_start_stop_and_force(studio):
    sandbox, session = studio
    user = session.query(f"User where username is {sandbox.api_user}").one()
    task = session.query("Task").first()
    timer = user.start_timer(task, comment="comp", name="work")
    assert not timer.is_dirty and server_rows(sandbox, "select id from Timer")[0]["id"] == timer.id
    with pytest.raises(NotUniqueError, match="already running"):
        user.start_timer(task)
    second = user.start_timer(task, force=True)  # stops the first into a timelog
    assert [row["id"] for row in server_rows(sandbox, "select id from Timer")] == [second.id]
    timelog = user.stop_timer()
    row = server_rows(sandbox, f"select context_id, comment, name, duration from Timelog where id is {timelog.id}")[0]
    assert (row["context_id"], row["name"], row["duration"] >= 0) == (task.id, None, True)
    assert len(server_rows(sandbox, "select id from Timelog where comment is comp")) == 1
    assert not server_rows(sandbox, "select id from Timer")
    with pytest.raises(NoResultFoundError):
        user.stop_timer()
