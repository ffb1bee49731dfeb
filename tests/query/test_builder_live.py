"""Every builder form of the query API against the sandbox, checked against the demo seed.

The expected rows are recomputed from the seed's rules (tests/support/seed.py),
not read back with another query. The sandbox is shared by the module (these tests
only read); each test has its own session, so the identity map starts empty.
"""
from __future__ import annotations

import datetime as dt

import pytest

from ftrack_orm.query.builder import and_, not_, or_
from tests.support import seed
from tests.support.live import live_fixtures

TASKS = seed.tasks()
SHOTS = seed.shots()


shared_sandbox, session = live_fixtures()


@pytest.fixture
def sandbox(shared_sandbox):
    return shared_sandbox


def pairs(session, rows):
    """``(shot, task name)`` of task rows, in row order (loads parent names in one request)."""
    session.populate(rows, "name, parent.name")
    return [(row.parent.name, row.name) for row in rows]


def expect(predicate):
    return sorted(seed.keys(task for task in TASKS if predicate(task)))


def test_where_with_several_criteria_and_keywords(session, sandbox):
    Task = session.Task
    query = (
        session.query(Task)
        .where(Task.parent.name.like("sh0%"), Task.status.name.in_(["In progress", "Approved"]), name="lighting")
        .order_by(Task.name.desc(), Task.parent.name.desc())
        .select(Task.name, Task.parent.name)
        .limit(50)
    )
    assert str(query) == (
        'select name, parent.name from Task where parent.name like "sh0%" and status.name in '
        '("In progress", "Approved") and name is "lighting" order by name desc, parent.name desc limit 50'
    )
    rows = query.all()
    assert sandbox.request_count == 1
    expected = [(t.shot, t.name) for t in TASKS
                if t.shot.startswith("sh0") and t.status in ("In progress", "Approved") and t.name == "lighting"]
    assert [(row.parent.name, row.name) for row in rows] == sorted(expected, reverse=True)
    assert sandbox.request_count == 1  # parent.name was projected
    # where() calls add up (AND)
    again = session.query(Task).where(name="lighting").where(Task.bid > 5)
    assert sorted(pairs(session, again.all())) == expect(lambda t: t.name == "lighting" and t.bid > 5)


def test_like_and_not_like(session):
    Task = session.Task
    assert sorted(pairs(session, session.query(Task).where(Task.parent.name.like("SH1%")).all())) == \
        expect(lambda t: t.shot == "sh100")  # like is case-insensitive
    rows = session.query(Task).where(Task.name.like("%ing"), Task.parent.name.not_like("sh0%")).all()
    assert sorted(pairs(session, rows)) == [("sh100", "compositing"), ("sh100", "lighting")]
    rows = session.query(Task).where(Task.description.like("Light% for sh02%")).all()
    assert pairs(session, rows) == [("sh020", "lighting")]
    assert session.query(Task).where(Task.name.like("%xyz%")).all() == []
    rows = session.query(Task).where(Task.name.not_like("%ion")).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.name != "animation")


def test_in_list_and_not_in(session):
    Task = session.Task
    rows = session.query(Task).where(Task.status.name.in_(["On hold", "Approved"])).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.status in ("On hold", "Approved"))
    rows = session.query(Task).where(Task.status.name.not_in(["On hold", "Approved", "Not started"])).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.status in ("In progress", "Pending review"))
    rows = session.query(Task).where(Task.bid.in_([2, 6.0])).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.bid in (2.0, 6.0))
    assert session.query(Task).where(Task.name.in_([])).all() == []


def test_in_sub_query(session, sandbox):
    Task, Shot = session.Task, session.Shot
    shots = session.query(Shot).where(Shot.parent.has(name="sq020"), Shot.name.not_in(["sh060"]))
    query = session.query(Task).where(Task.parent.id.in_(shots), name="animation")
    assert str(query) == (
        'Task where parent.id in (select id from Shot where parent has (name is "sq020") and name not_in '
        '("sh060")) and name is "animation"'
    )
    assert sorted(pairs(session, query.all())) == expect(
        lambda t: t.sequence == "sq020" and t.shot != "sh060" and t.name == "animation")
    # a reference compared with a sub-query, and not_in with a sub-query
    rows = session.query(Task).where(Task.parent.not_in(shots), name="animation").all()
    assert sorted(pairs(session, rows)) == expect(
        lambda t: not (t.sequence == "sq020" and t.shot != "sh060") and t.name == "animation")
    # a sub-query selecting another attribute
    names = session.query(Shot).where(Shot.name.in_(["sh010", "sh020"])).select(Shot.name)
    rows = session.query(Task).where(Task.parent.name.in_(names), name="compositing").all()
    assert sorted(pairs(session, rows)) == [("sh010", "compositing"), ("sh020", "compositing")]


def test_in_with_entities_and_comparisons_with_entities(session):
    Task, Shot = session.Task, session.Shot
    sh010, sh050 = session.query(Shot).where(Shot.name.in_(["sh010", "sh050"])).order_by(Shot.name).all()
    assert (sh010.name, sh050.name) == ("sh010", "sh050")
    rows = session.query(Task).where(Task.parent.in_([sh010, sh050])).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.shot in ("sh010", "sh050"))
    rows = session.query(Task).where(Task.parent.not_in([sh010, sh050])).all()
    assert len(rows) == 24
    rows = session.query(Task).where(Task.parent == sh050).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.shot == "sh050")
    rows = session.query(Task).where(Task.parent != sh050).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.shot != "sh050")
    # an entity through a longer path
    sequence = session.query(session.Sequence).where(name="sq010").one()
    rows = session.query(Task).where(Task.parent[Shot].parent == sequence, name="lighting").all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.sequence == "sq010" and t.name == "lighting")


def test_boolean_combinations_functions_and_operators(session):
    Task = session.Task
    comp, sh010, cheap = Task.name == "compositing", Task.parent.name == "sh010", Task.bid <= 2
    forms = {
        "or": (or_(comp, sh010), comp | sh010, lambda t: t.name == "compositing" or t.shot == "sh010"),
        "and": (and_(comp, cheap), comp & cheap, lambda t: t.name == "compositing" and t.bid <= 2),
        "not": (not_(comp), ~comp, lambda t: t.name != "compositing"),
        "nested": (and_(or_(comp, sh010), not_(cheap)), (comp | sh010) & ~cheap,
                   lambda t: (t.name == "compositing" or t.shot == "sh010") and not t.bid <= 2),
        "or of ands": (or_(and_(comp, cheap), and_(sh010, not_(comp))), (comp & cheap) | (sh010 & ~comp),
                       lambda t: (t.name == "compositing" and t.bid <= 2) or (t.shot == "sh010" and t.name != "compositing")),
    }
    for label, (function_form, operator_form, predicate) in forms.items():
        assert str(session.query(Task).where(function_form)) == str(session.query(Task).where(operator_form)), label
        rows = session.query(Task).where(operator_form).all()
        assert sorted(pairs(session, rows)) == expect(predicate), label
        assert expect(predicate), label  # each form selects something


def test_has_and_any(session):
    Task, Shot, Sequence = session.Task, session.Shot, session.Sequence
    rows = session.query(Task).where(Task.status.has(name="On hold")).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.status == "On hold")
    shots = session.query(Shot).where(Shot.children.any(Task.name == "lighting", Task.status.name == "Approved"))
    expected = sorted(t.shot for t in TASKS if t.name == "lighting" and t.status == "Approved")
    assert sorted(shot.name for shot in shots) == expected
    assert sorted(s.name for s in session.query(Sequence).where(Sequence.children.any(name="sh060"))) == ["sq020"]
    # any() with no criteria: the collection is not empty; ~ of it: it is empty
    rows = session.query(Task).where(Task.timelogs.any()).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.timelog)
    rows = session.query(Task).where(~Task.timelogs.any()).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: not t.timelog)
    # collections of a type with a cast inside
    User, Appointment = session.User, session.Appointment
    rows = session.query(Task).where(Task.assignments.any(Appointment.resource[User].username == "amy.lee")).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.user == "amy.lee")


