"""paths: one resolver and one error vocabulary for expressions (checker) and the builder."""
from __future__ import annotations

import pytest

from ftrack_orm.query import (
    QueryTypeError,
    QueryValidationError,
    UnknownAttributeError,
    UnknownTypeError,
    check,
    parse,
    resolve_path,
)
from ftrack_orm.query.builder import AttributePath
from ftrack_orm.schema import UnknownEntityTypeError


def checker_error(registry, expression):
    with pytest.raises(QueryValidationError) as caught:
        check(parse(expression), registry, expression)
    return caught.value


def builder_error(build):
    with pytest.raises(QueryValidationError) as caught:
        build()
    return caught.value


@pytest.mark.parametrize(
    "expression, build, error_type, builtin",
    [
        ("select nmae from Task", lambda T: T.nmae, UnknownAttributeError, AttributeError),
        ("select parent.nam from Task", lambda T: T.parent.nam, UnknownAttributeError, AttributeError),
        ("select name.first from Task", lambda T: T.name.first, UnknownAttributeError, AttributeError),
        ("Task where parent[User] has (name is x)", lambda T: T.parent["User"], QueryTypeError, TypeError),
        ("Task where parent[Shto] has (name is x)", lambda T: T.parent["Shto"], UnknownTypeError, KeyError),
        ("Task where name[Shot] is x", lambda T: T.name["Shot"], QueryTypeError, TypeError),
        ("Task where children has (name is x)", lambda T: T.children.has(name="x"), QueryTypeError, TypeError),
        ("Task where parent any (name is x)", lambda T: T.parent.any(name="x"), QueryTypeError, TypeError),
        ("Task where children is x", lambda T: T.children == "x", QueryTypeError, TypeError),
    ],
)
def test_both_routes_raise_the_same_error(registry, expression, build, error_type, builtin):
    from_text = checker_error(registry, expression)
    from_builder = builder_error(lambda: build(AttributePath(registry, "Task")))
    assert type(from_text) is type(from_builder) is error_type
    assert isinstance(from_builder, builtin)
    assert from_text.reason == from_builder.reason
    assert from_text.position > 0 and from_builder.position == -1  # the builder has no expression text


def test_unknown_type_is_also_the_schema_error(registry):
    error = builder_error(lambda: AttributePath(registry, "Tsak").name)
    assert isinstance(error, UnknownEntityTypeError) and str(error) == "Unknown entity type 'Tsak'. Did you mean 'Task'?"


def test_resolve_path_with_casts(registry):
    path = parse("Appointment where resource[Group].memberships any ()").where.path
    steps = resolve_path(registry, "Appointment", path)
    assert [s.attribute.name for s in steps] == ["resource", "memberships"]
    assert steps[0].cast == "Group" and steps[0].target == "Group" and steps[1].schema.name == "Group"


def test_builder_paths_carry_the_resolved_steps(registry):
    path = AttributePath(registry, "Task").parent["Shot"].status
    assert path.attribute.name == "status" and path.target_type == "Status"
    assert str(path.path) == "parent[Shot].status"
