"""Check a parsed query against the server's schemas.

:func:`check` raises :class:`QueryValidationError` naming the type, the
attribute, a did-you-mean and the position of the problem. :func:`resolve_path`
is shared with the sandbox's evaluator: it walks a path through references,
collections, mapped collections and casts and says what each step is.
"""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

import attrs

from ..kinds import KINDS
from ..didyoumean import no_schema_attribute, unknown_type
from ..schema import AttributeSchema, EntitySchema, SchemaRegistry
from . import ast
from .lexer import QueryValidationError



@attrs.frozen
class ResolvedStep:
    """One step of a path: the schema it is read on, the attribute, and where it leads."""

    schema: EntitySchema
    attribute: AttributeSchema
    target: Optional[str]  # entity type reached (the cast if any), None for scalars
    cast: Optional[str] = None


def resolve_type(schemas: SchemaRegistry, name: str, expression: str = "", position: int = -1) -> EntitySchema:
    """The schema of ``name``, or a validation error with a did-you-mean."""
    schema = schemas.get(name)
    if schema is None:
        raise QueryValidationError(unknown_type(name, schemas), expression, position)
    return schema


def resolve_path(
    schemas: SchemaRegistry, entity_type: str, path: ast.Path, expression: str = ""
) -> List[ResolvedStep]:
    """Walk ``path`` from ``entity_type``; raise :class:`QueryValidationError` on a bad step."""
    schema = resolve_type(schemas, entity_type, expression, path.pos)
    steps: List[ResolvedStep] = []
    for step in path.steps:
        if steps and steps[-1].target is None:
            previous = steps[-1]
            raise QueryValidationError(
                f"Attribute {previous.attribute.name!r} of schema {previous.schema.name!r} is a "
                f"{previous.attribute.kind}, not a relation: cannot read {step.name!r} from it.",
                expression,
                step.pos,
            )
        if steps:
            schema = resolve_type(schemas, steps[-1].target or "", expression, step.pos)
        attribute = schema.attributes.get(step.name)
        if attribute is None:
            raise QueryValidationError(
                no_schema_attribute(step.name, schema.name, schema.attributes), expression, step.pos
            )
        target = attribute.target
        if step.cast is not None:
            if target is None:
                raise QueryValidationError(
                    f"Cannot cast {step.name!r} of schema {schema.name!r}: it is not a relation.",
                    expression,
                    step.pos,
                )
            resolve_type(schemas, step.cast, expression, step.pos)
            if not schemas.is_subtype(step.cast, target):
                raise QueryValidationError(
                    f"Cannot cast {step.name!r} of schema {schema.name!r} to {step.cast!r}: "
                    f"it is not a subtype of {target!r}.",
                    expression,
                    step.pos,
                )
            target = step.cast
        steps.append(ResolvedStep(schema, attribute, target, step.cast))
    return steps


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
            if not last.attribute.is_reference:
                raise self.fail(
                    f"'has' needs a reference, but {last.attribute.name!r} of schema "
                    f"{last.schema.name!r} is a {last.attribute.kind}"
                    + (" (use 'any')." if last.target else "."),
                    node.path.pos,
                )
            self.criteria(last.target or "", node.criteria)
        elif isinstance(node, ast.Any):
            last = resolve_path(self.schemas, entity_type, node.path, self.expression)[-1]
            if not last.attribute.is_collection:
                raise self.fail(
                    f"'any' needs a collection, but {last.attribute.name!r} of schema "
                    f"{last.schema.name!r} is a {last.attribute.kind}"
                    + (" (use 'has')." if last.attribute.is_reference else "."),
                    node.path.pos,
                )
            if node.criteria is not None:
                self.criteria(last.target or "", node.criteria)
        elif isinstance(node, ast.Comparison):
            self.comparison(entity_type, node)
        else:
            raise self.fail(f"Not a criteria node: {node!r}", -1)

    def comparison(self, entity_type: str, node: ast.Comparison) -> None:
        last = resolve_path(self.schemas, entity_type, node.path, self.expression)[-1]
        kind = last.attribute.kind
        if last.attribute.is_collection:
            raise self.fail(
                f"Cannot compare {last.attribute.name!r} of schema {last.schema.name!r}: it is a "
                f"collection (use '{node.path} any (...)').",
                node.pos,
            )
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