def test_metadata_and_custom_attributes_any(session):
    Shot, Value = session.Shot, session.ContextCustomAttributeValue
    names = [s.name for s in session.query(Shot).where(Shot.metadata.any(key="camera", value="cam_A")).order_by(Shot.name)]
    assert names == [s.name for s in SHOTS if s.camera == "cam_A"] == ["sh010", "sh040", "sh070", "sh100"]
    names = [s.name for s in session.query(Shot).where(Shot.custom_attributes.any(key="fend", value=1049))]
    assert names == ["sh020"]
    query = session.query(Shot).where(Shot.custom_attributes.any(Value.key == "fend", Value.value > 1080))
    assert str(query) == 'Shot where custom_attributes any (key is "fend" and value > 1080)'
    assert sorted(s.name for s in query) == [s.name for s in SHOTS if s.fend > 1080]
    # not any: no shot has fstart != 1001
    assert session.query(Shot).where(Shot.custom_attributes.any(Value.key == "fstart", Value.value != 1001)).all() == []
    projects = session.query(session.Project).where(session.Project.metadata.any(key="client", value="ACME")).all()
    assert [p.name for p in projects] == ["demo_vfx"]


def test_none_checks(session):
    Note, Context = session.Note, session.Context
    roots = session.query(Note).where(Note.in_reply_to.is_(None)).all()
    replies = session.query(Note).where(Note.in_reply_to.is_not(None)).all()
    also_roots = session.query(Note).where(Note.in_reply_to == None).all()  # noqa: E711
    also_replies = session.query(Note).where(Note.in_reply_to != None).all()  # noqa: E711
    assert len(roots) == len(replies) == 5
    assert set(roots) == set(also_roots) and set(replies) == set(also_replies) and not set(roots) & set(replies)
    assert {note.content for note in replies} == {"Fixed in the next version."}
    top = session.query(Context).where(Context.parent.is_(None)).all()
    assert [(c.__entity_type__, c.name) for c in top] == [("Project", "demo_vfx")]
    assert session.query(session.Task).where(session.Task.description.is_(None)).all() == []


def test_subtype_casts(session):
    Task, Shot, Sequence = session.Task, session.Shot, session.Sequence
    query = session.query(Task).where(Task.parent[Shot].parent[Sequence].name == "sq020", Task.bid >= 6)
    assert str(query) == 'Task where parent[Shot].parent[Sequence].name is "sq020" and bid >= 6'
    assert sorted(pairs(session, query.all())) == expect(lambda t: t.sequence == "sq020" and t.bid >= 6)
    query = session.query(Task).where(Task.parent[Shot].custom_attributes.any(key="fend", value=1041))
    assert sorted(pairs(session, query.all())) == expect(lambda t: t.shot == "sh010")
    # a criterion on the subtype casts the step by itself
    query = session.query(Task).where(Task.parent.has(Shot.metadata.any(key="lens", value="50mm")))
    assert str(query) == 'Task where parent[Shot] has (metadata any (key is "lens" and value is "50mm"))'
    lenses = {s.name for s in SHOTS if s.lens == "50mm"}
    assert sorted(pairs(session, query.all())) == expect(lambda t: t.shot in lenses)
    # a query of a supertype returns concrete types
    rows = session.query(session.TypedContext).where(session.TypedContext.name.in_(["sq010", "sh010", "lighting"])).all()
    assert sorted({(row.__entity_type__, row.name) for row in rows}) == \
        [("Sequence", "sq010"), ("Shot", "sh010"), ("Task", "lighting")]
    assert len(rows) == 12
    # a criterion on a subtype does not apply to a supertype query
    with pytest.raises(TypeError, match="query Shot instead"):
        session.query(session.Context).where(Shot.name == "sh010")


def test_dates_and_datetimes(session):
    Task = session.Task
    naive = dt.datetime(2024, 1, 15, 9, 0)  # naive means UTC
    aware = dt.datetime(2024, 1, 15, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))  # the same instant
    later = expect(lambda t: t.start > naive.replace(tzinfo=dt.timezone.utc))
    assert len(later) == 9
    assert sorted(pairs(session, session.query(Task).where(Task.start_date > naive).all())) == later
    assert sorted(pairs(session, session.query(Task).where(Task.start_date > aware).all())) == later
    exact = seed.START + dt.timedelta(days=3)
    rows = session.query(Task).where(Task.start_date == exact).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.start == exact)
    assert rows[0].start_date == exact  # read back as an aware UTC datetime
    # a date compares with midnight UTC
    day = dt.date(2024, 1, 17)
    midnight = dt.datetime(2024, 1, 17, tzinfo=dt.timezone.utc)
    rows = session.query(Task).where(Task.start_date < day, Task.end_date >= dt.date(2024, 1, 15)).all()
    assert sorted(pairs(session, rows)) == expect(lambda t: t.start < midnight and t.end >= midnight - dt.timedelta(days=2))
    # a datetime attribute of a related entity, in a range
    rows = session.query(session.AssetVersion).where(
        session.AssetVersion.date >= dt.datetime(2024, 1, 10, 9), session.AssetVersion.date < dt.datetime(2024, 1, 11, 9)
    ).select("asset.name, version").all()
    assert sorted((v.asset.name, v.version) for v in rows) == [("sh010_comp", 2), ("sh020_comp", 1)]


