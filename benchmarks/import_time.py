"""Import time: ``from ftrack_orm import Session`` and import -> first row, against the official client.

    python -m benchmarks.import_time [--runs 10]

Each figure is a fresh interpreter (``subprocess``), timed from outside (wall) and by its
CPU time (user + system of the child). Interleaved per repetition, in rotating order, so
that a shared machine's load falls on every side alike; medians over ``--runs``. Printed:

* the bare interpreter (``python -c pass``), the floor under everything else;
* import alone: ``from ftrack_orm import Session`` and ``import ftrack_api``;
* the ``-X importtime`` total (sum of self times, i.e. import CPU work without the
  interpreter's start) of each import;
* import -> first row: import, a session, and a query of one task against a sandbox
  running in this (another) process; each client's schema cache in a temporary directory,
  warmed by one run first, as an application sees it from its second start on.

Byte code: every child writes and reads its ``.pyc`` files under a temporary
``PYTHONPYCACHEPREFIX`` (``PYTHONDONTWRITEBYTECODE`` is dropped), warmed by a first run, so
neither side pays for compiling its sources, as neither would once installed.

The official client (``pip install -e '.[bench]'``) is skipped when it is not installed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional, Tuple

from ftrack_orm.sandbox import Sandbox

IMPORTS: Dict[str, str] = {
    "python (bare)": "pass",
    "ftrack_orm import": "from ftrack_orm import Session",
    "ftrack_api import": "import ftrack_api",
}

FIRST_ROW: Dict[str, str] = {
    "ftrack_orm first row": (
        "import os\n"
        "from ftrack_orm import Session\n"
        "session = Session(os.environ['B_URL'], os.environ['B_USER'], os.environ['B_KEY'],"
        " schema_cache=os.environ['B_CACHE'])\n"
        "row = session.query('select name from Task').first()\n"
        "assert row.name\n"
        "session.close()\n"
    ),
    "ftrack_api first row": (
        "import os\n"
        "import ftrack_api\n"
        "session = ftrack_api.Session(server_url=os.environ['B_URL'], api_user=os.environ['B_USER'],"
        " api_key=os.environ['B_KEY'], auto_connect_event_hub=False, schema_cache_path=os.environ['B_CACHE'])\n"
        "row = session.query('select name from Task').first()\n"
        "assert row['name']\n"
        "session.close()\n"
    ),
}


def official_installed() -> bool:
    return subprocess.run([sys.executable, "-c", "import ftrack_api"], capture_output=True).returncode == 0


#: The children's environment (see the module docstring); set by main().
BASE_ENV: Dict[str, str] = {}


def run_once(code: str, env: Optional[Dict[str, str]] = None) -> Tuple[float, float]:
    """(wall, cpu) seconds of a fresh interpreter running ``code``."""
    before = os.times()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env or BASE_ENV, check=True)
    wall = time.perf_counter() - started
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def importtime_total(code: str) -> float:
    """Sum of ``-X importtime`` self times, in seconds."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                         env=BASE_ENV, check=True).stderr
    total = 0
    for line in err.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            total += int(line.split(":", 1)[1].split("|")[0])
    return total / 1e6


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    official = official_installed()
    imports = {name: code for name, code in IMPORTS.items() if official or "ftrack_api" not in name}
    first = {name: code for name, code in FIRST_ROW.items() if official or "ftrack_api" not in name}
    walls: Dict[str, List[float]] = {name: [] for name in [*imports, *first, *(f"{n} (importtime)" for n in imports)]}
    cpus: Dict[str, List[float]] = {name: [] for name in walls}
    with Sandbox(seed="demo") as sandbox, tempfile.TemporaryDirectory() as scratch:
        BASE_ENV.clear()
        BASE_ENV.update(os.environ, PYTHONPYCACHEPREFIX=os.path.join(scratch, "pycache"))
        BASE_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        envs = {}
        for name in first:
            cache = os.path.join(scratch, name.split()[0])
            os.makedirs(cache)
            envs[name] = dict(BASE_ENV, B_URL=sandbox.url, B_USER=sandbox.api_user, B_KEY=sandbox.api_key,
                              B_CACHE=cache)
            run_once(first[name], envs[name])  # warms the schema cache and the OS file cache
        for code in imports.values():
            run_once(code)
        jobs = [(name, code, None) for name, code in imports.items()] + [(name, code, envs[name])
                                                                         for name, code in first.items()]
        for repetition in range(args.runs):
            shift = repetition % len(jobs)
            for name, code, env in jobs[shift:] + jobs[:shift]:
                wall, cpu = run_once(code, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
            for name, code in imports.items():
                walls[f"{name} (importtime)"].append(importtime_total(code))
    print(f"{'':34} {'wall ms':>8} {'cpu ms':>8}   (medians of {args.runs}; python {sys.version.split()[0]})")
    for name, values in walls.items():
        cpu = f"{statistics.median(cpus[name]) * 1000:8.0f}" if cpus[name] else f"{'':8}"
        print(f"{name:34} {statistics.median(values) * 1000:8.0f} {cpu}")
    if official:
        print()
        for mine, theirs in (("ftrack_orm import", "ftrack_api import"), ("ftrack_orm first row", "ftrack_api first row")):
            ratios = [a / b for a, b in zip(walls[mine], walls[theirs])]
            print(f"{mine} / {theirs.split()[0]}: {statistics.median(ratios):.2f}x wall (median of paired ratios)")


if __name__ == "__main__":
    main()
