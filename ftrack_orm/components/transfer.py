"""Moving bytes to and from the ``ftrack.server`` location, as the official clients do.

Upload (:meth:`Transfers.upload`): ONE call asking ``get_upload_metadata`` for
every file; files up to ``2 * part_size`` go in one PUT, larger ones in parts of
``part_size`` (``parts`` in the metadata call, then ``complete_multipart_upload``).
PUTs run in parallel on a thread pool, each carries ``Content-MD5`` and is retried
on a dropped connection or a 5xx answer by the project's retry rules
(:func:`ftrack_orm.transport.retry_after_failure` / ``retry_after_status``, with
``Transfers.retry``; a PUT of one part is idempotent, so it is retried as a read is).
When any PUT finally fails, the others are cancelled and everything stored for the
batch is removed (``component/remove``) before :class:`TransferError` is raised.

Download (:meth:`Transfers.download_all`, many files on the same thread pool):
``component/get`` streamed to ``.<file>.<component id>.part`` next to the target,
renamed into place only when complete. A connection dropped mid-body resumes with
``Range: bytes=<have>-`` (a server answering ``200`` instead of ``206`` sends it all
again); a part file left by a failed call is resumed by the next one.

URLs carrying the API key never appear in errors or logs: failures name the
component and the HTTP status only.
"""
from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import itertools
import os
import threading
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence

import attrs
import requests

