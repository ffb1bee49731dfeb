"""The asyncio event hub against a real sandbox: real WebSockets on loopback, one event loop."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, List

import pytest

from ftrack_orm import Session
from ftrack_orm.aio import AsyncEventHub
from ftrack_orm.events import Event, EventHubConnectionError
from tests.support.eventhub import subscribed

pytest.importorskip("httpx")

FAST = {"reconnect_delay": 0.05, "max_reconnect_delay": 0.2}


async def eventually(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Await until ``condition()`` is truthy, without blocking the loop."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.01)
    raise AssertionError(f"condition not met within {timeout} s")


def run(sandbox, body: Callable[[AsyncEventHub], Awaitable[Any]], **options: Any) -> Any:
    async def main() -> Any:
        async with AsyncEventHub(sandbox.url, sandbox.api_user, sandbox.api_key, **options) as hub:
            return await body(hub)
    return asyncio.run(main())


def test_an_async_callback_receives_what_a_blocking_hub_publishes(sandbox, make_hub):
    sender = make_hub()

    async def body(hub: AsyncEventHub) -> List[Event]:
        received: List[Event] = []

        async def on_event(event: Event) -> None:
            await asyncio.sleep(0)  # a real coroutine
            received.append(event)

        await hub.subscribe("topic=from.threads and data.n > 1", on_event)
        for n in range(4):
            await asyncio.get_running_loop().run_in_executor(None, sender.publish, Event("from.threads", data={"n": n}))
        await eventually(lambda: len(received) == 2)
        return received

    received = run(sandbox, body)
    assert [event.data["n"] for event in received] == [2, 3]


def test_a_stream_of_ftrack_updates_from_a_commit(sandbox):
    async def body(hub: AsyncEventHub) -> Any:
        async with hub.events("topic=ftrack.update") as stream:
            def commit() -> str:
                with Session(sandbox.url, sandbox.api_user, sandbox.api_key, schema_cache=False) as session:
                    project = session.query("Project").first()
                    project.name = "renamed_in_a_thread"
                    session.commit()
                    return str(project.id)
            project_id = await asyncio.get_running_loop().run_in_executor(None, commit)
            async for event in stream:
                return project_id, event

    project_id, event = run(sandbox, body)
    [entity] = event.data["entities"]
    assert (entity["entity_type"], entity["entityId"], entity["action"]) == ("Project", project_id, "update")
    assert entity["changes"]["name"]["new"] == "renamed_in_a_thread"


def test_replies_both_ways_with_a_blocking_hub(sandbox, make_hub):
    other = make_hub()
    other.subscribe("topic=ask.blocking", lambda event: {"answer": event.data["q"] * 2})
    subscribed(sandbox, 2)

    async def body(hub: AsyncEventHub) -> List[Any]:
        replies: List[Any] = []

        async def on_reply(reply: Event) -> None:
            replies.append(reply.data)

        async def answer(event: Event) -> Any:
            return {"answer": event.data["q"] + 1}

        await hub.subscribe("topic=ask.async", answer)
        await hub.publish(Event("ask.blocking", data={"q": 21}), on_reply=on_reply)
        await eventually(lambda: replies)
        got: List[Any] = []
        await asyncio.get_running_loop().run_in_executor(
            None, lambda: other.publish(Event("ask.async", data={"q": 41}), on_reply=lambda r: got.append(r.data)))
        await eventually(lambda: got)
        return [replies[0], got[0]]

    from_blocking, from_async = run(sandbox, body)
    assert from_blocking == {"answer": 42}
    assert from_async == {"answer": 42}


def test_the_loop_stays_responsive_while_events_flow(sandbox, make_hub):
    sender = make_hub()

    async def body(hub: AsyncEventHub) -> int:
        ticks = 0
        received: List[Event] = []
        await hub.subscribe("topic=flow", received.append)

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.get_running_loop().create_task(ticker())
        for n in range(30):
            await asyncio.get_running_loop().run_in_executor(None, sender.publish, Event("flow", data={"n": n}))
        await eventually(lambda: len(received) == 30)
        task.cancel()
        return ticks

    assert run(sandbox, body) >= 30  # the ticker ran at least once per event delivered


def test_reconnects_and_resubscribes_after_the_sandbox_drops_the_socket(sandbox, make_hub):
    sender = make_hub(**FAST)

    async def body(hub: AsyncEventHub) -> List[Event]:
        received: List[Event] = []
        await hub.subscribe("topic=after.drop", received.append)
        await eventually(lambda: sandbox.events.subscriber_count == 3)
        sandbox.events.drop_clients()
        await eventually(lambda: hub.reconnects == 1 and sender.reconnects == 1)
        await eventually(lambda: sandbox.events.subscriber_count == 3)
        await asyncio.get_running_loop().run_in_executor(None, sender.publish, Event("after.drop", data={"n": 1}))
        await eventually(lambda: received)
        return received

    received = run(sandbox, body, **FAST)
    assert received[0].data == {"n": 1}


def test_a_failing_async_callback_is_logged_and_the_hub_goes_on(sandbox, caplog):
    async def body(hub: AsyncEventHub) -> List[Any]:
        received: List[Any] = []

        async def broken(event: Event) -> None:
            raise RuntimeError("callback broke")

        await hub.subscribe("topic=fragile", broken, priority=1)
        await hub.subscribe("topic=fragile", lambda event: received.append(event.data), priority=2)
        await hub.publish(Event("fragile", data={"n": 1}))
        await eventually(lambda: received)
        return received

    with caplog.at_level(logging.ERROR, logger="ftrack_orm.aio.hub"):
        assert run(sandbox, body) == [{"n": 1}]
    assert "callback broke" in caplog.text


def test_wrong_credentials_are_refused(sandbox):
    async def main() -> None:
        hub = AsyncEventHub(sandbox.url, sandbox.api_user, "wrong-key")
        await hub.connect()

    with pytest.raises(EventHubConnectionError, match="refused"):
        asyncio.run(main())


def test_publish_before_connect_says_what_to_do(sandbox):
    async def main() -> None:
        hub = AsyncEventHub(sandbox.url, sandbox.api_user, sandbox.api_key)
        await hub.publish(Event("x"))

    with pytest.raises(EventHubConnectionError, match="await connect"):
        asyncio.run(main())
