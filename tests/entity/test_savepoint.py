"""Savepoints undo only what was recorded after them (identity map, no server)."""
from __future__ import annotations

import pytest

from ftrack_orm.entity import DetachedEntityError
from ftrack_orm.entity.lifecycle import LandedCommit
from tests.support.entities import decode

TASK_OBJECT_TYPE = "11c137c0-ee7e-4f9c-91c5-8c77cec22b2c"


@pytest.fixture
def loaded(imap):
    return decode(imap, [
        {"__entity_type__": "Task", "id": f"t{n}", "name": f"task{n}", "bid": float(n), "project_id": "p1",
         "object_type_id": TASK_OBJECT_TYPE,
         "metadata": [{"__entity_type__": "Metadata", "parent_id": f"t{n}", "key": "a", "value": "1",
                       "parent_type": "Task"}]}
        for n in range(4)
    ] + [{"__entity_type__": "Shot", "id": "sh", "name": "sh010", "children": [
        {"__entity_type__": "Task", "id": "t0"}]}])


def test_rollback_keeps_work_recorded_before(imap, loaded):
    t0, t1, t2, t3, shot = loaded
    t0.name = "before"
    t0.metadata["a"] = "2"
    earlier = imap.create("Task", {"name": "earlier"})
    imap.mark_deleted(t3)
    savepoint = imap.lifecycle.savepoint()
    t0.name = "inside"                      # a further change of a pending entity
    t0.metadata["b"] = "new key"
    t1.bid = 99.0                            # a clean entity changed
    shot.children.append(t2)                 # a collection
    imap.mark_deleted(t2)                    # a delete in the block
    inside = imap.create("Task", {"name": "inside"})
    earlier.name = "earlier, renamed"
    imap.mark_deleted(earlier)               # a pre-block create dropped in the block
    savepoint.rollback()
    assert t0.name == "before" and dict(t0.metadata) == {"a": "2"}
    assert t0.changes["name"] == ("task0", "before")
    assert not t1.is_dirty and t1.bid == 1.0
    assert not t2.is_dirty and list(shot.children) == [t0] and not shot.is_dirty
    assert earlier.name == "earlier" and earlier.is_dirty and imap.get("Task", earlier.id) is earlier
    assert t3.is_dirty and "(deleted)" in repr(t3)
    with pytest.raises(DetachedEntityError, match="failed transaction"):
        _ = inside.name
    assert set(imap.changes.new) == {earlier} and set(imap.changes.dirty) == {t0}
    assert imap.changes.deleted == [t3]


def test_nested_savepoints(imap, loaded):
    t0, t1, t2, _, _ = loaded
    outer = imap.lifecycle.savepoint()
    t0.name = "outer"
    inner = imap.lifecycle.savepoint()
    t0.name = "inner"
    t1.name = "inner"
    inner.rollback()
    assert (t0.name, t1.name, t1.is_dirty) == ("outer", "task1", False)
    t2.name = "outer too"
    outer.rollback()
    assert not imap.changes and t0.name == "task0" and t2.name == "task2"


def test_released_savepoint_keeps_changes_and_closes(imap, loaded):
    t0 = loaded[0]
    savepoint = imap.lifecycle.savepoint()
    t0.name = "kept"
    savepoint.release()
    assert savepoint.closed and t0.name == "kept" and t0.is_dirty
    with pytest.raises(RuntimeError, match="already"):
        savepoint.rollback()


def test_work_that_landed_inside_is_not_undone(imap, loaded):
    t0, t1, _, _, _ = loaded
    t0.name = "before"
    savepoint = imap.lifecycle.savepoint()
    created = imap.create("Task", {"name": "landed"})
    t1.name = "landed"
    imap.apply_commit(LandedCommit(tuple(imap.changes)))
    created.name = "after the commit"
    savepoint.rollback()
    assert not imap.changes
    assert created.name == "landed" and imap.get("Task", created.id) is created
    assert t0.name == "before" and t1.name == "landed"  # both landed: the server has them


def test_full_rollback_inside_resets_the_point(imap, loaded):
    t0, t1, _, _, _ = loaded
    t0.name = "before"
    savepoint = imap.lifecycle.savepoint()
    imap.rollback()
    t1.name = "after"
    savepoint.rollback()
    assert not imap.changes and t0.name == "task0" and t1.name == "task1"
