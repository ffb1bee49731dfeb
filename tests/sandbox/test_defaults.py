"""Server-side defaults (sandbox/defaults.py): each row of DEFAULTS, as a real server fills it."""
from __future__ import annotations

import datetime

import pytest

from ftrack_orm.sandbox import Sandbox
from ftrack_orm.sandbox.defaults import DEFAULTS
from ftrack_orm.sandbox.seed import uid
from tests.support.sandbox_http import Client


def create(entity_type, data):
    return {"action": "create", "entity_type": entity_type, "entity_data": {"__entity_type__": entity_type, **data}}


def created(client, entity_type, data, select):
    new = client.call([create(entity_type, data)])[0]["data"]
    return client.rows(f"select {select} from {entity_type} where id is {new['id']}")[0]


def test_every_default_row_is_tested_here():
    source = open(__file__, encoding="utf-8").read()
    for row in DEFAULTS:
        assert f"default {row.entity_type}.{row.attribute}" in source, row


def test_default_User_is_active_and_User_username_from_the_email(client):
    # default User.is_active, default User.username
    user = created(client, "User", {"email": "Kim.Park@example.com"}, "username, is_active")
    assert user["is_active"] is True and user["username"] == "kim.park@example.com"
    again = created(client, "User", {"email": "kim.park@example.com"}, "username")
    assert again["username"] == "kim.park@example.com-2"  # unique, like the first


def test_a_user_without_email_is_named_from_first_and_last_name(client):
    assert created(client, "User", {"first_name": "Ann", "last_name": "Bee"}, "username")["username"] == "ann.bee"


def test_given_values_are_kept(client):
    user = created(client, "User", {"username": "given", "is_active": False}, "username, is_active")
    assert user == {**user, "username": "given", "is_active": False}


def test_default_Timer_start_is_the_server_clock():
    # default Timer.start
    moment = datetime.datetime(2025, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
    with Sandbox(clock=lambda: moment) as sandbox:
        client = Client(sandbox)
        timer = created(client, "Timer", {"user_id": uid("User", "jane.doe")}, "start, comment")
        assert timer["start"] == {"__type__": "datetime", "value": "2025-05-06T07:08:09"}
        assert timer["comment"] == ""


def test_default_TypedContext_type_id_gives_a_task_its_projects_first_task_type(client):
    # default TypedContext.type_id
    shot = client.rows("select id from Shot where name is sh010")[0]["id"]
    task = created(client, "Task", {"name": "untyped", "parent_id": shot}, "type.name, type_id")
    first = client.rows(
        "select types.name, types.sort from TaskTypeSchema where id in "
        "(select task_type_schema_id from ProjectSchema where name is VFX)"
    )
    names = sorted(first[0]["types"], key=lambda t: t["sort"]) if first and first[0].get("types") else None
    assert task["type_id"] is not None
    assert task["type"]["name"] == (names[0]["name"] if names else "Generic")


def test_a_shot_is_not_typeable_and_keeps_a_null_type(client):
    # Shots have no type on ftrack (their object type is not typeable), though the schema lists type_id.
    sequence = client.rows("select id from Sequence where name is sq010")[0]["id"]
    shot = created(client, "Shot", {"name": "sh999", "parent_id": sequence, "type_id": None}, "type_id")
    assert shot["type_id"] is None


@pytest.mark.parametrize("entity_type, data, attribute, expected", [
    # default *.sort, default *.bid
    ("Task", {"name": "filled", "parent_id": uid("Shot", "sh010")}, "sort", 0),
    ("Task", {"name": "filled", "parent_id": uid("Shot", "sh010")}, "bid", 0.0),
    # default Project.status
    ("Project", {"name": "other", "full_name": "Other", "project_schema_id": uid("ProjectSchema", "VFX")},
     "status", "active"),
])
def test_required_values_a_server_fills(client, entity_type, data, attribute, expected):
    assert created(client, entity_type, data, attribute)[attribute] == expected


def test_default_Component_system_type_follows_the_subtype(client):
    # default Component.system_type
    kinds = {name: created(client, name, {"name": name.lower()}, "system_type")["system_type"]
             for name in ("FileComponent", "SequenceComponent", "ContainerComponent", "Component")}
    assert kinds == {"FileComponent": "file", "SequenceComponent": "sequence", "ContainerComponent": "container",
                     "Component": "file"}
    assert created(client, "FileComponent", {"name": "given", "system_type": "custom"},
                   "system_type")["system_type"] == "custom"
