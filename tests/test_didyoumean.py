"""didyoumean: one phrase, the messages that carry it."""
from __future__ import annotations

from ftrack_orm.didyoumean import did_you_mean, no_attribute, no_key, no_schema_attribute, unknown_type


def test_phrase():
    assert did_you_mean("nmae", ["name", "id"]) == " Did you mean 'name'?"
    assert did_you_mean("zzz", ["name", "id"]) == ""


def test_messages():
    assert unknown_type("Tsak", ["Task", "Shot"]) == "Unknown entity type 'Tsak'. Did you mean 'Task'?"
    assert no_attribute("Task", "nmae", ["name"]) == "Task has no attribute 'nmae'. Did you mean 'name'?"
    assert no_schema_attribute("nmae", "Task", ["name"]) == (
        "No attribute 'nmae' exists for schema 'Task'. Did you mean 'name'?"
    )
    assert no_key("Shot has no custom attribute", "fstrat", ["fstart"]) == (
        "Shot has no custom attribute 'fstrat'. Did you mean 'fstart'?"
    )
    assert no_key("", 5, ["fstart"]) == "5."
