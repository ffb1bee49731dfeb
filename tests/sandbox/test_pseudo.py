"""Server pseudo-attributes (``__permissions``): the sandbox does not model them and says so,
rather than answering null."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("expression", [
    "select name, __permissions.status_id from Task",
    "select __permissions from Shot where parent has (name is sq010)",
])
def test_selecting_a_pseudo_attribute_is_refused_naming_why(reader, expression):
    error = reader.error([{"action": "query", "expression": expression}])
    assert error["exception"] == "ValidationError"
    assert "does not model permissions" in error["content"]
    assert "__permissions" in error["content"]


def test_a_pseudo_attribute_in_criteria_is_an_unknown_attribute(reader):
    error = reader.error([{"action": "query", "expression": "Task where __permissions.status_id is x"}])
    assert "No attribute '__permissions' exists for schema 'Task'" in error["content"]
