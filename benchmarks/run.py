"""Benchmarks: ftrack_orm side by side with the official ``ftrack-python-api``.

Run from the repository root::

    python -m benchmarks.run                 # the full run (about 20,000 Tasks; 3 repetitions)
    python -m benchmarks.run --quick         # a smoke run (under a minute)
    python -m benchmarks.run --repeat 5 --write-results   # and rewrite benchmarks/RESULTS.md
    python -m benchmarks.run --profile query # cProfile of ftrack_orm's side of one workload

Both clients, and the protocol floor (``FLOOR``: the same work with no object
mapper) for query, create and update, talk to the same canned server
(``benchmarks/canned_server.py``, in its own process, so its work does not share
this process's GIL), in the same run, rotating which goes first, with a fresh
session for every repetition. Each client's timed runs happen in a process of its
own (``ClientProcess``; ``--in-process`` runs them all here), so that what one
client leaves behind cannot slow another. Ratios are medians of ratios paired
within one repetition, so that load on the machine cancels out.
The official client is skipped when ``ftrack_api`` is not importable
(``pip install -e '.[bench]'``). Lazy loading runs on the project's sandbox when
it is importable (it evaluates real ``where id in (...)`` queries), otherwise
on the canned server, whose criteria support covers ``id is`` / ``id in``.

The ftrack_orm side of every workload is one small function in ``ORM`` below,
the official side one in ``OFFICIAL``: each is what an application would write.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import json
import multiprocessing
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.parse
import urllib.request
import uuid
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.canned_server import BENCH_QUERY  # noqa: E402

#: The brief's own example query: the narrowest realistic load (memory is also measured on it).
NARROW_QUERY = "select name, parent.name, status.name from Task"

try:  # the official client is optional
    import ftrack_api  # type: ignore[import-not-found]
except Exception as exc:  # pragma: no cover - depends on the environment
    ftrack_api = None
    OFFICIAL_IMPORT_ERROR: Optional[str] = f"{type(exc).__name__}: {exc}"
else:
    OFFICIAL_IMPORT_ERROR = None

import ftrack_orm  # noqa: E402

USER, KEY = "bench.user", "bench-api-key"


class Unsupported(Exception):
    """The client lacks a feature this workload needs (reported in the table, not a crash)."""


# ---------------------------------------------------------------------------------------------
# Sizes
# ---------------------------------------------------------------------------------------------
class Sizes:
    def __init__(self, quick: bool) -> None:
        self.tasks = 2000 if quick else 20000
        self.page_size = 500 if quick else 5000
        self.create = 500 if quick else 5000
        self.update = 500 if quick else 5000
        self.lazy = 100 if quick else 1000
        self.memory = 2000 if quick else 5000


# ---------------------------------------------------------------------------------------------
# The canned server, in a child process
# ---------------------------------------------------------------------------------------------
class CannedServer:
    process: Optional[subprocess.Popen[str]]

    def __init__(self, tasks: int, page_size: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "canned_server.py"), "--tasks", str(tasks),
             "--page-size", str(page_size)],
            stdout=subprocess.PIPE, text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            self.process.kill()
            raise RuntimeError(f"canned server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=60) as response:
            return response.read()

    def stats(self) -> Dict[str, Any]:
        return json.loads(self.get("/_stats"))

    def page(self, offset: int, limit: int, expression: str = BENCH_QUERY) -> bytes:
        query = urllib.parse.urlencode({"offset": offset, "limit": limit, "expression": expression})
        return self.get(f"/_page?{query}")

    def shot_id(self) -> str:
        return json.loads(self.get("/_shot"))["id"]

    @classmethod
    def at(cls, url: str) -> CannedServer:
        """The server another process started, reached at ``url`` (closing it is that process's job)."""
        server = cls.__new__(cls)
        server.process, server.url = None, url
        return server

    def close(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()


# ---------------------------------------------------------------------------------------------
# ftrack_orm side
# ---------------------------------------------------------------------------------------------
def _get(obj: Any, name: str) -> Any:
    """Attribute read that works on entities (attribute access) and on plain dicts (seed API)."""
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _set(obj: Any, name: str, value: Any) -> None:
    if isinstance(obj, dict):
        raise Unsupported("query results are plain dicts: entity objects (attribute assignment) not wired in")
    setattr(obj, name, value)


def _commit(session: Any) -> None:
    commit = getattr(session, "commit", None)
    if commit is None:
        raise Unsupported("Session has no commit(): the unit of work is not wired in")
    commit()


class ORM:
    name = "ftrack_orm"

    @staticmethod
    def session(url: str, cache: Any = False, user: str = USER, key: str = KEY) -> Any:
        return ftrack_orm.Session(url, user, key, schema_cache=cache)

    @staticmethod
    def ready(session: Any) -> None:
        """Everything a first use needs: server information and schemas (classes build on first use)."""
        session.schemas  # noqa: B018 - loads them

    @staticmethod
    def query(session: Any, expression: str, page_size: int) -> List[Any]:
        return session.query(expression, page_size=page_size).all()

    @staticmethod
    def read(rows: List[Any]) -> int:
        total = 0
        for row in rows:
            total += len(_get(row, "name")) + len(_get(_get(row, "parent"), "name"))
        return total

    @staticmethod
    def shot(session: Any, shot_id: str) -> Any:
        return session.query(f'Shot where id is "{shot_id}"').one()

    @staticmethod
    def create(session: Any, shot: Any, count: int) -> None:
        if isinstance(shot, dict) or not hasattr(session, "commit"):
            raise Unsupported("no unit of work yet: session.create() sends at once and there is no commit()")
        create = session.create
        for index in range(count):
            create("Task", {"name": f"new_{index:05d}", "parent": shot})
        _commit(session)

    @staticmethod
    def update(session: Any, rows: List[Any]) -> None:
        for row in rows:
            _set(row, "name", _get(row, "name") + "_v2")
        _commit(session)

    @staticmethod
    def lazy(rows: List[Any]) -> int:
        return sum(len(_get(_get(row, "parent"), "name")) for row in rows)

    @staticmethod
    def close(session: Any) -> None:
        session.close()


# ---------------------------------------------------------------------------------------------
# ftrack-python-api side (its public API only)
# ---------------------------------------------------------------------------------------------
class OFFICIAL:
    name = "ftrack-python-api"

    @staticmethod
    def session(url: str, cache: Any = False, user: str = USER, key: str = KEY) -> Any:
        return ftrack_api.Session(server_url=url, api_key=key, api_user=user, auto_connect_event_hub=False,
                                  schema_cache_path=cache)

    @staticmethod
    def ready(session: Any) -> None:
        pass  # the constructor loads server information and schemas and builds the classes

    @staticmethod
    def query(session: Any, expression: str, page_size: int) -> List[Any]:
        return session.query(expression, page_size=page_size).all()

    @staticmethod
    def read(rows: List[Any]) -> int:
        total = 0
        for row in rows:
            total += len(row["name"]) + len(row["parent"]["name"])
        return total

    @staticmethod
    def shot(session: Any, shot_id: str) -> Any:
        return session.query(f'Shot where id is "{shot_id}"').one()

    @staticmethod
    def create(session: Any, shot: Any, count: int) -> None:
        for index in range(count):
            session.create("Task", {"name": f"new_{index:05d}", "parent": shot})
        session.commit()

    @staticmethod
    def update(session: Any, rows: List[Any]) -> None:
        for row in rows:
            row["name"] = row["name"] + "_v2"
        session.commit()

    @staticmethod
    def lazy(rows: List[Any]) -> int:
        return sum(len(row["parent"]["name"]) for row in rows)

    @staticmethod
    def close(session: Any) -> None:
        session.close()


# ---------------------------------------------------------------------------------------------
# The protocol floor: the same work with no object mapper at all
# ---------------------------------------------------------------------------------------------
_UTC = __import__("datetime").timezone.utc
_fromiso = __import__("datetime").datetime.fromisoformat


def _wire_hook(obj: Dict[str, Any]) -> Any:
    """The least a client must do to a JSON object of the ftrack wire format: datetimes."""
    if obj.get("__type__") == "datetime":
        return _fromiso(obj["value"]).replace(tzinfo=_UTC)
    return obj


class FloorSession:
    """A pooled HTTP connection and the request headers: all the floor keeps."""

    def __init__(self, url: str, user: str, key: str) -> None:
        import requests

        self.http = requests.Session()
        self.url = url + "/api"
        self.headers = {"ftrack-user": user, "ftrack-api-key": key, "Content-Type": "application/json",
                        "Accept": "application/json"}

    def call(self, body: bytes) -> Any:
        return json.loads(self.http.post(self.url, data=body, headers=self.headers).content, object_hook=_wire_hook)


FLOOR_WORKLOADS = ("query", "create", "update")


class FLOOR:
    """Prebuilt operation dicts, ``json.dumps``, POST, ``json.loads`` with the datetime hook."""

    name = "protocol floor"

    @staticmethod
    def session(url: str, cache: Any = False, user: str = USER, key: str = KEY) -> Any:
        return FloorSession(url, user, key)

    @staticmethod
    def ready(session: Any) -> None:
        pass  # the floor needs no schemas

    @staticmethod
    def query(session: Any, expression: str, page_size: int) -> List[Any]:
        rows: List[Any] = []
        if " limit " in expression:  # one page, as asked
            return list(session.call(json.dumps([{"action": "query", "expression": expression}]).encode())[0]["data"])
        offset: Optional[int] = 0
        while offset is not None:
            body = json.dumps([{"action": "query",
                                "expression": f"{expression} offset {offset} limit {page_size}"}]).encode()
            page = session.call(body)[0]
            rows.extend(page["data"])
            offset = (page.get("metadata") or {}).get("next", {}).get("offset")
        return rows

    @staticmethod
    def read(rows: List[Any]) -> int:
        total = 0
        for row in rows:
            total += len(row["name"]) + len(row["parent"]["name"])
        return total

    @staticmethod
    def shot(session: Any, shot_id: str) -> Any:
        return {"__entity_type__": "Shot", "id": shot_id}

    @staticmethod
    def prepare_create(session: Any, shot: Any, count: int) -> Any:
        return [{"action": "create", "entity_type": "Task",
                 "entity_data": {"__entity_type__": "Task", "id": str(uuid.uuid4()), "name": f"new_{index:05d}",
                                 "parent_id": shot["id"]}} for index in range(count)]

    @staticmethod
    def create(session: Any, shot: Any, count: int, prepared: Any = None) -> None:
        session.call(json.dumps(prepared).encode())

    @staticmethod
    def prepare_update(session: Any, rows: List[Any]) -> Any:
        return [{"action": "update", "entity_type": "Task", "entity_key": [row["id"]],
                 "entity_data": {"name": row["name"] + "_v2"}} for row in rows]

    @staticmethod
    def update(session: Any, rows: List[Any], prepared: Any = None) -> None:
        session.call(json.dumps(prepared).encode())

    @staticmethod
    def close(session: Any) -> None:
        session.http.close()


# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------
class Outcome:
    """Timings of one client on one workload, or why it could not run."""

    def __init__(self) -> None:
        self.seconds: List[float] = []
        self.cpu_seconds: List[float] = []  # the client process's CPU time (the server runs in another)
        self.requests: List[int] = []
        self.server_seconds: List[float] = []
        self.error: Optional[str] = None
        self.value: Optional[float] = None  # a non-time result (memory bytes, request count)

    def extend(self, other: Outcome) -> None:
        """Add the runs of ``other`` (one repetition, perhaps from a client's own process)."""
        self.seconds += other.seconds
        self.cpu_seconds += other.cpu_seconds
        self.requests += other.requests
        self.server_seconds += other.server_seconds
        self.error = self.error or other.error

    @property
    def median(self) -> Optional[float]:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def cpu_median(self) -> Optional[float]:
        return statistics.median(self.cpu_seconds) if self.cpu_seconds else None

    @property
    def net_median(self) -> Optional[float]:
        """Median of the client's own time: wall time less the canned server's handling time."""
        if not self.seconds or len(self.server_seconds) != len(self.seconds):
            return None
        return statistics.median(wall - server for wall, server in zip(self.seconds, self.server_seconds))


Setup = Callable[[Any], Any]
CLIENTS = {client.name: client for client in (ORM, OFFICIAL, FLOOR)}


class ClientProcess:
    """One client's timed runs in a process of its own, started once for the whole run.

    The runs stay interleaved with the other clients' as before; only the heap is apart.
    Measured in one process, ftrack_orm's query ran about 100 ms (25-30 %) slower right after
    the official client had loaded 20,000 Tasks there and been closed, the floor about 30 ms:
    one client's leftovers (a fragmented heap, module-level state) must not weigh on another's
    figures. Each process runs ``Bench.run_once``, the same code as ``--in-process``.
    """

    def __init__(self, client: Any, args: argparse.Namespace, url: str, shot_id: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve_client, args=(child, client.name, args, url, shot_id),
                                       daemon=True)
        self.process.start()
        child.close()

    def run_once(self, workload: str, quiet: bool) -> Outcome:
        self.connection.send((workload, quiet))
        outcome: Outcome = self.connection.recv()
        return outcome

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(30)
        if self.process.is_alive():
            self.process.kill()


def _serve_client(connection: Any, name: str, args: argparse.Namespace, url: str, shot_id: str) -> None:
    """A client process's loop: run the asked workload once, answer its Outcome; None ends it."""
    bench = Bench(args)
    bench.server, bench.shot_id = CannedServer.at(url), shot_id
    try:
        for request in iter(connection.recv, None):
            workload, quiet = request
            connection.send(bench.run_once(CLIENTS[name], workload, quiet))
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sizes = Sizes(args.quick)
        self.clients: List[Any] = [ORM]
        if ftrack_api is not None and not args.no_official:
            self.clients.append(OFFICIAL)
        self.results: Dict[str, Dict[str, Outcome]] = {}
        self.notes: List[str] = []
        self.server: Optional[CannedServer] = None
        self.processes: Dict[str, ClientProcess] = {}
        self.tmp = tempfile.mkdtemp(prefix="ftrack-bench-")

    # -- helpers ---------------------------------------------------------------------------
    def log(self, text: str) -> None:
        if not self.args.quiet:
            print(text, file=sys.stderr, flush=True)

    def outcome(self, workload: str, client: Any) -> Outcome:
        return self.results.setdefault(workload, {}).setdefault(client.name, Outcome())

    def order(self, repetition: int, workload: str = "") -> List[Any]:
        """The clients of one repetition, rotated so that each goes first in turn; the protocol
        floor runs beside them for the workloads it can do (query, create, update)."""
        clients = ([FLOOR] if workload in FLOOR_WORKLOADS else []) + self.clients
        shift = repetition % len(clients)
        return clients[shift:] + clients[:shift]

    def warm_session(self, client: Any, url: Optional[str] = None) -> Any:
        session = client.session(url or self.url, False)
        client.ready(session)
        return session

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def timed(self, workload: str, client: Any, setup: Callable[[], Any], body: Callable[[Any], Any],
              teardown: Callable[[Any], None]) -> None:
        """setup() untimed, body(state) timed (server requests counted), teardown(state) untimed."""
        outcome = self.outcome(workload, client)
        if outcome.error:
            return
        try:
            state = setup()
        except Unsupported as exc:
            outcome.error = str(exc)
            return
        try:
            gc.collect()
            before = self.server.stats() if self.server else None
            cpu_started = time.process_time()
            started = time.perf_counter()
            if self.args.profile == workload and client is ORM:
                profiler = cProfile.Profile()
                profiler.enable()
                try:
                    body(state)
                finally:
                    profiler.disable()
                    elapsed = time.perf_counter() - started
                    self.print_profile(workload, profiler)
            else:
                body(state)
                elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            after = self.server.stats() if self.server else None
        except Unsupported as exc:
            outcome.error = str(exc)
            return
        except Exception as exc:  # a failing client must not stop the other's numbers
            outcome.error = f"{type(exc).__name__}: {str(exc)[:200]}"
            self.log(f"  {client.name} {workload}: FAILED {outcome.error}")
            return
        finally:
            with contextlib.suppress(Exception):
                teardown(state)
        outcome.seconds.append(elapsed)
        outcome.cpu_seconds.append(cpu)
        if before is not None and after is not None:
            outcome.requests.append(after["requests"] - before["requests"])
            outcome.server_seconds.append(after["server_seconds"] - before["server_seconds"])
        self.log(f"  {client.name:18s} {workload:12s} {elapsed * 1000:9.1f} ms"
                 + (f"  ({outcome.requests[-1]} requests)" if outcome.requests else ""))

    def print_profile(self, workload: str, profiler: cProfile.Profile) -> None:
        for key in ("cumulative", "tottime"):
            stream = io.StringIO()
            pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats(key).print_stats(self.args.profile_lines)
            print(f"\n--- cProfile of ftrack_orm, workload {workload!r}, sorted by {key} ---", file=sys.stderr)
            print(stream.getvalue(), file=sys.stderr)

    def selected(self, workload: str) -> bool:
        return not self.args.only or workload in self.args.only

    # -- workloads -------------------------------------------------------------------------
    def run(self) -> None:
        sizes = self.sizes
        self.log(f"starting the canned server ({sizes.tasks} Tasks, pages of {sizes.page_size}) ...")
        self.server = CannedServer(sizes.tasks, sizes.page_size)
        try:
            self.shot_id = self.server.shot_id()
            self.measure_payload()
            timed = [workload for workload in ("start_cold", "start_warm", "query", "create", "update")
                     if self.selected(workload)]
            if timed and not self.args.in_process:
                for client in [FLOOR] + self.clients:
                    self.processes[client.name] = ClientProcess(client, self.args, self.url, self.shot_id)
            for workload in timed:
                self.log(f"{workload}:")
                self.warm_up(workload)
                for repetition in range(self.args.repeat):
                    for client in self.order(repetition, workload):
                        if not self.outcome(workload, client).error:
                            self.outcome(workload, client).extend(self.run_once(client, workload,
                                                                                self.args.quiet))
            self.close_processes()  # before lazy and memory, which run here
            if self.selected("lazy"):
                self.lazy()
            if self.selected("memory"):
                self.memory()
        finally:
            self.close_processes()
            self.server.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def close_processes(self) -> None:
        """End the clients' processes (the runs after them happen in this one)."""
        while self.processes:
            self.processes.popitem()[1].close()

    def run_once(self, client: Any, workload: str, quiet: bool) -> Outcome:
        """One timed run of ``workload`` by ``client`` (in its own process when it has one)."""
        process = self.processes.get(client.name)
        if process is not None:
            return process.run_once(workload, quiet)
        results = self.results.setdefault(workload, {})
        kept = results.pop(client.name, None)  # the runs so far, when every client runs here
        loud, self.args.quiet = self.args.quiet, quiet
        try:
            getattr(self, workload)(client, workload)
        finally:
            self.args.quiet = loud
            run = results.pop(client.name, Outcome())
            if kept is not None:
                results[client.name] = kept
        return run

    def warm_up(self, workload: str) -> None:
        """One untimed round per client (imports, caches, code paths), not recorded."""
        if self.args.quick or workload.startswith("start"):
            return
        for client in self.order(0, workload):
            error = self.run_once(client, workload, quiet=True).error
            if error:
                self.outcome(workload, client).error = error

    def measure_payload(self) -> None:
        sizes = self.sizes
        pages = [self.server.page(offset, sizes.page_size) for offset in range(0, sizes.tasks, sizes.page_size)]
        self.page_bytes = sum(len(page) for page in pages)

    def start_cold(self, client: Any, workload: str) -> None:
        def setup() -> str:
            return tempfile.mkdtemp(dir=self.tmp)

        self.timed(workload, client, setup, lambda cache: self._start(client, cache), lambda cache: None)

    def start_warm(self, client: Any, workload: str) -> None:
        def setup() -> str:
            cache = tempfile.mkdtemp(dir=self.tmp)
            session = client.session(self.url, cache)
            client.ready(session)
            client.close(session)
            return cache

        self.timed(workload, client, setup, lambda cache: self._start(client, cache), lambda cache: None)

    def _start(self, client: Any, cache: str) -> None:
        session = client.session(self.url, cache)
        client.ready(session)
        client.close(session)

    def query(self, client: Any, workload: str) -> None:
        page_size = self.sizes.page_size

        def body(session: Any) -> None:
            rows = client.query(session, BENCH_QUERY, page_size)
            client.read(rows)
            if len(rows) != self.sizes.tasks:
                raise RuntimeError(f"expected {self.sizes.tasks} rows, got {len(rows)}")

        self.timed(workload, client, lambda: self.warm_session(client), body, client.close)

    def create(self, client: Any, workload: str) -> None:
        count = self.sizes.create

        def setup() -> Tuple[Any, Any, Any]:
            session = self.warm_session(client)
            shot = client.shot(session, self.shot_id)
            prepare = getattr(client, "prepare_create", None)
            return session, shot, prepare(session, shot, count) if prepare else None

        def body(state: Tuple[Any, Any, Any]) -> None:
            if state[2] is None:
                client.create(state[0], state[1], count)
            else:
                client.create(state[0], state[1], count, state[2])

        self.timed(workload, client, setup, body, lambda state: client.close(state[0]))

    def update(self, client: Any, workload: str) -> None:
        count = self.sizes.update

        def setup() -> Tuple[Any, List[Any], Any]:
            session = self.warm_session(client)
            rows = client.query(session, f"select name from Task limit {count}", self.sizes.page_size)
            prepare = getattr(client, "prepare_update", None)
            return session, rows, prepare(session, rows) if prepare else None

        def body(state: Tuple[Any, List[Any], Any]) -> None:
            if state[2] is None:
                client.update(state[0], state[1])
            else:
                client.update(state[0], state[1], state[2])

        self.timed(workload, client, setup, body, lambda state: client.close(state[0]))

    # -- lazy loading: request counts --------------------------------------------------------
    @contextlib.contextmanager
    def lazy_server(self) -> Iterator[Tuple[str, str, str, Callable[[], int], str]]:
        """(url, user, key, request counter, description): the sandbox when available, else the canned server."""
        if not self.args.lazy_on_canned:
            try:
                from ftrack_orm.sandbox import Sandbox  # type: ignore[attr-defined]
            except Exception as exc:
                self.notes.append(f"lazy loading ran on the canned server: sandbox not importable ({exc})")
            else:
                with Sandbox(seed="demo") as sandbox:
                    self.fill_sandbox(sandbox, self.sizes.lazy)
                    yield (sandbox.url, sandbox.api_user, sandbox.api_key, lambda: sandbox.request_count,
                           "sandbox (seed demo)")
                return
        server = self.server
        assert server is not None
        yield server.url, USER, KEY, lambda: server.stats()["requests"], "canned server"

    @staticmethod
    def fill_sandbox(sandbox: Any, tasks: int) -> None:
        """Add Tasks (spread over the demo Shots) until the sandbox has ``tasks``: one batch, raw HTTP."""

        def call(operations: List[Dict[str, Any]]) -> Any:
            request = urllib.request.Request(
                sandbox.url + "/api", data=json.dumps(operations).encode(), method="POST",
                headers={"ftrack-user": sandbox.api_user, "ftrack-api-key": sandbox.api_key,
                         "Content-Type": "application/json", "Accept": "application/json"})
            with urllib.request.urlopen(request, timeout=120) as response:
                answer = json.loads(response.read())
            if isinstance(answer, dict):
                raise RuntimeError(f"sandbox refused the fill: {answer}")
            return answer

        existing = call([{"action": "query", "expression": "select parent_id, type_id, status_id from Task"}])[0]["data"]
        missing = tasks - len(existing)
        if missing > 0 and existing:
            call([{"action": "create", "entity_type": "Task", "entity_data": {
                "__entity_type__": "Task", "name": f"bench_{index:05d}", "parent_id": source["parent_id"],
                "type_id": source["type_id"], "status_id": source["status_id"]}}
                for index, source in ((index, existing[index % len(existing)]) for index in range(missing))])

    def lazy(self) -> None:
        self.log("lazy:")
        with self.lazy_server() as (url, user, key, count, where):
            self.lazy_where = where
            # Request counts are deterministic: one repetition (the sandbox is slow per request).
            for repetition in range(1):
                for client in self.order(repetition):
                    outcome = self.outcome("lazy", client)
                    if outcome.error:
                        continue
                    try:
                        session = client.session(url, False, user, key)
                        client.ready(session)
                        rows = client.query(session, f"select name from Task limit {self.sizes.lazy}", 500)
                        if len(rows) < self.sizes.lazy:
                            self.notes.append(f"lazy loading: only {len(rows)} Tasks on the {where}")
                        gc.collect()
                        before = count()
                        started = time.perf_counter()
                        client.lazy(rows)
                        elapsed = time.perf_counter() - started
                        outcome.requests.append(count() - before)
                        outcome.seconds.append(elapsed)
                        client.close(session)
                    except Unsupported as exc:
                        outcome.error = str(exc)
                    except Exception as exc:
                        outcome.error = f"{type(exc).__name__}: {str(exc)[:200]}"
                    self.log(f"  {client.name:18s} lazy         "
                             + (outcome.error or f"{elapsed * 1000:9.1f} ms  ({outcome.requests[-1]} requests "
                                                 f"for {len(rows)} rows)"))

    # -- memory ------------------------------------------------------------------------------
    def memory(self) -> None:
        self.memory_of("memory", BENCH_QUERY)
        self.memory_of("memory_narrow", NARROW_QUERY)

    def memory_of(self, workload: str, expression: str) -> None:
        self.log(f"{workload}:")
        count = self.sizes.memory
        for client in self.clients:
            outcome = self.outcome(workload, client)
            try:
                session = self.warm_session(client)
                client.read(client.query(session, f"{expression} limit 1", 500))  # warm classes/caches
                gc.collect()
                tracemalloc.start()
                rows = client.query(session, f"{expression} limit {count}", self.sizes.page_size)
                client.read(rows)
                gc.collect()
                retained, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                outcome.value = retained / len(rows)
                outcome.requests.append(peak)
                self.log(f"  {client.name:18s} {workload:12s} {outcome.value:9.0f} B per Task "
                         f"({len(rows)} Tasks with parent and status, peak {peak / 2**20:.1f} MiB)")
                del rows
                client.close(session)
            except Unsupported as exc:
                outcome.error = str(exc)
            except Exception as exc:
                outcome.error = f"{type(exc).__name__}: {str(exc)[:200]}"
            finally:
                if tracemalloc.is_tracing():
                    tracemalloc.stop()

    # -- report ------------------------------------------------------------------------------
    def table(self) -> str:
        sizes = self.sizes
        orm, off = ORM.name, OFFICIAL.name
        labels = {
            "start_cold": "session start, cold (no schema cache)",
            "start_warm": "session start, warm schema cache",
            "query": f"query + read {sizes.tasks:,} Tasks (parent, status; pages of {sizes.page_size:,})",
            "create": f"create {sizes.create:,} Tasks under one Shot + commit",
            "update": f"update 1 attribute of {sizes.update:,} Tasks + commit",
            "lazy": f"lazy `task.parent.name` over {sizes.lazy:,} results",
            "memory": "memory retained per loaded Task, 10 attributes + parent + status (tracemalloc)",
            "memory_narrow": "memory retained per loaded Task, `select name, parent.name, status.name`",
        }
        lines = [
            f"| workload | {orm} | {off} | protocol floor | {orm} ÷ floor (wall; client CPU) "
            f"| {off} ÷ {orm} | target | met |",
            "|---|---:|---:|---:|---:|---:|---|:-:|",
        ]
        for workload, label in labels.items():
            if workload not in self.results:
                continue
            ours = self.results[workload].get(orm, Outcome())
            theirs = self.results[workload].get(off)
            if workload == "lazy":
                lines.append(self._lazy_row(label, ours, theirs))
            elif workload.startswith("memory"):
                lines.append(self._memory_row(label, ours, theirs))
            else:
                lines.append(self._time_row(workload, label, ours, theirs))
        return "\n".join(lines)

    @staticmethod
    def _ms(outcome: Optional[Outcome]) -> str:
        if outcome is None:
            return "not run"
        if outcome.error:
            return "n/a"
        median = outcome.median
        if median is None:
            return "n/a"
        text = f"{median * 1000:,.1f} ms" if median < 10 else f"{median:,.2f} s"
        if outcome.requests:
            text += f" ({statistics.median(outcome.requests):.0f} req)"
        return text

    @staticmethod
    def paired(ours: Outcome, base: Optional[Outcome], cpu: bool = False) -> Optional[float]:
        """Median over repetitions of ours ÷ base measured in the same repetition."""
        if base is None or ours.error or base.error:
            return None
        mine, theirs = (ours.cpu_seconds, base.cpu_seconds) if cpu else (ours.seconds, base.seconds)
        pairs = [a / b for a, b in zip(mine, theirs) if b > 0]
        return statistics.median(pairs) if pairs else None

    def _time_row(self, workload: str, label: str, ours: Outcome, theirs: Optional[Outcome]) -> str:
        floor = self.results.get(workload, {}).get(FLOOR.name)
        within = self.paired(ours, floor)
        within_cpu = self.paired(ours, floor, cpu=True)
        faster = self.paired(theirs, ours) if theirs is not None else None
        targets = {"query": 1.25, "create": 1.3, "update": 1.3}
        target = f"≤ {targets[workload]}× floor" if workload in targets else "–"
        met = "–"
        if workload in targets:
            met = self._verdict([within is not None and within <= targets[workload]], ours)
        within_text = "–" if within is None else f"{within:.2f}×" + (
            f"; {within_cpu:.2f}×" if within_cpu is not None else "")
        return (f"| {label} | {self._ms(ours)} | {self._ms(theirs)} | {self._ms(floor)} | {within_text} | "
                f"{f'{faster:.1f}×' if faster else '–'} | {target} | {met} |")

    @staticmethod
    def _verdict(checks: List[bool], ours: Outcome, extra: Optional[List[str]] = None) -> str:
        if ours.error or ours.median is None:
            return "✗ (not measurable)"
        text = "✓" if all(checks) else "✗"
        return f"{text} ({', '.join(extra)})" if extra else text

    def _lazy_row(self, label: str, ours: Outcome, theirs: Optional[Outcome]) -> str:
        def cell(outcome: Optional[Outcome]) -> str:
            if outcome is None:
                return "not run"
            if outcome.error or not outcome.requests:
                return "n/a"
            return f"{max(outcome.requests)} req, {outcome.median * 1000:,.1f} ms"

        met = "✗ (not measurable)" if ours.error or not ours.requests else (
            "✓" if max(ours.requests) <= 2 else "✗")
        return (f"| {label} ({getattr(self, 'lazy_where', '')}) | {cell(ours)} | {cell(theirs)} | – | – | – | "
                f"≤ 2 extra requests | {met} |")

    def _memory_row(self, label: str, ours: Outcome, theirs: Optional[Outcome]) -> str:
        def cell(outcome: Optional[Outcome]) -> str:
            if outcome is None:
                return "not run"
            if outcome.error or outcome.value is None:
                return "n/a"
            return f"{outcome.value:,.0f} B"

        ratio = (theirs.value / ours.value) if theirs is not None and theirs.value and ours.value else None
        met = "✗ (not measurable)" if ours.value is None else ("✓" if ours.value <= 1024 else "✗")
        return (f"| {label} | {cell(ours)} | {cell(theirs)} | – | – | {f'{ratio:.1f}×' if ratio else '–'} | "
                f"≤ 1 KB | {met} |")

    def errors(self) -> List[str]:
        out = []
        for workload, outcomes in self.results.items():
            for name, outcome in outcomes.items():
                if outcome.error:
                    out.append(f"{name} / {workload}: {outcome.error}")
        return out

    def machine(self) -> str:
        cpu = "unknown"
        with contextlib.suppress(OSError):
            with open("/proc/cpuinfo", encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("model name"):
                        cpu = line.split(":", 1)[1].strip()
                        break
        official = getattr(ftrack_api, "__version__", "?") if ftrack_api is not None else \
            f"not installed ({OFFICIAL_IMPORT_ERROR})"
        revision = "?"
        with contextlib.suppress(Exception):
            revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                      text=True, check=True).stdout.strip()
            dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "ftrack_orm"],
                                   cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
            if dirty:
                revision += " + uncommitted changes in ftrack_orm/"
        return (f"{os.cpu_count()} CPUs (nproc), {cpu}; Python {platform.python_version()} "
                f"({platform.python_implementation()}) on {platform.system()} {platform.release()}; "
                f"ftrack_orm {ftrack_orm.__version__} (git {revision}), ftrack-python-api {official}")

    def report(self) -> str:
        lines = [
            self.table(),
            "",
            f"Machine: {self.machine()}.",
            f"Medians of {self.args.repeat} repetition(s); in each repetition every client runs once, "
            "the first one rotating, each client in a process of its own"
            + (" (here all in one, `--in-process`)" if self.args.in_process else "")
            + "; ratios are medians of the ratios paired within a repetition. "
            f"Query payload {self.page_bytes / 2**20:.1f} MiB. The protocol floor does the same work with no "
            "object mapper: prebuilt operation dicts, `json.dumps`, POST on a pooled `requests` session, "
            "`json.loads` with the wire format's datetime hook, and dict reads. Client CPU = the client "
            "process's CPU time (the server runs in another process). (N req) = HTTP requests in the timed part.",
        ]
        shares = []
        for workload in ("query", "create", "update"):
            outcome = self.results.get(workload, {}).get(ORM.name)
            if outcome is not None and outcome.server_seconds and not outcome.error:
                shares.append(f"{workload} {statistics.median(outcome.server_seconds) * 1000:.1f} ms")
        if shares:
            lines.append("The canned server's own handling time inside ftrack_orm's timings (median): "
                         + ", ".join(shares) + " (parsing and echoing a batch of writes is real work).")
        lazy = self.results.get("lazy", {}).get(OFFICIAL.name)
        if lazy is not None and lazy.requests and lazy.seconds and max(lazy.requests):
            lines.append(f"Lazy loading: the {getattr(self, 'lazy_where', 'server')} took "
                         f"{lazy.seconds[0] / max(lazy.requests) * 1000:.1f} ms per request of the official client.")
        for note in self.notes:
            lines.append(f"Note: {note}.")
        for error in self.errors():
            lines.append(f"Not measured: {error}.")
        return "\n".join(lines)


RESULTS_HEADER = """# Benchmark results

Produced by `python -m benchmarks.run --write-results` (see `benchmarks/run.py`):
ftrack_orm, the official `ftrack-python-api` and the protocol floor (the same work
with no object mapper), same canned loopback server, same run, interleaved, fresh
session per repetition; ratios are medians of ratios paired within a repetition.

"""


README_BEGIN, README_END = "<!-- benchmarks:begin", "<!-- benchmarks:end -->"


def write_readme_table(report: str) -> None:
    """Put ``report`` (the table and its notes) in README.md between the benchmark markers."""
    path = os.path.join(ROOT, "README.md")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    start, end = text.find(README_BEGIN), text.find(README_END)
    if start < 0 or end < start:
        raise SystemExit(f"README.md has no {README_BEGIN} ... {README_END} section to write the table into")
    start = text.index("\n", start) + 1
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text[:start] + report.rstrip("\n") + "\n" + text[end:])


