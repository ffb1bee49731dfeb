from __future__ import annotations

import datetime as dt

import pytest

from ftrack_orm.entity import NOT_LOADED, CustomAttributeConfig, CustomAttributeConfigurations
from ftrack_orm.entity.identity import IdentityMap

UTC = dt.timezone.utc


@pytest.fixture
def task(imap):
    return imap.merge({"__entity_type__": "Task", "id": "t1", "name": "Layout", "bid": 0.0,
                       "created_at": dt.datetime(2024, 1, 1, tzinfo=UTC)})


def test_string_into_number_names_attribute_and_kind(task):
    with pytest.raises(TypeError) as error:
        task.bid = "abc"
    assert "Task.bid" in str(error.value) and "number" in str(error.value)
    assert task.bid == 0.0 and not task.is_dirty


def test_lossless_int_to_float(task):
    task.bid = 3600
    assert task.bid == 3600.0 and type(task.bid) is float
    with pytest.raises(TypeError, match="without loss"):
        task.bid = 2**60 + 1


def test_bool_is_not_a_number(task):
    with pytest.raises(TypeError, match="number"):
        task.bid = True


@pytest.mark.parametrize(
    "entity_type, name, bad, good",
    [
        ("Task", "name", 5, "Comp"),
        ("Task", "description", b"bytes", None),
        ("ObjectType", "sort", 1.5, 3),
        ("ObjectType", "is_leaf", 1, True),
        ("Task", "start_date", dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, tzinfo=UTC)),
    ],
)
def test_scalar_type_checks(imap, entity_type, name, bad, good):
    entity = imap.merge({"__entity_type__": entity_type, "id": "x"})
    with pytest.raises(TypeError, match=f"{entity_type}.{name}"):
        entity[name] = bad
    entity[name] = good
    assert entity[name] == good


def test_integer_refuses_bool(imap):
    entity = imap.merge({"__entity_type__": "ObjectType", "id": "x"})
    with pytest.raises(TypeError, match="integer"):
        entity.sort = True


def test_naive_datetime_is_taken_as_utc(task):
    task.start_date = dt.datetime(2024, 6, 1, 9, 0)
    assert task.start_date == dt.datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    task.end_date = dt.datetime(2024, 6, 1, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert task.end_date == dt.datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    assert task.end_date.tzinfo == UTC


def test_reference_type_checks(imap, task, schemas):
    status = imap.merge({"__entity_type__": "Status", "id": "st"})
    shot = imap.merge({"__entity_type__": "Shot", "id": "sh"})
    with pytest.raises(TypeError, match="Task.parent expects a Context"):
        task.parent = status
    with pytest.raises(TypeError, match="Task.parent"):
        task.parent = "sh"
    task.parent = shot
    assert task.parent is shot
    task.parent = None
    assert task.parent is None
    other = IdentityMap(schemas).merge({"__entity_type__": "Shot", "id": "sh2"})
    with pytest.raises(ValueError, match="another session"):
        task.parent = other


def test_immutable_refused_once_the_entity_exists(task, imap):
    with pytest.raises(AttributeError, match="Task.created_at is immutable"):
        task.created_at = dt.datetime(2020, 1, 1, tzinfo=UTC)
    with pytest.raises(AttributeError, match="immutable"):
        task.id = "other"
    new = imap.create("Task", {"name": "n", "created_at": dt.datetime(2020, 1, 1, tzinfo=UTC)})
    new.object_type_id = "11c137c0-ee7e-4f9c-91c5-8c77cec22b2c"  # immutable, allowed while new
    assert new.created_at.year == 2020


def test_computed_refused_even_on_new(task, imap):
    with pytest.raises(AttributeError, match="computed"):
        task.time_logged = 5.0
    with pytest.raises(AttributeError, match="computed"):
        imap.create("Task", {"time_logged": 5.0})
    assert not imap.changes  # the failed create left nothing pending


def test_unknown_attribute_did_you_mean(task):
    with pytest.raises(AttributeError, match="Did you mean 'name'"):
        task.nmae = "x"
    with pytest.raises(AttributeError, match="Did you mean 'name'"):
        _ = task.nmae
    with pytest.raises(AttributeError, match="Did you mean 'name'"):
        task["nmae"]
    with pytest.raises(AttributeError, match="Did you mean 'parent'"):
        task["parnet"] = None


def test_reading_never_marks_changed(task, imap):
    for name in ("name", "bid", "created_at", "id"):
        getattr(task, name)
        task[name]
    assert task._state is None and not task.is_dirty and task.changes == {}
    assert not imap.changes


def test_enum_strings_are_checked(imap, schemas):
    owner = next(((s.name, a.name, a.enum) for s in schemas.schemas.values()
                  for a in s.attributes.values() if a.enum and a.kind == "string"), None)
    if owner is None:
        pytest.skip("no enum attribute in these schemas")
    entity_type, name, enum = owner
    entity = imap.merge({"__entity_type__": entity_type, "id": "e"})
    with pytest.raises(ValueError, match="must be one of"):
        entity[name] = "definitely-not-allowed"


# ---------------------------------------------------------------- prepare, then record


def test_prepare_is_pure_and_record_records(imap):
    task = imap.merge({"__entity_type__": "Task", "id": "t1", "name": "Layout"})
    attribute = type(task)._attributes["bid"]
    prepared = attribute.prepare(task, 3)
    assert prepared == 3.0 and task.changes == {} and not imap.changes
    attribute.record(task, prepared)
    assert task.changes == {"bid": (NOT_LOADED, 3.0)}


def test_prepare_error_names_entity_attribute_and_expectation(imap):
    task = imap.merge({"__entity_type__": "Task", "id": "t1"})
    with pytest.raises(TypeError, match=r"Task\.bid expects a number, got str 'x'"):
        type(task)._attributes["bid"].prepare(task, "x")


def test_mapped_collection_assignment_is_all_or_nothing(imap):
    configs = CustomAttributeConfigurations([CustomAttributeConfig("c1", "fstart", "number", entity_type="task", is_hierarchical=True)])
    imap.custom_attribute_configurations = configs
    task = imap.merge({"__entity_type__": "Task", "id": "t1", "metadata": [], "custom_attributes": []})
    with pytest.raises(TypeError, match="keys are strings"):
        task.metadata = {"a": "1", 2: "b"}
    with pytest.raises(TypeError, match="expects a number"):
        task.custom_attributes = {"fstart": "many"}
    assert task.changes == {} and not imap.changes


def test_reference_prepare_carries_the_foreign_key(imap):
    shot = imap.merge({"__entity_type__": "Shot", "id": "s1"})
    task = imap.merge({"__entity_type__": "Task", "id": "t1"})
    parent = type(task)._attributes["parent"]
    prepared = parent.prepare(task, shot)
    assert task.changes == {}
    parent.record(task, prepared)
    assert task.changes["parent"][1] is shot and task.changes["parent_id"][1] == "s1"


def test_bad_reference_records_neither_reference_nor_key(imap):
    task = imap.merge({"__entity_type__": "Task", "id": "t1"})
    user = imap.merge({"__entity_type__": "User", "id": "u1"})
    with pytest.raises(TypeError, match="Task.parent expects a Context"):
        task.parent = user
    assert task.changes == {}
