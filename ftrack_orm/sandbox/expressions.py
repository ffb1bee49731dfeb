"""Query expressions parsed and checked once, then served from a cache keyed by their text.

Clients ask the same questions again and again (polling, paging, lazy loads):
parsing and checking an expression is about a third of a simple query's cost in
the sandbox. The syntax tree is immutable, so one parsed query is safely shared by
every thread. Errors are not cached: a bad expression is parsed again each time.
"""
from __future__ import annotations

import functools
from typing import Callable

from ..query import ast, check, expand_default_projections, parse
from ..query.casts import explicit_casts
from ..schema import SchemaRegistry
from .pseudo import refuse_pseudo_attributes

#: Distinct expression texts kept (least recently used ones are dropped first).
CACHE_SIZE = 2048


class ParsedExpressions:
    """``get(expression)``: the checked query with default projections made explicit.

    Raises ``QueryParseError`` / ``QueryValidationError`` as ``parse`` and ``check`` do.
    """

    def __init__(self, schemas: SchemaRegistry, size: int = CACHE_SIZE) -> None:
        self.schemas = schemas
        self.get: Callable[[str], ast.Query] = functools.lru_cache(maxsize=size)(self._parse)

    def _parse(self, expression: str) -> ast.Query:
        query = parse(expression)
        check(query, self.schemas, expression)
        refuse_pseudo_attributes(query, expression)
        return explicit_casts(expand_default_projections(query, self.schemas), self.schemas)
