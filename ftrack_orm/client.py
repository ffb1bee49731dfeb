"""The wire client: one ftrack API endpoint as one user, batches in, results out.

:class:`WireClient` owns what a call needs and nothing of the object mapper: the
API URL, the request headers, the API key, encode → transport → decode (through
:mod:`ftrack_orm.codec`, with an optional entity hook), mapping error answers to
:mod:`ftrack_orm.errors` exceptions, debug logging, and the closed state.

The API key lives in an :class:`ApiKey` holder whose ``repr`` hides it; it is
read only when a request's headers or a signed component URL are built, so it
never shows in ``repr()``, ``vars()``, logs or exception texts.
"""
from __future__ import annotations

import logging
import time
import urllib.parse
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Union

from . import answers, codec
from . import operations as ops
from .errors import InvalidCredentialsError, SessionClosedError, error_from_payload
from .transport import HTTPResponse, Transport

logger = logging.getLogger(__name__)

Batch = Sequence[Mapping[str, Any]]


class _HeaderSecret(str):
    """The key as a header value: sent as itself, but its ``repr`` hides it, so a dict
    of headers in a traceback's locals (``capture_locals``, error trackers) shows
    ``'********'``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'********'"


class ApiKey:
    """Holds an API key; its ``repr`` and ``str`` never show it (use :meth:`reveal`)."""

    __slots__ = ("__value",)

    def __init__(self, value: str) -> None:
        self.__value = value

    def reveal(self) -> str:
        """The key itself: only for building a request."""
        return self.__value

    def header_value(self) -> str:
        """The key for a request header: a ``str`` whose ``repr`` hides it."""
        return _HeaderSecret(self.__value)

    def __repr__(self) -> str:
        return "ApiKey('********')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("An API key is not pickled.")


class PreparedRequest(NamedTuple):
    """One encoded batch, ready for a transport's ``post`` (its headers hold the key: never log them)."""

    url: str
    body: bytes
    headers: Dict[str, str]
    read_only: bool


def log_exchange(request: PreparedRequest, batch: Batch, response: HTTPResponse, started: float) -> None:
    """Debug-log one request/answer exchange (sizes and timing; never headers or bodies)."""
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "call %s: %d operation(s) %s, %d bytes sent, HTTP %d, %d bytes received, %.1f ms",
            request.url, len(batch), sorted({str(op.get("action")) for op in batch}),
            len(request.body), response.status_code, len(response.content), (time.perf_counter() - started) * 1000,
        )


class WireClient:
    """Sends batches of operations to ``<server_url>/api`` and decodes the answers.

    ``headers`` are extra request headers (they win over the default ones).
    Raises :class:`~ftrack_orm.errors.SessionClosedError` once :meth:`close` was called.
    """

    def __init__(
        self,
        server_url: str,
        api_user: str,
        api_key: str,
        *,
        transport: Transport,
        client_token: str,
        strict_api: bool = False,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self.api_user = api_user
        self.client_token = client_token
        self.strict_api = strict_api
        self.api_url = f"{self.server_url}/api"
        self._api_key = ApiKey(api_key)
        after_key = {
            "ftrack-clienttoken": client_token,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        if strict_api:
            after_key["ftrack-strict-api"] = "true"
        self._extra_headers = dict(headers or {})
        self._headers_after_key = after_key
        self._transport = transport
        self._closed = False

    def __repr__(self) -> str:
        return f"<WireClient api_url={self.api_url!r} api_user={self.api_user!r}>"

    @property
    def transport(self) -> Transport:
        """The HTTP transport the client posts through."""
        return self._transport

    @property
    def api_key(self) -> str:
        """The API key (never shown in reprs or logs)."""
        return self._api_key.reveal()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Close the transport's connection pool; later calls raise."""
        if not self._closed:
            self._closed = True
            self._transport.close()

    def request_headers(self) -> Dict[str, str]:
        """The headers of one request (a new dict holding the API key: never log it)."""
        headers = {"ftrack-user": self.api_user, "ftrack-api-key": self._api_key.header_value()}
        headers.update(self._headers_after_key)
        headers.update(self._extra_headers)
        return headers

    # -- the wire ----------------------------------------------------------------
    def call(self, batch: Batch, hook: Optional[codec.EntityHook] = None) -> List[Any]:
        """Send ``batch`` as ONE request; its decoded results, in order.

        Objects carrying ``__entity_type__`` go through ``hook`` (bottom-up). Raises
        a :class:`~ftrack_orm.errors.ServerError` subclass for an error answer.
        """
        if not batch:
            return []
        response = self.send(batch)
        status, content = response.status_code, response.content
        del response
        body = codec.text(content)
        del content  # a large answer: its bytes go before parsing (one copy alive, not two)
        return self.decode_answer(status, body, batch, hook)

    def prepare(self, batch: Batch) -> PreparedRequest:
        """The request that sends ``batch`` (encoded body and headers): for any transport."""
        if self._closed:
            raise SessionClosedError(f"This session ({self.server_url}, user {self.api_user!r}) is closed: "
                                     "create a new Session.")
        return PreparedRequest(self.api_url, codec.encode(batch), self.request_headers(), ops.is_read_only(batch))

    def send(self, batch: Batch) -> HTTPResponse:
        """Send one batch; the raw response (network errors raise, error answers do not)."""
        request = self.prepare(batch)
        started = time.perf_counter()
        response = self._transport.post(request.url, request.body, request.headers, read_only=request.read_only)
        log_exchange(request, batch, response, started)
        return response

    def decode(self, response: HTTPResponse, batch: Batch, hook: Optional[codec.EntityHook] = None) -> List[Any]:
        """The results of ``batch`` in ``response``; raises for an error or malformed answer."""
        return self.decode_answer(response.status_code, response.content, batch, hook)

    def decode_answer(self, status: int, content: Union[bytes, str], batch: Batch,
                      hook: Optional[codec.EntityHook] = None) -> List[Any]:
        """The results of ``batch`` in an answer with HTTP ``status`` and body ``content``
        (bytes, or the text :func:`~ftrack_orm.codec.text` made of them)."""
        # a write refused with a client error (4xx) was not applied; any other bad answer may hide one that was
        writes = not 400 <= status < 500 and not ops.is_read_only(batch)
        try:
            payload = codec.decode(content, hook)
        except ValueError as exc:
            head = content[:200]
            snippet = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
            error = answers.malformed(f"HTTP {status} with a body that is not JSON: {snippet!r}",
                                      writes=writes, status=status)
            error.cause = exc
            raise error from exc
        if isinstance(payload, dict) and "exception" in payload:
            refused = error_from_payload(payload, status_code=status, operations=list(batch))
            if isinstance(refused, InvalidCredentialsError):
                refused.server_url, refused.api_user = self.server_url, self.api_user
            raise refused
        if not isinstance(payload, list) or len(payload) != len(batch) or not 200 <= status < 300:
            raise answers.malformed(
                f"HTTP {status} with {type(payload).__name__} where a list of {len(batch)} result(s) was expected",
                writes=writes, status=status,
            )
        answers.check(batch, payload, writes=writes, status=status)
        return payload

    # -- signed URLs -------------------------------------------------------------
    def component_url(self, path: str, params: Mapping[str, Any]) -> str:
        """``<server_url>/<path>?<params>`` signed with the user and API key (never log it)."""
        signed = dict(params, username=self.api_user, apiKey=self._api_key.reveal())
        return f"{self.server_url}/{path}?{urllib.parse.urlencode(signed)}"
