"""Answers that do not fit the operations they answer: refused before anything local
changes (a loopback server scripts the bad answers)."""
from __future__ import annotations

import pytest

from ftrack_orm import Session, inspect
from ftrack_orm.errors import MalformedResponseError, OutcomeUnknownError

from tests.support.scripted import ftrack_like


@pytest.fixture
def served(scripted_server):
    scripted_server.handler = ftrack_like()
    return scripted_server


@pytest.fixture
def session(served):
    session = Session(served.url, "u", "k", schema_cache=False)
    session.schemas  # loaded before the bad answers are scripted
    yield session
    session.close()


def answering(served, answer):
    """Answer every later call with ``answer(request)`` (schemas already loaded)."""
    served.handler = lambda request: (200, answer(request))


def pending_creates(session, count=3):
    return [session.create("Task", {"name": f"t{number}", "parent_id": "shot-1"}) for number in range(count)]


def echo(request, **changes):
    """The answers a real server gives: each create/update answered by its entity (a query,
    as the reconciliation after an unknown outcome sends: nothing stored)."""
    results = []
    for op in request["json"]:
        if op["action"] == "query":
            results.append({"action": "query", "data": [], "metadata": {"next": {"offset": None}}})
            continue
        if op["action"] == "delete":
            results.append({"action": "delete", "data": True})
            continue
        key = {"id": op["entity_key"][0]} if op["action"] == "update" else {"id": op["entity_data"]["id"]}
        entity = {"__entity_type__": op["entity_type"], **key}
        entity.update(changes)
        results.append({"action": op["action"], "data": entity})
    return results


def assert_still_pending(session, entities, state="new"):
    assert all(inspect(entity).state == state for entity in entities)
    assert len(session.identity_map.changes) == len(entities)


def test_nulls_answering_a_commit_are_an_unknown_outcome_and_nothing_is_committed(session, served):
    tasks = pending_creates(session)
    answering(served, lambda request: [None] * len(request["json"]))
    with pytest.raises(MalformedResponseError) as info:
        session.commit()
    assert isinstance(info.value, OutcomeUnknownError)
    assert "may or may not have been applied" in str(info.value)
    assert_still_pending(session, tasks)
    answering(served, echo)  # the re-commit sends the same creates
    assert session.commit().counts["create"] == 3
    assert served.actions() == ["create"] * 3
    assert not session.identity_map.changes


@pytest.mark.parametrize("wrong", [
    pytest.param(lambda op: {"action": "create", "data": True}, id="true"),
    pytest.param(lambda op: {"action": "create"}, id="no data"),
    pytest.param(lambda op: {"action": "create", "data": {"__entity_type__": "Task", "id": "someone-else"}},
                 id="another key"),
    pytest.param(lambda op: {"action": "create", "data": {"__entity_type__": "Shot", "id": op["entity_data"]["id"]}},
                 id="another type"),
    pytest.param(lambda op: {"action": "create", "data": {"__entity_type__": "Task"}}, id="no key"),
    pytest.param(lambda op: [op], id="a list"),
])
def test_a_create_must_be_answered_by_its_entity(session, served, wrong):
    tasks = pending_creates(session, 1)
    answering(served, lambda request: [wrong(op) for op in request["json"]])
    with pytest.raises(OutcomeUnknownError, match="operation 0"):
        session.commit()
    assert_still_pending(session, tasks)


def test_an_update_must_be_answered_by_its_entity(session, served):
    task = session.update("Task", "t1", {"name": "renamed"})
    answering(served, lambda request: [{"action": "update", "data": {"__entity_type__": "Task", "id": "t2"}}])
    with pytest.raises(OutcomeUnknownError):
        session.commit()
    assert_still_pending(session, [task], "dirty")
    answering(served, lambda request: echo(request, name="renamed"))
    session.commit()
    assert inspect(task).state == "clean" and task.name == "renamed"


def test_a_delete_must_be_answered_true(session, served):
    task = session.update("Task", "t1", {})  # a reference to a stored task
    session.delete(task)
    answering(served, lambda request: [{"action": "delete", "data": None}])
    with pytest.raises(OutcomeUnknownError, match="delete"):
        session.commit()
    assert_still_pending(session, [task], "deleted")
    answering(served, echo)
    session.commit()
    assert inspect(task).state == "detached"


@pytest.mark.parametrize("answer", [
    pytest.param([None], id="null"),
    pytest.param([{"data": [1, 2, 3], "metadata": {"next": {"offset": None}}}], id="numbers as rows"),
    pytest.param([{"data": {"__entity_type__": "Task", "id": "t1"}, "metadata": {}}], id="data not a list"),
    pytest.param([{"action": "query", "data": []}], id="no metadata"),
    pytest.param([True], id="true"),
])
def test_a_query_answer_must_hold_rows_and_metadata(session, served, answer):
    answering(served, lambda request: answer)
    with pytest.raises(MalformedResponseError, match="query") as info:
        session.query("Task").all()
    assert not isinstance(info.value, OutcomeUnknownError)  # a read: nothing can have changed


def test_a_valid_query_answer_still_reads(session, served):
    answering(served, lambda request: [{"action": "query", "data": [{"__entity_type__": "Task", "id": "t1", "name": "a"}],
                                        "metadata": {"next": {"offset": None}}}])
    assert [task.name for task in session.query("Task").all()] == ["a"]


def test_call_checks_answers_too(session, served):
    answering(served, lambda request: [None])
    with pytest.raises(OutcomeUnknownError, match="operation 0"):
        session.call([{"action": "delete", "entity_type": "Task", "entity_key": ["t1"]}])