def test_order_by_several_keys(session):
    Task = session.Task
    rows = session.query(Task).order_by(Task.bid.desc(), Task.parent.name, Task.name.asc()).select(
        Task.name, Task.parent.name, Task.bid).all()
    expected = sorted(TASKS, key=lambda t: (-t.bid, t.shot, t.name))
    assert [(r.bid, r.parent.name, r.name) for r in rows] == [(t.bid, t.shot, t.name) for t in expected]
    rows = session.query(Task).order_by("start_date desc", "name").select("name, parent.name, start_date").all()
    expected = sorted(sorted(TASKS, key=lambda t: t.name), key=lambda t: t.start, reverse=True)
    assert [(r.parent.name, r.name) for r in rows] == [(t.shot, t.name) for t in expected]
    with pytest.raises(AttributeError, match="Did you mean 'name'"):
        session.query(Task).order_by("nmae")


def test_select_loads_nested_projections_in_the_same_request(session, sandbox):
    Task, User = session.Task, session.User
    query = session.query(Task).where(name="animation").select(
        Task.name, Task.parent.name, Task.parent[session.Shot].custom_attributes, Task.status.state.short,
        Task.assignments.resource[User].username, Task.timelogs.duration,
    ).order_by(Task.parent.name)
    rows = query.all()
    assert sandbox.request_count == 1
    with session.auto_populating(False):  # reading anything not loaded would raise
        seen = [(r.parent.name, r.parent.custom_attributes["fend"], r.status.state.short,
                 [a.resource.username for a in r.assignments], [log.duration for log in r.timelogs]) for r in rows]
    state = {"Not started": "NOT_STARTED", "In progress": "IN_PROGRESS", "Pending review": "IN_PROGRESS",
             "Approved": "DONE", "On hold": "BLOCKED"}
    fend = {s.name: s.fend for s in SHOTS}
    expected = [(t.shot, fend[t.shot], state[t.status], [t.user], [7200.0] if t.timelog else [])
                for t in TASKS if t.name == "animation"]
    assert seen == expected
    assert sandbox.request_count == 1
    batch = session.transport.batches[-1]
    assert batch == [{"action": "query", "expression": str(query.offset(0).limit(500))}]


def test_limit_and_offset(session, sandbox):
    Task = session.Task
    ordered = sorted(TASKS, key=lambda t: (t.shot, t.name))
    query = session.query(Task).order_by(Task.parent.name, Task.name).select(Task.name, Task.parent.name)
    assert [(r.parent.name, r.name) for r in query.offset(5).limit(7)] == seed.keys(ordered[5:12])
    assert [(r.parent.name, r.name) for r in query.limit(3)] == seed.keys(ordered[:3])
    assert [(r.parent.name, r.name) for r in query.offset(28)] == seed.keys(ordered[28:])
    assert query.offset(30).all() == [] and query.limit(0).all() == []
    assert query.limit(3).limit(None).offset(2).offset(None).ast == query.ast
    with pytest.raises(ValueError, match="non-negative"):
        query.limit(-1)
    with pytest.raises(ValueError, match="non-negative"):
        query.offset(1.5)


def test_string_expressions_reach_the_same_rows(session):
    by_string = session.query('select name, parent.name from Task where parent.name is "sh030" and bid > 4').all()
    Task = session.Task
    by_builder = session.query(Task).where(Task.parent.name == "sh030", Task.bid > 4).all()
    assert by_string == by_builder
    assert sorted(pairs(session, by_string)) == expect(lambda t: t.shot == "sh030" and t.bid > 4)
    # builder methods extend a string query
    narrowed = session.query("Task where bid > 4").where(Task.parent.name == "sh030")
    assert narrowed.all() == by_builder
