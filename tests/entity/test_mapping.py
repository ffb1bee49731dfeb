"""Entities read and write like mappings (ftrack-python-api habits), without fetching when
going over them, and say 'did you mean' towards methods for method-like names."""
from __future__ import annotations

import pytest

from ftrack_orm.entity.mapping import SCHEMA_WINS
from tests.support.live import live_fixtures

shared_sandbox, session = live_fixtures()


def test_going_over_the_mapping_never_fetches(session, shared_sandbox):
    task = session.query("select name, bid from Task").first()
    before = shared_sandbox.request_count
    held = task.keys()
    assert {"id", "name", "bid"} <= set(held) and "description" not in held
    assert list(task) == held and len(task) == len(held)
    assert dict(task) == dict(task.items()) and dict(task)["name"] == task.name
    assert task.values() == [task[name] for name in held]
    assert "description" in task and "nmae" not in task  # `in` asks the schema
    assert shared_sandbox.request_count == before
    assert task.get("description", "x") == task.description  # one name: fetched like task.description
    assert task.get("nmae", "default") == "default"
    assert bool(task)


def test_update_assigns_all_or_nothing_and_locals_are_keys(session):
    task = session.query("select name, bid from Task").first()
    with pytest.raises(TypeError, match="Task.bid expects a number"):
        task.update({"name": "renamed"}, bid="abc")
    assert not task.is_dirty
    task.update({"name": "renamed"}, bid=7)
    assert task.changes["name"][1] == "renamed" and task["bid"] == 7
    fresh = session.create("Note", {"content": "x"})
    assert "content" in fresh.keys()
    session.rollback()


def test_entity_type_and_session(session):
    shot = session.query("Shot").first()
    assert shot.entity_type == "Shot" and shot.session is session


def test_schema_attributes_named_like_methods_keep_their_name(session):
    # the rename rule leaves these names to the schema: TaskTemplate.items is the collection
    cls = session.types["TaskTemplate"]
    assert "items" in SCHEMA_WINS and cls.__dict__["items"].name == "items"
    assert session.types["CustomAttributeConfiguration"].__dict__["entity_type"].name == "entity_type"
    assert callable(session.types["Task"].items)


def test_method_like_typos_suggest_methods_not_attributes(session):
    task = session.query("Task").first()
    with pytest.raises(AttributeError) as info:
        task.create_nte  # noqa: B018
    assert "Did you mean 'create_note'?" in str(info.value)
    with pytest.raises(AttributeError) as info:
        task.get_thumbnial  # noqa: B018
    assert "'thumbnail'" not in str(info.value)  # the attribute is not suggested (create_thumbnail may be)
    with pytest.raises(AttributeError, match="Did you mean 'items'"):
        task.itmes  # noqa: B018


def test_a_server_pseudo_attribute_is_sent_untouched_and_readable(scripted_server):
    """``select name, __permissions.status_id from Task`` (real pipeline code): the checker
    passes it to the server as written, and what the server answers under ``__permissions``
    stays readable on the entity; other unknown names still raise."""
    from ftrack_orm import Session
    from tests.support.scripted import ftrack_like

    permissions = {"status_id": {"read": True, "write": False}}
    schemas_and_info = ftrack_like()

    def handler(request):
        if request["json"][0]["action"] != "query":
            return schemas_and_info(request)
        row = {"__entity_type__": "Task", "id": "t1", "name": "compositing", "__permissions": permissions}
        return 200, [{"action": "query", "data": [row], "metadata": {"next": {"offset": None}}}]

    scripted_server.handler = handler
    session = Session(scripted_server.url, "u", "k", schema_cache=False)
    try:
        task = session.query("select name, __permissions.status_id from Task").first()
        sent = [op["expression"] for op in scripted_server.requests[-1]["json"]]
        assert sent == ["select name, __permissions.status_id from Task offset 0 limit 1"]
        assert task["__permissions"] == permissions
        assert task.get("__permissions") == permissions and task.get("__other", "none") == "none"
        assert "__permissions" not in task.keys()  # the mapping lists schema attributes
        with pytest.raises(AttributeError, match="Task has no attribute '__other'"):
            task["__other"]
        with pytest.raises(AttributeError, match="Did you mean 'name'"):
            task["nmae"]
    finally:
        session.close()
