"""Query plans: SQL and projection tree made once per parsed expression, never holding data."""
from __future__ import annotations

from ftrack_orm.query import parse
from ftrack_orm.sandbox.plans import QueryPlans

from tests.support.sandbox_http import Client

TEXT = 'select name, parent.name from Shot where name like "sh%" order by name'


def test_a_repeated_expression_reuses_its_plan_and_sees_new_data(sandbox):
    client = Client(sandbox)
    first = client.query(TEXT)["data"]
    plan = sandbox.evaluator.plans.get(sandbox.evaluator.parse(TEXT))
    assert plan is not None
    parent = client.rows("select id from Sequence limit 1")[0]["id"]
    client.call([{"action": "create", "entity_type": "Shot",
                  "entity_data": {"__entity_type__": "Shot", "name": "sh999", "parent_id": parent}}])
    again = client.query(TEXT)["data"]
    assert sandbox.evaluator.plans.get(sandbox.evaluator.parse(TEXT)) is plan
    assert [row["name"] for row in again] == sorted([row["name"] for row in first] + ["sh999"])
    assert [row["parent"]["id"] for row in again if row["name"] == "sh999"] == [parent]


def test_a_plan_belongs_to_one_query_object_and_the_store_is_bounded():
    plans: QueryPlans[str] = QueryPlans(size=2)
    one, same_text = parse("select id from Task"), parse("select id from Task")
    plan = plans.put(one, ("SELECT 1", []), "tree")
    assert plans.get(one) is plan and plans.get(same_text) is None  # equal, but not the cached object
    plans.put(same_text, ("SELECT 2", []), "other")
    third = parse("select id from Shot")
    plans.put(third, ("SELECT 3", []), "third")
    assert plans.get(third) is not None and plans.get(one) is None  # full: dropped, then refilled


def traced(sandbox, operations):
    """The SQL statements ``operations`` run (on this thread's read connection)."""
    executed = []
    connection = sandbox.store.connection
    connection.set_trace_callback(executed.append)
    try:
        sandbox.run_batch(operations, None)
    finally:
        connection.set_trace_callback(None)
    return executed


def test_a_query_of_stored_scalars_reads_with_one_statement_and_others_in_one_snapshot(shared_sandbox):
    flat = traced(shared_sandbox, [{"action": "query", "expression": "select id, name from Shot"}])
    assert len(flat) == 1 and flat[0].startswith("SELECT")
    for expression in ("select name, parent.name from Shot", "select link from Task"):  # load after the SELECT
        deep = traced(shared_sandbox, [{"action": "query", "expression": expression}])
        assert deep[0] == "BEGIN" and deep[-1] == "COMMIT" and len(deep) > 3
    batch = traced(shared_sandbox, [{"action": "query", "expression": "select id from Shot"}] * 2)
    assert batch[0] == "BEGIN" and batch[-1] == "COMMIT"  # two queries: one snapshot


def test_a_query_of_stored_scalars_selects_only_what_it_writes_and_answers_as_with_every_column(shared_sandbox):
    evaluator = shared_sandbox.evaluator
    checked = 0
    with shared_sandbox.store.reading():
        for entity_type in sorted(shared_sandbox.schemas.schemas):
            schema = shared_sandbox.schemas[entity_type]
            scalars = [name for name, attribute in schema.attributes.items()
                       if attribute.is_scalar and name not in evaluator.computed.names]
            for projection in (["id"] if "id" in schema.attributes else [], scalars[:3], scalars):
                expression = f"select {', '.join(projection)} from {entity_type}"
                if not projection or not evaluator.one_statement(expression):
                    continue
                query = evaluator.parse(expression)
                assert "a0.*" not in evaluator.plan(query).select[0]
                rows, _ = evaluator.select_rows(query, evaluator.select_sql(query))  # every column
                emitted: dict = {}
                every_column = [evaluator.emit(row, evaluator.plan(query).tree, emitted) for row in rows]
                assert evaluator.query(expression)["data"] == every_column, expression
                checked += bool(rows)
    assert checked > 20
