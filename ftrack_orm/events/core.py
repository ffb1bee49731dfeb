"""The event hub's protocol state, without I/O: what both hubs (threads, asyncio) share.

:class:`HubCore` knows the subscribers, numbers outgoing packets, remembers what
waits for an acknowledgement (resent after a reconnect: delivery is at least
once), what was published while the link was down, and which event ids were
already delivered (a resent event is skipped). It turns incoming text frames into
:class:`Received` (a frame to answer at once, an event to dispatch, a closed link)
and picks the subscribers an event goes to. It never touches a socket, a thread or
an event loop: the hubs (:class:`~ftrack_orm.events.hub.EventHub`,
:class:`~ftrack_orm.aio.hub.AsyncEventHub`) move the frames and call the callbacks.
Every method is safe to call from several threads.
"""
from __future__ import annotations

import collections
import json
import logging
import platform
import threading
import uuid
from typing import Any, Callable, Deque, Dict, Iterator, List, Mapping, NamedTuple, Optional, Tuple

from . import socketio
from .errors import EventHubConnectionError, EventHubError
from .event import Event
from .expression import Expression, parse_expression

__all__ = ["HubCore", "Dispatch", "Subscriber", "Received", "AckCallback", "APPLICATION_ID", "handshake_headers",
           "accepted_handshake", "websocket_base"]

logger = logging.getLogger(__name__)

AckCallback = Callable[[Dict[str, Any]], None]

APPLICATION_ID = "ftrack.orm.python"
_SEEN_EVENTS = 10_000


class Subscriber:
    """One subscription: its expression, callback, metadata (``id`` among it) and priority."""

    __slots__ = ("id", "subscription", "expression", "callback", "metadata", "priority")

    def __init__(self, subscription: str, callback: Any, metadata: Dict[str, Any], priority: int) -> None:
        self.subscription = subscription
        self.expression: Expression = parse_expression(subscription)
        self.callback = callback
        self.metadata = metadata
        self.id: str = metadata["id"]
        self.priority = priority


class Received(NamedTuple):
    """What one incoming frame asks of the hub."""

    answer: Optional[str] = None  #: a frame to send back at once (a heartbeat)
    event: Optional[Event] = None  #: an event to dispatch to the subscribers
    connected: bool = False  #: the server accepted the session (frames to send: :meth:`HubCore.on_connected`)
    closed: bool = False  #: the server ends the session


class Dispatch:
    """One event's way through a hub's subscribers, without I/O: what both hubs' dispatch loops share.

    Iterate it for the subscribers to call, in order, and tell it each callback's outcome:
    :meth:`returned` gives the reply the hub publishes, if any (:meth:`reply_failed` when
    that fails); :meth:`failed`, from the ``except`` block, logs the error. It stops after a
    callback that returned once the event is stopped; ``results`` are what the callbacks
    returned, in order. Only the calling differs between the hubs (a coroutine is awaited).
    """

    __slots__ = ("event", "results", "_core", "_synchronous", "_log", "_returned")

    def __init__(self, core: HubCore, event: Event, synchronous: bool, log: logging.Logger) -> None:
        self.event = event
        self.results: List[Any] = []
        self._core = core
        self._synchronous = synchronous
        self._log = log
        self._returned = False

    def __iter__(self) -> Iterator[Subscriber]:
        for subscriber in self._core.recipients(self.event):
            self._returned = False
            yield subscriber
            if self._returned and self.event.is_stopped():
                return

    def returned(self, subscriber: Subscriber, result: Any) -> Optional[Event]:
        """Keep ``result``; the reply to publish for it (``None``: none is sent: no result,
        a synchronous dispatch, or the hub's own subscriber)."""
        self.results.append(result)
        self._returned = True
        if result is None or self._synchronous or subscriber.metadata.get("id") == self._core.id:
            return None
        data = result if isinstance(result, Mapping) else {"result": result}
        return self._core.reply(self.event, data, source=subscriber.metadata)

    def failed(self, subscriber: Subscriber) -> None:
        """Log the exception ``subscriber``'s callback raised (call it from the ``except`` block)."""
        self._log.exception("event hub: subscriber %s (%s) failed on %s %s", subscriber.id,
                            subscriber.subscription, self.event.topic, self.event.id)

    def reply_failed(self) -> None:
        """Log that the reply could not be published (call it from the ``except`` block)."""
        self._log.exception("event hub: cannot reply to %s %s", self.event.topic, self.event.id)


