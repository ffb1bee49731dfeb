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
from typing import (Any, AsyncIterator, Awaitable, Callable, Deque, Dict, Generator, Generic, Iterator, List, Mapping,
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


class _Run(Generic[T]):
    """One run of ``steps``: ``request`` is the call they wait for (``None`` once they
    returned ``value``). The drivers below only send it: :meth:`send` (or
    :meth:`send_async`) resumes the steps with its results, or raises its error inside
    them, at their ``yield``, where they can handle it."""

    __slots__ = ("_steps", "request", "value")

    def __init__(self, steps: Steps[T]) -> None:
        self._steps = steps
        self.request: Optional[Call] = None
        self.value: Any = None
        self._resume(steps.send, None)

    def _resume(self, resume: Callable[[Any], Call], argument: Any) -> None:
        try:
            self.request = resume(argument)
        except StopIteration as stop:
            self.request, self.value = None, stop.value

    def send(self, call: BlockingCall) -> None:
        """Send :attr:`request` with a blocking ``call``; the steps go on with its outcome."""
        request = self.request
        assert request is not None
        try:
            results = call(request.batch, request.hook)
        except BaseException as error:
            self._resume(self._steps.throw, error)
        else:
            self._resume(self._steps.send, results)

    async def send_async(self, call: AsyncCall) -> None:
        """:meth:`send` with a coroutine ``call``."""
        request = self.request
        assert request is not None
        try:
            results = await call(request.batch, request.hook)
        except BaseException as error:
            self._resume(self._steps.throw, error)
        else:
            self._resume(self._steps.send, results)

    def close(self) -> None:
        """Stop the steps where they stand (their ``finally`` blocks run)."""
        self._steps.close()


def run(steps: Steps[T], call: BlockingCall) -> T:
    """Drive ``steps`` with a blocking ``call(batch, hook)``; its return value."""
    running = _Run(steps)
    while running.request is not None:
        running.send(call)
    value: T = running.value
    return value


async def run_async(steps: Steps[T], call: AsyncCall) -> T:
    """Drive ``steps`` with a coroutine ``call(batch, hook)``; its return value."""
    running = _Run(steps)
    while running.request is not None:
        await running.send_async(call)
    value: T = running.value
    return value


#: ``emit(value)``: how streaming steps hand a value to their consumer.
Emit = Callable[[T], None]


def stream(make: Callable[[Emit[T]], Steps[None]], call: BlockingCall) -> Iterator[T]:
    """The values that ``make(emit)`` emits, driven with a blocking ``call``, lazily:
    the next call is made only when the values emitted so far are consumed."""
    outbox: Deque[T] = collections.deque()
    running = _Run(make(outbox.append))
    try:
        while outbox or running.request is not None:
            if outbox:
                yield outbox.popleft()
            else:
                running.send(call)
    finally:
        running.close()


async def stream_async(make: Callable[[Emit[T]], Steps[None]], call: AsyncCall) -> AsyncIterator[T]:
    """:func:`stream` with a coroutine ``call``: an async iterator of the emitted values."""
    outbox: Deque[T] = collections.deque()
    running = _Run(make(outbox.append))
    try:
        while outbox or running.request is not None:
            if outbox:
                yield outbox.popleft()
            else:
                await running.send_async(call)
    finally:
        running.close()
