"""Unit of work, live and replayed: merging, ordering, atomic failure, chunks, collections.

Requests are counted on the session's transport; rows are read back through a
separate session. Live only (see tests/support/cassettes.py ``live_only``): failure
injection (a dead address, an unknown outcome) and the 500-operation batch (too big
for a cassette; test_writes.py records the same flow with two operations).
"""
from __future__ import annotations

import pytest

from ftrack_orm import (
    OutcomeUnknownError,
    ServerConnectionError,
    ServerValidationError,
)
from ftrack_orm.errors import PartialCommitError
from ftrack_orm.plan import ReferenceCycleError
from tests.support.cassettes import live_only


@pytest.fixture
def session(open_session):
    """A session with its schemas loaded (so a test counts only its own requests)."""
    s = open_session()
    s.schemas  # noqa: B018
    return s


def sent(session):
    """Requests the session has sent so far."""
    return session.transport.request_count


def server_rows(open_session, expression):
    """Rows as the server has them, through a separate session (no identity map sharing)."""
    return [row.to_dict() for row in open_session().query(expression).all()]


def shot_and_type(session):
    shot = session.query("Shot where name is sh010").one()
    task_type = session.query("Type where name is Compositing").one()
    return shot, task_type


def test_create_returns_pending_entity_with_key(session, open_session):
    shot, task_type = shot_and_type(session)
    before = sent(session)
    task = session.create("Task", {"name": "roto", "parent": shot, "type": task_type})
    assert len(task.id) == 36 and task.is_dirty
    assert sent(session) - before == 0
    assert session.query("Task where name is roto").first() is None  # not sent yet


def test_create_then_updates_is_one_create(session, open_session):
    shot, task_type = shot_and_type(session)
    task = session.create("Task", {"name": "roto", "parent": shot, "type": task_type})
    task.name = "roto2"
    task.description = "paint"
    before = sent(session)
    result = session.commit()
    assert result.counts == {"create": 1, "update": 0, "delete": 0} and result.calls == 1
    assert sent(session) - before == 1 and len(session.transport.batches[-1]) == 1
    batch = session.transport.writes()[-1]
    assert [op["action"] for op in batch] == ["create"]
    assert batch[0]["entity_data"]["name"] == "roto2"
    assert not task.is_dirty
    row = server_rows(open_session, f"select name, description from Task where id is {task.id}")[0]
    assert (row["name"], row["description"]) == ("roto2", "paint")


def test_several_updates_are_one_update_with_only_changed_attributes(session, open_session):
    task = session.query("select name, description, bid from Task where parent.name is sh010").first()
    task.description = "a"
    task.description = "b"
    task.bid = 7200
    session.commit()
    batch = session.transport.writes()[-1]
    assert len(batch) == 1 and batch[0]["action"] == "update"
    assert batch[0]["entity_data"] == {"description": "b", "bid": 7200.0}
    assert batch[0]["entity_key"] == [task.id]


def test_create_then_delete_sends_nothing(session, open_session):
    shot, task_type = shot_and_type(session)
    task = session.create("Task", {"name": "tmp", "parent": shot, "type": task_type})
    session.delete(task)
    before = sent(session)
    assert session.commit().operations == 0
    assert sent(session) - before == 0


def test_assignment_back_to_original_is_no_change(session, open_session):
    task = session.query("select name from Task").first()
    original = task.name
    task.name = "x"
    task.name = original
    assert not task.is_dirty
    before = sent(session)
    session.commit()
    assert sent(session) - before == 0


def test_chain_created_in_reverse_order_lands_in_one_request(session, open_session):
    project = session.query("Project").one()
    task_type = session.query("Type where name is Animation").one()
    task = session.create("Task", {"name": "anim", "type": task_type})
    shot = session.create("Shot", {"name": "sh900"})
    sequence = session.create("Sequence", {"name": "sq900"})
    new_project = session.create("Project", {"name": "p2", "full_name": "P2",
                                             "project_schema_id": project.project_schema_id})
    task.parent = shot
    shot.parent = sequence
    sequence.parent = new_project
    before = sent(session)
    result = session.commit()
    assert sent(session) - before == 1
    assert result.counts["create"] == 4
    assert [op["entity_type"] for op in session.transport.writes()[-1]] == ["Project", "Sequence", "Shot", "Task"]
    rows = server_rows(open_session, f"select parent.parent.parent.name from Task where id is {task.id}")
    assert rows[0]["parent"]["__entity_type__"] == "Shot"
    assert session.query(f"select name from Project where id is {new_project.id}").one() is new_project


