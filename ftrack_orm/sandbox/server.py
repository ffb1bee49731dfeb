"""The sandbox server: HTTP front, authentication, batches and counters."""
from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
import logging
import os
import sqlite3
import threading
import warnings
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

from ..schema import SchemaRegistry
from ..times import UTC, to_utc, utc_text
from .actions import Actions
from .events.changes import ChangeLog
from .events.hub import EventServer
from .errors import SandboxError, permission_error, validation_error
from .credentials import Credentials
from .components import complete_multipart_upload, encode_media, upload_metadata
from .evaluator import Evaluator
from .files import FileStore
from .http import SandboxHTTPServer, handler_for
from .limits import Limits
from .seed import SEEDS, api_key, apply_seed, random_api_key
from .store import Store
from .uploads import UploadSigner
from .writes import Writer

logger = logging.getLogger(__name__)

_INTERNAL_ERROR = "The sandbox failed on this operation (an internal error; the details are in the sandbox's log)."
_CONFLICT = "The operation conflicts with existing data: a duplicate key, or a reference to a missing entity."

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
WRITE_ACTIONS = frozenset({"create", "update", "delete"})
#: Actions that never write: a batch of only these runs on a read connection.
READ_ACTIONS = frozenset({"query", "query_schemas", "query_server_information"})
#: How many requests' client tokens a sandbox remembers (tests read them; a long run must not grow).
CLIENT_TOKENS_KEPT = 10_000


