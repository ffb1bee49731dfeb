"""A context cannot be moved under itself or one of its descendants; ``ancestors`` never cycles."""
from __future__ import annotations

import pytest


def context(client, entity_type, name):
    return client.rows(f'select id, parent_id from {entity_type} where name is "{name}"')[0]


def move(entity_type, entity_id, parent):
    return {"action": "update", "entity_type": entity_type, "entity_key": [entity_id],
            "entity_data": {"parent": {"__entity_type__": parent[0], "id": parent[1]}}}


def test_a_sequence_cannot_move_under_its_own_shot(client):
    sequence, shot = context(client, "Sequence", "sq010"), None
    shot = client.rows(f'select id from Shot where parent_id is "{sequence["id"]}"')[0]
    error = client.error([move("Sequence", sequence["id"], ("Shot", shot["id"]))])
    assert error["exception"] == "ValidationError"
    assert "Cannot move Sequence 'sq010'" in error["content"] and sequence["id"] in error["content"]
    assert "descendants" in error["content"]
    assert context(client, "Sequence", "sq010")["parent_id"] == sequence["parent_id"]  # nothing changed
    ancestors = client.rows(f'select ancestors.name from Shot where id is "{shot["id"]}"')[0]["ancestors"]
    assert [a["name"] for a in ancestors] == ["sq010"]


def test_a_context_cannot_be_its_own_parent(client):
    shot = context(client, "Shot", "sh010")
    error = client.error([{"action": "update", "entity_type": "Shot", "entity_key": [shot["id"]],
                           "entity_data": {"parent_id": shot["id"]}}])
    assert error["exception"] == "ValidationError" and "Cannot move Shot 'sh010'" in error["content"]


@pytest.mark.parametrize("depth", [1, 3])
def test_a_move_under_a_deeper_descendant_is_refused_in_a_batch(client, depth):
    sequence = context(client, "Sequence", "sq020")
    shot = client.rows(f'select id from Shot where parent_id is "{sequence["id"]}"')[0]
    parent_type, parent_id, operations = "Shot", shot["id"], []
    for level in range(depth):  # folders below the shot, created in the same batch
        folder = f"00000000-0000-4000-8000-00000000000{level}"
        operations.append({"action": "create", "entity_type": "Folder", "entity_data": {
            "__entity_type__": "Folder", "id": folder, "name": f"f{level}", "parent_id": parent_id}})
        parent_type, parent_id = "Folder", folder
    operations.append(move("Sequence", sequence["id"], (parent_type, parent_id)))
    error = client.error(operations)
    assert error["exception"] == "ValidationError" and error["operation_index"] == depth
    assert client.rows('select id from Folder where name like "f%"') == []  # all or nothing


def test_a_move_elsewhere_in_the_tree_is_allowed(client):
    shot = context(client, "Shot", "sh010")
    other = context(client, "Sequence", "sq020")
    client.call([move("Shot", shot["id"], ("Sequence", other["id"]))])
    ancestors = client.rows(f'select ancestors.name from Shot where id is "{shot["id"]}"')[0]["ancestors"]
    assert [a["name"] for a in ancestors] == ["sq020"]
