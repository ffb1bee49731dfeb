"""A blocking WebSocket on a socket, for both ends, built on wsproto (sans-IO).

:func:`connect` opens a client connection (``ws://`` or ``wss://`` with the same
TLS verification rule as the HTTP transport: ``True``, ``False`` or a CA bundle
path). :func:`server_side` takes over a socket whose HTTP upgrade request was already
read and answered (``101``) by a server. Either way a :class:`WebSocket` sends and
receives whole text messages; it is safe to send from several threads while one
thread receives.
"""
from __future__ import annotations

import socket
import ssl
import threading
import urllib.parse
from typing import Any, List, Mapping, Optional, Union

from ..errors import FtrackOrmError

__all__ = ["WebSocket", "WebSocketError", "connect", "server_side", "accept_token", "MISSING_DEPENDENCY", "require_wsproto"]

#: What a user without the WebSocket library is told to install.
MISSING_DEPENDENCY = (
    "The ftrack_orm event hub needs the 'wsproto' package, which is not installed. "
    "Install it with: pip install 'ftrack-orm[events]'  (or: pip install wsproto)"
)


class WebSocketError(FtrackOrmError, ConnectionError):
    """The WebSocket could not be opened, or broke."""


def require_wsproto() -> None:
    """Raise ``ImportError`` naming exactly what to install when wsproto is missing."""
    try:
        import wsproto  # noqa: F401
    except ImportError:
        raise ImportError(MISSING_DEPENDENCY) from None


class WebSocket:
    """One open WebSocket: :meth:`send_text`, :meth:`receive`, :meth:`close`."""

    def __init__(self, sock: socket.socket, connection: Any, buffered: bytes = b"") -> None:
        from wsproto import events as ws_events

        self._events = ws_events
        self.sock = sock
        self._connection = connection
        self._lock = threading.Lock()
        self._parts: List[str] = []
        self.closed = False
        if buffered:
            connection.receive_data(buffered)

    def send_text(self, text: str) -> None:
        """Send one text message; raises :class:`WebSocketError` when the socket is gone."""
        with self._lock:
            if self.closed:
                raise WebSocketError("The WebSocket is closed.")
            try:
                self.sock.sendall(self._connection.send(self._events.Message(data=text)))
            except Exception as error:
                self._mark_closed()
                raise WebSocketError(f"Sending failed: {error}") from error

    def receive(self) -> Optional[str]:
        """The next text message; ``None`` when the peer closed. Raises ``socket.timeout``
        when the socket's timeout passes without a complete message."""
        while True:
            message = self._next_message()
            if message is not None or self.closed:
                return message
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise
            except OSError:
                data = b""
            with self._lock:
                self._connection.receive_data(data or None)
            if not data:
                message = self._next_message()
                self._mark_closed()
                return message

    def _next_message(self) -> Optional[str]:
        events = self._events
        with self._lock:
            for event in self._connection.events():
                if isinstance(event, events.TextMessage):
                    self._parts.append(event.data)
                    if event.message_finished:
                        text = "".join(self._parts)
                        self._parts.clear()
                        return text
                elif isinstance(event, events.Ping):
                    self._send_raw(event.response())
                elif isinstance(event, events.CloseConnection):
                    self._send_raw(event.response())
                    self._mark_closed()
                    return None
        return None

    def _send_raw(self, event: Any) -> None:
        try:
            self.sock.sendall(self._connection.send(event))
        except Exception:  # the peer is gone; the next receive notices
            pass

    def _mark_closed(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()

    def close(self, code: int = 1000) -> None:
        """Send a close frame (when possible) and close the socket."""
        from wsproto.connection import ConnectionState

        with self._lock:
            if self.closed:
                return
            if self._connection.state == ConnectionState.OPEN:
                self._send_raw(self._events.CloseConnection(code=code))
            self._mark_closed()

    def abort(self) -> None:
        """Close the socket at once, without a close frame (a dropped link)."""
        with self._lock:
            self._mark_closed()


def connect(url: str, headers: Optional[Mapping[str, str]] = None, verify: Union[bool, str] = True,
            timeout: float = 30.0) -> WebSocket:
    """Open a client WebSocket to ``ws(s)://host[:port]/path?query``."""
    require_wsproto()
    from wsproto import ConnectionType, WSConnection
    from wsproto import events as ws_events

    parts = urllib.parse.urlsplit(url)
    secure = parts.scheme == "wss"
    host = parts.hostname or ""
    port = parts.port or (443 if secure else 80)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as error:
        raise WebSocketError(f"Cannot connect to {host}:{port}: {error}") from error
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        if secure:
            sock = _tls(verify).wrap_socket(sock, server_hostname=host)
        connection = WSConnection(ConnectionType.CLIENT)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        extra = [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in (headers or {}).items()]
        sock.sendall(connection.send(ws_events.Request(host=parts.netloc, target=target or "/", extra_headers=extra)))
        while True:
            data = sock.recv(65536)
            connection.receive_data(data or None)
            for event in connection.events():
                if isinstance(event, ws_events.AcceptConnection):
                    return WebSocket(sock, connection)
                if isinstance(event, (ws_events.RejectConnection, ws_events.RejectData)):
                    raise WebSocketError(f"The server refused the WebSocket (HTTP {getattr(event, 'status_code', '?')}).")
            if not data:
                raise WebSocketError("The server closed the connection during the WebSocket handshake.")
    except BaseException:
        sock.close()
        raise


def _tls(verify: Union[bool, str]) -> ssl.SSLContext:
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def accept_token(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key``."""
    from wsproto.utilities import generate_accept_token

    return generate_accept_token(key.encode("ascii")).decode("ascii")


def server_side(sock: socket.socket) -> WebSocket:
    """A server :class:`WebSocket` on ``sock``, once the server has answered the upgrade
    request with ``101 Switching Protocols`` (see :func:`accept_token`)."""
    require_wsproto()
    from wsproto.connection import Connection, ConnectionType

    return WebSocket(sock, Connection(ConnectionType.SERVER))
