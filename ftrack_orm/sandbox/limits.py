"""What one sandbox accepts: request sizes, batch sizes, socket timeouts.

A sandbox runs in pipeline tests and on developers' machines, sometimes shared on
a studio network: these limits keep one careless or hostile client from taking it
down for everyone (memory, threads, a global write lock held for minutes).
"""
from __future__ import annotations

import attrs

MIB = 1024 * 1024


@attrs.frozen
class Limits:
    """``Sandbox(limits=Limits(max_body_bytes=...))``.

    ``max_body_bytes``: the largest ``/api`` request body (larger: HTTP 413, unread).
    ``max_upload_bytes``: the largest uploaded file (HTTP 413, unread).
    ``max_operations``: operations in one batch (more: ``ValidationError``, nothing run).
    ``socket_timeout``: seconds a connection may stay silent (a slow or idle client
    is disconnected instead of holding a thread).
    ``upload_url_lifetime``: seconds a signed upload URL stays valid.
    ``listen_backlog``: connections the kernel queues before the server accepts them.
    """

    max_body_bytes: int = 256 * MIB
    max_upload_bytes: int = 4096 * MIB
    max_operations: int = 20_000
    socket_timeout: float = 60.0
    upload_url_lifetime: float = 3600.0
    listen_backlog: int = 128
