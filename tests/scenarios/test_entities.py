"""Entities over HTTP, live and replayed: one object per entity, merging, typed custom attributes.

Live only: lazy loading over 1,000 created tasks (too big for a cassette; test_loading.py
records the same over 27) and threads sharing one identity map (the order in which
threads send is not deterministic, so no cassette can replay it).
"""
from __future__ import annotations

import threading

import pytest

from ftrack_orm.loader import KEYS_PER_QUERY
from tests.support.cassettes import live_only


@pytest.fixture
def session(open_session):
    s = open_session()
    s.schemas  # noqa: B018 - load schemas before the test counts requests
    return s


def make_tasks(session, count):
    shot = session.query("Shot where name is sh010").one()
    task_type = session.query("Type where name is Compositing").one()
    for index in range(count):
        session.create("Task", {"name": f"bulk{index:04d}", "parent": shot, "type": task_type})
    session.commit()


@live_only
def test_lazy_loading_1000_tasks_costs_two_requests(session, open_session):
    make_tasks(session, 1000)
    with open_session() as fresh:
        tasks = fresh.query('select name from Task where name like "bulk%"', page_size=500).all()
        assert len(tasks) == 1000
        before = fresh.transport.request_count
        names = {task.parent.name for task in tasks}
        assert names == {"sh010"}
        assert fresh.transport.request_count - before == 2  # parents of all 1,000, then their names
        # every chunk stayed under the per-expression key limit
        assert 1000 > KEYS_PER_QUERY


def test_one_object_per_entity_across_queries(session):
    first = session.query("select name from Task where parent.name is sh010").all()
    second = session.query("select description from Task where parent.name is sh010").all()
    assert {id(t) for t in first} == {id(t) for t in second}
    assert all("name" in t._values and "description" in t._values for t in first)


def test_refresh_does_not_clobber_local_changes(session):
    task = session.query("select name from Task").first()
    task.name = "local edit"
    again = session.query(f"select name, description from Task where id is {task.id}").one()
    assert again is task
    assert task.name == "local edit" and task.changes["name"][1] == "local edit"


@live_only
def test_threads_querying_and_lazy_loading_share_one_identity_map(session):
    errors = []
    seen = []
    kept = []  # the identity map holds clean entities weakly: one object per entity while it is alive

    def work(index):
        try:
            tasks = session.query("select name from Task", page_size=7).all()
            kept.append(tasks)
            seen.append([(id(t), t.parent.name, t.status.name) for t in tasks])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert len(seen) == 8 and all(result == seen[0] for result in seen)
    assert len({item[0] for item in seen[0]}) == 30  # one object per task, in every thread
    keys = [session.identity_map.key_of(entity) for entity in session.identity_map]
    assert len(keys) == len(set(keys))


def test_custom_attributes_are_typed(session):
    shot = session.query("select name, custom_attributes from Shot where name is sh010").one()
    assert isinstance(shot.custom_attributes["fstart"], int) or isinstance(shot.custom_attributes["fstart"], float)
    with pytest.raises((TypeError, ValueError)):
        shot.custom_attributes["fstart"] = "not a number"
    with pytest.raises(KeyError, match="fstrat|Did you mean"):
        shot.custom_attributes["fstrat"] = 3
    assert not shot.is_dirty
