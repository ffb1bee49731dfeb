"""Fixtures for read-only query tests: one demo sandbox per test module, a fresh
session per test (empty identity map, schemas loaded, sandbox counters reset).

    shared_sandbox, session = live_fixtures()   # at module level
"""
from __future__ import annotations

from typing import Any, Iterator, Tuple

import pytest

from ftrack_orm import Session
from ftrack_orm.sandbox import Sandbox
from tests.integration.conftest import RecordingTransport


def live_fixtures() -> Tuple[Any, Any]:
    """``(shared_sandbox, session)`` fixtures to bind at a test module's top level."""

    @pytest.fixture(scope="module")
    def shared_sandbox() -> Iterator[Sandbox]:
        with Sandbox(seed="demo") as sandbox:
            yield sandbox

    @pytest.fixture
    def session(shared_sandbox: Sandbox) -> Iterator[Session]:
        transport = RecordingTransport()
        with Session(shared_sandbox.url, shared_sandbox.api_user, shared_sandbox.api_key,
                     schema_cache=False, transport=transport) as s:
            s.schemas  # noqa: B018 - load schemas before the test counts requests
            shared_sandbox.reset_counters()
            yield s

    return shared_sandbox, session
