"""Fixtures of the query-language tests: the real schemas shipped with the sandbox."""
from __future__ import annotations


import pytest

from ftrack_orm.schema import SchemaRegistry
from tests.support.data import SCHEMAS



@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    return SchemaRegistry.from_file(str(SCHEMAS))
