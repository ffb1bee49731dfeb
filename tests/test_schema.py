"""The schema registry: subtypes, attribute kinds, keys, did-you-mean."""
from __future__ import annotations

import pytest

from ftrack_orm.schema import SchemaRegistry, UnknownEntityTypeError
from tests.support.data import schemas_json


def test_registry_subtypes_and_kinds():
    registry = SchemaRegistry.from_json(schemas_json())
    assert registry.ancestors("Shot") == ["TypedContext", "Context"]
    assert registry.is_subtype("Project", "Context") and not registry.is_subtype("Project", "TypedContext")
    assert registry.identity_type("Shot") == "Context"
    assert set(registry.subtypes("TypedContext")) >= {"Task", "Shot", "Sequence", "Episode", "Folder", "AssetBuild", "Milestone"}
    task = registry["Task"]
    assert task.attributes["bid"].kind == "number"
    assert task.attributes["parent"].kind == "reference" and task.attributes["parent"].target == "Context"
    assert task.attributes["children"].kind == "collection"
    assert task.attributes["metadata"].kind == "mapped_collection"
    assert task.attributes["metadata"].key_attribute == "key"
    assert task.attributes["created_at"].kind == "datetime"
    assert task.attributes["id"].default == "{uid}"
    assert task.attributes["time_logged"].computed and task.attributes["created_at"].immutable
    assert registry["Metadata"].primary_key == ("parent_id", "key")
    with pytest.raises(UnknownEntityTypeError, match="Did you mean 'Task'"):
        registry["Tsak"]
    with pytest.raises(AttributeError, match="Did you mean 'name'"):
        task.attribute("nmae")


def test_a_task_list_holds_any_typed_context_though_the_json_says_task():
    """The served JSON stays as it is; the registry types the items as a real server takes them."""
    raw = next(s for s in schemas_json() if s["id"] == "TypedContextList")
    assert raw["properties"]["items"]["items"]["$ref"] == "Task"
    registry = SchemaRegistry.from_json(schemas_json())
    assert registry["TypedContextList"].attributes["items"].target == "TypedContext"
    assert registry["AssetVersionList"].attributes["items"].target == "AssetVersion"
