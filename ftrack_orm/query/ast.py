"""Immutable syntax tree of an ftrack query expression.

Every node is an ``attrs`` frozen class, so nodes are hashable, comparable and
safe to share. Source positions (``pos``, an offset into the expression, or
``-1`` for nodes built in code) are kept for error messages but excluded from
equality: ``parse(render(q)) == q`` holds although positions differ.

Comparison operators are canonical: ``is``/``=`` → ``"="``, ``is_not``/``!=`` →
``"!="``, ``after``/``greater_than`` → ``">"``, ``before``/``less_than`` →
``"<"``, and ``">="``, ``"<="``, ``"like"``, ``"not_like"``, ``"in"``,
``"not_in"``.
"""
from __future__ import annotations

import typing
from typing import Iterable, Optional, Tuple, Union

import attrs

#: Canonical comparison operators.
OPERATORS = frozenset({"=", "!=", ">", "<", ">=", "<=", "like", "not_like", "in", "not_in"})

#: Every spelling of an operator → its canonical form (word spellings lower-case).
OPERATOR_ALIASES = {
    "=": "=", "is": "=",
    "!=": "!=", "is_not": "!=",
    ">": ">", "after": ">", "greater_than": ">",
    "<": "<", "before": "<", "less_than": "<",
    ">=": ">=", "<=": "<=",
    "like": "like", "not_like": "not_like",
    "in": "in", "not_in": "not_in",
}

_POS = attrs.field(default=-1, eq=False, repr=False, kw_only=True)


# Typed tuple converters: with the bare ``tuple`` builtin as converter, type checkers
# cannot tell which item type a field's ``__init__`` parameter accepts.
def _steps(steps: Iterable[PathStep]) -> Tuple[PathStep, ...]:
    return tuple(steps)


def _criteria(items: Iterable[Criteria]) -> Tuple[Criteria, ...]:
    return tuple(items)


def _paths(paths: Optional[Iterable[Path]]) -> Optional[Tuple[Path, ...]]:
    return None if paths is None else tuple(paths)


def _order_keys(keys: Iterable[OrderKey]) -> Tuple[OrderKey, ...]:
    return tuple(keys)


@attrs.frozen
class PathStep:
    """One attribute name of a path, optionally cast to a subtype: ``parent[Shot]``."""

    name: str
    cast: Optional[str] = None
    pos: int = _POS


@attrs.frozen
class Path:
    """A dotted attribute path such as ``status.state.short``."""

    steps: Tuple[PathStep, ...] = attrs.field(converter=_steps)
    pos: int = _POS

    @classmethod
    def of(cls, dotted: str) -> Path:
        """Build a path from ``"a.b.c"`` (no casts) — a convenience for code and tests."""
        return cls(tuple(PathStep(part) for part in dotted.split(".")))

    @property
    def names(self) -> Tuple[str, ...]:
        return tuple(step.name for step in self.steps)

    def __str__(self) -> str:
        return ".".join(s.name + (f"[{s.cast}]" if s.cast else "") for s in self.steps)


#: A literal value of a comparison.
Scalar = Union[str, int, float, bool, None]


@attrs.frozen
class Comparison:
    """``path op value``; ``value`` is a scalar, a tuple of scalars (in-lists) or a sub-query."""

    path: Path
    op: str = attrs.field()
    value: typing.Any = None
    pos: int = _POS

    @op.validator
    def _check_op(self, _attribute: typing.Any, value: str) -> None:
        if value not in OPERATORS:
            raise ValueError(f"Unknown comparison operator {value!r}.")


@attrs.frozen
class Has:
    """``reference has (criteria)``: the referenced entity satisfies ``criteria``."""

    path: Path
    criteria: Criteria
    pos: int = _POS


@attrs.frozen
class Any:
    """``collection any (criteria)``: one item satisfies ``criteria`` (``None``: any item)."""

    path: Path
    criteria: Optional[Criteria] = None
    pos: int = _POS


@attrs.frozen
class And:
    """All of ``items``."""

    items: Tuple[Criteria, ...] = attrs.field(converter=_criteria)
    pos: int = _POS


@attrs.frozen
class Or:
    """One of ``items``."""

    items: Tuple[Criteria, ...] = attrs.field(converter=_criteria)
    pos: int = _POS


@attrs.frozen
class Not:
    """The negation of ``item``."""

    item: Criteria
    pos: int = _POS


Criteria = Union[Comparison, Has, Any, And, Or, Not]


@attrs.frozen
class OrderKey:
    """One ``order by`` key."""

    path: Path
    descending: bool = False
    pos: int = _POS


#: The aggregate functions of ``select count(id) from Task group by status_id``.
AGGREGATE_FUNCTIONS = ("count", "sum", "avg", "min", "max")


@attrs.frozen
class Aggregate:
    """``count(id)``: an aggregate of ``path`` over each group of a ``group by`` query."""

    function: str = attrs.field()
    path: Path
    pos: int = _POS

    @function.validator
    def _check_function(self, _attribute: typing.Any, value: str) -> None:
        if value not in AGGREGATE_FUNCTIONS:
            raise ValueError(f"Unknown aggregate function {value!r}.")

    @property
    def key(self) -> str:
        """The name of its value in each answer row, as ftrack names it: ``count_id``."""
        return self.function + "_" + "_".join(self.path.names)


def _aggregates(items: Iterable[Aggregate]) -> Tuple[Aggregate, ...]:
    return tuple(items)


def _group_by(paths: Iterable[Path]) -> Tuple[Path, ...]:
    return tuple(paths)


@attrs.frozen
class Query:
    """A whole expression. ``select`` is ``None`` for the bare form (default projections).

    An aggregate query (``select count(id), status_id from Task group by status_id``)
    has its ``aggregates`` and ``group_by`` paths; its ``select`` holds the plain paths.
    """

    entity_type: str
    select: Optional[Tuple[Path, ...]] = attrs.field(default=None, converter=_paths)
    where: Optional[Criteria] = None
    order_by: Tuple[OrderKey, ...] = attrs.field(default=(), converter=_order_keys)
    offset: Optional[int] = None
    limit: Optional[int] = None
    aggregates: Tuple[Aggregate, ...] = attrs.field(default=(), converter=_aggregates)
    group_by: Tuple[Path, ...] = attrs.field(default=(), converter=_group_by)
    pos: int = _POS
    #: position of the entity type name in the expression
    type_pos: int = attrs.field(default=-1, eq=False, repr=False, kw_only=True)


Node = Union[Query, Aggregate, Comparison, Has, Any, And, Or, Not, OrderKey, Path, PathStep]
