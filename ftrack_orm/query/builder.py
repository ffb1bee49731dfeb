"""A Pythonic, schema-checked query builder producing the shared query AST.

Attribute paths are reached from entity classes (``Task.parent.name``) and checked
against the schemas as they are written: ``Task.nmae`` fails at once with a
did-you-mean. Comparisons build :class:`Criterion` objects, combined with ``&``,
``|``, ``~`` or :func:`and_`, :func:`or_`, :func:`not_`. Values never become part of
the expression's structure: they are AST literals, and the renderer quotes and
escapes every string.
"""
from __future__ import annotations

import datetime as _dt
import keyword
from typing import TYPE_CHECKING, Generic, TypeVar
from typing import Any as _Any
from typing import Dict, Iterable, List, Optional, Tuple, Type, Union

import attrs

from ..kinds import KINDS, to_literal
from ..schema import AttributeSchema, SchemaRegistry
from . import ast
from .paths import (
    QueryTypeError,
    ResolvedStep,
    require_collection,
    require_comparable,
    require_reference,
    resolve_step,
)

def type_name(entity_type: _Any) -> str:
    """The schema name of an entity class, a path, or a type name string."""
    if isinstance(entity_type, str):
        return entity_type
    if isinstance(entity_type, AttributePath):
        return entity_type.entity_type
    name = getattr(entity_type, "entity_type", None) or getattr(entity_type, "__entity_type__", None)
    if isinstance(name, str):
        return name
    return getattr(entity_type, "__name__", str(entity_type))


def literal(value: _Any, attribute: Optional[AttributeSchema] = None, where: str = "") -> _Any:
    """Convert a Python value to an AST literal, checking it against ``attribute``'s kind."""
    converted = to_literal(value, where)
    if attribute is not None and not KINDS[attribute.kind].accepts_literal(value):
        raise QueryTypeError(f"{where} is {_article(attribute.kind)}; got {type(value).__name__} {value!r}.")
    return converted


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


class Criterion:
    """A where-condition of a query, rooted at ``entity_type``; combine with ``& | ~``."""

    __slots__ = ("node", "entity_type")

    def __init__(self, node: ast.Criteria, entity_type: str) -> None:
        self.node = node
        self.entity_type = entity_type

    def __and__(self, other: Criterion) -> Criterion:
        return and_(self, other)

    def __or__(self, other: Criterion) -> Criterion:
        return or_(self, other)

    def __invert__(self) -> Criterion:
        return not_(self)

    def __bool__(self) -> bool:
        raise TypeError("Use & | ~ (or and_, or_, not_) to combine query criteria, not and/or/not.")

    def __repr__(self) -> str:
        from .render import render

        return f"<Criterion {self.entity_type}: {render(self.node)}>"


def _combine(kind: Union[Type[ast.And], Type[ast.Or]], criteria: Iterable[Criterion]) -> Criterion:
    items = list(criteria)
    if not items:
        raise ValueError(f"{kind.__name__.lower()}_() needs at least one criterion.")
    nodes: List[ast.Criteria] = []
    for item in items:
        nodes.extend(item.node.items if isinstance(item.node, kind) else (item.node,))
    if len(nodes) == 1:
        return items[0]
    return Criterion(kind(tuple(nodes)), items[0].entity_type)


def and_(*criteria: Criterion) -> Criterion:
    """All of ``criteria``."""
    return _combine(ast.And, criteria)


def or_(*criteria: Criterion) -> Criterion:
    """At least one of ``criteria``."""
    return _combine(ast.Or, criteria)


def not_(criterion: Criterion) -> Criterion:
    """The negation of ``criterion``."""
    node = criterion.node
    return Criterion(node.item if isinstance(node, ast.Not) else ast.Not(node), criterion.entity_type)


#: The Python value type an :class:`AttributePath` compares with (``AttributePath[str]``).
T = TypeVar("T")
#: Value types that order (``<``, ``>``...): numbers, strings, dates and datetimes.
_Ordered = TypeVar("_Ordered", int, float, str, _dt.date, _dt.datetime)


