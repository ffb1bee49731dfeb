"""The seed fills a store through the writer alone: no import of the server (no circle)."""
from __future__ import annotations

from ftrack_orm.sandbox.evaluator import Evaluator
from ftrack_orm.sandbox.seed import apply_seed, uid
from ftrack_orm.sandbox.store import Store
from ftrack_orm.sandbox.writes import Writer
from ftrack_orm.schema import SchemaRegistry

from tests.support.data import schemas_json
from tests.support.imports import imported_modules


def test_seed_does_not_import_the_server():
    assert "ftrack_orm.sandbox.server" not in imported_modules("ftrack_orm.sandbox.seed")
    assert "ftrack_orm.sandbox.seed" in imported_modules("ftrack_orm.sandbox.server")


def test_seed_fills_a_store_through_a_writer():
    store = Store(SchemaRegistry.from_json(schemas_json()))
    writer = Writer(store, Evaluator(store))
    with store.writing() as connection:
        connection.execute("BEGIN")
        apply_seed(writer, "empty")
        connection.execute("COMMIT")
    assert store.get("User", [uid("User", "admin")])["username"] == "admin"
