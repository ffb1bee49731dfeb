"""Notebook completion on the session: entity types are in ``dir(session)``."""
from __future__ import annotations

import socket

from ftrack_orm import Session
from ftrack_orm.sandbox import Sandbox


def test_types_are_in_dir_of_the_session():
    with Sandbox(seed="demo") as sandbox, Session(sandbox.url, sandbox.api_user, sandbox.api_key,
                                                   schema_cache=False) as session:
        names = dir(session)
        assert {"Task", "Shot", "AssetVersion", "query", "commit"} <= set(names)


def test_dir_without_a_server_lists_the_session_api():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # nothing listens there once closed
    session = Session(f"http://127.0.0.1:{port}", "u", "k", schema_cache=False, retry=None)
    names = dir(session)
    assert "query" in names and "Task" not in names
