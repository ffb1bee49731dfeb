"""Moving bytes to and from the ``ftrack.server`` location, as the official clients do.

Upload (:meth:`Transfers.upload`): ONE call asking ``get_upload_metadata`` for
every file; files up to ``2 * part_size`` go in one PUT, larger ones in parts of
``part_size`` (``parts`` in the metadata call, then ``complete_multipart_upload``).
PUTs run in parallel on a thread pool, each carries ``Content-MD5`` and is retried
with backoff on a dropped connection or a 5xx answer. When any PUT finally fails,
the others are cancelled and everything stored for the batch is removed
(``component/remove``) before :class:`TransferError` is raised.

Download (:meth:`Transfers.download`): ``component/get`` streamed to a temporary
file next to the target, renamed into place only when complete.

URLs carrying the API key never appear in errors or logs: failures name the
component and the HTTP status only.
"""
from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import os
import tempfile
import threading
import time
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence

import attrs
import requests

from ..client import WireClient
from ..errors import FtrackOrmError
from .progress import Progress

MIB = 1024 * 1024
_READ = MIB


class TransferError(FtrackOrmError):
    """An upload or download failed; ``component_ids`` names the components concerned."""

    def __init__(self, message: str, component_ids: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.component_ids = list(component_ids)


@attrs.frozen
class Upload:
    """One file to store for ``component_id`` (``name`` includes the file type)."""

    component_id: str
    path: str
    name: str
    size: int


@attrs.frozen
class _Put:
    upload: Upload
    url: str
    headers: Mapping[str, str]
    offset: int
    length: int
    part_number: Optional[int] = None


class Transfers:
    """Uploads and downloads for one wire client; ``http`` is a ``requests.Session`` for the bytes."""

    def __init__(self, client: WireClient, *, part_size: int = 8 * MIB, max_workers: int = 6, retries: int = 3,
                 backoff: float = 0.2, timeout: float = 60.0, verify: Any = True) -> None:
        self.client = client
        self.part_size = part_size
        self.max_workers = max_workers
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._http = requests.Session()
        self._http.verify = verify
        adapter = requests.adapters.HTTPAdapter(pool_connections=max_workers, pool_maxsize=max_workers * 2)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    # -- upload ---------------------------------------------------------------------------
    def upload(self, uploads: Sequence[Upload], progress: Optional[Progress] = None) -> None:
        """Store every file of ``uploads`` in the server location (all, or none: see the module)."""
        if not uploads:
            return
        parts = [self._part_count(upload.size) for upload in uploads]
        answers = self.client.call([_metadata_operation(u, n) for u, n in zip(uploads, parts)])
        puts: List[_Put] = []
        multipart: Dict[str, Any] = {}
        for upload, answer in zip(uploads, answers):
            if "urls" in answer:
                multipart[upload.component_id] = answer["upload_id"]
                for item in answer["urls"]:
                    number = int(item["part_number"])
                    offset = (number - 1) * self.part_size
                    puts.append(_Put(upload, item["signed_url"], {}, offset,
                                     max(0, min(self.part_size, upload.size - offset)), number))
            else:
                headers = {k: v for k, v in answer["headers"].items() if k.lower() != "content-length"}
                puts.append(_Put(upload, answer["url"], headers, 0, upload.size))
        if progress is not None:
            progress.start(sum(u.size for u in uploads))
        etags: Dict[str, List[Dict[str, Any]]] = {}
        try:
            for put, etag in self._run(puts, progress):
                if put.part_number is not None:
                    etags.setdefault(put.upload.component_id, []).append({"part_number": put.part_number, "e_tag": etag})
            if multipart:
                self.client.call([
                    {"action": "complete_multipart_upload", "upload_id": upload_id, "component_id": component_id,
                     "parts": sorted(etags[component_id], key=lambda part: int(part["part_number"]))}
                    for component_id, upload_id in multipart.items()
                ])
        except BaseException:
            self.remove([u.component_id for u in uploads])
            raise
        finally:
            if progress is not None:
                progress.close()

    def _part_count(self, size: int) -> int:
        count = -(-size // self.part_size)
        return count if count > 2 else 1

    def _run(self, puts: Sequence[_Put], progress: Optional[Progress]) -> Iterator[Any]:
        cancelled = threading.Event()
        with concurrent.futures.ThreadPoolExecutor(self.max_workers, thread_name_prefix="ftrack-upload") as pool:
            futures = {pool.submit(self._put, put, progress, cancelled): put for put in puts}
            try:
                for future in concurrent.futures.as_completed(futures):
                    yield futures[future], future.result()
            except BaseException:
                cancelled.set()
                for future in futures:
                    future.cancel()
                raise

    def _put(self, put: _Put, progress: Optional[Progress], cancelled: threading.Event) -> str:
        data = _read(put.upload.path, put.offset, put.length)
        headers = dict(put.headers)
        headers["Content-MD5"] = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        label = put.upload.name + (f" part {put.part_number}" if put.part_number else "")
        for attempt in range(self.retries + 1):
            if cancelled.is_set():
                raise TransferError(f"Upload of {label} cancelled: another part failed.", [put.upload.component_id])
            try:
                response = self._http.put(put.url, data=data, headers=headers, timeout=self.timeout)
            except requests.RequestException as error:
                failure = f"the connection failed ({type(error).__name__})"
            else:
                if response.status_code < 400:
                    if progress is not None:
                        progress.advance(put.upload.name, len(data))
                    return str(response.headers.get("ETag", "")).strip('"')
                failure = f"HTTP {response.status_code}: {_error_text(response)}"
                if response.status_code < 500:
                    break
            if attempt < self.retries:
                time.sleep(self.backoff * (2 ** attempt))
        raise TransferError(f"Upload of {label} (component {put.upload.component_id}) failed: {failure}.",
                            [put.upload.component_id])

    def remove(self, component_ids: Sequence[str]) -> None:
        """Remove stored data of ``component_ids`` from the server location (best effort, no raise)."""
        for component_id in component_ids:
            try:
                self._http.get(self.client.component_url("component/remove", {"id": component_id}),
                               timeout=self.timeout)
            except requests.RequestException:
                pass

    # -- download -------------------------------------------------------------------------
    def download(self, component_id: str, path: str, progress: Optional[Progress] = None, name: str = "") -> str:
        """Stream the stored bytes of ``component_id`` to ``path`` (via a temporary file); returns ``path``."""
        url = self.client.component_url("component/get", {"id": component_id})
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".ftrack-download-", dir=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                try:
                    response = self._http.get(url, stream=True, timeout=self.timeout)
                except requests.RequestException as error:
                    raise TransferError(f"Download of component {component_id} failed: the connection failed "
                                        f"({type(error).__name__}).", [component_id]) from None
                with response:
                    if response.status_code >= 400:
                        raise TransferError(f"Download of component {component_id} failed: HTTP "
                                            f"{response.status_code}: {_error_text(response)}.", [component_id])
                    total = int(response.headers.get("Content-Length") or 0)
                    if progress is not None:
                        progress.start(total)
                    received = 0
                    for chunk in response.iter_content(_READ):
                        out.write(chunk)
                        received += len(chunk)
                        if progress is not None:
                            progress.advance(name or os.path.basename(path), len(chunk))
                    if total and received != total:
                        raise TransferError(f"Download of component {component_id} ended after {received} of "
                                            f"{total} bytes.", [component_id])
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise
        finally:
            if progress is not None:
                progress.close()
        return path


def _metadata_operation(upload: Upload, parts: int) -> Dict[str, Any]:
    operation: Dict[str, Any] = {"action": "get_upload_metadata", "component_id": upload.component_id,
                                 "file_name": upload.name, "file_size": upload.size}
    if parts > 1:
        operation["parts"] = parts
    else:
        operation["checksum"] = _md5_file(upload.path)
    return operation


def _read(path: str, offset: int, length: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def _md5_file(path: str) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_READ), b""):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


def _error_text(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason or "error"
    return str(body.get("content") or body) if isinstance(body, dict) else str(body)