def _load_json(path: str) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def schema_hash(schema_json: Any) -> str:
    """A content hash of schemas (the shipped real schemas keep the real server's hash)."""
    canonical = json.dumps(schema_json, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.md5(canonical, usedforsecurity=False).hexdigest()


class Sandbox:
    """A local ftrack-compatible server on SQLite.

    ``Sandbox(db=None, seed="demo", schemas=None)``: ``db`` is a SQLite file
    (``None``: in memory), ``seed`` is ``"demo"`` or ``"empty"`` (applied only to
    a new database), ``schemas`` a ``query_schemas`` JSON file (default: the
    116 real schemas shipped with the package). Use as a context manager, or
    call :meth:`start` / :meth:`stop`.

    A new database gets random API keys (``api_key``, ``readonly_key``), so nobody
    can derive them from the user names; ``fixed_keys=True`` makes them the same on
    every run (for recordings); so do ``clock`` (a callable returning the server's
    time, read once per batch) and ``upload_secret`` (signs upload URLs). Uploaded files are kept
    in ``files_dir`` (default: ``<db>.files`` next to the database, or a temporary directory
    for an in-memory sandbox; see :mod:`~ftrack_orm.sandbox.files`). ``server_information``
    is a ``query_server_information`` JSON file to answer (default: the shipped one; its
    ``schema_hash`` is replaced when ``schemas`` differ from the shipped ones). ``limits`` (:class:`~ftrack_orm.sandbox.limits.Limits`)
    bounds what one request may cost; ``allow_remote=True`` is needed to listen on a
    non-loopback ``host``.
    """

    def __init__(
        self,
        db: Optional[str] = None,
        seed: str = "demo",
        schemas: Optional[str] = None,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: Optional[Limits] = None,
        allow_remote: bool = False,
        fixed_keys: bool = False,
        clock: Optional[Callable[[], datetime.datetime]] = None,
        upload_secret: Optional[bytes] = None,
        files_dir: Optional[str] = None,
        server_information: Optional[str] = None,
    ) -> None:
        if seed not in SEEDS:
            raise ValueError(f"Unknown seed {seed!r}; choose one of {sorted(SEEDS)}.")
        if not _is_loopback(host):
            if not allow_remote:
                raise ValueError(
                    f"Refusing to serve on {host!r}: the sandbox is for local tests and other machines could reach "
                    "it. Pass allow_remote=True (command line: --allow-remote) if you mean to share it."
                )
            warnings.warn(f"The ftrack sandbox listens on {host!r}: other machines can reach it.", stacklevel=2)
        self.host, self.port = host, port
        self.limits = limits or Limits()
        #: The server's clock (aware or naive-UTC datetimes), read once per batch and per signed URL.
        self.clock: Callable[[], datetime.datetime] = clock or _now
        self.uploads = UploadSigner(self.limits.upload_url_lifetime, lambda: to_utc(self.clock()).timestamp(),
                                    upload_secret)
        self.schema_json: List[Dict[str, Any]] = _load_json(schemas or os.path.join(DATA, "schemas.json"))
        self.server_information: Dict[str, Any] = _load_json(
            server_information or os.path.join(DATA, "server_information.json"))
        if schemas is not None and self.schema_json != _load_json(os.path.join(DATA, "schemas.json")):
            # Other schemas, another hash: a client's schema cache must not confuse the two.
            self.server_information["schema_hash"] = schema_hash(self.schema_json)
        self.schemas = SchemaRegistry.from_json(self.schema_json)
        self.store = Store(self.schemas, db)
        self.evaluator = Evaluator(self.store)
        self.evaluator.computed.server_url = lambda: self.url if self._httpd is not None else ""
        self.changes = ChangeLog(self.store)
        self.writer = Writer(self.store, self.evaluator, self.changes)
        #: The bytes stored in the ``ftrack.server`` location.
        self.files = FileStore(files_dir or (f"{db}.files" if db and db != ":memory:" else None))
        #: Where signed upload URLs point (``None``: this sandbox). A real server's storage is
        #: another host; a test may put a proxy there (tests/support/faults.py).
        self.storage_url: Optional[str] = None
        self.actions = Actions(self.writer, lambda: self.url)
        with self.store.writing() as connection:
            fresh = connection.execute("SELECT COUNT(*) FROM _sandbox_credentials").fetchone()[0] == 0
            if fresh:
                connection.execute("BEGIN")
                apply_seed(self.writer, seed, api_key if fixed_keys else random_api_key)
                connection.execute("COMMIT")
            credentials = connection.execute(
                "SELECT username, api_key, readonly FROM _sandbox_credentials ORDER BY readonly, rowid"
            ).fetchall()
        self.api_user, self.api_key = credentials[0]["username"], credentials[0]["api_key"]
        readonly = [c for c in credentials if c["readonly"]]
        self.readonly_user = readonly[0]["username"] if readonly else None
        self.readonly_key = readonly[0]["api_key"] if readonly else None
        self._counter_lock = threading.Lock()
        # Reads take turns, one operation each (writes never wait for them): under the GIL, reads
        # running side by side only hand the interpreter to each other at every socket and SQLite
        # call, and eight clients then got fewer answers per second than one
        # (benchmarks/sandbox_throughput.py).
        self._read_turn = threading.Lock()
        self.request_count = 0
        self.operation_count = 0
        #: The client token of each recent request, oldest first (at most CLIENT_TOKENS_KEPT).
        self.client_tokens: List[Optional[str]] = []
        self.credentials = Credentials(self.store)
        self.events = EventServer(lambda user, key: self._authenticate(user, key)[0])
        self._httpd: Optional[SandboxHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://host:port`` of the running server."""
        if self._httpd is None:
            raise RuntimeError("The sandbox is not started.")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Sandbox:
        """Serve in a background thread (idempotent)."""
        if self._httpd is None:
            self._httpd = SandboxHTTPServer((self.host, self.port), handler_for(self), self.limits.listen_backlog)
            # a short poll interval: stop() (each test's teardown) returns in ~50 ms, not ~500 ms
            self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                            name="ftrack-sandbox", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the database (an in-memory sandbox's temporary file is removed)."""
        self.events.close()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        self.store.close()
        self.files.close()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def reset_counters(self) -> None:
        """Set the request and operation counts to 0 and forget the recorded client tokens."""
        with self._counter_lock:
            self.request_count = 0
            self.operation_count = 0
            self.client_tokens = []

    # -- calls ---------------------------------------------------------------------------
    def call(self, body: Union[bytes, Callable[[], bytes]], headers: Mapping[str, str]) -> Tuple[int, Any]:
        """Answer one ``/api`` request: ``(HTTP status, JSON body)``.

        ``body`` may be a callable that reads it: it is called only after the caller
        is authenticated from ``headers`` (and may raise :class:`SandboxError`).
        """
        lowered = {k.lower(): v for k, v in headers.items()}
        strict = lowered.get("ftrack-strict-api", "").strip().lower() == "true"
        with self._counter_lock:
            self.request_count += 1
            self.client_tokens.append(lowered.get("ftrack-clienttoken"))
            if len(self.client_tokens) > CLIENT_TOKENS_KEPT:  # a long-running sandbox: keep the recent half
                del self.client_tokens[:CLIENT_TOKENS_KEPT // 2]
        try:
            user_id, readonly = self._authenticate(lowered.get("ftrack-user"), lowered.get("ftrack-api-key"))
            raw = body() if callable(body) else body
            try:
                operations = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise SandboxError("ParseError", "The request body is not valid JSON.") from None
            except RecursionError:
                raise validation_error("The request body is nested too deeply.") from None
            if not isinstance(operations, list) or not all(isinstance(op, dict) for op in operations):
                raise validation_error("The request body must be a JSON array of operation objects.")
            if len(operations) > self.limits.max_operations:
                raise validation_error(
                    f"The batch holds {len(operations)} operations; this sandbox runs at most "
                    f"{self.limits.max_operations} per call. Split it (commit(chunk_size=...))."
                )
            with self._counter_lock:
                self.operation_count += len(operations)
            return 200, self.run_batch(operations, user_id, readonly, lowered.get("ftrack-clienttoken"))
        except SandboxError as error:
            index = getattr(error, "operation_index", None)
            return error.http_status or (error.status if strict else 200), error.to_json(index)

    def run_batch(self, operations: List[Dict[str, Any]], user_id: Optional[str], readonly: bool = False,
                  client_token: Optional[str] = None) -> List[Any]:
        """Run ``operations`` in one transaction: all applied, or none and the error raised.

        A batch that only reads (any batch of a read-only user) runs on its thread's read
        connection, in parallel with other batches; one that writes holds the write
        connection. After a commit that wrote anything, connected event hub clients get
        its ``ftrack.update``.
        """
        reads = all(operation.get("action") in READ_ACTIONS for operation in operations)
        if readonly or reads:
            # one query read by one SQL statement has its snapshot without a transaction around it
            alone = (reads and len(operations) == 1 and operations[0].get("action") == "query"
                     and self.evaluator.one_statement(operations[0].get("expression")))
            with self.store.reading(snapshot=not alone):
                return self._run(operations, user_id, readonly, reads)
        with self.store.writing() as connection:
            connection.execute("BEGIN IMMEDIATE")
            self.changes.begin(record=self.events.client_count > 0)
            self.writer.deleted = {}
            try:
                results = self._run(operations, user_id, readonly)
            except BaseException:
                connection.execute("ROLLBACK")
                self.changes.discard()
                raise
            connection.execute("COMMIT")
            update = self.changes.take(client_token, user_id)
            removed = self.writer.deleted.get("Component")
        if removed:
            self.files.remove(str(key) for key in removed)
        if update is not None:
            self.events.publish(update)
        return results

    def _run(self, operations: List[Dict[str, Any]], user_id: Optional[str], readonly: bool,
             reads: bool = False) -> List[Any]:
        """The answers of ``operations``, or the error of the first that fails (naming its index).

        ``reads``: every operation only reads (no clock, no required-attribute bookkeeping)."""
        results: List[Any] = []
        index = 0
        try:
            # a batch on a read connection (beside write batches) keeps no write bookkeeping; the
            # clock is read only if it may write (a read-only user's writes are refused below)
            now = "" if reads else utc_text(self.clock().replace(microsecond=0))  # a server clock ticks in seconds
            if reads or readonly:
                turn = self._read_turn
                for position, operation in enumerate(operations):
                    index = position
                    with turn:  # one operation per turn: a long batch lets other reads in between
                        results.append(self._operation(operation, user_id, readonly, now))
                return results
            required = self.writer.required  # shared: only a batch holding the write connection uses it
            required.begin()
            for position, operation in enumerate(operations):
                index = position
                results.append(self._operation(operation, user_id, readonly, now))
                required.operation_done(position)
            incomplete = required.settle()  # required attributes: as the batch ends
            if incomplete is not None:
                index, problem = incomplete
                raise problem
        except Exception as error:
            if not isinstance(error, SandboxError):
                error = _internal(error, operations[index])
            if len(operations) > 1:
                action = operations[index].get("action")
                error.content += (
                    f" (operation {index} of the batch, action {action!r}; nothing of the batch was applied)"
                )
            error.operation_index = index  # type: ignore[attr-defined]
            raise error from None
        return results

    def _operation(self, operation: Dict[str, Any], user_id: Optional[str], readonly: bool, now: str) -> Any:
        action = operation.get("action")
        if action in WRITE_ACTIONS and readonly:
            raise permission_error(
                f"Permission denied: the user may only read; {action} {operation.get('entity_type')!r} is not allowed."
            )
        if action == "query":
            return self.evaluator.query(operation.get("expression"))
        if action == "create":
            return self.writer.create(operation.get("entity_type"), operation.get("entity_data"), user_id, now)
        if action == "update":
            return self.writer.update(operation.get("entity_type"), operation.get("entity_key"),
                                      operation.get("entity_data"), user_id, now)
        if action == "delete":
            return self.writer.delete(operation.get("entity_type"), operation.get("entity_key"))
        if action == "query_schemas":
            return self.schema_json
        if action == "query_server_information":
            return dict(self.server_information)
        if action == "get_upload_metadata":
            return upload_metadata(operation, self.files, self.storage_url or self.url, self.uploads.path)
        if action == "complete_multipart_upload":
            return complete_multipart_upload(operation, self.files)
        if action == "encode_media":
            if readonly:
                raise permission_error("Permission denied: the user may only read; encode_media is not allowed.")
            return encode_media(operation, self.files,
                                lambda entity_type, data: self.writer.create(entity_type, data, user_id, now),
                                self.store.get, now, user_id)
        if action in self.actions:
            return self.actions.run(str(action), operation, user_id, readonly, now)
        raise validation_error(f"Unknown action {action!r}.")

    def component_request(self, endpoint: str, params: Mapping[str, str],
                          headers: Mapping[str, str]) -> Tuple[int, Any]:
        """``component/get``, ``component/thumbnail`` (``(200, file path)``) and ``component/remove``
        (``(200, {})``) for the caller named by ``username``/``apiKey`` (or the API headers);
        errors are ``(status, JSON error)``. The sandbox serves a thumbnail as the stored image
        itself (it does not resize)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            _, readonly = self._authenticate(params.get("username") or lowered.get("ftrack-user"),
                                             params.get("apiKey") or lowered.get("ftrack-api-key"))
        except SandboxError as error:
            return 401, error.to_json()
        component_id = params.get("id", "")
        if endpoint == "component/remove":
            if readonly:
                return 403, permission_error("Permission denied: the user may only read.").to_json()
            self.files.remove([component_id])
            return 200, {}
        path = self.files.path(component_id)
        if path is None:
            return 404, SandboxError("NotFound", f"No data is stored for component {component_id!r}.").to_json()
        return 200, path

    def _authenticate(self, username: Optional[str], api_key: Optional[str]) -> Tuple[Optional[str], bool]:
        return self.credentials.check(username, api_key)


def _now() -> datetime.datetime:
    return datetime.datetime.now(UTC)


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _internal(error: Exception, operation: Any) -> SandboxError:
    """What a client is told of an unexpected failure: no internals (they are logged here)."""
    if isinstance(error, sqlite3.IntegrityError):
        logger.info("sandbox: integrity error on %r: %s", operation, error)
        return SandboxError("ServerError", _CONFLICT)
    logger.error("sandbox: internal error on %r", operation, exc_info=error)
    return SandboxError("ServerError", _INTERNAL_ERROR)
