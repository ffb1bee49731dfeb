"""Sandbox tests talk real HTTP to a real sandbox on loopback, with plain ``requests``
(the client is tests/support/sandbox_http.py)."""
from __future__ import annotations

import pytest

from ftrack_orm.sandbox import Sandbox
from tests.support.sandbox_http import Client


@pytest.fixture(scope="session")
def shared_sandbox():
    """One demo sandbox for the tests that only read."""
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def reader(shared_sandbox) -> Client:
    return Client(shared_sandbox)


@pytest.fixture
def sandbox():
    """A fresh demo sandbox for a test that writes."""
    with Sandbox() as fresh:
        yield fresh


@pytest.fixture
def client(sandbox) -> Client:
    return Client(sandbox)
