"""The unit of work's gathering, offline: an identity map built from the real schemas,
no server (gather and plan never send)."""
from __future__ import annotations

import pytest

from ftrack_orm.entity.identity import IdentityMap
from ftrack_orm.schema import SchemaRegistry
from ftrack_orm.uow import UnitOfWork
from tests.support.data import SCHEMAS


@pytest.fixture(scope="module")
def schemas():
    return SchemaRegistry.from_file(str(SCHEMAS))


@pytest.fixture
def imap(schemas):
    return IdentityMap(schemas)


def unit_of_work(identity_map):
    return UnitOfWork(None, identity_map)  # gathering never uses the session


def shot(imap, shot_id="s1", **values):
    return imap.merge({"__entity_type__": "Shot", "id": shot_id, "name": shot_id, **values})


def task(imap, task_id="t1", **values):
    return imap.merge({"__entity_type__": "Task", "id": task_id, "name": task_id, **values})


def by_action(pending):
    return {(c.action, c.entity_type, c.key): c for c in pending.changes}


def test_nothing_pending(imap):
    shot(imap)
    pending = unit_of_work(imap).gather()
    assert pending.changes == () and pending.unsent == () and not pending.moved


def test_update_sends_only_changed_attributes(imap):
    t = task(imap, description="old", bid=1.0)
    t.description = "new"
    pending = unit_of_work(imap).gather()
    (change,) = pending.changes
    assert (change.action, change.entity_type, change.key, change.data) == ("update", "Task", ("t1",), {"description": "new"})
    assert pending.owners[id(change)] == (t,)


def test_gathered_changes_carry_their_wire_dicts_sharing_the_data(imap):
    t = task(imap)
    t.name = "renamed"
    new = imap.create("Task", {"name": "comp", "parent": shot(imap)})
    changes = by_action(unit_of_work(imap).gather())
    update, create = changes[("update", "Task", ("t1",))], changes[("create", "Task", (new.id,))]
    assert update.to_dict() == {"action": "update", "entity_type": "Task", "entity_key": ["t1"],
                                "entity_data": {"name": "renamed"}}
    assert update.to_dict()["entity_data"] is update.data  # one dict, not a copy per step
    operation = create.to_dict()
    assert operation["action"] == "create" and operation["entity_data"] is create.data
    assert list(create.data)[-1] == "__entity_type__" and create.data["name"] == "comp"


def test_new_entity_is_synced_once_and_stays_new_when_assigned(imap):
    new = imap.create("Task", {"name": "comp"})
    new.name = "comp2"
    new.description = "d"
    assert imap.changes.new == [new] and imap.changes.dirty == []
    assert new.changes["name"][1] == "comp2"


def test_create_references_its_new_parent(imap):
    parent = imap.create("Shot", {"name": "sh010"})
    child = imap.create("Task", {"name": "comp", "parent": parent})
    changes = by_action(unit_of_work(imap).gather())
    create = changes[("create", "Task", (child.id,))]
    assert create.data["parent_id"] == parent.id and create.data["name"] == "comp"
    assert parent in create.references
    plan = unit_of_work(imap).plan()
    assert [op.entity_type for op in plan.changes] == ["Shot", "Task"]


def test_collection_append_is_sent_as_the_items_foreign_key(imap):
    old_owner, new_owner = shot(imap, "s1"), shot(imap, "s2", children=[])
    item = task(imap, "t1", parent_id="s1")
    new_owner.children.append(item)
    pending = unit_of_work(imap).gather()
    changes = by_action(pending)
    update = changes[("update", "Task", ("t1",))]
    assert update.data == {"parent_id": "s2"} and update.references == (new_owner,)
    assert pending.moved == {item: ("parent_id", "children")}
    assert pending.owners[id(update)] == (item, new_owner)
    assert old_owner not in pending.owners[id(update)]


def test_reordered_collection_sends_nothing_and_is_unsent(imap):
    a, b = task(imap, "t1", parent_id="s1"), task(imap, "t2", parent_id="s1")
    owner = shot(imap, "s1", children=[a, b])
    owner.children[:] = [b, a]
    pending = unit_of_work(imap).gather()
    assert pending.changes == () and pending.unsent == (owner,)


def test_metadata_change_becomes_a_metadata_create(imap):
    t = task(imap, metadata=[])
    t.metadata["k"] = "v"
    (change,) = unit_of_work(imap).gather().changes
    assert (change.action, change.entity_type, change.key) == ("create", "Metadata", ("t1", "k"))
    assert change.data["value"] == "v" and change.data["parent_type"] == "Task"


def test_deleting_parent_and_child_deletes_the_child_first(imap):
    parent = shot(imap, "s1")
    child = task(imap, "t1", parent_id="s1")
    imap.mark_deleted(parent)
    imap.mark_deleted(child)
    pending = unit_of_work(imap).gather()
    deletes = by_action(pending)
    assert deletes[("delete", "Task", ("t1",))].references == (parent,)
    plan = unit_of_work(imap).plan()
    assert [op.key for op in plan.changes] == [("t1",), ("s1",)]


def test_commit_reports_progress_per_call():
    from ftrack_orm import Session
    from ftrack_orm.sandbox import Sandbox

    with Sandbox(seed="demo") as sandbox, Session(sandbox.url, sandbox.api_user, sandbox.api_key,
                                                   schema_cache=False) as session:
        parent = session.query("Shot where name is sh010").one()
        kind = session.query("Type where name is Animation").one()
        for number in range(5):
            session.create("Task", {"name": f"p{number}", "parent": parent, "type": kind})
        seen = []
        session.commit(chunk_size=2, progress=lambda done, total: seen.append((done, total)))
        assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
        seen.clear()
        session.create("Task", {"name": "one", "parent": parent, "type": kind})
        session.commit(progress=lambda done, total: seen.append((done, total)))
        assert seen == [(0, 1), (1, 1)]
