"""Sandbox fixtures for the result tests: the integration package's (one sandbox
per test, a recording session with schemas loaded)."""
from tests.integration.conftest import sandbox, session  # noqa: F401
