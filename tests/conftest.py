"""Fixtures shared by the whole suite: a private schema cache, the scripted server."""
from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

from tests.support.scripted import ScriptedServer


@pytest.fixture(scope="session", autouse=True)
def private_schema_cache(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The suite never writes to the user's home: every session (and every subprocess)
    caches schemas in one temporary directory."""
    directory = tmp_path_factory.mktemp("schema-cache")
    previous = os.environ.get("FTRACK_ORM_CACHE_DIR")
    os.environ["FTRACK_ORM_CACHE_DIR"] = str(directory)
    yield directory
    if previous is None:
        del os.environ["FTRACK_ORM_CACHE_DIR"]
    else:
        os.environ["FTRACK_ORM_CACHE_DIR"] = previous


@pytest.fixture
def scripted_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.close()
