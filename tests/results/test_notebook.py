"""Notebook helpers against the sandbox: HTML tables of query results and entities,
to_dicts(), to_dataframe() (with and without pandas)."""
from __future__ import annotations

import datetime as dt
import html
import sys

import pytest

from ftrack_orm.results import HTML_ROWS
from ftrack_orm.sandbox.seed import uid

SH010 = "select name, parent.name, status.state.short, bid, start_date from Task where parent.name is sh010 order by name"
SHOT_ID = uid("Shot", "sh010")
PROJECT_ID = uid("Project", "demo_vfx")
TASK_OBJECT_TYPE = "11c137c0-ee7e-4f9c-91c5-8c77cec22b2c"
SHOT_OBJECT_TYPE = "bad911de-3bd6-47b9-8b46-3476e237cb36"


def query_expressions(session):
    return [op["expression"] for batch in session.transport.batches for op in batch if op["action"] == "query"]


def test_repr_html_of_a_query_fetches_one_short_page(session, sandbox):
    query = session.query("select name, parent.name, bid from Task order by parent.name, name")
    table = query._repr_html_()
    assert sandbox.request_count == 1
    assert query_expressions(session) == [f"{query} offset 0 limit {HTML_ROWS}"]
    assert table.startswith(f"<table><caption>{html.escape(str(query))}</caption>"
                            "<thead><tr><th>name</th><th>parent.name</th><th>bid</th></tr></thead><tbody>")
    assert table.count("<tr><td>") == HTML_ROWS == 20
    assert "<tr><td>animation</td><td>sh010</td><td>3.0</td></tr>" in table
    assert table.endswith("</tbody></table><p>First 20 rows (more not fetched).</p>")


def test_repr_html_limits_columns_types_and_empty(session, sandbox):
    table = session.query("Task where parent.name is sh020 order by name limit 2")._repr_html_()
    assert "<th>context_type</th><th>id</th><th>name</th>" in table  # the default projections
    assert table.count("<tr><td>") == 2 and table.endswith("<p>2 rows.</p>")
    assert session.query(f"{SH010} limit 20")._repr_html_().endswith("<p>3 rows.</p>")
    table = session.query("Context where name in (sq010, sh010)")._repr_html_()
    assert "<th>type</th>" in table and "<td>Sequence</td>" in table and "<td>Shot</td>" in table
    table = session.query("select name, custom_attributes, metadata from Shot where name is sh020")._repr_html_()
    assert "<td>sh020</td><td>fstart=1001, fend=1049</td><td>camera=cam_B, lens=50mm</td>" in table
    assert session.query("Task where name is nothing")._repr_html_().endswith("<p>No rows.</p>")
    assert len(query_expressions(session)) == 5


def test_repr_html_escapes_values(session):
    shot = session.query(session.Shot).where(name="sh010").one()
    task_type = session.query(session.Type).where(name="Lighting").one()
    session.create("Task", {"name": '<script>alert("x")</script> & co', "parent": shot, "type": task_type})
    session.commit()
    table = session.query(session.Task).where(session.Task.name.like("<script>%"))._repr_html_()
    assert "<script>" not in table
    assert "<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</td>" in table
    assert "like &quot;&lt;script&gt;%&quot;" in table  # the caption too


def test_entity_repr_html(session):
    task = session.query(f"{SH010} limit 1").one()
    task.name = "<b>new</b>"
    table = task._repr_html_()
    assert table.startswith("<table><caption>&lt;Task &#x27;&lt;b&gt;new&lt;/b&gt;&#x27; e38c\u2026&gt;</caption>")
    assert "<tr><th>name</th><td>&#x27;&lt;b&gt;new&lt;/b&gt;&#x27;</td></tr>" in table
    assert "<tr><th>bid</th><td>3.0</td></tr>" in table
    assert "<th>description</th>" not in table  # not loaded: not shown, not fetched


