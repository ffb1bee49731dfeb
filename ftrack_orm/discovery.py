"""What a session learns of its server before the first entity: the server information,
the schemas (through the disk cache when the server's ``schema_hash`` has not changed)
and the custom attribute configurations.

Each is :mod:`~ftrack_orm.steps`, driven by the blocking or the asyncio session.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from . import operations as ops
from .schema import SchemaRegistry
from .schema_cache import SchemaCache
from .steps import Call, Steps

__all__ = ["schema_steps", "custom_attribute_configuration_steps"]

#: What :func:`custom_attribute_configuration_steps` reads of each configuration.
_CONFIGURATIONS = ("select id, key, entity_type, object_type_id, project_id, is_hierarchical, "
                   "config, default, type.name from CustomAttributeConfiguration")


def schema_steps(cache: Optional[SchemaCache]) -> Steps[Tuple[Dict[str, Any], SchemaRegistry]]:
    """The server information and the schema registry: one call on a cold start; with a
    filled ``cache``, the information alone when its ``schema_hash`` still matches."""
    schemas = None
    if cache is not None and not cache.is_empty():
        info = (yield Call([ops.query_server_information()]))[0]
        schemas = cache.load(info.get("schema_hash"))
        if schemas is None:
            schemas = (yield Call([ops.query_schemas()]))[0]
            cache.store(info.get("schema_hash"), schemas)
    else:
        info, schemas = yield Call([ops.query_server_information(), ops.query_schemas()])
        if cache is not None:
            cache.store(info.get("schema_hash"), schemas)
    return info, SchemaRegistry.from_json(schemas, schema_hash=info.get("schema_hash"))


def custom_attribute_configuration_steps() -> Steps[List[Dict[str, Any]]]:
    """The server's custom attribute configurations as plain dicts (no identity map)."""
    rows: List[Dict[str, Any]] = (yield Call([ops.query(_CONFIGURATIONS)]))[0]["data"]
    return rows
