"""Compile query criteria, order keys and sub-queries to SQL.

Every step through a relation becomes an uncorrelated ``IN (SELECT …)``, so
SQLite evaluates it once as a set and probes it by index: ``parent.name is
"sh010"`` is ``a0.parent_id IN (SELECT a1.id FROM Context a1 WHERE a1.name =
?)``. A step through a collection means *one item* matches, as on ftrack.
Values are always bound parameters.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, List, Sequence, Tuple

from ..kinds import KINDS
from ..query import ast
from ..query.paths import resolve_path
from .computed import ComputedAttributes
from .errors import unstored, validation_error
from .links import owners_matching
from ..relations import Relation
from .store import Store, quote

Sql = Tuple[str, List[Any]]

_COMPARE = {"=": "=", "!=": "!=", ">": ">", "<": "<", ">=": ">=", "<=": "<=", "like": "LIKE", "not_like": "NOT LIKE"}


class SqlCompiler:
    """Turns AST pieces into SQL over the store's tables (aliases ``a0``, ``a1``, …)."""

    def __init__(self, store: Store, computed: ComputedAttributes) -> None:
        self.store = store
        self.computed = computed
        self._aliases = itertools.count(1)

    def alias(self) -> str:
        return f"a{next(self._aliases)}"

    # -- criteria -------------------------------------------------------------------------
    def criteria(self, node: ast.Criteria, entity_type: str, alias: str) -> Sql:
        if isinstance(node, (ast.And, ast.Or)):
            parts = [self.criteria(item, entity_type, alias) for item in node.items]
            joiner = " AND " if isinstance(node, ast.And) else " OR "
            return "(" + joiner.join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]]
        if isinstance(node, ast.Not):
            sql, params = self.criteria(node.item, entity_type, alias)
            return f"NOT ({sql})", params
        if isinstance(node, (ast.Has, ast.Any)):
            inner = node.criteria
            return self._through(
                entity_type, alias, list(node.path.steps),
                lambda t, a: self.criteria(inner, t, a) if inner is not None else ("1", []),
            )
        if isinstance(node, ast.Comparison):
            *head, last = node.path.steps
            return self._through(entity_type, alias, head, lambda t, a: self._leaf(t, a, last, node))
        raise validation_error(f"Unsupported criteria {node!r}.")

    def _through(
        self, entity_type: str, alias: str, steps: Sequence[ast.PathStep], leaf: Callable[[str, str], Sql]
    ) -> Sql:
        """``leaf`` evaluated on the entities reached from ``alias`` through ``steps``."""
        if not steps:
            return leaf(entity_type, alias)
        step, rest = steps[0], steps[1:]
        schema = self.store.schemas[entity_type]
        attribute = schema.attribute(step.name)
        relation = self.store.relations.get(entity_type, step.name)
        if relation is None:
            raise unstored(entity_type, step.name)
        target = step.cast or attribute.target or relation.target
        inner = self.alias()
        table = self.store.table(target)
        inner_sql, params = self._through(target, inner, rest, leaf)
        conditions = [inner_sql]
        type_sql, type_params = self.store.type_filter(target, inner)
        if type_sql:
            conditions.append(type_sql)
        extra_params: List[Any] = []
        for column, value in relation.where if relation.kind != "link" else ():  # a link's: on its rows
            conditions.append(f"{inner}.{quote(column)} = ?")
            extra_params.append(value)
        where = " AND ".join(conditions)
        all_params = [*params, *type_params, *extra_params]
        source = f"{quote(table.name)} {inner}"
        if relation.kind in ("reference", "latest"):
            key = quote(table.primary_key[0])
            own = self.computed.key_sql(relation, alias)
            return f"{own} IN (SELECT {inner}.{key} FROM {source} WHERE {where})", all_params
        if relation.kind in ("collection", "mapped"):
            owner = self.store.table(entity_type).primary_key[0]
            return (
                f"{alias}.{quote(owner)} IN (SELECT {inner}.{quote(relation.fk)} FROM {source} WHERE {where})",
                all_params,
            )
        if relation.kind == "link":
            owner = self.store.table(entity_type).primary_key[0]
            key = quote(table.primary_key[0])
            owners, owner_params = owners_matching(
                self.store, relation, f"SELECT {inner}.{key} FROM {source} WHERE {where}", all_params)
            return f"{alias}.{quote(owner)} IN ({owners})", owner_params
        return self._tree(relation, entity_type, alias, inner, source, where, all_params)

    def _tree(self, relation: Relation, entity_type: str, alias: str, inner: str, source: str,
              where: str, params: List[Any]) -> Sql:
        """``ancestors`` / ``descendants``: a recursive walk of ``parent_id``."""
        table = quote(self.store.table(entity_type).name)
        closure = (
            f"WITH RECURSIVE up(child, anc) AS (SELECT id, parent_id FROM {table} WHERE parent_id IS NOT NULL "
            f"UNION SELECT up.child, c.parent_id FROM up JOIN {table} c ON c.id = up.anc "
            "WHERE c.parent_id IS NOT NULL) "
        )
        mine, theirs = ("child", "anc") if relation.kind == "ancestors" else ("anc", "child")
        return (
            f"{alias}.id IN ({closure}SELECT up.{mine} FROM up JOIN {source} ON {inner}.id = up.{theirs} "
            f"WHERE {where})",
            params,
        )

    def _leaf(self, entity_type: str, alias: str, step: ast.PathStep, node: ast.Comparison) -> Sql:
        schema = self.store.schemas[entity_type]
        attribute = schema.attribute(step.name)
        if attribute.is_reference:
            relation = self.store.relations.get(entity_type, step.name)
            if relation is None:
                raise unstored(entity_type, step.name)
            column, kind = self.computed.key_sql(relation, alias), "string"
        elif attribute.is_scalar:
            computed = self.computed.sql(entity_type, step.name, alias)
            column, kind = computed or f"{alias}.{quote(step.name)}", attribute.kind
        else:
            raise validation_error(f"Cannot compare collection {step.name!r} of {entity_type!r}.")
        return self._compare(KINDS[kind].column_expression.format(column), kind, node)

    def _compare(self, column: str, kind: str, node: ast.Comparison) -> Sql:
        op, value = node.op, node.value
        if op in ("in", "not_in"):
            negate = "NOT " if op == "not_in" else ""
            if isinstance(value, ast.Query):
                sub_sql, sub_params = self.subquery(value)
                return f"{column} {negate}IN ({sub_sql})", sub_params
            values = [coerce(kind, v) for v in value]
            present = [v for v in values if v is not None]
            parts, params = [], list(present)
            if present:
                parts.append(f"{column} {negate}IN ({', '.join('?' * len(present))})")
            if len(present) != len(values):
                parts.append(f"{column} IS {'NOT ' if negate else ''}NULL")
            if not parts:
                return ("1" if negate else "0"), []
            return "(" + (" AND " if negate else " OR ").join(parts) + ")", params
        if value is None:
            if op == "=":
                return f"{column} IS NULL", []
            if op == "!=":
                return f"{column} IS NOT NULL", []
            return "0", []
        if op in ("like", "not_like"):
            return f"{column} {_COMPARE[op]} ?", [str(value)]
        return f"{column} {_COMPARE[op]} ?", [coerce(kind, value)]

    # -- sub-queries and ordering ------------------------------------------------------------------
    def subquery(self, query: ast.Query) -> Sql:
        """``select <one path> from T where …`` as an SQL select of that value."""
        if not query.select or len(query.select) != 1:
            raise validation_error("A sub-query must select exactly one attribute.")
        alias = self.alias()
        table = self.store.table(query.entity_type)
        value_sql, params = self.value_of(query.entity_type, alias, query.select[0])
        conditions, where_params = self.root_conditions(query, alias)
        where = " AND ".join(conditions) or "1"
        return f"SELECT {value_sql} FROM {quote(table.name)} {alias} WHERE {where}", [*params, *where_params]

    def root_conditions(self, query: ast.Query, alias: str) -> Tuple[List[str], List[Any]]:
        """Type restriction and where-clause of ``query`` on ``alias``."""
        conditions, params = [], []
        type_sql, type_params = self.store.type_filter(query.entity_type, alias)
        if type_sql:
            conditions.append(type_sql)
            params.extend(type_params)
        if query.where is not None:
            sql, where_params = self.criteria(query.where, query.entity_type, alias)
            conditions.append(sql)
            params.extend(where_params)
        return conditions, params

    def value_of(self, entity_type: str, alias: str, path: ast.Path) -> Sql:
        """A scalar SQL expression for ``path`` through references (for order by / sub-queries)."""
        steps = resolve_path(self.store.schemas, entity_type, path)
        current_type, current_alias, chain = entity_type, alias, []
        for resolved in steps[:-1]:
            relation = self.store.relations.get(current_type, resolved.attribute.name)
            if relation is None or relation.kind not in ("reference", "latest"):
                raise validation_error(
                    f"Cannot use {str(path)!r} here: only references can be followed, and "
                    f"{resolved.attribute.name!r} of {current_type!r} is a {resolved.attribute.kind}."
                )
            nxt = self.alias()
            chain.append((relation, current_alias, nxt, resolved.target or relation.target))
            current_type, current_alias = resolved.target or relation.target, nxt
        last = steps[-1].attribute
        if last.is_scalar:
            computed = self.computed.sql(current_type, last.name, current_alias)
            expression = computed or f"{current_alias}.{quote(last.name)}"
        elif last.is_reference:
            relation = self.store.relations.get(current_type, last.name)
            expression = self.computed.key_sql(relation, current_alias) if relation else "NULL"
        else:
            raise validation_error(f"Cannot use collection {str(path)!r} as a value.")
        for relation, outer, inner, target in reversed(chain):
            table = quote(self.store.table(target).name)
            expression = f"(SELECT {expression} FROM {table} {inner} WHERE {inner}.id = {self.computed.key_sql(relation, outer)})"
        return expression, []


def coerce(kind: str, value: Any) -> Any:
    """A query literal converted to the stored form of an attribute of ``kind``."""
    if value is None:
        return None
    try:
        return KINDS[kind].coerce(value)
    except (TypeError, ValueError):
        raise validation_error(f"Invalid value {value!r} for an attribute of type {kind}.") from None
