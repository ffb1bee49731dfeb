"""A Pythonic, schema-checked query builder producing the shared query AST.

Attribute paths are reached from entity classes (``Task.parent.name``) and checked
against the schemas as they are written: ``Task.nmae`` fails at once with a
did-you-mean. Comparisons build :class:`Criterion` objects, combined with ``&``,
``|``, ``~`` or :func:`and_`, :func:`or_`, :func:`not_`. Values never become part of
the expression's structure: they are AST literals, and the renderer quotes and
escapes every string.
"""
from __future__ import annotations

from typing import Any as _Any
from typing import Dict, Iterable, Optional, Tuple

from ..didyoumean import no_attribute
from ..kinds import KINDS, to_literal
from ..schema import AttributeSchema, SchemaRegistry
from . import ast

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
        raise TypeError(f"{where} is {_article(attribute.kind)}; got {type(value).__name__} {value!r}.")
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


def _combine(kind: type, criteria: Iterable[Criterion]) -> Criterion:
    items = list(criteria)
    if not items:
        raise ValueError(f"{kind.__name__.lower()}_() needs at least one criterion.")
    nodes = []
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


class AttributePath:
    """A checked path of attributes from an entity type: ``Task.parent.name``."""

    __slots__ = ("_registry", "entity_type", "_steps", "_owner", "_attribute")

    def __init__(
        self,
        registry: SchemaRegistry,
        entity_type: str,
        steps: Tuple[ast.PathStep, ...] = (),
        owner: Optional[str] = None,
        attribute: Optional[AttributeSchema] = None,
    ) -> None:
        self._registry = registry
        self.entity_type = entity_type  # the root type
        self._steps = steps
        self._owner = owner or entity_type  # the type the last step belongs to
        self._attribute = attribute

    # -- building ---------------------------------------------------------------------
    @classmethod
    def of(cls, registry: SchemaRegistry, entity_type: str, dotted: str) -> AttributePath:
        """Parse a dotted path string (``"parent.name"``) from ``entity_type``, checked."""
        path = cls(registry, type_name(entity_type))
        for name in dotted.split("."):
            path = path.attr(name)
        return path

    def attr(self, name: str) -> AttributePath:
        """The next step ``name`` (also reached as ``path.name``)."""
        if self._attribute is None:
            current = self._owner
        elif self._attribute.is_relation:
            current = self._steps[-1].cast or self._attribute.target
        else:
            raise AttributeError(
                f"{self.dotted} is {_article(self._attribute.kind)} attribute; it has no attribute {name!r}."
            )
        schema = self._registry[current]
        if name not in schema.attributes and name.endswith("_") and name[:-1] in schema.attributes:
            name = name[:-1]  # the published rename rule: ``from_`` is the attribute ``from``
        attribute = schema.attributes.get(name)
        if attribute is None:
            where = f"{self.dotted} ({current})" if self._steps else current
            raise AttributeError(no_attribute(where, name, schema.attributes))
        return AttributePath(self._registry, self.entity_type, self._steps + (ast.PathStep(name),), current, attribute)

    def __getattr__(self, name: str) -> AttributePath:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.attr(name)

    def __getitem__(self, subtype: _Any) -> AttributePath:
        """Cast the last step to a subtype: ``Task.parent[Shot]``."""
        name = type_name(subtype)
        attribute = self._require_relation("cast")
        if name not in self._registry:
            self._registry[name]  # raises the did-you-mean error
        if not (self._registry.is_subtype(name, attribute.target) or self._registry.is_subtype(attribute.target, name)):
            raise TypeError(f"{self.dotted} holds {attribute.target}; {name} is not one of its subtypes.")
        steps = self._steps[:-1] + (ast.PathStep(self._steps[-1].name, name),)
        return AttributePath(self._registry, self.entity_type, steps, self._owner, attribute)

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
        return self._attribute

    @property
    def target_type(self) -> Optional[str]:
        """The entity type a relation leads to (its cast, if any)."""
        if self._attribute is None or not self._attribute.is_relation:
            return None
        return self._steps[-1].cast or self._attribute.target

    def __repr__(self) -> str:
        return f"<AttributePath {self.dotted}>"

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return True

    # -- comparisons ----------------------------------------------------------------
    def _require_relation(self, what: str, kinds: Tuple[str, ...] = ("reference", "collection")) -> AttributeSchema:
        """The attribute, if it is a relation of one of ``kinds`` (a :attr:`Kind.relation`)."""
        if self._attribute is None or KINDS[self._attribute.kind].relation not in kinds:
            kind = self._attribute.kind if self._attribute else "entity type"
            raise TypeError(f"{what}() needs {' or '.join(kinds)}; {self.dotted} is {_article(kind)}.")
        return self._attribute

    def _compare(self, op: str, value: _Any) -> Criterion:
        attribute = self._attribute
        if attribute is None:
            raise TypeError(f"Compare an attribute of {self.entity_type}, not the type itself.")
        reference = getattr(value, "_ftrack_reference", None)
        if attribute.is_collection:
            raise TypeError(f"{self.dotted} is a collection: use .any(...) to test its items.")
        if attribute.is_reference and value is not None:
            if reference is None and not isinstance(value, dict):
                raise TypeError(f"{self.dotted} is a reference to {attribute.target}: compare it with an entity or None.")
            return self._compare_entity(op, reference() if reference is not None else value)
        if reference is not None:
            raise TypeError(f"{self.dotted} is {_article(attribute.kind)}; got an entity.")
        return Criterion(ast.Comparison(self.path, op, literal(value, attribute, self.dotted)), self.entity_type)

    def _compare_entity(self, op: str, reference: Dict[str, _Any]) -> Criterion:
        if op not in ("=", "!="):
            raise TypeError(f"{self.dotted} is a reference: only == and != compare it with an entity.")
        entity_type = reference.get("__entity_type__") or self.target_type
        keys = self._registry[entity_type].primary_key
        parts = [
            Criterion(ast.Comparison(ast.Path(self._steps + (ast.PathStep(key),)), "=", literal(reference[key])), self.entity_type)
            for key in keys
        ]
        combined = and_(*parts)
        return not_(combined) if op == "!=" else combined

    def __eq__(self, value: _Any) -> Criterion:  # type: ignore[override]
        return self._compare("=", value)

    def __ne__(self, value: _Any) -> Criterion:  # type: ignore[override]
        return self._compare("!=", value)

    def __lt__(self, value: _Any) -> Criterion:
        return self._compare("<", value)

    def __le__(self, value: _Any) -> Criterion:
        return self._compare("<=", value)

    def __gt__(self, value: _Any) -> Criterion:
        return self._compare(">", value)

    def __ge__(self, value: _Any) -> Criterion:
        return self._compare(">=", value)

    def is_(self, value: _Any) -> Criterion:
        """``path is value`` (``is_(None)``: the attribute is empty)."""
        return self._compare("=", value)

    def is_not(self, value: _Any) -> Criterion:
        """``path is_not value`` (``is_not(None)``: the attribute is set)."""
        return self._compare("!=", value)

    def like(self, pattern: str) -> Criterion:
        """``path like pattern`` (``%`` matches any run of characters)."""
        return self._compare("like", pattern)

    def not_like(self, pattern: str) -> Criterion:
        return self._compare("not_like", pattern)

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
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"{self.dotted}.{op}_() takes a list of values or a query, not {values!r}.")
        path, attribute = self.path, self._attribute
        items = list(values)
        if attribute is not None and attribute.is_reference:
            keys = self._registry[self.target_type or attribute.target].primary_key
            if len(keys) != 1:
                raise TypeError(f"{self.dotted}.{op}_() with entities needs a single-key type.")
            path = ast.Path(self._steps + (ast.PathStep(keys[0]),))
            items = [item._ftrack_reference()[keys[0]] if hasattr(item, "_ftrack_reference") else item for item in items]
            attribute = None
        if attribute is not None and attribute.is_collection:
            raise TypeError(f"{self.dotted} is a collection: use .any(...) to test its items.")
        converted = tuple(literal(item, attribute, self.dotted) for item in items)
        return Criterion(ast.Comparison(path, op, converted), self.entity_type)

    def has(self, *criteria: Criterion, **equals: _Any) -> Criterion:
        """``reference has (...)``: the referenced entity matches all criteria."""
        self._require_relation("has", ("reference",))
        return self._nested(ast.Has, criteria, equals, required=True)

    def any(self, *criteria: Criterion, **equals: _Any) -> Criterion:
        """``collection any (...)``: one item matches all criteria (none given: any item)."""
        self._require_relation("any", ("collection",))
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
                raise TypeError(f"{self.dotted} holds {target}; a criterion on {root} does not apply to it.")
        inner = AttributePath(self._registry, target)
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
