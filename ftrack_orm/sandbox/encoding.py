"""The sandbox's answers as JSON bytes: orjson (the ``fast`` extra) when installed, else ``json``.

Encoding the answer was the largest single cost of a small query in the sandbox
after SQLite itself (``json.dumps`` then ``str.encode``: ~80k instructions for a
one-row answer); orjson writes the UTF-8 bytes directly in a tenth of that. Both
write the same JSON values; the bytes differ in spacing and in escaping (orjson
writes non-ASCII text as UTF-8, ``json`` as ``\\uXXXX``), which no client sees.

What orjson refuses (an integer beyond 64 bits, a string with a lone surrogate, a
key that is not a string) is written by ``json``, as without the extra. One value
differs: a non-finite float (which only an ``Infinity`` sent by a client and
stored could produce) is ``null`` with orjson, ``Infinity`` with ``json``.
"""
from __future__ import annotations

import json
from typing import Any

try:  # the "fast" extra
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None  # type: ignore[assignment]

#: Which encoder :func:`encode_answer` uses first: ``"orjson"`` (the ``fast`` extra) or ``"json"``.
ENCODER = "json" if _orjson is None else "orjson"


def encode_stdlib(payload: Any) -> bytes:
    """``payload`` as UTF-8 JSON by the standard library (ASCII, ``\\uXXXX`` escapes)."""
    return json.dumps(payload).encode("utf-8")


def encode_answer(payload: Any) -> bytes:
    """The JSON body of an answer (any JSON-able ``payload``) as bytes."""
    if _orjson is None:  # pragma: no cover - depends on the environment
        return encode_stdlib(payload)
    try:
        return _orjson.dumps(payload)
    except _orjson.JSONEncodeError:
        return encode_stdlib(payload)
