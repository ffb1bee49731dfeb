"""The checker: types, paths, casts, operators and values against the real schemas."""
from __future__ import annotations

import pytest

from ftrack_orm.query import Path, QueryValidationError, check, expand_default_projections, parse, resolve_path


def check_text(expression, registry):
    check(parse(expression), registry, expression)


@pytest.mark.parametrize(
    "expression",
    [
        "select name, created_at from Task limit 1",
        "select version, asset.versions.version from AssetVersion where asset_id is_not none",
        "select status.state.short from Task where status.state.short is NOT_STARTED",
        'Task where parent[TypedContext] has (name is "sh010")',
        'Appointment where resource[Group].memberships any (user.username is "jane")',
        'Task where allocations.resource[User].username is "jane"',
        'Task where custom_attributes any (key is "fstart" and value > 1001)',
        'Task where metadata any (key is "foo" and value is "bar")',
        "select metadata.key, custom_attributes.value from Shot",
        "Task where not timelogs any ()",
        'Task where start_date after "2024-06-01" and end_date before "2024-06-01T10:00:00Z"',
        "Task where parent is none and status_id in (select id from Status where is_active is true)",
        "select name from Context order by parent.name desc, name",
        "select children.name from Project where children[Sequence] any (name like 'sq%')",
        "Task where bid > '2.5' and sort <= 3",
        "select ancestors.name from Task where ancestors any (name is sq010)",
        "select user_type.name from User",
        # server pseudo-attributes are the server's to answer (real pipeline code selects them)
        "select name, __permissions.status_id from Task",
        "select name, __permissions from Shot where parent has (name is sq010)",
        'select __permissions.status_id from Task where assignments any (resource.username is "jane")',
    ],
)
def test_valid_expressions(expression, registry):
    check_text(expression, registry)


@pytest.mark.parametrize(
    "expression, position, fragments",
    [
        ("select name from Tsak", 17, ["Unknown entity type 'Tsak'", "Did you mean 'Task'?"]),
        ("select nmae from Task", 7, ["No attribute 'nmae' exists for schema 'Task'", "Did you mean 'name'?"]),
        ("select parent.nmae from Task", 14, ["schema 'Context'", "'name'"]),
        ("Task where status.state.shrot is X", 24, ["schema 'State'", "'short'"]),
        ("select name.first from Task", 12, ["'name' of schema 'Task' is a string", "'first'"]),
        ("Task where parent[User] has (name is x)", 11, ["Cannot cast 'parent'", "'User'", "not a subtype of 'Context'"]),
        ("Task where parent[Nope] has (name is x)", 11, ["Unknown entity type 'Nope'"]),
        ("Task where name[Shot] is x", 11, ["not a relation"]),
        ("Task where children has (name is x)", 11, ["'has' needs a reference", "use 'any'"]),
        ("Task where parent any (name is x)", 11, ["'any' needs a collection", "use 'has'"]),
        ("Task where children is x", 11, ["is a collection", "children any"]),
        ("select name from Task order by children.name", 31, ["Cannot order by", "collection"]),
        ("select name from Task order by parent", 31, ["relation, not a value"]),
        ("Task where bid > abc", 11, ["Invalid value 'abc'", "'bid'", "expected a number"]),
        ("Shot where custom_attributes any (configuration.is_hierarchical is maybe)", 34, ["expected true or false"]),
        ("Task where start_date after yesterday", 11, ["ISO 8601"]),
        ("Task where parent > 3", 11, ["Cannot use '>' on reference"]),
        ("Task where name like 3", 11, ["needs a string pattern"]),
        ("Task where id in (select id, name from Task)", 18, ["exactly one attribute"]),
        ("Task where id in (select nope from Task)", 25, ["No attribute 'nope'"]),
        ("Task where parent has (nmae is x)", 23, ["schema 'Context'", "'name'"]),
        ("Task where metadata any (kye is x)", 25, ["schema 'Metadata'", "'key'"]),
        ("select _permissions from Task", 7, ["No attribute '_permissions'"]),
        ("Task where __permissions.status_id is x", 11, ["No attribute '__permissions'"]),
    ],
)
def test_errors(expression, position, fragments, registry):
    with pytest.raises(QueryValidationError) as caught:
        check_text(expression, registry)
    error = caught.value
    assert isinstance(error, ValueError)
    message = str(error)
    for fragment in fragments:
        assert fragment in message
    assert error.position == position, message
    assert message.splitlines()[-1].index("^") == position + 2


def test_resolve_path_reports_each_step(registry):
    steps = resolve_path(registry, "Task", parse("select parent[Shot].assets.versions.version from Task").select[0])
    assert [(s.schema.name, s.attribute.name, s.target) for s in steps] == [
        ("Task", "parent", "Shot"), ("Shot", "assets", "Asset"), ("Asset", "versions", "AssetVersion"),
        ("AssetVersion", "version", None),
    ]
    assert steps[0].cast == "Shot"


def test_expand_default_projections(registry):
    query = expand_default_projections(parse("Task where name is x"), registry)
    assert query.select == (Path.of("context_type"), Path.of("id"), Path.of("name"))
    explicit = parse("select bid from Task")
    assert expand_default_projections(explicit, registry) is explicit
    with pytest.raises(QueryValidationError, match="Unknown entity type 'Tsk'"):
        expand_default_projections(parse("Tsk"), registry)
