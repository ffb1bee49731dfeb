from __future__ import annotations

from tests.support.entities import decode

import uuid

import pytest

from ftrack_orm.entity.lifecycle import LandedCommit
from ftrack_orm.entity import NOT_LOADED, DetachedEntityError


@pytest.fixture
def task(imap):
    return imap.merge({"__entity_type__": "Task", "id": "t1", "name": "Layout", "bid": 1.0})


def test_assignment_marks_dirty_with_first_original(task, imap):
    task.name = "Comp"
    task.name = "Lighting"
    assert task.is_dirty
    assert task.changes == {"name": ("Layout", "Lighting")}
    assert imap.changes.dirty == [task]


def test_setting_back_the_original_is_clean(task, imap):
    task.bid = 5.0
    task.bid = 1  # lossless int == original 1.0
    assert not task.is_dirty and task.changes == {}
    assert imap.changes.dirty == []


def test_revert_all_and_one(task, imap):
    task.name = "Comp"
    task.bid = 2.0
    task.revert("bid")
    assert task.bid == 1.0 and task.changes == {"name": ("Layout", "Comp")}
    task.revert()
    assert task.name == "Layout" and not task.is_dirty and task._state is None
    assert not imap.changes
    with pytest.raises(AttributeError, match="Did you mean"):
        task.revert("nam")


def test_server_refresh_does_not_clobber_local_changes(task, imap):
    task.name = "Mine"
    imap.merge({"__entity_type__": "Task", "id": "t1", "name": "Server", "bid": 9.0})
    assert task.name == "Mine"
    assert task.bid == 9.0  # unchanged attributes are refreshed
    assert task.changes == {"name": ("Layout", "Mine")}
    task.revert()
    assert task.name == "Server"


def test_create_applies_defaults_and_data(imap):
    shot = imap.create("Shot", {"name": "sh010"})
    uuid.UUID(shot.id)  # {uid} default
    assert shot.object_type_id == "bad911de-3bd6-47b9-8b46-3476e237cb36"  # the classifier default
    changes = shot.changes
    assert changes["name"] == (NOT_LOADED, "sh010")
    assert changes["id"] == (NOT_LOADED, shot.id)
    assert "object_type_id" in changes and "priority_id" in changes
    assert shot.is_dirty and imap.changes.new == [shot]
    assert imap.get("Shot", shot.id) is shot and imap.get("Context", shot.id) is shot
    assert shot.description is None and list(shot.children) == []  # new: no fetch


def test_create_with_explicit_key_and_duplicates(imap):
    task = imap.create("Task", {"id": "fixed", "name": "a"})
    assert task.id == "fixed"
    with pytest.raises(ValueError, match="already exists"):
        imap.create("Task", {"id": "fixed"})
    assert imap.changes.new == [task]


def test_composite_key_create_needs_full_key(imap):
    with pytest.raises(ValueError, match="key"):
        imap.create("Metadata", {"parent_id": "p", "value": "v"})
    meta = imap.create("Metadata", {"parent_id": "p", "key": "k", "value": "v", "parent_type": "Task"})
    assert imap.get("Metadata", ("p", "k")) is meta
    assert imap.changes.new == [meta]


def test_class_call_creates(imap):
    task = imap.types.Task(name="via class")
    assert imap.changes.new == [task] and task.name == "via class"


def test_mark_deleted_and_create_then_delete(task, imap):
    imap.mark_deleted(task)
    assert imap.changes.deleted == [task] and task.is_dirty
    new = imap.create("Task", {"name": "tmp"})
    imap.mark_deleted(new)
    assert imap.changes.new == []
    with pytest.raises(DetachedEntityError):
        _ = new.name


def test_change_sets_cost_only_changed_entities(imap):
    tasks = [imap.merge({"__entity_type__": "Task", "id": f"t{i}", "name": "x"}) for i in range(1000)]
    tasks[10].name = "changed"
    tasks[500].name = "changed"
    assert imap.changes.dirty == [tasks[10], tasks[500]]
    assert sum(1 for t in tasks if t._state is not None) == 2


def test_apply_commit(imap, task):
    task.name = "Comp"
    new = imap.create("Task", {"name": "n"})
    gone = imap.merge({"__entity_type__": "Task", "id": "gone"})
    imap.mark_deleted(gone)
    imap.apply_commit(LandedCommit(tuple(imap.changes)))
    assert not imap.changes
    assert task._values["name"] == "Comp" and not task.is_dirty
    assert new._values["name"] == "n" and not new.is_dirty and new._state is None
    assert imap.get("Task", "gone") is None
    with pytest.raises(DetachedEntityError, match="deleted"):
        _ = gone.name


def test_rollback(imap, task):
    task.name = "Comp"
    new = imap.create("Task", {"name": "n"})
    gone = imap.merge({"__entity_type__": "Task", "id": "gone"})
    imap.mark_deleted(gone)
    imap.rollback()
    assert task.name == "Layout" and not task.is_dirty
    assert not gone.is_dirty and not imap.changes
    with pytest.raises(DetachedEntityError, match="rolled back"):
        _ = new.name
    assert "rolled back" in repr(new)


# ---------------------------------------------------------------- collections


@pytest.fixture
def shot(imap):
    return decode(imap, {"__entity_type__": "Shot", "id": "sh", "children": [
        {"__entity_type__": "Task", "id": "c1"}]})


def test_collection_append_remove_tracked(imap, shot):
    first = shot.children[0]
    task = imap.merge({"__entity_type__": "Task", "id": "c2"})
    shot.children.append(task)
    assert [c.id for c in shot.children] == ["c1", "c2"]
    old, new = shot.changes["children"]
    assert old == [first] and new == [first, task]
    assert imap.changes.dirty == [shot]
    shot.children.remove(task)
    assert not shot.is_dirty  # back to the original list
    shot.children.remove(first)
    assert len(shot.children) == 0 and shot.is_dirty
    with pytest.raises(ValueError):
        shot.children.remove(first)


def test_collection_checks_items(imap, shot):
    status = imap.merge({"__entity_type__": "Status", "id": "st"})
    with pytest.raises(TypeError, match="Shot.children"):
        shot.children.append(status)
    with pytest.raises(ValueError, match="twice"):
        shot.children.append(shot.children[0])
    assert not shot.is_dirty


def test_collection_view_sees_server_refresh(imap, shot):
    view = shot.children
    imap.merge({"__entity_type__": "Shot", "id": "sh", "children": []})
    assert len(view) == 0


def test_collection_diff(imap, shot):
    from ftrack_orm.entity import collection_diff

    extra = imap.merge({"__entity_type__": "Task", "id": "c3"})
    first = shot.children[0]
    shot.children = [extra]
    old, new = shot.changes["children"]
    assert collection_diff(old, new) == ([extra], [first])
