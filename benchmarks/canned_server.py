"""A canned ftrack API server on loopback, for benchmarks (stdlib only, threaded).

It answers from pre-built data so that its own cost is negligible next to the
client's: ``query_server_information`` and ``query_schemas`` with the real
answers of an ftrack server (read from ``shared/ftrack/`` or from the package
copy in ``ftrack_orm/sandbox/data/``: nothing is copied here), queries over a
synthetic project (one Project, Sequences, Shots, Tasks, Statuses with States)
rendered in ftrack's wire format, and create/update/delete answers that echo
the entity the way a real server does.

Query pages are rendered once per (type, projections, criteria, offset, limit)
and kept as bytes, so serving a page again is a single socket write; the pages
of the benchmark query are rendered at start-up.

Criteria understood: ``attr is value``, ``attr in (v1, v2, ...)`` on scalar
attributes, joined with ``and`` (enough for the lookups clients make when they
load a missing attribute). Anything else is answered with a ``ParseError``.

Run it alone::

    python benchmarks/canned_server.py --tasks 20000 --port 8765 --log

It prints ``READY <port>`` on stdout once it listens. ``GET /_stats`` returns the
request/operation counters and the server's own handling time; ``POST /_reset``
zeroes them; ``GET /_page?offset=0&limit=5000`` returns the bytes of one page of
the benchmark query (what the ``json.loads`` floor is measured on).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import random
import re
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

#: The query the benchmarks load: Tasks with nested parent (Shot or Sequence) and status.
BENCH_QUERY = ("select name, description, bid, start_date, end_date, created_at, type_id, "
               "status_id, parent_id, parent.name, status.name from Task")
BENCH_PAGE_SIZE = 5000

TASK_NAMES = ("modeling", "rigging", "layout", "animation", "fx", "lighting", "compositing", "roto",
              "matchmove", "lookdev")
STATUS_NAMES = (("Not started", "NOT_STARTED"), ("Ready to start", "NOT_STARTED"), ("In progress", "IN_PROGRESS"),
                ("Pending review", "IN_PROGRESS"), ("Approved", "DONE"), ("On hold", "BLOCKED"))


def data_dir() -> str:
    """Where the real server answers are: the package copy if present, else shared/ftrack."""
    candidates = [
        os.environ.get("FTRACK_BENCH_DATA", ""),
        os.path.join(ROOT, "ftrack_orm", "sandbox", "data"),
        os.path.join(os.path.dirname(ROOT), "shared", "ftrack"),
        "/work/shared/ftrack",
    ]
    for candidate in candidates:
        if candidate and os.path.isfile(os.path.join(candidate, "schemas.json")) \
                and os.path.isfile(os.path.join(candidate, "server_information.json")):
            return candidate
    raise SystemExit("canned_server: no schemas.json/server_information.json found (set FTRACK_BENCH_DATA).")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _datetime(value: _dt.datetime) -> Dict[str, str]:
    return {"__type__": "datetime", "value": value.strftime("%Y-%m-%dT%H:%M:%S")}


class ParseError(Exception):
    pass


class Dataset:
    """Schemas plus an in-memory store of synthetic records, and the rendering of entities."""

    def __init__(self, schemas: List[Dict[str, Any]], tasks: int, seed: int = 8) -> None:
        self.schemas = {schema["id"]: schema for schema in schemas}
        self.rng = random.Random(seed)
        self.records: Dict[str, Dict[str, Any]] = {}  # id -> record ("__entity_type__", scalars, "_refs")
        self.by_type: Dict[str, List[Dict[str, Any]]] = {}
        # Types stored as Task (told apart by object_type_id), and their supertypes.
        self.object_type_ids = {
            name: schema["alias_for"]["classifiers"]["object_typeid"]
            for name, schema in self.schemas.items()
            if isinstance(schema.get("alias_for"), dict)
            and "object_typeid" in (schema["alias_for"].get("classifiers") or {})
        }
        self.supertypes = {"TypedContext": set(self.object_type_ids),
                           "Context": set(self.object_type_ids) | {"Project"}}
        self._build(tasks)

    # -- data -------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def add(self, entity_type: str, refs: Optional[Dict[str, Optional[str]]] = None, **values: Any) -> Dict[str, Any]:
        record = {"__entity_type__": entity_type, "id": values.pop("id", None) or self.uid(), **values,
                  "_refs": dict(refs or {})}
        for name, target in record["_refs"].items():
            if f"{name}_id" in self.schemas[entity_type]["properties"]:
                record[f"{name}_id"] = target
        self.records[record["id"]] = record
        self.by_type.setdefault(entity_type, []).append(record)
        return record

    def _typed(self, entity_type: str, name: str, parent: Dict[str, Any], project: Dict[str, Any],
               status: Optional[Dict[str, Any]], when: _dt.datetime, **extra: Any) -> Dict[str, Any]:
        return self.add(
            entity_type,
            {"parent": parent["id"], "project": project["id"], "status": status["id"] if status else None},
            name=name, context_type="task", object_type_id=self.object_type_ids[entity_type],
            created_at=_datetime(when), sort=0, bid=0.0, description="", **extra,
        )

    def _build(self, tasks: int) -> None:
        start = _dt.datetime(2024, 3, 1, 9, 0, 0)
        states = {short: self.add("State", name=short.replace("_", " ").title(), short=short)
                  for short in ("NOT_STARTED", "IN_PROGRESS", "DONE", "BLOCKED")}
        statuses = [self.add("Status", {"state": states[short]["id"]}, name=name, color="#aabbcc", is_active=True,
                             sort=index) for index, (name, short) in enumerate(STATUS_NAMES)]
        project = self.add("Project", name="bench", full_name="Benchmark project", context_type="show",
                           created_at=_datetime(start), is_global=False, is_private=False)
        project["_refs"]["project"] = project["id"]
        self.project = project
        # 20 tasks per shot; one task in ten sits on a sequence instead of a shot.
        shots_needed = max(1, (tasks * 9 // 10 + 19) // 20)
        sequences = [self._typed("Sequence", f"sq{index:03d}", project, project, statuses[0],
                                 start + _dt.timedelta(minutes=index))
                     for index in range(max(1, shots_needed // 50 + 1))]
        shots = [self._typed("Shot", f"{sequences[index % len(sequences)]['name']}_sh{index:04d}",
                             sequences[index % len(sequences)], project, statuses[index % len(statuses)],
                             start + _dt.timedelta(minutes=index))
                 for index in range(shots_needed)]
        self.shot = shots[0]
        types = {kind: self.uid() for kind in TASK_NAMES}
        for index in range(tasks):
            parent = sequences[index % len(sequences)] if index % 10 == 9 else shots[(index // 20) % len(shots)]
            kind = TASK_NAMES[index % len(TASK_NAMES)]
            begins = start + _dt.timedelta(days=index % 200, hours=index % 9)
            task = self._typed("Task", f"{kind}_{index:05d}", parent, project, statuses[index % len(statuses)],
                               start + _dt.timedelta(seconds=37 * index), type_id=types[kind],
                               priority_id="9661b320-3a0c-11e2-81c1-0800200c9a66",
                               start_date=_datetime(begins), end_date=_datetime(begins + _dt.timedelta(days=5)))
            task.update(description=f"{kind.title()} work for {parent['name']}", bid=float(1 + index % 40) * 3600.0,
                        sort=index % 1000)

    # -- selection --------------------------------------------------------------------------
    def candidates(self, entity_type: str) -> List[Dict[str, Any]]:
        if entity_type not in self.schemas:
            raise ParseError(f"Unknown entity type {entity_type!r}.")
        names = self.supertypes.get(entity_type, {entity_type})
        if len(names) == 1:
            return self.by_type.get(entity_type, [])
        return [record for name in sorted(names) for record in self.by_type.get(name, [])]

    # -- rendering --------------------------------------------------------------------------
    def render(self, record: Dict[str, Any], tree: Dict[str, Any]) -> Dict[str, Any]:
        """An entity as a server sends it: identity, system projections, then what ``tree`` asks."""
        entity_type = record["__entity_type__"]
        schema = self.schemas[entity_type]
        properties = schema["properties"]
        out: Dict[str, Any] = {"__entity_type__": entity_type}
        for name in schema.get("primary_key", ["id"]):
            out[name] = record.get(name)
        system = [*schema.get("system_projections", ()), *(["object_type_id"] if entity_type in self.object_type_ids
                                                           else ())]
        for name in system:
            name = {"showid": "project_id"}.get(name, name)
            if name in record:
                out[name] = record[name]
        for name, subtree in tree.items():
            prop = properties.get(name)
            if prop is None:
                continue
            if "$ref" in prop:
                target = self.records.get(record["_refs"].get(name) or "")
                out[name] = self.render(target, subtree) if target is not None else None
            elif prop.get("type") in ("array", "mapped_array"):
                out[name] = [self.render(child, subtree) for child in self.children(record, name)]
            elif name in record:
                out[name] = record[name]
        return out

    def children(self, record: Dict[str, Any], name: str) -> List[Dict[str, Any]]:
        if name == "children":
            return [other for other in self.records.values() if other["_refs"].get("parent") == record["id"]]
        return []


_QUERY = re.compile(
    r"^\s*(?:select\s+(?P<select>.+?)\s+from\s+)?(?P<type>\w+)(?:\s+where\s+(?P<where>.+?))?"
    r"(?:\s+order\s+by\s+(?P<order>.+?))?"
    r"(?:\s+(?:offset\s+(?P<offset>\d+)|limit\s+(?P<limit>\d+))){0,2}\s*$",
    re.IGNORECASE | re.DOTALL,
)
_OFFSET = re.compile(r"\boffset\s+(\d+)", re.IGNORECASE)
_LIMIT = re.compile(r"\blimit\s+(\d+)", re.IGNORECASE)
_CONDITION = re.compile(r"^\s*(\w+)\s+(is|=|in)\s+(.+?)\s*$", re.IGNORECASE | re.DOTALL)
_VALUE = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'|([^\s,()]+)')


def _scalar(text: str) -> Any:
    match = _VALUE.fullmatch(text.strip())
    if match is None:
        raise ParseError(f"Bad value {text!r}")
    if match.group(1) is not None or match.group(2) is not None:
        return (match.group(1) if match.group(1) is not None else match.group(2)).replace('\\"', '"')
    bare = match.group(3)
    return None if bare.lower() == "none" else bare


def parse_where(text: Optional[str]) -> Tuple[Tuple[str, Tuple[Any, ...]], ...]:
    """``a is x and b in (y, z)`` -> ((a, (x,)), (b, (y, z))); anything else is a ParseError."""
    if not text:
        return ()
    conditions = []
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        part = part.strip()
        while part.startswith("(") and part.endswith(")") and part.count("(") == 1:
            part = part[1:-1].strip()
        match = _CONDITION.match(part)
        if match is None:
            raise ParseError(f"Unsupported criteria {part!r}")
        name, op, value = match.group(1), match.group(2).lower(), match.group(3)
        if op == "in":
            if not (value.startswith("(") and value.endswith(")")):
                raise ParseError(f"Bad in list {value!r}")
            values = tuple(_scalar(m.group(0)) for m in _VALUE.finditer(value[1:-1]))
        else:
            values = (_scalar(value),)
        conditions.append((name, values))
    return tuple(conditions)


def projection_tree(select: Optional[str], entity_type: str, schemas: Dict[str, Any]) -> Dict[str, Any]:
    if select is None:
        paths = schemas[entity_type].get("default_projections", ["id"])
    else:
        paths = [path.strip() for path in select.split(",") if path.strip()]
    tree: Dict[str, Any] = {}
    for path in paths:
        node = tree
        for step in path.split("."):
            step = re.sub(r"\[.*?\]$", "", step)  # casts: parent[Shot] -> parent
            node = node.setdefault(step, {})
    return tree


def _freeze(tree: Dict[str, Any]) -> Tuple[Any, ...]:
    return tuple(sorted((name, _freeze(sub)) for name, sub in tree.items()))


class CannedAPI:
    """The operation handlers, with caches of rendered query pages."""

    def __init__(self, dataset: Dataset, server_information: Dict[str, Any], schemas_bytes: bytes,
                 log: bool = False) -> None:
        self.dataset = dataset
        self.info_bytes = _dumps(server_information)
        self.schemas_bytes = schemas_bytes
        self.log = log
        self.pages: Dict[Tuple[Any, ...], bytes] = {}
        self.selections: Dict[Tuple[Any, ...], List[Dict[str, Any]]] = {}
        self.write_plans: Dict[str, Tuple[Dict[str, Any], Tuple[str, ...], Dict[str, Any], Dict[str, Any]]] = {}
        self.lock = threading.Lock()
        self.requests = 0
        self.operations = 0
        self.actions: Dict[str, int] = {}
        self.seconds = 0.0

    def reset(self) -> None:
        with self.lock:
            self.requests = self.operations = 0
            self.actions = {}
            self.seconds = 0.0

    def stats(self) -> Dict[str, Any]:
        with self.lock:
            return {"requests": self.requests, "operations": self.operations, "actions": dict(self.actions),
                    "server_seconds": self.seconds}

    # -- queries ----------------------------------------------------------------------------
    def query_page(self, expression: str) -> bytes:
        match = _QUERY.match(expression)
        if match is None:
            raise ParseError(f"Failed to parse: {expression}")
        entity_type = match.group("type")
        if entity_type not in self.dataset.schemas:
            raise ParseError(f"Unknown entity type {entity_type!r}.")
        where = parse_where(match.group("where"))
        offsets = _OFFSET.findall(expression[match.start("type"):])
        limits = _LIMIT.findall(expression[match.start("type"):])
        offset = int(offsets[-1]) if offsets else 0
        limit = int(limits[-1]) if limits else None
        tree = projection_tree(match.group("select"), entity_type, self.dataset.schemas)
        key = (entity_type, _freeze(tree), where, offset, limit)
        page = self.pages.get(key)
        if page is None:
            rows = self.select(entity_type, where)
            chunk = rows[offset:] if limit is None else rows[offset:offset + limit]
            following = offset + len(chunk) if limit is not None and offset + len(chunk) < len(rows) else None
            result = {"action": "query", "data": [self.dataset.render(record, tree) for record in chunk],
                      "metadata": {"next": {"offset": following}}}
            page = _dumps(result)
            if len(self.pages) < 10_000:
                self.pages[key] = page
        return page

    def select(self, entity_type: str, where: Tuple[Tuple[str, Tuple[Any, ...]], ...]) -> List[Dict[str, Any]]:
        key = (entity_type, where)
        rows = self.selections.get(key)
        if rows is None:
            if len(where) == 1 and where[0][0] == "id":
                found = (self.dataset.records.get(value) for value in where[0][1])
                allowed = self.dataset.supertypes.get(entity_type, {entity_type})
                rows = [record for record in found if record is not None and record["__entity_type__"] in allowed]
            else:
                rows = [record for record in self.dataset.candidates(entity_type)
                        if all(record.get(name) in values for name, values in where)]
            if len(self.selections) < 1000:
                self.selections[key] = rows
        return rows

    # -- writes -----------------------------------------------------------------------------
    def _write_plan(self, entity_type: str) -> Tuple[Dict[str, Any], Tuple[str, ...], Dict[str, Any], Dict[str, Any]]:
        """Per type, once: (create defaults, {uid} attributes, attribute kinds, update system values)."""
        plan = self.write_plans.get(entity_type)
        if plan is None:
            schema = self.dataset.schemas[entity_type]
            defaults: Dict[str, Any] = {}
            uids = []
            kinds: Dict[str, Any] = {}
            for name, prop in schema["properties"].items():
                if "$ref" in prop:
                    kinds[name] = f"{name}_id" if f"{name}_id" in schema["properties"] else False
                elif prop.get("type") in ("array", "mapped_array"):
                    kinds[name] = False
                else:
                    kinds[name] = True
                    default = prop.get("default")
                    if default == "{uid}":
                        uids.append(name)
                    elif default is not None:
                        defaults[name] = default
            system: Dict[str, Any] = {}
            if entity_type in self.dataset.object_type_ids:
                system = {"context_type": "task", "project_id": self.dataset.project["id"]}
                defaults.update(system, object_type_id=self.dataset.object_type_ids[entity_type])
            plan = self.write_plans[entity_type] = (defaults, tuple(uids), kinds, system)
        return plan

    def write(self, operation: Dict[str, Any], now: Dict[str, str]) -> Dict[str, Any]:
        """The answer of a create/update/delete: the entity echoed as a server stores it."""
        action = operation["action"]
        entity_type = operation.get("entity_type")
        if entity_type not in self.dataset.schemas:
            raise ParseError(f"Unknown entity type {entity_type!r}.")
        if action == "delete":
            return {"action": "delete", "data": True}
        defaults, uids, kinds, system = self._write_plan(entity_type)
        data = operation.get("entity_data") or {}
        if action == "create":
            out = {"__entity_type__": entity_type, **defaults}
            for name in uids:
                if name not in data:
                    out[name] = str(uuid.uuid4())
            if system:
                out["created_at"] = now
        else:
            out = {"__entity_type__": entity_type, **system}
            for name, value in zip(self.dataset.schemas[entity_type].get("primary_key", ["id"]),
                                   operation.get("entity_key") or []):
                out[name] = value
        for name, value in data.items():
            kind = kinds.get(name)
            if kind is True:
                out[name] = value
            elif kind:  # a reference is echoed as its foreign key
                out[kind] = value.get("id") if isinstance(value, dict) else None
            elif kind is None and name != "__entity_type__":
                raise ParseError(f"No attribute {name!r} exists for schema {entity_type!r}.")
        return {"action": action, "data": out}

    # -- dispatch ---------------------------------------------------------------------------
    def answer(self, body: bytes) -> bytes:
        started = time.perf_counter()
        try:
            batch = json.loads(body)
            if not isinstance(batch, list):
                raise ParseError("The body must be a list of operations.")
            parts: List[Any] = []
            now = _datetime(_dt.datetime.utcnow())
            for operation in batch:
                action = operation.get("action")
                if self.log:
                    sys.stderr.write(f"canned_server: {json.dumps(operation)[:300]}\n")
                if action == "query_server_information":
                    parts.append(self.info_bytes)
                elif action == "query_schemas":
                    parts.append(self.schemas_bytes)
                elif action == "query":
                    parts.append(self.query_page(operation["expression"]))
                elif action in ("create", "update", "delete"):
                    parts.append(self.write(operation, now))
                else:
                    raise ParseError(f"Unsupported action {action!r}")
                with self.lock:
                    self.actions[action] = self.actions.get(action, 0) + 1
            if all(isinstance(part, dict) for part in parts):
                answer = _dumps(parts)  # a batch of writes: one encoder call
            else:
                answer = b"[" + b",".join(part if isinstance(part, bytes) else _dumps(part) for part in parts) + b"]"
        except (ParseError, KeyError, TypeError, ValueError, AttributeError) as exc:
            answer = _dumps({"exception": "ParseError" if isinstance(exc, ParseError) else "ServerError",
                             "content": str(exc), "error_code": None})
            batch = []
        with self.lock:
            self.requests += 1
            self.operations += len(batch)
            self.seconds += time.perf_counter() - started
        return answer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: CannedHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        head = (f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n").encode("latin-1")
        self.wfile.write(head + body if len(body) < 65536 else head)
        if len(body) >= 65536:
            self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        path = self.path.split("?")[0]
        if path == "/_reset":
            self.server.api.reset()
            self._send(200, b"{}")
        elif path.rstrip("/").endswith("/api"):
            self._send(200, self.server.api.answer(body))
        else:
            self._send(404, b'{"exception":"NotFound","content":"no such path","error_code":null}')

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/_stats":
            self._send(200, _dumps(self.server.api.stats()))
        elif url.path == "/_page":
            expression = params.get("expression") or BENCH_QUERY
            page = self.server.api.query_page(
                f"{expression} offset {int(params.get('offset', 0))} limit {int(params.get('limit', BENCH_PAGE_SIZE))}")
            self._send(200, page)
        elif url.path == "/_shot":
            self._send(200, _dumps({"id": self.server.api.dataset.shot["id"]}))
        else:
            self._send(404, b"{}")


class CannedHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: Tuple[str, int], api: CannedAPI) -> None:
        self.api = api
        super().__init__(address, Handler)


def make_server(tasks: int, port: int = 0, log: bool = False, page_size: int = BENCH_PAGE_SIZE) -> CannedHTTPServer:
    """Build the dataset, pre-render the benchmark pages and bind (not yet serving)."""
    directory = data_dir()
    with open(os.path.join(directory, "schemas.json"), "rb") as handle:
        schemas_bytes = handle.read()
    with open(os.path.join(directory, "server_information.json"), encoding="utf-8") as handle:
        info = json.load(handle)
    dataset = Dataset(json.loads(schemas_bytes), tasks)
    api = CannedAPI(dataset, info, _dumps(json.loads(schemas_bytes)), log=log)
    for offset in range(0, tasks, page_size):
        api.query_page(f"{BENCH_QUERY} offset {offset} limit {page_size}")
    return CannedHTTPServer(("127.0.0.1", port), api)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--page-size", type=int, default=BENCH_PAGE_SIZE)
    parser.add_argument("--log", action="store_true", help="print every operation received on stderr")
    args = parser.parse_args(argv)
    server = make_server(args.tasks, args.port, args.log, args.page_size)
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
