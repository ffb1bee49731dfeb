"""Lazy paging against the sandbox: page sizes, offset/limit across pages, metadata,
streaming, first()/one() edge cases, progress feedback."""
from __future__ import annotations

import io
import itertools

import pytest

from ftrack_orm import Session
from ftrack_orm.errors import MalformedResponseError
from ftrack_orm.results import MultipleResultsFoundError, NoResultFoundError, TextProgress
from tests.support import seed

from tests.support.live import live_fixtures
from tests.support.scripted import ftrack_like

shared_sandbox, session = live_fixtures()

ORDERED = seed.keys(sorted(seed.tasks(), key=lambda t: (t.shot, t.name)))
SELECT = "select name, parent.name from Task order by parent.name, name"


def sent(session):
    return [op["expression"] for batch in session.transport.batches for op in batch if op["action"] == "query"]


def keys(rows):
    return [(row.parent.name, row.name) for row in rows]


def test_page_size_smaller_than_the_result(session, shared_sandbox):
    query = session.query(SELECT, page_size=7)
    pages = list(query.pages())
    assert [len(page) for page in pages] == [7, 7, 7, 7, 2]
    assert keys(row for page in pages for row in page) == ORDERED
    assert sent(session) == [f"{SELECT} offset {n} limit 7" for n in (0, 7, 14, 21, 28)]
    assert shared_sandbox.request_count == 5
    assert [page.next_offset for page in pages] == [7, 14, 21, 28, None]
    assert pages[-1].metadata == {"next": {"offset": None}}


def test_page_size_dividing_the_result_stops_on_the_server_word(session, shared_sandbox):
    assert keys(session.query(SELECT, page_size=10)) == ORDERED
    assert shared_sandbox.request_count == 3  # the third page says next offset is null


def test_offset_and_limit_in_the_expression_are_honoured_across_pages(session, shared_sandbox):
    query = session.query(f"{SELECT} offset 3 limit 10", page_size=4)
    pages = list(query.pages())
    assert keys(row for page in pages for row in page) == ORDERED[3:13]
    assert sent(session) == [f"{SELECT} offset 3 limit 4", f"{SELECT} offset 7 limit 4", f"{SELECT} offset 11 limit 2"]
    assert pages[-1].metadata == {"next": {"offset": 13}}  # the server has more; the limit stopped us


def test_limit_only_and_offset_only(session, shared_sandbox):
    assert keys(session.query(f"{SELECT} limit 9", page_size=4)) == ORDERED[:9]
    assert shared_sandbox.request_count == 3
    shared_sandbox.reset_counters()
    assert keys(session.query(f"{SELECT} limit 8", page_size=4)) == ORDERED[:8]
    assert shared_sandbox.request_count == 2  # the limit is reached: no third request
    shared_sandbox.reset_counters()
    assert keys(session.query(f"{SELECT} offset 25", page_size=4)) == ORDERED[25:]
    assert shared_sandbox.request_count == 2
    shared_sandbox.reset_counters()
    assert session.query(f"{SELECT} limit 0").all() == []
    assert shared_sandbox.request_count == 0
    assert keys(session.query(f"{SELECT} offset 40", page_size=4)) == []
    assert shared_sandbox.request_count == 1


def test_builder_offset_limit_across_pages(session):
    Task = session.Task
    query = session.query(Task).select(Task.name, Task.parent.name).order_by(Task.parent.name, Task.name)
    assert keys(query.offset(4).limit(11).with_page_size(3)) == ORDERED[4:15]
    assert len(sent(session)) == 4


def test_iteration_is_lazy_and_streams(session, shared_sandbox):
    query = session.query(SELECT, page_size=5)
    rows = iter(query)
    assert shared_sandbox.request_count == 0  # nothing before the first row is asked for
    first = next(rows)
    assert shared_sandbox.request_count == 1
    for _ in range(4):
        next(rows)
    assert shared_sandbox.request_count == 1  # the first page is not exhausted yet
    sixth = next(rows)
    assert shared_sandbox.request_count == 2
    assert keys([first, sixth]) == [ORDERED[0], ORDERED[5]]
    # the query object holds nothing of its runs: no rows, pages or metadata
    held = [getattr(query, name) for name in type(query).__slots__]
    assert not any(isinstance(value, (list, tuple, dict)) for value in held)
    pages = query.pages()
    page = next(pages)
    assert page.next_offset == 5 and len(page) == 5
    assert next(pages) is not page  # each page is a new value, not kept by the query
    rows.close()
    pages.close()


