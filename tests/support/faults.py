"""A loopback TCP proxy between a client and a real server that injects network faults.

    with FaultProxy(sandbox.url) as proxy:
        session = Session(proxy.url, ...)
        proxy.arm("reset_after", match="write")   # the next batch that writes
        session.commit()                          # -> OutcomeUnknownError

The proxy speaks just enough HTTP/1.1: it reads each request (head and
``Content-Length`` body) from the client, forwards it on a fresh connection to
the upstream server, and writes the answer back, unless an armed fault says
otherwise. A fault is applied either BEFORE the request reaches the server
(nothing was applied) or AFTER the server answered (the batch was applied and the
client gets a damaged answer, or none). :data:`FAULTS` names every fault kind and
whether the server applies the batch.
"""
from __future__ import annotations

import http.client
import json
import re
import socket
import socketserver
import struct
import threading
import time
import urllib.parse
from typing import Any, Callable, Dict, List, Optional, Tuple

WRITES = frozenset({"create", "update", "delete"})
_WRITE_PATTERN = re.compile(rb'"action":\s*"(create|update|delete)"')

#: Fault kind -> True when the server gets (and applies) the request.
FAULTS: Dict[str, bool] = {
    "none": True,                 # control: a healthy answer
    "reset_before": False,        # RST after the request was read, nothing forwarded
    "close_before": False,        # clean close (FIN) without answer, nothing forwarded
    "reset_mid_request": False,   # RST after half the body was read
    "502_before": False,          # a gateway answers 502/503/504 without forwarding
    "503_before": False,
    "504_before": False,
    "reset_after": True,          # forwarded and applied, then RST instead of the answer
    "close_after": True,          # applied, then FIN without answer
    "502_after": True,            # applied, then a gateway error instead of the answer
    "503_after": True,
    "504_after": True,
    "truncated_body": True,       # applied, answer cut in the middle (Content-Length promises more)
    "headers_only": True,         # applied, status line and part of the headers, then close
    "late_answer": True,          # applied, the answer comes after the client's timeout
    "garbage_json": True,         # applied, 200 with a body that is not JSON
    "html_200": True,             # applied, 200 with an HTML page (a captive portal)
    "empty_200": True,            # applied, 200 with an empty body
    "nulls": True,                # applied, 200 with [null] * N
    "short_list": True,           # applied, the answer list lacks its last result
    "wrong_key": True,            # applied, every entity answered with another id
    "wrong_type": True,           # applied, every entity answered as another type
    "slow_trickle": True,         # applied, the answer arrives a few bytes at a time (within the timeout)
}

#: Faults for uploads only (``match="upload"``: PUT requests), kept apart from :data:`FAULTS`
#: which the batch tests run through. Fault kind -> True when the server gets the request.
UPLOAD_FAULTS: Dict[str, bool] = {
    "corrupt_body": True,         # one byte of the body flipped in transit (a checksum must catch it)
}

#: Seconds the "late_answer" fault waits before answering (beyond a client timeout below it).
LATE_SECONDS = 2.5


def _actions(body: bytes) -> List[str]:
    try:
        return [str(op.get("action")) for op in json.loads(body)]
    except (ValueError, AttributeError, TypeError):
        return []


def _response(status: int, body: bytes, content_type: str = "application/json",
              length: Optional[int] = None, etag: Optional[str] = None) -> bytes:
    reason = http.client.responses.get(status, "Unknown")
    extra = f"ETag: {etag}\r\n" if etag else ""  # an upload's part checksum (multipart uploads need it)
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n{extra}"
            f"Content-Length: {len(body) if length is None else length}\r\nConnection: keep-alive\r\n\r\n")
    return head.encode("ascii") + body


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0) instead of a clean FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:  # pragma: no cover
        pass
    sock.close()


def _rewrite(body: bytes, change: Callable[[Dict[str, Any]], None]) -> bytes:
    """The upstream answer with ``change`` applied to every result's entity."""
    results = json.loads(body)
    if isinstance(results, list):
        for result in results:
            data = result.get("data") if isinstance(result, dict) else None
            for entity in data if isinstance(data, list) else [data]:
                if isinstance(entity, dict) and "__entity_type__" in entity:
                    change(entity)
    return json.dumps(results).encode()


def _wrong_key(entity: Dict[str, Any]) -> None:
    if "id" in entity:
        entity["id"] = "ffffffff-" + str(entity["id"])[9:]


def _wrong_type(entity: Dict[str, Any]) -> None:
    entity["__entity_type__"] = "Note" if entity["__entity_type__"] != "Note" else "Task"


