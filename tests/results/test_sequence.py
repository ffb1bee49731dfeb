"""``len(result)``, ``result[i]`` and ``result[a:b]``: each runs a query for what it needs."""
from __future__ import annotations

import pytest

from tests.support.live import live_fixtures

shared_sandbox, session = live_fixtures()


def test_index_and_slice_fetch_only_their_window(session):
    query = session.query("select name from Task").order_by("name", "id")
    rows = query.all()
    sent = session.transport.request_count
    assert query[0] is rows[0] and query[3] is rows[3]
    assert query[2:5] == rows[2:5] and query[:2] == rows[:2] and query[1:6:2] == rows[1:6:2]
    assert session.transport.request_count - sent == 5
    expressions = [batch[0]["expression"] for batch in session.transport.batches[-5:]]
    assert expressions[0].endswith("offset 0 limit 1") and expressions[2].endswith("offset 2 limit 3")
    with pytest.raises(IndexError, match="out of range"):
        query[len(rows)]
    with pytest.raises(TypeError):
        query["name"]


def test_len_and_negative_indices_count_rows(session):
    query = session.query("Task where parent.name is sh010")
    rows = query.all()
    assert len(query) == len(rows)
    assert query[-1] is rows[-1] and query[-2:] == rows[-2:]
    limited = query.offset(1).limit(2)
    assert len(limited) == 2 and limited[1] is rows[2] and limited[5:] == []
    with pytest.raises(IndexError):
        limited[2]
