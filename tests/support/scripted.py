"""A scripted HTTP server on loopback answering with the real ftrack data (offline tests)."""
from __future__ import annotations

import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

from tests.support.data import schemas_json, server_information_json


class ScriptedServer:
    """A real HTTP server on 127.0.0.1 that answers with a test's handler.

    The handler receives the recorded request (``{"path", "headers", "body", "json"}``)
    and returns ``(status, body)`` or ``(status, body, headers)``; body may be bytes, a
    str, or any JSON value; the special body ``ScriptedServer.DROP`` closes the
    connection without answering.
    """

    DROP = object()

    def __init__(self, tls: Optional[ssl.SSLContext] = None) -> None:
        """``tls``: a server-side context to answer over HTTPS."""
        self.requests: List[Dict[str, Any]] = []
        self.handler: Callable[[Dict[str, Any]], Tuple[int, Any]] = lambda request: (200, [])
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                request = {"path": self.path, "headers": dict(self.headers.items()), "body": raw}
                try:
                    request["json"] = json.loads(raw)
                except ValueError:
                    request["json"] = None
                outer.requests.append(request)
                status, body, *more = outer.handler(request)
                extra_headers: Dict[str, str] = more[0] if more else {}
                if body is ScriptedServer.DROP:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if not isinstance(body, (bytes, str)):
                    body = json.dumps(body)
                if isinstance(body, str):
                    body = body.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    for name, value in extra_headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def actions(self, index: int = -1) -> List[Optional[str]]:
        """Actions of the operations in request ``index``."""
        return [op.get("action") for op in self.requests[index]["json"]]


def ftrack_like(schemas: Any = None, info: Any = None) -> Callable[[Dict[str, Any]], Tuple[int, Any]]:
    """A handler answering schema/info/query operations from the real shared data."""
    schemas = schemas if schemas is not None else schemas_json()
    info = info if info is not None else server_information_json()

    def handler(request: Dict[str, Any]) -> Tuple[int, Any]:
        results = []
        for op in request["json"]:
            action = op["action"]
            if action == "query_schemas":
                results.append(schemas)
            elif action == "query_server_information":
                results.append(info)
            elif action == "query":
                results.append({"action": "query", "data": [], "metadata": {"next": {"offset": None}}})
            else:
                results.append({"action": action, "data": True})
        return 200, results

    return handler
