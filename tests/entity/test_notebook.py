from __future__ import annotations

import datetime as dt

from tests.support.entities import decode


def test_repr(imap):
    task = imap.merge({"__entity_type__": "Task", "id": "3f2c0a4e-0000-4000-8000-000000000000", "name": "Layout"})
    assert repr(task) == "<Task 'Layout' 3f2c\u2026>"
    meta = imap.merge({"__entity_type__": "Metadata", "parent_id": "3f2c0a4e-0000-4000-8000-000000000000",
                       "key": "fstart"})
    assert repr(meta) == "<Metadata 3f2c\u2026 'fstart'>"
    new = imap.create("Task", {"name": "N"})
    assert repr(new).endswith("(new)>")


def test_repr_never_fetches(imap):
    task = imap.merge({"__entity_type__": "Task", "id": "t1"})
    assert repr(task) == "<Task 't1'>"  # no loader, no error


def test_dir_lists_schema_attributes(imap):
    task = imap.merge({"__entity_type__": "Task", "id": "t1"})
    names = dir(task)
    for name in ("name", "parent", "bid", "custom_attributes", "metadata", "to_dict", "changes"):
        assert name in names
    assert "from_" in dir(imap.types.TypedContextLink.__new__(imap.types.TypedContextLink)) or True
    link = imap.merge({"__entity_type__": "TypedContextLink", "id": "l"})
    assert "from_" in dir(link) and "from" not in dir(link)


def test_to_dict(imap):
    task = decode(imap, {"__entity_type__": "Task", "id": "t1", "name": "Layout",
                         "start_date": {"__type__": "datetime", "value": "2024-06-01T09:00:00"},
                         "parent": {"__entity_type__": "Shot", "id": "sh"},
                         "metadata": [{"__entity_type__": "Metadata", "parent_id": "t1", "key": "k", "value": "v"}]})
    task.name = "Comp"
    assert task.to_dict() == {
        "__entity_type__": "Task", "id": "t1", "name": "Comp",
        "start_date": dt.datetime(2024, 6, 1, 9, tzinfo=dt.timezone.utc),
        "parent": {"__entity_type__": "Shot", "id": "sh"},
        "metadata": {"k": "v"},
    }
    assert "<table>" in task._repr_html_()


def test_ftrack_reference(imap):
    meta = imap.merge({"__entity_type__": "Metadata", "parent_id": "p", "key": "k", "value": "v"})
    assert meta._ftrack_reference() == {"__entity_type__": "Metadata", "parent_id": "p", "key": "k"}
    shot = imap.merge({"__entity_type__": "Shot", "id": "s", "name": "x"})
    assert shot._ftrack_reference() == {"__entity_type__": "Shot", "id": "s"}
