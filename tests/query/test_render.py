"""The renderer: canonical text, safe quoting, and parse(render(x)) == x."""
from __future__ import annotations

import datetime
import random

import pytest

from ftrack_orm.query import (
    And,
    Any,
    Comparison,
    Has,
    Not,
    Or,
    OrderKey,
    Path,
    PathStep,
    Query,
    parse,
    render,
    render_value,
)

EXPRESSIONS = [
    "select name, created_at from Task limit 1",
    "select name from Task limit 1",
    "select status.state.short from Task where status.state.short is NOT_STARTED limit 2",
    "select version, asset.versions.version from AssetVersion where asset_id is_not none limit 1",
    "Task",
    "Shot where name is sh010",
    'Task where parent[TypedContext] has (name is "sh010")',
    'Task where allocations.resource[Group].memberships any (user.username is "jane")',
    "Task where not timelogs any ()",
    'Task where custom_attributes any (key is "fstart" and value > 1001)',
    'Task where metadata any (key is "foo" and value is "bar")',
    'Task where start_date after "2024-06-01" and end_date before "2024-07-01T10:00:00"',
    "Task where bid greater_than 1.5 or bid less_than -2",
    "Task where bid >= 1 and bid <= 10 and bid != 5 and bid = 4",
    'Task where name like "%comp%" and name not_like "%old%"',
    'Task where id in ("a", "b", 3, 4.5, true, false, none)',
    "Task where id not_in ()",
    'Task where parent_id in (select id from Shot where name like "sh0%" order by name limit 3)',
    'Task where (name is "a" or name is "b") and (bid > 1 or not bid < 0)',
    'Task where not (name is "a" and bid > 1)',
    'Task where name is "a" and (bid > 1 and bid < 3)',
    '(Task where name is "x")'[1:-1],
    "select name from Task order by parent.name desc, name asc, bid descending offset 10 limit 5",
    "select name from Task limit 5 offset 10",
    "SELECT Name FROM Task WHERE Name IS 'It\\'s' OR Name IS \"a\\\\b\"",
    "Context where children any (children any (name is x))",
    "select ancestors.name from TypedContext where ancestors any (name is sq010)",
    "select from.name, to.name from TypedContextLink where from.name is a",
    "Task where name is \"line\nbreak\" and description is '\u00e9t\u00e9 \u2603'",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_round_trip_of_expressions(expression):
    query = parse(expression)
    text = render(query)
    assert parse(text) == query
    assert render(parse(text)) == text  # canonical text is a fixed point


def test_canonical_text():
    query = parse("SELECT name FROM Task WHERE bid after 1 AND name = 'x' LIMIT 2 OFFSET 1")
    assert render(query) == 'select name from Task where bid > 1 and name is "x" offset 1 limit 2'
    assert render(parse("Task where not a is_not 1 or b in (1)")) == "Task where not a is_not 1 or b in (1)"


def test_strings_cannot_change_the_structure():
    hostile = 'x" or id is_not "y'
    query = Query("Task", (Path.of("id"),), Comparison(Path.of("name"), "=", hostile))
    text = render(query)
    assert text == 'select id from Task where name is "x\\" or id is_not \\"y"'
    assert parse(text) == query
    for value in ["\\", '\\"', "'", "a\\", "%_", ")", "(select id from Task)", "\n"]:
        node = Comparison(Path.of("name"), "=", value)
        assert parse(render(Query("Task", where=node))).where == node


def test_values():
    assert render_value(None) == "none"
    assert render_value(True) == "true" and render_value(False) == "false"
    assert render_value(3) == "3" and render_value(-2.5) == "-2.5"
    assert render_value(datetime.datetime(2024, 6, 1, 10, 30, 15)) == '"2024-06-01T10:30:15"'
    # microseconds are kept (ftrack_orm.times), as the builder and the codec keep them
    assert render_value(datetime.datetime(2024, 6, 1, 10, 30, 15, 999)) == '"2024-06-01T10:30:15.000999"'
    aware = datetime.datetime(2024, 6, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert render_value(aware) == '"2024-06-01T10:00:00"'
    assert render_value(datetime.date(2024, 6, 1)) == '"2024-06-01"'
    assert render_value(("a", 1)) == '("a", 1)'
    with pytest.raises(ValueError):
        render_value(float("nan"))
    with pytest.raises(TypeError):
        render_value(object())


def test_single_item_groups_and_scalar_in():
    a = Comparison(Path.of("a"), "=", 1)
    assert render(And((a,))) == "a is 1"
    assert render(Comparison(Path.of("a"), "in", "x")) == 'a in ("x")'
    with pytest.raises(ValueError):
        render(Or(()))
    with pytest.raises(TypeError):
        render(Comparison(Path.of("a"), "=", ("x", "y")))


# -- random trees --------------------------------------------------------------------
NAMES = ["name", "parent", "status", "state", "short", "children", "bid", "id", "metadata", "key", "value"]
TYPES = ["Task", "Shot", "TypedContext", "Group"]
SCALARS = [None, True, False, 0, -3, 17, 1.25, -0.5, 1e-07, "", "plain", 'quo"te', "back\\slash", "it's", "a b c",
           "NOT_STARTED", "2024-06-01", "select", "and", "%like%", "none", "true", "42"]


def random_path(rng):
    steps = []
    for _ in range(rng.randint(1, 3)):
        cast = rng.choice(TYPES) if rng.random() < 0.2 else None
        steps.append(PathStep(rng.choice(NAMES), cast))
    return Path(tuple(steps))


def random_criteria(rng, depth):
    roll = rng.random()
    if depth <= 0 or roll < 0.35:
        op = rng.choice(["=", "!=", ">", "<", ">=", "<=", "like", "not_like", "in", "not_in"])
        if op in ("in", "not_in"):
            if rng.random() < 0.2:
                return Comparison(random_path(rng), op, random_query(rng, depth - 1, sub=True))
            value = tuple(rng.choice(SCALARS) for _ in range(rng.randint(0, 3)))
        else:
            value = rng.choice(SCALARS)
        return Comparison(random_path(rng), op, value)
    if roll < 0.5:
        return Not(random_criteria(rng, depth - 1))
    if roll < 0.6:
        return Has(random_path(rng), random_criteria(rng, depth - 1))
    if roll < 0.7:
        return Any(random_path(rng), random_criteria(rng, depth - 1) if rng.random() < 0.7 else None)
    items = tuple(random_criteria(rng, depth - 1) for _ in range(rng.randint(2, 3)))
    return And(items) if roll < 0.85 else Or(items)


def random_query(rng, depth, sub=False):
    select = (random_path(rng),) if sub else (
        None if rng.random() < 0.3 else tuple(random_path(rng) for _ in range(rng.randint(1, 3)))
    )
    return Query(
        rng.choice(TYPES),
        select,
        random_criteria(rng, depth) if rng.random() < 0.9 else None,
        tuple(OrderKey(random_path(rng), rng.random() < 0.5) for _ in range(rng.randint(0, 2))),
        rng.choice([None, 0, 7]),
        rng.choice([None, 1, 500]),
    )


def test_round_trip_of_random_trees():
    rng = random.Random(20240601)
    for _ in range(1500):
        query = random_query(rng, depth=4)
        text = render(query)
        assert parse(text) == query, text