class HubCore:
    """The protocol state of one hub (see the module docstring)."""

    def __init__(self, hub_id: str, api_user: str, application_id: str = APPLICATION_ID) -> None:
        self.id = hub_id
        self.api_user = api_user
        self.application_id = application_id
        self._lock = threading.RLock()
        self._subscribers: List[Subscriber] = []
        self._reply_callbacks: Dict[str, Any] = {}
        self._outbox: Deque[Tuple[Event, Optional[AckCallback]]] = collections.deque()
        self._unacked: Dict[int, Tuple[Event, Optional[AckCallback]]] = {}
        self._ack_callbacks: Dict[int, AckCallback] = {}  # packets not resent (subscribe, ...)
        self._packet_id = 0
        self._seen: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._connected = False

    @property
    def connected(self) -> bool:
        """Whether the server accepted the session on the current link."""
        return self._connected

    # -- events this hub makes -----------------------------------------------------------
    def prepare(self, event: Event) -> None:
        """Fill the event's ``source`` with this hub's identity (kept where already set)."""
        event.source.setdefault("id", self.id)
        event.source.setdefault("applicationId", self.application_id)
        event.source.setdefault("user", {"username": self.api_user})
        event.source.setdefault("host", platform.node())

    def meta(self, topic: str, metadata: Dict[str, Any], subscription: Optional[str] = None) -> Event:
        """A ``ftrack.meta.*`` event about a subscriber."""
        data: Dict[str, Any] = {"subscriber": metadata}
        if subscription is not None:
            data["subscription"] = subscription
        event = Event(topic, data=data)
        self.prepare(event)
        return event

    def local(self, topic: str) -> Event:
        """An event delivered only to this hub's subscribers (``ftrack.meta.connected``, ...)."""
        event = Event(topic)
        self.prepare(event)
        return event

    def reply(self, source_event: Event, data: Mapping[str, Any], source: Optional[Mapping[str, Any]] = None) -> Event:
        """The ``ftrack.meta.reply`` to ``source_event``, targeted at its sender."""
        reply = Event("ftrack.meta.reply", data=dict(data), target=f"id={source_event.source.get('id')}",
                      in_reply_to_event=source_event.id, source=dict(source or {}))
        self.prepare(reply)
        return reply

    # -- subscribers -----------------------------------------------------------------------
    def add_subscriber(self, subscription: str, callback: Any, metadata: Dict[str, Any], priority: int) -> Subscriber:
        """Add a subscriber; :class:`EventHubError` when its id is taken, ``ExpressionError`` for a bad expression."""
        found = Subscriber(subscription, callback, metadata, priority)
        with self._lock:
            if any(s.id == found.id for s in self._subscribers):
                raise EventHubError(f"A subscriber with id {found.id!r} already exists.")
            self._subscribers.append(found)
            self._subscribers.sort(key=lambda s: s.priority)
        return found

    def subscribe(self, subscription: str, callback: Any, subscriber: Optional[Mapping[str, Any]],
                  priority: int) -> Subscriber:
        """Add a subscriber from a hub's ``subscribe`` arguments: its metadata gets an ``id``
        (new unless given) and this hub's ``applicationId``."""
        metadata = dict(subscriber or {})
        metadata.setdefault("id", uuid.uuid4().hex)
        metadata.setdefault("applicationId", self.application_id)
        return self.add_subscriber(subscription, callback, metadata, priority)

    def remove_subscriber(self, subscriber_id: str) -> Subscriber:
        """Remove and return a subscriber (``KeyError`` when there is none with that id)."""
        with self._lock:
            found = next((s for s in self._subscribers if s.id == subscriber_id), None)
            if found is None:
                raise KeyError(f"No subscriber {subscriber_id!r}.")
            self._subscribers.remove(found)
        return found

    def subscribers(self) -> List[Subscriber]:
        """The subscribers, lowest priority number first (a copy)."""
        with self._lock:
            return list(self._subscribers)

    def recipients(self, event: Event) -> List[Subscriber]:
        """The subscribers ``event`` goes to, in order: its target matches their metadata
        and their expression matches it. An invalid target reaches no one (logged)."""
        try:
            target = parse_expression(event.target) if event.target else None
        except ValueError:
            logger.exception("event hub: cannot handle %s: invalid target %r", event.topic, event.target)
            return []
        return [s for s in self.subscribers()
                if (target is None or target.match(s.metadata)) and s.expression.match(event)]

    def dispatch(self, event: Event, synchronous: bool, log: logging.Logger) -> Dispatch:
        """``event``'s way through the subscribers (see :class:`Dispatch`); ``log`` is the hub's logger."""
        return Dispatch(self, event, synchronous, log)

    def on_reply(self, event_id: str, callback: Any) -> None:
        """Call ``callback(reply)`` for each reply to the event with id ``event_id``."""
        with self._lock:
            self._reply_callbacks[event_id] = callback

    def reply_callback(self, event: Event) -> Any:
        """The callback waiting for replies to the event ``event`` answers, or ``None``."""
        with self._lock:
            return self._reply_callbacks.get(event.in_reply_to_event or "")

    # -- outgoing frames -------------------------------------------------------------------
    def frame(self, event: Event, on_ack: Optional[AckCallback], resend: bool = True) -> Optional[str]:
        """The text frame sending ``event`` now, or ``None`` while the link is down (then,
        when ``resend``, it is kept and sent after the next connect). With ``resend`` the
        event is kept until acknowledged and resent after a reconnect."""
        event.stamp()
        with self._lock:
            if not self._connected:
                if resend:
                    self._outbox.append((event, on_ack))
                return None
            self._packet_id += 1
            number = self._packet_id
            if resend:
                self._unacked[number] = (event, on_ack)
            elif on_ack is not None:
                self._ack_callbacks[number] = on_ack
            return socketio.encode(socketio.event_packet(event.to_wire(), number))

    def on_connected(self) -> List[str]:
        """Mark the link up; the frames to send now: every subscription, then what waited
        (unacknowledged first, in order, then what was published while down)."""
        with self._lock:
            subscribers = list(self._subscribers)
            resend = [item for _, item in sorted(self._unacked.items())] + list(self._outbox)
            self._unacked.clear()
            self._ack_callbacks.clear()
            self._outbox.clear()
            self._connected = True
        frames = []
        for subscriber in subscribers:
            frame = self.frame(self.meta("ftrack.meta.subscribe", subscriber.metadata, subscriber.subscription),
                               self.checked("subscribe", subscriber.id), resend=False)
            if frame is not None:
                frames.append(frame)
        for event, on_ack in resend:
            frame = self.frame(event, on_ack)
            if frame is not None:
                frames.append(frame)
        return frames

    def on_disconnected(self) -> bool:
        """Mark the link down; whether it was up."""
        with self._lock:
            was, self._connected = self._connected, False
        return was

    @staticmethod
    def checked(what: str, name: str) -> AckCallback:
        """An acknowledgement callback that logs a refusal by the server."""
        def on_ack(answer: Dict[str, Any]) -> None:
            if answer.get("success") is False:
                logger.warning("event hub: the server refused %s %s: %s", what, name, answer.get("message"))
        return on_ack

    # -- incoming frames -------------------------------------------------------------------
    def receive(self, text: str) -> Received:
        """Read one incoming frame. Acknowledgements call their callbacks here."""
        try:
            packet = socketio.decode(text)
        except ValueError:
            logger.debug("event hub: ignoring %r", text[:200])
            return Received()
        kind = packet.type
        if kind == socketio.CONNECT:
            return Received(connected=not self._connected)
        if kind == socketio.HEARTBEAT:
            return Received(answer=socketio.encode(socketio.Packet(socketio.HEARTBEAT)))
        if kind == socketio.EVENT:
            return Received(event=self._event(packet.data))
        if kind == socketio.ACK:
            self._acknowledged(packet.data)
        elif kind == socketio.DISCONNECT:
            return Received(closed=True)
        elif kind == socketio.ERROR:
            logger.error("event hub: the server reported an error: %s", packet.data)
        return Received()

    def _event(self, data: str) -> Optional[Event]:
        try:
            event = Event.from_wire(json.loads(data)["args"][0])
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            logger.warning("event hub: cannot read event packet %r", data[:200])
            return None
        with self._lock:
            if event.id in self._seen:  # resent after a reconnect: delivered already
                return None
            self._seen[event.id] = None
            if len(self._seen) > _SEEN_EVENTS:
                self._seen.popitem(last=False)
        return event

    def _acknowledged(self, data: str) -> None:
        try:
            number, args = socketio.parse_ack(data)
        except ValueError:
            return
        with self._lock:
            found = self._unacked.pop(number, None)
            callback = found[1] if found is not None else self._ack_callbacks.pop(number, None)
        if callback is not None:
            callback(args[0] if args and isinstance(args[0], dict) else {})

    @staticmethod
    def disconnect_frame() -> str:
        """The frame telling the server this hub leaves."""
        return socketio.encode(socketio.Packet(socketio.DISCONNECT))


