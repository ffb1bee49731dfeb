"""Integration fixtures: a real sandbox server on loopback and sessions talking to it."""
from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from ftrack_orm import Session
from ftrack_orm.transport import HTTPResponse, RequestsTransport


class RecordingTransport(RequestsTransport):
    """The real transport, keeping the operations of every batch sent."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.batches: List[List[Dict[str, Any]]] = []

    def post(self, url: str, body: bytes, headers: Any, *, read_only: bool) -> HTTPResponse:
        self.batches.append(json.loads(body))
        return super().post(url, body, headers, read_only=read_only)

    def writes(self) -> List[List[Dict[str, Any]]]:
        return [batch for batch in self.batches if any(op["action"] in ("create", "update", "delete") for op in batch)]


@pytest.fixture
def sandbox(ftrack_sandbox):
    return ftrack_sandbox


@pytest.fixture
def session(sandbox):
    transport = RecordingTransport()
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False, transport=transport) as s:
        s.schemas  # noqa: B018 - load schemas before the test counts requests
        sandbox.reset_counters()
        yield s


def server_rows(sandbox: Any, expression: str) -> List[Dict[str, Any]]:
    """Rows as the server has them, through a separate raw session (no identity map sharing)."""
    with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as other:
        return [row.to_dict() for row in other.query(expression).all()]
