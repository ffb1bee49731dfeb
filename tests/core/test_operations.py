"""Operation builders and immutable operation objects."""
from __future__ import annotations

import doctest

import attrs
import pytest

from ftrack_orm import operations as ops


def test_module_examples():
    assert doctest.testmod(ops).failed == 0


def test_builders():
    assert ops.query("Task") == {"action": "query", "expression": "Task"}
    assert ops.create("Task", {"name": "a"}) == {
        "action": "create", "entity_type": "Task", "entity_data": {"name": "a", "__entity_type__": "Task"},
    }
    assert ops.delete("Metadata", ("p", "k")) == {"action": "delete", "entity_type": "Metadata", "entity_key": ["p", "k"]}
    assert ops.query_server_information(["version"]) == {"action": "query_server_information", "values": ["version"]}
    assert ops.query_schemas() == {"action": "query_schemas"}
    assert ops.get_upload_metadata("c", "f.exr", 3)["file_size"] == 3


def test_read_only_detection():
    assert ops.is_read_only([ops.query("Task"), ops.query_schemas()])
    assert not ops.is_read_only([ops.query("Task"), ops.delete("Task", "x")])


def test_operation_objects_are_immutable_and_render():
    op = ops.UpdateOperation("Task", ("t1",), {"name": "b"})
    assert op.to_dict() == ops.update("Task", ["t1"], {"name": "b"})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        op.entity_type = "Shot"
    assert ops.CreateOperation("Task", ("t1",), {"id": "t1"}).to_dict()["entity_data"]["__entity_type__"] == "Task"
    assert ops.DeleteOperation("Task", ("t1",)).to_dict()["entity_key"] == ["t1"]
    assert hash(op) == hash(ops.UpdateOperation("Task", ("t1",), {"name": "b"}))
