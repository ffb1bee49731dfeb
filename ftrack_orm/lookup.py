"""How a session finds entities: a checked query tree, primary keys, references, ``get`` and ``ensure``.

What :class:`~ftrack_orm.session.Session` (and, through it, the asyncio session)
runs for ``query``, ``entity_key``, ``get`` and ``ensure``: functions of the schemas
and the identity map; what needs the server is :mod:`~ftrack_orm.steps`. Queries
are made through the ``query`` callable the session passes (its own ``query``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

from .steps import Steps

if TYPE_CHECKING:  # pragma: no cover
    from .entity.base import Entity
    from .entity.identity import IdentityMap
    from .query import ast as qast
    from .results import QueryResult
    from .schema import SchemaRegistry

__all__ = ["Key", "query_tree", "entity_key", "reference", "get_steps", "ensure_steps"]

#: A primary key as the seed API takes it: a value (single-key types), a sequence, or a mapping of key names.
Key = Union[str, int, Sequence[Any], Mapping[str, Any]]


def query_tree(expression: Any, schemas: SchemaRegistry) -> qast.Query:
    """The checked syntax tree of an entity query: an expression string, or an entity class / type name.

    An unknown type or attribute, or a ``group by`` (rows, not entities), raises
    ``QueryValidationError`` before anything is sent."""
    from .query import Query, QueryValidationError, check, parse
    from .query.builder import type_name
    if not isinstance(expression, str):
        tree = Query(type_name(expression))
        check(tree, schemas)
        return tree
    tree = parse(expression)
    check(tree, schemas, expression)
    if tree.group_by:
        raise QueryValidationError(
            "A 'group by' query answers rows, not entities: use session.aggregate().", expression, 0
        )
    return tree


def entity_key(schemas: SchemaRegistry, entity_type: str, key: Key) -> List[Any]:
    """Primary-key values of ``entity_type`` in ``primary_key`` order (see :data:`Key`)."""
    if isinstance(key, Mapping):
        names = schemas[entity_type].primary_key
        missing = [name for name in names if name not in key]
        if missing:
            raise ValueError(f"{entity_type} key is missing {', '.join(missing)} (primary key: {', '.join(names)}).")
        return [key[name] for name in names]
    if isinstance(key, (str, int)):
        return [key]
    return list(key)


def reference(identity: IdentityMap, entity_type: str, key: Key) -> Entity:
    """The entity of that key from the identity map, or a reference-only one (no request)."""
    values = entity_key(identity.schemas, entity_type, key)
    found = identity.get(entity_type, tuple(values))
    if found is not None:
        return found
    payload: Dict[str, Any] = dict(zip(identity.schemas[entity_type].primary_key, values))
    payload["__entity_type__"] = entity_type
    entity: Entity = identity.merge(payload)  # the key is complete: an entity
    return entity


def get_steps(identity: IdentityMap, query: Callable[[str], QueryResult[Any]], entity_type: str,
              key: Key) -> Steps[Optional[Entity]]:
    """The entity with that key: from the identity map (no call), else ONE query of ``query(entity_type)``."""
    values = entity_key(identity.schemas, entity_type, key)
    names = identity.schemas[entity_type].primary_key
    if len(values) != len(names):
        raise ValueError(f"get({entity_type!r}, {key!r}): {entity_type} has a primary key of "
                         f"{len(names)} value(s) ({', '.join(names)}).")
    found = identity.get(entity_type, tuple(values))
    if found is not None:
        return found
    entity: Optional[Entity] = yield from query(entity_type).where(**dict(zip(names, values))).first_steps()
    return entity


def ensure_steps(identity: IdentityMap, query: Callable[[str], QueryResult[Any]],
                 create: Callable[[str, Mapping[str, Any]], Entity], entity_type: str,
                 data: Mapping[str, Any], identifying_keys: Optional[Sequence[str]] = None) -> Steps[Entity]:
    """The entity matching ``data`` on ``identifying_keys`` (default: all keys of ``data``):
    ``create(entity_type, data)`` when none matches, else its differing values updated
    (pending: the caller commits)."""
    names = list(identifying_keys or data.keys())
    missing = [name for name in names if name not in data]
    if missing:
        raise ValueError(f"ensure({entity_type!r}): identifying keys {missing} are not in data.")
    result = query(entity_type).where(**{name: data[name] for name in names})
    result = result.select(*dict.fromkeys(list(identity.schemas[entity_type].primary_key) + list(data)))
    rows = yield from result.limit(2).all_steps()
    from .results import MultipleResultsFoundError
    if len(rows) > 1:
        raise MultipleResultsFoundError(f"ensure({entity_type!r}) matched several entities: {result}")
    if not rows:
        return create(entity_type, data)
    entity: Entity = rows[0]
    for name, value in data.items():
        if entity[name] != value:
            entity[name] = value
    return entity
