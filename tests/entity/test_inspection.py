"""ftrack_orm.inspect(entity): the public read-only view of an entity's state."""
from __future__ import annotations

import pytest

from ftrack_orm import inspect
from ftrack_orm.entity import EntityView


def test_states(imap):
    task = imap.merge({"__entity_type__": "Task", "id": "t1", "name": "Layout"})
    assert inspect(task).state == "clean"
    task.name = "Comp"
    assert inspect(task).state == "dirty"
    task.name = "Layout"
    assert inspect(task).state == "clean"
    imap.mark_deleted(task)
    assert inspect(task).state == "deleted"
    new = imap.create("Task", {"name": "n"})
    assert inspect(new).state == "new"
    imap.rollback()
    assert inspect(new).state == "detached" and "rolled back" in inspect(new).detached_reason
    assert inspect(task).state == "clean"


def test_values_keys_and_owner(imap):
    task = imap.merge({"__entity_type__": "Task", "id": "t1", "name": "Layout", "bid": 1.0})
    task.name = "Comp"
    view = inspect(task)
    assert isinstance(view, EntityView)
    assert view.loaded == {"id", "name", "bid"}
    assert view.server_values["name"] == "Layout" and view.pending == {"name": "Comp"}
    assert view.changes == {"name": ("Layout", "Comp")}
    assert view.value("name") == "Comp" and view.value("description", "-") == "-"
    assert view.primary_key == ("t1",) and view.identity_key == ("Context", "t1")
    assert view.identity_map is imap and view.schema is imap.schemas["Task"]
    with pytest.raises(TypeError):
        view.server_values["name"] = "x"
    with pytest.raises(TypeError):
        view.pending["name"] = "x"


def test_inspect_rejects_non_entities():
    with pytest.raises(TypeError, match="takes an entity"):
        inspect({"id": "t1"})
