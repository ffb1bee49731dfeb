"""Session.update and Session(mixins=...): offline, against the scripted server."""
from __future__ import annotations

import pytest

from ftrack_orm import Session, inspect

from tests.support.scripted import ftrack_like


@pytest.fixture
def session(scripted_server):
    scripted_server.handler = ftrack_like()
    return Session(scripted_server.url, "u", "k", schema_cache=False)


def test_update_with_a_bad_value_records_nothing(session):
    # "metadata" takes a mapping: the error comes from the descriptor, after the check
    # of "description" passed; nothing of data may have been recorded
    with pytest.raises(TypeError, match="Shot.metadata expects a mapping"):
        session.update("Shot", "shot-1", {"description": "changed", "metadata": 5})
    shot = session.identity_map.get("Shot", "shot-1")  # None: nothing recorded holds it (held weakly)
    assert shot is None or (inspect(shot).state == "clean" and shot.changes == {})
    assert not session.identity_map.changes


def test_update_with_a_bad_reference_key_records_nothing(session):
    with pytest.raises(TypeError, match="Task.bid expects a number"):
        session.update("Task", "t1", {"parent_id": "shot-1", "bid": "many"})
    assert not session.identity_map.changes


def test_update_records_all_of_data(session):
    task = session.update("Task", "t1", {"description": "d", "bid": 2})
    assert task.changes["description"][1] == "d" and task.changes["bid"][1] == 2.0


class TaskTools:
    __slots__ = ()

    def shout(self):
        return self.name.upper()


def test_session_mixins_reach_instances(session):
    session2 = Session(session.server_url, "u", "k", schema_cache=False, mixins={"Task": [TaskTools]})
    task = session2.create("Task", {"name": "comp"})
    assert task.shout() == "COMP"
    assert not hasattr(session.create("Task", {"name": "x"}), "shout")  # only that session