RESULTS_NOTES = """
What is measured (ftrack_orm's side is `ORM` in `benchmarks/run.py`, the official client's `OFFICIAL`):

- **session start**: constructing a session until it has the server information and the
  schemas (ftrack_orm loads them in one batched call, at first need, and builds entity
  classes lazily per type; ftrack-python-api loads them in its constructor). Cold = an
  empty schema cache directory, warm = one filled by a previous start. Imports excluded.
- **query**: `session.query("select name, description, bid, start_date, end_date,
  created_at, type_id, status_id, parent_id, parent.name, status.name from Task",
  page_size=5000).all()`, then reading `name` and `parent.name` of every Task. Parents are
  Shots (9 in 10) or Sequences; 6 Statuses. The protocol floor posts the same 4 page queries
  and decodes them with the datetime hook.
- **create**: `session.create("Task", {"name": ..., "parent": shot})` × 5,000, then
  `session.commit()` (one batched call for both clients). The canned server echoes every
  created entity as a server does, which costs it ~35 ms (decode the 2 MB request, encode
  the answer): the "net of server time" ratio leaves that out.
- **update**: `task.name = ...` (`task["name"] = ...`) on 5,000 loaded Tasks, then commit.
- **lazy**: 1,000 Tasks loaded with `select name`, then `task.parent.name` on each, on the
  project's sandbox (real `where id in (...)` evaluation; the benchmark first adds Tasks to
  its demo seed, spread over its 10 Shots). The request count is the measure; the times
  shown are dominated by the sandbox's own time per request (SQLite, in this process).
- **memory**: `tracemalloc` bytes still allocated, after `gc.collect()`, per loaded Task
  (its share of the parents and statuses included), for 5,000 Tasks kept alive with their
  session; once with the query above, once with `select name, parent.name, status.name`.
"""


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="ftrack_orm vs ftrack-python-api benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition: a smoke run")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions per workload (default 3; 1 with --quick)")
    parser.add_argument("--only", nargs="*", choices=["start_cold", "start_warm", "query", "create", "update",
                                                       "lazy", "memory"], help="run only these workloads")
    parser.add_argument("--no-official", action="store_true", help="do not run ftrack-python-api")
    parser.add_argument("--lazy-on-canned", action="store_true", help="lazy loading on the canned server, "
                        "not the sandbox")
    parser.add_argument("--profile", choices=["start_cold", "start_warm", "query", "create", "update"],
                        help="print a cProfile of ftrack_orm's side of this workload")
    parser.add_argument("--profile-lines", type=int, default=25)
    parser.add_argument("--write-results", action="store_true",
                        help="write benchmarks/RESULTS.md and the same table into README.md")
    parser.add_argument("--json", help="also write the raw numbers to this JSON file")
    parser.add_argument("--in-process", action="store_true",
                        help="run every client in this process (by default each has a process of its own)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    bench = Bench(args)
    if ftrack_api is None and not args.no_official:
        bench.notes.append(f"ftrack-python-api not importable ({OFFICIAL_IMPORT_ERROR}): "
                           "install it with `pip install -e '.[bench]'`")
    bench.run()
    report = bench.report()
    print(report)
    if args.write_results:
        with open(os.path.join(HERE, "RESULTS.md"), "w", encoding="utf-8") as handle:
            handle.write(RESULTS_HEADER + f"Command: `python -m benchmarks.run{' --quick' if args.quick else ''} "
                         f"--repeat {args.repeat}`.\n\n" + report + "\n" + RESULTS_NOTES)
        write_readme_table(report)
    if args.json:
        raw = {workload: {name: vars(outcome) for name, outcome in outcomes.items()}
               for workload, outcomes in bench.results.items()}
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"results": raw, "machine": bench.machine()}, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
