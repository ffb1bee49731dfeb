"""What a query does before sending anything: validation, str/repr, immutability.

Every test asserts that the sandbox received no request at all.
"""
from __future__ import annotations

import pytest

from ftrack_orm.query import QueryParseError, QueryValidationError, parse
from ftrack_orm.results import QueryResult

from tests.support.live import live_fixtures

shared_sandbox, session = live_fixtures()


@pytest.mark.parametrize("expression, reason, position", [
    ("Tsak where name is x", "Unknown entity type 'Tsak'. Did you mean 'Task'?", 0),
    ("Task where nmae is x", "No attribute 'nmae' exists for schema 'Task'. Did you mean 'name'?", 11),
    ("select name, parent.nme from Task", "No attribute 'nme' exists for schema 'Context'. Did you mean 'name'?", 20),
    ("Task where parent has (nam is x)", "No attribute 'nam' exists for schema 'Context'. Did you mean 'name'?", 23),
    ("Task where name is x order by statsu.name", "No attribute 'statsu' exists for schema 'Task'. Did you mean 'status'?", 30),
    ("Task where id in (select id from Shto)", "Unknown entity type 'Shto'. Did you mean 'Shot'?", 33),
])
def test_unknown_names_raise_locally_with_did_you_mean_and_position(session, shared_sandbox, expression, reason,
                                                                    position):
    with pytest.raises(QueryValidationError) as caught:
        session.query(expression)
    assert caught.value.reason == reason
    assert caught.value.position == position
    assert caught.value.expression == expression
    assert str(caught.value).endswith(f"\n  {expression}\n  {' ' * position}^")
    assert shared_sandbox.request_count == 0


@pytest.mark.parametrize("expression, reason, position", [
    ("Task where name is", "Expected a value but found end of expression", 18),
    ("Task where (name is x", "Expected ')' but found end of expression", 21),
    ("Task wher name is x", "Unexpected 'wher'", 5),
    ('Task where name is "abc', "Unterminated string", 19),
])
def test_syntax_errors_raise_parse_errors_locally(session, shared_sandbox, expression, reason, position):
    with pytest.raises(QueryParseError) as caught:
        session.query(expression)
    assert (caught.value.reason, caught.value.position) == (reason, position)
    assert shared_sandbox.request_count == 0


def test_misused_attributes_raise_locally(session, shared_sandbox):
    with pytest.raises(QueryValidationError, match="collection .use 'timelogs any"):
        session.query("Task where timelogs is x")
    with pytest.raises(QueryValidationError, match="'has' needs a reference.*use 'any'"):
        session.query("Task where timelogs has (id is x)")
    with pytest.raises(QueryValidationError, match="Invalid value 'abc' for 'bid'"):
        session.query("Task where bid > abc")
    assert shared_sandbox.request_count == 0


def test_builder_typos_and_wrong_values_raise_at_once(session, shared_sandbox):
    Task = session.Task
    with pytest.raises(AttributeError, match=r"No attribute 'nmae' exists for schema 'Task'. Did you mean 'name'"):
        Task.nmae  # noqa: B018
    with pytest.raises(AttributeError, match=r"No attribute 'nam' exists for schema 'Context'. Did you mean 'name'"):
        Task.parent.nam  # noqa: B018
    with pytest.raises(AttributeError, match=r"No attribute 'nmae' exists for schema 'Task'. Did you mean 'name'"):
        session.query(Task).where(nmae="x")
    with pytest.raises(AttributeError, match=r"No attribute 'nmae' exists for schema 'Context'. Did you mean"):
        session.query(Task).select("name, parent.nmae")
    with pytest.raises(TypeError, match="Task.bid is a number"):
        Task.bid > "3"  # noqa: B015
    with pytest.raises(TypeError, match="not a criterion|criteria such as"):
        session.query(Task).where("name is x")
    with pytest.raises(TypeError, match="does not apply to a query of Task"):
        session.query(Task).where(session.User.username == "x")
    with pytest.raises(KeyError, match="Did you mean 'Shot'"):
        Task.parent["Shto"]
    assert shared_sandbox.request_count == 0


def test_str_is_the_expression_and_parses_back(session, shared_sandbox):
    Task = session.Task
    query = (session.query(Task)
             .where((Task.name == 'say "hi" \\ and or where') | Task.parent.name.like("sh%"), Task.bid > 2.5)
             .order_by(Task.name.desc()).select(Task.name).offset(2).limit(3))
    text = str(query)
    assert text == ('select name from Task where (name is "say \\"hi\\" \\\\ and or where" or parent.name like "sh%") '
                    'and bid > 2.5 order by name desc offset 2 limit 3')
    assert parse(text) == query.ast
    assert str(session.query(text)) == text
    assert repr(query) == f"<QueryResult {text!r}>"
    assert shared_sandbox.request_count == 0


def test_query_objects_are_immutable_and_reusable(session, shared_sandbox):
    Task = session.Task
    base = session.query(Task)
    derived = [base.where(name="lighting"), base.order_by(Task.name), base.select(Task.name), base.limit(1),
               base.offset(1), base.with_page_size(5), base.with_progress(lambda rows, total: None)]
    assert all(isinstance(d, QueryResult) and d is not base for d in derived)
    assert str(base) == "Task" and base.page_size == 500 and base.progress is None
    assert [str(d) for d in derived[:5]] == [
        'Task where name is "lighting"', "Task order by name", "select name from Task", "Task limit 1", "Task offset 1"]
    assert derived[5].page_size == 5 and str(derived[5]) == "Task"
    with pytest.raises(AttributeError):
        base.ast = None  # the AST itself is frozen
    assert shared_sandbox.request_count == 0
    lighting = derived[0]
    first, second = lighting.all(), lighting.all()
    assert len(first) == 10 and first == second and str(lighting) == 'Task where name is "lighting"'
    assert shared_sandbox.request_count == 2


def test_repr_sends_nothing_and_truth_sends_one_row_query(session, shared_sandbox):
    query = session.query("Task where bid > 1").with_page_size(2)
    repr(query)
    str(query)
    assert shared_sandbox.request_count == 0
    assert bool(query) is True
    assert session.transport.batches[-1][0]["expression"] == "select context_type, id, name from Task where bid > 1 offset 0 limit 1"
    assert not session.query("Task where bid > 100")
    assert shared_sandbox.request_count == 2
    rows = query.all()
    before = shared_sandbox.request_count
    assert len(query) == len(rows)  # the whole query again, primary keys only
    assert shared_sandbox.request_count - before == -(-len(rows) // 2)
    assert session.transport.batches[-1][0]["expression"].startswith("select id from Task where bid > 1 offset")
