"""Attribute paths resolved against the schemas: the one walker, and its errors.

Both query routes walk paths here: the checker for parsed expressions
(``parent[Shot].name``), the builder step by step as paths are written
(``Task.parent[Shot].name``), and the sandbox (evaluator, SQL compiler).
:func:`resolve_step` resolves one step (through references, collections,
mapped collections, with a cast to a subtype); :func:`resolve_path` a whole path.

Every problem is a :class:`~ftrack_orm.query.lexer.QueryValidationError` with the
position when it is known. Its subclasses are also the built-in error a Python
user expects where the builder raises it: :class:`UnknownTypeError` is a
``KeyError`` (:class:`~ftrack_orm.schema.UnknownEntityTypeError`),
:class:`UnknownAttributeError` an ``AttributeError`` and :class:`QueryTypeError`
a ``TypeError``.
"""
from __future__ import annotations

from typing import List, Optional

import attrs

from ..didyoumean import no_schema_attribute, unknown_type
from ..schema import AttributeSchema, EntitySchema, SchemaRegistry, UnknownEntityTypeError
from . import ast
from .lexer import QueryValidationError


class UnknownTypeError(QueryValidationError, UnknownEntityTypeError):
    """A query names an entity type the schemas do not define."""

    def __str__(self) -> str:
        return QueryValidationError.__str__(self)


class UnknownAttributeError(QueryValidationError, AttributeError):
    """A path names an attribute its type does not have (or reads one from a value)."""


class QueryTypeError(QueryValidationError, TypeError):
    """An attribute or value is used where its kind does not allow it (cast, has/any, comparison)."""


@attrs.frozen
class ResolvedStep:
    """One step of a path: the schema it is read on, the attribute, and where it leads."""

    schema: EntitySchema
    attribute: AttributeSchema
    target: Optional[str]  # entity type reached (the cast if any), None for scalars
    cast: Optional[str] = None

    def describe(self) -> str:
        """``'name' of schema 'Task'``: how messages name this step's attribute."""
        return f"{self.attribute.name!r} of schema {self.schema.name!r}"


def resolve_type(schemas: SchemaRegistry, name: str, expression: str = "", position: int = -1) -> EntitySchema:
    """The schema of ``name``, or :class:`UnknownTypeError` with a did-you-mean."""
    schema = schemas.get(name)
    if schema is None:
        raise UnknownTypeError(unknown_type(name, schemas), expression, position)
    return schema


def resolve_step(
    schemas: SchemaRegistry,
    entity_type: str,
    step: ast.PathStep,
    previous: Optional[ResolvedStep] = None,
    expression: str = "",
) -> ResolvedStep:
    """Resolve ``step``, read on the type ``previous`` leads to (on ``entity_type`` for a first step)."""
    if previous is not None:
        if previous.target is None:
            raise UnknownAttributeError(
                f"Attribute {previous.describe()} is a {previous.attribute.kind}, not a relation: "
                f"cannot read {step.name!r} from it.",
                expression,
                step.pos,
            )
        entity_type = previous.target
    schema = resolve_type(schemas, entity_type, expression, step.pos)
    attribute = schema.attributes.get(step.name)
    if attribute is None:
        raise UnknownAttributeError(
            no_schema_attribute(step.name, schema.name, schema.attributes), expression, step.pos
        )
    target = attribute.target
    if step.cast is not None:
        if target is None:
            raise QueryTypeError(
                f"Cannot cast {step.name!r} of schema {schema.name!r}: it is not a relation.", expression, step.pos
            )
        resolve_type(schemas, step.cast, expression, step.pos)
        if not schemas.is_subtype(step.cast, target):
            raise QueryTypeError(
                f"Cannot cast {step.name!r} of schema {schema.name!r} to {step.cast!r}: "
                f"it is not a subtype of {target!r}.",
                expression,
                step.pos,
            )
        target = step.cast
    return ResolvedStep(schema, attribute, target, step.cast)


def resolve_path(
    schemas: SchemaRegistry, entity_type: str, path: ast.Path, expression: str = ""
) -> List[ResolvedStep]:
    """Walk ``path`` from ``entity_type``; raise a :class:`QueryValidationError` on a bad step."""
    resolve_type(schemas, entity_type, expression, path.pos)
    steps: List[ResolvedStep] = []
    previous: Optional[ResolvedStep] = None
    for step in path.steps:
        previous = resolve_step(schemas, entity_type, step, previous, expression)
        steps.append(previous)
    return steps


# --------------------------------------------------------------------------- what a step allows
def require_reference(step: ResolvedStep, expression: str = "", position: int = -1) -> None:
    """``has`` needs a reference."""
    if not step.attribute.is_reference:
        hint = " (use 'any')." if step.target else "."
        raise QueryTypeError(
            f"'has' needs a reference, but {step.describe()} is a {step.attribute.kind}{hint}", expression, position
        )


def require_collection(step: ResolvedStep, expression: str = "", position: int = -1) -> None:
    """``any`` needs a collection or mapped collection."""
    if not step.attribute.is_collection:
        hint = " (use 'has')." if step.attribute.is_reference else "."
        raise QueryTypeError(
            f"'any' needs a collection, but {step.describe()} is a {step.attribute.kind}{hint}", expression, position
        )


def require_comparable(step: ResolvedStep, path: str, expression: str = "", position: int = -1) -> None:
    """A comparison needs a scalar or a reference; ``path`` is how the user wrote the path."""
    if step.attribute.is_collection:
        raise QueryTypeError(
            f"Cannot compare {step.describe()}: it is a collection (use '{path} any (...)').", expression, position
        )
