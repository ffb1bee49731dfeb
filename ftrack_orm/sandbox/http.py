"""The sandbox's HTTP front: routes, request limits, and no body read before the
caller is known.

* ``POST /api``: the caller is authenticated from the headers first; only then is
  the body read, and only up to :attr:`Limits.max_body_bytes` (else HTTP 413).
* ``PUT /upload/<id>?expires=&signature=``: a signed upload URL from
  ``get_upload_metadata`` (checked before the body is read), up to
  :attr:`Limits.max_upload_bytes`; the bytes are stored (:mod:`.files`), a part of a
  multipart upload when the URL names ``upload_id`` and ``part_number`` (answered with
  its ``ETag``); a ``Content-MD5`` header is checked.
* ``GET /component/get|thumbnail|remove?id=&username=&apiKey=``: the stored bytes of
  a component (``remove`` deletes them), for an authenticated caller.
* ``GET /socket.io/1/`` and ``GET /socket.io/1/websocket/<id>``: the event hub
  (:mod:`.events.hub`); the WebSocket takes over the connection in its thread.
* Anything else: 404. A request whose body is left unread closes its connection.
* Every connection has a socket timeout and the listen backlog is deep enough for
  many concurrent clients.

The HTTP/1.1 wire itself (reading a request head, an answer in one write) is
:mod:`.http1`.
"""
from __future__ import annotations

import os
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Optional, Protocol, Tuple, Type

from ..events.websocket import accept_token, server_side
from .encoding import encode_answer
from .errors import SandboxError
from .events.hub import EventServer
from .files import FileStore, UploadRejected
from .http1 import LeanRequestHandler
from .limits import Limits
from .ranges import UnsatisfiableRange, requested_range
from .uploads import UPLOAD_PREFIX, UploadSigner


class Backend(Protocol):
    """What the front needs of the sandbox."""

    limits: Limits
    uploads: UploadSigner
    events: EventServer
    files: FileStore

    def call(self, body: Callable[[], bytes], headers: Dict[str, str]) -> Tuple[int, Any]: ...

    def component_request(self, endpoint: str, params: Dict[str, str], headers: Dict[str, str]) -> Tuple[int, Any]: ...

