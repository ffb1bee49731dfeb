"""Entities over real HTTP: lazy loading without N+1, populate, auto_populate, threads, merging."""
from __future__ import annotations

import threading

import pytest

from ftrack_orm import Session
from ftrack_orm.entity import NotLoadedError
from ftrack_orm.loader import KEYS_PER_QUERY


def make_tasks(session, count):
    shot = session.query("Shot where name is sh010").one()
    task_type = session.query("Type where name is Compositing").one()
    for index in range(count):
        session.create("Task", {"name": f"bulk{index:04d}", "parent": shot, "type": task_type})
    session.commit()


def test_lazy_loading_1000_tasks_costs_two_requests(session, sandbox):
    make_tasks(session, 1000)
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as fresh:
        tasks = fresh.query('select name from Task where name like "bulk%"', page_size=500).all()
        assert len(tasks) == 1000
        sandbox.reset_counters()
        names = {task.parent.name for task in tasks}
        assert names == {"sh010"}
        assert sandbox.request_count == 2  # parents of all 1,000, then their names
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


def test_populate_loads_in_few_requests(session, sandbox):
    tasks = session.query("select name from Task").all()
    sandbox.reset_counters()
    session.populate(tasks, "status.name, parent.name")
    assert sandbox.request_count == 2  # (status, parent) of all tasks, then names of both kinds
    sandbox.reset_counters()
    assert {t.status.name for t in tasks} <= {"Not started", "In progress", "Pending review", "Approved", "On hold"}
    assert sandbox.request_count == 0


def test_auto_populate_off_raises_instead_of_fetching(sandbox):
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False, auto_populate=False) as s:
        task = s.query("select name from Task").first()
        sandbox.reset_counters()
        with pytest.raises(NotLoadedError, match="description"):
            task.description
        assert sandbox.request_count == 0
        s.auto_populate = True
        assert task.description is not None
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as s:
        task = s.query("select name from Task").first()
        with s.auto_populating(False), pytest.raises(NotLoadedError):
            task.bid
        assert isinstance(task.bid, float)


def test_threads_querying_and_lazy_loading_share_one_identity_map(session, sandbox):
    errors = []
    seen = []

    def work(index):
        try:
            tasks = session.query("select name from Task", page_size=7).all()
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


def test_subtype_query_returns_concrete_classes(session):
    contexts = session.query("select name from Context where name in (sq010, sh010, demo_vfx)").all()
    by_name = {c.name: c for c in contexts}
    assert type(by_name["sq010"]).__name__ == "Sequence"
    assert type(by_name["sh010"]).__name__ == "Shot"
    assert type(by_name["demo_vfx"]).__name__ == "Project"
    assert isinstance(by_name["sh010"], session.TypedContext) and isinstance(by_name["sh010"], session.Context)
    assert session.query("select name from Shot where name is sh010").one() is by_name["sh010"]


def test_custom_attributes_are_typed(session):
    shot = session.query("select name, custom_attributes from Shot where name is sh010").one()
    assert isinstance(shot.custom_attributes["fstart"], int) or isinstance(shot.custom_attributes["fstart"], float)
    with pytest.raises((TypeError, ValueError)):
        shot.custom_attributes["fstart"] = "not a number"
    with pytest.raises(KeyError, match="fstrat|Did you mean"):
        shot.custom_attributes["fstrat"] = 3
    assert not shot.is_dirty
