"""``QueryResult``: an immutable, reusable, lazily paged query.

Building methods (``where``, ``order_by``, ``select``, ``limit``, ``offset``,
``with_page_size``, ``with_progress``) return new objects; nothing is sent until
the result is iterated (page by page, without keeping finished pages), or
``all()``, ``first()``, ``one()`` are called. ``repr`` never sends anything and a
truth test sends one query for one row. A result keeps nothing of its runs:
:meth:`QueryResult.pages` yields :class:`~ftrack_orm.results.source.Page` values
carrying each page's server metadata.

What a result needs of its session is declared by
:class:`~ftrack_orm.results.source.ResultSource` (schemas, result groups, fetching
one page).

Running a query page by page (long ``in_`` lists sent in chunks) is
:class:`~ftrack_orm.results.paging.Pager`'s.
"""
from __future__ import annotations

import html
from typing import Any, Dict, Generic, Iterator, List, Optional, TypeVar, Union, overload

import attrs

from ..errors import FtrackOrmError
from ..query import ast as qast  # "ast" is also a QueryResult property
from ..query.builder import AttributePath, Criterion, and_
from ..query.checker import expand_default_projections
from ..query.render import render
from ..steps import Emit, Steps, run, stream
from . import columns, tabular
from .paging import Pager
from .progress import Progress, make_progress
from .source import DEFAULT_PAGE_SIZE, Page, ResultSource

#: Rows shown by ``_repr_html_`` (one query of at most this many rows).
HTML_ROWS = 20


class NoResultFoundError(FtrackOrmError, LookupError):
    """``one()`` found no row."""


class MultipleResultsFoundError(FtrackOrmError, LookupError):
    """``one()`` found more than one row."""


#: The row type of a :class:`QueryResult` (``session.query(Task)`` is ``QueryResult[Task]``).
T = TypeVar("T")


