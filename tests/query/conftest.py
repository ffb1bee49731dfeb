"""Fixtures of the query-language tests: the real schemas shipped with the sandbox."""
from __future__ import annotations

from pathlib import Path

import pytest

from ftrack_orm.schema import SchemaRegistry

SCHEMAS = Path(__file__).resolve().parents[2] / "ftrack_orm" / "sandbox" / "data" / "schemas.json"


@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    return SchemaRegistry.from_file(str(SCHEMAS))
