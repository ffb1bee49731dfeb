"""A WebSocket client on asyncio streams, driving the same sans-IO protocol
(:class:`~ftrack_orm.events.websocket.Frames`) as the blocking one."""
from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Mapping, Optional, Union

from ..events.websocket import ClientHandshake, Frames, WebSocketError, tls_context

__all__ = ["AsyncWebSocket", "connect"]


class AsyncWebSocket:
    """One open WebSocket: :meth:`send_text`, :meth:`receive`, :meth:`close`.

    One task receives; any task may send (sends are serialized)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, frames: Frames) -> None:
        self._reader = reader
        self._writer = writer
        self._frames = frames
        self._send_lock = asyncio.Lock()
        self.closed = False

    async def send_text(self, text: str) -> None:
        """Send one text message; raises :class:`WebSocketError` when the connection is gone."""
        if self.closed:
            raise WebSocketError("The WebSocket is closed.")
        await self._send(self._frames.text(text))

    async def _send(self, data: bytes) -> None:
        async with self._send_lock:
            try:
                self._writer.write(data)
                await self._writer.drain()
            except (OSError, RuntimeError) as error:
                self.abort()
                raise WebSocketError(f"Sending failed: {error}") from error

    async def receive(self) -> Optional[str]:
        """The next text message; ``None`` once the peer closed."""
        while True:
            message, reply = self._frames.next_message()
            if reply:
                with contextlib.suppress(WebSocketError):
                    await self._send(reply)
            if message is not None:
                return message
            if self._frames.closed or self.closed:
                self.abort()
                return None
            try:
                data = await self._reader.read(65536)
            except OSError:
                data = b""
            self._frames.feed(data)
            if not data:
                message, _ = self._frames.next_message()
                self.abort()
                return message

    async def close(self, code: int = 1000) -> None:
        """Send a close frame (when possible) and close the connection."""
        if self.closed:
            return
        frame = self._frames.close_frame(code)
        if frame:
            with contextlib.suppress(WebSocketError):
                await self._send(frame)
        self.abort()

    def abort(self) -> None:
        """Close the connection at once, without a close frame."""
        if not self.closed:
            self.closed = True
            self._writer.close()


async def connect(url: str, headers: Optional[Mapping[str, str]] = None, verify: Union[bool, str] = True,
                  timeout: float = 30.0) -> AsyncWebSocket:
    """Open a client WebSocket to ``ws(s)://host[:port]/path?query``."""
    handshake = ClientHandshake(url, headers)
    tls = tls_context(verify) if handshake.secure else None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(handshake.host, handshake.port, ssl=tls,
                                    server_hostname=handshake.host if tls else None),
            timeout)
    except (OSError, asyncio.TimeoutError) as error:
        raise WebSocketError(f"Cannot connect to {handshake.host}:{handshake.port}: {error}") from error
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        writer.write(handshake.request)
        await writer.drain()
        while not handshake.accepted(await asyncio.wait_for(reader.read(65536), timeout)):
            pass
    except BaseException as error:
        writer.close()
        if isinstance(error, (OSError, asyncio.TimeoutError)):
            raise WebSocketError(f"The WebSocket handshake with {handshake.host} failed: {error!r}") from error
        raise
    return AsyncWebSocket(reader, writer, Frames(handshake.connection))
