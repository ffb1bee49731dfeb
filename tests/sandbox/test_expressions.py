"""Parsed expressions are cached by text; errors are not."""
from __future__ import annotations

import pytest

from ftrack_orm.query import QueryParseError, QueryValidationError, check, expand_default_projections, parse
from ftrack_orm.sandbox.expressions import ParsedExpressions
from ftrack_orm.schema import SchemaRegistry

from tests.support.data import schemas_json


@pytest.fixture(scope="module")
def schemas():
    return SchemaRegistry.from_json(schemas_json())


def test_the_same_text_is_parsed_once_and_equals_a_fresh_parse(schemas):
    cache = ParsedExpressions(schemas)
    text = 'Task where parent.name is "sh010" order by name desc limit 3'
    first = cache.get(text)
    assert cache.get(text) is first
    fresh = parse(text)
    check(fresh, schemas, text)
    assert first == expand_default_projections(fresh, schemas)
    assert first.select  # default projections made explicit


def test_errors_are_raised_every_time_and_not_cached(schemas):
    cache = ParsedExpressions(schemas)
    for _ in range(2):
        with pytest.raises(QueryParseError):
            cache.get("select from")
        with pytest.raises(QueryValidationError):
            cache.get("select nonsense from Task")


def test_the_cache_is_bounded(schemas):
    cache = ParsedExpressions(schemas, size=2)
    first = cache.get("select id from Task")
    cache.get("select id from Shot")
    cache.get("select id from Project")
    assert cache.get("select id from Task") is not first  # dropped, parsed again