def test_first(session, shared_sandbox):
    first = session.query(SELECT).first()
    assert keys([first]) == ORDERED[:1]
    assert sent(session)[-1] == f"{SELECT} offset 0 limit 1"
    assert session.query(f"{SELECT} offset 2").first() is not None
    assert sent(session)[-1] == f"{SELECT} offset 2 limit 1"
    assert keys([session.query(f"{SELECT} offset 2").first()]) == ORDERED[2:3]
    assert session.query("Task where name is nothing").first() is None
    requests = shared_sandbox.request_count
    assert session.query(f"{SELECT} limit 0").first() is None  # an explicit limit 0 still means no row
    assert shared_sandbox.request_count == requests


def test_one(session, shared_sandbox):
    Task = session.Task
    task = session.query(Task).where(Task.parent.name == "sh040", name="animation").one()
    assert (task.parent.name, task.name) == ("sh040", "animation")
    with pytest.raises(NoResultFoundError) as none:
        session.query(Task).where(name="nothing").one()
    assert str(none.value) == 'No row matches: Task where name is "nothing"'
    with pytest.raises(MultipleResultsFoundError) as several:
        session.query(Task).where(name="animation").one()
    assert str(several.value) == 'More than one row matches: Task where name is "animation"'
    assert sent(session)[-1] == 'select context_type, id, name from Task where name is "animation" offset 0 limit 2'
    # one() within an explicit limit 1 is the first row
    assert session.query(f"{SELECT} limit 1").one() is session.query(SELECT).first()
    assert isinstance(several.value, LookupError) and isinstance(none.value, LookupError)


def test_progress_callback_per_page(session):
    calls = []
    rows = session.query(SELECT, page_size=8, progress=lambda done, total: calls.append((done, total))).all()
    assert len(rows) == 30
    assert calls == [(8, None), (16, None), (24, None), (30, 30)]
    calls.clear()
    query = session.query(SELECT).with_page_size(12).with_progress(lambda done, total: calls.append((done, total)))
    assert len(query.limit(24).all()) == 24
    assert calls == [(12, None), (24, 24)]
    calls.clear()
    assert query.first() is not None and query.one  # the one-row helpers stay quiet
    assert calls == []
    with pytest.raises(TypeError, match="progress must be"):
        session.query(SELECT, progress="yes")


def test_progress_true_uses_tqdm_or_text(session, monkeypatch, capsys):
    import sys

    pytest.importorskip("tqdm")
    rows = session.query(SELECT, page_size=10, progress=True).all()
    assert len(rows) == 30
    err = capsys.readouterr().err
    assert "Task" in err and "30" in err
    monkeypatch.setitem(sys.modules, "tqdm", None)  # simulate tqdm not being installed
    assert len(session.query(SELECT, page_size=10, progress=True).all()) == 30
    assert capsys.readouterr().err == "\rTask: 10 rows\rTask: 20 rows\rTask: 30 rows (done)\n"


def test_text_progress_stream():
    stream = io.StringIO()
    report = TextProgress("Shot", stream)
    report(5, None)
    report(7, 7)
    assert stream.getvalue() == "\rShot: 5 rows\rShot: 7 rows (done)\n"


@pytest.mark.parametrize("following", [0, 3, "7", True])
def test_an_offset_that_does_not_advance_is_a_malformed_answer(scripted_server, following):
    # offset 3 answering the page at 3 repeats it; a string or a bool is no offset
    base = ftrack_like()
    pages = itertools.count()

    def handler(request):
        if request["json"][0]["action"] != "query":
            return base(request)
        number = next(pages)
        offset = 3 if number else following
        return 200, [{"action": "query", "data": [{"__entity_type__": "Task", "id": f"t{number}", "name": "n"}],
                      "metadata": {"next": {"offset": offset}}}]

    scripted_server.handler = handler
    with Session(scripted_server.url, "u", "k", schema_cache=False) as session:
        with pytest.raises(MalformedResponseError, match="offset"):
            list(itertools.islice(session.query("select name from Task", page_size=1), 20))
