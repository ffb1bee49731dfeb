"""Fixtures for the entity layer: the real schemas and an identity map (helpers are in
tests/support/entities.py)."""
from __future__ import annotations

import pytest

from ftrack_orm.entity.identity import IdentityMap
from ftrack_orm.schema import SchemaRegistry
from tests.support.data import SCHEMAS


@pytest.fixture(scope="session")
def schemas() -> SchemaRegistry:
    return SchemaRegistry.from_file(str(SCHEMAS))


@pytest.fixture
def imap(schemas: SchemaRegistry) -> IdentityMap:
    return IdentityMap(schemas)
