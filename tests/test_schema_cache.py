"""The schema cache on disk: keyed by schema hash, its directory."""
from __future__ import annotations

from ftrack_orm.schema_cache import SchemaCache


def test_cache_is_keyed_by_schema_hash(tmp_path):
    cache = SchemaCache(tmp_path)
    assert cache.is_empty()
    cache.store("hash-a", [{"id": "A"}])
    assert not cache.is_empty()
    assert cache.load("hash-a") == [{"id": "A"}]
    assert cache.load("hash-b") is None and cache.load(None) is None
    assert cache.path_for("../../etc/passwd").parent == tmp_path


def test_default_cache_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FTRACK_ORM_CACHE_DIR", str(tmp_path / "c"))
    assert SchemaCache().directory == tmp_path / "c"
