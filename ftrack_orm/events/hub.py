"""The client :class:`EventHub`: subscribe, publish, reply, over socket.io 0.9 on a WebSocket.

Threads: one *connection* thread owns the socket: it connects (handshake, then
WebSocket), reads packets, answers heartbeats at once (so a slow callback never
delays them), notices a silent link (no packet for the server's heartbeat
timeout) and reconnects with exponential backoff; after each (re)connect it
resubscribes every subscriber and sends what was published meanwhile, and what
was sent but never acknowledged (delivery is at least once; an event id already
received is skipped). Callbacks run on a *dispatch* thread
(``background=True``, the default) or in the thread that calls :meth:`wait`.
A callback's exception is logged (``ftrack_orm.events.hub``) and never stops the hub.
"""
from __future__ import annotations

import contextlib
import logging
import queue
import socket
import threading
import time
import uuid
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple, Union

import requests

from ..client import ApiKey
from .core import APPLICATION_ID, HubCore, accepted_handshake, handshake_headers, websocket_base
from .errors import EventHubConnectionError, EventHubError
from .event import Event
from .websocket import WebSocket, WebSocketError, connect, require_wsproto

__all__ = ["EventHub", "Callback"]

logger = logging.getLogger(__name__)

#: ``callback(event)``: a non-None return value is sent back as a reply.
Callback = Callable[[Event], Any]

