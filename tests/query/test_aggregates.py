"""Aggregates, ``group by``, ``like`` on any attribute and ``from`` as an attribute name:
parsed, rendered back and checked."""
from __future__ import annotations

import pytest

from ftrack_orm.query import QueryValidationError, ast, check, parse, render
from ftrack_orm.query.builder import AttributePath


@pytest.mark.parametrize("expression", [
    "select count(id) from Task group by status_id",
    "select count(id), sum(bid), avg(bid), min(start_date), max(bid), project_id from Task where bid > 1 "
    "group by project_id, status_id order by project_id desc limit 5",
    "select from, to from TypedContextLink",
    "select to, from from TypedContextLink",
    "select from.name, to_id from TypedContextLink",
])
def test_parsed_rendered_and_checked(registry, expression):
    query = parse(expression)
    assert parse(render(query)) == query
    check(query, registry, expression)


def test_aggregate_nodes():
    query = parse("select COUNT(id), status_id from Task group by status_id")
    assert query.aggregates == (ast.Aggregate("count", ast.Path.of("id")),)
    assert query.aggregates[0].key == "count_id"
    assert query.select == (ast.Path.of("status_id"),) and query.group_by == (ast.Path.of("status_id"),)


@pytest.mark.parametrize("expression, message", [
    ("select count(id) from Task", "Aggregates need a 'group by' clause"),
    ("select sum(name) from Task group by status_id", r"sum\(\) needs integer or number values"),
    ("select name, count(id) from Task group by status_id", "'name' is neither in 'group by' nor aggregated"),
    ("select count(id) from Task group by status", "Cannot group by 'status': it is a relation"),
    ("select count(id) from Task group by status_id order by name", "'name' is neither in 'group by'"),
    ("Task where id in (select count(id) from Task group by id)", "A sub-query cannot aggregate"),
])
def test_aggregates_refused(registry, expression, message):
    with pytest.raises(QueryValidationError, match=message):
        check(parse(expression), registry, expression)


@pytest.mark.parametrize("expression", [
    'AssetVersion where version like "%"', 'Task where bid not_like "1%"', 'Task where start_date like "2024-%"',
])
def test_like_on_any_scalar(registry, expression):
    check(parse(expression), registry, expression)


def test_like_in_the_builder(registry):
    version = AttributePath.of(registry, "AssetVersion", "version")
    assert render(version.like("1%").node) == 'version like "1%"'
    with pytest.raises(TypeError, match="takes a string pattern"):
        version.like(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="needs a scalar attribute"):
        AttributePath.of(registry, "Task", "parent").like("x")
