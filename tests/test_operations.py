"""Operation builders (the wire dicts)."""
from __future__ import annotations

import doctest

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

