"""Iterating a query keeps only the current page reachable: earlier pages' entities are
freed (no gc.collect: by reference counting) while pending ones stay (live sandbox)."""
from __future__ import annotations

import weakref

from tests.support.live import live_fixtures

shared_sandbox, session = live_fixtures()


def test_earlier_pages_are_freed_and_pending_entities_survive(session):
    seen, dirty = [], None
    for number, task in enumerate(session.query("select name, parent.name from Task", page_size=5)):
        seen.append(weakref.ref(task))
        if number == 1:
            task.name = "edited while streaming"
            dirty = weakref.ref(task)
        if number == 16:  # into the fourth page
            break
    del task
    assert dirty() is not None and dirty().is_dirty  # pending: held strongly by the session
    freed = [ref for number, ref in enumerate(seen) if number != 1 and ref() is None]
    assert len(freed) == len(seen) - 1  # every clean row of pages the loop left is gone
    assert len(session.identity_map.changes) == 1


def test_relations_work_when_only_the_entity_is_held(session):
    kept = None
    for number, task in enumerate(session.query("select name, parent.name from Task", page_size=5)):
        if number == 7:
            kept = task
    del task
    requests = session.transport.request_count
    assert kept.parent.name and session.transport.request_count == requests  # no fetch: the parent is held


def test_committed_entity_is_held_weakly_again(session):
    task = session.query("select description from Task").first()
    task.description = "weak again"
    watcher = weakref.ref(task)
    del task
    assert watcher() is not None
    session.commit()
    assert watcher() is None
