"""The parser: every form of the grammar of PROTOCOL.md, and its errors."""
from __future__ import annotations

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
    QueryParseError,
    parse,
    parse_criteria,
)


def where(expression: str):
    return parse(expression).where


def test_select_form():
    query = parse("select name, parent.name, status.state.short from Task")
    assert query == Query("Task", (Path.of("name"), Path.of("parent.name"), Path.of("status.state.short")))
    assert query.where is None and query.order_by == () and query.offset is None and query.limit is None


def test_bare_form_has_no_select():
    query = parse("Shot where name is sh010")
    assert query.entity_type == "Shot"
    assert query.select is None
    assert query.where == Comparison(Path.of("name"), "=", "sh010")


def test_keywords_are_case_insensitive():
    assert parse("SELECT name FROM Task WHERE name IS 'a' AND bid > 1 ORDER BY name DESC OFFSET 2 LIMIT 3") == parse(
        "select name from Task where name is 'a' and bid > 1 order by name desc offset 2 limit 3"
    )


@pytest.mark.parametrize(
    "spelling, canonical",
    [
        ("is", "="), ("=", "="), ("is_not", "!="), ("!=", "!="), ("is not", "!="),
        (">", ">"), ("after", ">"), ("greater_than", ">"),
        ("<", "<"), ("before", "<"), ("less_than", "<"),
        (">=", ">="), ("<=", "<="), ("like", "like"), ("not_like", "not_like"),
        ("IS", "="), ("After", ">"), ("LIKE", "like"),
    ],
)
def test_operator_aliases(spelling, canonical):
    assert where(f"Task where bid {spelling} 3") == Comparison(Path.of("bid"), canonical, 3)


def test_operators_without_spaces():
    assert where("Task where bid>=3") == Comparison(Path.of("bid"), ">=", 3)
    assert where("Task where name!='x'") == Comparison(Path.of("name"), "!=", "x")


@pytest.mark.parametrize(
    "text, value",
    [
        ('"double"', "double"),
        ("'single'", "single"),
        (r'"with \"quote\""', 'with "quote"'),
        (r"'it\'s'", "it's"),
        (r'"back\\slash"', "back\\slash"),
        ('"mixed \' quote"', "mixed ' quote"),
        ("NOT_STARTED", "NOT_STARTED"),
        ("3f2c1a4e-0b6a-11e2-a9da-f23c91df25eb", "3f2c1a4e-0b6a-11e2-a9da-f23c91df25eb"),
        ("2024-06-01", "2024-06-01"),
        ("42", 42), ("-7", -7), ("1.5", 1.5), ("-0.25", -0.25), ("1e3", 1000.0),
        ("true", True), ("TRUE", True), ("False", False), ("none", None), ("None", None), ("NONE", None),
        ('"true"', "true"), ('"42"', "42"), ('""', ""),
    ],
)
def test_values(text, value):
    comparison = where(f"Task where name is {text}")
    assert comparison.value == value
    assert type(comparison.value) is type(value)


def test_and_binds_tighter_than_or():
    a, b, c = (Comparison(Path.of(n), "=", 1) for n in "abc")
    assert parse_criteria("a is 1 or b is 1 and c is 1") == Or((a, And((b, c))))
    assert parse_criteria("a is 1 and b is 1 or c is 1") == Or((And((a, b)), c))
    assert parse_criteria("(a is 1 or b is 1) and c is 1") == And((Or((a, b)), c))
    assert parse_criteria("a is 1 and b is 1 and c is 1") == And((a, b, c))


def test_not():
    a, b = (Comparison(Path.of(n), "=", 1) for n in "ab")
    assert parse_criteria("not a is 1") == Not(a)
    assert parse_criteria("not a is 1 and b is 1") == And((Not(a), b))
    assert parse_criteria("not (a is 1 or b is 1)") == Not(Or((a, b)))
    assert parse_criteria("not not a is 1") == Not(Not(a))
    assert parse_criteria("not timelogs any ()") == Not(Any(Path.of("timelogs"), None))


def test_has_and_any():
    assert where('Task where parent has (name is "sq010")') == Has(
        Path.of("parent"), Comparison(Path.of("name"), "=", "sq010")
    )
    assert where('Task where custom_attributes any (key is "fstart" and value > 1001)') == Any(
        Path.of("custom_attributes"),
        And((Comparison(Path.of("key"), "=", "fstart"), Comparison(Path.of("value"), ">", 1001))),
    )
    assert where("Task where timelogs any ()") == Any(Path.of("timelogs"))
    nested = where('Shot where children any (status has (name is "Approved"))')
    assert nested == Any(Path.of("children"), Has(Path.of("status"), Comparison(Path.of("name"), "=", "Approved")))


