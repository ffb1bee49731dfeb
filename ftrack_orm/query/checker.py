"""Check a parsed query against the server's schemas.

:func:`check` raises :class:`QueryValidationError` naming the type, the
attribute, a did-you-mean and the position of the problem. Paths are walked by
the one resolver, :mod:`ftrack_orm.query.paths`, shared with the builder and
the sandbox.
"""
from __future__ import annotations

from typing import Any, Tuple

import attrs

from ..kinds import KINDS
from ..schema import SchemaRegistry
from . import ast
from .lexer import QueryValidationError
from .paths import require_collection, require_comparable, require_reference, resolve_path, resolve_type



def check(query: ast.Query, schemas: SchemaRegistry, expression: str = "") -> None:
    """Validate every type, path, operator and value of ``query`` against ``schemas``."""
    _Checker(schemas, expression).query(query)


def expand_default_projections(query: ast.Query, schemas: SchemaRegistry) -> ast.Query:
    """The bare form ``Task where …`` with its type's default projections made explicit."""
    if query.select is not None:
        return query
    schema = resolve_type(schemas, query.entity_type, "", query.type_pos)
    select = tuple(ast.Path.of(name) for name in schema.default_projections)
    return attrs.evolve(query, select=select)


class _Checker:
    def __init__(self, schemas: SchemaRegistry, expression: str) -> None:
        self.schemas = schemas
        self.expression = expression

    def fail(self, message: str, position: int) -> QueryValidationError:
        return QueryValidationError(message, self.expression, position)

    def query(self, query: ast.Query) -> None:
        resolve_type(self.schemas, query.entity_type, self.expression, query.type_pos)
        for path in query.select or ():
            resolve_path(self.schemas, query.entity_type, path, self.expression)
        if query.where is not None:
            self.criteria(query.entity_type, query.where)
        for key in query.order_by:
            steps = resolve_path(self.schemas, query.entity_type, key.path, self.expression)
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

    def criteria(self, entity_type: str, node: ast.Criteria) -> None:
        if isinstance(node, (ast.And, ast.Or)):
            for item in node.items:
                self.criteria(entity_type, item)
        elif isinstance(node, ast.Not):
            self.criteria(entity_type, node.item)
        elif isinstance(node, ast.Has):
            last = resolve_path(self.schemas, entity_type, node.path, self.expression)[-1]
            require_reference(last, self.expression, node.path.pos)
            self.criteria(last.target or "", node.criteria)
        elif isinstance(node, ast.Any):
            last = resolve_path(self.schemas, entity_type, node.path, self.expression)[-1]
            require_collection(last, self.expression, node.path.pos)
            if node.criteria is not None:
                self.criteria(last.target or "", node.criteria)
        elif isinstance(node, ast.Comparison):
            self.comparison(entity_type, node)
        else:
            raise self.fail(f"Not a criteria node: {node!r}", -1)

    def comparison(self, entity_type: str, node: ast.Comparison) -> None:
        last = resolve_path(self.schemas, entity_type, node.path, self.expression)[-1]
        kind = last.attribute.kind
        require_comparable(last, str(node.path), self.expression, node.pos)
        if isinstance(node.value, ast.Query):
            sub = node.value
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
        for value in values:
            problem = None if value is None else KINDS[kind].literal_problem(value)
            if problem:
                raise self.fail(
                    f"Invalid value {value!r} for {last.attribute.name!r} of schema "
                    f"{last.schema.name!r}: {problem}.",
                    node.pos,
                )
