"""Long ``in_`` lists: split into chunks of IN_CHUNK_SIZE values, results joined without
duplicates; with order_by/offset/limit, ordered and sliced locally like the server would."""
from __future__ import annotations

import uuid

import pytest

from ftrack_orm.results import IN_CHUNK_SIZE


@pytest.fixture
def bulk(session, sandbox):
    """250 more tasks under sh020 (every 10th without a description); returns every task id."""
    shot = session.query(session.Shot).where(name="sh020").one()
    task_type = session.query(session.Type).where(name="Lighting").one()
    for number in range(250):
        session.create("Task", {"name": f"bulk{number:03d}", "parent": shot, "type": task_type,
                                "bid": float(number % 7), "description": None if number % 10 == 0 else f"d{number % 3}"})
    session.commit()
    ids = [task.id for task in session.query("select id from Task").all()]
    assert len(ids) == 280
    sandbox.reset_counters()
    session.transport.batches.clear()
    return ids


def expressions(session):
    return [op["expression"] for batch in session.transport.batches for op in batch if op["action"] == "query"]


def test_long_in_list_is_chunked_and_joined_without_duplicates(session, sandbox, bulk):
    unknown = [str(uuid.uuid4()) for _ in range(60)]
    values = bulk + unknown + bulk[:90]  # 430 values: ids repeated in another chunk, ids that match nothing
    Task = session.Task
    rows = session.query(Task).where(Task.id.in_(values), Task.name.not_in(["animation"])).all()
    assert len(rows) == len(set(rows)) == 270
    assert {row.id for row in rows} == set(bulk) - {t.id for t in session.query(Task).where(name="animation")}
    sent = expressions(session)[:3]
    assert len(sent) == 3 and sandbox.request_count == 4  # three chunks, then the check query above
    assert [text.count(",") + 1 for text in (s.split(" in (")[1].split(")")[0] for s in sent)] == \
        [IN_CHUNK_SIZE, IN_CHUNK_SIZE, 430 - 2 * IN_CHUNK_SIZE]
    assert all('name not_in ("animation")' in text for text in sent)


def test_long_in_list_with_pages_and_progress(session, sandbox, bulk):
    calls = []
    Task = session.Task
    query = session.query(Task).where(Task.id.in_(bulk)).with_page_size(150).with_progress(
        lambda done, total: calls.append((done, total)))
    pages = [len(page) for page in query.pages()]
    assert pages == [150, 50, 80] and sum(pages) == 280
    assert sandbox.request_count == 3
    assert calls == [(150, None), (200, None), (280, 280)]


@pytest.mark.parametrize("keys", [
    ("bid desc", "parent.name", "name"),
    ("bid", "parent.name desc", "name desc"),
    ("parent.name", "name"),
    ("description desc", "bid", "parent.name", "name"),
    ("description", "bid desc", "parent.name desc", "name"),
])
def test_long_in_list_with_order_offset_limit_matches_server_order(session, sandbox, bulk, keys):
    Task = session.Task
    reordered = bulk[::-1]  # the chunks come back in another order than the server's
    server = session.query(Task).order_by(*keys)
    local = session.query(Task).where(Task.id.in_(reordered)).order_by(*keys)
    for offset, limit in ((None, None), (10, 25), (0, 1), (270, 50), (None, 200), (300, None)):
        expected = server.offset(offset).limit(limit).all()
        sandbox.reset_counters()
        got = local.offset(offset).limit(limit).all()
        assert [row.id for row in got] == [row.id for row in expected], (keys, offset, limit)
        assert sandbox.request_count == 2  # the two chunks, whatever the slice
    # the ordered attributes were projected with the chunks: reading them sends nothing
    sandbox.reset_counters()
    with session.auto_populating(False):
        [(row.bid, row.parent.name, row.name) for row in got]
    assert sandbox.request_count == 0


def test_nulls_are_ordered_like_the_server(session, bulk):
    Task = session.Task
    query = session.query(Task).where(Task.id.in_(bulk)).select(Task.description)
    values = [row.description for row in query.order_by(Task.description).all()]
    assert values[-25:] == [None] * 25 and values[:-25] == sorted(values[:-25])
    values = [row.description for row in query.order_by(Task.description.desc()).all()]
    assert values[:25] == [None] * 25 and values[25:] == sorted(values[25:], reverse=True)


def test_long_not_in_list_is_one_query(session, sandbox, bulk):
    Task = session.Task
    rows = session.query(Task).where(Task.id.not_in(bulk[:240])).all()
    assert {row.id for row in rows} == set(bulk[240:])
    assert sandbox.request_count == 1
