"""pytest plugin (entry point ``pytest11``): the ``ftrack_sandbox`` fixture.

    def test_my_tool(ftrack_sandbox):
        session = ftrack_orm.Session(ftrack_sandbox.url, ftrack_sandbox.api_user, ftrack_sandbox.api_key)

Each test gets a fresh in-memory sandbox with the demo studio, on 127.0.0.1 and
a free port, stopped after the test. While it runs, sessions cache schemas in a
temporary directory shared by the test run (``FTRACK_ORM_CACHE_DIR``), never in
the user's home. Importing this module is cheap: the sandbox is imported when the
fixture is first used.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest


@pytest.fixture(scope="session")
def ftrack_schema_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary schema-cache directory for the whole test run."""
    return tmp_path_factory.mktemp("ftrack-orm-schema-cache")


@pytest.fixture
def ftrack_sandbox(ftrack_schema_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A running :class:`ftrack_orm.sandbox.Sandbox` seeded with the demo studio."""
    from ftrack_orm.sandbox import Sandbox

    monkeypatch.setenv("FTRACK_ORM_CACHE_DIR", str(ftrack_schema_cache_dir))
    with Sandbox(seed="demo") as sandbox:
        yield sandbox
