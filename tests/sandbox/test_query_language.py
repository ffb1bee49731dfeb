"""The query language forms real pipelines send, over HTTP against the demo sandbox:
attributes on subtypes of a relation's target, aggregates, ``like`` on any attribute,
pseudo-attributes, ``from``/``to`` as attribute names."""
from __future__ import annotations

import uuid

import pytest


def create(client, entity_type, data):
    return client.call([{"action": "create", "entity_type": entity_type, "entity_data": data}])[0]["data"]


@pytest.fixture
def assigned(client):
    """Two tasks: one assigned to jane.doe, one to a group (``resource`` is a ``Resource``)."""
    jane = client.rows('select id from User where username is "jane.doe"')[0]
    first, second = client.rows("select id, name from Task order by name limit 2")
    group = create(client, "Group", {"id": str(uuid.uuid4()), "name": "comp", "local": False})
    create(client, "Appointment", {"id": str(uuid.uuid4()), "context_id": first["id"], "resource_id": jane["id"],
                                   "type": "assignment"})
    create(client, "Appointment", {"id": str(uuid.uuid4()), "context_id": second["id"], "resource_id": group["id"],
                                   "type": "assignment"})
    return jane, first, second


def test_attribute_of_a_subtype_of_the_relation_target(client, assigned):
    jane, first, second = assigned
    appointments = client.rows(f'select context_id from Appointment where type is "assignment" '
                               f'and resource_id is "{jane["id"]}"')
    expected = {row["context_id"] for row in appointments}
    found = client.rows('select id from Task where assignments any (resource.username is "jane.doe")')
    assert {row["id"] for row in found} == expected and first["id"] in expected
    groups = client.rows('select id from Task where assignments any (resource has (name is "comp"))')
    assert [row["id"] for row in groups] == [second["id"]]
    negated = client.rows('select id from Task where not assignments any (resource.username is "jane.doe")')
    assert not expected & {row["id"] for row in negated} and second["id"] in {row["id"] for row in negated}


def test_projection_through_a_subtype_attribute(client, assigned):
    rows = client.rows("select resource.username from Appointment")
    users = {row["resource"].get("username") for row in rows if row["resource"]["__entity_type__"] == "User"}
    assert "jane.doe" in users
    assert not [row for row in rows if row["resource"]["__entity_type__"] == "Group" and "username" in row["resource"]]


def test_ambiguous_subtype_attribute_is_refused(reader):
    error = reader.error([{"action": "query", "expression": 'select id from Task where parent.status.name is "x"'}])
    assert "its subtypes Project, TypedContext each have one" in error["content"]
    error = reader.error([{"action": "query",
                           "expression": 'Appointment where resource has (username is "x" or name is "y")'}])
    assert "different subtypes (Group, User)" in error["content"]


def test_aggregates_group_like_ftrack(reader):
    tasks = reader.rows("select status_id, bid from Task")
    expected = {}
    for task in tasks:
        expected.setdefault(task["status_id"], []).append(task["bid"])
    rows = reader.rows("select count(id), sum(bid), min(bid), max(bid), avg(bid) from Task group by status_id")
    assert {row["status_id"] for row in rows} == set(expected)
    for row in rows:
        bids = expected[row["status_id"]]
        assert set(row) == {"status_id", "count_id", "sum_bid", "min_bid", "max_bid", "avg_bid"}
        assert row["count_id"] == len(bids) and row["sum_bid"] == pytest.approx(sum(bids))
        assert (row["min_bid"], row["max_bid"]) == (min(bids), max(bids))
        assert row["avg_bid"] == pytest.approx(sum(bids) / len(bids))
    assert "__entity_type__" not in rows[0]


def test_aggregates_filter_order_and_page(reader):
    names = reader.rows("select count(id), status.name from Task where bid > 2 group by status.name "
                        "order by status.name desc limit 2")
    assert [row["status.name"] for row in names] == sorted({r["status.name"] for r in names}, reverse=True)
    answer = reader.query("select count(id) from Task group by status_id limit 1")
    assert len(answer["data"]) == 1 and answer["metadata"]["next"]["offset"] == 1
    error = reader.error([{"action": "query", "expression": "select count(id) from Task"}])
    assert "group by" in error["content"]


def test_like_on_a_number(reader):
    versions = [row["version"] for row in reader.rows("select version from AssetVersion")]
    assert len(reader.rows('select id from AssetVersion where version like "%"')) == len(versions)
    ones = reader.rows('select version from AssetVersion where version like "1%"')
    assert sorted(row["version"] for row in ones) == sorted(v for v in versions if str(v).startswith("1"))


def test_from_and_to_are_attribute_names(client):
    shots = client.rows("select id from Shot order by name limit 2")
    link = str(uuid.uuid4())
    create(client, "TypedContextLink", {"id": link, "from_id": shots[0]["id"], "to_id": shots[1]["id"]})
    rows = client.rows(f"select from, to from TypedContextLink where id is {link}")  # the seed has links too
    assert [(row["from"]["id"], row["to"]["id"]) for row in rows] == [(shots[0]["id"], shots[1]["id"])]
