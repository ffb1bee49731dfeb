"""Notebook completion on the session: entity types are in ``dir(session)``."""
from __future__ import annotations


from ftrack_orm import Session
from ftrack_orm.sandbox import Sandbox

from tests.support.network import closed_port_url


def test_types_are_in_dir_of_the_session():
    with Sandbox(seed="demo") as sandbox, Session(sandbox.url, sandbox.api_user, sandbox.api_key,
                                                   schema_cache=False) as session:
        names = dir(session)
        assert {"Task", "Shot", "AssetVersion", "query", "commit"} <= set(names)


def test_dir_without_a_server_lists_the_session_api():
    session = Session(closed_port_url(), "u", "k", schema_cache=False, retry=None)
    names = dir(session)
    assert "query" in names and "Task" not in names
