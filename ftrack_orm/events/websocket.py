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
from typing import Any, List, Mapping, Optional, Tuple, Union

from ..errors import FtrackOrmError

__all__ = ["Frames", "ClientHandshake", "WebSocket", "WebSocketError", "tls_context", "connect", "server_side", "accept_token", "MISSING_DEPENDENCY", "require_wsproto"]

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


class Frames:
    """The WebSocket protocol of one connection without I/O (wsproto): bytes in, whole
    text messages out, and the bytes to send. Both the blocking :class:`WebSocket` and
    the asyncio one (:mod:`ftrack_orm.aio.websocket`) drive it. Not thread-safe."""

    def __init__(self, connection: Any, buffered: bytes = b"") -> None:
        from wsproto import events as ws_events

        self._events = ws_events
        self._connection = connection
        self._parts: List[str] = []
        self.closed = False
        if buffered:
            connection.receive_data(buffered)

    def text(self, text: str) -> bytes:
        """The bytes of one text message."""
        return bytes(self._connection.send(self._events.Message(data=text)))

    def feed(self, data: bytes) -> None:
        """Bytes received (``b""``: the peer closed the connection)."""
        self._connection.receive_data(data or None)

    def next_message(self) -> Tuple[Optional[str], bytes]:
        """The next complete text message (or ``None``) and the bytes to send back at once
        (pong, close answer). After a close frame, :attr:`closed` is true."""
        events = self._events
        reply = b""
        for event in self._connection.events():
            if isinstance(event, events.TextMessage):
                self._parts.append(event.data)
                if event.message_finished:
                    text = "".join(self._parts)
                    self._parts.clear()
                    return text, reply
            elif isinstance(event, events.Ping):
                reply += self._answer(event)
            elif isinstance(event, events.CloseConnection):
                reply += self._answer(event)
                self.closed = True
                return None, reply
        return None, reply

    def _answer(self, event: Any) -> bytes:
        try:
            return bytes(self._connection.send(event.response()))
        except Exception:  # nothing to answer: the connection is already closed (an abrupt drop)
            return b""

    def close_frame(self, code: int = 1000) -> bytes:
        """The close frame to send (``b""`` when the connection is no longer open)."""
        from wsproto.connection import ConnectionState

        if self._connection.state != ConnectionState.OPEN:
            return b""
        return bytes(self._connection.send(self._events.CloseConnection(code=code)))


class ClientHandshake:
    """The client side of the opening handshake, without I/O."""

    def __init__(self, url: str, headers: Optional[Mapping[str, str]] = None) -> None:
        require_wsproto()
        from wsproto import ConnectionType, WSConnection
        from wsproto import events as ws_events

        parts = urllib.parse.urlsplit(url)
        self.secure = parts.scheme == "wss"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.secure else 80)
        self._events = ws_events
        self.connection = WSConnection(ConnectionType.CLIENT)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        extra = [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in (headers or {}).items()]
        #: The upgrade request to send first.
        self.request: bytes = self.connection.send(
            ws_events.Request(host=parts.netloc, target=target or "/", extra_headers=extra))

    def accepted(self, data: bytes) -> bool:
        """Feed the server's bytes: ``True`` once it accepted, ``False`` while more is needed;
        :class:`WebSocketError` when it refused or closed."""
        events = self._events
        self.connection.receive_data(data or None)
        for event in self.connection.events():
            if isinstance(event, events.AcceptConnection):
                return True
            if isinstance(event, (events.RejectConnection, events.RejectData)):
                raise WebSocketError(f"The server refused the WebSocket (HTTP {getattr(event, 'status_code', '?')}).")
        if not data:
            raise WebSocketError("The server closed the connection during the WebSocket handshake.")
        return False


class WebSocket:
    """One open WebSocket on a blocking socket: :meth:`send_text`, :meth:`receive`, :meth:`close`."""

    def __init__(self, sock: socket.socket, connection: Any, buffered: bytes = b"") -> None:
        self.sock = sock
        self._frames = Frames(connection, buffered)
        self._lock = threading.Lock()
        self.closed = False

    def send_text(self, text: str) -> None:
        """Send one text message; raises :class:`WebSocketError` when the socket is gone."""
        with self._lock:
            if self.closed:
                raise WebSocketError("The WebSocket is closed.")
            try:
                self.sock.sendall(self._frames.text(text))
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
                self._frames.feed(data)
            if not data:
                message = self._next_message()
                self._mark_closed()
                return message

    def _next_message(self) -> Optional[str]:
        with self._lock:
            message, reply = self._frames.next_message()
            if reply:
                self._send_raw(reply)
            if self._frames.closed:
                self._mark_closed()
        return message

    def _send_raw(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
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
        with self._lock:
            if self.closed:
                return
            frame = self._frames.close_frame(code)
            if frame:
                self._send_raw(frame)
            self._mark_closed()

    def abort(self) -> None:
        """Close the socket at once, without a close frame (a dropped link)."""
        with self._lock:
            self._mark_closed()


def connect(url: str, headers: Optional[Mapping[str, str]] = None, verify: Union[bool, str] = True,
            timeout: float = 30.0) -> WebSocket:
    """Open a client WebSocket to ``ws(s)://host[:port]/path?query``."""
    handshake = ClientHandshake(url, headers)
    try:
        sock = socket.create_connection((handshake.host, handshake.port), timeout=timeout)
    except OSError as error:
        raise WebSocketError(f"Cannot connect to {handshake.host}:{handshake.port}: {error}") from error
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        if handshake.secure:
            sock = tls_context(verify).wrap_socket(sock, server_hostname=handshake.host)
        sock.sendall(handshake.request)
        while not handshake.accepted(sock.recv(65536)):
            pass
        return WebSocket(sock, handshake.connection)
    except BaseException:
        sock.close()
        raise


def tls_context(verify: Union[bool, str]) -> ssl.SSLContext:
    """The TLS context of the ``verify`` rule (``True``, ``False`` or a CA bundle path)."""
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
