"""Check a parsed query against the server's schemas.

:func:`check` raises :class:`QueryValidationError` naming the type, the
attribute, a did-you-mean and the position of the problem. Paths are walked by
the one resolver, :mod:`ftrack_orm.query.paths`, shared with the builder and
the sandbox.
"""
from __future__ import annotations

from typing import Any, List, Tuple

import attrs

from ..kinds import KINDS
from ..schema import SchemaRegistry
from . import ast
from .lexer import QueryValidationError
from .casts import explicit_casts
from .paths import (
    ResolvedStep,
    is_pseudo,
    require_collection,
    require_comparable,
    require_reference,
    resolve_path,
    resolve_type,
)



#: The attribute kinds each aggregate function takes (``count`` takes any scalar).
AGGREGATE_KINDS = {
    "sum": ("integer", "number"),
    "avg": ("integer", "number"),
    "min": ("integer", "number", "date", "datetime"),
    "max": ("integer", "number", "date", "datetime"),
}


def check(query: ast.Query, schemas: SchemaRegistry, expression: str = "") -> None:
    """Validate every type, path, operator and value of ``query`` against ``schemas``."""
    checker = _Checker(schemas, expression)
    checker.query(query)
    if checker.implicit_casts:  # what only the rewrite can tell: one has/any mixing subtypes
        explicit_casts(query, schemas, expression)


def expand_default_projections(query: ast.Query, schemas: SchemaRegistry) -> ast.Query:
    """The bare form ``Task where …`` with its type's default projections made explicit."""
    if query.select is not None or query.aggregates:
        return query
    schema = resolve_type(schemas, query.entity_type, "", query.type_pos)
    select = tuple(ast.Path.of(name) for name in schema.default_projections)
    return attrs.evolve(query, select=select)


class _Checker:
    def __init__(self, schemas: SchemaRegistry, expression: str) -> None:
        self.schemas = schemas
        self.expression = expression
        self.implicit_casts = False  # a path read an attribute on a subtype of a relation's target

    def resolve(self, entity_type: str, path: ast.Path, nested: bool = False) -> List[ResolvedStep]:
        steps = resolve_path(self.schemas, entity_type, path, self.expression, nested)
        if not self.implicit_casts and any(step.via is not None for step in steps):
            self.implicit_casts = True
        return steps

    def fail(self, message: str, position: int) -> QueryValidationError:
        return QueryValidationError(message, self.expression, position)

    def query(self, query: ast.Query) -> None:
        resolve_type(self.schemas, query.entity_type, self.expression, query.type_pos)
        for path in query.select or ():
            if not is_pseudo(path):  # ``__permissions.status_id``: the server's to answer
                self.resolve(query.entity_type, path)
        if query.where is not None:
            self.criteria(query.entity_type, query.where)
        if query.aggregates or query.group_by:
            self.grouping(query)
        for key in query.order_by:
            steps = self.resolve(query.entity_type, key.path)
            for step, source in zip(steps, key.path.steps):
                if step.attribute.is_collection:
                    raise self.fail(
                        f"Cannot order by {str(key.path)!r}: {step.attribute.name!r} of schema "
                        f"{step.schema.name!r} is a collection.",
                        source.pos,
                    )
            if steps[-1].target is not None:
                raise self.fail(
                    f"Cannot order by {str(key.path)!r}: it is a relation, not a value.", key.path.pos
                )

    def value_path(self, entity_type: str, path: ast.Path, what: str) -> ResolvedStep:
        """The last step of ``path``, a scalar reached through references only."""
        steps = self.resolve(entity_type, path)
        for step, source in zip(steps, path.steps):
            if step.attribute.is_collection:
                raise self.fail(f"Cannot {what} {str(path)!r}: {step.describe()} is a collection.", source.pos)
        if not steps[-1].attribute.is_scalar:
            raise self.fail(f"Cannot {what} {str(path)!r}: it is a relation, not a value.", path.pos)
        return steps[-1]

    def grouping(self, query: ast.Query) -> None:
        """``select count(id), status_id from Task group by status_id`` (ftrack's strict API)."""
        if query.aggregates and not query.group_by:
            raise self.fail("Aggregates need a 'group by' clause (e.g. 'select count(id) from Task "
                            "group by status_id').", query.aggregates[0].pos)
        for aggregate in query.aggregates:
            last = self.value_path(query.entity_type, aggregate.path, f"aggregate {aggregate.function}() of")
            allowed = AGGREGATE_KINDS.get(aggregate.function)
            if allowed is not None and last.attribute.kind not in allowed:
                raise self.fail(
                    f"{aggregate.function}() needs {' or '.join(allowed)} values, but {last.describe()} "
                    f"is a {last.attribute.kind}.",
                    aggregate.pos,
                )
        for path in query.group_by:
            self.value_path(query.entity_type, path, "group by")
        grouped = set(query.group_by)
        for path in [*(query.select or ()), *(key.path for key in query.order_by)]:
            if path not in grouped:
                raise self.fail(f"{str(path)!r} is neither in 'group by' nor aggregated.", path.pos)

    def criteria(self, entity_type: str, node: ast.Criteria, nested: bool = False) -> None:
        if isinstance(node, (ast.And, ast.Or)):
            for item in node.items:
                self.criteria(entity_type, item, nested)
        elif isinstance(node, ast.Not):
            self.criteria(entity_type, node.item, nested)
        elif isinstance(node, ast.Has):
            last = self.resolve(entity_type, node.path, nested)[-1]
            require_reference(last, self.expression, node.path.pos)
            self.criteria(last.target or "", node.criteria, True)
        elif isinstance(node, ast.Any):
            last = self.resolve(entity_type, node.path, nested)[-1]
            require_collection(last, self.expression, node.path.pos)
            if node.criteria is not None:
                self.criteria(last.target or "", node.criteria, True)
        elif isinstance(node, ast.Comparison):
            self.comparison(entity_type, node, nested)
        else:
            raise self.fail(f"Not a criteria node: {node!r}", -1)

    def comparison(self, entity_type: str, node: ast.Comparison, nested: bool = False) -> None:
        last = self.resolve(entity_type, node.path, nested)[-1]
        kind = last.attribute.kind
        require_comparable(last, str(node.path), self.expression, node.pos)
        if isinstance(node.value, ast.Query):
            sub = node.value
            if sub.aggregates or sub.group_by:
                raise self.fail("A sub-query cannot aggregate or group.", sub.pos)
            self.query(sub)
            if sub.select is None or len(sub.select) != 1:
                raise self.fail("A sub-query must select exactly one attribute.", sub.pos)
            return
        values: Tuple[Any, ...] = node.value if isinstance(node.value, tuple) else (node.value,)
        if node.op in ("like", "not_like") and not isinstance(node.value, str):
            raise self.fail(f"'{node.op}' needs a string pattern, got {node.value!r}.", node.pos)
        if last.attribute.is_reference and node.op not in ("=", "!=", "in", "not_in"):
            raise self.fail(
                f"Cannot use '{node.op}' on reference {last.attribute.name!r} of schema "
                f"{last.schema.name!r}; compare its attributes instead.",
                node.pos,
            )
        if node.op in ("like", "not_like"):
            return  # a pattern matches the text of any scalar (``version like "1%"``), as on ftrack
        for value in values:
            problem = None if value is None else KINDS[kind].literal_problem(value)
            if problem:
                raise self.fail(
                    f"Invalid value {value!r} for {last.attribute.name!r} of schema "
                    f"{last.schema.name!r}: {problem}.",
                    node.pos,
                )
