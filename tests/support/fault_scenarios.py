"""Fault scenarios on a real sandbox behind a :class:`~tests.support.faults.FaultProxy`,
shared by tests/session/test_faults.py and benchmarks/faults.py.

Each scenario records pending work (creates, an update, a delete) in a session that
talks through the proxy, injects one fault into a read, a commit or the second call
of a chunked commit, then commits again with the proxy healthy, and checks through a
second, fresh session talking to the sandbox directly that exactly the pending work
landed: nothing lost, nothing twice, nothing left pending (not stuck).
"""
from __future__ import annotations

import itertools
from typing import Any, List, Optional

import attrs

from ftrack_orm import RetryPolicy, Session
from ftrack_orm.errors import OutcomeUnknownError, PartialCommitError, ServerError
from ftrack_orm.sandbox import Sandbox

from tests.support.faults import FAULTS, LATE_SECONDS, FaultProxy

#: The client's read timeout: below the proxy's late answer.
TIMEOUT = LATE_SECONDS - 1.5
WHERE = ("read", "commit", "chunked")
CREATES = 5
_numbers = itertools.count()


@attrs.define
class Outcome:
    """What one scenario saw: the error of the faulted step (if any), what the server
    holds afterwards, and what it should hold."""

    fault: str
    where: str
    error: Optional[BaseException] = None
    recommit_error: Optional[BaseException] = None
    stored: List[str] = attrs.Factory(list)
    expected: List[str] = attrs.Factory(list)
    updated: Optional[str] = None
    deleted_still_there: bool = False
    left_pending: int = 0

    @property
    def lost(self) -> int:
        return len(set(self.expected) - set(self.stored)) + (self.updated is None) + self.deleted_still_there

    @property
    def duplicates(self) -> int:
        return len(self.stored) - len(set(self.stored)) + len(set(self.stored) - set(self.expected))

    @property
    def stuck(self) -> bool:
        return self.recommit_error is not None or self.left_pending > 0

    @property
    def clear(self) -> bool:
        """The fault surfaced as a ServerError (or not at all), never as something else."""
        return self.error is None or isinstance(self.error, ServerError)

    @property
    def survived(self) -> bool:
        return self.clear and not self.lost and not self.duplicates and not self.stuck


def session_through(proxy: FaultProxy, sandbox: Sandbox) -> Session:
    """A session talking to ``sandbox`` through ``proxy``; quick retries, a short timeout."""
    session = Session(proxy.url, sandbox.api_user, sandbox.api_key, schema_cache=False, timeout=TIMEOUT,
                      retry=RetryPolicy(attempts=3, backoff=0.01, jitter=False))
    session.schemas  # noqa: B018 - schemas load before any fault is armed
    return session


def run(sandbox: Sandbox, proxy: FaultProxy, fault: str, where: str) -> Outcome:
    """One scenario (see the module doc); the outcome's ``survived`` says whether it went well."""
    assert fault in FAULTS and where in WHERE
    tag = f"flt{next(_numbers)}x{fault}x{where}"
    outcome = Outcome(fault, where)
    proxy.disarm()
    with session_through(proxy, sandbox) as session:
        shot = session.query("Shot where name is sh010").one()
        task_type = session.query("Type where name is Compositing").one()
        kept = session.create("Task", {"name": f"{tag}-kept", "parent": shot, "type": task_type})
        doomed = session.create("Task", {"name": f"{tag}-doomed", "parent": shot, "type": task_type})
        session.commit()
        for number in range(CREATES):
            session.create("Task", {"name": f"{tag}-{number}", "parent": shot, "type": task_type})
        kept.description = f"{tag}-updated"
        session.delete(doomed)
        outcome.expected = [f"{tag}-kept"] + [f"{tag}-{number}" for number in range(CREATES)]
        try:
            if where == "read":
                proxy.arm(fault, match="read")
                session.query(f'select name from Task where name like "{tag}%"').all()
            else:
                proxy.arm(fault, match="write", skip=1 if where == "chunked" else 0)
                session.commit(chunk_size=2 if where == "chunked" else None)
        except ServerError as error:
            outcome.error = error
        except Exception as error:  # noqa: BLE001 - an unclear error is what is measured
            outcome.error = error
        proxy.disarm()
        try:
            session.commit()
        except Exception as error:  # noqa: BLE001 - a stuck session is what is measured
            outcome.recommit_error = error
        outcome.left_pending = len(session.identity_map.changes)
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as fresh:
        rows = fresh.query(f'select name, description from Task where name like "{tag}-%"').all()
        outcome.stored = sorted(row["name"] for row in rows if row["name"] != f"{tag}-doomed")
        outcome.deleted_still_there = any(row["name"] == f"{tag}-doomed" for row in rows)
        updated = [row["description"] for row in rows if row["name"] == f"{tag}-kept"]
        outcome.updated = updated[0] if updated and updated[0] == f"{tag}-updated" else None
    outcome.expected.sort()
    return outcome


def expected_error(outcome: Outcome) -> Any:
    """The error class the faulted step must raise (``None``: it must succeed)."""
    if outcome.fault in ("none", "slow_trickle") or outcome.where == "read":
        return None
    applied = FAULTS[outcome.fault]
    if outcome.where == "chunked":
        return (PartialCommitError, OutcomeUnknownError) if applied else PartialCommitError
    return OutcomeUnknownError if applied else ServerError
