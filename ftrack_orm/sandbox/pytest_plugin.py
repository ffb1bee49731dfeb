"""pytest plugin (entry point ``pytest11``): the ``ftrack_sandbox`` fixture.

    def test_my_tool(ftrack_sandbox):
        session = ftrack_orm.Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key)

Each test gets a fresh in-memory sandbox with the demo studio, on 127.0.0.1 and
a free port, stopped after the test. Importing this module is cheap: the
sandbox is imported when the fixture is first used.
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest


@pytest.fixture
def ftrack_sandbox() -> Iterator[Any]:
    """A running :class:`ftrack_orm.sandbox.Sandbox` seeded with the demo studio."""
    from ftrack_orm.sandbox import Sandbox

    with Sandbox(seed="demo") as sandbox:
        yield sandbox
