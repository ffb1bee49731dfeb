"""HTTP byte ranges for stored component data (``Range: bytes=start-[end]``).

A download that was cut off resumes with ``Range: bytes=<bytes it has>-``; the
sandbox answers ``206 Partial Content`` with ``Content-Range: bytes a-b/size``, as
the storage behind a real ftrack server (S3 and the like) does. Only a single range
is served; a header the sandbox does not understand is ignored (the whole file,
``200``), and a range starting past the end is ``416`` with ``Content-Range: bytes */size``.
"""
from __future__ import annotations

import re
from typing import Optional

import attrs

_SINGLE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")


@attrs.frozen
class ByteRange:
    """Bytes ``start`` to ``end`` inclusive of a ``size``-byte file."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        """How many bytes the range holds."""
        return self.end - self.start + 1

    @property
    def content_range(self) -> str:
        """The ``Content-Range`` header of an answer carrying this range."""
        return f"bytes {self.start}-{self.end}/{self.size}"


class UnsatisfiableRange(ValueError):
    """The range lies outside the file (answer 416)."""


def requested_range(header: Optional[str], size: int) -> Optional[ByteRange]:
    """The range ``header`` asks of a ``size``-byte file; ``None``: serve it whole.

    Raises :class:`UnsatisfiableRange` when the range starts at or past the end.
    """
    match = _SINGLE.match(header or "")
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # "bytes=-N": the last N bytes
        count = int(last)
        if count == 0:
            raise UnsatisfiableRange(header)
        return ByteRange(max(0, size - count), size - 1, size) if size else None
    start = int(first)
    if start >= size:
        raise UnsatisfiableRange(header)
    end = min(int(last), size - 1) if last else size - 1
    if end < start:
        return None
    return ByteRange(start, end, size)


