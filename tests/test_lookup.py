"""Finding entities: checked query trees and primary keys, against the real schemas (the server
side of get/ensure runs in tests/session/test_habits.py and tests/aio/test_session.py)."""
from __future__ import annotations

import pytest

from ftrack_orm.lookup import entity_key, query_tree
from ftrack_orm.query import QueryValidationError, render
from ftrack_orm.schema import SchemaRegistry
from tests.support.data import SCHEMAS


@pytest.fixture(scope="module")
def schemas() -> SchemaRegistry:
    return SchemaRegistry.from_file(str(SCHEMAS))


def test_a_key_is_a_value_a_sequence_or_a_mapping_in_primary_key_order(schemas):
    assert entity_key(schemas, "Task", "t1") == ["t1"]
    assert entity_key(schemas, "NoteComponent", ("c1", "n1")) == ["c1", "n1"]
    assert entity_key(schemas, "NoteComponent", {"note_id": "n1", "component_id": "c1"}) == ["c1", "n1"]
    with pytest.raises(ValueError, match=r"NoteComponent key is missing note_id \(primary key: component_id, note_id\)"):
        entity_key(schemas, "NoteComponent", {"component_id": "c1"})


def test_a_query_tree_comes_from_an_expression_or_a_type_and_is_checked_before_anything_is_sent(schemas):
    tree = query_tree("select name, parent.name from Task where name is 'x'", schemas)
    assert render(tree) == 'select name, parent.name from Task where name is "x"'
    assert query_tree("Shot", schemas) == query_tree(type("Shot", (), {"__entity_type__": "Shot"}), schemas)
    assert query_tree("Shot", schemas).select is None
    with pytest.raises(QueryValidationError, match="nam"):
        query_tree("select nam from Task", schemas)
    with pytest.raises(QueryValidationError, match=r"use session.aggregate\(\)"):
        query_tree("select count(id) from Task group by status_id", schemas)