_CHUNK = 1024 * 1024
_SOCKET_IO = "/socket.io/1"
_COMPONENT_ENDPOINTS = ("component/get", "component/thumbnail", "component/remove")


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server with a configurable listen backlog."""

    daemon_threads = True

    def __init__(self, address: Tuple[str, int], handler: Type[BaseHTTPRequestHandler], backlog: int) -> None:
        self.request_queue_size = backlog
        super().__init__(address, handler)


def _copy(source: Any, target: Any, count: int) -> None:
    """Copy ``count`` bytes of ``source`` to ``target``."""
    while count > 0:
        chunk = source.read(min(_CHUNK, count))
        if not chunk:
            return
        target.write(chunk)
        count -= len(chunk)


def _error(exception: str, content: str) -> Dict[str, Any]:
    return {"exception": exception, "content": content, "error_code": None}


def handler_for(backend: Backend) -> Type[BaseHTTPRequestHandler]:
    limits = backend.limits

    class Handler(LeanRequestHandler):
        server_version = "ftrack-orm-sandbox"
        # Streamed answers leave headers and body in separate writes; with Nagle's algorithm the
        # body waits for the client's delayed ACK of the headers (~40 ms on a kept-alive connection).
        disable_nagle_algorithm = True
        timeout = limits.socket_timeout  # applied to the socket by StreamRequestHandler
        body_read = False

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, payload: Any) -> None:
            if not self.body_read and self._content_length():
                # the client's body is still on the wire: this connection cannot carry another request
                self.close_connection = True
            self.respond(status, encode_answer(payload))

        def _content_length(self) -> Optional[int]:
            text = self.headers.get("Content-Length")
            try:
                length = int(text) if text is not None else (None if self.headers.get("Transfer-Encoding") else 0)
            except ValueError:
                return None
            return length if length is None or length >= 0 else None

        def _check_length(self, limit: int) -> int:
            length = self._content_length()
            if length is None:
                raise SandboxError("ValidationError", "The request needs a valid Content-Length header.",
                                   http_status=411)
            if length > limit:
                raise SandboxError("ValidationError", f"The request body ({length} bytes) exceeds this sandbox's "
                                   f"limit of {limit} bytes.", http_status=413)
            return length

        def _read_body(self) -> bytes:
            length = self._check_length(limits.max_body_bytes)
            self.body_read = True
            return self.rfile.read(length) if length else b""

        def _answer(self, error: SandboxError) -> None:
            self._send(error.http_status or error.status, error.to_json())

        def do_POST(self) -> None:
            self.body_read = False
            if self.path.split("?", 1)[0].rstrip("/") != "/api":
                self._send(404, _error("NotFound", f"No endpoint {self.path}"))
                return
            status, payload = backend.call(self._read_body, self.headers)
            self._send(status, payload)

        def do_PUT(self) -> None:
            self.body_read = False
            if not self.path.startswith(UPLOAD_PREFIX):
                self._send(404, _error("NotFound", f"No endpoint {self.path}"))
                return
            refused = backend.uploads.verify(self.path)
            if refused is not None:
                self._send(403, _error("PermissionError", f"Upload refused: {refused}."))
                return
            try:
                remaining = self._check_length(limits.max_upload_bytes)
            except SandboxError as error:
                self._answer(error)
                return
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            component_id = urllib.parse.unquote(self.path.split("?", 1)[0][len(UPLOAD_PREFIX):])
            part = query.get("part_number")
            try:
                etag = backend.files.put(component_id, self.rfile, remaining, self.headers.get("Content-MD5"),
                                         query.get("upload_id"), int(part) if part and part.isdigit() else None)
            except SandboxError as error:
                self.body_read = isinstance(error, UploadRejected)  # read in full: the connection is usable
                try:
                    self._answer(error)
                except OSError:
                    self.close_connection = True  # the client went away mid-upload
                return
            self.body_read = True
            body = b"{}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", f'"{etag}"')
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self.body_read = False
            path, _, query = self.path.partition("?")
            if path.rstrip("/") == _SOCKET_IO:
                status, text = backend.events.handshake(dict(self.headers.items()),
                                                        dict(urllib.parse.parse_qsl(query)))
                body = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif path.startswith(_SOCKET_IO + "/websocket/"):
                self._websocket(path[len(_SOCKET_IO + "/websocket/"):].strip("/"))
            elif path.strip("/") in _COMPONENT_ENDPOINTS:
                self._component(path.strip("/"), dict(urllib.parse.parse_qsl(query)))
            else:
                self._send(404, _error("NotFound", f"No endpoint {self.path}"))

        def _component(self, endpoint: str, params: Dict[str, str]) -> None:
            status, answer = backend.component_request(endpoint, params, dict(self.headers.items()))
            if status != 200 or not isinstance(answer, str):
                self._send(status, answer)
                return
            with open(answer, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                try:
                    wanted = requested_range(self.headers.get("Range"), size)
                except UnsatisfiableRange:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200 if wanted is None else 206)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(size if wanted is None else wanted.length))
                if wanted is not None:
                    self.send_header("Content-Range", wanted.content_range)
                    handle.seek(wanted.start)
                self.end_headers()
                _copy(handle, self.wfile, size if wanted is None else wanted.length)

        def _websocket(self, session_id: str) -> None:
            key = self.headers.get("Sec-WebSocket-Key")
            if self.headers.get("Upgrade", "").lower() != "websocket" or not key:
                self._send(400, _error("ValidationError", "Expected a WebSocket upgrade request."))
                return
            username = backend.events.claim(session_id)
            if username is None:
                self._send(403, _error("PermissionError", "Unknown or used event hub session; handshake first."))
                return
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", accept_token(key))
            self.end_headers()
            self.close_connection = True
            backend.events.serve(session_id, username, server_side(self.connection))

    return Handler
