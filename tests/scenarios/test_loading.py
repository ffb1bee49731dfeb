"""Lazy loading, populate and mapped collections, over recorded traffic (requests counted)."""
from __future__ import annotations

import pytest

from ftrack_orm.entity import NotLoadedError

SHOTS = [f"sh{n * 10:03d}" for n in range(1, 11)]


def test_lazy_loading_a_level_costs_one_request_per_step(open_session):
    session = open_session()
    tasks = session.query('select name from Task where parent.name like "sh0%"').all()
    assert len(tasks) == 27
    before = session.transport.request_count
    assert {task.parent.name for task in tasks} == set(SHOTS[:9])
    assert session.transport.request_count == before + 2  # parents of all 27, then their names
    assert {task.parent.parent.name for task in tasks} == {"sq010", "sq020"}
    assert session.transport.request_count == before + 4
    assert tasks[0].parent is tasks[1].parent  # one object per entity


def test_populate_loads_paths_for_all_entities(open_session):
    session = open_session()
    tasks = session.query("select name from Task").all()
    before = session.transport.request_count
    session.populate(tasks, "status.name, parent.name")
    assert session.transport.request_count == before + 2
    statuses = [t.status.name for t in tasks]
    assert statuses[:2] == ["Not started", "Not started"]
    assert statuses.count("Approved") == 6
    assert {t.parent.name for t in tasks} == set(SHOTS)
    assert session.transport.request_count == before + 2  # everything was loaded


def test_auto_populate_off_raises_without_request(open_session):
    session = open_session(auto_populate=False)
    task = session.query('select name from Task where name is compositing and parent.name is sh010').one()
    sent = session.transport.request_count
    with pytest.raises(NotLoadedError, match="description"):
        task.description
    assert session.transport.request_count == sent
    with session.auto_populating(True):
        assert task.description == "Compositing for sh010"
    assert session.transport.request_count == sent + 1
    session.auto_populate = True
    assert task.bid == 2.0
    assert session.transport.request_count == sent + 2


def test_auto_populating_off_for_a_block(open_session):
    session = open_session()
    task = session.query("select name from Task where name is compositing and parent.name is sh010").one()
    with session.auto_populating(False), pytest.raises(NotLoadedError):
        task.bid
    assert isinstance(task.bid, float)


def test_metadata_and_custom_attributes_read(open_session):
    session = open_session()
    shot = session.query("select name, metadata, custom_attributes from Shot where name is sh030").one()
    assert dict(shot.metadata) == {"camera": "cam_C", "lens": "65mm"}
    assert shot.custom_attributes["fstart"] == 1001
    assert shot.custom_attributes["fend"] == 1001 + 40 + 2 * 8
