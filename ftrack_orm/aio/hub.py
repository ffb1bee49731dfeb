"""The event hub on asyncio: :class:`AsyncEventHub`.

The same protocol as the blocking :class:`~ftrack_orm.events.EventHub` (the shared
state is :class:`~ftrack_orm.events.core.HubCore`), driven by tasks instead of
threads: one task owns the link (handshake, WebSocket, heartbeats, reconnects with
backoff, resubscribing and resending after each reconnect), one dispatches events
to the callbacks in order. Callbacks may be plain functions or coroutine
functions; a callback's exception is logged and never stops the hub. Events can
also be consumed as a stream::

    async with AsyncEventHub(url, user, key) as hub:
        async for event in hub.events("topic=ftrack.update"):
            ...
"""
from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Tuple, Union

from ..client import ApiKey
from ..events.core import APPLICATION_ID, HubCore, accepted_handshake, handshake_headers, websocket_base
from ..events.errors import EventHubConnectionError, EventHubError
from ..events.event import Event
from ..events.websocket import WebSocketError, require_wsproto
from .transport import require_httpx
from .websocket import AsyncWebSocket, connect

__all__ = ["AsyncEventHub", "AsyncCallback", "EventStream"]

logger = logging.getLogger(__name__)

#: ``callback(event)`` or ``async callback(event)``: a non-None result is sent back as a reply.
AsyncCallback = Callable[[Event], Union[Any, Awaitable[Any]]]


