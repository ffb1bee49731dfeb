"""HTTP transport: pooled connections (:mod:`.connections`), timeouts, TLS, retries.

The transport moves bytes; it knows nothing of operations except whether a batch
only reads (and so may be re-sent). What may be retried:

* a request that never reached the server (connection refused, connect timeout):
  always, read or write, since nothing was sent;
* HTTP 502/503/504 or a dropped connection / read timeout: only when the batch only
  reads (after the last attempt, :class:`~ftrack_orm.errors.ServerConnectionError`
  with the status). A batch that writes raises :class:`~ftrack_orm.errors.OutcomeUnknownError`
  instead: it may have been applied, and re-sending it blindly could apply it twice.

A redirect (3xx) is never followed nor retried: it raises ``ServerConnectionError``
naming where the server points (the batch was not applied).
"""
from __future__ import annotations

import logging
import random
import time
import traceback
from typing import TYPE_CHECKING, Callable, Dict, Mapping, NamedTuple, Optional, Protocol, Tuple, Type, Union

from .connections import ConnectionPools, redirect_hint
from .errors import OutcomeUnknownError, ServerConnectionError

# urllib3 (with http.client, ssl...) loads at the first request, not at import; requests only
# for a ``http_session`` or when a proxy is set.
if TYPE_CHECKING:  # pragma: no cover
    import requests

logger = logging.getLogger(__name__)

Timeout = Union[float, Tuple[float, float]]

#: HTTP statuses that a gateway answers when the server is briefly unavailable.
RETRY_STATUSES = frozenset({502, 503, 504})


# Plain named tuples rather than attrs classes: this module loads with ``from ftrack_orm import
# Session``, and attrs (with inspect, ast, tokenize...) is a fifth of that import.
class HTTPResponse(NamedTuple):
    """What a transport hands back: status code and raw body."""

    status_code: int
    content: bytes


class RetryPolicy(NamedTuple):
    """How often and how patiently to retry (exponential backoff with full jitter); immutable."""

    attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    jitter: bool = True

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return random.uniform(0, ceiling) if self.jitter else ceiling


class Transport(Protocol):
    """What the Session needs from a transport; pass your own to ``Session(transport=...)``."""

    def post(self, url: str, body: bytes, headers: Mapping[str, str], *, read_only: bool) -> HTTPResponse:
        """POST ``body`` to ``url``; raise ServerConnectionError on network failure."""

    def close(self) -> None:
        """Release pooled connections."""


class RequestsTransport:
    """The default transport: pooled connections with ``requests``' environment rules.

    By default it posts through urllib3 pools (:mod:`ftrack_orm.connections`: proxies and
    CA bundle from the environment as ``requests`` reads them, once per origin, for a
    fraction of ``requests``' CPU per request). Pass ``http_session`` (a
    ``requests.Session``) to post through it instead: its adapters, auth, cookies and
    environment handling then apply as they are.
    """

    def __init__(
        self,
        *,
        timeout: Timeout = 60,
        connect_timeout: float = 10.0,
        verify: Union[bool, str] = True,
        retry: Optional[RetryPolicy] = None,
        http_session: Optional[requests.Session] = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if isinstance(timeout, tuple):
            self.timeout: Tuple[float, float] = (float(timeout[0]), float(timeout[1]))
        else:
            self.timeout = (min(float(connect_timeout), float(timeout)), float(timeout))
        self.verify = verify
        self.retry = retry or RetryPolicy()
        self._http: Optional[requests.Session] = http_session
        self._pools = None if http_session is not None else ConnectionPools(verify)
        self._sleep = sleep
        #: Number of HTTP attempts made (retries included); useful in tests and benchmarks.
        self.attempt_count = 0

    def __repr__(self) -> str:
        return f"<RequestsTransport timeout={self.timeout} verify={self.verify!r} retry={self.retry}>"

    def close(self) -> None:
        if self._pools is not None:
            self._pools.close()
        if self._http is not None:
            self._http.close()

    def post(self, url: str, body: bytes, headers: Mapping[str, str], *, read_only: bool) -> HTTPResponse:
        from urllib3 import exceptions as urllib3_errors

        network_errors: Tuple[Type[BaseException], ...] = (urllib3_errors.HTTPError,)
        if self._http is not None:
            from requests import exceptions as rex

            network_errors += (rex.RequestException,)
        attempts = max(1, self.retry.attempts)
        for attempt in range(1, attempts + 1):
            self.attempt_count += 1
            try:
                status, content, location = self._send(url, body, dict(headers))
            except network_errors as exc:
                forget_traceback_locals(exc)
                delay = retry_after_failure(self.retry, attempt, read_only=read_only,
                                            never_sent=_failed_to_connect(exc), cause=exc)
            else:
                if 300 <= status < 400:
                    raise ServerConnectionError(f"The server answered HTTP {status} to {url}"
                                                f"{redirect_hint(status, location)}.", status_code=status)
                if status not in RETRY_STATUSES:
                    return HTTPResponse(status, content)
                delay = retry_after_status(self.retry, attempt, status, read_only=read_only)
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, url: str, body: bytes, headers: Dict[str, str]) -> Tuple[int, bytes, str]:
        """One attempt: (status, body, ``Location``)."""
        if self._pools is not None:
            return self._pools.post(url, body, headers, self.timeout)
        assert self._http is not None
        response = self._http.post(url, data=body, headers=headers, timeout=self.timeout, verify=self.verify,
                                   stream=True, allow_redirects=False)
        # the body in one read: requests' own ``content`` reads it in 10 KB chunks (2x the CPU);
        # reading to the end returns the connection to the pool
        content = response.raw.read(decode_content=True)
        return response.status_code, content, response.headers.get("Location") or ""


