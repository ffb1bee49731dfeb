from __future__ import annotations

from tests.support.entities import decode

import datetime as dt

import pytest

from ftrack_orm.entity.lifecycle import LandedCommit
from ftrack_orm.entity import MISSING, CustomAttributeConfigurations, mapped_changes

TASK_OBJECT_TYPE = "11c137c0-ee7e-4f9c-91c5-8c77cec22b2c"


@pytest.fixture
def task(imap):
    return decode(imap, {
        "__entity_type__": "Task", "id": "t1", "name": "Layout", "project_id": "p1",
        "object_type_id": TASK_OBJECT_TYPE,
        "metadata": [{"__entity_type__": "Metadata", "parent_id": "t1", "key": "a", "value": "1",
                      "parent_type": "Task"}],
        "custom_attributes": [{"__entity_type__": "ContextCustomAttributeValue", "configuration_id": "cfg-fstart",
                               "entity_id": "t1", "key": "fstart", "value": 1001}],
    })


@pytest.fixture
def configs(imap):
    registry = CustomAttributeConfigurations.from_entities([
        {"id": "cfg-fstart", "key": "fstart", "type": {"name": "number"}, "entity_type": "task",
         "object_type_id": TASK_OBJECT_TYPE, "project_id": None, "default": 1},
        {"id": "cfg-notes", "key": "notes", "type_name": "text", "entity_type": "task",
         "object_type_id": TASK_OBJECT_TYPE},
        {"id": "cfg-fps", "key": "fps", "type_name": "number", "entity_type": "show", "is_hierarchical": True},
        {"id": "cfg-shot", "key": "cut_in", "type_name": "number", "entity_type": "task",
         "object_type_id": "bad911de-3bd6-47b9-8b46-3476e237cb36"},
        {"id": "cfg-due", "key": "due", "type_name": "date", "entity_type": "task", "object_type_id": TASK_OBJECT_TYPE},
        {"id": "cfg-enum", "key": "look", "type_name": "enumerator", "entity_type": "task",
         "object_type_id": TASK_OBJECT_TYPE, "config": '{"multiSelect": false, "data": "[{\\"menu\\": \\"A\\", \\"value\\": \\"a\\"}]"}'},
    ])
    imap.custom_attribute_configurations = lambda: registry
    return registry


def test_metadata_reads_and_tracks_key_changes(task, imap):
    assert dict(task.metadata) == {"a": "1"}
    task.metadata["k"] = "v"
    task.metadata["a"] = "2"
    assert dict(task.metadata) == {"a": "2", "k": "v"}
    assert task.changes == {"metadata": ({"k": MISSING, "a": "1"}, {"k": "v", "a": "2"})}
    assert imap.changes.dirty == [task]
    task.metadata["a"] = "1"  # back to the original
    assert task.changes == {"metadata": ({"k": MISSING}, {"k": "v"})}
    del task.metadata["k"]
    assert not task.is_dirty and dict(task.metadata) == {"a": "1"}


def test_metadata_changes_become_operations(task):
    task.metadata["k"] = "v"
    task.metadata["a"] = "2"
    changes = {c.key: c for c in mapped_changes(task)}
    create, update = changes["k"], changes["a"]
    assert create.action == "create" and create.entity_type == "Metadata"
    assert create.entity_key == {"parent_id": "t1", "key": "k"}
    assert create.entity_data == {"key": "k", "value": "v", "parent_id": "t1", "parent_type": "Task"}
    assert update.action == "update" and update.entity_key == {"parent_id": "t1", "key": "a"}
    assert update.entity_data == {"value": "2"} and update.item is not None
    del task.metadata["a"]
    assert {c.key: c.action for c in mapped_changes(task)}["a"] == "delete"


def test_metadata_commit_folds_into_items(task, imap):
    task.metadata["k"] = "v"
    task.metadata["a"] = "2"
    imap.apply_commit(LandedCommit((task,)))
    assert not task.is_dirty and dict(task.metadata) == {"a": "2", "k": "v"}
    assert imap.get("Metadata", ("t1", "k")).value == "v"


def test_custom_attributes_without_configurations(task):
    assert task.custom_attributes["fstart"] == 1001
    task.custom_attributes["fstart"] = 1002
    (change,) = mapped_changes(task)
    assert change.action == "update" and change.entity_type == "ContextCustomAttributeValue"
    assert change.entity_key == {"configuration_id": "cfg-fstart", "entity_id": "t1"}
    assert change.entity_data == {"value": 1002}


def test_custom_attributes_typed_by_configuration(task, configs):
    with pytest.raises(TypeError, match="number"):
        task.custom_attributes["fstart"] = "test"
    with pytest.raises(TypeError, match="number"):
        task.custom_attributes["fstart"] = True
    with pytest.raises(KeyError, match="Did you mean 'fstart'"):
        task.custom_attributes["fstrat"] = 1
    with pytest.raises(KeyError):
        task.custom_attributes["cut_in"] = 1  # a Shot attribute, not a Task one
    task.custom_attributes["notes"] = "hello"
    task.custom_attributes["fps"] = 24  # hierarchical
    task.custom_attributes["due"] = dt.date(2024, 6, 1)
    assert task.custom_attributes["due"] == dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
    task.custom_attributes["look"] = "a"
    assert task.custom_attributes["look"] == ["a"]
    with pytest.raises(ValueError, match="not among"):
        task.custom_attributes["look"] = "zzz"
    with pytest.raises(TypeError, match="text"):
        task.custom_attributes["notes"] = 5
    by_key = {c.key: c for c in mapped_changes(task)}
    assert by_key["notes"].entity_key == {"configuration_id": "cfg-notes", "entity_id": "t1"}
    assert by_key["fps"].entity_key["configuration_id"] == "cfg-fps"


def test_custom_attributes_on_new_entities(imap, configs):
    task = imap.create("Task", {"name": "n", "project_id": "p1", "custom_attributes": {"fstart": 1001}})
    assert task.custom_attributes["fstart"] == 1001
    task.custom_attributes["notes"] = "x"
    with pytest.raises(TypeError):
        task.custom_attributes["fstart"] = "abc"
    by_key = {c.key: c for c in mapped_changes(task)}
    assert by_key["fstart"].entity_key == {"configuration_id": "cfg-fstart", "entity_id": task.id}
    assert task.custom_attributes["due"] is None  # configured, unset: the default
    shot = imap.create("Shot", {"name": "sh"})
    shot.custom_attributes["cut_in"] = 1  # Shot's object type matches that configuration
    with pytest.raises(KeyError):
        shot.custom_attributes["fstart"] = 1


def test_key_completions_of_entities_and_mapped_collections(task):
    assert {"name", "metadata", "custom_attributes"} <= set(task._ipython_key_completions_())
    assert set(task.metadata._ipython_key_completions_()) == set(task.metadata)
