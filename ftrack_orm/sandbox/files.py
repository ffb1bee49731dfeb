"""The sandbox's file storage for the ``ftrack.server`` location.

Bytes uploaded through signed URLs (see :mod:`.uploads`) are kept one file per
component id in a directory: next to the database (``<db>.files``) or, for an
in-memory sandbox, a temporary directory removed when the sandbox stops.

* A single-part upload streams into a hidden temporary file that is renamed into
  place only once the whole body arrived (and matched its ``Content-MD5`` when one
  was sent): a dropped connection leaves nothing behind.
* A multipart upload (``get_upload_metadata`` with ``parts``) gets an upload id;
  each part is stored on its own (answering its MD5 as ``ETag``, as S3 does) and
  ``complete_multipart_upload`` joins them in part order after checking every
  ``e_tag``. Removing the component's data aborts any unfinished upload.
* Files are removed when their component is deleted, or by ``component/remove``.

:meth:`FileStore.fail_next_puts` makes the next PUTs answer HTTP 500 (for tests of
clients' retries); nothing else in the sandbox fails on purpose.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import shutil
import tempfile
import threading
from typing import BinaryIO, Dict, Iterable, List, Mapping, Optional, Protocol, Tuple

from .errors import SandboxError, validation_error

_CHUNK = 1024 * 1024
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


class Readable(Protocol):
    """Where an upload's bytes come from (the request's socket file)."""

    def read(self, size: int = -1, /) -> bytes: ...


class UploadRejected(SandboxError):
    """A PUT whose body was read in full but is not stored (bad checksum, injected failure)."""


class FileStore:
    """Files by component id in ``directory`` (``None``: a temporary directory)."""

    def __init__(self, directory: Optional[str] = None) -> None:
        self._temporary = directory is None
        self.directory = directory or tempfile.mkdtemp(prefix="ftrack-sandbox-files-")
        os.makedirs(self.directory, exist_ok=True)
        self._lock = threading.Lock()
        self._multipart: Dict[str, Tuple[str, int]] = {}  # upload id -> (component id, parts)
        self._part_digests: Dict[Tuple[str, int], str] = {}  # (upload id, part number) -> MD5 hex of the part
        self._failures = 0

    def __repr__(self) -> str:
        return f"<FileStore {self.directory!r}>"

    def close(self) -> None:
        """Remove a temporary directory (a directory next to a database stays)."""
        if self._temporary:
            shutil.rmtree(self.directory, ignore_errors=True)

    # -- paths ---------------------------------------------------------------------------
    def path(self, component_id: str) -> Optional[str]:
        """The stored file of ``component_id``, or ``None``."""
        if not _SAFE_ID.match(component_id):
            return None
        path = os.path.join(self.directory, component_id)
        return path if os.path.isfile(path) else None

    def _target(self, component_id: str) -> str:
        if not _SAFE_ID.match(component_id):
            raise validation_error(f"Invalid component id {component_id!r} for an upload.")
        return os.path.join(self.directory, component_id)

    def _part_path(self, upload_id: str, number: int) -> str:
        return os.path.join(self.directory, f".multipart-{upload_id}-{number:05d}")

    # -- uploads -------------------------------------------------------------------------
    def fail_next_puts(self, count: int = 1) -> None:
        """Answer the next ``count`` PUTs with HTTP 500 (their bodies are read and dropped); 0 stops failing."""
        with self._lock:
            self._failures = count

    def _take_failure(self) -> bool:
        with self._lock:
            if self._failures:
                self._failures -= 1
                return True
            return False

    def begin_multipart(self, component_id: str, parts: int) -> str:
        """Start a multipart upload of ``parts`` parts; returns its upload id."""
        self._target(component_id)
        upload_id = secrets.token_hex(16)
        with self._lock:
            self._multipart[upload_id] = (component_id, parts)
        return upload_id

    def put(self, component_id: str, body: Readable, length: int, content_md5: Optional[str],
            upload_id: Optional[str] = None, part_number: Optional[int] = None) -> str:
        """Store ``length`` bytes from ``body``; returns the MD5 hex digest (the ETag).

        Raises :class:`UploadRejected` (nothing stored) on a short body, a checksum
        mismatch, an unknown upload or part, or an injected failure.
        """
        if upload_id is not None:
            with self._lock:
                known = self._multipart.get(upload_id)
            if known is None or known[0] != component_id or part_number is None or not 1 <= part_number <= known[1]:
                raise SandboxError("ValidationError", "Unknown multipart upload or part number.", http_status=400)
            target = self._part_path(upload_id, part_number)
        else:
            target = self._target(component_id)
        failing = self._take_failure()
        handle, temporary = tempfile.mkstemp(prefix=".incoming-", dir=self.directory)
        digest = hashlib.md5(usedforsecurity=False)
        try:
            with os.fdopen(handle, "wb") as out:
                remaining = length
                while remaining > 0:
                    chunk = body.read(min(_CHUNK, remaining))
                    if not chunk:
                        raise SandboxError("ValidationError", "The upload ended before its Content-Length.",
                                           http_status=400)
                    digest.update(chunk)
                    out.write(chunk)
                    remaining -= len(chunk)
            if failing:
                raise UploadRejected("ServerError", "The sandbox was told to fail this upload (fail_next_puts).",
                                     http_status=500)
            if content_md5 is not None and content_md5.strip() != base64.b64encode(digest.digest()).decode():
                raise UploadRejected("BadDigest", "The Content-MD5 you specified did not match what was received.",
                                     http_status=400)
            os.replace(temporary, target)
        except BaseException:
            _unlink(temporary)
            raise
        if upload_id is not None and part_number is not None:
            with self._lock:
                self._part_digests[(upload_id, part_number)] = digest.hexdigest()
        return digest.hexdigest()

    def complete_multipart(self, component_id: str, upload_id: str, parts: Iterable[Mapping[str, object]]) -> None:
        """Join the parts of ``upload_id`` (``[{part_number, e_tag}]``) into the component's file."""
        with self._lock:
            known = self._multipart.get(upload_id)
        if known is None or known[0] != component_id:
            raise validation_error(f"No multipart upload {upload_id!r} for component {component_id!r}.")
        listed = sorted(parts, key=lambda part: int(str(part.get("part_number"))))
        numbers = [int(str(part.get("part_number"))) for part in listed]
        if numbers != list(range(1, len(numbers) + 1)) or not numbers:
            raise validation_error(f"The parts of upload {upload_id!r} must be numbered 1..n; got {numbers}.")
        paths: List[str] = []
        for part in listed:
            number = int(str(part["part_number"]))
            path = self._part_path(upload_id, number)
            with self._lock:
                stored = self._part_digests.get((upload_id, number))  # MD5 taken as the part arrived
            if not os.path.isfile(path) or stored != str(part.get("e_tag", "")).strip('"'):
                raise validation_error(f"Part {part['part_number']} of upload {upload_id!r} is missing or its "
                                       "e_tag does not match the uploaded data.")
            paths.append(path)
        temporary = os.path.join(self.directory, f".incoming-{upload_id}")
        try:
            os.replace(paths[0], temporary)  # the first part becomes the file; the others are appended
            with open(temporary, "r+b") as out:  # not "ab": copy_file_range refuses O_APPEND
                out.seek(0, os.SEEK_END)
                for path in paths[1:]:
                    with open(path, "rb") as source:
                        _append(source, out)
            os.replace(temporary, self._target(component_id))
        except BaseException:
            _unlink(temporary)
            raise
        self._abort(upload_id)

    def _abort(self, upload_id: str) -> None:
        with self._lock:
            self._multipart.pop(upload_id, None)
            for key in [key for key in self._part_digests if key[0] == upload_id]:
                del self._part_digests[key]
        prefix = f".multipart-{upload_id}-"
        for name in os.listdir(self.directory):
            if name.startswith(prefix):
                _unlink(os.path.join(self.directory, name))

    def copy(self, source_id: str, target_id: str) -> None:
        """Store a copy of ``source_id``'s file as ``target_id``'s."""
        source = self.path(source_id)
        if source is None:
            raise validation_error(f"No data is stored for component {source_id!r}.")
        shutil.copyfile(source, self._target(target_id))

    def remove(self, component_ids: Iterable[str]) -> None:
        """Remove the files (and unfinished multipart uploads) of ``component_ids``."""
        doomed = set(component_ids)
        with self._lock:
            uploads = [upload for upload, (owner, _) in self._multipart.items() if owner in doomed]
        for upload_id in uploads:
            self._abort(upload_id)
        for component_id in doomed:
            path = self.path(component_id)
            if path is not None:
                _unlink(path)


def _append(source: BinaryIO, out: BinaryIO) -> None:
    """Append ``source`` to ``out`` (in the kernel where the OS can: ``copy_file_range``)."""
    out.flush()
    start = out.tell()
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is not None:
        try:
            while copy_range(source.fileno(), out.fileno(), _CHUNK * 64):
                pass
            out.seek(0, os.SEEK_END)
            return
        except OSError:  # another file system, an old kernel: copy in Python from where it started
            out.truncate(start)
            out.seek(start)
            source.seek(0)
    shutil.copyfileobj(source, out, _CHUNK)


def _unlink(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
