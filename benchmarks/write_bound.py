"""How close to the write floor can ANY pure-Python client get? A bound for issue 21's write target.

The write floor of ``benchmarks/run.py`` times ``json.dumps`` + POST + ``json.loads`` of operation
dicts built before the clock starts. A client cannot skip building them, nor keeping what the server
answers. This script times, paired with the floor on the same canned server, a deliberately minimal
hand-written client for exactly the create and update workloads, doing only what every client must:

- create: check the name is a string and the parent an entity of an allowed type, take an id from a
  pool, build the entity's state and remember it by id; commit: wrap the pending states in operation
  dicts, encode (orjson when installed, as ftrack_orm does), POST, decode with the datetime hook and
  merge each echoed entity into its state.
- update: check the new value is a string, set it in the state and remember the change; commit:
  operation dicts from the changes, encode, POST, decode, merge.

No identity map beyond one dict, no dependency ordering, no undo, no type registry: it is a bound,
not a product. Its ratio to the floor is the least a pure-Python client reaches; ftrack_orm's ratio
is printed beside it::

    python -m benchmarks.write_bound --repeat 7
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.run import FLOOR, KEY, ORM, USER, CannedServer, FloorSession  # noqa: E402

try:
    import orjson

    _dumps: Callable[[Any], bytes] = orjson.dumps
except ImportError:  # pragma: no cover - the fast extra is optional
    def _dumps(value: Any) -> bytes:
        return json.dumps(value).encode()

_PARENT_TYPES = frozenset({"Project", "Sequence", "Shot", "Episode", "Folder", "Task", "Milestone"})


class LeanClient:
    """The least a validating client keeps: one state dict per entity, pending creates, changes."""

    def __init__(self, session: FloorSession) -> None:
        self.session = session
        self.states: Dict[str, Dict[str, Any]] = {}
        self.pending: List[Dict[str, Any]] = []
        self.changes: Dict[str, Dict[str, Any]] = {}
        self.ids: List[str] = []

    def new_id(self) -> str:
        if not self.ids:
            raw = os.urandom(16 * 256).hex()
            self.ids = [f"{raw[i:i + 8]}-{raw[i + 8:i + 12]}-4{raw[i + 13:i + 16]}-a{raw[i + 17:i + 20]}-"
                        f"{raw[i + 20:i + 32]}" for i in range(0, len(raw), 32)]
        return self.ids.pop()

    def create(self, entity_type: str, data: Dict[str, Any]) -> Dict[str, Any]:
        name = data["name"]
        if not isinstance(name, str):
            raise TypeError(f"{entity_type}.name expects a string, got {type(name).__name__}")
        parent = data["parent"]
        if parent.get("__entity_type__") not in _PARENT_TYPES:
            raise TypeError(f"{entity_type}.parent expects a context, got {parent!r}")
        state = {"__entity_type__": entity_type, "id": self.new_id(), "name": name, "parent_id": parent["id"]}
        self.states[state["id"]] = state
        self.pending.append(state)
        return state

    def set_name(self, state: Dict[str, Any], value: Any) -> None:
        if not isinstance(value, str):
            raise TypeError(f"{state['__entity_type__']}.name expects a string, got {type(value).__name__}")
        state["name"] = value
        self.changes.setdefault(state["id"], {"__entity_type__": state["__entity_type__"]})["name"] = value

    def commit(self) -> None:
        operations = [{"action": "create", "entity_type": state["__entity_type__"], "entity_data": state}
                      for state in self.pending]
        operations += [{"action": "update", "entity_type": change["__entity_type__"], "entity_key": [key],
                        "entity_data": {k: v for k, v in change.items() if k != "__entity_type__"}}
                       for key, change in self.changes.items()]
        answer = self.session.call(_dumps(operations))
        states = self.states
        for part in answer:
            data = part["data"]
            states[data["id"]].update(data)
        self.pending, self.changes = [], {}


def _lean_create(url: str, shot_id: str, count: int) -> float:
    client = LeanClient(FloorSession(url, USER, KEY))
    shot = {"__entity_type__": "Shot", "id": shot_id}
    gc.collect()
    started = time.perf_counter()
    for index in range(count):
        client.create("Task", {"name": f"new_{index:05d}", "parent": shot})
    client.commit()
    elapsed = time.perf_counter() - started
    client.session.http.close()
    return elapsed


def _lean_update(url: str, count: int) -> float:
    client = LeanClient(FloorSession(url, USER, KEY))
    rows = FLOOR.query(client.session, f"select name from Task limit {count}", count)
    states = [client.states.setdefault(row["id"], row) for row in rows]
    gc.collect()
    started = time.perf_counter()
    for state in states:
        client.set_name(state, state["name"] + "_v2")
    client.commit()
    elapsed = time.perf_counter() - started
    client.session.http.close()
    return elapsed


def _floor(url: str, shot_id: str, count: int, workload: str) -> float:
    session = FloorSession(url, USER, KEY)
    if workload == "create":
        prepared = FLOOR.prepare_create(session, {"id": shot_id}, count)
    else:
        prepared = FLOOR.prepare_update(session, FLOOR.query(session, f"select name from Task limit {count}", count))
    gc.collect()
    started = time.perf_counter()
    session.call(json.dumps(prepared).encode())
    elapsed = time.perf_counter() - started
    session.http.close()
    return elapsed


def _orm(url: str, shot_id: str, count: int, workload: str) -> float:
    session = ORM.session(url)
    ORM.ready(session)
    if workload == "create":
        shot = ORM.shot(session, shot_id)
        gc.collect()
        started = time.perf_counter()
        ORM.create(session, shot, count)
    else:
        rows = ORM.query(session, f"select name from Task limit {count}", count)
        gc.collect()
        started = time.perf_counter()
        ORM.update(session, rows)
    elapsed = time.perf_counter() - started
    session.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    server = CannedServer(max(args.count, 2000), 5000)
    try:
        shot_id = server.shot_id()
        for workload in ("create", "update"):
            runs: List[Tuple[float, float, float]] = []
            lean: Callable[[], float] = ((lambda: _lean_create(server.url, shot_id, args.count)) if workload == "create"
                                         else (lambda: _lean_update(server.url, args.count)))
            for repetition in range(args.repeat + 1):  # the first round warms up and is dropped
                floor = _floor(server.url, shot_id, args.count, workload)
                bound = lean()
                orm = _orm(server.url, shot_id, args.count, workload)
                if repetition:
                    runs.append((floor, bound, orm))
            print(f"{workload} {args.count:,} + commit: floor {statistics.median(r[0] for r in runs) * 1000:.1f} ms, "
                  f"minimal client {statistics.median(r[1] for r in runs) * 1000:.1f} ms "
                  f"({statistics.median(r[1] / r[0] for r in runs):.2f}x floor), "
                  f"ftrack_orm {statistics.median(r[2] for r in runs) * 1000:.1f} ms "
                  f"({statistics.median(r[2] / r[0] for r in runs):.2f}x floor); medians of {args.repeat} paired runs")
    finally:
        server.close()


if __name__ == "__main__":
    main()
