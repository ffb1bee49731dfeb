"""A reference and its foreign key never disagree in what is recorded."""
from __future__ import annotations

from tests.support.entities import decode


def loaded_shot(imap, shot_id="s1"):
    return decode(imap, {"__entity_type__": "Shot", "id": shot_id, "name": shot_id})


def test_assigning_a_reference_sets_its_foreign_key(imap):
    shot = loaded_shot(imap)
    task = imap.create("Task", {"name": "t"})
    task.parent = shot
    assert task.parent_id == "s1"
    assert task.changes["parent_id"][1] == "s1"
    task.parent = None
    assert task.parent_id is None


def test_assigning_a_foreign_key_repoints_the_reference(imap):
    first, second = loaded_shot(imap, "s1"), loaded_shot(imap, "s2")
    task = imap.create("Task", {"name": "t", "parent": first})
    task.parent_id = "s2"
    assert task.parent is second
    task.parent_id = "unknown-to-this-session"
    assert "parent" not in task.changes or task.changes["parent"][1] is None
    assert task.changes["parent_id"][1] == "unknown-to-this-session"