def retry_after_failure(policy: RetryPolicy, attempt: int, *, read_only: bool, never_sent: bool,
                        cause: BaseException) -> float:
    """The retry rule for a request that failed at the network level (every transport uses it).

    Returns the seconds to wait before the next attempt, or raises:
    :class:`~ftrack_orm.errors.OutcomeUnknownError` when a batch that writes may have reached
    the server (it is never re-sent blindly), :class:`~ftrack_orm.errors.ServerConnectionError`
    after the last attempt.
    """
    described = describe_failure(cause)
    if not never_sent and not read_only:
        raise OutcomeUnknownError(
            f"The connection failed after a batch that writes was sent ({described}); "
            "it may or may not have been applied, so it was not re-sent. "
            "Query the server to find out.",
            cause=cause,
        ) from cause
    if attempt >= max(1, policy.attempts):
        raise ServerConnectionError(
            f"Could not reach the ftrack server after {attempt} attempt(s): {described}",
            cause=cause,
        ) from cause
    return _delay(policy, attempt, described)


def retry_after_status(policy: RetryPolicy, attempt: int, status_code: int, *, read_only: bool) -> float:
    """The retry rule for a gateway answer (``RETRY_STATUSES``); see :func:`retry_after_failure`."""
    if not read_only:
        raise OutcomeUnknownError(
            f"The server answered HTTP {status_code} to a batch that writes; "
            "it may or may not have been applied, so it was not re-sent.",
            status_code=status_code,
        )
    if attempt >= max(1, policy.attempts):
        raise ServerConnectionError(
            f"The server was unavailable (HTTP {status_code}) after {attempt} attempt(s).",
            status_code=status_code,
        )
    return _delay(policy, attempt, f"HTTP {status_code}")


def _delay(policy: RetryPolicy, attempt: int, reason: str) -> float:
    delay = policy.delay(attempt)
    logger.debug("attempt %d failed (%s); retrying in %.2fs", attempt, reason, delay)
    return delay


def forget_traceback_locals(exc: BaseException) -> None:
    """Clear the locals of the finished frames of ``exc`` and its causes (requests,
    urllib3, http.client): they hold the request's headers, the API key among them,
    which ``capture_locals`` and error trackers would record. Lines stay."""
    seen = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__


def _failed_to_connect(exc: BaseException) -> bool:
    """True when the request provably never reached the server."""
    seen = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = type(current).__name__
        if name in ("NewConnectionError", "ConnectTimeoutError", "NameResolutionError", "ConnectTimeout"):
            return True
        if isinstance(current, ConnectionRefusedError):
            return True
        nxt = getattr(current, "reason", None)
        if nxt is None and current.args and isinstance(current.args[0], BaseException):
            nxt = current.args[0]
        current = nxt if isinstance(nxt, BaseException) else current.__cause__ or current.__context__
    return False


def describe_failure(exc: BaseException) -> str:
    """A network failure in one line (never the request headers: HTTP clients' texts hold only the URL)."""
    return f"{type(exc).__name__}: {exc}"