def handshake_headers(api_user: str, header_key: str, client_token: Optional[str],
                      extra: Mapping[str, str]) -> Dict[str, str]:
    """The headers of the socket.io handshake request (they hold the key: never log them)."""
    headers = {"ftrack-user": api_user, "ftrack-api-key": header_key, **extra}
    if client_token:
        headers.setdefault("ftrack-clienttoken", client_token)
    return headers


def accepted_handshake(server_url: str, status_code: int, text: str) -> socketio.Handshake:
    """The server's answer to ``GET /socket.io/1/``; :class:`EventHubConnectionError` when refused."""
    if status_code != 200:
        raise EventHubConnectionError(
            f"The event hub at {server_url} refused the handshake: HTTP {status_code} {text[:200]!r}")
    handshake = socketio.parse_handshake(text)
    if "websocket" not in handshake.transports:
        raise EventHubConnectionError(f"The event hub at {server_url} offers no WebSocket transport.")
    return handshake


def websocket_base(server_url: str) -> str:
    """``ws(s)://host[:port]/path`` of an ``http(s)`` server URL; ``ValueError`` for another."""
    import urllib.parse

    parts = urllib.parse.urlsplit(server_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"The event hub needs an http(s) server URL, not {server_url!r}.")
    return ("wss" if parts.scheme == "https" else "ws") + f"://{parts.netloc}{parts.path.rstrip('/')}"
