"""kinds: the one table of attribute kinds, checked role by role and against the real schemas."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from ftrack_orm import kinds
from ftrack_orm.kinds import KINDS, convert_custom, custom_kind, kind_of_property, to_literal
from ftrack_orm.schema import SchemaRegistry

from tests.support.data import schemas_json

UTC = dt.timezone.utc
CET = dt.timezone(dt.timedelta(hours=2))


class FakeAttribute:
    """The narrow view a kind has of a descriptor (kinds.Target)."""

    def __init__(self, enum=None):
        self.qualname = "Task.x"
        self.schema = SimpleNamespace(enum=enum, target="Context")
        self.checked = []

    def check_entity(self, value, entity, label):
        if not isinstance(value, SimpleNamespace):
            raise TypeError(f"{self.qualname} expects {label} Context")
        self.checked.append(value)


def convert(kind, value, **attribute):
    return KINDS[kind].convert(value, FakeAttribute(**attribute), None)


def test_every_kind_of_the_real_schemas_is_in_the_table():
    registry = SchemaRegistry.from_json(schemas_json())
    used = {a.kind for s in registry.schemas.values() for a in s.attributes.values()}
    assert used <= set(KINDS)
    assert {"string", "integer", "number", "boolean", "datetime", "object", "variable",
            "reference", "collection", "mapped_collection"} <= used


def test_every_property_type_of_the_real_schemas_is_named_by_a_kind():
    """No real property falls back to the catch-all kind: each (type, format) is in a row."""
    known = {pair for kind in KINDS.values() for pair in kind.schema_types}
    for schema in schemas_json():
        for name, prop in schema["properties"].items():
            if "$ref" in prop and "type" not in prop:  # with a type (DashboardResource.dashboard_id): a key
                assert kind_of_property(prop) is KINDS["reference"]
                continue
            pair = (prop.get("type"), prop.get("format"))
            assert pair in known or (pair[0], None) in known, (schema["id"], name, pair)


@pytest.mark.parametrize(
    "prop, kind",
    [
        ({"type": "string", "format": "date-time"}, "datetime"),
        ({"type": "string", "format": "foreign_key"}, "string"),
        ({"type": "string", "format": "something-new"}, "string"),
        ({"type": "array", "items": {"$ref": "Task"}}, "collection"),
        ({"type": "mapped_array", "items": {"$ref": "Metadata"}}, "mapped_collection"),
        ({"type": "never-seen"}, "variable"),
    ],
)
def test_kind_of_property(prop, kind):
    assert kind_of_property(prop).name == kind


@pytest.mark.parametrize(
    "kind, value, expected",
    [
        ("string", "a", "a"),
        ("integer", 3, 3),
        ("number", 3, 3.0),
        ("number", 2.5, 2.5),
        ("boolean", False, False),
        ("datetime", dt.datetime(2024, 6, 1, 12, tzinfo=CET), dt.datetime(2024, 6, 1, 10, tzinfo=UTC)),
        ("datetime", dt.datetime(2024, 6, 1, 12), dt.datetime(2024, 6, 1, 12, tzinfo=UTC)),
        ("date", dt.date(2024, 6, 1), dt.date(2024, 6, 1)),
        ("object", {"a": [1]}, {"a": [1]}),
        ("integer", None, None),
    ],
)
def test_assignment_converts(kind, value, expected):
    converted = convert(kind, value)
    assert converted == expected and type(converted) is type(expected)


@pytest.mark.parametrize(
    "kind, value",
    [
        ("string", 5), ("integer", True), ("integer", 2.0), ("number", True), ("number", "3"),
        ("boolean", 1), ("datetime", dt.date(2024, 1, 1)), ("date", dt.datetime(2024, 1, 1)),
        ("json", object()), ("collection", "abc"), ("reference", 5),
    ],
)
def test_assignment_refuses_wrong_types(kind, value):
    with pytest.raises(TypeError, match="Task.x"):
        convert(kind, value)


def test_assignment_checks_enums_and_lossless_numbers():
    with pytest.raises(ValueError, match="must be one of"):
        convert("string", "c", enum=("a", "b"))
    with pytest.raises(TypeError, match="without loss"):
        convert("number", 2**53 + 1)


def test_relations_ask_the_attribute_to_check_entities():
    attribute, item = FakeAttribute(), SimpleNamespace()
    assert KINDS["collection"].convert((item,), attribute, None) == [item] and attribute.checked == [item]
    with pytest.raises(ValueError, match="appears twice"):
        KINDS["collection"].convert([item, item], FakeAttribute(), None)
    assert KINDS["reference"].convert(None, FakeAttribute(), None) is None


@pytest.mark.parametrize(
    "kind, target, required, text",
    [
        ("string", None, False, "Optional[str]"),
        ("integer", None, True, "int"),
        ("datetime", None, False, "Optional[datetime]"),
        ("variable", None, False, "Any"),
        ("reference", "Context", False, "Optional[Context]"),
        ("collection", "Task", False, "MutableSequence[Task]"),
        ("mapped_collection", "Metadata", False, "MutableMapping[str, Any]"),
    ],
)
def test_stub_annotations(kind, target, required, text):
    assert KINDS[kind].annotation_for(target, required) == text


def test_literals():
    assert to_literal(dt.datetime(2024, 6, 1, 12, 0, 0, 5, tzinfo=CET)) == "2024-06-01T10:00:00.000005"
    assert to_literal(dt.date(2024, 6, 1)) == "2024-06-01"
    assert to_literal(None) is None and to_literal(3) == 3
    with pytest.raises(TypeError, match="Task.x: cannot compare"):
        to_literal(object(), "Task.x")
    assert KINDS["number"].accepts_literal(3) and not KINDS["number"].accepts_literal(True)
    assert KINDS["datetime"].accepts_literal(dt.date(2024, 1, 1)) and not KINDS["datetime"].accepts_literal(3)
    assert KINDS["object"].accepts_literal(object()) and KINDS["string"].accepts_literal(None)


@pytest.mark.parametrize(
    "kind, value, problem",
    [
        ("integer", "12", None), ("integer", True, "expected a number"), ("number", True, None),
        ("number", "abc", "expected a number"), ("boolean", "TRUE", None), ("boolean", 2, "expected true or false"),
        ("datetime", "2024-06-01T10:00:00Z", None), ("date", "June", "expected an ISO 8601 date or datetime"),
        ("string", 3, None),
    ],
)
def test_literal_problems(kind, value, problem):
    assert KINDS[kind].literal_problem(value) == problem


def test_custom_attribute_types():
    assert custom_kind("text") is KINDS["string"] and custom_kind("url") is KINDS["string"]
    assert custom_kind("date") is KINDS["datetime"] and custom_kind("nope") is None
    assert convert_custom("number", 5, "w") == 5  # a custom number keeps its int
    assert convert_custom("date", dt.date(2024, 1, 2), "w") == dt.datetime(2024, 1, 2, tzinfo=UTC)
    assert convert_custom("enumerator", "a", "w") == ["a"]
    assert convert_custom("unknown type", object, "w") is object and convert_custom("number", None, "w") is None
    with pytest.raises(TypeError, match="w expects a number"):
        convert_custom("number", True, "w")
    with pytest.raises(AttributeError, match="computed by the server"):
        convert_custom("expression", "x", "w")
    assert KINDS["number"].accepts_wire(1.5) and not KINDS["number"].accepts_wire(True)
    assert KINDS["datetime"].accepts_wire({"__type__": "datetime", "value": "2024-01-01"})


@pytest.mark.parametrize(
    "kind, wire, stored",
    [
        ("string", "a", "a"),
        ("integer", 4.0, 4),
        ("number", 4, 4.0),
        ("boolean", True, 1),
        ("datetime", {"__type__": "datetime", "value": "2024-03-01T12:30:45.5+02:00"}, "2024-03-01T10:30:45.500000"),
        ("date", {"__type__": "date", "value": "2024-03-01"}, "2024-03-01"),
        ("object", {"b": 1, "a": 2}, '{"a": 2, "b": 1}'),
    ],
)
def test_sandbox_columns_store_and_load(kind, wire, stored):
    row = KINDS[kind]
    assert row.column in ("TEXT", "INTEGER", "REAL")
    assert row.store(wire, "Task.x") == stored
    assert row.store(row.load(stored), "Task.x") == stored  # loading gives a wire value that stores the same


@pytest.mark.parametrize(
    "kind, wire, message",
    [
        ("string", 5, "Task.x must be of type string. Got 5."),
        ("integer", 1.5, "Task.x must be of type integer."),
        ("boolean", "yes", "Task.x must be of type boolean."),
        ("datetime", "whenever", "Invalid datetime 'whenever': expected ISO 8601."),
    ],
)
def test_sandbox_store_refuses(kind, wire, message):
    with pytest.raises(ValueError) as error:
        KINDS[kind].store(wire, "Task.x")
    assert message in str(error.value)


@pytest.mark.parametrize(
    "kind, literal, column",
    [("integer", "12", 12), ("number", "1.5", 1.5), ("boolean", "true", 1), ("string", True, "true"),
     ("datetime", "2024-06-01", "2024-06-01T00:00:00"), ("object", "x", "x")],
)
def test_sandbox_coerces_query_literals(kind, literal, column):
    assert KINDS[kind].coerce(literal) == column


def test_json_kinds_compare_through_json_extract():
    assert KINDS["object"].column_expression.format("t.data") == "json_extract(t.data, '$')"
    assert KINDS["string"].column_expression.format("t.name") == "t.name"


def test_accepts_treats_bool_apart():
    assert kinds.accepts((int,), 3) and not kinds.accepts((int,), True) and kinds.accepts((bool,), True)


def test_the_vocabulary_sits_at_the_bottom_of_the_package():
    from tests.support.imports import imported_modules

    assert imported_modules("ftrack_orm.times") == set()
    assert imported_modules("ftrack_orm.didyoumean") == set()
    assert imported_modules("ftrack_orm.kinds") == {"ftrack_orm.times"}


def test_a_typed_property_with_a_ref_is_a_scalar_key_as_in_the_official_client():
    prop = {"$ref": "Dashboard", "type": "string", "format": "foreign_key"}
    assert kind_of_property(prop) is KINDS["string"]
    assert kind_of_property({"$ref": "Dashboard"}) is KINDS["reference"]
