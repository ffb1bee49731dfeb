"""The drivers of steps: blocking and asyncio, run to a value or streamed, answers and errors."""
from __future__ import annotations

import asyncio
from typing import Any, List

import pytest

from ftrack_orm.steps import Call, Emit, Steps, run, run_async, stream, stream_async


class Server:
    """Answers each batch with its operations counted; ``fail`` names batches that raise."""

    def __init__(self, fail: Any = ()) -> None:
        self.sent: List[Any] = []
        self.fail = set(fail)

    def call(self, batch: Any, hook: Any) -> List[Any]:
        self.sent.append((list(batch), hook))
        if batch[0] in self.fail:
            raise LookupError(f"no {batch[0]}")
        return [f"{operation}!" for operation in batch]

    async def acall(self, batch: Any, hook: Any) -> List[Any]:
        await asyncio.sleep(0)
        return self.call(batch, hook)


def talk() -> Steps[List[Any]]:
    first = yield Call(["a", "b"], hook=len)
    try:
        yield Call(["missing"])
    except LookupError as error:  # raised at the yield, handled here
        recovered = str(error)
    last = yield Call(["c"])
    return [first, recovered, last]


def test_run_sends_each_call_and_raises_its_error_inside_the_steps():
    server = Server(fail={"missing"})
    assert run(talk(), server.call) == [["a!", "b!"], "no missing", ["c!"]]
    assert server.sent == [(["a", "b"], len), (["missing"], None), (["c"], None)]


def test_run_async_drives_the_same_steps_to_the_same_value():
    server = Server(fail={"missing"})
    assert asyncio.run(run_async(talk(), server.acall)) == [["a!", "b!"], "no missing", ["c!"]]
    assert [batch for batch, _ in server.sent] == [["a", "b"], ["missing"], ["c"]]


def test_an_error_the_steps_do_not_handle_reaches_the_caller_and_steps_without_calls_just_return():
    def unhandled() -> Steps[None]:
        yield Call(["missing"])

    def no_calls() -> Steps[int]:
        return 7
        yield  # pragma: no cover - makes this a generator

    with pytest.raises(LookupError, match="no missing"):
        run(unhandled(), Server(fail={"missing"}).call)
    with pytest.raises(LookupError, match="no missing"):
        asyncio.run(run_async(unhandled(), Server(fail={"missing"}).acall))
    assert run(no_calls(), Server().call) == 7


def pages(log: List[str]) -> Any:
    def make(emit: Emit[str]) -> Steps[None]:
        try:
            for number in range(3):
                answer = yield Call([f"page{number}"])
                emit(answer[0])
                emit(f"after {answer[0]}")
        finally:
            log.append("closed")
    return make


def test_stream_makes_the_next_call_only_once_the_values_so_far_are_consumed_and_closes_the_steps():
    server, log = Server(), []
    values = stream(pages(log), server.call)
    assert next(values) == "page0!"
    assert next(values) == "after page0!" and len(server.sent) == 1
    assert next(values) == "page1!" and len(server.sent) == 2
    values.close()  # the consumer stops early: the steps' finally runs
    assert log == ["closed"] and len(server.sent) == 2
    assert list(stream(pages([]), Server().call)) == ["page0!", "after page0!", "page1!", "after page1!",
                                                      "page2!", "after page2!"]


def test_stream_async_yields_the_same_values_and_raises_an_unhandled_error_after_those_emitted():
    async def collect(server: Server) -> List[str]:
        return [value async for value in stream_async(pages([]), server.acall)]

    assert asyncio.run(collect(Server())) == list(stream(pages([]), Server().call))
    seen: List[str] = []
    with pytest.raises(LookupError, match="no page1"):
        for value in stream(pages([]), Server(fail={"page1"}).call):
            seen.append(value)
    assert seen == ["page0!", "after page0!"]
