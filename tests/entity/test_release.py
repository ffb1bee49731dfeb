"""Releasing entities never drops pending work silently (identity map, no server)."""
from __future__ import annotations

import pytest

from ftrack_orm import PendingWorkError
from ftrack_orm.entity import DetachedEntityError


@pytest.fixture
def tasks(imap):
    return [imap.merge({"__entity_type__": "Task", "id": f"t{n}", "name": f"task{n}"}) for n in range(3)]


def test_clear_refuses_pending_work_and_names_it(imap, tasks):
    tasks[0].name = "changed"
    imap.mark_deleted(tasks[1])
    new = imap.create("Task", {"name": "new"})
    with pytest.raises(PendingWorkError, match=r"3 entities \(1 new, 1 dirty, 1 deleted\).*force=True"):
        imap.clear()
    assert len(imap) == 4 and tasks[0].name == "changed" and new.is_dirty  # nothing changed
    imap.clear(force=True)
    assert len(imap) == 0 and not imap.changes
    with pytest.raises(DetachedEntityError, match="force=True"):
        _ = new.name


def test_clear_without_pending_work(imap, tasks):
    imap.clear()
    assert len(imap) == 0 and tasks[0].name == "task0"  # loaded entities stay usable


def test_expunge_refuses_pending_work(imap, tasks):
    tasks[0].name = "changed"
    with pytest.raises(PendingWorkError, match=r"t0.*1 dirty entity"):
        imap.expunge(tasks[0])
    assert tasks[0] in imap and tasks[0].is_dirty
    imap.expunge(tasks[1])
    assert tasks[1] not in imap
    imap.expunge(tasks[0], force=True)
    assert tasks[0] not in imap and not imap.changes


def test_clean_entities_are_held_weakly(imap):
    import weakref

    watcher = weakref.ref(imap.merge({"__entity_type__": "Task", "id": "gone", "name": "x"}))
    assert watcher() is None and imap.get("Task", "gone") is None and len(imap) == 0
    kept = imap.merge({"__entity_type__": "Task", "id": "kept", "name": "x"})
    kept.name = "dirty"
    watcher = weakref.ref(kept)
    del kept
    assert watcher() is not None and imap.get("Task", "kept") is watcher()