class AsyncEventHub:
    """A connection to a server's event hub as one user, on the running event loop.

    The arguments are those of :class:`~ftrack_orm.events.EventHub` (without
    ``background``: callbacks always run on the hub's dispatch task).
    """

    def __init__(
        self,
        server_url: str,
        api_user: str,
        api_key: str,
        *,
        client_token: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        verify: Union[bool, str] = True,
        timeout: float = 30.0,
        reconnect_delay: float = 0.5,
        max_reconnect_delay: float = 30.0,
        heartbeat_timeout: Optional[float] = None,
        application_id: str = APPLICATION_ID,
    ) -> None:
        self._websocket_url = websocket_base(server_url)
        self.id = uuid.uuid4().hex
        self.server_url = server_url.rstrip("/")
        self.api_user = api_user
        self._api_key = ApiKey(api_key)
        self.client_token = client_token
        self._headers = dict(headers or {})
        self._verify = verify
        self._timeout = timeout
        self.reconnect_delay = reconnect_delay
        self.max_reconnect_delay = max_reconnect_delay
        self._heartbeat_override = heartbeat_timeout
        self.application_id = application_id
        self._core = HubCore(self.id, api_user, application_id)
        self._core.add_subscriber("topic=ftrack.meta.reply", self._on_reply, {"id": self.id}, 100)
        self._socket: Optional[AsyncWebSocket] = None
        self._queue: Optional[asyncio.Queue[Optional[Event]]] = None
        self._tasks: List[asyncio.Task[None]] = []
        self._connected: Optional[asyncio.Event] = None
        self._stopping = False
        #: How many times the link was re-established after a drop.
        self.reconnects = 0

    def __repr__(self) -> str:
        return f"<AsyncEventHub {self.server_url} {self.api_user} {'connected' if self.is_connected else 'disconnected'}>"

    async def __aenter__(self) -> AsyncEventHub:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    # -- connection ------------------------------------------------------------------------
    @property
    def is_connected(self) -> bool:
        """Whether the WebSocket is open and the server accepted the session."""
        return self._connected is not None and self._connected.is_set()

    async def connect(self, timeout: Optional[float] = None) -> None:
        """Connect, and keep reconnecting after drops until :meth:`disconnect`.

        Returns once the server accepted the session; raises
        :class:`EventHubConnectionError` when the first attempt fails or takes longer
        than ``timeout`` seconds (default: the hub's ``timeout``).
        """
        require_wsproto()
        if self._tasks:
            raise EventHubConnectionError("The event hub is already connected (or connecting).")
        self._stopping = False
        self._queue = asyncio.Queue()
        self._connected = asyncio.Event()
        loop = asyncio.get_running_loop()
        first: asyncio.Future[None] = loop.create_future()
        self._tasks = [loop.create_task(self._run(first)), loop.create_task(self._dispatch_forever())]
        try:
            await asyncio.wait_for(asyncio.shield(first), timeout if timeout is not None else self._timeout + 5)
        except asyncio.TimeoutError:
            await self._shutdown()
            raise EventHubConnectionError(f"Timed out connecting to the event hub at {self.server_url}.") from None
        except BaseException:
            await self._shutdown()
            raise

    async def disconnect(self, unsubscribe: bool = True) -> None:
        """Close the connection (first telling the server to drop this hub's subscribers,
        when ``unsubscribe``) and stop the hub's tasks. Local subscribers are kept."""
        if not self._tasks:
            raise EventHubConnectionError("The event hub is not connected.")
        if unsubscribe and self.is_connected:
            for subscriber in self._core.subscribers():
                await self._send_event(self._core.meta("ftrack.meta.unsubscribe", subscriber.metadata), None,
                                       resend=False)
        await self._shutdown()

    async def close(self) -> None:
        """:meth:`disconnect` if connected or reconnecting; else nothing."""
        if self._tasks:
            await self.disconnect()

    async def _shutdown(self) -> None:
        self._stopping = True
        websocket = self._socket
        if websocket is not None:
            with contextlib.suppress(WebSocketError):
                await websocket.send_text(self._core.disconnect_frame())
            await websocket.close()
        if self._queue is not None:
            self._queue.put_nowait(None)
        current = asyncio.current_task()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            if task is not current and not task.done():
                task.cancel()
        for task in tasks:
            if task is not current:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self._connected is not None:
            self._connected.clear()
        self._core.on_disconnected()

    async def _run(self, first: asyncio.Future[None]) -> None:
        delay = self.reconnect_delay
        while not self._stopping:
            try:
                websocket, heartbeat = await self._open()
            except Exception as error:
                if not first.done():
                    first.set_exception(error if isinstance(error, EventHubError) else EventHubConnectionError(
                        f"Cannot connect to the event hub at {self.server_url}: {error}"))
                    return
                logger.info("event hub: reconnecting in %.1f s (%s)", delay, error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_reconnect_delay)
                continue
            if first.done():
                self.reconnects += 1
            delay = self.reconnect_delay
            await self._read(websocket, heartbeat, first)
            assert self._connected is not None and self._queue is not None
            was_connected = self._connected.is_set()
            self._connected.clear()
            self._core.on_disconnected()
            self._socket = None
            if not first.done():
                first.set_exception(EventHubConnectionError(
                    f"The event hub at {self.server_url} closed the connection before accepting the session."))
                return
            if was_connected and not self._stopping:
                logger.info("event hub: the connection to %s dropped; reconnecting", self.server_url)
                self._queue.put_nowait(self._core.local("ftrack.meta.disconnected"))

    async def _open(self) -> Tuple[AsyncWebSocket, float]:
        httpx = require_httpx()
        headers = handshake_headers(self.api_user, self._api_key.header_value(), self.client_token, self._headers)
        try:
            async with httpx.AsyncClient(verify=self._verify, timeout=self._timeout) as http:
                response = await http.get(f"{self.server_url}/socket.io/1/", headers=headers)
        except httpx.HTTPError as error:
            raise EventHubConnectionError(
                f"The event hub handshake with {self.server_url} failed: {type(error).__name__}: {error}") from None
        handshake = accepted_handshake(self.server_url, response.status_code, response.text)
        try:
            websocket = await connect(f"{self._websocket_url}/socket.io/1/websocket/{handshake.session_id}",
                                      self._headers, self._verify, self._timeout)
        except WebSocketError as error:
            raise EventHubConnectionError(str(error)) from None
        return websocket, self._heartbeat_override or handshake.heartbeat_timeout or 60.0

    async def _read(self, websocket: AsyncWebSocket, heartbeat: float, first: asyncio.Future[None]) -> None:
        assert self._queue is not None
        self._socket = websocket
        last = time.monotonic()
        try:
            while not self._stopping:
                try:
                    text = await asyncio.wait_for(websocket.receive(), heartbeat)
                except asyncio.TimeoutError:
                    logger.info("event hub: no heartbeat from %s for %.1f s; the link is dead",
                                self.server_url, time.monotonic() - last)
                    return
                if text is None:
                    return
                last = time.monotonic()
                received = self._core.receive(text)
                if received.answer is not None:
                    with contextlib.suppress(WebSocketError):
                        await websocket.send_text(received.answer)
                elif received.connected:
                    await self._on_connected(websocket)
                    if not first.done():
                        first.set_result(None)
                elif received.event is not None:
                    self._queue.put_nowait(received.event)
                elif received.closed:
                    await websocket.close()
        finally:
            websocket.abort()

    async def _on_connected(self, websocket: AsyncWebSocket) -> None:
        assert self._connected is not None and self._queue is not None
        frames = self._core.on_connected()
        self._connected.set()
        for frame in frames:
            with contextlib.suppress(WebSocketError):  # kept unacknowledged: resent after a reconnect
                await websocket.send_text(frame)
        self._queue.put_nowait(self._core.local("ftrack.meta.connected"))

    # -- subscriptions ---------------------------------------------------------------------
    async def subscribe(self, subscription: str, callback: AsyncCallback,
                        subscriber: Optional[Mapping[str, Any]] = None, priority: int = 100) -> str:
        """Call ``callback(event)`` (awaited when it is a coroutine function) for every
        event matching ``subscription``; returns the subscriber id once the server
        acknowledged it (when connected). See :meth:`EventHub.subscribe`."""
        found = self._core.subscribe(subscription, callback, subscriber, priority)
        metadata = found.metadata
        if self.is_connected:
            acknowledged = asyncio.Event()
            checked = self._core.checked("subscribe", found.id)

            def on_ack(answer: Dict[str, Any]) -> None:
                checked(answer)
                acknowledged.set()

            await self._send_event(self._core.meta("ftrack.meta.subscribe", metadata, subscription), on_ack,
                                   resend=False)
            # the server routes to it once acknowledged: a commit right after is seen
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(acknowledged.wait(), min(self._timeout, 5.0))
        return found.id

    async def unsubscribe(self, subscriber_id: str) -> None:
        """Remove a subscriber (``KeyError`` when there is none with that id)."""
        found = self._core.remove_subscriber(subscriber_id)
        if self.is_connected:
            await self._send_event(self._core.meta("ftrack.meta.unsubscribe", found.metadata), None, resend=False)

    def events(self, subscription: str, subscriber: Optional[Mapping[str, Any]] = None,
               priority: int = 100, max_queued: int = 0) -> EventStream:
        """The events matching ``subscription`` as an :class:`EventStream`::

            async with hub.events("topic=ftrack.update") as stream:   # subscribed here
                async for event in stream:
                    ...

        (``async for event in hub.events(...)`` alone subscribes on the first step.)
        ``max_queued``: events kept while the consumer is busy (0: unbounded; when
        full, the oldest is dropped and logged)."""
        return EventStream(self, subscription, subscriber, priority, max_queued)

    # -- publishing ------------------------------------------------------------------------
    async def publish(self, event: Event, on_reply: Optional[AsyncCallback] = None,
                      synchronous: bool = False) -> Any:
        """Send ``event`` (``synchronous``: to this hub's own subscribers only, returning
        their results). ``on_reply(reply)`` (or a coroutine function) is called per reply.
        See :meth:`EventHub.publish`."""
        self._core.prepare(event)
        if synchronous:
            return await self._handle(event, synchronous=True)
        if not self._tasks:
            raise EventHubConnectionError(
                "The event hub is not connected: await connect() first (or publish(..., synchronous=True) "
                "for this hub's own subscribers).")
        if on_reply is not None:
            self._core.on_reply(event.id, on_reply)
        await self._send_event(event, self._core.checked("publish", event.topic))
        return None

    async def publish_reply(self, source_event: Event, data: Mapping[str, Any],
                            source: Optional[Mapping[str, Any]] = None) -> None:
        """Reply to ``source_event`` with ``data`` (a ``ftrack.meta.reply`` targeted at its sender)."""
        await self.publish(self._core.reply(source_event, data, source))

    async def _send_event(self, event: Event, on_ack: Optional[Callable[[Dict[str, Any]], None]],
                          resend: bool = True) -> None:
        frame = self._core.frame(event, on_ack, resend)
        websocket = self._socket
        if frame is not None and websocket is not None:
            with contextlib.suppress(WebSocketError):  # kept unacknowledged: resent after the reconnect
                await websocket.send_text(frame)

    # -- dispatch --------------------------------------------------------------------------
    async def _dispatch_forever(self) -> None:
        assert self._queue is not None
        while True:
            event = await self._queue.get()
            if event is None:
                return
            await self._handle(event)

    async def _handle(self, event: Event, synchronous: bool = False) -> List[Any]:
        dispatch = self._core.dispatch(event, synchronous, logger)
        for subscriber in dispatch:
            try:
                result = subscriber.callback(event)
                if inspect.isawaitable(result):
                    result = await result
            except Exception:
                dispatch.failed(subscriber)
                continue
            reply = dispatch.returned(subscriber, result)
            if reply is not None:
                try:
                    await self.publish(reply)
                except EventHubError:
                    dispatch.reply_failed()
        return dispatch.results

    async def _on_reply(self, event: Event) -> None:
        callback = self._core.reply_callback(event)
        if callback is not None:
            result = callback(event)
            if inspect.isawaitable(result):
                await result


