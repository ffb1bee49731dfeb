"""Decode + merge speed and memory of the entity layer (issue 4 targets).

Builds a realistic ``query`` response of N Tasks (default 20,000, in pages of
5,000), each with 13 scalar attributes (uuids, datetimes, numbers) and nested ``parent``
(a Shot, 5 tasks per shot) and ``status`` (12 statuses) references, at ftrack's
verbosity (~16 MiB), then measures:

* the floor: plain ``json.loads`` of the same bytes;
* ours: ``json.loads`` with the codec's object hook and ``IdentityMap`` merging
  (inside one result group per page), i.e. bytes -> entity objects;
* bytes retained per loaded task (tracemalloc; the tasks' share of parents and
  statuses included) and per distinct entity.

Run: ``PYTHONPATH=. python benchmarks/decode_speed.py [--tasks N] [--repeat R] [--profile]``
"""
from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ftrack_orm.entity.identity import IdentityMap  # noqa: E402
from ftrack_orm.schema import SchemaRegistry  # noqa: E402

SCHEMAS = ROOT.parent / "shared" / "ftrack" / "schemas.json"

try:
    from ftrack_orm.codec import make_object_hook
except ImportError:  # the codec is written in parallel; same contract
    import datetime as _dt

    def make_object_hook(entity_hook: Callable[[Dict[str, Any]], Any]) -> Callable[[Dict[str, Any]], Any]:
        utc = _dt.timezone.utc

        def hook(obj: Dict[str, Any]) -> Any:
            if "__entity_type__" in obj:
                return entity_hook(obj)
            if obj.get("__type__") == "datetime":
                return _dt.datetime.fromisoformat(obj["value"]).replace(tzinfo=utc)
            return obj

        return hook


def _uid(rng: int) -> str:
    return str(uuid.UUID(int=rng))


def build_pages(tasks: int, page_size: int = 5000) -> List[bytes]:
    """Realistic query pages (JSON bytes)."""
    project = _uid(1)
    statuses = [
        {"__entity_type__": "Status", "id": _uid(100 + i), "name": f"Status {i}", "color": "#ffcc00",
         "sort": i, "is_active": True, "state_id": _uid(200 + i % 4)}
        for i in range(12)
    ]
    pages, rows = [], []
    for index in range(tasks):
        shot_index = index // 5
        parent = {
            "__entity_type__": "Shot", "id": _uid(10**6 + shot_index), "name": f"sh{shot_index:04d}",
            "context_type": "task", "object_type_id": "bad911de-3bd6-47b9-8b46-3476e237cb36",
            "project_id": project, "parent_id": _uid(10**5 + shot_index // 50),
            "description": f"Shot {shot_index}: description, long enough to be realistic.",
        }
        status = dict(statuses[index % 12])
        rows.append({
            "__entity_type__": "Task", "id": _uid(10**7 + index), "name": f"Task {index} compositing",
            "context_type": "task", "object_type_id": "11c137c0-ee7e-4f9c-91c5-8c77cec22b2c",
            "project_id": project, "parent_id": parent["id"], "status_id": status["id"],
            "type_id": _uid(300 + index % 7), "priority_id": "9661b320-3a0c-11e2-81c1-0800200c9a66",
            "bid": 3600.0 * (index % 9),
            "description": f"Comp the plates of shot {shot_index}, match the grade and publish for review.",
            "start_date": {"__type__": "datetime", "value": "2024-06-01T09:00:00"},
            "end_date": {"__type__": "datetime", "value": "2024-06-14T18:00:00"},
            "parent": parent, "status": status,
        })
        if len(rows) == page_size:
            pages.append(rows)
            rows = []
    if rows:
        pages.append(rows)
    bodies = []
    offset = 0
    for number, data in enumerate(pages):
        offset += len(data)
        following = offset if number + 1 < len(pages) else None
        body = {"action": "query", "data": data, "metadata": {"next": {"offset": following}}}
        bodies.append(json.dumps([body]).encode())
    return bodies


def decode_all(bodies: List[bytes], identity_map: IdentityMap) -> List[Any]:
    results = []
    for body in bodies:
        with identity_map.result_group() as group:
            results.extend(json.loads(body, object_hook=make_object_hook(group.merge))[0]["data"])
    return results


def timed(function: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    schemas = SchemaRegistry.from_file(str(SCHEMAS))
    bodies = build_pages(args.tasks)
    size = sum(len(b) for b in bodies)

    floor = timed(lambda: [json.loads(b) for b in bodies], args.repeat)

    def ours() -> None:
        decode_all(bodies, IdentityMap(schemas))

    ours()  # warm up: class generation
    ours_time = timed(ours, args.repeat)

    identity_map = IdentityMap(schemas)
    identity_map.types.build_all()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tasks = decode_all(bodies, identity_map)
    gc.collect()
    retained = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(tasks) == args.tasks and all(type(t).__name__ == "Task" for t in tasks)
    assert tasks[7].parent.name and tasks[7].status.name == "Status 7"

    start = time.perf_counter()
    total = sum(1 for t in tasks if t.name)
    read = time.perf_counter() - start

    print(f"payload:              {args.tasks} tasks, {len(bodies)} pages, {size / 2**20:.1f} MiB, "
          f"{len(identity_map)} distinct entities")
    print(f"json.loads floor:     {floor:.3f} s")
    print(f"decode + merge:       {ours_time:.3f} s")
    print(f"ratio:                {ours_time / floor:.2f}x the floor (target <= 5x)")
    print(f"retained per task:    {retained / args.tasks:.0f} bytes (target <= 1024)")
    print(f"retained per entity:  {retained / len(identity_map):.0f} bytes ({len(identity_map)} entities)")
    print(f"read task.name x{total}: {read * 1000:.1f} ms")

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        ours()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
