"""Collections through link entities, and collections written as lists of references, over HTTP."""
from __future__ import annotations

import json

import pytest

from ftrack_orm.relations import Relations
from ftrack_orm.sandbox import Sandbox
from ftrack_orm.schema import SchemaRegistry
from tests.support.data import schemas_json
from tests.support.sandbox_http import Client

SCHEMAS = SchemaRegistry.from_json(schemas_json())
RELATIONS = Relations(SCHEMAS)
EVERY_RELATION = [
    (name, attribute.name)
    for name, schema in sorted(SCHEMAS.schemas.items())
    for attribute in schema.attributes.values()
    if attribute.is_relation and attribute.name not in ("from", "to")  # keywords the parser refuses as paths
]


def ref(entity_type, id_):
    return {"__entity_type__": entity_type, "id": id_}


def create(entity_type, data):
    return {"action": "create", "entity_type": entity_type, "entity_data": {"__entity_type__": entity_type, **data}}


def update(entity_type, id_, data):
    return {"action": "update", "entity_type": entity_type, "entity_key": [id_],
            "entity_data": {"__entity_type__": entity_type, **data}}


def one_id(client, expression):
    return client.rows(expression)[0]["id"]


def test_every_relation_resolves_or_is_refused_by_name(reader):
    """Read and filter every relation of the 116 schemas: an answer, or an error naming it."""
    refused = []
    for entity_type, name in EVERY_RELATION:
        attribute = SCHEMAS[entity_type].attributes[name]
        key = SCHEMAS[attribute.target].primary_key[0]
        criteria = f"{name}.{key} is none" if attribute.is_reference else f"{name} any ({key} is none)"
        for expression in (f"select {name} from {entity_type} limit 1", f"select {SCHEMAS[entity_type].primary_key[0]} from {entity_type} where {criteria}"):
            status, body = reader.post([{"action": "query", "expression": expression}])
            if status == 200 and isinstance(body, list):
                assert RELATIONS.get(entity_type, name) is not None, expression
                continue
            assert f"{entity_type}.{name} is not stored by the sandbox" in body["content"], (expression, body)
            refused.append((entity_type, name))
    assert refused == []


def test_workflow_statuses_read_and_filter_through_their_link_entity(reader):
    rows = reader.rows('select name, statuses.name from WorkflowSchema where name is "Task workflow"')
    assert rows and {s["name"] for s in rows[0]["statuses"]} >= {"Not started", "In progress"}
    found = reader.rows('select name from WorkflowSchema where statuses any (name is "Pending review")')
    assert {r["name"] for r in found} == {"Task workflow", "Version workflow"}
    assert reader.rows('select id from WorkflowSchema where statuses any (name is "no such status")') == []


def test_many_to_many_written_as_a_list_of_references(client):
    task = one_id(client, "select id from Task")
    scopes = [client.call([create("Scope", {"name": name})])[0]["data"]["id"] for name in ("a", "b", "c")]
    client.call([update("Task", task, {"scopes": [ref("Scope", s) for s in scopes[:2]]})])
    assert [s["name"] for s in client.rows(f"select scopes.name from Task where id is {task}")[0]["scopes"]] == ["a", "b"]
    assert [r["id"] for r in client.rows('select id from Task where scopes any (name is "b")')] == [task]
    client.call([update("Task", task, {"scopes": [ref("Scope", scopes[1]), ref("Scope", scopes[2])]})])
    assert {s["name"] for s in client.rows(f"select scopes.name from Task where id is {task}")[0]["scopes"]} == {"b", "c"}
    assert client.rows('select id from Task where scopes any (name is "a")') == []


def test_list_items_and_an_entitys_lists_are_the_same_list_objects(client):
    task = one_id(client, "select id from Task where name is animation")
    category = client.call([create("ListCategory", {"name": "Dailies"})])[0]["data"]["id"]
    project = one_id(client, "select id from Project")
    listed = client.call([create("TypedContextList", {
        "name": "review", "category_id": category, "project_id": project,
        "items": [ref("Task", task)],
    })])[0]["data"]["id"]
    assert [i["id"] for i in client.rows(f"select items from TypedContextList where id is {listed}")[0]["items"]] == [task]
    assert [r["id"] for r in client.rows(f"select lists from Task where id is {task}")[0]["lists"]] == [listed]
    assert len(client.rows(f"select id from ListObject where list_id is {listed}")) == 1
    client.call([update("TypedContextList", listed, {"items": []})])
    assert client.rows(f"select lists from Task where id is {task}")[0]["lists"] == []


