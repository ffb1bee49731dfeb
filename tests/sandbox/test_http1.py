"""The lean HTTP/1.1 wire of the sandbox: real sockets on loopback against a real sandbox."""
from __future__ import annotations

import json
import socket
import time
from typing import Dict, Tuple

import pytest

from ftrack_orm.sandbox import Sandbox
from ftrack_orm.sandbox.http1 import Headers


@pytest.fixture(scope="module")
def served():
    with Sandbox(seed="empty") as sandbox:
        yield sandbox


def connect(sandbox: Sandbox) -> socket.socket:
    host, port = sandbox.url.rsplit("//", 1)[1].split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def read_answer(stream) -> Tuple[int, Dict[str, str], bytes]:
    """One answer from a socket file: status, headers (lower-cased names), body."""
    status = int(stream.readline().split()[1])
    headers: Dict[str, str] = {}
    while True:
        line = stream.readline().decode("latin-1")
        if line in ("\r\n", ""):
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, stream.read(int(headers.get("content-length", 0)))


def api(sandbox: Sandbox, extra: str = "", version: str = "HTTP/1.1") -> bytes:
    body = json.dumps([{"action": "query", "expression": "select username from User"}]).encode()
    return (f"POST /api {version}\r\nHost: x\r\nCONTENT-length: {len(body)}\r\nFtrack-User: {sandbox.api_user}\r\n"
            f"ftrack-api-key: {sandbox.api_key}\r\n{extra}\r\n").encode("latin-1") + body


def test_requests_on_a_kept_alive_connection_are_answered_in_turn(served):
    with connect(served) as connection:
        stream = connection.makefile("rb")
        connection.sendall(api(served) + api(served))  # pipelined: both in one segment
        for _ in range(2):
            status, headers, body = read_answer(stream)
            assert status == 200 and "connection" not in headers
            assert headers["content-type"] == "application/json" and headers["date"].endswith("GMT")
            assert json.loads(body)[0]["data"]


def test_connection_close_and_http_1_0_end_the_connection(served):
    for request in (api(served, "Connection: close\r\n"), api(served, version="HTTP/1.0")):
        with connect(served) as connection:
            stream = connection.makefile("rb")
            connection.sendall(request)
            status, headers, _ = read_answer(stream)
            assert status == 200 and headers["connection"] == "close"
            assert stream.read() == b""


def test_expect_100_continue_is_answered_before_the_body(served):
    with connect(served) as connection:
        stream = connection.makefile("rb")
        head, _, body = api(served, "Expect: 100-continue\r\n").partition(b"\r\n\r\n")
        connection.sendall(head + b"\r\n\r\n")
        assert stream.readline().startswith(b"HTTP/1.1 100")
        assert stream.readline() == b"\r\n"
        connection.sendall(body)
        assert read_answer(stream)[0] == 200


@pytest.mark.parametrize("request_head, status", [
    ("POST /api HTTP/1.1\r\n" + "X-Filler: 1\r\n" * 101, 431),
    ("POST /api HTTP/1.1\r\nX-Long: " + "x" * 70_000 + "\r\n", 431),
    ("GET /" + "x" * 70_000 + " HTTP/1.1\r\n", 414),
    ("POST /api HTTP/1.1\r\nno colon here\r\n", 400),
    ("POST /api HTTP/1.1\r\n folded first\r\n", 400),
    ("POST /api HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n", 400),
    ("POST /api HTTP/x.y\r\n", 400),
    ("POST /api\r\n", 400),
    ("POST /api HTTP/2.0\r\n", 505),
    ("BREW /api HTTP/1.1\r\n", 501),
])
def test_malformed_heads_get_the_answers_of_http_server(served, request_head, status):
    with connect(served) as connection:
        stream = connection.makefile("rb")
        connection.sendall(request_head.encode("latin-1") + b"\r\n")
        answer = stream.read()  # the error page, then the server hangs up
        assert f"Error code: {status}".encode() in answer


def test_header_names_are_case_insensitive_and_folded_lines_continue():
    with Sandbox(seed="empty") as sandbox, connect(sandbox) as connection:
        stream = connection.makefile("rb")
        connection.sendall(api(sandbox, "X-Note: one\r\n two\r\n"))
        assert read_answer(stream)[0] == 200  # credentials found under their mixed-case names
    headers = Headers({"x-note": "a"})
    assert headers.get("X-NOTE") == "a" and headers.get("missing", "") == "" and headers.get("missing") is None


def test_a_head_in_pieces_or_with_bare_line_feeds_is_read_line_by_line(served):
    request = api(served)
    head, _, body = request.partition(b"\r\n\r\n")
    with connect(served) as connection:
        stream = connection.makefile("rb")
        middle = head.index(b"\r\n", 30) + 2  # the head arrives in two segments
        connection.sendall(head[:middle])
        time.sleep(0.05)
        connection.sendall(head[middle:] + b"\r\n\r\n" + body)
        assert read_answer(stream)[0] == 200
        connection.sendall(head.replace(b"\r\n", b"\n") + b"\n\n" + body)
        assert read_answer(stream)[0] == 200
