"""Time ``ftrack-orm snapshot`` of one project: a sandbox seeded with the demo studio stands
in for the real server, the snapshot goes to a second sandbox (both on loopback).

    python -m benchmarks.snapshot_speed                # the demo seed's project, 5 repetitions
    python -m benchmarks.snapshot_speed --shots 400    # plus 400 shots, each with 3 tasks and 2 versions

Prints seconds per snapshot (median and each run), rows copied, rows per second and
the peak size of the Python heap while the snapshot runs (tracemalloc, one extra run).
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import tracemalloc
from typing import List

from ftrack_orm import Session
from ftrack_orm.sandbox import Sandbox
from ftrack_orm.snapshot import take_snapshot


def _grow(session: Session, shots: int) -> None:
    """Add ``shots`` shots under a new sequence of ``demo_vfx``, each with three tasks and
    a render asset with two versions of one component."""
    project = session.query("Project where name is demo_vfx").one()
    sequence = session.create("Sequence", {"name": "sq900", "parent": project})
    status = session.query("Status where name is 'In progress'").one()
    render = session.query("AssetType where name is Render").one()
    types = session.query("Type where name in (Compositing, Animation, Lighting)").all()
    for n in range(shots):
        shot = session.create("Shot", {"name": f"sh9{n:04d}", "parent": sequence})
        for task_type in types:
            session.create("Task", {"name": task_type.name.lower(), "parent": shot, "type": task_type, "status": status})
        asset = session.create("Asset", {"name": f"sh9{n:04d}_comp", "parent": shot, "type": render})
        for version in (1, 2):
            made = session.create("AssetVersion", {"asset": asset, "version": version, "status": status,
                                                   "comment": f"v{version}", "is_published": True})
            session.create("FileComponent", {"name": "main", "file_type": ".exr", "version": made, "system_type": "file"})
    session.commit(chunk_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shots", type=int, default=0, help="extra shots to add to demo_vfx first")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with Sandbox(seed="demo") as server, \
            Session(server.url, server.api_user, server.api_key, schema_cache=False) as session:
        if args.shots:
            _grow(session, args.shots)
        seconds: List[float] = []
        rows = 0
        with tempfile.TemporaryDirectory() as scratch:
            for run in range(args.repeat):
                start = time.perf_counter()
                made = take_snapshot(session, os.path.join(scratch, f"run{run}"), project="demo_vfx")
                seconds.append(time.perf_counter() - start)
                rows = sum(made.counts.values())
            tracemalloc.start()
            take_snapshot(session, os.path.join(scratch, "memory"), project="demo_vfx")
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    median = statistics.median(seconds)
    print(f"snapshot of demo_vfx (+{args.shots} shots): {rows} rows, median {median:.2f} s "
          f"({', '.join(f'{s:.2f}' for s in seconds)}), {rows / median:.0f} rows/s, "
          f"peak Python heap {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
