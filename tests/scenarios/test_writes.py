"""Create/update/delete commits, a failed commit, rollback, transactions, ensure, over recorded traffic.

Every session's ids come from ``deterministic_ids`` seeded by the scenario's name (the
``open_session`` fixture), so the request bodies are the same when recording and replaying.
"""
from __future__ import annotations

import pytest

from ftrack_orm import ServerValidationError
from ftrack_orm.entity import DetachedEntityError
from ftrack_orm.results import MultipleResultsFoundError

NOWHERE = "00000000-0000-0000-0000-000000000000"


def sh010_and_compositing(session):
    return (session.query("Shot where name is sh010").one(),
            session.query("Type where name is Compositing").one())


def test_create_update_delete_commits(open_session):
    session = open_session()
    project = session.query("Project where name is demo_vfx").one()
    task_type = session.query("Type where name is Animation").one()
    sequence = session.create("Sequence", {"name": "sq900", "parent": project})
    shot = session.create("Shot", {"name": "sh900", "parent": sequence, "description": "new shot"})
    task = session.create("Task", {"name": "anim", "parent": shot, "type": task_type, "bid": 3.0})
    result = session.commit()
    assert result.counts == {"create": 3, "update": 0, "delete": 0} and result.calls == 1
    assert [op["entity_type"] for op in session.transport.batches[-1]] == ["Sequence", "Shot", "Task"]
    assert not task.is_dirty and task.created_at is not None and task.status_id is not None
    assert task.created_at.tzinfo is not None  # the server's answer, decoded aware

    reader = open_session()
    row = reader.query(f"select name, bid, parent.name, parent.parent.name from Task where id is {task.id}").one()
    assert (row.name, row.bid, row.parent.name, row.parent.parent.name) == ("anim", 3.0, "sh900", "sq900")

    task.name = "anim_v2"
    task.bid = 4.5
    shot.description = "renamed shot"
    assert session.commit().counts == {"create": 0, "update": 2, "delete": 0}
    updates = {op["entity_type"]: op for op in session.transport.batches[-1]}
    assert updates["Task"]["entity_data"] == {"name": "anim_v2", "bid": 4.5}
    assert updates["Task"]["entity_key"] == [task.id]
    row = reader.query(f"select name, bid, parent[Shot].description from Task where id is {task.id}").one()
    assert (row.name, row.bid, row.parent.description) == ("anim_v2", 4.5, "renamed shot")

    ids = ", ".join((sequence.id, shot.id, task.id))
    session.delete(task)
    session.delete(shot)
    session.delete(sequence)
    assert session.commit().counts == {"create": 0, "update": 0, "delete": 3}
    assert [(op["action"], op["entity_type"]) for op in session.transport.batches[-1]] == [
        ("delete", "Task"), ("delete", "Shot"), ("delete", "Sequence"),
    ]
    assert reader.query(f"select id from Context where id in ({ids})").all() == []
    assert reader.query("select id from Context where id is " + ids.split(", ")[0]).first() is None


def test_update_by_key_without_loading(open_session):
    session = open_session()
    task_id = session.query("select id from Task where name is animation and parent.name is sh020").one().id
    session.update("Task", task_id, {"description": "by key"})
    session.commit()
    assert session.transport.batches[-1] == [
        {"action": "update", "entity_type": "Task", "entity_key": [task_id], "entity_data": {"description": "by key"}},
    ]
    reader = open_session()
    assert reader.query(f"select description from Task where id is {task_id}").one().description == "by key"


def test_failed_commit_keeps_everything_pending_then_succeeds(open_session):
    session = open_session()
    shot, task_type = sh010_and_compositing(session)
    good = session.create("Task", {"name": "roto", "parent": shot, "type": task_type})
    bad = session.create("Task", {"name": "paint", "parent_id": NOWHERE, "type": task_type})
    with pytest.raises(ServerValidationError) as info:
        session.commit()
    assert info.value.entity is bad and info.value.operation_index == 1
    assert NOWHERE in info.value.content
    assert good.is_dirty and bad.is_dirty
    assert session.identity_map.changes.new == [good, bad]
    reader = open_session()
    assert reader.query('select id from Task where name in ("roto", "paint")').all() == []  # all or nothing

    bad.parent = shot  # fix, and commit again
    assert session.commit().counts["create"] == 2
    assert not good.is_dirty and not bad.is_dirty
    names = sorted(t.name for t in reader.query('select name, parent.name from Task where parent.name is sh010').all())
    assert names == ["animation", "compositing", "lighting", "paint", "roto"]


