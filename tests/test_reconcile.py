"""Reconciliation after an unknown outcome, on a real sandbox behind the fault proxy:
the landed creates and deletes are found in one call and settled, the rest is sent."""
from __future__ import annotations

from typing import Iterator

import pytest

from ftrack_orm import OutcomeUnknownError, Session, inspect
from ftrack_orm.errors import PartialCommitError
from ftrack_orm.sandbox import Sandbox

from tests.support.fault_scenarios import session_through
from tests.support.faults import FaultProxy
from tests.support.live import server_rows


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as served:
        yield served


@pytest.fixture
def proxy(sandbox: Sandbox) -> Iterator[FaultProxy]:
    with FaultProxy(sandbox.url) as running:
        yield running


@pytest.fixture
def session(sandbox: Sandbox, proxy: FaultProxy) -> Iterator[Session]:
    with session_through(proxy, sandbox) as opened:
        yield opened


def tasks(session: Session, *names: str):
    shot = session.query("Shot where name is sh010").one()
    task_type = session.query("Type where name is Compositing").one()
    return [session.create("Task", {"name": name, "parent": shot, "type": task_type}) for name in names]


def test_reconcile_settles_what_landed_in_one_call_and_sends_nothing(session, proxy, sandbox):
    created = tasks(session, "rc-a", "rc-b")
    doomed = tasks(session, "rc-doomed")[0]
    session.commit()
    session.delete(doomed)
    created[0].description = "changed"
    more = tasks(session, "rc-c")
    proxy.arm("reset_after", match="write")
    with pytest.raises(OutcomeUnknownError):
        session.commit()
    assert inspect(more[0]).state == "new" and inspect(doomed).state == "deleted"
    seen = len(proxy.log)
    report = session.reconcile()
    assert [actions for actions, _ in proxy.log[seen:]] == [["query"]]  # one call, one query per type
    assert report.created == (more[0],) and report.deleted == (doomed,)
    assert "1 pending create(s) found" in str(report) and report.remaining == 1  # the update is re-sent
    assert inspect(more[0]).state == "clean" and inspect(doomed).state == "detached"
    assert inspect(created[0]).state == "dirty"
    result = session.commit()
    assert result.counts == {"create": 0, "update": 1, "delete": 0}
    assert server_rows(sandbox, f"select description from Task where id is {created[0].id}")[0]["description"] == "changed"


def test_a_create_that_landed_but_changed_since_sends_only_the_change(session, proxy, sandbox):
    task = tasks(session, "rc-late")[0]
    proxy.arm("504_after", match="write")
    with pytest.raises(OutcomeUnknownError):
        session.commit()
    task.name = "rc-later"  # changed after the create landed with the old name
    seen = len(proxy.log)
    result = session.commit()
    assert [actions for actions, _ in proxy.log[seen:]] == [["query"], ["update"]]
    assert result.reconciled is not None and result.reconciled.created == (task,)
    assert inspect(task).state == "clean"
    assert [row["name"] for row in server_rows(sandbox, f"select name from Task where id is {task.id}")] == ["rc-later"]


def test_a_commit_after_an_unknown_outcome_that_did_not_land_sends_everything(session, proxy, sandbox):
    created = tasks(session, "rc-lost-a", "rc-lost-b")
    proxy.arm("reset_before", match="write")
    with pytest.raises(OutcomeUnknownError):
        session.commit()
    result = session.commit()
    assert result.counts["create"] == 2 and result.reconciled is not None and not result.reconciled
    assert len(server_rows(sandbox, 'select id from Task where name like "rc-lost-%"')) == 2
    assert all(inspect(task).state == "clean" for task in created)
    tasks(session, "rc-lost-c")
    seen = len(proxy.log)
    session.commit()  # certain again: no reconciliation query
    assert [actions for actions, _ in proxy.log[seen:]] == [["create"]]


def test_partial_commit_tells_landed_unknown_and_unsent(session, proxy, sandbox):
    created = tasks(session, *(f"rc-chunk{number}" for number in range(5)))
    proxy.arm("close_after", match="write", skip=1)
    with pytest.raises(PartialCommitError) as info:
        session.commit(chunk_size=2)
    error = info.value
    assert isinstance(error, OutcomeUnknownError)
    assert (error.landed, error.total) == (1, 3)
    assert error.landed_entities == tuple(created[:2]) and error.unknown_entities == tuple(created[2:4])
    assert error.unsent_entities == (created[4],)
    assert (error.landed_operations, error.unknown_operations, error.unsent_operations) == (2, 2, 1)
    assert "may or may not have been applied" in str(error)
    result = session.commit()
    assert result.counts["create"] == 1 and result.reconciled is not None and result.reconciled.operations == 2
    assert len(server_rows(sandbox, 'select id from Task where name like "rc-chunk%"')) == 5


def test_a_refused_chunk_is_not_an_unknown_outcome(session, proxy, sandbox):
    created = tasks(session, "rc-ok0", "rc-ok1")
    bad = session.create("Task", {"name": "rc-bad", "parent_id": "00000000-0000-0000-0000-000000000000",
                                  "type": created[0]["type"]})
    with pytest.raises(PartialCommitError) as info:
        session.commit(chunk_size=2)
    assert not isinstance(info.value, OutcomeUnknownError)
    assert info.value.unsent_entities == (bad,) and not info.value.unknown_entities
    assert info.value.unsent_operations == 1


def test_reconcile_with_nothing_pending_asks_nothing(session, proxy):
    seen = len(proxy.log)
    assert not session.reconcile()
    assert len(proxy.log) == seen
