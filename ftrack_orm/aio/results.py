"""Query results of an :class:`~ftrack_orm.aio.AsyncSession`: the same builder, awaited.

An :class:`AsyncQueryResult` wraps a :class:`~ftrack_orm.results.QueryResult` (the
expression, the builder, the paging logic) and drives its :mod:`~ftrack_orm.steps`
with the session's asynchronous call: ``await result.all()``, ``await result.first()``,
``await result.one()``, ``async for row in result``, ``async for page in result.pages()``.
"""
from __future__ import annotations

from typing import Any, AsyncIterator, Generic, List, Optional, TypeVar, Union

from ..query import ast as qast
from ..query.builder import AttributePath, Criterion
from ..results import Page, QueryResult
from ..steps import AsyncCall, run_async, stream_async

__all__ = ["AsyncQueryResult"]

T = TypeVar("T")


class AsyncQueryResult(Generic[T]):
    """A lazy query of an asyncio session; building it sends nothing (see the module docstring)."""

    __slots__ = ("_result", "_call")

    def __init__(self, result: QueryResult[T], call: AsyncCall) -> None:
        self._result = result
        self._call = call

    def _wrap(self, result: QueryResult[T]) -> AsyncQueryResult[T]:
        return AsyncQueryResult(result, self._call)

    # -- building (as QueryResult) --------------------------------------------------------------
    @property
    def ast(self) -> qast.Query:
        """The query's syntax tree."""
        return self._result.ast

    @property
    def entity_type(self) -> str:
        """The queried type."""
        return self._result.entity_type

    def where(self, *criteria: Criterion, **equals: Any) -> AsyncQueryResult[T]:
        """See :meth:`QueryResult.where`."""
        return self._wrap(self._result.where(*criteria, **equals))

    def order_by(self, *keys: Union[qast.OrderKey, AttributePath[Any], str]) -> AsyncQueryResult[T]:
        """See :meth:`QueryResult.order_by`."""
        return self._wrap(self._result.order_by(*keys))

    def select(self, *paths: Union[AttributePath[Any], str]) -> AsyncQueryResult[T]:
        """See :meth:`QueryResult.select`."""
        return self._wrap(self._result.select(*paths))

    def limit(self, count: Optional[int]) -> AsyncQueryResult[T]:
        """See :meth:`QueryResult.limit`."""
        return self._wrap(self._result.limit(count))

    def offset(self, count: Optional[int]) -> AsyncQueryResult[T]:
        """See :meth:`QueryResult.offset`."""
        return self._wrap(self._result.offset(count))

    def with_page_size(self, page_size: int) -> AsyncQueryResult[T]:
        """See :meth:`QueryResult.with_page_size`."""
        return self._wrap(self._result.with_page_size(page_size))

    def __str__(self) -> str:
        return str(self._result)

    def __repr__(self) -> str:
        return f"<AsyncQueryResult {str(self._result)!r}>"

    # -- running ---------------------------------------------------------------------------------
    async def all(self) -> List[T]:
        """Every row (one result group for all pages)."""
        return await run_async(self._result.all_steps(), self._call)

    async def first(self) -> Optional[T]:
        """The first row, or ``None`` (asks for one row only)."""
        return await run_async(self._result.first_steps(), self._call)

    async def one(self) -> T:
        """The only row; ``NoResultFoundError`` / ``MultipleResultsFoundError`` otherwise."""
        return await run_async(self._result.one_steps(), self._call)

    def pages(self) -> AsyncIterator[Page]:
        """The pages, each fetched when the previous one was consumed (one result group per page)."""
        return stream_async(lambda emit: self._result.page_steps(emit, shared=False), self._call)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for row in page:
                yield row

    def __iter__(self) -> Any:
        raise TypeError("An AsyncQueryResult is iterated with 'async for' (or 'await result.all()').")
