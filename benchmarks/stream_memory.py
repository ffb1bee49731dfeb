"""Peak client memory of streaming a big query (issue 14, item 4: target < 60 MB).

Seeds a sandbox database file with the demo studio plus N cloned Tasks (default
200,000; bulk SQLite inserts), serves it from a ``python -m ftrack_orm.sandbox``
subprocess, and runs each measurement in a fresh client process, which prints
its peak RSS (``VmHWM``):

* stream: ``for task in session.query("Task"): ...`` (pages of 500, each page its
  own result group; the identity map holds clean entities weakly);
* all: ``session.query("Task").all()`` for contrast (every row held, as asked).

Run: ``python benchmarks/stream_memory.py [--tasks N] [--page-size P]``
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB = 60
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import sandbox_process  # noqa: E402


def seed(path: str, tasks: int) -> None:
    """The demo studio in ``path`` plus ``tasks`` clones of one of its Tasks."""
    sys.path.insert(0, str(ROOT))
    from ftrack_orm.sandbox import Sandbox

    sandbox = Sandbox(db=path, seed="demo", fixed_keys=True)
    with sandbox.store.writing() as connection:  # the store's plain connection reads only
        _clone_tasks(connection, tasks)
    sandbox.store.close()


def _clone_tasks(connection: Any, tasks: int) -> None:
    template = connection.execute("SELECT * FROM Context WHERE _type = 'Task' LIMIT 1").fetchone()
    columns = list(template.keys())
    index = {name: number for number, name in enumerate(columns)}
    base = list(template)
    rows = []
    for number in range(tasks):
        row = list(base)
        row[index["id"]] = str(uuid.UUID(int=number + 1))
        row[index["name"]] = f"bulk{number:06d}"
        rows.append(row)
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    connection.execute("BEGIN")
    connection.executemany(f"INSERT INTO Context ({names}) VALUES ({marks})", rows)
    connection.execute("COMMIT")


def serve(path: str) -> Tuple[subprocess.Popen[str], Dict[str, str]]:
    """A sandbox subprocess on ``path`` and its FTRACK_* settings."""
    return sandbox_process.start(["--db", path], cwd=str(ROOT))


def peak_mb() -> float:
    """This process's peak RSS in MB: ``VmHWM`` (``ru_maxrss`` survives ``exec`` on Linux,
    so a child would report its parent's peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def client(mode: str, page_size: int) -> None:
    """Runs in the client process: one measurement, printed as ``mode rows peak_mb start_mb seconds``."""
    sys.path.insert(0, str(ROOT))
    from ftrack_orm import Session

    session = Session(schema_cache=False)
    session.schemas  # noqa: B018 - schemas loaded before the baseline
    start_mb = peak_mb()
    began = time.perf_counter()
    query = session.query("Task", page_size=page_size)
    rows = 0
    if mode == "stream":
        for task in query:
            rows += task.name is not None
    else:
        rows = sum(task.name is not None for task in query.all())
    seconds = time.perf_counter() - began
    print(f"{mode} {rows} {peak_mb():.1f} {start_mb:.1f} {seconds:.1f}", flush=True)


def measure(mode: str, settings: Dict[str, str], page_size: int) -> List[str]:
    environment = dict(os.environ, **settings, PYTHONPATH=str(ROOT))
    output = subprocess.run([sys.executable, __file__, "--client", mode, "--page-size", str(page_size)],
                            env=environment, capture_output=True, text=True, check=True).stdout
    return output.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--client", choices=("stream", "all"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client(args.client, args.page_size)
        return
    with tempfile.TemporaryDirectory(prefix="stream-memory-") as directory:
        path = os.path.join(directory, "sandbox.sqlite")
        began = time.perf_counter()
        seed(path, args.tasks)
        print(f"seeded {args.tasks:,} tasks in {time.perf_counter() - began:.1f} s")
        process, settings = serve(path)
        try:
            for mode in ("stream", "all"):
                _, rows, peak, start, seconds = measure(mode, settings, args.page_size)
                label = 'for task in session.query("Task")' if mode == "stream" else 'session.query("Task").all()'
                verdict = f" (target < {TARGET_MB} MB: {'met' if float(peak) < TARGET_MB else 'NOT met'})" \
                    if mode == "stream" else " (every row held, for contrast)"
                print(f"{label:36} {int(rows):>8,} rows  peak RSS {peak:>6} MB  (after schemas: {start} MB; "
                      f"{seconds} s){verdict}")
        finally:
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
