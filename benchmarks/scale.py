"""Scale: cost per entity of query, create and update at 1k, 10k and 100k entities.

Run from the repository root::

    python -m benchmarks.scale                  # 1,000 / 10,000 / 100,000
    python -m benchmarks.scale --sizes 1000 10000

Each measurement runs in a fresh Python process against the canned server
(``benchmarks/canned_server.py``, another process), so peak memory is that
process's own: the peak resident set size during the timed work minus the
resident size just before it, divided by the entity count. Linear cost shows as
flat µs/entity and KB/entity down a column.

- query: ``session.query(<benchmark query>, page_size=5000).all()`` and reading
  ``name`` and ``parent.name`` of each row (the rows stay alive, as in a script);
- create: ``session.create("Task", {...})`` N times under one Shot, one ``commit()``;
- update: one attribute of N loaded Tasks, one ``commit()`` (loading is not timed).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.canned_server import BENCH_QUERY  # noqa: E402
from benchmarks.run import KEY, USER, CannedServer  # noqa: E402

WORKLOADS = ("query", "create", "update")


def _rss_kb() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def measure(url: str, workload: str, count: int, shot_id: str) -> Dict[str, float]:
    """One measurement in this process: seconds and peak KB above the starting RSS."""
    import ftrack_orm

    session = ftrack_orm.Session(url, USER, KEY, schema_cache=False)
    session.schemas  # noqa: B018 - loaded before timing
    if workload == "update":
        rows = session.query(f"select name from Task limit {count}", page_size=5000).all()
    elif workload == "create":
        shot = session.query(f'Shot where id is "{shot_id}"').one()
    gc.collect()
    before = _rss_kb()
    started = time.perf_counter()
    if workload == "query":
        rows = session.query(BENCH_QUERY, page_size=5000).all()
        total = 0
        for row in rows:
            total += len(row.name) + len(row.parent.name)
    elif workload == "create":
        create = session.create
        for index in range(count):
            create("Task", {"name": f"new_{index:06d}", "parent": shot})
        session.commit()
    else:
        for row in rows:
            row.name = row.name + "_v2"
        session.commit()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    return {"seconds": elapsed, "peak_kb": max(0, peak - before), "count": count}


def main(argv: List[str] = None) -> int:  # type: ignore[assignment]
    parser = argparse.ArgumentParser(description="ftrack_orm cost per entity at growing sizes")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--only", nargs="*", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument("--one", nargs=4, metavar=("URL", "WORKLOAD", "COUNT", "SHOT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        url, workload, count, shot = args.one
        print(json.dumps(measure(url, workload, int(count), shot)))
        return 0
    print("| workload | entities | total | µs per entity | peak KB per entity |")
    print("|---|---:|---:|---:|---:|")
    for size in args.sizes:
        server = CannedServer(size, 5000)
        try:
            shot = server.shot_id()
            for workload in args.only:
                out = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--one", server.url, workload,
                                      str(size), shot], cwd=ROOT, capture_output=True, text=True, check=False)
                if out.returncode:
                    print(f"| {workload} | {size:,} | failed: {out.stderr.strip().splitlines()[-1:]} | | |")
                    continue
                result: Dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
                seconds, peak = result["seconds"], result["peak_kb"]
                print(f"| {workload} | {size:,} | {seconds * 1000:,.0f} ms | {seconds / size * 1e6:,.1f} | "
                      f"{peak / size:,.2f} |", flush=True)
        finally:
            server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
