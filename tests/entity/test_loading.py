from __future__ import annotations

import pytest

from ftrack_orm.entity import NotLoadedError
from tests.support.entities import CountingLoader, decode


def make_store(count: int = 1000, shots: int = 100):
    store = {}
    for s in range(shots):
        store[f"sh{s}"] = {"__entity_type__": "Shot" if s % 2 else "Sequence", "id": f"sh{s}", "name": f"shot {s}"}
    for i in range(count):
        store[f"t{i}"] = {"__entity_type__": "Task", "id": f"t{i}", "name": f"task {i}",
                          "parent": store[f"sh{i % shots}"], "bid": float(i)}
    return store


def query_tasks(imap, count: int = 1000):
    return decode(imap, {"data": [{"__entity_type__": "Task", "id": f"t{i}"} for i in range(count)]})["data"]


def test_parent_name_over_1000_results_costs_two_requests(imap):
    loader = CountingLoader(imap, make_store())
    tasks = query_tasks(imap)
    names = [task.parent.name for task in tasks]
    assert names[3] == "shot 3" and names[999] == "shot 99"
    assert len(loader.calls) == 2
    (first_type, first_entities, first_attrs), (second_type, second_entities, second_attrs) = loader.calls
    assert first_attrs == ["parent"] and len(first_entities) == 1000 and first_type == "Context"
    assert second_attrs == ["name"] and second_type == "Context"
    # every parent (Shots and Sequences together) in that one request; group members of the
    # same query type that also lack the attribute (here the tasks) ride along
    assert {e.id for e in second_entities} >= {f"sh{s}" for s in range(100)}


def test_loaded_attributes_are_not_fetched_again(imap):
    loader = CountingLoader(imap, make_store())
    tasks = query_tasks(imap)
    _ = tasks[0].bid
    _ = tasks[5].bid
    assert len(loader.calls) == 1 and loader.calls[0][0] == "TypedContext"  # bid lives on TypedContext


def test_entity_outside_a_group_loads_alone(imap):
    loader = CountingLoader(imap, make_store())
    first = imap.merge({"__entity_type__": "Task", "id": "t1"})
    second = imap.merge({"__entity_type__": "Task", "id": "t2"})
    assert first.name == "task 1" and second._values.keys() == {"id"}
    assert [len(c[1]) for c in loader.calls] == [1]


def test_auto_populate_off_raises_clear_error(imap):
    loader = CountingLoader(imap, make_store())
    tasks = query_tasks(imap, 3)
    imap.auto_populate = False
    with pytest.raises(NotLoadedError, match=r"Task.*t0.*\.parent.*auto_populate"):
        _ = tasks[0].parent
    imap.auto_populate = True
    with imap.auto_populating(False):
        with pytest.raises(NotLoadedError, match="auto_populate"):
            _ = tasks[0].name
    assert tasks[0].name == "task 0"
    assert len(loader.calls) == 1


def test_no_loader_raises_clear_error(imap):
    task = imap.merge({"__entity_type__": "Task", "id": "t1"})
    with pytest.raises(NotLoadedError, match="no loader"):
        _ = task.name


def test_new_entities_never_fetch(imap):
    loader = CountingLoader(imap, make_store())
    task = imap.create("Task", {"name": "n"})
    assert task.description is None and task.parent is None and len(task.children) == 0
    assert dict(task.metadata) == {}
    assert loader.calls == []


def test_unloaded_is_not_none(imap):
    loader = CountingLoader(imap, make_store())
    task = decode(imap, {"__entity_type__": "Task", "id": "t1", "parent": None})
    assert task.parent is None and loader.calls == []  # projected empty reference
    assert task.name == "task 1" and len(loader.calls) == 1


def test_populate_dotted_paths_batched(imap):
    loader = CountingLoader(imap, make_store())
    tasks = query_tasks(imap, 200)
    tasks[0]._values.update(name="already", parent=None)  # fully loaded: not asked
    imap.populate(tasks, "name, parent.name")
    assert [(t, len(e), sorted(a)) for t, e, a in loader.calls] == [
        ("Context", 199, ["name", "parent"]),
        ("Context", 100, ["name"]),
    ]
    with imap.auto_populating(False):
        assert tasks[7].parent.name == "shot 7" and tasks[0].name == "already"
    imap.populate(tasks, ["name", "parent.name"])
    assert len(loader.calls) == 2  # nothing left to fetch


def test_populate_unknown_path_suggests(imap):
    CountingLoader(imap, make_store())
    tasks = query_tasks(imap, 2)
    with pytest.raises(AttributeError, match="Did you mean 'parent'"):
        imap.populate(tasks, "parnet.name")


def test_server_without_the_entity_raises(imap):
    CountingLoader(imap, {})
    task = imap.merge({"__entity_type__": "Task", "id": "ghost"})
    with pytest.raises(NotLoadedError, match="returned no value"):
        _ = task.name
