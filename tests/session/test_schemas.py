"""Schema loading through a session: one call at first need, the disk cache, get_schema."""
from __future__ import annotations

import json

import pytest

from ftrack_orm import Session
from ftrack_orm.schema_cache import SchemaCache

from tests.support.data import server_information_json

from tests.support.scripted import ftrack_like


@pytest.fixture
def served(scripted_server):
    scripted_server.handler = ftrack_like()
    return scripted_server


def open_session(server, cache):
    return Session(server.url, "u", "k", schema_cache=cache)


def test_first_need_loads_info_and_schemas_in_one_call(served, tmp_path):
    session = open_session(served, tmp_path)
    assert served.requests == []
    assert session.get_schema("Task")["id"] == "Task"
    assert len(served.requests) == 1
    assert served.actions(0) == ["query_server_information", "query_schemas"]
    assert session.get_schema("Nope") is None
    assert session.server_information["schema_hash"] == "23a1157b8b1730fd91c76f63dcd67a8f"
    assert len(session.schemas) == 116
    assert len(served.requests) == 1


def test_restart_with_cache_costs_one_small_call(served, tmp_path):
    assert len(open_session(served, tmp_path).schemas) == 116
    served.requests.clear()
    again = open_session(served, tmp_path)
    assert len(again.schemas) == 116
    assert len(served.requests) == 1
    assert served.actions(0) == ["query_server_information"]


def test_changed_schema_hash_downloads_again(scripted_server, tmp_path):
    info = dict(server_information_json())
    scripted_server.handler = ftrack_like(info=info)
    assert len(open_session(scripted_server, tmp_path).schemas) == 116
    info["schema_hash"] = "new-hash"
    scripted_server.requests.clear()
    assert len(open_session(scripted_server, tmp_path).schemas) == 116
    assert [scripted_server.actions(i) for i in range(2)] == [["query_server_information"], ["query_schemas"]]
    data = json.loads(SchemaCache(tmp_path).path_for("new-hash").read_text())
    assert data["schema_hash"] == "new-hash"
    assert len(list(tmp_path.glob("schemas-*.json"))) == 2


def test_corrupt_cache_is_ignored_and_rewritten(served, tmp_path):
    path = SchemaCache(tmp_path).path_for("23a1157b8b1730fd91c76f63dcd67a8f")
    path.write_text("{not json")
    session = open_session(served, tmp_path)
    assert len(session.schemas) == 116
    assert json.loads(path.read_text())["schema_hash"] == "23a1157b8b1730fd91c76f63dcd67a8f"


def test_servers_with_the_same_schemas_share_one_file(tmp_path):
    from tests.support.scripted import ScriptedServer

    first, second = ScriptedServer(), ScriptedServer()
    try:
        for server in (first, second):
            server.handler = ftrack_like()
        assert len(open_session(first, tmp_path).schemas) == 116
        assert len(open_session(second, tmp_path).schemas) == 116
        assert second.actions(0) == ["query_server_information"] and len(second.requests) == 1
        assert len(list(tmp_path.iterdir())) == 1
    finally:
        first.close()
        second.close()



def test_cache_off_switch_writes_nothing(served, tmp_path, monkeypatch):
    monkeypatch.setenv("FTRACK_ORM_CACHE_DIR", str(tmp_path))
    session = Session(served.url, "u", "k", schema_cache=False)
    assert len(session.schemas) == 116
    assert list(tmp_path.iterdir()) == []



def test_seed_api_key_forms(served):
    session = Session(served.url, "u", "k", schema_cache=False)
    assert session.entity_key("Metadata", {"key": "k", "parent_id": "p"}) == ["p", "k"]
    assert session.entity_key("Task", "t1") == ["t1"]
    with pytest.raises(ValueError, match="missing key"):
        session.entity_key("Metadata", {"parent_id": "p"})
    task = session.update("Task", {"id": "t1"}, {"name": "x"})
    assert task.changes == {"name": (None, "x")} or task.changes["name"][1] == "x"
    served.handler = lambda request: (200, [{"action": "update", "data": {"__entity_type__": "Task", "id": "t1", "name": "x"}}])
    assert session.commit().counts["update"] == 1
    assert served.requests[-1]["json"] == [
        {"action": "update", "entity_type": "Task", "entity_key": ["t1"], "entity_data": {"name": "x"}}
    ]


def test_call_on_a_fresh_session_returns_entities(scripted_server):
    base = ftrack_like()

    def handler(request):
        if request["json"][0]["action"] == "query":
            return 200, [{"action": "query", "data": [{"__entity_type__": "Task", "id": "t1", "name": "a"}],
                          "metadata": {"next": {"offset": None}}}]
        return base(request)

    scripted_server.handler = handler
    session = Session(scripted_server.url, "u", "k", schema_cache=False)
    result = session.call([{"action": "query", "expression": "select name from Task"}])
    task = result[0]["data"][0]
    assert type(task).__name__ == "Task" and task.name == "a"
    assert [scripted_server.actions(i) for i in range(2)] == [["query"], ["query_server_information", "query_schemas"]]
    assert session.identity_map.get("Task", "t1") is task
