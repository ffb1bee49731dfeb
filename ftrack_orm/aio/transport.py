"""The asyncio HTTP transport, on ``httpx`` (the ``async`` extra).

httpx was chosen over aiohttp for this job: it is pure Python (DCC hosts and old
interpreters install it without compilers), its API and timeouts match the
``requests`` transport's, and a session keeps only a handful of connections
open, where aiohttp's speed under hundreds of connections does not matter.

The retry rules are the blocking transport's, shared through
:func:`~ftrack_orm.transport.retry_after_failure` and
:func:`~ftrack_orm.transport.retry_after_status`: reads are retried, writes that
may have reached the server are never re-sent blindly.
"""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Mapping, Optional, Protocol, Union

from ..errors import ConfigurationError
from ..transport import (
    RETRY_STATUSES,
    HTTPResponse,
    RetryPolicy,
    Timeout,
    forget_traceback_locals,
    retry_after_failure,
    retry_after_status,
)

__all__ = ["AsyncTransport", "HttpxTransport", "require_httpx"]


def require_httpx() -> Any:
    """The ``httpx`` module, or a :class:`ConfigurationError` saying what to install."""
    try:
        import httpx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ConfigurationError(
            "The asyncio session needs httpx: pip install 'ftrack-orm[async]'."
        ) from exc
    return httpx


class AsyncTransport(Protocol):
    """What the asyncio session needs from a transport; pass your own to ``AsyncSession(transport=...)``."""

    async def post(self, url: str, body: bytes, headers: Mapping[str, str], *, read_only: bool) -> HTTPResponse:
        """POST ``body`` to ``url``; raise ServerConnectionError / OutcomeUnknownError on network failure."""

    async def aclose(self) -> None:
        """Release pooled connections."""


class HttpxTransport:
    """The default asyncio transport: one pooled ``httpx.AsyncClient``.

    ``max_connections`` bounds the connections (and so the requests in flight) of
    one session; further requests wait for a free connection.
    """

    def __init__(
        self,
        *,
        timeout: Timeout = 60,
        connect_timeout: float = 10.0,
        verify: Union[bool, str] = True,
        retry: Optional[RetryPolicy] = None,
        max_connections: int = 8,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        httpx = require_httpx()
        self._httpx = httpx
        if isinstance(timeout, tuple):
            connect, read = float(timeout[0]), float(timeout[1])
        else:
            connect, read = min(float(connect_timeout), float(timeout)), float(timeout)
        self.timeout = (connect, read)
        self.verify = verify
        self.retry = retry or RetryPolicy()
        self.max_connections = max_connections
        self._sleep = sleep
        self._client: Any = None
        #: Number of HTTP attempts made (retries included); useful in tests and benchmarks.
        self.attempt_count = 0

    def __repr__(self) -> str:
        return (f"<HttpxTransport timeout={self.timeout} verify={self.verify!r} retry={self.retry} "
                f"max_connections={self.max_connections}>")

    def _http(self) -> Any:
        # Created on first use, inside the running loop that will use it.
        if self._client is None:
            httpx = self._httpx
            connect, read = self.timeout
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(read, connect=connect),
                verify=self.verify,
                limits=httpx.Limits(max_connections=self.max_connections,
                                    max_keepalive_connections=self.max_connections),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def post(self, url: str, body: bytes, headers: Mapping[str, str], *, read_only: bool) -> HTTPResponse:
        httpx = self._httpx
        attempts = max(1, self.retry.attempts)
        for attempt in range(1, attempts + 1):
            self.attempt_count += 1
            try:
                response = await self._http().post(url, content=body, headers=dict(headers))
                content = response.content
            except httpx.TransportError as exc:
                forget_traceback_locals(exc)
                never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                delay = retry_after_failure(self.retry, attempt, read_only=read_only, never_sent=never_sent,
                                            cause=exc)
            else:
                if response.status_code not in RETRY_STATUSES:
                    return HTTPResponse(response.status_code, content)
                delay = retry_after_status(self.retry, attempt, response.status_code, read_only=read_only)
            await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover
