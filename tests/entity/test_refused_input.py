"""Bad input is refused at assignment, naming the entity type and attribute, before
anything could be sent (the kind table's checks, and the entity layer's own)."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from ftrack_orm.plan import ReferenceCycleError, plan_commit
from ftrack_orm.uow import UnitOfWork

UTC = dt.timezone.utc


@pytest.fixture
def task(imap):
    return imap.merge({"__entity_type__": "Task", "id": "t1", "name": "Layout", "bid": 0.0, "metadata": []})


def assert_refused(entity, name, value, error=ValueError, match=None):
    before = dict(entity.changes)
    with pytest.raises(error) as info:
        setattr(entity, name, value)
    text = str(info.value)
    assert f"{entity.__entity_type__}.{name}" in text
    if match:
        assert match in text
    assert entity.changes == before
    return text


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_number_is_finite(task, value):
    assert_refused(task, "bid", value, match="finite")


def settable_json(imap):
    """A new entity with a settable JSON attribute, and the attribute's name."""
    for entity_type in imap.schemas:
        schema = imap.schemas[entity_type]
        for name, attribute in schema.attributes.items():
            if attribute.kind == "json" and not attribute.computed and not attribute.immutable:
                try:
                    return imap.create(entity_type, {}), name
                except Exception:
                    break
    pytest.skip("no entity type with a settable JSON attribute")


def cyclic():
    value = {"a": []}
    value["a"].append(value)
    return value


@pytest.mark.parametrize("value, match", [
    pytest.param(cyclic(), "cannot be encoded", id="cycle"),
    pytest.param({"x": object()}, "cannot be encoded", id="unknown type"),
    pytest.param({"x": math.nan}, "cannot be encoded", id="nan"),
    pytest.param({"x": "\ud800"}, "cannot be encoded", id="lone surrogate"),
])
def test_a_json_value_must_encode(imap, value, match):
    entity, name = settable_json(imap)
    assert_refused(entity, name, value, match=match)


def test_a_good_json_value_is_kept(imap):
    entity, name = settable_json(imap)
    setattr(entity, name, {"when": dt.date(2024, 1, 2), "items": (1, 2.5, "x")})
    assert getattr(entity, name)["items"] == (1, 2.5, "x")


def test_a_string_with_a_lone_surrogate_is_refused(task):
    assert_refused(task, "name", "comp\udc80", match="UTF-8")
    task.name = "compé✓"
    assert task.name == "compé✓"


@pytest.mark.parametrize("value", [
    dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))),
    dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
])
def test_a_datetime_out_of_range_is_refused(task, value):
    assert_refused(task, "start_date", value, match="range")


@pytest.mark.parametrize("value", [2**63, -2**63 - 1, 10**30])
def test_an_integer_beyond_64_bits_is_refused(imap, value):
    entity, name = integer_attribute(imap)
    assert_refused(entity, name, value, match="64")
    setattr(entity, name, 2**63 - 1)
    setattr(entity, name, -2**63)


def integer_attribute(imap):
    version = imap.merge({"__entity_type__": "AssetVersion", "id": "v1", "version": 1})
    return version, "version"


def test_assignment_after_a_pending_delete_is_refused(imap, task):
    imap.mark_deleted(task)
    with pytest.raises(ValueError, match="deleted") as info:
        task.name = "renamed"
    assert "Task.name" in str(info.value)
    assert task.changes == {}
    with pytest.raises(ValueError, match="deleted"):
        task.metadata["key"] = "value"


def test_an_entity_cannot_be_its_own_parent(imap, task):
    assert_refused(task, "parent", task, match="itself")
    new = imap.create("Task", {"name": "new"})
    assert_refused(new, "parent", new, match="itself")
    assert_refused(task, "parent_id", "t1", match="itself")


def test_a_new_entity_created_with_its_own_key_as_parent_is_a_cycle(imap):
    new = imap.create("Task", {"id": "n1", "name": "n", "parent_id": "n1"})
    with pytest.raises(ReferenceCycleError):
        plan_commit(UnitOfWork(None, imap).gather().changes)
    assert new.parent_id == "n1"
