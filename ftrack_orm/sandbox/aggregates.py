"""Aggregate queries: ``select count(id), status_id from Task group by status_id``.

As ftrack answers them (the strict API's ``group by``): one plain row per group,
no ``__entity_type__``, each group-by path under its dotted name and each aggregate
under ``<function>_<path>`` (``count_id``, ``sum_bid``). The where clause, the
grouped values and the aggregated ones are compiled by the one SQL compiler.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ..query import ast
from ..query.paths import resolve_path
from .computed import ComputedAttributes
from .sqlwhere import SqlCompiler
from .store import Store, from_column, quote

#: function → SQL, and the kind of its value (``None``: the aggregated attribute's own kind).
_FUNCTIONS: Dict[str, Tuple[str, Optional[str]]] = {
    "count": ("COUNT({})", "integer"),
    "sum": ("TOTAL({})", None),
    "avg": ("AVG({})", "number"),
    "min": ("MIN({})", None),
    "max": ("MAX({})", None),
}


def aggregate(store: Store, computed: ComputedAttributes, query: ast.Query) -> Dict[str, Any]:
    """The result of an aggregate ``query`` operation (paged like any query)."""
    compiler = SqlCompiler(store, computed)
    entity_type = query.entity_type
    columns: List[Tuple[str, str, str]] = []  # (answer key, SQL, kind)
    groups = []
    for path in query.group_by:
        sql, _ = compiler.value_of(entity_type, "a0", path)
        groups.append(sql)
        columns.append((str(path), sql, _kind(store, entity_type, path)))
    for item in query.aggregates:
        sql, _ = compiler.value_of(entity_type, "a0", item.path)
        template, kind = _FUNCTIONS[item.function]
        own = _kind(store, entity_type, item.path)
        if item.function == "sum" and own == "integer":
            template = "SUM({})"
        columns.append((item.key, template.format(sql), kind or own))
    conditions, params = compiler.root_conditions(query, "a0")
    order = [f"({compiler.value_of(entity_type, 'a0', key.path)[0]})" + (" DESC" if key.descending else "")
             for key in query.order_by] + groups
    offset = query.offset or 0
    limit = -1 if query.limit is None else query.limit + 1
    sql = (
        f"SELECT {', '.join(c[1] for c in columns)} FROM {quote(store.table(entity_type).name)} a0 "
        f"WHERE {' AND '.join(conditions) or '1'} GROUP BY {', '.join(groups)} "
        f"ORDER BY {', '.join(order)} LIMIT ? OFFSET ?"
    )
    rows = store.connection.execute(sql, [*params, limit, offset]).fetchall()
    next_offset = None
    if query.limit is not None and len(rows) > query.limit:
        rows, next_offset = rows[: query.limit], offset + query.limit
    data = [{key: from_column(kind, row[i]) for i, (key, _, kind) in enumerate(columns)} for row in rows]
    return {"action": "query", "data": data, "metadata": {"next": {"offset": next_offset}}}


def _kind(store: Store, entity_type: str, path: ast.Path) -> str:
    return resolve_path(store.schemas, entity_type, path)[-1].attribute.kind
