"""Session calls of ftrack-python-api habits: get, reset, ensure that commits, warnings for
pending changes dropped, a closed session's own error."""
from __future__ import annotations

import gc
import warnings

import pytest

from ftrack_orm import FtrackOrmError, Session, SessionClosedError
from ftrack_orm.sandbox import Sandbox
from tests.support.live import recording_session, server_rows


@pytest.fixture
def sandbox():
    with Sandbox(seed="demo") as studio:
        yield studio


def test_get_uses_the_identity_map_first_then_one_query(sandbox):
    with recording_session(sandbox) as session:
        task = session.query("select name from Task").first()
        sent = session.transport.request_count
        assert session.get("Task", task.id) is task and session.transport.request_count == sent
        shot_id = server_rows(sandbox, "select id from Shot where name is sh020")[0]["id"]
        shot = session.get("Shot", shot_id)
        assert shot.name == "sh020" and session.transport.request_count == sent + 1
        assert session.get("Shot", "00000000-0000-0000-0000-000000000000") is None
        with pytest.raises(ValueError, match="primary key of 1 value"):
            session.get("Task", ["a", "b"])


def test_ensure_commits_outside_a_transaction_and_joins_inside(sandbox):
    with recording_session(sandbox) as session:
        shot = session.query("Shot where name is sh010").one()
        kind = session.query("Type where name is Animation").one()
        made = session.ensure("Task", {"name": "ensured", "parent_id": shot.id, "type_id": kind.id})
        assert not made.is_dirty
        assert server_rows(sandbox, f"select name from Task where id is {made.id}")[0]["name"] == "ensured"
        with session.transaction():
            joined = session.ensure("Task", {"name": "joined", "parent_id": shot.id, "type_id": kind.id})
            assert joined.is_dirty  # nothing sent before the transaction ends
            assert not server_rows(sandbox, "select id from Task where name is joined")
        assert not joined.is_dirty and server_rows(sandbox, "select id from Task where name is joined")


def test_reset_discards_pending_work_with_a_warning_and_empties_the_map(sandbox):
    with recording_session(sandbox) as session:
        task = session.query("select name from Task").first()
        task.name = "never sent"
        with pytest.warns(ResourceWarning, match="reset with 1 entity with pending changes"):
            session.reset()
        again = session.query(f"select name from Task where id is {task.id}").one()
        assert again is not task and again.name != "never sent" and not session.identity_map.changes


def test_close_and_garbage_collection_with_pending_changes_warn(sandbox):
    session = Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False)
    for task in session.query("select name from Task").limit(2):
        task.name = "lost"
    with pytest.warns(ResourceWarning, match="closed with 2 entities with pending changes"):
        session.close()
    forgotten = Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False)
    forgotten.query("select name from Task").first().name = "lost"
    with pytest.warns(ResourceWarning, match="garbage-collected without close"):
        del forgotten
        gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False).close()  # nothing pending: silent


def test_a_closed_session_raises_its_own_error(sandbox):
    session = Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False)
    session.close()
    with pytest.raises(SessionClosedError, match="is closed") as info:
        session.query("Task").first()
    assert isinstance(info.value, FtrackOrmError) and isinstance(info.value, RuntimeError)