from ..client import WireClient
from ..errors import FtrackOrmError, ServerConnectionError
from ..transport import RetryPolicy, retry_after_failure, retry_after_status
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
class Download:
    """One file to fetch: the data of ``component_id`` to ``path`` (``size``: for progress, 0 unknown)."""

    component_id: str
    path: str
    name: str
    size: int = 0


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

    def __init__(self, client: WireClient, *, part_size: int = 8 * MIB, max_workers: int = 6,
                 retry: Optional[RetryPolicy] = None, timeout: float = 60.0, verify: Any = True) -> None:
        self.client = client
        self.part_size = part_size
        self.max_workers = max_workers
        #: Retries of one PUT or GET (the rules of :mod:`ftrack_orm.transport`; both are idempotent).
        self.retry = retry or RetryPolicy(attempts=4, backoff=0.2)
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
        label = f"{put.upload.name}{f' part {put.part_number}' if put.part_number else ''} " \
                f"(component {put.upload.component_id})"
        for attempt in itertools.count(1):
            if cancelled.is_set():
                raise TransferError(f"Upload of {label} cancelled: another part failed.", [put.upload.component_id])
            try:
                response = self._http.put(put.url, data=data, headers=headers, timeout=self.timeout)
            except requests.RequestException as error:
                delay = self._after_failure(attempt, error, f"Upload of {label}", put.upload.component_id)
            else:
                if response.status_code < 400:
                    if progress is not None:
                        progress.advance(put.upload.name, len(data))
                    return str(response.headers.get("ETag", "")).strip('"')
                delay = self._after_status(attempt, response, f"Upload of {label}", put.upload.component_id)
            cancelled.wait(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- the project's retry rules (ftrack_orm.transport) for idempotent transfers ---------
    def _after_failure(self, attempt: int, error: BaseException, what: str, component_id: str) -> float:
        """Seconds before retrying a PUT of one part or a GET (both idempotent: re-sent like reads)."""
        scrubbed = ConnectionError(f"{type(error).__name__}")  # the URL may carry the API key: never kept
        try:
            return retry_after_failure(self.retry, attempt, read_only=True, never_sent=False, cause=scrubbed)
        except ServerConnectionError:
            raise TransferError(f"{what} failed: the connection failed ({type(error).__name__}) "
                                f"{attempt} time(s).", [component_id]) from None

    def _after_status(self, attempt: int, response: requests.Response, what: str, component_id: str) -> float:
        """Seconds before retrying after a 5xx answer; a 4xx answer (or the last attempt) raises."""
        failure = f"HTTP {response.status_code}: {_error_text(response)}"
        if response.status_code >= 500:
            try:
                return retry_after_status(self.retry, attempt, response.status_code, read_only=True)
            except ServerConnectionError:
                failure += f" ({attempt} attempt(s))"
        raise TransferError(f"{what} failed: {failure}.", [component_id])

    def remove(self, component_ids: Sequence[str]) -> List[str]:
        """Remove stored data of ``component_ids`` from the server location; returns the ids whose
        removal failed (never raises: it runs while another error is on its way)."""
        failed = []
        for component_id in component_ids:
            try:
                response = self._http.get(self.client.component_url("component/remove", {"id": component_id}),
                                          timeout=self.timeout)
            except requests.RequestException:
                failed.append(component_id)
            else:
                if response.status_code >= 400 and response.status_code != 404:
                    failed.append(component_id)
        return failed

    # -- download -------------------------------------------------------------------------
    def download_all(self, downloads: Sequence[Download], progress: Optional[Progress] = None) -> None:
        """Fetch every file of ``downloads`` on the thread pool (see :meth:`download`); the first
        failure cancels the rest and is raised."""
        if progress is not None:
            progress.start(sum(d.size for d in downloads))
        cancelled = threading.Event()
        try:
            if len(downloads) == 1:
                self._download(downloads[0], progress, cancelled)
                return
            with concurrent.futures.ThreadPoolExecutor(self.max_workers, thread_name_prefix="ftrack-download") as pool:
                futures = [pool.submit(self._download, download, progress, cancelled) for download in downloads]
                try:
                    for future in concurrent.futures.as_completed(futures):
                        future.result()
                except BaseException:
                    cancelled.set()
                    for future in futures:
                        future.cancel()
                    raise
        finally:
            if progress is not None:
                progress.close()

    def download(self, component_id: str, path: str, progress: Optional[Progress] = None, name: str = "",
                 size: int = 0) -> str:
        """Stream the stored bytes of ``component_id`` to ``path``; returns ``path``.

        The bytes go to ``.<file>.<component id>.part`` next to ``path``, renamed into place once
        complete. A dropped connection is retried from where it stopped (``Range``, when the server
        answers ``206``); when it keeps failing, the part file stays so the next call resumes."""
        self.download_all([Download(component_id, path, name or os.path.basename(path), size)], progress)
        return path

    def _download(self, download: Download, progress: Optional[Progress], cancelled: threading.Event) -> None:
        url = self.client.component_url("component/get", {"id": download.component_id})
        what = f"Download of {download.name} (component {download.component_id})"
        directory = os.path.dirname(os.path.abspath(download.path))
        os.makedirs(directory, exist_ok=True)
        partial = os.path.join(directory, f".{os.path.basename(download.path)}.{download.component_id}.part")
        counted = _Counted(download.name, progress)
        for attempt in itertools.count(1):
            if cancelled.is_set():
                raise TransferError(f"{what} cancelled: another download failed.", [download.component_id])
            have = os.path.getsize(partial) if os.path.isfile(partial) else 0
            try:
                response = self._http.get(url, stream=True, timeout=self.timeout,
                                          headers={"Range": f"bytes={have}-"} if have else None)
            except requests.RequestException as error:
                delay = self._after_failure(attempt, error, what, download.component_id)  # part file kept
                cancelled.wait(delay)
                continue
            with response:
                if response.status_code == 416 and have:  # the part file is no prefix of the data: start over
                    os.remove(partial)
                    continue
                if response.status_code >= 400:
                    try:
                        delay = self._after_status(attempt, response, what, download.component_id)
                    except TransferError:
                        _unlink(partial)
                        raise
                    cancelled.wait(delay)
                    continue
                failure: BaseException = ConnectionError("the answer ended early")
                try:
                    complete = _receive(response, partial, have, counted)
                except requests.RequestException as error:  # dropped mid-body: resume from what arrived
                    complete, failure = False, error
            if complete:
                os.replace(partial, download.path)
                return
            cancelled.wait(self._after_failure(attempt, failure, what, download.component_id))


class _Counted:
    """The bytes of one download reported to a :class:`Progress` (a retry may restart at 0)."""

    def __init__(self, name: str, progress: Optional[Progress]) -> None:
        self.name = name
        self.progress = progress
        self.reported = 0

    def at(self, count: int) -> None:
        """This file now has ``count`` bytes."""
        if self.progress is not None and count != self.reported:
            self.progress.advance(self.name, count - self.reported)
        self.reported = count


def _receive(response: requests.Response, partial: str, have: int, counted: _Counted) -> bool:
    """Write the answer's bytes to ``partial`` (appended after a ``206``); True when complete."""
    resumed = response.status_code == 206
    received = have if resumed else 0
    total = _total_size(response, received)
    counted.at(received)
    with open(partial, "ab" if resumed else "wb") as out:
        for chunk in response.iter_content(_READ):
            out.write(chunk)
            received += len(chunk)
            counted.at(received)
    return total is None or received >= total


def _unlink(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _total_size(response: requests.Response, offset: int) -> Optional[int]:
    """The whole file's size: from ``Content-Range`` (``bytes a-b/size``) or ``offset + Content-Length``."""
    content_range = response.headers.get("Content-Range", "")
    if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
        return int(content_range.rsplit("/", 1)[1])
    length = response.headers.get("Content-Length")
    return offset + int(length) if length and length.isdigit() else None


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

