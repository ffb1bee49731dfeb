"""Values cannot change a query's structure: arbitrary names, created through the
session and committed, come back exactly through ``==`` and ``in_`` (hypothesis)."""
from __future__ import annotations

from typing import Dict, Set

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ftrack_orm import Session
from ftrack_orm.query import parse
from ftrack_orm.sandbox import Sandbox

#: Text biased towards what could break quoting: quotes, backslashes, wildcards,
#: keywords, brackets, blanks and newlines, and any other unicode character.
TRICKY = st.sampled_from(['"', "'", "\\", "%", "_", " and ", " or ", "where", "not", "(", ")", ",", "\n", "\r\n",
                          "\t", " ", "is none", "\\\"", "é", "名前", "\U0001F3AC", "\x00", "\u2028"])
NAMES = st.lists(st.one_of(TRICKY, st.text(max_size=6)), min_size=1, max_size=6).map("".join)


@pytest.fixture(scope="module")
def world():
    """A demo sandbox, a session and a fresh shot holding the generated tasks."""
    with Sandbox(seed="demo") as sandbox, \
            Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as session:
        sequence = session.query(session.Sequence).where(name="sq010").one()
        task_type = session.query(session.Type).where(name="Compositing").one()
        shot = session.create("Shot", {"name": "escaping", "parent": sequence})
        session.commit()
        created: Dict[str, Set[str]] = {}
        yield session, shot, task_type, created


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES)
@example(name="")
@example(name='" or name is_not "')
@example(name="\\")
@example(name='\\" or id is_not none or name is "\\')
@example(name="x\x00y")
@example(name="%")
def test_any_name_comes_back_exactly(world, name):
    session, shot, task_type, created = world
    if name not in created:  # siblings have different names (a server refuses a duplicate)
        task = session.create("Task", {"name": name, "parent": shot, "type": task_type})
        session.commit()
        created[name] = {task.id}
    Task = session.Task
    query = session.query(Task).where(Task.parent == shot, Task.name == name).select(Task.name)
    assert parse(str(query)) == query.ast  # the rendered expression means what was built
    rows = query.all()
    assert {row.id for row in rows} == created[name]
    assert all(row.name == name for row in rows)
    rows = session.query(Task).where(Task.parent == shot, Task.name.in_([name, name + "x"])).all()
    assert {row.id for row in rows} == created[name] | created.get(name + "x", set())
