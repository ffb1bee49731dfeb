"""The sandbox's HTTP front under abuse: real sockets, real threads, on loopback."""
from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
import warnings
from typing import List, Optional

import pytest
import requests

from ftrack_orm.sandbox import Sandbox
from ftrack_orm.sandbox.limits import Limits

from tests.support.sandbox_http import Client


def raw_request(sandbox: Sandbox, head: str, body: bytes = b"", wait: float = 5.0) -> bytes:
    """Send ``head`` (request line + headers, without the blank line) and ``body`` on a
    fresh socket; everything answered until the server closes or ``wait`` passes."""
    host, port = sandbox.url.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as connection:
        connection.sendall(head.encode("latin-1") + b"\r\n\r\n" + body)
        received = b""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            received += chunk
            if b"\r\n\r\n" in received:
                header, _, rest = received.partition(b"\r\n\r\n")
                length = [int(line.split(b":")[1]) for line in header.split(b"\r\n") if line.lower().startswith(b"content-length")]
                if length and len(rest) >= length[0]:
                    break
        return received


def api_head(sandbox: Sandbox, length: int, key: Optional[str] = None) -> str:
    return (f"POST /api HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n"
            f"ftrack-user: {sandbox.api_user}\r\nftrack-api-key: {key or sandbox.api_key}")


def test_credentials_are_checked_before_a_body_is_read(sandbox):
    started = time.monotonic()
    answer = raw_request(sandbox, api_head(sandbox, 4_000_000_000, key="wrong"))  # 4 GB announced, none sent
    assert time.monotonic() - started < 4
    assert b"InvalidCredentialsError" in answer and b"Connection: close" in answer


def test_a_body_over_the_limit_is_refused_unread():
    with Sandbox(limits=Limits(max_body_bytes=1000)) as sandbox:
        answer = raw_request(sandbox, api_head(sandbox, 10_000_000))
        assert answer.startswith(b"HTTP/1.1 413") and b"exceeds this sandbox's limit of 1000 bytes" in answer
        # a small request still works
        assert Client(sandbox).query("select name from Shot limit 1")["data"]


def test_uploads_need_a_signed_unexpired_url(sandbox):
    client = Client(sandbox)
    metadata = client.call([{"action": "get_upload_metadata", "component_id": "c1", "file_name": "a.exr",
                             "file_size": 13}])[0]
    url = metadata["url"]
    assert "signature=" in url and "expires=" in url
    assert requests.put(url, data=b"x" * 13, timeout=10).status_code == 200
    unsigned = url.split("?", 1)[0]
    refused = requests.put(unsigned, data=b"x" * 13, timeout=10)
    assert refused.status_code == 403 and "not signed" in refused.json()["content"]
    tampered = url.replace("/upload/c1?", "/upload/c2?")
    assert requests.put(tampered, data=b"x", timeout=10).status_code == 403
    with Sandbox(limits=Limits(upload_url_lifetime=-1)) as expiring:
        old = Client(expiring).call([{"action": "get_upload_metadata", "component_id": "c1", "file_name": "a",
                                      "file_size": 1}])[0]["url"]
        answer = requests.put(old, data=b"x", timeout=10)
        assert answer.status_code == 403 and "expired" in answer.json()["content"]


def test_an_upload_over_the_limit_is_refused_unread():
    with Sandbox(limits=Limits(max_upload_bytes=100)) as sandbox:
        url = Client(sandbox).call([{"action": "get_upload_metadata", "component_id": "c1", "file_name": "a",
                                     "file_size": 10 ** 9}])[0]["url"]
        path = url.split("//", 1)[1].split("/", 1)[1]
        answer = raw_request(sandbox, f"PUT /{path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000")
        assert answer.startswith(b"HTTP/1.1 413")


def test_a_silent_connection_is_dropped():
    with Sandbox(seed="empty", limits=Limits(socket_timeout=0.3)) as sandbox:
        host, port = sandbox.url.rsplit("//", 1)[1].split(":")
        with socket.create_connection((host, int(port)), timeout=5) as connection:
            connection.sendall(b"POST /api HTTP/1.1\r\n")  # a slow client that never finishes
            started = time.monotonic()
            assert connection.recv(1024) == b""  # the server hung up
            assert time.monotonic() - started < 3


def test_operations_per_batch_are_capped():
    with Sandbox(limits=Limits(max_operations=10)) as sandbox:
        client = Client(sandbox)
        sandbox.reset_counters()
        error = client.error([{"action": "query_server_information"}] * 11)
        assert error["exception"] == "ValidationError" and "at most 10" in error["content"]
        assert sandbox.operation_count == 0
        assert len(client.call([{"action": "query_server_information"}] * 10)) == 10


def test_deeply_nested_json_is_answered_as_a_validation_error(sandbox):
    depth = 100_000
    body = b"[" * depth + b"]" * depth
    answer = raw_request(sandbox, api_head(sandbox, len(body)), body)
    assert b"ValidationError" in answer and b"nested too deeply" in answer


def test_internal_errors_do_not_leak_internals(sandbox):
    client = Client(sandbox)
    shot = client.rows("select id from Shot limit 1")[0]
    duplicate = client.error([{"action": "create", "entity_type": "Shot",
                               "entity_data": {"__entity_type__": "Shot", "id": shot["id"], "name": "again",
                                               "parent_id": shot["id"]}}])
    broken = client.error([{"action": "delete", "entity_type": "Task", "entity_key": [[1]]}])
    assert duplicate["exception"] == "ValidationError" and "already exists" in duplicate["content"]
    assert broken["exception"] == "ServerError"
    for error in (duplicate, broken):
        for internal in ("UNIQUE", "sqlite", "Context.id", "ProgrammingError", "TypeError", "Traceback"):
            assert internal not in error["content"]


def test_binding_beyond_loopback_needs_consent():
    with pytest.raises(ValueError, match="allow_remote=True"):
        Sandbox(seed="empty", host="0.0.0.0")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Sandbox(seed="empty", host="0.0.0.0", allow_remote=True)  # constructed, not started
    assert any("other machines can reach it" in str(w.message) for w in caught)
    Sandbox(seed="empty", host="localhost")
    Sandbox(seed="empty", host="::1")


def test_fifty_concurrent_clients_are_all_answered(sandbox):
    barrier = threading.Barrier(50)
    failures: List[str] = []

    def one() -> None:
        barrier.wait()
        try:
            status, body = Client(sandbox).post([{"action": "query", "expression": "select name from Shot limit 1"}])
            assert status == 200 and body[0]["data"], body
        except Exception as error:  # collected: an assertion in a thread would be lost
            failures.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=one) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []


@pytest.mark.skipif(shutil.which("ss") is None, reason="needs ss (iproute2) to read the listen backlog")
def test_listen_backlog_is_deep(sandbox):
    port = sandbox.url.rsplit(":", 1)[1]
    listing = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True).stdout
    backlog = int(listing.split()[2])  # State Recv-Q Send-Q: Send-Q of a listener is its backlog
    assert backlog >= 128