def test_in_lists():
    assert where('Task where name in ("a", b, 3, none)') == Comparison(Path.of("name"), "in", ("a", "b", 3, None))
    assert where("Task where name not_in ('x')") == Comparison(Path.of("name"), "not_in", ("x",))
    assert where("Task where name in ()") == Comparison(Path.of("name"), "in", ())


def test_in_sub_query():
    comparison = where('Task where parent_id in (select id from Shot where name like "sh%") and bid > 1').items[0]
    assert comparison.op == "in"
    assert comparison.value == Query("Shot", (Path.of("id"),), Comparison(Path.of("name"), "like", "sh%"))


def test_casts():
    cast = where('Task where parent[TypedContext] has (name is "sh010")')
    assert cast.path == Path((PathStep("parent", "TypedContext"),))
    deep = where('Task where allocations.resource[Group].memberships any (user.username is "jane")')
    assert deep.path.steps == (PathStep("allocations"), PathStep("resource", "Group"), PathStep("memberships"))
    assert deep.criteria == Comparison(Path.of("user.username"), "=", "jane")
    assert parse("select parent[Shot].name from Task").select == (Path((PathStep("parent", "Shot"), PathStep("name"))),)


def test_order_by_several_keys():
    query = parse("select name from Task order by parent.name, name asc, bid desc, sort ascending, id descending")
    assert query.order_by == (
        OrderKey(Path.of("parent.name")), OrderKey(Path.of("name")), OrderKey(Path.of("bid"), True),
        OrderKey(Path.of("sort")), OrderKey(Path.of("id"), True),
    )


@pytest.mark.parametrize("tail", ["offset 5 limit 10", "limit 10 offset 5"])
def test_offset_and_limit_in_either_order(tail):
    query = parse(f"select name from Task where bid > 1 order by name {tail}")
    assert (query.offset, query.limit) == (5, 10)


def test_positions_are_kept_but_not_compared():
    query = parse("select name from Task where  bid > 1")
    assert query.type_pos == 17
    assert query.where.pos == 29
    assert query.where.path.steps[0].pos == 29
    assert query == parse("select   name from Task where bid>1")


@pytest.mark.parametrize(
    "expression, position, fragment",
    [
        ("select name from Task where name is", 35, "Expected a value"),
        ("select name from Task wher name is 1", 22, "Unexpected 'wher'"),
        ('select name from Task where name is "open', 36, "Unterminated string"),
        ("select name, from Task", 13, "Expected an attribute path but found 'from'"),
        ("select name from", 16, "Expected an entity type"),
        ("select name Task", 12, "Expected 'from'"),
        ("Task where name ! 'x'", 16, "'!'"),
        ("Task where name frobs 'x'", 16, "Expected an operator"),
        ("Task where (name is 'x'", 23, "Expected ')'"),
        ("Task where name in 'x'", 19, "Expected '('"),
        ("Task where parent has name is 'x'", 22, "Expected '('"),
        ("Task limit ten", 11, "non-negative integer"),
        ("Task limit 1 limit 2", 13, "given twice"),
        ("Task where parent.9x is 1", 18, "Invalid attribute name '9x'"),
        ("Task where parent[] is 1", 18, "Expected a type name"),
        ("Task where and", 11, "Expected an attribute path"),
        ("", 0, "Expected an entity type"),
    ],
)
def test_errors_point_at_the_problem(expression, position, fragment):
    with pytest.raises(QueryParseError) as caught:
        parse(expression)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.expression == expression
    assert error.position == position, str(error)
    assert fragment in str(error)
    caret_line = str(error).splitlines()[-1]
    assert caret_line.index("^") == position + 2


def test_select_keyword_is_not_an_attribute():
    with pytest.raises(QueryParseError):
        parse("select name from Task where name is 'a' and")


@pytest.mark.parametrize("opening, closing", [("(", ")"), ("not (", ")")])
def test_nesting_beyond_the_depth_limit_is_a_parse_error(opening, closing):
    depth = 5000
    expression = "Task where " + opening * depth + 'name is "x"' + closing * depth
    with pytest.raises(QueryParseError, match="deep"):
        parse(expression)
    parse("Task where " + opening * 20 + 'name is "x"' + closing * 20)  # reasonable nesting still parses


def test_nested_not_beyond_the_depth_limit_is_a_parse_error():
    with pytest.raises(QueryParseError, match="deep"):
        parse("Task where " + "not " * 5000 + 'name is "x"')
