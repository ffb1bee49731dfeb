"""Logic that talks to the server, written once and run by a blocking or an asyncio driver.

Work that needs answers from the server (a commit, loading schemas, populating
attributes, paging a query) is written as a generator of :class:`Call` values:
it yields the batch it needs sent, and receives the decoded results (or has the
error raised at the ``yield``)::

    def steps() -> Steps[int]:
        results = yield Call([ops.query("select id from Task")])
        return len(results[0]["data"])

:func:`run` drives such a generator with a blocking ``call`` (the
:class:`~ftrack_orm.session.Session`), :func:`run_async` with a coroutine (the
:class:`~ftrack_orm.aio.AsyncSession`). Only the sending differs; everything
between two calls is the same code.

Work that produces values as it goes (the pages of a query) takes an ``emit``
callable and calls it with each value; :func:`stream` and :func:`stream_async`
hand the emitted values to the consumer between two calls, so a page is
fetched only when the consumer asks for more than it has.
"""
from __future__ import annotations

import collections
from typing import (Any, AsyncIterator, Awaitable, Callable, Deque, Dict, Generator, Iterator, List, Mapping,
                    NamedTuple, Optional, Sequence, TypeVar)

__all__ = ["Call", "Steps", "run", "run_async", "stream", "stream_async", "BlockingCall", "AsyncCall", "Emit"]

T = TypeVar("T")

#: An entity hook (see :mod:`ftrack_orm.codec`): each decoded ``__entity_type__`` object goes through it.
Hook = Optional[Callable[[Dict[str, Any]], Any]]


class Call(NamedTuple):
    """One batch to send as one request; ``hook`` decodes its entities."""

    batch: Sequence[Mapping[str, Any]]
    hook: Hook = None


#: A generator of :class:`Call` values that receives each call's decoded results and returns ``T``.
Steps = Generator[Call, List[Any], T]

BlockingCall = Callable[[Sequence[Mapping[str, Any]], Hook], List[Any]]
AsyncCall = Callable[[Sequence[Mapping[str, Any]], Hook], Awaitable[List[Any]]]


def run(steps: Steps[T], call: BlockingCall) -> T:
    """Drive ``steps`` with a blocking ``call(batch, hook)``; its return value."""
    try:
        request = next(steps)
        while True:
            try:
                results = call(request.batch, request.hook)
            except BaseException as error:  # raised inside the steps, where they can handle it
                request = steps.throw(error)
            else:
                request = steps.send(results)
    except StopIteration as stop:
        value: T = stop.value
        return value


async def run_async(steps: Steps[T], call: AsyncCall) -> T:
    """Drive ``steps`` with a coroutine ``call(batch, hook)``; its return value."""
    try:
        request = next(steps)
        while True:
            try:
                results = await call(request.batch, request.hook)
            except BaseException as error:
                request = steps.throw(error)
            else:
                request = steps.send(results)
    except StopIteration as stop:
        value: T = stop.value
        return value


#: ``emit(value)``: how streaming steps hand a value to their consumer.
Emit = Callable[[T], None]


def stream(make: Callable[[Emit[T]], Steps[None]], call: BlockingCall) -> Iterator[T]:
    """The values that ``make(emit)`` emits, driven with a blocking ``call``, lazily:
    the next call is made only when the values emitted so far are consumed."""
    outbox: Deque[T] = collections.deque()
    steps = make(outbox.append)
    try:
        request: Optional[Call] = next(steps)
    except StopIteration:
        request = None
    try:
        while True:
            while outbox:
                yield outbox.popleft()
            if request is None:
                return
            try:
                results = call(request.batch, request.hook)
            except BaseException as error:
                try:
                    request = steps.throw(error)
                except StopIteration:
                    request = None
                continue
            try:
                request = steps.send(results)
            except StopIteration:
                request = None
    finally:
        steps.close()


async def stream_async(make: Callable[[Emit[T]], Steps[None]], call: AsyncCall) -> AsyncIterator[T]:
    """:func:`stream` with a coroutine ``call``: an async iterator of the emitted values."""
    outbox: Deque[T] = collections.deque()
    steps = make(outbox.append)
    try:
        request: Optional[Call] = next(steps)
    except StopIteration:
        request = None
    try:
        while True:
            while outbox:
                yield outbox.popleft()
            if request is None:
                return
            try:
                results = await call(request.batch, request.hook)
            except BaseException as error:
                try:
                    request = steps.throw(error)
                except StopIteration:
                    request = None
                continue
            try:
                request = steps.send(results)
            except StopIteration:
                request = None
    finally:
        steps.close()
