"""Live-sandbox helpers: a transport keeping what it sent, sessions on a demo sandbox,
rows read back through a separate session, and module-shared read-only fixtures.

    shared_sandbox, session = live_fixtures()   # at a test module's top level
"""
from __future__ import annotations

import contextlib
import json
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from ftrack_orm import Session
from ftrack_orm.sandbox import Sandbox
from ftrack_orm.transport import HTTPResponse, RequestsTransport


class RecordingTransport(RequestsTransport):
    """The real transport, keeping the operations of every batch sent."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.batches: List[List[Dict[str, Any]]] = []

    def post(self, url: str, body: bytes, headers: Any, *, read_only: bool) -> HTTPResponse:
        self.batches.append(json.loads(body))
        return super().post(url, body, headers, read_only=read_only)

    @property
    def request_count(self) -> int:
        return len(self.batches)

    def writes(self) -> List[List[Dict[str, Any]]]:
        return [batch for batch in self.batches if any(op["action"] in ("create", "update", "delete") for op in batch)]


@contextlib.contextmanager
def recording_session(sandbox: Sandbox) -> Iterator[Session]:
    """A session on ``sandbox`` with a :class:`RecordingTransport`, schemas loaded, counters reset."""
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False,
                 transport=RecordingTransport()) as session:
        session.schemas  # noqa: B018 - load schemas before the test counts requests
        sandbox.reset_counters()
        yield session


def server_rows(sandbox: Any, expression: str) -> List[Dict[str, Any]]:
    """Rows as the server has them, through a separate raw session (no identity map sharing)."""
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as other:
        return [row.to_dict() for row in other.query(expression).all()]


def live_fixtures() -> Tuple[Any, Any]:
    """``(shared_sandbox, session)`` fixtures to bind at a test module's top level: one demo
    sandbox per module (for tests that only read), a fresh recording session per test."""

    @pytest.fixture(scope="module")
    def shared_sandbox() -> Iterator[Sandbox]:
        with Sandbox(seed="demo") as sandbox:
            yield sandbox

    @pytest.fixture
    def session(shared_sandbox: Sandbox) -> Iterator[Session]:
        with recording_session(shared_sandbox) as s:
            yield s

    return shared_sandbox, session