class EventStream:
    """A subscription read as an async iterator (see :meth:`AsyncEventHub.events`);
    unsubscribed by :meth:`aclose` or when its ``async with`` block ends."""

    def __init__(self, hub: AsyncEventHub, subscription: str, subscriber: Optional[Mapping[str, Any]],
                 priority: int, max_queued: int) -> None:
        self._hub = hub
        self.subscription = subscription
        self._metadata = subscriber
        self._priority = priority
        self._queue: asyncio.Queue[Event] = asyncio.Queue(max_queued)
        #: The subscriber id, once subscribed.
        self.subscriber_id: Optional[str] = None
        self._closed = False

    async def start(self) -> EventStream:
        """Subscribe now (once acknowledged by the server when connected)."""
        if self.subscriber_id is None and not self._closed:
            self.subscriber_id = await self._hub.subscribe(self.subscription, self._deliver, self._metadata,
                                                           self._priority)
        return self

    def _deliver(self, event: Event) -> None:
        if self._queue.full():
            dropped = self._queue.get_nowait()
            logger.warning("event hub: the stream of %r is full; dropped %s %s", self.subscription,
                           dropped.topic, dropped.id)
        self._queue.put_nowait(event)

    async def aclose(self) -> None:
        """Unsubscribe; the iteration ends."""
        self._closed = True
        if self.subscriber_id is not None:
            identifier, self.subscriber_id = self.subscriber_id, None
            with contextlib.suppress(KeyError, EventHubError):
                await self._hub.unsubscribe(identifier)

    async def __aenter__(self) -> EventStream:
        return await self.start()

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> Event:
        if self._closed:
            raise StopAsyncIteration
        await self.start()
        return await self._queue.get()
