"""Per-type facts of the store are computed once and agree with the schemas."""
from __future__ import annotations

from ftrack_orm.sandbox.custom_values import BASE, value_types
from ftrack_orm.sandbox.store import Store
from ftrack_orm.schema import SchemaRegistry

from tests.support.data import schemas_json


def test_subtypes_and_families_agree_with_the_schema_registry():
    schemas = SchemaRegistry.from_json(schemas_json())
    store = Store(schemas)
    try:
        for name in schemas:
            assert list(store.subtypes(name)) == schemas.subtypes(name)
            # every custom attribute value type (base and typed) shares one store, as on ftrack
            shared = BASE if name in value_types(schemas) else schemas.identity_type(name)
            assert store.family(name) == shared
        assert store.family("ContextCustomAttributeValue") == BASE != store.family("Context")
        assert store.subtypes("Context")[0] == "Context" and "Shot" in store.subtypes("TypedContext")
    finally:
        store.close()
