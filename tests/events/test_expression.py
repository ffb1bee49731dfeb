"""Subscription expressions: our own parser, matched against events and subscriber metadata."""
from __future__ import annotations

import pytest

from ftrack_orm.events import Event, ExpressionError, parse_expression

EVENT = {"topic": "ftrack.action.launch", "data": {"count": 5, "name": "comp v2", "flag": True},
         "source": {"user": {"username": "jane"}}}


@pytest.mark.parametrize("text, expected", [
    ("topic=ftrack.action.launch", True),
    ("topic=ftrack.action.*", True),
    ("topic=ftrack.update", False),
    ("topic!=ftrack.update", True),
    ("topic=*.launch and source.user.username=jane", True),
    ('source.user.username="jane"', True),
    ("source.user.username='bob' or data.count>4", True),
    ("not topic=ftrack.update", True),
    ("NOT (topic=ftrack.action.* and data.count<5)", True),
    ("data.count>=5 and data.count<=5", True),
    ("data.count>10", False),
    ("data.count<10", True),  # numeric, not text ("5" > "10" as text)
    ('data.name="comp v2"', True),
    ("data.missing=anything", False),
    ("not data.missing=anything", True),
    ("data.flag=true", True),
    ("topic=ftrack.update or topic=ftrack.action.launch and data.count=5", True),
    ("(topic=ftrack.update or topic=ftrack.action.launch) and data.count=6", False),
    ("", True),
])
def test_matches(text, expected):
    assert parse_expression(text).match(EVENT) is expected


def test_matches_event_objects_too():
    event = Event("ftrack.update", data={"entities": []}, source={"user": {"username": "jane"}})
    assert parse_expression("topic=ftrack.update and source.user.username=jane").match(event)
    assert not parse_expression("topic=ftrack.update and source.user.username=bob").match(event)


def test_and_binds_tighter_than_or():
    expression = parse_expression("topic=a or topic=b and data.x=1")
    assert expression.match({"topic": "a", "data": {"x": 2}})
    assert not expression.match({"topic": "b", "data": {"x": 2}})


@pytest.mark.parametrize("text, message", [
    ("topic", "expected an operator"),
    ("topic=", "expected a value"),
    ("topic=a and", "expected a condition"),
    ("(topic=a", "expected '\\)'"),
    ("topic=a topic=b", "expected 'and', 'or' or the end"),
    ("=a", "expected a field name"),
    ('topic="open', "unexpected character"),
])
def test_errors_point_at_the_position(text, message):
    with pytest.raises(ExpressionError, match=message) as raised:
        parse_expression(text)
    assert "^" in str(raised.value) and repr(text) in str(raised.value)