class QueryResult(Generic[T]):
    """A query of one entity type; iterate it to stream its rows (entities).

    ``str(result)`` is the ftrack expression. ``repr`` and building never send anything.
    Generic in its row type for type checkers (``QueryResult[Task]``).
    """

    __slots__ = ("_source", "_ast", "_page_size", "_progress")
    _source: ResultSource
    _ast: qast.Query
    _page_size: int
    _progress: Progress

    def __init__(
        self, source: ResultSource, query: qast.Query, page_size: int = DEFAULT_PAGE_SIZE, progress: Progress = None
    ) -> None:
        if not isinstance(page_size, int) or page_size < 1:
            raise ValueError("page_size must be at least 1.")
        init = object.__setattr__
        init(self, "_source", source)
        init(self, "_ast", query)
        init(self, "_page_size", page_size)
        init(self, "_progress", progress)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("A QueryResult is immutable: use the building methods, which return a new one.")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("A QueryResult is immutable: use the building methods, which return a new one.")

    @property
    def ast(self) -> qast.Query:
        """The query's syntax tree (frozen)."""
        return self._ast

    @property
    def page_size(self) -> int:
        """Rows asked per request."""
        return self._page_size

    @property
    def progress(self) -> Progress:
        """``None``, ``True`` (tqdm or text) or ``callback(rows_so_far, total_or_None)``."""
        return self._progress

    # -- building -----------------------------------------------------------------------
    def _evolve(self, **changes: Any) -> QueryResult[T]:
        return QueryResult(self._source, attrs.evolve(self.ast, **changes), self.page_size, self.progress)

    @property
    def entity_type(self) -> str:
        """The schema name of the queried type."""
        return self.ast.entity_type

    def _root(self) -> AttributePath[Any]:
        return AttributePath(self._source.schemas, self.ast.entity_type)

    def where(self, *criteria: Criterion, **equals: Any) -> QueryResult[T]:
        """Add criteria (AND-ed with those already there); keywords mean ``==``.

        A criterion must be written from the queried type or one of its supertypes
        (``Context.name == "x"`` applies to a query of ``Task``, ``Shot.name == "x"``
        does not apply to a query of ``Context``: query ``Shot`` instead).
        """
        root = self._root()
        registry = self._source.schemas
        parts = list(self._existing_where())
        for criterion in criteria:
            if not isinstance(criterion, Criterion):
                raise TypeError(f"where() takes criteria such as Task.name == 'x', not {criterion!r}.")
            if not registry.is_subtype(self.entity_type, criterion.entity_type):
                raise TypeError(
                    f"A criterion on {criterion.entity_type} does not apply to a query of {self.entity_type}"
                    + (f": query {criterion.entity_type} instead."
                       if registry.is_subtype(criterion.entity_type, self.entity_type) else ".")
                )
            parts.append(criterion)
        parts.extend(root.attr(name) == value for name, value in equals.items())
        if not parts:
            return self
        return self._evolve(where=and_(*parts).node)

    def _existing_where(self) -> List[Criterion]:
        return [Criterion(self.ast.where, self.entity_type)] if self.ast.where is not None else []

    def order_by(self, *keys: Union[qast.OrderKey, AttributePath[Any], str]) -> QueryResult[T]:
        """Replace the order: ``order_by(Task.name.desc(), Task.id)`` or ``"name desc"``."""
        order = []
        for key in keys:
            if isinstance(key, qast.OrderKey):
                order.append(key)
            elif isinstance(key, AttributePath):
                order.append(key.asc())
            else:
                text, *words = str(key).split() or [""]
                direction = words[0].lower() if len(words) == 1 else "asc" if not words else ""
                if direction not in _DIRECTIONS:
                    raise ValueError(f"order_by({key!r}): after the path, expected one of "
                                     "asc, ascending, desc or descending")
                path = AttributePath.of(self._source.schemas, self.entity_type, text)
                order.append(path.desc() if _DIRECTIONS[direction] else path.asc())
        return self._evolve(order_by=tuple(order))

    def select(self, *paths: Union[AttributePath[Any], str]) -> QueryResult[T]:
        """Load these attributes (nested ones too) in the same request."""
        projection = []
        for path in paths:
            if isinstance(path, str):
                for text in path.split(","):
                    projection.append(AttributePath.of(self._source.schemas, self.entity_type, text.strip()).path)
            else:
                projection.append(path.path)
        return self._evolve(select=tuple(projection))

    def limit(self, count: Optional[int]) -> QueryResult[T]:
        """At most ``count`` rows (``None``: no limit)."""
        return self._evolve(limit=_count("limit", count))

    def offset(self, count: Optional[int]) -> QueryResult[T]:
        """Skip the first ``count`` rows (``None``: none)."""
        return self._evolve(offset=_count("offset", count))

    def with_page_size(self, page_size: int) -> QueryResult[T]:
        """The same query fetched ``page_size`` rows per request."""
        return QueryResult(self._source, self.ast, page_size, self.progress)

    def with_progress(self, progress: Progress = True) -> QueryResult[T]:
        """The same query reporting each page received (see :mod:`ftrack_orm.results.progress`)."""
        make_progress(progress, "")  # validate now
        return QueryResult(self._source, self.ast, self.page_size, progress)

    # -- description -----------------------------------------------------------------
    def __str__(self) -> str:
        return render(self.ast)

    def __repr__(self) -> str:
        return f"<QueryResult {render(self.ast)!r}>"

    # -- execution --------------------------------------------------------------------
    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page

    def pages(self) -> Iterator[Page]:
        """The rows, one :class:`~ftrack_orm.results.source.Page` at a time; each page is
        fetched when it is needed and carries the server's metadata (``page.next_offset``).

        Streaming: each page's rows form their own result group (lazy loads batch within
        the page), so rows of pages the caller no longer holds are freed."""
        pages: Iterator[Page] = stream(lambda emit: self.page_steps(emit, shared=False), self._source.call)
        return pages

    def page_steps(self, emit: Emit[Page], shared: bool) -> Steps[None]:
        """The query as :mod:`~ftrack_orm.steps`: each page is handed to ``emit`` as it
        arrives (what :meth:`pages` and the asyncio session drive). ``shared``: one result
        group for all the pages (``all()``), else one per page."""
        query = expand_default_projections(self.ast, self._source.schemas)
        report = make_progress(self.progress, query.entity_type)
        try:
            group = self._source.result_group() if shared else None
            yield from Pager(self._source, self.page_size).pages(query, report, group, emit)
        finally:
            close = getattr(report, "close", None)
            if close is not None:
                close()

    def all(self) -> List[T]:
        """Every row, as a list (one run of the query, one result group: lazy loads batch across
        all pages; ``list(result)`` also asks ``len()``)."""
        return run(self.all_steps(), self._source.call)

    def all_steps(self) -> Steps[List[T]]:
        """:meth:`all` as :mod:`~ftrack_orm.steps`."""
        rows: List[T] = []
        yield from self.page_steps(rows.extend, shared=True)
        return rows

    def _quiet(self, **changes: Any) -> QueryResult[T]:
        """A derived query that reports no progress (for the one-row helpers)."""
        return QueryResult(self._source, attrs.evolve(self.ast, **changes), self.page_size)

    def first(self) -> Optional[T]:
        """The first row, or ``None`` (asks for one row only)."""
        return run(self.first_steps(), self._source.call)

    def first_steps(self) -> Steps[Optional[T]]:
        """:meth:`first` as :mod:`~ftrack_orm.steps`."""
        rows = yield from self._quiet(limit=1 if self.ast.limit is None else min(1, self.ast.limit)).all_steps()
        return rows[0] if rows else None

    def one(self) -> T:
        """The only row; ``NoResultFoundError`` / ``MultipleResultsFoundError`` otherwise."""
        return run(self.one_steps(), self._source.call)

    def one_steps(self) -> Steps[T]:
        """:meth:`one` as :mod:`~ftrack_orm.steps`."""
        rows = yield from self._quiet(limit=2 if self.ast.limit is None else min(2, self.ast.limit)).all_steps()
        if not rows:
            raise NoResultFoundError(f"No row matches: {render(self.ast)}")
        if len(rows) > 1:
            raise MultipleResultsFoundError(f"More than one row matches: {render(self.ast)}")
        return rows[0]

    def __bool__(self) -> bool:
        """True when at least one row matches (sends a one-row query)."""
        return self.first() is not None

    # -- sequence habits: each call runs a query for just what it needs (nothing is kept) --
    def __len__(self) -> int:
        """The number of rows: runs the query projecting only the primary key (page by page).

        Python asks for it in ``list(result)``/``tuple(result)`` too (a length hint):
        ``result.all()`` runs the query once."""
        key = self._source.schemas[self.entity_type].primary_key
        return sum(len(page) for page in self._quiet(select=tuple(qast.Path.of(name) for name in key)).pages())

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> List[T]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[T, List[T]]:
        """``result[i]``: one row (a one-row query; a negative index counts the rows first).
        ``result[a:b]``: a list of those rows (one query with offset and limit)."""
        if isinstance(index, slice):
            start, stop, step = index.start, index.stop, index.step
            if any(v is not None and v < 0 for v in (start, stop)) or (step is not None and step < 0):
                start, stop, step = index.indices(len(self))
            start = start or 0
            window = self._window(start, None if stop is None else max(0, stop - start))
            return window.all()[::step] if step not in (None, 1) else window.all()
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError(f"QueryResult indices must be integers or slices, not {type(index).__name__}")
        position = index + len(self) if index < 0 else index
        rows = self._window(position, 1).all() if position >= 0 else []
        if not rows:
            raise IndexError(f"QueryResult index {index} out of range: {render(self.ast)}")
        return rows[0]

    def _window(self, start: int, count: Optional[int]) -> QueryResult[T]:
        """The rows ``start`` to ``start + count`` of this result (its own offset/limit kept)."""
        limit = self.ast.limit
        if limit is not None:
            count = max(0, limit - start) if count is None else max(0, min(count, limit - start))
        return self._quiet(offset=(self.ast.offset or 0) + start, limit=count)

    # -- plain data and notebooks -----------------------------------------------------------
    def _tree(self) -> tabular.Tree:
        return tabular.projection_tree(self.ast.select or ())

    def to_dicts(self, flat: bool = False, all_loaded: bool = False) -> List[Dict[str, Any]]:
        """Every row as a plain dict (runs the whole query).

        Keys: the primary key, then exactly the projected paths in ``select`` order
        (the type's default projections for a bare query), whatever the session loaded
        before; a path the answer lacks is ``None``. Relations are nested dicts (lists
        of them through collections); ``flat=True`` gives dotted keys (``"parent.name"``).
        A path ending at a reference gives its ``{"__entity_type__", <primary key>}``.
        ``all_loaded=True``: every loaded attribute instead (as ``Entity.to_dict()``,
        nested along the projections). Values keep their Python types.
        """
        if all_loaded:
            tree = self._tree()
            rows = [tabular.row_dict(entity, tree) for entity in self]
            return [tabular.flatten(row) for row in rows] if flat else rows
        wanted = self._columns()
        row = columns.flat_row if flat else columns.nested_row
        return [row(entity, wanted) for entity in self]

    def _columns(self) -> List[columns.Column]:
        return columns.columns(expand_default_projections(self.ast, self._source.schemas), self._source.schemas)

    def to_dataframe(self, all_loaded: bool = False) -> Any:
        """A pandas ``DataFrame`` of the flat :meth:`to_dicts` (needs pandas).

        Columns: the primary key, then the projected paths in ``select`` order (the same
        whatever the session loaded before); datetimes are timezone-aware ``datetime64``,
        numbers numeric, integers and booleans nullable. ``all_loaded=True``: also every
        other loaded attribute. Nothing is sent without pandas.
        """
        try:
            import pandas  # noqa: F401
        except ImportError:
            return tabular.dataframe([])  # raises the ImportError with its hint
        wanted = self._columns()
        if all_loaded:
            first = ["__entity_type__", *(name for name, _ in wanted)]
            return tabular.dataframe(self.to_dicts(all_loaded=True), first)
        query = expand_default_projections(self.ast, self._source.schemas)
        frame = pandas.DataFrame(self.to_dicts(flat=True), columns=[name for name, _ in wanted])
        for name, dtype in columns.dtypes(query, self._source.schemas, wanted).items():
            frame[name] = pandas.to_datetime(frame[name], utc=True) if dtype.startswith("datetime64") \
                else frame[name].astype(dtype)
        return frame

    def _repr_html_(self) -> str:
        """A table of the first :data:`HTML_ROWS` rows (one request; never the whole query);
        a failure (server down...) is one line, not a traceback."""
        try:
            return self._html_table()
        except FtrackOrmError as error:
            text = " ".join(str(error).split())
            return f"<p><b>{html.escape(type(error).__name__)}</b>: {html.escape(text)}</p>"

    def _html_table(self) -> str:
        limit = HTML_ROWS if self.ast.limit is None else min(HTML_ROWS, self.ast.limit)
        rows: List[Any] = []
        following = None
        for page in self._quiet(limit=limit).pages():
            rows.extend(page)
            following = page.next_offset
        more = following is not None and (self.ast.limit is None or self.ast.limit > len(rows))
        columns = expand_default_projections(self.ast, self._source.schemas).select or ()
        show_type = any(row.__entity_type__ != self.entity_type for row in rows)
        return tabular.html_table(render(self.ast), columns, rows, more, show_type)


#: Direction words of a text order key -> descending.
_DIRECTIONS = {"asc": False, "ascending": False, "desc": True, "descending": True}


def _count(what: str, count: Optional[int]) -> Optional[int]:
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
        raise ValueError(f"{what} must be a non-negative integer or None, not {count!r}.")
    return count
