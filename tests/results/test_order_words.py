"""``order_by`` with text keys: a path and at most one direction word (offline)."""
from __future__ import annotations

import pytest

from ftrack_orm import Session
from ftrack_orm.query import render

from tests.support.scripted import ftrack_like


@pytest.fixture
def session(scripted_server):
    scripted_server.handler = ftrack_like()
    with Session(scripted_server.url, "u", "k", schema_cache=False) as session:
        yield session


@pytest.mark.parametrize("key", ["name garbage", "name desc extra", "name descend", "name ascx"])
def test_an_unknown_direction_word_is_refused(session, key):
    with pytest.raises(ValueError, match="asc, ascending, desc or descending"):
        session.query("Task").order_by(key)


@pytest.mark.parametrize("key, expected", [
    ("name", "name"), ("name asc", "name"), ("name ascending", "name"), ("name DESC", "name desc"),
    ("name  descending", "name desc"), ("parent.name desc", "parent.name desc"),
])
def test_direction_words(session, key, expected):
    assert render(session.query("Task").order_by(key).ast).endswith(f"order by {expected}")
