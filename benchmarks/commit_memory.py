"""Commit memory: the peak a ``commit()`` adds above what the session already holds, per entity.

Run from the repository root::

    python -m benchmarks.commit_memory                 # 5,000 and 50,000 creates and updates
    python -m benchmarks.commit_memory --sizes 100000

Against the canned server (``benchmarks/canned_server.py``, another process). The
pending work is recorded first (``session.create`` N times under one Shot, or one
attribute of N loaded Tasks changed); then ``tracemalloc`` measures the commit
alone: its peak above the memory traced just before it (change records, operation
dicts, the request body, the answer and its decode), and what is still held
after it (the entities' settled state). Both divided by N, in bytes. The issue's
target: a peak of at most 2 KB per entity. ``tracemalloc`` sees Python's own
allocations (every object, ``bytes`` and ``str`` included), not the C heap of a
socket buffer.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc
from typing import Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.run import KEY, USER, CannedServer  # noqa: E402

WORKLOADS = ("create", "update")


def measure(url: str, workload: str, count: int, shot_id: str) -> Dict[str, float]:
    """One commit of ``count`` entities: peak and retained bytes per entity, and seconds."""
    import ftrack_orm

    session = ftrack_orm.Session(url, USER, KEY, schema_cache=False)
    try:
        session.schemas  # noqa: B018 - loaded before measuring
        if workload == "create":
            shot = session.query(f'Shot where id is "{shot_id}"').one()
            for index in range(count):
                session.create("Task", {"name": f"new_{index:06d}", "parent": shot})
        else:
            rows = session.query(f"select name from Task limit {count}", page_size=5000).all()
            for row in rows:
                row.name = row.name + "_v2"
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            started = time.perf_counter()
            session.commit()
            elapsed = time.perf_counter() - started
            gc.collect()
            after, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        session.close()
    return {"peak": (peak - before) / count, "retained": (after - before) / count, "seconds": elapsed}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="peak memory of one commit, per entity")
    parser.add_argument("--sizes", type=int, nargs="*", default=[5000, 50000])
    parser.add_argument("--only", nargs="*", choices=WORKLOADS, default=list(WORKLOADS))
    args = parser.parse_args(argv)
    from ftrack_orm import codec

    print(f"encoder: {codec.encoder()}")
    print("| commit of | entities | peak bytes per entity | retained bytes per entity | seconds (traced) |")
    print("|---|---:|---:|---:|---:|")
    for size in args.sizes:
        server = CannedServer(max(size, 1000), 5000)
        try:
            shot = server.shot_id()
            for workload in args.only:
                result = measure(server.url, workload, size, shot)
                print(f"| {workload} | {size:,} | {result['peak']:,.0f} | {result['retained']:,.0f} | "
                      f"{result['seconds']:.2f} |", flush=True)
        finally:
            server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
