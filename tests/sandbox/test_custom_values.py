"""Custom attribute values (G14): base and typed values share one store, and a typed
``custom_attributes`` collection lists every applicable configuration (defaults where
nothing is stored), as on a real ftrack server."""
from __future__ import annotations


def _create(entity_type, data):
    return {"action": "create", "entity_type": entity_type, "entity_data": data}


def _config(client, key):
    return client.rows(f"select id, default, project_id from CustomAttributeConfiguration where key is {key}")[0]


def _new_shot(client, name="sh900", **data):
    sequence = client.rows("select id from Sequence where name is sq010")[0]["id"]
    return client.call([_create("Shot", {"name": name, "parent_id": sequence, **data})])[0]["data"]["id"]


def _values(client, shot):
    shot_row = client.rows(f"select custom_attributes from Shot where id is {shot}")[0]
    return {c["key"]: c["value"] for c in shot_row["custom_attributes"]}


def test_a_value_created_as_the_official_client_does_is_seen_through_custom_attributes(client):
    shot = _new_shot(client)
    fend = _config(client, "fend")["id"]
    made = client.call([_create("CustomAttributeValue", {"configuration_id": fend, "value": 1234, "entity_id": shot})])
    assert made[0]["data"]["__entity_type__"] == "CustomAttributeValue"
    assert _values(client, shot)["fend"] == 1234
    typed = client.rows(f"select key, value from ContextCustomAttributeValue where entity_id is {shot}")
    assert [(r["__entity_type__"], r["key"], r["value"]) for r in typed] == [("ContextCustomAttributeValue", "fend", 1234)]
    found = client.rows("select name from Shot where custom_attributes any (key is fend and value is 1234)")
    assert [r["name"] for r in found] == ["sh900"]


def test_a_value_set_through_custom_attributes_is_a_custom_attribute_value(client):
    shot = _new_shot(client, custom_attributes={"fstart": 990})
    fstart = _config(client, "fstart")["id"]
    rows = client.rows(f"select value, configuration_id from CustomAttributeValue where entity_id is {shot}")
    assert [(r["__entity_type__"], r["configuration_id"], r["value"]) for r in rows] == [
        ("CustomAttributeValue", fstart, 990)]
    client.call([{"action": "update", "entity_type": "CustomAttributeValue", "entity_key": [fstart, shot],
                  "entity_data": {"value": 991}}])
    assert _values(client, shot)["fstart"] == 991


def test_a_typed_collection_lists_every_applicable_configuration_with_its_default(client):
    shot = _new_shot(client)  # nothing stored
    defaults = {key: _config(client, key)["default"] for key in ("fstart", "fend")}
    assert _values(client, shot) == defaults
    # only stored values are filtered on, and the defaults are not stored
    assert client.rows(f"select value from CustomAttributeValue where entity_id is {shot}") == []
    assert client.rows(f"select id from Shot where id is {shot} and custom_attributes any (key is fstart)") == []
    # a configuration of another object type (the sequence has none) does not apply
    sequence = client.rows("select id, custom_attributes from Sequence where name is sq010")[0]
    assert sequence["custom_attributes"] == []


def test_a_project_configuration_shadows_a_global_one_with_the_same_key(client):
    shot = _new_shot(client)
    local = _config(client, "fend")
    object_type = client.rows(f"select object_type_id from Shot where id is {shot}")[0]["object_type_id"]
    number = client.rows("select id from CustomAttributeType where name is number")[0]["id"]
    client.call([_create("CustomAttributeConfiguration", {
        "key": key, "label": key, "entity_type": "task", "object_type_id": object_type, "type_id": number,
        "config": "{}", "core": False, "default": default, "project_id": None,
    }) for key, default in (("fend", 7), ("handles", 8))])
    assert _values(client, shot) == {"fstart": _config(client, "fstart")["default"], "fend": local["default"],
                                     "handles": 8}


def _configure(client, key, type_name, project_id, default):
    shot_type = client.rows("select id from ObjectType where name is Shot")[0]["id"]
    type_id = client.rows(f"select id from CustomAttributeType where name is {type_name}")[0]["id"]
    return client.call([_create("CustomAttributeConfiguration", {
        "key": key, "label": key, "entity_type": "task", "object_type_id": shot_type, "type_id": type_id,
        "config": "{}", "core": False, "default": default, "project_id": project_id,
    })])[0]["data"]["id"]


def test_a_write_through_custom_attributes_uses_the_project_configuration_over_a_global_one(client):
    """Writes shadow as reads do, whatever order the configurations were made in."""
    project = client.rows("select id from Project where name is demo_vfx")[0]["id"]
    global_config = _configure(client, "handles", "number", None, 0)
    local_config = _configure(client, "handles", "text", project, "none")
    shot = _new_shot(client, custom_attributes={"handles": "8+8"})
    stored = client.rows(f"select configuration_id, value from CustomAttributeValue where entity_id is {shot}")
    assert [(r["configuration_id"], r["value"]) for r in stored] == [(local_config, "8+8")]
    assert _values(client, shot)["handles"] == "8+8"
    # the project's configuration (text) checks the value, not the shadowed global one (number)
    assert global_config != local_config


def test_a_configuration_of_another_project_does_not_apply_to_a_write(client):
    schema = client.rows("select project_schema_id from Project where name is demo_vfx")[0]["project_schema_id"]
    other = client.call([_create("Project", {"name": "other", "full_name": "Other", "project_schema_id": schema})])
    _configure(client, "lens", "text", other[0]["data"]["id"], "")
    sequence = client.rows("select id from Sequence where name is sq010")[0]["id"]
    error = client.error([_create("Shot", {"name": "sh901", "parent_id": sequence,
                                           "custom_attributes": {"lens": "35mm"}})])
    assert error["exception"] == "ValidationError"
    assert "No custom attribute 'lens' is configured for Shot" in error["content"]
