"""The sandbox's event hub: socket.io 0.9 sessions over WebSockets, routing and heartbeats.

* ``GET /socket.io/1/`` (:meth:`EventServer.handshake`) authenticates like ``/api``
  (``ftrack-user`` / ``ftrack-api-key`` headers, or ``api_user`` / ``api_key``
  query parameters) and answers ``<session id>:<heartbeat>:<close>:websocket``.
* ``GET /socket.io/1/websocket/<session id>`` upgrades to a WebSocket (the front
  answers ``101``; :meth:`EventServer.serve` then runs the session in that
  connection's thread). A session id is good for one WebSocket, within a minute.
* A client's ``ftrack.meta.subscribe`` / ``ftrack.meta.unsubscribe`` events manage
  its subscribers; every other event goes to each client with a subscriber whose
  expression matches the event and whose metadata matches the event's ``target``.
  Events with an id ``<n>+`` are acknowledged ``{"success": true}`` (or
  ``false`` and a ``message``). Delivery is at least once: a client resends
  what was not acknowledged before a drop (clients skip event ids they have seen).
* Every :attr:`EventServer.heartbeat_interval` seconds each client gets ``2::``; a
  client silent for :attr:`EventServer.heartbeat_timeout` seconds is dropped.
"""
from __future__ import annotations

import json
import logging
import secrets
import socket
import threading
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ...events import socketio
from ...events.event import Event
from ...events.expression import Expression, ExpressionError, parse_expression
from ...events.websocket import WebSocket, WebSocketError

logger = logging.getLogger(__name__)

#: ``authenticate(username, api_key) -> user id``; raises when refused.
Authenticator = Callable[[Optional[str], Optional[str]], Optional[str]]

_SESSION_LIFETIME = 60.0


class _Client:
    def __init__(self, session_id: str, username: str, websocket: WebSocket) -> None:
        self.session_id = session_id
        self.username = username
        self.websocket = websocket
        self.subscribers: Dict[str, Tuple[Dict[str, Any], Expression]] = {}
        self.last_seen = time.monotonic()

    def wants(self, event: Mapping[str, Any], target: Optional[Expression]) -> bool:
        for metadata, expression in list(self.subscribers.values()):
            if (target is None or target.match(metadata)) and expression.match(event):
                return True
        return False