def test_rollback_restores_and_detaches(open_session):
    session = open_session()
    task = session.query("select name, bid from Task where name is lighting and parent.name is sh040").one()
    assert (task.name, task.bid) == ("lighting", 4.0)
    task.name, task.bid = "changed", 1.0
    shot, task_type = sh010_and_compositing(session)
    created = session.create("Task", {"name": "new", "parent": shot, "type": task_type})
    session.rollback()
    assert (task.name, task.bid, task.is_dirty) == ("lighting", 4.0, False)
    with pytest.raises(DetachedEntityError, match="rolled back"):
        created.name = "again"
    assert "rolled back" in repr(created)
    sent = session.transport.request_count
    assert session.commit().operations == 0
    assert session.transport.request_count == sent  # nothing to send


def test_transaction_commits_or_rolls_back(open_session):
    session = open_session()
    task = session.query("select name from Task where name is animation and parent.name is sh050").one()
    with session.transaction():
        task.name = "in-transaction"
    assert not task.is_dirty
    reader = open_session()
    assert reader.query(f"select name from Task where id is {task.id}").one().name == "in-transaction"
    with pytest.raises(RuntimeError, match="boom"):
        with session.transaction():
            task.name = "lost"
            raise RuntimeError("boom")
    assert task.name == "in-transaction" and not task.is_dirty
    assert reader.query(f"select name from Task where id is {task.id}").one().name == "in-transaction"


def test_ensure_creates_then_updates_then_refuses(open_session):
    session = open_session()
    shot, task_type = sh010_and_compositing(session)
    data = {"name": "ensured", "parent_id": shot.id, "type_id": task_type.id}
    created = session.ensure("Task", data)  # commits, like both official clients
    assert not created.is_dirty and session.transport.batches[-1][0]["action"] == "create"
    again = session.ensure("Task", dict(data, description="now described"), identifying_keys=["name", "parent_id"])
    assert again is created and not again.is_dirty
    assert session.transport.batches[-1][0]["entity_data"] == {"description": "now described"}
    reader = open_session()
    assert reader.query(f"select description from Task where id is {created.id}").one().description == "now described"
    with pytest.raises(MultipleResultsFoundError, match="several"):
        session.ensure("Task", {"name": "compositing"})


def test_mapped_collections_and_collection_move_commit(open_session):
    session = open_session()
    shot = session.query("select name, metadata, custom_attributes, children from Shot where name is sh030").one()
    other = session.query("select name, children from Shot where name is sh020").one()
    shot.metadata["new_key"] = "v1"
    shot.custom_attributes["fstart"] = 1100
    moved = next(t for t in other.children if t.name == "lighting")
    moved.name = "lighting_2"  # siblings have different names: sh030 has a "lighting" task
    shot.children.append(moved)
    session.commit()
    # regression: the owner's metadata/custom attribute changes were dropped when its only other
    # change was a collection (ftrack_orm/uow.py gather skipped them, then marked the shot clean)
    assert sorted((op["action"], op["entity_type"]) for op in session.transport.batches[-1]) == [
        ("create", "Metadata"), ("update", "ContextCustomAttributeValue"), ("update", "Task"),
    ]
    reader = open_session()
    row = reader.query(f"select metadata, custom_attributes, children.name from Shot where id is {shot.id}").one()
    assert row.metadata["new_key"] == "v1" and row.metadata["camera"] == "cam_C"
    assert row.custom_attributes["fstart"] == 1100
    assert sorted(t.name for t in row.children) == ["animation", "compositing", "lighting", "lighting_2"]
    assert moved.parent is shot and not shot.is_dirty
