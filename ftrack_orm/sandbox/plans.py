"""What a query expression compiles to (its SQL, its projection tree), made once per parsed query.

The parsed-expression cache (:mod:`.expressions`) hands out the same immutable query
object for the same text, so what is derived from it alone (the SELECT statement
with its bound values, the tree of projections) is kept beside it, found by the
object's identity: no hashing of the syntax tree per request. A plan holds its query,
so an id is never reused while its plan lives. Plans are read-only once made and
shared by every thread; compiling must depend on the query and the schemas only,
never on stored data.
"""
from __future__ import annotations

from typing import Any, Dict, Generic, List, Optional, Tuple, TypeVar

from ..query import ast
from .expressions import CACHE_SIZE

Tree = TypeVar("Tree")


class Plan(Generic[Tree]):
    """``query``'s SELECT (``(sql, params)``, LIMIT and OFFSET still to bind) and projection ``tree``;
    ``one_statement``: the SELECT is all the query reads (nothing is loaded after it);
    ``fields``: what the answer writes of a row, by row type, worked out on first use."""

    __slots__ = ("query", "select", "tree", "one_statement", "fields")

    def __init__(self, query: ast.Query, select: Tuple[str, List[Any]], tree: Tree, one_statement: bool) -> None:
        self.query = query
        self.select = select
        self.tree = tree
        self.one_statement = one_statement
        self.fields: Dict[str, Any] = {}


class QueryPlans(Generic[Tree]):
    """``get(query)`` / ``put(query, select, tree)``: at most ``size`` plans (all dropped when full)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._plans: Dict[int, Plan[Tree]] = {}

    def get(self, query: ast.Query) -> Optional[Plan[Tree]]:
        """The plan made for this very query object, if any."""
        plan = self._plans.get(id(query))
        return plan if plan is not None and plan.query is query else None

    def put(self, query: ast.Query, select: Tuple[str, List[Any]], tree: Tree,
            one_statement: bool = False) -> Plan[Tree]:
        """Keep and return the plan of ``query``."""
        plan = Plan(query, select, tree, one_statement)
        if len(self._plans) >= self.size:
            self._plans.clear()  # the expression cache behind it is bounded the same way
        self._plans[id(query)] = plan
        return plan
