"""``QueryResult``: an immutable, reusable, lazily paged query.

Building methods (``where``, ``order_by``, ``select``, ``limit``, ``offset``) return
new objects; nothing is sent until the result is iterated (page by page, without
keeping finished pages), or ``all()``, ``first()``, ``one()`` are called.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import attrs

from ..errors import FtrackOrmError
from . import ast
from .builder import AttributePath, Criterion, and_, type_name
from .checker import expand_default_projections
from .render import render

#: Default number of rows asked per page.
DEFAULT_PAGE_SIZE = 500
#: ``in_`` lists longer than this are sent in several queries and the results joined.
IN_CHUNK_SIZE = 200


class NoResultFoundError(FtrackOrmError, LookupError):
    """``one()`` found no row."""


class MultipleResultsFoundError(FtrackOrmError, LookupError):
    """``one()`` found more than one row."""


PageFetcher = Callable[[str], Tuple[List[Any], Dict[str, Any]]]


class QueryResult:
    """A query of one entity type; iterate it to stream its rows (entities).

    ``str(result)`` is the ftrack expression. ``repr`` and building never send anything.
    """

    __slots__ = ("_session", "ast", "page_size", "_last")

    def __init__(self, session: Any, query: ast.Query, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1.")
        self._session = session
        self.ast = query
        self.page_size = page_size
        self._last: Dict[str, Any] = {}

    # -- building -----------------------------------------------------------------------
    def _evolve(self, **changes: Any) -> QueryResult:
        return QueryResult(self._session, attrs.evolve(self.ast, **changes), self.page_size)

    @property
    def entity_type(self) -> str:
        return self.ast.entity_type

    def _root(self) -> AttributePath:
        return AttributePath(self._session.schemas, self.ast.entity_type)

    def where(self, *criteria: Criterion, **equals: Any) -> QueryResult:
        """Add criteria (AND-ed with those already there); keywords mean ``==``."""
        root = self._root()
        registry = self._session.schemas
        parts = list(self._existing_where())
        for criterion in criteria:
            if not isinstance(criterion, Criterion):
                raise TypeError(f"where() takes criteria such as Task.name == 'x', not {criterion!r}.")
            if not (registry.is_subtype(self.entity_type, criterion.entity_type)
                    or registry.is_subtype(criterion.entity_type, self.entity_type)):
                raise TypeError(f"A criterion on {criterion.entity_type} does not apply to a query of {self.entity_type}.")
            parts.append(criterion)
        parts.extend(root.attr(name) == value for name, value in equals.items())
        if not parts:
            return self
        return self._evolve(where=and_(*parts).node)

    def _existing_where(self) -> List[Criterion]:
        return [Criterion(self.ast.where, self.entity_type)] if self.ast.where is not None else []

    def order_by(self, *keys: Union[ast.OrderKey, AttributePath, str]) -> QueryResult:
        """Replace the order: ``order_by(Task.name.desc(), Task.id)`` or ``"name desc"``."""
        order = []
        for key in keys:
            if isinstance(key, ast.OrderKey):
                order.append(key)
            elif isinstance(key, AttributePath):
                order.append(key.asc())
            else:
                text, _, direction = str(key).strip().partition(" ")
                path = AttributePath.of(self._session.schemas, self.entity_type, text)
                order.append(path.desc() if direction.strip().lower().startswith("desc") else path.asc())
        return self._evolve(order_by=tuple(order))

    def select(self, *paths: Union[AttributePath, str]) -> QueryResult:
        """Load these attributes (nested ones too) in the same request."""
        projection = []
        for path in paths:
            if isinstance(path, str):
                for text in path.split(","):
                    projection.append(AttributePath.of(self._session.schemas, self.entity_type, text.strip()).path)
            else:
                projection.append(path.path)
        return self._evolve(select=tuple(projection))

    def limit(self, count: Optional[int]) -> QueryResult:
        return self._evolve(limit=count)

    def offset(self, count: Optional[int]) -> QueryResult:
        return self._evolve(offset=count)

    def with_page_size(self, page_size: int) -> QueryResult:
        return QueryResult(self._session, self.ast, page_size)

    # -- description -----------------------------------------------------------------
    def __str__(self) -> str:
        return render(self.ast)

    def __repr__(self) -> str:
        return f"<QueryResult {render(self.ast)!r}>"

    @property
    def metadata(self) -> Dict[str, Any]:
        """The ``metadata`` of the last page fetched (empty before any)."""
        return dict(self._last)

    # -- execution --------------------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        for page in self.pages():
            yield from page

    def pages(self) -> Iterator[List[Any]]:
        """The rows, one page (list) at a time."""
        query = expand_default_projections(self.ast, self._session.schemas)
        chunked = _split_long_in(query)
        if chunked is None:
            yield from self._paged(query)
            return
        if query.order_by or query.offset is not None or query.limit is not None:
            raise ValueError(
                f"An in_() list longer than {IN_CHUNK_SIZE} values is sent in several queries, "
                "which cannot keep order_by/offset/limit across them; filter with a sub-query instead."
            )
        seen = set()
        for part in chunked:
            for page in self._paged(part):
                fresh = [row for row in page if id(row) not in seen]
                seen.update(id(row) for row in fresh)
                if fresh:
                    yield fresh

    def _paged(self, query: ast.Query) -> Iterator[List[Any]]:
        start = query.offset or 0
        remaining = query.limit
        group = self._session._result_group()  # one group for all pages: lazy loads batch across them
        while remaining is None or remaining > 0:
            size = self.page_size if remaining is None else min(self.page_size, remaining)
            expression = render(attrs.evolve(query, offset=start, limit=size))
            rows, metadata = self._session._fetch_page(expression, group)
            self._last = metadata
            if remaining is not None:
                remaining -= len(rows)
            yield rows
            following = (metadata.get("next") or {}).get("offset")
            if following is None or not rows:
                return
            start = following

    def all(self) -> List[Any]:
        """Every row, as a list."""
        return list(self)

    def first(self) -> Optional[Any]:
        """The first row, or ``None`` (asks for one row only)."""
        for row in self._evolve(limit=1):
            return row
        return None

    def one(self) -> Any:
        """The only row; ``NoResultFoundError`` / ``MultipleResultsFoundError`` otherwise."""
        rows = self._evolve(limit=2 if self.ast.limit is None else min(2, self.ast.limit)).all()
        if not rows:
            raise NoResultFoundError(f"No row matches: {render(self.ast)}")
        if len(rows) > 1:
            raise MultipleResultsFoundError(f"More than one row matches: {render(self.ast)}")
        return rows[0]

    def __bool__(self) -> bool:
        """True when at least one row matches (sends a one-row query)."""
        return self.first() is not None


def _split_long_in(query: ast.Query) -> Optional[List[ast.Query]]:
    """Queries, each with a slice of the first over-long top-level ``in`` list; None if none."""
    where = query.where
    conjuncts: Sequence[ast.Criteria] = where.items if isinstance(where, ast.And) else (where,) if where else ()
    for index, node in enumerate(conjuncts):
        if isinstance(node, ast.Comparison) and node.op == "in" and isinstance(node.value, tuple) \
                and len(node.value) > IN_CHUNK_SIZE:
            parts = []
            for start in range(0, len(node.value), IN_CHUNK_SIZE):
                piece = attrs.evolve(node, value=node.value[start:start + IN_CHUNK_SIZE])
                items = list(conjuncts)
                items[index] = piece
                parts.append(attrs.evolve(query, where=ast.And(tuple(items)) if len(items) > 1 else piece))
            return parts
    return None


def query_for(session: Any, target: Any, page_size: int = DEFAULT_PAGE_SIZE) -> QueryResult:
    """A QueryResult from an expression string, an entity class or a type name path."""
    return QueryResult(session, ast.Query(type_name(target)), page_size)
