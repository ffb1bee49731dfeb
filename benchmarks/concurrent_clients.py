"""Many concurrent clients against one sandbox: resets, errors, latency, nothing lost.

    python -m benchmarks.concurrent_clients [--clients 50] [--rounds 10] [--processes]

The sandbox runs in its own process (in memory, demo seed). Each client is a
thread (``--processes``: a process) with its own ``Session``; all start together
(a barrier) and each does ``--rounds`` rounds of mixed work: two queries (the shots;
the tasks of one shot with their status), a create + commit, an update + commit.
Every call after the set-up is timed. Printed: calls and errors by kind (``resets`` counts connection
failures: refused/reset connections and unknown outcomes), p50 / p99 / max latency
per kind of call, and a check that every task a client committed is stored once.
Target (issue 14, item 10): 50 concurrent clients see 0 resets.
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import threading
import time
from typing import Any, Dict, List, Tuple

from benchmarks.sandbox_throughput import start_sandbox

Sample = Tuple[str, float, str]  # (kind of call, seconds, error class or "")


def client(url: str, user: str, key: str, number: int, rounds: int, cache: str, start: Any) -> List[Sample]:
    from ftrack_orm import Session
    from ftrack_orm.errors import ServerConnectionError

    samples: List[Sample] = []

    def timed(kind: str, call: Any) -> Any:
        started = time.perf_counter()
        error = ""
        try:
            return call()
        except ServerConnectionError as failure:
            error = "reset:" + type(failure).__name__
        except Exception as failure:  # counted, reported by class
            error = type(failure).__name__
        finally:
            samples.append((kind, time.perf_counter() - started, error))
        return None

    session = Session(url, user, key, schema_cache=cache)
    shots = session.query("select name from Shot").all()  # set-up (schemas, reference data): not timed
    task_type = session.query("Type where name is Compositing").one()
    start.wait()
    for round_ in range(rounds):
        shot = shots[(number + round_) % len(shots)]
        timed("query", session.query("select name from Shot").all)
        timed("query", session.query(f'select name, status.name from Task where parent_id is "{shot.id}"').all)
        task = session.create("Task", {"name": f"c{number:03d}_{round_:03d}", "parent": shot, "type": task_type})
        timed("commit", session.commit)
        task["name"] = f"c{number:03d}_{round_:03d}_renamed"
        timed("commit", session.commit)
    return samples


def _process_entry(queue: multiprocessing.Queue[List[Sample]], *args: Any) -> None:
    queue.put(client(*args))


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--processes", action="store_true", help="clients are processes (default: threads)")
    args = parser.parse_args()
    process, url, headers = start_sandbox()
    user, key = headers["ftrack-user"], headers["ftrack-api-key"]
    samples: List[Sample] = []
    try:
        with tempfile.TemporaryDirectory() as cache:
            started = time.perf_counter()
            if args.processes:
                start: Any = multiprocessing.Barrier(args.clients)
                queue: multiprocessing.Queue[List[Sample]] = multiprocessing.Queue()
                workers = [multiprocessing.Process(target=_process_entry,
                                                   args=(queue, url, user, key, i, args.rounds, cache, start))
                           for i in range(args.clients)]
                for worker in workers:
                    worker.start()
                for _ in workers:
                    samples.extend(queue.get(timeout=3600))
                for worker in workers:
                    worker.join()
            else:
                start = threading.Barrier(args.clients)
                results: List[List[Sample]] = []

                def run(number: int) -> None:
                    results.append(client(url, user, key, number, args.rounds, cache, start))

                threads = [threading.Thread(target=run, args=(i,)) for i in range(args.clients)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                for result in results:
                    samples.extend(result)
            elapsed = time.perf_counter() - started
            stored = _stored_tasks(url, headers)
    finally:
        process.terminate()
        process.wait(10)
    report(args, samples, elapsed, stored)


def _stored_tasks(url: str, headers: Dict[str, str]) -> Dict[str, int]:
    import requests

    answer = requests.post(url + "/api", headers=headers, timeout=120, json=[
        {"action": "query", "expression": 'select name from Task where name like "c%_renamed"'}]).json()
    counts: Dict[str, int] = {}
    for row in answer[0]["data"]:
        counts[row["name"]] = counts.get(row["name"], 0) + 1
    return counts


def report(args: argparse.Namespace, samples: List[Sample], elapsed: float, stored: Dict[str, int]) -> None:
    kind = "processes" if args.processes else "threads"
    errors: Dict[str, int] = {}
    for _, _, error in samples:
        if error:
            errors[error] = errors.get(error, 0) + 1
    resets = sum(n for e, n in errors.items() if e.startswith("reset:"))
    print(f"{args.clients} concurrent clients ({kind}), {args.rounds} rounds each: {len(samples)} calls in {elapsed:.1f} s")
    print(f"resets: {resets}   other errors: {sum(errors.values()) - resets}   {errors or ''}")
    for name in ("query", "commit"):
        times = [seconds * 1000 for call, seconds, error in samples if call == name and not error]
        if times:
            print(f"{name:6s}: {len(times):5d} ok   p50 {statistics.median(times):7.1f} ms   "
                  f"p99 {percentile(times, 0.99):7.1f} ms   max {max(times):7.1f} ms")
    expected = args.clients * args.rounds
    duplicated = sum(1 for n in stored.values() if n > 1)
    print(f"tasks renamed and stored: {len(stored)} of {expected} created (duplicates: {duplicated})")


if __name__ == "__main__":
    main()
