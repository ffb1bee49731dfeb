"""The HTTP/1.1 wire of the sandbox's front: a lean request head and one write per answer.

:class:`LeanRequestHandler` is ``http.server.BaseHTTPRequestHandler`` (keep-alive,
``do_<METHOD>`` dispatch, socket timeout, ``send_error``) with two costs removed,
which were most of a small request's time in the sandbox:

* the request head is read by :meth:`LeanRequestHandler.parse_request` into
  :class:`Headers` (a dict by lower-cased name) instead of through the ``email``
  package, with the same limits and answers: a request line over 64 KiB is 414, a
  header line over 64 KiB or more than 100 headers is 431, a malformed line 400,
  HTTP/2+ 505; ``Connection`` and ``Expect: 100-continue`` act as before;
* :meth:`LeanRequestHandler.respond` sends status line, headers and body in one
  ``sendall`` (no Nagle wait, one syscall), with the ``Date`` text made once a second.

``send_response`` / ``send_header`` / ``end_headers`` still work, for answers that
stream their body (files) or hand the socket over (WebSocket).
"""
from __future__ import annotations

import email.utils
import io
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Dict, Iterable, Iterator, Optional, Tuple, overload

#: What ``http.client`` accepts: the longest head line and the most header lines.
MAX_LINE = 65536
MAX_HEADERS = 100

_REASONS: Dict[int, str] = {status.value: status.phrase for status in HTTPStatus}


class Headers(Dict[str, str]):
    """A request's headers by lower-cased name; ``get`` takes any case. The first of a
    repeated header wins (as ``email.message.Message.get``), except that conflicting
    ``Content-Length`` values make the request malformed (400)."""

    @overload  # type: ignore[override]
    def get(self, name: str) -> Optional[str]: ...

    @overload
    def get(self, name: str, default: str) -> str: ...

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """The value of header ``name`` (any case), else ``default``."""
        return dict.get(self, name.lower(), default)


class _Malformed(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_headers(rfile: io.BufferedIOBase) -> Headers:
    """The header lines of a request head up to its blank line (raises ``_Malformed``).

    The usual head is already in ``rfile``'s buffer: it is found there and taken in one
    read; a head spread over several reads, or with bare ``\\n`` line ends, is read line
    by line."""
    peek = getattr(rfile, "peek", None)  # a buffered reader's (unbuffered: line by line)
    block: bytes = peek(MAX_LINE) if peek is not None else b""  # what is buffered (or one read)
    if block[:2] == b"\r\n":
        rfile.read(2)
        return Headers()
    end = block.find(b"\r\n\r\n")
    if end >= 0:
        head = block[:end]
        if head.count(b"\n") == head.count(b"\r\n"):
            rfile.read(end + 4)
            return _parse(head.decode("iso-8859-1").split("\r\n"))
    return _parse(_lines(rfile))


def _lines(rfile: io.BufferedIOBase) -> Iterator[str]:
    """The header lines of ``rfile`` without their line ends, up to the blank line."""
    for _ in range(MAX_HEADERS + 1):
        line = rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise _Malformed(431, "Line too long")
        if line in (b"\r\n", b"\n", b""):
            return
        yield line.decode("iso-8859-1").rstrip("\r\n")


def _parse(lines: Iterable[str]) -> Headers:
    headers = Headers()
    last: Optional[str] = None  # the header a folded line continues ("": a repeated one, ignored)
    for count, text in enumerate(lines, 1):
        if count > MAX_HEADERS:
            raise _Malformed(431, "Too many headers")
        if len(text) > MAX_LINE:
            raise _Malformed(431, "Line too long")
        if text[:1] in (" ", "\t"):  # an obsolete folded continuation of the previous header
            if last is None:
                raise _Malformed(400, "Bad header line")
            if last:
                headers[last] = f"{headers[last]} {text.strip()}"
            continue
        name, colon, value = text.partition(":")
        name = name.strip().lower()
        if not colon or not name:
            raise _Malformed(400, "Bad header line")
        value = value.strip()
        if name in headers:
            if name == "content-length" and headers[name] != value:
                raise _Malformed(400, "Conflicting Content-Length headers")
            last = ""
            continue
        headers[name] = value
        last = name
    return headers


class LeanRequestHandler(BaseHTTPRequestHandler):
    """``BaseHTTPRequestHandler`` with a lean request head and single-write answers."""

    protocol_version = "HTTP/1.1"
    raw_requestline: bytes
    headers: Headers  # type: ignore[assignment]

    def parse_request(self) -> bool:
        """Read the request line and headers (the limits and answers of ``http.server``)."""
        self.command = None  # type: ignore[assignment]
        self.request_version = self.default_request_version
        self.close_connection = True
        requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        self.requestline = requestline
        words = requestline.split()
        if not words:
            return False
        if len(words) != 3:
            self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request syntax ({requestline!r})")
            return False
        command, path, version = words
        major, dot, minor = version[5:].partition(".")
        if (not version.startswith("HTTP/") or not dot or not major.isdigit() or not minor.isdigit()
                or len(major) > 10 or len(minor) > 10):
            self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request version ({version!r})")
            return False
        number = (int(major), int(minor))
        if number >= (2, 0):
            self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED, f"Invalid HTTP version ({version[5:]})")
            return False
        self.close_connection = number < (1, 1)
        self.request_version = version
        self.command = command
        # as http.server (gh-87389): "//host/x" would read as a URL without scheme
        self.path = "/" + path.lstrip("/") if path.startswith("//") else path
        try:
            self.headers = read_headers(self.rfile)
        except _Malformed as error:
            self.send_error(error.status, str(error))
            return False
        connection = (self.headers.get("connection") or "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        if (self.headers.get("expect") or "").lower() == "100-continue" and number >= (1, 1):
            return self.handle_expect_100()
        return True

    def respond(self, status: int, body: bytes, content_type: str = "application/json",
                extra: Iterable[Tuple[str, str]] = ()) -> None:
        """Send a whole answer in one write: status line, headers, ``body``.

        The connection closes after it when ``close_connection`` is set (a
        ``Connection: close`` header is sent then).
        """
        lines = [f"{self.protocol_version} {status} {_REASONS.get(status, '')}\r\n"
                 f"Server: {self.server_version}\r\nDate: {_date()}\r\n"
                 f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"]
        for name, value in extra:
            lines.append(f"{name}: {value}\r\n")
        if self.close_connection:
            lines.append("Connection: close\r\n")
        lines.append("\r\n")
        self.wfile.write("".join(lines).encode("latin-1", "strict") + body)

    def date_time_string(self, timestamp: Optional[float] = None) -> str:
        """The ``Date`` header's text (made once a second)."""
        return _date() if timestamp is None else email.utils.formatdate(timestamp, usegmt=True)


_date_cache: Tuple[int, str] = (0, "")


def _date() -> str:
    global _date_cache
    now = int(time.time())
    second, text = _date_cache
    if second != now:
        text = email.utils.formatdate(now, usegmt=True)
        _date_cache = (now, text)
    return text
