"""Per-type facts of the store are computed once and agree with the schemas."""
from __future__ import annotations

from ftrack_orm.sandbox.store import Store
from ftrack_orm.schema import SchemaRegistry

from tests.support.data import schemas_json


def test_subtypes_and_families_agree_with_the_schema_registry():
    schemas = SchemaRegistry.from_json(schemas_json())
    store = Store(schemas)
    try:
        for name in schemas:
            assert list(store.subtypes(name)) == schemas.subtypes(name)
            assert store.family(name) == schemas.identity_type(name)
        assert store.subtypes("Context")[0] == "Context" and "Shot" in store.subtypes("TypedContext")
    finally:
        store.close()