def test_to_dicts_nests_projected_relations(session, sandbox):
    rows = session.query(SH010).to_dicts()
    assert sandbox.request_count == 1
    assert [row["name"] for row in rows] == ["animation", "compositing", "lighting"]
    assert list(rows[0]) == ["id", "name", "parent", "status", "bid", "start_date"]  # key, then select order
    assert rows[0] == {
        "id": uid("Task", "sh010/Animation"), "name": "animation", "parent": {"name": "sh010"},
        "status": {"state": {"short": "NOT_STARTED"}}, "bid": 3.0,
        "start_date": dt.datetime(2024, 1, 9, 9, tzinfo=dt.timezone.utc),
    }
    rows = session.query(SH010).to_dicts(all_loaded=True)  # every loaded attribute, as before
    assert rows[0] == {
        "__entity_type__": "Task", "id": uid("Task", "sh010/Animation"), "name": "animation", "bid": 3.0,
        "start_date": dt.datetime(2024, 1, 9, 9, tzinfo=dt.timezone.utc), "context_type": "task",
        "object_type_id": TASK_OBJECT_TYPE, "project_id": PROJECT_ID,
        "parent": {"__entity_type__": "Shot", "id": SHOT_ID, "name": "sh010", "context_type": "task",
                   "object_type_id": SHOT_OBJECT_TYPE, "project_id": PROJECT_ID},
        "status": {"__entity_type__": "Status", "id": uid("Status", "Not started"),
                   "state": {"__entity_type__": "State", "id": "6c59abf8-4dbf-11e1-9902-f23c91df25eb",
                             "short": "NOT_STARTED"}},
    }
    flat = session.query(SH010).to_dicts(flat=True)
    assert flat[2]["status.state.short"] == "IN_PROGRESS" and flat[2]["parent.name"] == "sh010"
    assert list(flat[2]) == ["id", "name", "parent.name", "status.state.short", "bid", "start_date"]
    flat = session.query(SH010).to_dicts(flat=True, all_loaded=True)
    assert "parent.__entity_type__" not in flat[2] and flat[2]["__entity_type__"] == "Task"
    # a relation that was not projected through stays a reference dict
    rows = session.query("select name, parent from Task where parent.name is sh010 order by name limit 1").to_dicts()
    assert rows[0]["parent"] == {"__entity_type__": "Shot", "id": SHOT_ID}
    # collections become lists of nested dicts
    rows = session.query("select assignments.resource[User].username from Task where parent.name is sh010 "
                         "order by name").to_dicts()
    assert [[a["resource"]["username"] for a in row["assignments"]] for row in rows] == \
        [["john.smith"], ["jane.doe"], ["amy.lee"]]


def test_to_dataframe_with_pandas(session):
    pandas = pytest.importorskip("pandas")
    frame = session.query(SH010).to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["id", "name", "parent.name", "status.state.short", "bid", "start_date"]
    assert frame["name"].tolist() == ["animation", "compositing", "lighting"]
    assert frame["bid"].tolist() == [3.0, 2.0, 4.0]
    assert frame["parent.name"].tolist() == ["sh010"] * 3
    assert str(frame["bid"].dtype) == "float64" and str(frame["start_date"].dtype.tz) == "UTC"  # tz-aware datetime64
    assert frame["start_date"][0] == pandas.Timestamp("2024-01-09 09:00", tz="UTC")
    assert len(frame) == 3
    everything = session.query(SH010).to_dataframe(all_loaded=True)
    assert list(everything.columns[:7]) == ["__entity_type__", "id", "name", "parent.name", "status.state.short",
                                            "bid", "start_date"]
    assert "project_id" in everything.columns


def test_dataframe_columns_do_not_depend_on_session_history(session):
    pytest.importorskip("pandas")
    expression = "select name, parent.name from Task where parent.name is sh010 order by name"
    before = list(session.query(expression).to_dataframe().columns)
    session.query("select description, status.name, custom_attributes, metadata from Shot").all()
    session.query("select bid, start_date, end_date, status.name from Task").all()  # loads more on the same tasks
    after = list(session.query(expression).to_dataframe().columns)
    assert before == after == ["id", "name", "parent.name"]
    shots = session.query("Shot").to_dataframe()
    assert list(shots.columns).count("id") == 1 and shots["id"].ndim == 1
    assert list(session.query("select sort, is_active from Status").to_dataframe().dtypes.astype(str))[1:] == \
        ["Int64", "boolean"]


def test_to_dataframe_without_pandas_says_so(session, sandbox, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError, match=r"to_dataframe\(\) needs pandas.*pip install pandas.*to_dicts\(\)"):
        session.query(SH010).to_dataframe()
    assert sandbox.request_count == 0


def test_entity_html_name_first_references_by_name_iso_dates_short_collections(session):
    task = session.query("select name, bid, start_date, status.name, parent, assignments, id from Task "
                         "where parent.name is sh010 order by name limit 1").one()
    table = task._repr_html_()
    headers = [part.split("</th>")[0] for part in table.split("<th>")[1:]]
    assert headers[:2] == ["name", "id"] and headers[2:] == sorted(headers[2:])
    assert "<td>&lt;Status &#x27;Not started&#x27;&gt;</td>" in table  # loaded name: shown by it
    assert "<td>2024-01-09T09:00:00+00:00</td>" in table
    assert "<th>assignments</th><td>[&lt;Appointment" in table
    assert "datetime.datetime" not in table and "__entity_type__" not in table
    collection = task.assignments._repr_html_()
    assert collection.startswith("<div>&lt;Task &#x27;animation&#x27;") and "(1 items)<ul><li>&lt;Appointment" in collection


def test_query_html_when_the_server_is_down_is_one_line():
    from ftrack_orm import Session
    from ftrack_orm.sandbox import Sandbox
    from ftrack_orm.transport import RetryPolicy

    sandbox = Sandbox(seed="demo").start()
    session = Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False,
                      retry=RetryPolicy(attempts=1))
    query = session.query("select name from Task")
    sandbox.stop()
    text = query._repr_html_()
    assert text.startswith("<p><b>ServerConnectionError</b>: ") and "\n" not in text and "Traceback" not in text
    session.close()
