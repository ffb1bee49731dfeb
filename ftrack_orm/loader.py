"""The session's loader: fetches unloaded attributes for the identity map.

``load(entity_type, entities, attributes)`` sends ONE call holding one ``query``
operation per chunk of keys (``select <attributes> from <type> where id in
(...)``), so 1,000 entities cost one request while no single expression carries
more than :data:`KEYS_PER_QUERY` keys (very long ``in`` lists fail on real servers).
All answers decode into one result group, so what they bring (e.g. the parents
of 1,000 tasks) is batched again when read.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, List, Sequence, Tuple

from . import operations as ops
from .entity.inspection import inspect
from .query import ast
from .query.render import render
from .steps import BlockingCall, Call, Steps, run

if TYPE_CHECKING:  # pragma: no cover
    from .entity.base import Entity
    from .entity.loading import ResultGroup
    from .schema import SchemaRegistry

#: Keys per ``in (...)`` list in one query expression.
KEYS_PER_QUERY = 250


class SessionLoader:
    """Implements :class:`~ftrack_orm.entity.loading.Loader` over a blocking ``call``
    (the wire client's; an asyncio session passes one that refuses to block).

    ``schemas`` gives the primary keys; ``result_group()`` makes the group the
    answers of one load decode into (the identity map's).
    """

    def __init__(
        self, call: BlockingCall, schemas: SchemaRegistry, result_group: Callable[[], ResultGroup]
    ) -> None:
        self._call = call
        self._schemas = schemas
        self._result_group = result_group

    def load(self, entity_type: str, entities: Sequence[Entity], attributes: Sequence[str]) -> None:
        self.load_many([(entity_type, entities, attributes)])

    def load_many(self, requests: Sequence[Tuple[str, Sequence[Entity], Sequence[str]]]) -> None:
        """Serve several ``load`` requests in ONE call (one query operation per key chunk)."""
        run(self.load_steps(requests), self._call)

    def load_steps(self, requests: Sequence[Tuple[str, Sequence[Entity], Sequence[str]]]) -> Steps[None]:
        """:meth:`load_many` as :mod:`~ftrack_orm.steps`."""
        batch = []
        for entity_type, entities, attributes in requests:
            keys = self._schemas[entity_type].primary_key
            select = tuple(ast.Path.of(name) for name in dict.fromkeys(list(keys) + list(attributes)))
            for start in range(0, len(entities), KEYS_PER_QUERY):
                chunk = entities[start:start + KEYS_PER_QUERY]
                batch.append(ops.query(render(ast.Query(entity_type, select, _key_criteria(keys, chunk)))))
        if not batch:
            return
        group = self._result_group()
        yield Call(batch, group.merge)


def _key_criteria(keys: Sequence[str], entities: Sequence[Any]) -> ast.Criteria:
    if len(keys) == 1:
        values = tuple(inspect(entity).primary_key[0] for entity in entities)
        return ast.Comparison(ast.Path.of(keys[0]), "in", values)
    alternatives: List[ast.Criteria] = [
        ast.And(tuple(ast.Comparison(ast.Path.of(k), "=", v) for k, v in zip(keys, inspect(entity).primary_key)))
        for entity in entities
    ]
    return ast.Or(tuple(alternatives)) if len(alternatives) > 1 else alternatives[0]