class EventHub:
    """A connection to a server's event hub as one user.

    ``EventHub(server_url, api_user, api_key, client_token=None, headers=None,
    verify=True, timeout=30, background=True, reconnect_delay=0.5,
    max_reconnect_delay=30, heartbeat_timeout=None)``: ``headers`` are extra HTTP
    headers for the handshake and the WebSocket; ``verify`` is the TLS rule of the
    HTTP transport (``True``, ``False`` or a CA bundle path); ``background``
    dispatches callbacks on a worker thread (``False``: only inside :meth:`wait`);
    ``heartbeat_timeout`` overrides the silence after which the link counts as dead
    (default: the server's heartbeat timeout from the handshake).
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
        background: bool = True,
        reconnect_delay: float = 0.5,
        max_reconnect_delay: float = 30.0,
        heartbeat_timeout: Optional[float] = None,
        application_id: str = APPLICATION_ID,
    ) -> None:
        self._websocket_url = websocket_base(server_url)
        self.id = uuid.uuid4().hex
        self.server_url = server_url.rstrip("/")
        self.api_user = api_user
        self._api_key = ApiKey(api_key)  # hidden from repr() and vars()
        self.client_token = client_token
        self._headers = dict(headers or {})
        self._verify = verify
        self._timeout = timeout
        self.background = background
        self.reconnect_delay = reconnect_delay
        self.max_reconnect_delay = max_reconnect_delay
        self._heartbeat_override = heartbeat_timeout
        self.application_id = application_id

        self._core = HubCore(self.id, api_user, application_id)
        self._lock = threading.RLock()
        self._queue: queue.Queue[Optional[Event]] = queue.Queue()
        self._socket: Optional[WebSocket] = None
        self._connected = threading.Event()
        self._stopping = threading.Event()
        self._started = False
        self._threads: List[threading.Thread] = []
        #: How many times the link was re-established after a drop.
        self.reconnects = 0
        self._core.add_subscriber("topic=ftrack.meta.reply", self._on_reply, {"id": self.id}, 100)

    def __repr__(self) -> str:
        state = "connected" if self.is_connected else "disconnected"
        return f"<EventHub {self.server_url} {self.api_user} {state}>"

    # -- connection ------------------------------------------------------------------------
    @property
    def is_connected(self) -> bool:
        """Whether the WebSocket is open and the server accepted the session."""
        return self._connected.is_set()

    def connect(self, timeout: Optional[float] = None) -> None:
        """Connect, and keep reconnecting after drops until :meth:`disconnect`.

        Blocks until the server accepted the session; raises
        :class:`EventHubConnectionError` when the first attempt fails (or takes
        longer than ``timeout`` seconds, default the hub's ``timeout``).
        """
        require_wsproto()
        with self._lock:
            if self._started:
                raise EventHubConnectionError("The event hub is already connected (or connecting).")
            self._started = True
            self._stopping.clear()
        first: queue.Queue[Optional[BaseException]] = queue.Queue()
        connection = threading.Thread(target=self._run, args=(first,), name=f"ftrack-event-hub-{self.id[:8]}",
                                      daemon=True)
        self._threads = [connection]
        if self.background:
            self._threads.append(threading.Thread(target=self._dispatch_forever, daemon=True,
                                                  name=f"ftrack-event-dispatch-{self.id[:8]}"))
        for thread in self._threads:
            thread.start()
        try:
            error = first.get(timeout=timeout if timeout is not None else self._timeout + 5)
        except queue.Empty:
            error = EventHubConnectionError(f"Timed out connecting to the event hub at {self.server_url}.")
        if error is not None:
            self._shutdown()
            raise error

    def disconnect(self, unsubscribe: bool = True) -> None:
        """Close the connection (first telling the server to drop this hub's subscribers,
        when ``unsubscribe``) and stop the hub's threads. Local subscribers are kept."""
        if not self._started:
            raise EventHubConnectionError("The event hub is not connected.")
        if unsubscribe and self.is_connected:
            for subscriber in self._core.subscribers():
                self._send_event(self._core.meta("ftrack.meta.unsubscribe", subscriber.metadata), None, resend=False)
        self._shutdown()

    def close(self) -> None:
        """:meth:`disconnect` if connected or reconnecting; else nothing."""
        if self._started:
            self.disconnect()

    def _shutdown(self) -> None:
        self._stopping.set()
        with self._lock:
            websocket = self._socket
        if websocket is not None:
            with contextlib.suppress(WebSocketError):
                websocket.send_text(self._core.disconnect_frame())
            websocket.close()
        self._queue.put(None)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(self._timeout)
        self._threads = []
        self._connected.clear()
        self._core.on_disconnected()
        with self._lock:
            self._started = False

    def _run(self, first: queue.Queue[Optional[BaseException]]) -> None:
        delay = self.reconnect_delay
        reported = False
        while not self._stopping.is_set():
            try:
                websocket, heartbeat = self._open()
            except Exception as error:
                if not reported:
                    reported = True
                    first.put(error if isinstance(error, EventHubError) else EventHubConnectionError(
                        f"Cannot connect to the event hub at {self.server_url}: {error}"))
                    return
                logger.info("event hub: reconnecting in %.1f s (%s)", delay, error)
                if self._stopping.wait(delay):
                    return
                delay = min(delay * 2, self.max_reconnect_delay)
                continue
            if reported:
                self.reconnects += 1
            delay = self.reconnect_delay
            self._read(websocket, heartbeat, first if not reported else None)
            reported = True
            was_connected = self._connected.is_set()
            self._connected.clear()
            self._core.on_disconnected()
            with self._lock:
                self._socket = None
            if was_connected and not self._stopping.is_set():
                logger.info("event hub: the connection to %s dropped; reconnecting", self.server_url)
                self._queue.put(self._core.local("ftrack.meta.disconnected"))

    def _open(self) -> Tuple[WebSocket, float]:
        headers = handshake_headers(self.api_user, self._api_key.header_value(), self.client_token, self._headers)
        try:
            response = requests.get(f"{self.server_url}/socket.io/1/", headers=headers, verify=self._verify,
                                    timeout=self._timeout)
        except requests.RequestException as error:
            raise EventHubConnectionError(f"The event hub handshake with {self.server_url} failed: {error}") from None
        handshake = accepted_handshake(self.server_url, response.status_code, response.text)
        try:
            websocket = connect(f"{self._websocket_url}/socket.io/1/websocket/{handshake.session_id}",
                                self._headers, self._verify, self._timeout)
        except WebSocketError as error:
            raise EventHubConnectionError(str(error)) from None
        heartbeat = self._heartbeat_override or handshake.heartbeat_timeout or 60.0
        return websocket, heartbeat

    def _read(self, websocket: WebSocket, heartbeat: float,
              first: Optional[queue.Queue[Optional[BaseException]]]) -> None:
        websocket.sock.settimeout(min(0.25, heartbeat / 4))
        last = time.monotonic()
        with self._lock:
            self._socket = websocket
        try:
            while not self._stopping.is_set():
                try:
                    text = websocket.receive()
                except socket.timeout:
                    if time.monotonic() - last > heartbeat:
                        logger.info("event hub: no heartbeat from %s for %.1f s; the link is dead",
                                    self.server_url, time.monotonic() - last)
                        return
                    continue
                if text is None:
                    return
                last = time.monotonic()
                received = self._core.receive(text)
                if received.answer is not None:  # heartbeats at once: a slow callback never delays them
                    with contextlib.suppress(WebSocketError):
                        websocket.send_text(received.answer)
                elif received.connected:
                    self._on_connected(websocket)
                    if first is not None:
                        first.put(None)
                        first = None
                elif received.event is not None:
                    self._queue.put(received.event)
                elif received.closed:
                    websocket.close()
        finally:
            websocket.abort()

    def _on_connected(self, websocket: WebSocket) -> None:
        with self._lock:
            frames = self._core.on_connected()
            self._connected.set()
            for frame in frames:
                with contextlib.suppress(WebSocketError):  # kept unacknowledged: resent after a reconnect
                    websocket.send_text(frame)
        self._queue.put(self._core.local("ftrack.meta.connected"))

    # -- subscriptions ---------------------------------------------------------------------
    def subscribe(self, subscription: str, callback: Callback, subscriber: Optional[Mapping[str, Any]] = None,
                  priority: int = 100) -> str:
        """Call ``callback(event)`` for every event matching ``subscription``; the subscriber id.

        ``subscriber`` is metadata other hubs can target (``{"id": ...}`` is added
        when missing). When connected, returns once the server acknowledged it. Lower ``priority`` numbers are called first. Raises
        :class:`~ftrack_orm.events.expression.ExpressionError` for a bad expression.
        """
        found = self._core.subscribe(subscription, callback, subscriber, priority)
        metadata = found.metadata
        if self.is_connected:
            acknowledged = threading.Event()
            checked = self._core.checked("subscribe", found.id)

            def on_ack(answer: Dict[str, Any]) -> None:
                checked(answer)
                acknowledged.set()

            self._send_event(self._core.meta("ftrack.meta.subscribe", metadata, subscription), on_ack, resend=False)
            if threading.current_thread() not in self._threads[:1]:
                # the server routes to it once acknowledged: a commit right after is seen
                acknowledged.wait(min(self._timeout, 5.0))
        return found.id

    def unsubscribe(self, subscriber_id: str) -> None:
        """Remove a subscriber (``KeyError`` when there is none with that id)."""
        found = self._core.remove_subscriber(subscriber_id)
        if self.is_connected:
            self._send_event(self._core.meta("ftrack.meta.unsubscribe", found.metadata), None, resend=False)

    @contextlib.contextmanager
    def subscription(self, subscription: str, callback: Callback, subscriber: Optional[Mapping[str, Any]] = None,
                     priority: int = 100) -> Iterator[str]:
        """``with hub.subscription(...) as subscriber_id:``: unsubscribed on exit."""
        identifier = self.subscribe(subscription, callback, subscriber, priority)
        try:
            yield identifier
        finally:
            with contextlib.suppress(KeyError):
                self.unsubscribe(identifier)

    # -- publishing ------------------------------------------------------------------------
    def publish(self, event: Event, on_reply: Optional[Callback] = None, synchronous: bool = False) -> Any:
        """Send ``event`` to the server (``synchronous``: to this hub's own subscribers only,
        returning their results in order).

        ``on_reply(reply_event)`` is called for each reply. Published while the link is
        down (after :meth:`connect`), the event is sent once it is back; before any
        :meth:`connect`, :class:`EventHubConnectionError` is raised.
        """
        self._core.prepare(event)
        if synchronous:
            return self._handle(event, synchronous=True)
        if not self._started:
            raise EventHubConnectionError(
                "The event hub is not connected: call connect() first (or publish(..., synchronous=True) "
                "for this hub's own subscribers).")
        if on_reply is not None:
            self._core.on_reply(event.id, on_reply)
        self._send_event(event, self._core.checked("publish", event.topic))
        return None

    def publish_reply(self, source_event: Event, data: Mapping[str, Any],
                      source: Optional[Mapping[str, Any]] = None) -> None:
        """Reply to ``source_event`` with ``data`` (a ``ftrack.meta.reply`` targeted at its sender)."""
        self.publish(self._core.reply(source_event, data, source))

    def _send_event(self, event: Event, on_ack: Optional[Callable[[Dict[str, Any]], None]],
                    resend: bool = True) -> None:
        with self._lock:
            frame = self._core.frame(event, on_ack, resend)
            websocket = self._socket
            if frame is None or websocket is None:
                return
            with contextlib.suppress(WebSocketError):  # kept unacknowledged: resent after the reconnect
                websocket.send_text(frame)

    # -- dispatch --------------------------------------------------------------------------
    def wait(self, duration: Optional[float] = None) -> None:
        """Handle incoming events in this thread for ``duration`` seconds (``None``: until
        :meth:`disconnect`). With background dispatch this only waits."""
        deadline = None if duration is None else time.monotonic() + duration
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return
            if self.background:
                if self._stopping.wait(0.1 if remaining is None else min(remaining, 0.1)) and not self._started:
                    return
                continue
            try:
                event = self._queue.get(timeout=0.1 if remaining is None else min(remaining, 0.1))
            except queue.Empty:
                if not self._started and duration is None:
                    return
                continue
            if event is None:
                return
            self._handle(event)

    def _dispatch_forever(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            self._handle(event)

    def _handle(self, event: Event, synchronous: bool = False) -> List[Any]:
        dispatch = self._core.dispatch(event, synchronous, logger)
        for subscriber in dispatch:
            try:
                result = subscriber.callback(event)
            except Exception:
                dispatch.failed(subscriber)
                continue
            reply = dispatch.returned(subscriber, result)
            if reply is not None:
                try:
                    self.publish(reply)
                except EventHubError:
                    dispatch.reply_failed()
        return dispatch.results

    def _on_reply(self, event: Event) -> None:
        callback = self._core.reply_callback(event)
        if callback is not None:
            callback(event)
