"""Fixtures of the result tests: a fresh demo sandbox per test (the ``ftrack_sandbox``
fixture) and a recording session with schemas loaded."""
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
