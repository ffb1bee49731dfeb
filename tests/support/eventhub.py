"""Event hub test helpers and fixtures: real WebSockets on loopback against a real sandbox."""
from __future__ import annotations

import time
from typing import Any, Callable, Iterator, List

import pytest

from ftrack_orm.events import EventHub
from ftrack_orm.sandbox import Sandbox


def until(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll ``condition`` until it is truthy (returned) or ``timeout`` passes (AssertionError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"condition not met within {timeout} s")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as running:
        yield running


@pytest.fixture
def make_hub(sandbox: Sandbox) -> Iterator[Callable[..., EventHub]]:
    hubs: List[EventHub] = []

    def make(connect: bool = True, **options: Any) -> EventHub:
        hub = EventHub(sandbox.url, sandbox.api_user, sandbox.api_key, **options)
        hubs.append(hub)
        if connect:
            hub.connect()
        return hub

    yield make
    for hub in hubs:
        hub.close()


def subscribed(sandbox: Sandbox, count: int) -> None:
    """Wait until the sandbox holds ``count`` subscribers (subscribing is asynchronous)."""
    until(lambda: sandbox.events.subscriber_count >= count)
