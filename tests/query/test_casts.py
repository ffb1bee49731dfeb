"""Attributes on subtypes of a relation's target: checked, and made explicit casts."""
from __future__ import annotations

import pytest

from ftrack_orm.query import QueryValidationError, check, parse, render
from ftrack_orm.query.builder import AttributePath
from ftrack_orm.query.casts import explicit_casts


def checked(registry, expression):
    query = parse(expression)
    check(query, registry, expression)
    return query


@pytest.mark.parametrize("expression, explicit", [
    ('Task where assignments any (resource.username = "jane")',
     'Task where assignments any (resource[User].username is "jane")'),
    ('User where custom_attribute_links any (configuration.key is "a" and user.username is "x")',
     'User where custom_attribute_links[UserCustomAttributeLink] any '
     '(configuration.key is "a" and user.username is "x")'),
    ('select resource.username from Appointment order by resource.username',
     'select resource[User].username from Appointment order by resource[User].username'),
    ('Appointment where resource has (username is "x")', 'Appointment where resource[User] has (username is "x")'),
    ('Task where id in (select context_id from Appointment where resource.username is "x")',
     'Task where id in (select context_id from Appointment where resource[User].username is "x")'),
])
def test_subtype_attributes_are_accepted_and_made_explicit(registry, expression, explicit):
    assert render(explicit_casts(checked(registry, expression), registry)) == explicit


def test_a_query_without_implicit_casts_is_returned_as_is(registry):
    query = checked(registry, 'select parent[Shot].name from Task where status.name is "x"')
    assert explicit_casts(query, registry) is query


@pytest.mark.parametrize("expression, message", [
    ('Task where parent.status.name is "x"', r"its subtypes Project, TypedContext each have one.*parent\[TypedContext\]"),
    ('Appointment where resource has (username is "x" or name is "y")', r"different subtypes \(Group, User\)"),
    ("User where nope is 1", "No attribute 'nope' exists for schema 'User'"),
    ("Resource where username is 1", "No attribute 'username' exists for schema 'Resource'"),  # a root is no relation
])
def test_refused(registry, expression, message):
    with pytest.raises(QueryValidationError, match=message):
        checked(registry, expression)


def test_the_builder_casts_for_the_user(registry):
    criterion = AttributePath.of(registry, "Appointment", "resource.username") == "jane"
    assert render(criterion.node) == 'resource[User].username is "jane"'
