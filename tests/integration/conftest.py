"""Integration fixtures: a real sandbox server on loopback and a recording session talking to it."""
from __future__ import annotations

import pytest

from tests.support.live import recording_session


@pytest.fixture
def sandbox(ftrack_sandbox):
    return ftrack_sandbox


@pytest.fixture
def session(sandbox):
    with recording_session(sandbox) as s:
        yield s
