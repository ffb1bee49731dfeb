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

from typing import List, Optional, Tuple

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
    #: the subtype (or variant) of the previous step's target the attribute was found on, when
    #: the path did not cast to it: ``resource.username`` reads ``username`` on ``User``
    via: Optional[str] = None

    def describe(self) -> str:
        """``'name' of schema 'Task'``: how messages name this step's attribute."""
        return f"{self.attribute.name!r} of schema {self.schema.name!r}"


#: Polymorphic families the schemas publish as separate types named ``<Owner><Family>``
#: (``UserCustomAttributeLink``, ``ContextCustomAttributeLinkFrom``) rather than as subtypes:
#: an item of ``Task.custom_attribute_links`` (a ``CustomAttributeLink``) is one of them.
VARIANT_FAMILIES: Tuple[str, ...] = ("CustomAttributeLink", "CustomAttributeLinkFrom")


def variants(schemas: SchemaRegistry, entity_type: str) -> List[str]:
    """The types an item of ``entity_type`` may really be, besides itself: its subtypes,
    and for one of the :data:`VARIANT_FAMILIES` the variants the schemas publish."""
    found = schemas.subtypes(entity_type)[1:]
    if entity_type in VARIANT_FAMILIES:
        found += [name for name in schemas if name != entity_type and name.endswith(entity_type)
                  and name[: -len(entity_type)] in schemas]
    return found


def can_cast(schemas: SchemaRegistry, cast: str, target: str) -> bool:
    """True when a relation to ``target`` may be cast to ``cast`` (a subtype or variant)."""
    return schemas.is_subtype(cast, target) or cast in variants(schemas, target)


def _on_variant(schemas: SchemaRegistry, schema: EntitySchema, step: ast.PathStep,
                relation: str, expression: str) -> Optional[EntitySchema]:
    """The one subtype/variant of ``schema`` defining ``step``'s attribute (``None``: none does).

    As on a real server, a path may read an attribute that only some items of a relation
    have (``assignments any (resource.username is "jane")``: ``resource`` is a ``Resource``,
    ``username`` is on ``User``); items of other types simply do not match. An attribute
    defined on several unrelated subtypes is ambiguous: it raises, asking for a cast.
    """
    owners = [name for name in variants(schemas, schema.name) if step.name in schemas[name].attributes]
    topmost = [name for name in owners if not any(a in owners for a in schemas.ancestors(name))]
    if not topmost:
        return None
    if len(topmost) > 1:
        names = sorted(topmost)
        raise UnknownAttributeError(
            f"No attribute {step.name!r} exists for schema {schema.name!r}; its subtypes {', '.join(names)} "
            f"each have one: cast the relation to the one you mean ({relation}[{names[-1]}]).",
            expression,
            step.pos,
        )
    return schemas[topmost[0]]


#: How a server pseudo-attribute begins (``__permissions``): it is in no schema, a real
#: server answers it in a ``select`` (the official JavaScript client's generated entity
#: types carry ``__permissions?: Record<string, any>`` on every entity).
PSEUDO_PREFIX = "__"


def is_pseudo(path: ast.Path) -> bool:
    """True when ``path`` reads a server pseudo-attribute (``__permissions.status_id``): the
    client passes it to the server untouched, unchecked."""
    return path.steps[0].name.startswith(PSEUDO_PREFIX)


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
    in_relation: bool = False,
) -> ResolvedStep:
    """Resolve ``step``, read on the type ``previous`` leads to (on ``entity_type`` for a first step).

    After a relation (``previous`` given, or ``in_relation``: a first step inside
    ``has``/``any``), an attribute missing on the target is looked up on its subtypes
    and variants (``ResolvedStep.via``).
    """
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
    via = None
    if attribute is None and (previous is not None or in_relation):
        variant = _on_variant(schemas, schema, step, previous.attribute.name if previous else "the relation", expression)
        if variant is not None:
            schema, via = variant, variant.name
            attribute = schema.attributes[step.name]
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
        if not can_cast(schemas, step.cast, target):
            raise QueryTypeError(
                f"Cannot cast {step.name!r} of schema {schema.name!r} to {step.cast!r}: "
                f"it is not a subtype of {target!r}.",
                expression,
                step.pos,
            )
        target = step.cast
    return ResolvedStep(schema, attribute, target, step.cast, via)


def resolve_path(
    schemas: SchemaRegistry, entity_type: str, path: ast.Path, expression: str = "", in_relation: bool = False
) -> List[ResolvedStep]:
    """Walk ``path`` from ``entity_type``; raise a :class:`QueryValidationError` on a bad step.

    ``in_relation``: ``entity_type`` is the target of a ``has``/``any`` (see :func:`resolve_step`)."""
    resolve_type(schemas, entity_type, expression, path.pos)
    steps: List[ResolvedStep] = []
    previous: Optional[ResolvedStep] = None
    for step in path.steps:
        previous = resolve_step(schemas, entity_type, step, previous, expression, in_relation and not steps)
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
