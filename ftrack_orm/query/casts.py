"""Implicit casts made explicit: ``resource.username`` → ``resource[User].username``.

A real server reads an attribute that only a subtype of a relation's target has
(see :func:`ftrack_orm.query.paths.resolve_step`). :func:`explicit_casts` rewrites a
checked query so each such step casts the relation before it, which every
evaluator of casts (the sandbox's SQL compiler and projection loader) already
understands. A query without implicit casts is returned unchanged (the same object).
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Set, Tuple

import attrs

from ..schema import SchemaRegistry
from . import ast
from .paths import QueryTypeError, is_pseudo, resolve_path


def explicit_casts(query: ast.Query, schemas: SchemaRegistry, expression: str = "") -> ast.Query:
    """``query`` with every implicit cast of its paths written out.

    Raises :class:`~ftrack_orm.query.paths.QueryTypeError` when the criteria of one
    ``has``/``any`` read attributes of different subtypes (no one cast expresses it).
    """
    return _Rewriter(schemas, expression).query(query)


class _Rewriter:
    def __init__(self, schemas: SchemaRegistry, expression: str) -> None:
        self.schemas = schemas
        self.expression = expression

    def path(self, entity_type: str, path: ast.Path, nested: bool = False) -> Tuple[ast.Path, Optional[str], Set[str]]:
        """The rewritten path, the type its last step leads to, and the implicit cast of the
        type it starts from (a first step inside ``has``/``any``; the caller casts the relation)."""
        resolved = resolve_path(self.schemas, entity_type, path, self.expression, nested)
        steps = list(path.steps)
        for index, step in enumerate(resolved[1:], 1):
            if step.via is not None:
                before = steps[index - 1]
                steps[index - 1] = ast.PathStep(before.name, step.via, pos=before.pos)
        root = {resolved[0].via} if resolved[0].via is not None else set()
        if steps == list(path.steps):
            return path, resolved[-1].target, root
        return ast.Path(tuple(steps), pos=path.pos), resolved[-1].target, root

    def query(self, query: ast.Query) -> ast.Query:
        entity_type = query.entity_type
        changes: Dict[str, Any] = {}
        if query.select is not None:
            changes["select"] = tuple(p if is_pseudo(p) else self.path(entity_type, p)[0] for p in query.select)
        if query.where is not None:
            changes["where"] = self.criteria(entity_type, query.where)[0]
        if query.order_by:
            changes["order_by"] = tuple(
                attrs.evolve(key, path=self.path(entity_type, key.path)[0]) for key in query.order_by
            )
        if all(changes[name] == getattr(query, name) for name in changes):
            return query
        return attrs.evolve(query, **changes)

    def criteria(self, entity_type: str, node: ast.Criteria, nested: bool = False) -> Tuple[ast.Criteria, Set[str]]:
        """The rewritten criteria and the implicit casts its first steps need of ``entity_type``."""
        if isinstance(node, (ast.And, ast.Or)):
            parts = [self.criteria(entity_type, item, nested) for item in node.items]
            return attrs.evolve(node, items=tuple(p[0] for p in parts)), set().union(*(p[1] for p in parts))
        if isinstance(node, ast.Not):
            item, roots = self.criteria(entity_type, node.item, nested)
            return attrs.evolve(node, item=item), roots
        if isinstance(node, (ast.Has, ast.Any)):
            path, target, roots = self.path(entity_type, node.path, nested)
            if node.criteria is None:
                return attrs.evolve(node, path=path), roots
            inner, casts = self.criteria(target or "", node.criteria, True)
            if len(casts) > 1:
                raise QueryTypeError(
                    f"The criteria of '{path}' read attributes of different subtypes ({', '.join(sorted(casts))}): "
                    f"write one '{path}[Type] has/any (...)' per subtype, joined with 'or'.",
                    self.expression,
                    node.pos,
                )
            if casts:
                last = path.steps[-1]
                path = attrs.evolve(path, steps=path.steps[:-1] + (ast.PathStep(last.name, casts.pop(), pos=last.pos),))
            return attrs.evolve(node, path=path, criteria=inner), roots
        path, _, roots = self.path(entity_type, node.path, nested)
        value = self.query(node.value) if isinstance(node.value, ast.Query) else node.value
        return attrs.evolve(node, path=path, value=value), roots