def test_version_dependencies_read_both_ways(client):
    model, rig = [r["id"] for r in client.rows("select id from AssetVersion limit 2")]
    client.call([update("AssetVersion", rig, {"uses_versions": [ref("AssetVersion", model)]})])
    assert [v["id"] for v in client.rows(f"select uses_versions from AssetVersion where id is {rig}")[0]["uses_versions"]] == [model]
    used = client.rows(f"select used_in_versions from AssetVersion where id is {model}")[0]["used_in_versions"]
    assert [v["id"] for v in used] == [rig]
    links = client.rows(f"select from_id, to_id from AssetVersionLink where to_id is {rig}")
    assert [(link["from_id"], link["to_id"]) for link in links] == [(model, rig)]


def test_metadata_and_notes_written_as_lists_like_the_official_client(client):
    shot = one_id(client, "select id from Shot")
    user = one_id(client, "select id from User")
    client.call([
        create("Metadata", {"parent_id": shot, "parent_type": "Shot", "key": "lens_test", "value": "35mm"}),
        update("Shot", shot, {"metadata": [{"__entity_type__": "Metadata", "parent_id": shot, "key": "lens_test"}]}),
    ])
    assert client.rows(f"select metadata from Shot where id is {shot}")[0]["metadata"]
    note = client.call([create("Note", {"content": "hi", "user_id": user})])[0]["data"]["id"]
    client.call([update("Shot", shot, {"notes": [ref("Note", note)]})])
    assert note in [n["id"] for n in client.rows(f"select notes from Shot where id is {shot}")[0]["notes"]]
    assert client.rows(f"select parent_id from Note where id is {note}")[0]["parent_id"] == shot


def test_collection_writes_are_checked(client):
    task = one_id(client, "select id from Task")
    body = client.error([update("Task", task, {"scopes": [ref("Scope", "missing")]})])
    assert "Task.scopes: no Scope with key ['missing'] exists" in body["content"]
    body = client.error([update("Task", task, {"scopes": [ref("User", "x")]})])
    assert "Task.scopes holds Scope entities, not 'User'" in body["content"]
    body = client.error([update("Task", task, {"descendants": []})])
    assert "'descendants' of Task is computed" in body["content"]


def test_dashboard_resources_through_their_string_keys(client):
    user = one_id(client, "select id from User")
    dashboard = client.call([create("Dashboard", {"name": "mine"})])[0]["data"]["id"]
    client.call([create("DashboardResource", {"dashboard_id": dashboard, "resource_id": user})])
    row = client.rows(f"select dashboard_resources.dashboard.name from User where id is {user}")[0]
    assert [r["dashboard"]["name"] for r in row["dashboard_resources"]] == ["mine"]


@pytest.mark.parametrize("expression", [
    "select stray_statuses from Asset",
    "select id from Asset where stray_statuses any (name is x)",
])
def test_a_relation_without_storage_is_refused_not_answered_empty(tmp_path, expression):
    # Every relation of the real schemas is stored; a server's own schema may add one that is not.
    schemas = [dict(s) for s in schemas_json()]
    for schema in schemas:
        if schema["id"] == "Asset":
            schema["properties"] = {**schema["properties"], "stray_statuses": {"type": "array", "items": {"$ref": "Status"}}}
    path = tmp_path / "schemas.json"
    path.write_text(json.dumps(schemas))
    with Sandbox(seed="demo", schemas=str(path)) as sandbox:
        body = Client(sandbox).error([{"action": "query", "expression": expression}])
    assert "Asset.stray_statuses is not stored by the sandbox" in body["content"]


def test_a_task_list_holds_shots_and_sequences_as_ftrack_lists_do(client):
    """A ``TypedContextList`` takes any typed context (not only tasks), written as the official
    client writes it (``items`` as a list of references) or as a ``ListObject``; read back with
    each item's own type, and filtered through."""
    task_list = client.rows("select id, items from TypedContextList")[0]
    shot = client.rows("select id from Shot where name is sh010")[0]["id"]
    sequence = client.rows("select id from Sequence where name is sq010")[0]["id"]
    items = [*({"__entity_type__": i["__entity_type__"], "id": i["id"]} for i in task_list["items"]), ref("Shot", shot)]
    client.call([{"action": "update", "entity_type": "TypedContextList", "entity_key": [task_list["id"]],
                  "entity_data": {"items": items}},
                 create("ListObject", {"list_id": task_list["id"], "entity_id": sequence})])
    read = client.rows(f"select items.name from TypedContextList where id is {task_list['id']}")[0]["items"]
    assert [(i["__entity_type__"], i["name"]) for i in read[-2:]] == [("Shot", "sh010"), ("Sequence", "sq010")]
    for criteria in ("items any (name is sq010)", "items[Shot] any (name is sh010)"):
        assert [r["id"] for r in client.rows(f"select id from TypedContextList where {criteria}")] == [task_list["id"]]
    project = client.rows("select id from Project")[0]["id"]
    error = client.error([{"action": "update", "entity_type": "TypedContextList", "entity_key": [task_list["id"]],
                           "entity_data": {"items": [ref("Project", project)]}}])
    assert "holds TypedContext entities, not 'Project'" in error["content"]