class EventServer:
    """The hub of one sandbox. ``heartbeat_interval`` / ``heartbeat_timeout`` may be
    changed before clients connect (tests use short ones)."""

    def __init__(self, authenticate: Authenticator, heartbeat_interval: float = 5.0,
                 heartbeat_timeout: float = 15.0) -> None:
        self._authenticate = authenticate
        self.heartbeat_interval = heartbeat_interval
        self.heartbeat_timeout = heartbeat_timeout
        self._lock = threading.Lock()
        self._pending: Dict[str, Tuple[str, float]] = {}
        self._clients: Dict[str, _Client] = {}
        self._stopping = threading.Event()
        self._heartbeat: Optional[threading.Thread] = None
        self.published = 0

    # -- sessions --------------------------------------------------------------------------
    def handshake(self, headers: Mapping[str, str], query: Mapping[str, str]) -> Tuple[int, str]:
        """``(HTTP status, text)`` for ``GET /socket.io/1/``."""
        lowered = {k.lower(): v for k, v in headers.items()}
        username = lowered.get("ftrack-user") or query.get("api_user")
        api_key = lowered.get("ftrack-api-key") or query.get("api_key")
        try:
            self._authenticate(username, api_key)
        except Exception:
            return 401, "The event hub refused the credentials (ftrack-user / ftrack-api-key)."
        session_id = secrets.token_hex(16)
        now = time.monotonic()
        with self._lock:
            for stale in [s for s, (_, created) in self._pending.items() if now - created > _SESSION_LIFETIME]:
                del self._pending[stale]
            self._pending[session_id] = (str(username), now)
        heartbeat = max(1, round(self.heartbeat_timeout))
        return 200, f"{session_id}:{heartbeat}:{heartbeat}:websocket"

    def claim(self, session_id: str) -> Optional[str]:
        """The username of a handshaken session id not yet used (it is used up), else None."""
        with self._lock:
            found = self._pending.pop(session_id, None)
        if found is None or time.monotonic() - found[1] > _SESSION_LIFETIME:
            return None
        return found[0]

    def serve(self, session_id: str, username: str, websocket: WebSocket) -> None:
        """Run one client's session in the calling thread until it goes away."""
        client = _Client(session_id, username, websocket)
        with self._lock:
            self._clients[session_id] = client
            self._start_heartbeat()
        websocket.sock.settimeout(0.5)
        try:
            self._send(client, socketio.Packet(socketio.CONNECT))
            while not websocket.closed and not self._stopping.is_set():
                try:
                    text = websocket.receive()
                except socket.timeout:
                    continue
                if text is None:
                    break
                client.last_seen = time.monotonic()
                self._on_packet(client, text)
        finally:
            with self._lock:
                self._clients.pop(session_id, None)
            websocket.abort()

    @property
    def client_count(self) -> int:
        """Connected clients."""
        with self._lock:
            return len(self._clients)

    @property
    def subscriber_count(self) -> int:
        """Subscribers of all connected clients (each hub's reply subscriber included)."""
        with self._lock:
            return sum(len(client.subscribers) for client in self._clients.values())

    def drop_clients(self) -> None:
        """Cut every client's link at once, without a goodbye (a network failure)."""
        with self._lock:
            clients = list(self._clients.values())
        for client in clients:
            client.websocket.abort()

    def close(self) -> None:
        """Drop every client and stop the heartbeat thread."""
        self._stopping.set()
        self.drop_clients()
        if self._heartbeat is not None:
            self._heartbeat.join(2)

    # -- packets ---------------------------------------------------------------------------
    def _on_packet(self, client: _Client, text: str) -> None:
        try:
            packet = socketio.decode(text)
        except ValueError:
            logger.debug("event hub: ignoring %r", text[:200])
            return
        if packet.type == socketio.DISCONNECT:
            client.websocket.close()
        elif packet.type == socketio.EVENT:
            answer = self._on_event(client, packet.data)
            if packet.id:
                self._send(client, socketio.ack_packet(packet.id, answer))

    def _on_event(self, client: _Client, data: str) -> Dict[str, Any]:
        try:
            payload = json.loads(data)
            event = Event.from_wire(payload["args"][0])
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
            return {"success": False, "message": f"Not an event packet: {error}"}
        if event.topic == "ftrack.meta.subscribe":
            subscriber = event.data.get("subscriber")
            if not isinstance(subscriber, dict) or not subscriber.get("id"):
                return {"success": False, "message": "ftrack.meta.subscribe needs data.subscriber.id."}
            try:
                expression = parse_expression(event.data.get("subscription", ""))
            except ExpressionError as error:
                return {"success": False, "message": str(error)}
            client.subscribers[str(subscriber["id"])] = (subscriber, expression)
            return {"success": True}
        if event.topic == "ftrack.meta.unsubscribe":
            subscriber = event.data.get("subscriber") or {}
            found = client.subscribers.pop(str(subscriber.get("id")), None)
            return {"success": found is not None,
                    **({} if found else {"message": f"No subscriber {subscriber.get('id')!r}."})}
        event.source.setdefault("user", {"username": client.username})
        try:
            self.publish(event)
        except ExpressionError as error:
            return {"success": False, "message": f"Invalid target: {error}"}
        return {"success": True}

    def publish(self, event: Event) -> int:
        """Route ``event`` to every interested client; the number of clients it went to."""
        with self._lock:
            clients = list(self._clients.values())
            self.published += 1
        event.stamp()
        target = parse_expression(event.target) if event.target else None
        wire = event.to_wire()
        packet = None
        sent = 0
        for client in clients:
            if client.wants(wire, target):
                packet = packet or socketio.event_packet(wire)
                sent += self._send(client, packet)
        return sent

    def _send(self, client: _Client, packet: socketio.Packet) -> int:
        try:
            client.websocket.send_text(socketio.encode(packet))
            return 1
        except WebSocketError:
            client.websocket.abort()
            return 0

    # -- heartbeats ------------------------------------------------------------------------
    def _start_heartbeat(self) -> None:
        if self._heartbeat is None or not self._heartbeat.is_alive():
            self._heartbeat = threading.Thread(target=self._beat, name="ftrack-sandbox-heartbeat", daemon=True)
            self._heartbeat.start()

    def _beat(self) -> None:
        beat = socketio.Packet(socketio.HEARTBEAT)
        while not self._stopping.wait(self.heartbeat_interval):
            now = time.monotonic()
            with self._lock:
                clients: List[_Client] = list(self._clients.values())
            for client in clients:
                if now - client.last_seen > self.heartbeat_timeout:
                    logger.info("event hub: dropping %s (silent for %.1f s)", client.username, now - client.last_seen)
                    client.websocket.abort()
                else:
                    self._send(client, beat)