def test_foreign_key_to_new_entity_orders_the_creates(session, open_session):
    shot, task_type = shot_and_type(session)
    task = session.create("Task", {"name": "fk", "type": task_type})
    parent = session.create("Shot", {"name": "sh901", "parent": shot.parent})
    task.parent_id = parent.id
    session.commit()
    assert [op["entity_type"] for op in session.transport.writes()[-1]] == ["Shot", "Task"]


def test_reference_cycle_is_reported_before_anything_is_sent(session, open_session):
    a = session.create("Folder", {"name": "a"})
    b = session.create("Folder", {"name": "b"})
    a.parent = b
    b.parent = a
    before = sent(session)
    with pytest.raises(ReferenceCycleError, match="cycle"):
        session.commit()
    assert sent(session) - before == 0
    assert a.is_dirty and b.is_dirty


@live_only
def test_500th_invalid_operation_leaves_nothing_and_everything_pending(session, open_session):
    shot, task_type = shot_and_type(session)
    tasks = [session.create("Task", {"name": f"bulk{i:03d}", "parent": shot, "type": task_type}) for i in range(499)]
    bad = session.create("Task", {"name": "bulk499", "parent_id": "00000000-0000-0000-0000-000000000000",
                                  "type": task_type})
    pending = [(t.name, t.is_dirty) for t in tasks + [bad]]
    before = sent(session)
    with pytest.raises(ServerValidationError) as info:
        session.commit()
    assert info.value.operation_index == 499
    assert info.value.entity is bad
    assert "bulk499" in str(info.value)
    assert sent(session) - before == 1
    assert server_rows(open_session, 'select id from Task where name like "bulk%"') == []
    assert [(t.name, t.is_dirty) for t in tasks + [bad]] == pending
    assert len(session.identity_map.changes.new) == 500
    bad.parent = shot  # fix (re-points parent_id too) and commit again
    assert session.commit().counts["create"] == 500
    assert len(server_rows(open_session, 'select id from Task where name like "bulk%"')) == 500
    assert not any(t.is_dirty for t in tasks + [bad])


@live_only
def test_network_failure_keeps_everything(session, open_session):
    task = session.query("select name from Task").first()
    task.name = "renamed"
    real_post = session.transport.post

    def dead_end(url, body, headers, *, read_only):
        return real_post("http://127.0.0.1:9/api", body, headers, read_only=read_only)  # nothing listens there

    session.transport.post = dead_end
    session.transport.retry = type(session.transport.retry)(attempts=1)
    with pytest.raises(ServerConnectionError):
        session.commit()
    assert task.changes == {"name": (task.changes["name"][0], "renamed")}
    session.transport.post = real_post
    session.commit()
    assert server_rows(open_session, f"select name from Task where id is {task.id}")[0]["name"] == "renamed"


@live_only
def test_unknown_outcome_keeps_everything(session, open_session):
    task = session.query("select name from Task").first()
    task.name = "maybe"

    def broken_post(url, body, headers, *, read_only):
        raise OutcomeUnknownError("connection dropped after sending")

    real_post = session.transport.post
    session.transport.post = broken_post
    with pytest.raises(OutcomeUnknownError):
        session.commit()
    session.transport.post = real_post
    assert task.is_dirty and task.name == "maybe"


def test_nested_transactions_join_the_outer_one(session, open_session):
    task = session.query("select name, description from Task").first()
    before = sent(session)
    with session.transaction():
        with session.transaction():
            task.name = "inner"
        assert task.is_dirty and sent(session) - before == 0  # the inner block did not commit
        task.description = "outer"
    assert sent(session) - before == 1
    with pytest.raises(ValueError):
        with session.transaction():
            task.name = "x"
            with session.transaction():
                raise ValueError("inner failure")
    assert task.name == "inner" and not task.is_dirty


def test_chunked_commit_reports_what_landed(session, open_session):
    shot, task_type = shot_and_type(session)
    good = [session.create("Task", {"name": f"chunk{i}", "parent": shot, "type": task_type}) for i in range(4)]
    bad = session.create("Task", {"name": "chunkbad", "parent_id": "00000000-0000-0000-0000-000000000000",
                                  "type": task_type})
    with pytest.raises(PartialCommitError) as info:
        session.commit(chunk_size=2)
    assert (info.value.landed, info.value.total) == (2, 3)
    assert not any(t.is_dirty for t in good)
    assert bad.is_dirty and session.identity_map.changes.new == [bad]
    assert len(server_rows(open_session, 'select id from Task where name like "chunk%"')) == 4