class FaultProxy:
    """Listens on 127.0.0.1 and forwards to ``upstream`` (``http://host:port``).

    :meth:`arm` queues a fault for the next request(s) matching ``match``:
    ``"write"`` (a batch with a create/update/delete), ``"read"`` (any other batch),
    ``"upload"`` (a PUT, e.g. to a signed upload URL), ``"download"`` (a GET, e.g.
    ``component/get``), or ``"any"`` (any batch); ``skip`` lets that many matching requests through first.
    ``log`` lists ``(actions, fault)`` per request seen.
    """

    def __init__(self, upstream: str) -> None:
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.log: List[Tuple[List[str], str]] = []
        self._armed: List[Dict[str, Any]] = []
        self._lock = threading.Lock()
        self._etags: Dict[int, Optional[str]] = {}  # per serving thread: the upstream answer's ETag
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def arm(self, fault: str, match: str = "any", count: int = 1, skip: int = 0) -> None:
        """Apply ``fault`` to the next ``count`` requests matching ``match`` (after ``skip``)."""
        if fault not in FAULTS and fault not in UPLOAD_FAULTS:
            raise ValueError(f"unknown fault {fault!r}: one of {', '.join([*FAULTS, *UPLOAD_FAULTS])}")
        with self._lock:
            self._armed.append({"fault": fault, "match": match, "count": count, "skip": skip})

    def disarm(self) -> None:
        with self._lock:
            self._armed.clear()

    def _fault_for(self, actions: List[str], method: str = "POST") -> str:
        kind = {"PUT": "upload", "GET": "download"}.get(method) or ("write" if WRITES & set(actions) else "read")
        with self._lock:
            for armed in self._armed:
                if armed["match"] != kind and (armed["match"] != "any" or kind in ("upload", "download")):
                    continue
                if armed["skip"]:
                    armed["skip"] -= 1
                    return "none"
                armed["count"] -= 1
                if armed["count"] <= 0:
                    self._armed.remove(armed)
                return str(armed["fault"])
        return "none"

    # -- one client connection ------------------------------------------------------
    def _serve(self, sock: socket.socket) -> None:
        reader = sock.makefile("rb")
        try:
            while True:
                head = self._read_head(reader)
                if head is None:
                    return
                request_line, headers = head
                length = int(headers.get("content-length", "0") or 0)
                half = reader.read(length // 2) if length else b""
                method = request_line.split(" ", 1)[0]
                decided = self._armed_mid(half, method)
                if decided == "reset_mid_request":  # reset with half the body read: nothing forwarded
                    with self._lock:
                        self.log.append(([], decided))
                    _reset(sock)
                    return
                body = half + reader.read(length - len(half))
                actions = _actions(body)
                if decided is None:
                    decided = self._fault_for(actions, method) if method in ("POST", "PUT", "GET") else "none"
                fault = decided
                with self._lock:
                    self.log.append((actions, fault))
                if not self._answer(sock, fault, request_line, headers, body):
                    return
        except OSError:
            return
        finally:
            try:
                reader.close()
                sock.close()
            except OSError:  # pragma: no cover
                pass

    def _armed_mid(self, half: bytes, method: str) -> Optional[str]:
        """When "reset_mid_request" is armed: the fault of this request, told from the first
        half of its body (``None`` when it is not armed: decided on the whole body)."""
        with self._lock:
            if not any(armed["fault"] == "reset_mid_request" for armed in self._armed):
                return None
        return self._fault_for(["create"] if _WRITE_PATTERN.search(half) else ["query"], method)

    @staticmethod
    def _read_head(reader: Any) -> Optional[Tuple[str, Dict[str, str]]]:
        line = reader.readline(65537)
        if not line:
            return None
        request_line = line.decode("latin-1").rstrip("\r\n")
        headers: Dict[str, str] = {}
        while True:
            line = reader.readline(65537)
            if not line or line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return request_line, headers

    def _forward(self, request_line: str, headers: Dict[str, str], body: bytes) -> Tuple[int, bytes, str]:
        method, path = request_line.split(" ")[:2]
        connection = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            sent = {k: v for k, v in headers.items() if k not in ("connection", "host", "accept-encoding")}
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            self._etags[threading.get_ident()] = response.getheader("ETag")
            return response.status, response.read(), response.getheader("Content-Type") or "application/json"
        finally:
            connection.close()

    def _answer(self, sock: socket.socket, fault: str, request_line: str, headers: Dict[str, str],
                body: bytes) -> bool:
        """Answer one request; False when the connection is closed."""
        if fault in ("reset_before", "reset_mid_request"):
            _reset(sock)
            return False
        if fault == "close_before":
            sock.shutdown(socket.SHUT_RDWR)
            return False
        if fault.endswith("_before"):  # a gateway error, nothing forwarded
            sock.sendall(_response(int(fault[:3]), b"<html><body>Bad Gateway</body></html>", "text/html"))
            return True
        if fault == "corrupt_body":
            body = body[:len(body) // 2] + bytes([body[len(body) // 2] ^ 0xFF]) + body[len(body) // 2 + 1:]
            fault = "none"
        status, answer, content_type = self._forward(request_line, headers, body)
        if fault == "none":
            sock.sendall(_response(status, answer, content_type, etag=self._etags.pop(threading.get_ident(), None)))
            return True
        if fault == "reset_after":
            _reset(sock)
            return False
        if fault == "close_after":
            sock.shutdown(socket.SHUT_RDWR)
            return False
        if fault.endswith("_after"):
            sock.sendall(_response(int(fault[:3]), b"<html><body>Gateway</body></html>", "text/html"))
            return True
        if fault == "truncated_body":
            sock.sendall(_response(status, answer[: len(answer) // 2], content_type, length=len(answer)))
            sock.shutdown(socket.SHUT_RDWR)
            return False
        if fault == "headers_only":
            sock.sendall(_response(status, answer, content_type)[:30])
            sock.shutdown(socket.SHUT_RDWR)
            return False
        if fault == "late_answer":
            time.sleep(LATE_SECONDS)
            try:
                sock.sendall(_response(status, answer, content_type))
            except OSError:
                pass
            return False
        if fault == "slow_trickle":
            whole = _response(status, answer, content_type)
            step = max(1, len(whole) // 20)
            for start in range(0, len(whole), step):
                sock.sendall(whole[start:start + step])
                time.sleep(0.02)
            return True
        damaged = {
            "garbage_json": lambda: b'{"not json',
            "html_200": lambda: b"<html><body>Please log in to the hotel wifi</body></html>",
            "empty_200": lambda: b"",
            "nulls": lambda: json.dumps([None] * len(_actions(body))).encode(),
            "short_list": lambda: json.dumps(json.loads(answer)[:-1]).encode(),
            "wrong_key": lambda: _rewrite(answer, _wrong_key),
            "wrong_type": lambda: _rewrite(answer, _wrong_type),
        }[fault]()
        sock.sendall(_response(200, damaged))
        return True
