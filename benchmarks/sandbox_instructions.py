"""Sandbox server instructions per simple query: a CPU cost that the machine's load does not move.

    python -m benchmarks.sandbox_instructions [--queries 1000] [--workloads repeated distinct]

Wall-clock rates and even CPU times swing with what else runs on a shared machine;
the instructions the sandbox process executes per query do not (to within ~0.5 %).
The sandbox runs under ``valgrind --tool=callgrind`` with counting switched on only
after a warm-up, one raw client (see :mod:`benchmarks.sandbox_throughput`) posts
``--queries`` queries, and the user-space instructions counted are divided by them
(kernel time, socket system calls included, is not counted). Needs valgrind
(``callgrind_control`` on the PATH); slow: ~30 s per workload.
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import tempfile

from benchmarks.sandbox_throughput import expressions, raw_client, start_sandbox


def instructions_per_query(workload: str, queries: int) -> float:
    """User-space instructions the sandbox process executes per query of ``workload``."""
    directory = tempfile.mkdtemp(prefix="sandbox-callgrind-")
    out = os.path.join(directory, "callgrind.out")
    process, url, headers = start_sandbox(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                                           f"--callgrind-out-file={out}"], quiet=True)
    try:
        post = raw_client(url, headers)
        expression = expressions(workload, 0)
        for n in range(100):  # warm-up: caches, statement caches, the thread's connection
            post(expression(queries + n))
        control = ["callgrind_control", "-i"]
        subprocess.run([*control, "on", str(process.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        for n in range(queries):
            post(expression(n))
        subprocess.run([*control, "off", str(process.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    finally:
        process.terminate()
        process.wait(60)
    total = 0
    for name in glob.glob(out + "*"):
        with open(name) as handle:
            for line in handle:
                if line.startswith(("summary:", "totals:")):
                    total = max(total, int(line.split()[1]))
    shutil.rmtree(directory, ignore_errors=True)
    return total / queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--workloads", nargs="+", default=["repeated", "distinct"], choices=["repeated", "distinct"])
    args = parser.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("needs valgrind (callgrind) on the PATH")
    for workload in args.workloads:
        print(f"{workload:9s} {instructions_per_query(workload, args.queries) / 1000:7.1f} k instructions per query "
              "(sandbox process, user space)", flush=True)


if __name__ == "__main__":
    main()
