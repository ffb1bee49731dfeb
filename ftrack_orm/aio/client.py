"""The asyncio wire client: the blocking :class:`~ftrack_orm.client.WireClient`'s
encoding, headers and decoding, sent through an :class:`~ftrack_orm.aio.transport.AsyncTransport`."""
from __future__ import annotations

import time
from typing import Any, List, Optional

from .. import codec
from ..client import Batch, WireClient, log_exchange
from ..errors import ServerError
from ..transport import HTTPResponse
from .transport import AsyncTransport

__all__ = ["AsyncWireClient"]


class AsyncWireClient:
    """Sends batches through ``transport``; everything else is ``wire``'s (one code path)."""

    def __init__(self, wire: WireClient, transport: AsyncTransport) -> None:
        self.wire = wire
        self.transport = transport
        self._closed = False

    def __repr__(self) -> str:
        return f"<AsyncWireClient api_url={self.wire.api_url!r} api_user={self.wire.api_user!r}>"

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called."""
        return self._closed

    async def aclose(self) -> None:
        """Close the transport's connections; later calls raise."""
        if not self._closed:
            self._closed = True
            await self.transport.aclose()

    async def send(self, batch: Batch) -> HTTPResponse:
        """Send one batch; the raw response (network errors raise, error answers do not)."""
        if self._closed:
            raise ServerError("This session is closed.")
        request = self.wire.prepare(batch)
        started = time.perf_counter()
        response = await self.transport.post(request.url, request.body, request.headers, read_only=request.read_only)
        log_exchange(request, batch, response, started)
        return response

    async def call(self, batch: Batch, hook: Optional[codec.EntityHook] = None) -> List[Any]:
        """Send ``batch`` as ONE request; its decoded results, in order (see :meth:`WireClient.call`)."""
        if not batch:
            return []
        return self.wire.decode(await self.send(batch), batch, hook)
