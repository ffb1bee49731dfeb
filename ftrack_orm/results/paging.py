"""Running a query page by page: what :meth:`QueryResult.page_steps` does.

:class:`Pager` fetches a query's pages (offset and limit honoured, the server's
``next_offset`` followed) and reports progress. An ``in`` list longer than
:data:`IN_CHUNK_SIZE` is sent as several queries and the results joined without
duplicates; with ``order_by``, ``offset`` or ``limit`` such a query fetches every
chunk (the ordered attributes projected), then orders and slices the rows here:
null values last in ascending order and first in descending order, like the
sandbox; rows that tie keep their fetch order. Everything is :mod:`~ftrack_orm.steps`:
each page is emitted as it arrives.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

import attrs

from .. import operations as ops
from ..entity.inspection import inspect
from ..errors import MalformedResponseError
from ..query import ast as qast
from ..query.render import render
from ..steps import Call, Emit, Steps
from .progress import ProgressCallback
from .source import Page, ResultSource

if TYPE_CHECKING:  # pragma: no cover
    from ..entity.loading import ResultGroup

__all__ = ["IN_CHUNK_SIZE", "Pager"]

#: ``in_`` lists longer than this are sent in several queries and the results joined.
IN_CHUNK_SIZE = 200


class Pager:
    """Fetches the pages of queries from ``source``, ``page_size`` rows per request."""

    __slots__ = ("_source", "_page_size")

    def __init__(self, source: ResultSource, page_size: int) -> None:
        self._source = source
        self._page_size = page_size

    def pages(self, query: qast.Query, report: Optional[ProgressCallback], group: Optional[ResultGroup],
              emit: Emit[Page]) -> Steps[None]:
        """Each page of ``query`` (projections already expanded) to ``emit``, its rows decoded
        into ``group`` (``None``: a group per page); ``report(rows_so_far, total_or_None)``."""
        chunked = _split_long_in(query)
        if chunked is None:
            count = 0

            def counted(page: Page, last: bool) -> None:
                nonlocal count
                count += len(page)
                if report is not None:
                    report(count, count if last else None)
                emit(page)

            yield from self._paged(query, group, counted)
            return
        if query.order_by or query.offset is not None or query.limit is not None:
            yield from self._sorted_chunks(query, chunked, report, emit)
            return
        seen: Dict[int, Any] = {}  # rows kept: a freed row's id could be reused
        total = 0
        for index, part in enumerate(chunked):
            final = index == len(chunked) - 1

            def fresh_only(page: Page, last: bool, final: bool = final) -> None:
                nonlocal total
                fresh = [row for row in page if id(row) not in seen]
                seen.update((id(row), row) for row in fresh)
                total += len(fresh)
                if report is not None:
                    report(total, total if last and final else None)
                if fresh:
                    emit(page.with_rows(fresh))

            yield from self._paged(part, group, fresh_only)

    def _sorted_chunks(self, query: qast.Query, chunked: List[qast.Query], report: Optional[ProgressCallback],
                       emit: Emit[Page]) -> Steps[None]:
        """Every chunk fetched (order paths projected), then ordered and sliced here
        (the pages carry the metadata of the last page fetched)."""
        select = tuple(dict.fromkeys((*(query.select or ()), *(key.path for key in query.order_by))))
        rows: List[Any] = []
        seen: Set[int] = set()
        metadata: Mapping[str, Any] = {}
        group = self._source.result_group()  # every row is kept: one group for all

        def collect(page: Page, last: bool) -> None:
            nonlocal metadata
            metadata = page.metadata
            for row in page:
                if id(row) not in seen:
                    seen.add(id(row))
                    rows.append(row)
            if report is not None:
                report(len(rows), None)

        for part in chunked:
            part = attrs.evolve(part, select=select, order_by=(), offset=None, limit=None)
            yield from self._paged(part, group, collect)
        for key in reversed(query.order_by):
            names = key.path.names
            rows.sort(key=lambda row: _sort_key(row, names), reverse=key.descending)
        start = query.offset or 0
        rows = rows[start:] if query.limit is None else rows[start:start + query.limit]
        if report is not None:
            report(len(rows), len(rows))
        for begin in range(0, len(rows), self._page_size):
            emit(Page(rows[begin:begin + self._page_size], metadata))

    def _paged(self, query: qast.Query, group: Optional[ResultGroup],
               on_page: Callable[[Page, bool], None]) -> Steps[None]:
        """``on_page(page, is_last_page)`` for each page of ``query``, offset/limit honoured;
        the rows decode into ``group``, or into a new group per page when it is ``None``."""
        start = query.offset or 0
        remaining = query.limit
        source = self._source
        while remaining is None or remaining > 0:
            size = self._page_size if remaining is None else min(self._page_size, remaining)
            into = group if group is not None else source.result_group()
            answer = yield Call([ops.query(render(attrs.evolve(query, offset=start, limit=size)))], into.merge)
            page = Page.from_answer(answer[0])
            if remaining is not None:
                remaining -= len(page)
            following = page.next_offset
            last = following is None or not page or remaining == 0
            if not last and (type(following) is not int or following <= start):
                raise MalformedResponseError(
                    f"The server answered the page at offset {start} of {render(query)!r} with next offset "
                    f"{following!r}, which does not advance: paging would never end."
                )
            on_page(page, last)
            if last or following is None:
                return
            start = following


def _sort_key(row: Any, names: Sequence[str]) -> Tuple[Any, ...]:
    """Server values only (local edits do not reorder); nulls sort after values."""
    value: Any = row
    for name in names:
        value = inspect(value).server_values.get(name) if value is not None else None
    return (1,) if value is None else (0, value)


def _split_long_in(query: qast.Query) -> Optional[List[qast.Query]]:
    """Queries, each with a slice of the first over-long top-level ``in`` list; None if none."""
    where = query.where
    conjuncts: Sequence[qast.Criteria] = where.items if isinstance(where, qast.And) else (where,) if where else ()
    for index, node in enumerate(conjuncts):
        if isinstance(node, qast.Comparison) and node.op == "in" and isinstance(node.value, tuple) \
                and len(node.value) > IN_CHUNK_SIZE:
            parts = []
            for start in range(0, len(node.value), IN_CHUNK_SIZE):
                piece = attrs.evolve(node, value=node.value[start:start + IN_CHUNK_SIZE])
                items = list(conjuncts)
                items[index] = piece
                parts.append(attrs.evolve(query, where=qast.And(tuple(items)) if len(items) > 1 else piece))
            return parts
    return None
