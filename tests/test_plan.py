"""Commit planning: dependency order, phases, cycles (pure, no HTTP)."""
from __future__ import annotations

import pytest

from ftrack_orm.plan import Change, ReferenceCycleError, plan_commit


class E:
    def __init__(self, name):
        self.name = name


def create(entity, *refs):
    return Change("create", "Task", (entity.name,), {"name": entity.name}, entity, refs, label=f"create {entity.name}")


def test_chain_created_in_reverse_order_is_sent_parents_first():
    project, sequence, shot, task = E("project"), E("sequence"), E("shot"), E("task")
    changes = [create(task, shot), create(shot, sequence), create(sequence, project), create(project)]
    plan = plan_commit(changes)
    assert [op.key[0] for op in plan.changes] == ["project", "sequence", "shot", "task"]
    assert plan.counts == {"create": 4, "update": 0, "delete": 0}


def test_phases_keep_recorded_order_without_constraints():
    a, b, c = E("a"), E("b"), E("c")
    changes = [
        Change("delete", "Task", ("c",), entity=c),
        Change("update", "Task", ("b",), {"name": "x"}, b),
        create(a),
        Change("update", "Task", ("z",), {"name": "y"}, E("z")),
    ]
    assert [op.action + op.key[0] for op in plan_commit(changes).changes] == ["createa", "updateb", "updatez", "deletec"]


def test_update_referencing_a_new_entity_follows_its_create():
    new, old = E("new"), E("old")
    changes = [Change("update", "Task", ("old",), {"parent": new}, old, (new,)), create(new)]
    assert [op.action for op in plan_commit(changes).changes] == ["create", "update"]


def test_dependents_are_deleted_first():
    shot, task, note = E("shot"), E("task"), E("note")
    changes = [
        Change("delete", "Shot", ("shot",), entity=shot),
        Change("delete", "Task", ("task",), entity=task, references=(shot,)),
        Change("delete", "Note", ("note",), entity=note, references=(task,)),
    ]
    assert [op.key[0] for op in plan_commit(changes).changes] == ["note", "task", "shot"]


def test_reference_cycle_is_reported_with_names():
    a, b, c = E("a"), E("b"), E("c")
    changes = [create(a, b), create(b, c), create(c, a), create(E("free"))]
    with pytest.raises(ReferenceCycleError, match="create a -> create c -> create b -> create a|cycle"):
        plan_commit(changes)
    with pytest.raises(ReferenceCycleError) as info:
        plan_commit(changes)
    assert "Nothing was sent" in str(info.value)
    for name in ("create a", "create b", "create c"):
        assert name in str(info.value)
    assert "free" not in str(info.value)


def test_a_create_referencing_itself_is_a_cycle_of_one():
    # e.g. a new task whose parent_id is its own id: no order can create it
    a = E("a")
    with pytest.raises(ReferenceCycleError, match="create"):
        plan_commit([create(a, a)])


def test_changes_render_as_wire_dicts():
    a = E("a")
    change = plan_commit([create(a)]).changes[0]
    assert change.to_dict() == {"action": "create", "entity_type": "Task", "entity_data": {"name": "a", "__entity_type__": "Task"}}


def test_large_plan_is_fast_enough_to_not_matter():
    entities = [E(str(i)) for i in range(5000)]
    parent = E("parent")
    changes = [create(e, parent) for e in entities] + [create(parent)]
    plan = plan_commit(changes)
    assert plan.changes[0].key == ("parent",)
    assert len(plan) == 5001
