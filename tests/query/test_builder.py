"""The query builder: schema-checked paths, every form, rendering, immutability."""
from __future__ import annotations

import datetime as dt

import pytest

from ftrack_orm.query import parse
from ftrack_orm.query.builder import AttributePath, and_, not_, or_
from ftrack_orm.schema import SchemaRegistry

from tests.support.data import schemas_json


@pytest.fixture(scope="module")
def registry():
    return SchemaRegistry.from_json(schemas_json())


@pytest.fixture
def Task(registry):
    return AttributePath(registry, "Task")


@pytest.fixture
def Shot(registry):
    return AttributePath(registry, "Shot")


def text(criterion):
    from ftrack_orm.query import render
    return render(criterion.node)


def test_paths_are_checked_when_written(Task):
    with pytest.raises(AttributeError, match=r"No attribute 'nmae' exists for schema 'Task'. Did you mean 'name'"):
        Task.nmae
    with pytest.raises(AttributeError, match="No attribute 'status' exists for schema 'Context'"):
        Task.parent.status  # parent is a Context: cast first
    with pytest.raises(AttributeError, match="'name' of schema 'Task' is a string"):
        Task.name.length
    assert str(Task.parent.name.path) == "parent.name"


def test_comparisons(Task):
    assert text(Task.name == "Layout") == 'name is "Layout"'
    assert text(Task.name != "x") == 'name is_not "x"'
    assert text(Task.bid > 3) == "bid > 3"
    assert text(Task.bid <= 2.5) == "bid <= 2.5"
    assert text(Task.parent.name.like("sh0%")) == 'parent.name like "sh0%"'
    assert text(Task.name.not_like("%tmp%")) == 'name not_like "%tmp%"'
    assert text(Task.status.name.in_(["WIP", "Review"])) == 'status.name in ("WIP", "Review")'
    assert text(Task.status.name.not_in(["Done"])) == 'status.name not_in ("Done")'


def test_type_checked_values(Task):
    with pytest.raises(TypeError, match="Task.bid is a number"):
        Task.bid == "abc"
    with pytest.raises(TypeError, match="Task.bid is a number"):
        Task.bid == True  # noqa: E712 - a bool is not a number
    with pytest.raises(TypeError, match="Task.name is a string"):
        Task.name.in_(["a", 3])


def test_none_checks(Task):
    assert text(Task.parent == None) == "parent is none"  # noqa: E711
    assert text(Task.parent.is_(None)) == "parent is none"
    assert text(Task.description.is_not(None)) == "description is_not none"


def test_boolean_combinations(Task):
    a, b, c = Task.name == "a", Task.name == "b", Task.bid > 1
    assert text(a | b) == 'name is "a" or name is "b"'
    assert text((a | b) & c) == '(name is "a" or name is "b") and bid > 1'
    assert text(~a) == 'not name is "a"'
    assert text(and_(a, b, c)) == text(a & b & c)
    assert text(or_(a, b)) == text(a | b)
    assert text(not_(not_(a))) == text(a)
    with pytest.raises(TypeError, match="Use &"):
        a and b


def test_has_and_any(Task, Shot):
    assert text(Task.children.any(name="comp")) == 'children any (name is "comp")'
    assert text(Task.timelogs.any()) == "timelogs any ()"
    assert text(~Task.timelogs.any()) == "not timelogs any ()"
    assert text(Task.parent.has(name="sh010")) == 'parent has (name is "sh010")'
    assert text(Task.metadata.any(key="k", value="v")) == 'metadata any (key is "k" and value is "v")'
    # a criterion on a subtype casts the step
    assert text(Task.parent.has(Shot.name == "sh010")) == 'parent[Shot] has (name is "sh010")'
    with pytest.raises(TypeError, match="'has' needs a reference"):
        Task.children.has(name="x")
    with pytest.raises(TypeError, match="'any' needs a collection"):
        Task.parent.any(name="x")


def test_casts(Task, registry):
    assert text(Task.parent["Shot"].status.name == "WIP") == 'parent[Shot].status.name is "WIP"'
    with pytest.raises(TypeError, match="not a subtype of 'Context'"):
        Task.parent["User"]
    with pytest.raises(KeyError, match="Did you mean 'Shot'"):
        Task.parent["Shto"]


class FakeShot:
    def _ftrack_reference(self):
        return {"__entity_type__": "Shot", "id": "s-1"}


def test_entity_comparisons(Task, registry):
    assert text(Task.parent == FakeShot()) == 'parent.id is "s-1"'
    assert text(Task.parent != FakeShot()) == 'not parent.id is "s-1"'
    assert text(Task.parent.in_([FakeShot()])) == 'parent.id in ("s-1")'
    meta = AttributePath(registry, "Task").metadata
    with pytest.raises(TypeError, match="collection"):
        meta == FakeShot()


def test_dates(Task):
    when = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert text(Task.start_date > when) == 'start_date > "2024-06-01T10:00:00"'
    assert text(Task.start_date < dt.date(2024, 7, 1)) == 'start_date < "2024-07-01"'


def test_rendered_criteria_parse_back(Task):
    criterion = (Task.name.like('a"b\\%') | Task.children.any(name="x")) & ~Task.bid.in_([1, 2.5])
    expression = "Task where " + text(criterion)
    assert parse(expression).where == criterion.node


def test_rename_rule_for_keywords(registry):
    link = AttributePath(registry, "TypedContextLink")
    assert str(link.from_.path) == "from"



def test_paths_complete_the_attributes_they_lead_to(Task):
    assert "name" in dir(Task.parent) and "bid" not in dir(Task.parent)  # Context has no bid
    assert {"bid", "parent", "like", "desc"} <= set(dir(Task))
    assert "from_" in dir(AttributePath(Task._registry, "TypedContextLink"))