class AttributePath(Generic[T]):
    """A checked path of attributes from an entity type: ``Task.parent.name``.

    For type checkers the path is generic in the value type it compares with
    (generated stubs declare ``Task.name`` as ``AttributePath[str]``): ``like`` takes
    string paths only, ``<``/``>`` ordered values only.
    """

    __slots__ = ("_registry", "entity_type", "_steps", "_resolved")

    def __init__(
        self,
        registry: SchemaRegistry,
        entity_type: str,
        steps: Tuple[ast.PathStep, ...] = (),
        resolved: Tuple[ResolvedStep, ...] = (),
    ) -> None:
        self._registry = registry
        self.entity_type = entity_type  # the root type
        self._steps = steps
        self._resolved = resolved  # one per step, by the shared resolver (query.paths)

    # -- building ---------------------------------------------------------------------
    @classmethod
    def of(cls, registry: SchemaRegistry, entity_type: str, dotted: str) -> AttributePath[_Any]:
        """Parse a dotted path string (``"parent.name"``) from ``entity_type``, checked."""
        path = cls(registry, type_name(entity_type))
        for name in dotted.split("."):
            path = path.attr(name)
        return path

    def attr(self, name: str) -> AttributePath[_Any]:
        """The next step ``name`` (also reached as ``path.name``)."""
        previous = self._resolved[-1] if self._resolved else None
        schema = self._registry.get(previous.target if previous and previous.target else self.entity_type)
        if schema is not None and name not in schema.attributes and name.endswith("_") and name[:-1] in schema.attributes:
            name = name[:-1]  # the published rename rule: ``from_`` is the attribute ``from``
        step = ast.PathStep(name)
        resolved = resolve_step(self._registry, self.entity_type, step, previous)
        steps, before = self._steps, self._resolved
        if resolved.via is not None and previous is not None:  # on a subtype: cast the relation to it
            steps = steps[:-1] + (ast.PathStep(steps[-1].name, resolved.via),)
            before = before[:-1] + (attrs.evolve(previous, target=resolved.via, cast=resolved.via),)
        return AttributePath(self._registry, self.entity_type, steps + (step,), before + (resolved,))

    if not TYPE_CHECKING:  # stubs declare the steps of each type; unknown ones are errors there

        def __getattr__(self, name: str) -> AttributePath[_Any]:
            if name.startswith("__"):
                raise AttributeError(name)
            return self.attr(name)

    def __dir__(self) -> List[str]:
        """Completion of ``Task.parent.na<TAB>``: the attributes of the type the path leads to."""
        names = set(super().__dir__())
        target = self.target_type if self._resolved else self.entity_type
        schema = self._registry.get(target) if target else None
        if schema is not None:
            names.update(name + "_" if keyword.iskeyword(name) else name  # attr() takes ``from_``
                         for name in schema.attributes if name.isidentifier())
        return sorted(names)

    def __getitem__(self, subtype: _Any) -> AttributePath[_Any]:
        """Cast the last step to a subtype: ``Task.parent[Shot]``."""
        if not self._steps:
            raise QueryTypeError(f"Cast a relation of {self.entity_type}, not the type itself.")
        step = ast.PathStep(self._steps[-1].name, type_name(subtype))
        previous = self._resolved[-2] if len(self._resolved) > 1 else None
        resolved = resolve_step(self._registry, self.entity_type, step, previous)
        return AttributePath(
            self._registry, self.entity_type, self._steps[:-1] + (step,), self._resolved[:-1] + (resolved,)
        )

    # -- description ----------------------------------------------------------------
    @property
    def path(self) -> ast.Path:
        """The AST path (relative to the root type)."""
        return ast.Path(self._steps)

    @property
    def dotted(self) -> str:
        return f"{self.entity_type}.{self.path}" if self._steps else self.entity_type

    @property
    def attribute(self) -> Optional[AttributeSchema]:
        """The schema of the last step's attribute (``None`` for the type itself)."""
        return self._resolved[-1].attribute if self._resolved else None

    @property
    def target_type(self) -> Optional[str]:
        """The entity type a relation leads to (its cast, if any)."""
        return self._resolved[-1].target if self._resolved else None

    def __repr__(self) -> str:
        return f"<AttributePath {self.dotted}>"

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return True

    # -- comparisons ----------------------------------------------------------------
    def _last(self, what: str) -> ResolvedStep:
        if not self._resolved:
            raise QueryTypeError(f"{what}() needs an attribute of {self.entity_type}, not the type itself.")
        return self._resolved[-1]

    def _compare(self, op: str, value: _Any) -> Criterion:
        last = self._last("compare")
        attribute = last.attribute
        require_comparable(last, str(self.path))
        reference = getattr(value, "_ftrack_reference", None)
        if attribute.is_reference and value is not None:
            if reference is None and not isinstance(value, dict):
                raise QueryTypeError(
                    f"{self.dotted} is a reference to {attribute.target}: compare it with an entity or None."
                )
            return self._compare_entity(op, reference() if reference is not None else value)
        if reference is not None:
            raise QueryTypeError(f"{self.dotted} is {_article(attribute.kind)}; got an entity.")
        return Criterion(ast.Comparison(self.path, op, literal(value, attribute, self.dotted)), self.entity_type)

    def _compare_entity(self, op: str, reference: Dict[str, _Any]) -> Criterion:
        if op not in ("=", "!="):
            raise QueryTypeError(f"{self.dotted} is a reference: only == and != compare it with an entity.")
        entity_type = reference.get("__entity_type__") or self.target_type
        assert entity_type is not None, "a reference path always leads to an entity type"
        keys = self._registry[entity_type].primary_key
        parts = [
            Criterion(ast.Comparison(ast.Path(self._steps + (ast.PathStep(key),)), "=", literal(reference[key])), self.entity_type)
            for key in keys
        ]
        combined = and_(*parts)
        return not_(combined) if op == "!=" else combined

    def __eq__(self, value: Optional[T]) -> Criterion:  # type: ignore[override]
        return self._compare("=", value)

    def __ne__(self, value: Optional[T]) -> Criterion:  # type: ignore[override]
        return self._compare("!=", value)

    def __lt__(self: AttributePath[_Ordered], value: _Ordered) -> Criterion:
        return self._compare("<", value)

    def __le__(self: AttributePath[_Ordered], value: _Ordered) -> Criterion:
        return self._compare("<=", value)

    def __gt__(self: AttributePath[_Ordered], value: _Ordered) -> Criterion:
        return self._compare(">", value)

    def __ge__(self: AttributePath[_Ordered], value: _Ordered) -> Criterion:
        return self._compare(">=", value)

    def is_(self, value: Optional[T]) -> Criterion:
        """``path is value`` (``is_(None)``: the attribute is empty)."""
        return self._compare("=", value)

    def is_not(self, value: Optional[T]) -> Criterion:
        """``path is_not value`` (``is_not(None)``: the attribute is set)."""
        return self._compare("!=", value)

    def like(self, pattern: str) -> Criterion:
        """``path like pattern`` (``%`` matches any run of characters); on any scalar
        attribute, whose text the pattern matches (``AssetVersion.version.like("1%")``)."""
        return self._pattern("like", pattern)

    def not_like(self, pattern: str) -> Criterion:
        """``path not_like pattern``."""
        return self._pattern("not_like", pattern)

    def _pattern(self, op: str, pattern: str) -> Criterion:
        last = self._last(op)
        if not isinstance(pattern, str):
            raise QueryTypeError(f"{self.dotted}.{op}() takes a string pattern, not {pattern!r}.")
        if not last.attribute.is_scalar:
            raise QueryTypeError(f"{self.dotted} is a {last.attribute.kind}: {op}() needs a scalar attribute.")
        return Criterion(ast.Comparison(self.path, op, pattern), self.entity_type)

    def in_(self, values: _Any) -> Criterion:
        """``path in (...)``: a list of values or entities, or a sub-query."""
        return self._membership("in", values)

    def not_in(self, values: _Any) -> Criterion:
        return self._membership("not_in", values)

    def _membership(self, op: str, values: _Any) -> Criterion:
        subquery = getattr(values, "ast", None)
        if isinstance(subquery, ast.Query):
            if subquery.select is None or len(subquery.select) != 1:
                subquery = ast.Query(subquery.entity_type, (ast.Path.of("id"),), subquery.where, subquery.order_by,
                                     subquery.offset, subquery.limit)
            return Criterion(ast.Comparison(self.path, op, subquery), self.entity_type)
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__") or hasattr(values, "__entity_type__"):
            raise QueryTypeError(f"{self.dotted}.{op}_() takes a list of values or a query, not {values!r}.")
        last = self._last(f"{op}_")
        require_comparable(last, str(self.path))
        path, attribute = self.path, last.attribute
        items = list(values)
        if attribute.is_reference:
            keys = self._registry[last.target or ""].primary_key
            if len(keys) != 1:
                raise QueryTypeError(f"{self.dotted}.{op}_() with entities needs a single-key type.")
            path = ast.Path(self._steps + (ast.PathStep(keys[0]),))
            items = [item._ftrack_reference()[keys[0]] if hasattr(item, "_ftrack_reference") else item for item in items]
            return Criterion(ast.Comparison(path, op, tuple(literal(item) for item in items)), self.entity_type)
        converted = tuple(literal(item, attribute, self.dotted) for item in items)
        return Criterion(ast.Comparison(path, op, converted), self.entity_type)

    def has(self, *criteria: Criterion, **equals: _Any) -> Criterion:
        """``reference has (...)``: the referenced entity matches all criteria."""
        require_reference(self._last("has"))
        return self._nested(ast.Has, criteria, equals, required=True)

    def any(self, *criteria: Criterion, **equals: _Any) -> Criterion:
        """``collection any (...)``: one item matches all criteria (none given: any item)."""
        require_collection(self._last("any"))
        return self._nested(ast.Any, criteria, equals, required=False)

    def _nested(self, kind: type, criteria: Tuple[Criterion, ...], equals: Dict[str, _Any], required: bool) -> Criterion:
        target = self.target_type
        assert target is not None
        steps = self._steps
        parts = list(criteria)
        for criterion in criteria:
            root = criterion.entity_type
            if self._registry.is_subtype(root, target) and root != target:
                steps = steps[:-1] + (ast.PathStep(steps[-1].name, root),)  # cast to the criteria's subtype
                target = root
            elif not self._registry.is_subtype(target, root):
                raise QueryTypeError(f"{self.dotted} holds {target}; a criterion on {root} does not apply to it.")
        inner: AttributePath[_Any] = AttributePath(self._registry, target)
        parts.extend(inner.attr(name) == value for name, value in equals.items())
        if not parts and required:
            raise ValueError(f"{self.dotted}.has() needs at least one criterion.")
        node = and_(*parts).node if parts else None
        return Criterion(kind(ast.Path(steps), node), self.entity_type)

    # -- ordering -------------------------------------------------------------------
    def asc(self) -> ast.OrderKey:
        """Ascending order key."""
        return ast.OrderKey(self.path, False)

    def desc(self) -> ast.OrderKey:
        """Descending order key."""
        return ast.OrderKey(self.path, True)
