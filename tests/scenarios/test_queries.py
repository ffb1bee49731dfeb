"""Paged queries, builder queries and supertype queries, over recorded traffic."""
from __future__ import annotations

import pytest

from ftrack_orm.query.builder import or_
from ftrack_orm.results import MultipleResultsFoundError, NoResultFoundError

TASK_NAMES = ["animation", "compositing", "lighting"]
SHOTS = [f"sh{n * 10:03d}" for n in range(1, 11)]


def test_paged_query_sends_one_request_per_page(open_session):
    session = open_session()
    session.schemas  # noqa: B018 - load schemas first so only pages are counted
    result = session.query('select name, parent.name from Task where parent.name like "sh0%" '
                           "order by parent.name, name", page_size=10)
    pages = list(result.pages())
    assert [len(page) for page in pages] == [10, 10, 7]
    assert [(t.parent.name, t.name) for page in pages for t in page] == [
        (shot, name) for shot in SHOTS[:9] for name in TASK_NAMES
    ]
    sent = [batch[0]["expression"] for batch in session.transport.batches[1:]]
    assert [expression.rsplit(" ", 4)[1:] for expression in sent] == [
        ["offset", "0", "limit", "10"], ["offset", "10", "limit", "10"], ["offset", "20", "limit", "10"],
    ]
    assert pages[-1].metadata == {"next": {"offset": None}}


def test_paged_query_with_limit_stops_early(open_session):
    session = open_session()
    tasks = session.query("select name from Task order by name, parent.name", page_size=4).limit(6).all()
    assert [t.name for t in tasks] == ["animation"] * 6
    assert len({t.id for t in tasks}) == 6
    assert session.transport.request_count == 1 + 2  # server information, then pages of 4 and 2


def test_builder_query_with_cast_membership_order_and_projection(open_session):
    session = open_session()
    Task, Shot = session.Task, session.Shot
    result = (
        session.query(Task)
        .where(Task.parent[Shot].parent.name == "sq020", Task.type.name.in_(["Animation", "Lighting"]))
        .select("name", "parent.name", "type.name")
        .order_by(Task.parent.name.desc(), Task.name)
    )
    assert str(result) == (
        'select name, parent.name, type.name from Task where parent[Shot].parent.name is "sq020" '
        'and type.name in ("Animation", "Lighting") order by parent.name desc, name'
    )
    rows = [(t.parent.name, t.name, t.type.name) for t in result]
    assert rows == [
        (shot, name, name.capitalize()) for shot in reversed(SHOTS[5:]) for name in ("animation", "lighting")
    ]


def test_builder_first_one_bool_offset(open_session):
    session = open_session()
    Shot = session.Shot
    shot = session.query(Shot).where(name="sh030").one()
    assert shot.name == "sh030" and shot.parent.name == "sq010"
    assert session.query(Shot).order_by(Shot.name.desc()).first().name == "sh100"
    assert [s.name for s in session.query(Shot).order_by("name").offset(2).limit(3)] == ["sh030", "sh040", "sh050"]
    assert bool(session.query(Shot).where(name="sh999")) is False
    with pytest.raises(NoResultFoundError):
        session.query(Shot).where(name="sh999").one()
    with pytest.raises(MultipleResultsFoundError):
        session.query(Shot).where(Shot.name.like("sh0%")).one()


def test_builder_has_any_and_negation(open_session):
    session = open_session()
    Task = session.Task
    approved = session.query(Task).where(Task.status.has(name="Approved")).select("name", "status.name").all()
    assert len(approved) == 6 and {t.status.name for t in approved} == {"Approved"}
    timed = session.query(Task).where(Task.timelogs.any()).all()
    untimed = session.query(Task).where(~Task.timelogs.any()).all()
    assert (len(timed), len(untimed)) == (8, 22)
    assert not {t.id for t in timed} & {t.id for t in untimed}
    either = session.query(Task).where(or_(Task.name == "lighting", Task.bid >= 5)).select("name", "bid").all()
    assert len(either) == 10 + 3  # every lighting task, plus the three animation tasks with bid 5
    assert sorted({(t.name, t.bid) for t in either if t.name != "lighting"}) == [("animation", 5.0)]


def test_supertype_query_returns_concrete_types(open_session):
    session = open_session()
    contexts = session.query('select name from TypedContext where name like "sq%" or name is "sh010" order by name').all()
    assert [(type(c).__name__, c.name) for c in contexts] == [("Shot", "sh010"), ("Sequence", "sq010"), ("Sequence", "sq020")]
    (project,) = session.query("select name from Context where name is demo_vfx").all()
    assert type(project).__name__ == "Project" and project.full_name == "Demo VFX"  # a Project: lazy-loads
    shot = contexts[0]
    assert isinstance(shot, session.TypedContext) and isinstance(shot, session.Context)
    assert session.query("select name from Shot where name is sh010").one() is shot  # one object per entity
