"""AST → canonical ftrack expression text.

``parse(render(node)) == node`` for every tree the parser can produce. Strings
are always double-quoted with backslash and quote escaped, so no value can
change the structure of the query. Canonical spellings: ``select … from``,
operators ``is``, ``is_not``, ``>``, ``<``, ``>=``, ``<=``, ``like``,
``not_like``, ``in``, ``not_in``; ``true``/``false``/``none``; ``order by k
[desc]``; ``offset`` before ``limit``.

Nested ``and``/``or`` groups are parenthesised; a one-item ``And``/``Or``
renders as its item. ``datetime``/``date`` values render as quoted ISO strings
(UTC, see :func:`ftrack_orm.kinds.to_literal`).
"""
from __future__ import annotations

import datetime
import math
from typing import Any, Union

from ..kinds import to_literal
from . import ast

_OPERATOR_TEXT = {
    "=": "is", "!=": "is_not", ">": ">", "<": "<", ">=": ">=", "<=": "<=",
    "like": "like", "not_like": "not_like", "in": "in", "not_in": "not_in",
}


def render(node: Union[ast.Node, Any]) -> str:
    """Render a query, criteria, path, order key or value as expression text."""
    if isinstance(node, ast.Query):
        return _query(node)
    if isinstance(node, ast.Path):
        return _path(node)
    if isinstance(node, ast.PathStep):
        return node.name + (f"[{node.cast}]" if node.cast else "")
    if isinstance(node, ast.OrderKey):
        return _path(node.path) + (" desc" if node.descending else "")
    if isinstance(node, (ast.Comparison, ast.Has, ast.Any, ast.And, ast.Or, ast.Not)):
        return _criteria(node)
    return render_value(node)


def render_value(value: Any) -> str:
    """One literal: quoted string, number, ``true``/``false``/``none``, or a list/sub-query."""
    if value is None:
        return "none"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"Cannot render the number {value!r} in an expression.")
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, datetime.date):
        return render_value(to_literal(value))
    if isinstance(value, ast.Query):
        return "(" + _query(value) + ")"
    if isinstance(value, (tuple, list, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return "(" + ", ".join(render_value(item) for item in items) + ")"
    raise TypeError(f"Cannot render a value of type {type(value).__name__} in an expression.")


def _path(path: ast.Path) -> str:
    return ".".join(s.name + (f"[{s.cast}]" if s.cast else "") for s in path.steps)


def _query(query: ast.Query) -> str:
    parts = []
    if query.select is not None or query.aggregates:
        items = [f"{a.function}({_path(a.path)})" for a in query.aggregates]
        items.extend(_path(p) for p in query.select or ())
        parts.append("select " + ", ".join(items) + " from")
    parts.append(query.entity_type)
    if query.where is not None:
        parts.append("where " + _criteria(query.where))
    if query.group_by:
        parts.append("group by " + ", ".join(_path(p) for p in query.group_by))
    if query.order_by:
        parts.append("order by " + ", ".join(render(key) for key in query.order_by))
    if query.offset is not None:
        parts.append(f"offset {int(query.offset)}")
    if query.limit is not None:
        parts.append(f"limit {int(query.limit)}")
    return " ".join(parts)


def _criteria(node: ast.Criteria) -> str:
    if isinstance(node, ast.Comparison):
        value = node.value
        if node.op in ("in", "not_in") and not isinstance(value, ast.Query):
            value = tuple(value) if isinstance(value, (list, tuple, set, frozenset)) else (value,)
        elif node.op not in ("in", "not_in") and isinstance(value, (ast.Query, list, tuple, set, frozenset)):
            raise TypeError(f"Operator {node.op!r} takes a single value, not {value!r}.")
        return f"{_path(node.path)} {_OPERATOR_TEXT[node.op]} {render_value(value)}"
    if isinstance(node, ast.Has):
        return f"{_path(node.path)} has ({_criteria(node.criteria)})"
    if isinstance(node, ast.Any):
        inner = "" if node.criteria is None else _criteria(node.criteria)
        return f"{_path(node.path)} any ({inner})"
    if isinstance(node, ast.Not):
        return "not " + _grouped(node.item)
    if isinstance(node, (ast.And, ast.Or)):
        if not node.items:
            raise ValueError(f"Cannot render an empty {type(node).__name__}.")
        if len(node.items) == 1:
            return _criteria(node.items[0])
        joiner = " and " if isinstance(node, ast.And) else " or "
        return joiner.join(_grouped(item) for item in node.items)
    raise TypeError(f"Not a criteria node: {node!r}")


def _grouped(node: ast.Criteria) -> str:
    """Parenthesise a nested and/or group so it parses back to the same tree."""
    text = _criteria(node)
    if isinstance(node, (ast.And, ast.Or)) and len(node.items) > 1:
        return "(" + text + ")"
    return text
