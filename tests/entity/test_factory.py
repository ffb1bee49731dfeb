from __future__ import annotations

import time

import pytest

from ftrack_orm.entity import Entity, python_name
from ftrack_orm.schema import AttributeSchema, UnknownEntityTypeError


def test_subtypes_inherit_so_isinstance_works(imap):
    shot = imap.types["Shot"]
    assert issubclass(shot, imap.types["TypedContext"])
    assert issubclass(shot, imap.types["Context"])
    assert issubclass(imap.types.Project, imap.types.Context)
    assert not issubclass(imap.types.Project, imap.types.TypedContext)
    assert issubclass(shot, Entity)


def test_types_by_item_and_attribute(imap):
    assert imap.types["Task"] is imap.types.Task
    assert imap.types.Task.__entity_type__ == "Task"
    assert "Task" in imap.types and len(imap.types) == 116


def test_unknown_type_suggests(imap):
    with pytest.raises(UnknownEntityTypeError, match="Did you mean 'Task'"):
        imap.types["Tsak"]
    with pytest.raises(AttributeError, match="Did you mean 'Task'"):
        _ = imap.types.Tsak


def test_rename_rule_for_keywords_and_reserved_names(imap):
    assert python_name("from") == "from_"
    assert python_name("changes") == "changes_"
    assert python_name("to_dict") == "to_dict_"
    assert python_name("name") == "name"
    assert python_name("_link") == "_link"
    link_class = imap.types.TypedContextLink
    assert "from_" in link_class.__dict__ and "from" not in link_class.__dict__
    link = imap.merge({"__entity_type__": "TypedContextLink", "id": "l1", "from_id": "a"})
    task = imap.merge({"__entity_type__": "Task", "id": "a"})
    link.from_ = task  # python name
    assert link["from"] is task  # wire name
    assert link.changes["from"][1] is task
    assert link.to_dict()["from"] == {"__entity_type__": "Task", "id": "a"}


def test_class_level_access_goes_through_one_hook(imap):
    # the default hook gives schema-checked query paths
    assert imap.types.Task.name.attribute == imap.schemas["Task"].attributes["name"]
    assert isinstance(imap.types.Task.name.attribute, AttributeSchema)
    assert imap.types.Task.bid.attribute.kind == "number"
    assert imap.types.Task.parent.target_type == "Context"
    assert str(imap.types.TypedContextLink.from_.path) == "from"

    class Custom(imap.types.Task):
        __slots__ = ()

        @classmethod
        def _class_attribute(cls, name):
            return ("path", name)

    assert Custom.name == ("path", "name")
    assert Custom.children == ("path", "children")


def test_subtype_descriptors_follow_its_own_schema(imap):
    shot = imap.merge({"__entity_type__": "Shot", "id": "s1"})
    task = imap.merge({"__entity_type__": "Task", "id": "t1"})
    task.bid = 10.0  # mutable on Task
    with pytest.raises(AttributeError, match="Shot.bid is immutable"):
        shot.bid = 10.0  # immutable on Shot


def test_generating_all_classes_is_fast(schemas):
    from ftrack_orm.entity.identity import IdentityMap

    start = time.perf_counter()
    IdentityMap(schemas).types.build_all()
    assert time.perf_counter() - start < 0.5


def test_instances_have_no_dict(imap):
    task = imap.merge({"__entity_type__": "Task", "id": "t1"})
    assert not hasattr(task, "__dict__")
