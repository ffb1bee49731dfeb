"""The sandbox answers the expressions of the real responses with the same shape."""
from __future__ import annotations


import pytest

from tests.support.data import RESPONSES, response_json

# file name → the expression that produced it (the file name encodes it)
EXPRESSIONS = {
    "query_select_name_created_at_from_task_limit_1.json": "select name, created_at from Task limit 1",
    "query_select_name_from_task_limit_1.json": "select name from Task limit 1",
    "query_select_status.state.short_from_task_where_status.state.short_is_not_started_limit_2.json":
        "select status.state.short from Task where status.state.short is NOT_STARTED limit 2",
    "query_select_version_asset.versions.version_from_assetversion_where_asset_id_is_not_none_limit_1.json":
        "select version, asset.versions.version from AssetVersion where asset_id is not none limit 1",
}


def shape(value):
    """Keys, nesting and typed values of a JSON answer, without the data."""
    if isinstance(value, dict):
        if "__type__" in value:
            return {"__type__": value["__type__"]}
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value if isinstance(value, bool) else None
    return type(value).__name__


def test_every_real_query_response_is_covered():
    files = sorted(p.name for p in RESPONSES.glob("query_*.json"))
    assert files == sorted(EXPRESSIONS)


@pytest.mark.parametrize("file_name", sorted(EXPRESSIONS))
def test_same_shape_as_the_real_server(reader, file_name):
    real = response_json(file_name)
    ours = reader.query(EXPRESSIONS[file_name])
    assert shape(ours) == shape(real)
    assert ours["metadata"] == real["metadata"]


def test_create_and_update_answers_have_the_real_keys(client):
    real_create = response_json("create_user.json")["data"]
    sent = {k: v for k, v in real_create.items() if k not in ("id", "resource_type", "__entity_type__")}
    created = client.call([{"action": "create", "entity_type": "User", "entity_data": {"__entity_type__": "User", **sent}}])[0]
    assert created["action"] == "create"
    assert set(real_create) <= set(created["data"])
    assert shape({k: created["data"][k] for k in real_create}) == shape(real_create)
    real_update = response_json("update_user.json")["data"]
    updated = client.call([{"action": "update", "entity_type": "User", "entity_key": [created["data"]["id"]],
                            "entity_data": {"username": "renamed"}}])[0]
    assert shape(updated["data"]) == shape(real_update)
    assert updated["data"]["username"] == "renamed"