def test_delete_sends_dependents_first(session, open_session):
    shot, task_type = shot_and_type(session)
    new_shot = session.create("Shot", {"name": "sh950", "parent": shot.parent})
    for name in ("a", "b"):
        session.create("Task", {"name": name, "parent": new_shot, "type": task_type})
    session.commit()
    with open_session() as other:
        loaded = other.query(f"select name, children from Shot where id is {new_shot.id}").one()
        tasks = list(loaded.children)
        other.delete(loaded)  # recorded first ...
        for task in tasks:
            other.delete("Task", task.id)
        other.commit()
        actions = [(op["action"], op["entity_type"]) for op in other.transport.writes()[-1]]
    assert actions == [("delete", "Task"), ("delete", "Task"), ("delete", "Shot")]  # ... sent last
    assert server_rows(open_session, f"select id from Context where id is {new_shot.id}") == []
    assert all(t._state.detached for t in tasks)


def test_collection_append_moves_the_item(session, open_session):
    # onto a sequence: sh010 has a "compositing" task already, and siblings have different names
    first = session.query("select name, children from Sequence where name is sq010").one()
    second = session.query("select name, children from Shot where name is sh020").one()
    task = session.query("select name, parent, parent_id from Task where parent.name is sh020").first()
    first.children.append(task)
    assert first.changes["children"][1][-1] is task
    session.commit()
    batch = session.transport.writes()[-1]
    assert batch == [{"action": "update", "entity_type": "Task", "entity_key": [task.id],
                      "entity_data": {"parent_id": first.id}}]
    assert server_rows(open_session, f"select parent_id from Task where id is {task.id}")[0]["parent_id"] == first.id
    assert task.parent is first and task in first.children and task not in second.children
    assert not first.is_dirty


def test_collection_append_of_new_item_goes_into_its_create(session, open_session):
    shot, task_type = shot_and_type(session)
    shot = session.query(f"select name, children from Shot where id is {shot.id}").one()
    task = session.create("Task", {"name": "appended", "type": task_type})
    shot.children.append(task)
    session.commit()
    creates = [op for op in session.transport.writes()[-1] if op["action"] == "create"]
    assert len(creates) == 1 and creates[0]["entity_data"]["parent_id"] == shot.id
    assert server_rows(open_session, f"select parent_id from Task where id is {task.id}")[0]["parent_id"] == shot.id


def test_reordering_a_collection_sends_nothing_and_settles(session, open_session):
    shot = session.query("select name, children from Shot where name is sh030").one()
    children = list(shot.children)
    shot.children[:] = list(reversed(children))
    assert shot.is_dirty
    before = sent(session)
    assert session.commit().operations == 0
    assert sent(session) - before == 0 and not shot.is_dirty


def test_collection_move_updates_old_owner_found_by_foreign_key(session, open_session):
    # onto a sequence: siblings have different names, and every shot has the same task names
    first = session.query("select name, children from Sequence where name is sq020").one()
    second = session.query("select name, children from Shot where name is sh050").one()
    task = session.query("select name, parent_id from Task where parent.name is sh050").first()
    assert "parent" not in task._values  # only the foreign key is loaded
    first.children.append(task)
    session.commit()
    assert task not in second.children and task in first.children
    assert task.parent_id == first.id


def test_server_answer_wins_for_attributes_it_carries(session, open_session):
    shot, task_type = shot_and_type(session)
    task = session.create("Task", {"name": "answer", "parent": shot, "type": task_type})
    session.commit()
    assert task.sort == 0 and task.context_type == "task"  # filled by the server, not sent as such


def test_update_with_one_bad_value_records_nothing(session, open_session):
    task = session.query("select name, bid, description from Task").first()
    with pytest.raises(TypeError, match="Task.bid"):
        session.update("Task", task.id, {"description": "first", "bid": "not a number"})
    assert not task.is_dirty and task.description != "first"
    with pytest.raises(AttributeError, match="Did you mean 'name'"):
        session.update("Task", task.id, {"description": "first", "nmae": "x"})
    assert not task.is_dirty
