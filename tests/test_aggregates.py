"""``session.aggregate``: aggregate rows from a real sandbox over HTTP, checked before sending."""
from __future__ import annotations

import datetime

import pytest

from ftrack_orm import Session
from ftrack_orm.query import QueryValidationError
from ftrack_orm.sandbox import Sandbox


@pytest.fixture(scope="module")
def session():
    with Sandbox() as sandbox, Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as s:
        yield s


def test_rows_per_group(session):
    rows = session.aggregate("select count(id), min(start_date) from Task group by project_id, status_id")
    tasks = session.query("select project_id, status_id from Task").all()
    assert sum(row["count_id"] for row in rows) == len(tasks)
    assert all(isinstance(row["min_start_date"], datetime.datetime) for row in rows)
    assert {(r["project_id"], r["status_id"]) for r in rows} == {(t["project_id"], t["status_id"]) for t in tasks}


def test_checked_before_sending(session):
    with pytest.raises(QueryValidationError, match="No attribute 'nope'"):
        session.aggregate("select count(nope) from Task group by status_id")
    with pytest.raises(QueryValidationError, match="Not an aggregate query"):
        session.aggregate("select name from Task")
    with pytest.raises(QueryValidationError, match="use session.aggregate"):
        session.query("select count(id) from Task group by status_id")
