"""Aggregate queries from the client: ``session.aggregate("select count(id) from Task group by status_id")``.

ftrack answers ``group by`` queries (strict API) with plain rows, not entities, so
they do not go through :meth:`Session.query`. :func:`aggregate_steps` checks the
expression against the schemas before anything is sent, then yields one ``query``
call and returns its rows: a list of dicts keyed by each group-by path (``status_id``)
and ``<function>_<path>`` per aggregate (``count_id``).
"""
from __future__ import annotations

from typing import Any, Dict, List

from . import operations as ops
from .query import QueryValidationError, check, parse
from .schema import SchemaRegistry
from .steps import Call, Steps


def aggregate_steps(expression: str, schemas: SchemaRegistry) -> Steps[List[Dict[str, Any]]]:
    """Check ``expression`` (an aggregate ``group by`` query), send it, return its rows."""
    tree = parse(expression)
    check(tree, schemas, expression)
    if not tree.group_by:
        raise QueryValidationError(
            f"Not an aggregate query (no 'group by'): use session.query() for {expression!r}.", expression, 0
        )
    results = yield Call([ops.query(expression)])
    rows: List[Dict[str, Any]] = list(results[0]["data"])
    return rows
