"""Sandbox throughput: simple queries per second with 1 and 8 clients.

    python -m benchmarks.sandbox_throughput [--seconds 3] [--repeat 3] [--clients 1 8] [--threads]
        [--workloads repeated distinct] [--kinds raw requests]

The sandbox runs in its own process (``python -m ftrack_orm.sandbox``, in memory,
demo seed), so its work does not share the clients' GIL. Each client is a process
(``--threads``: a thread of this process) with its own kept-alive connection,
posting one query per request for ``--seconds``. Two kinds of client:

* ``raw``: a load generator (like ``wrk``): the request bytes written on a socket,
  the answer framed by its ``Content-Length`` and decoded with ``json.loads``. It costs
  ~40-70 us of CPU per request, so the rate shows what the sandbox can serve.
* ``requests``: a ``requests.Session`` (what a test suite's client pays: ~300-400 us
  of CPU per request in ``requests`` alone, so one such client cannot load the
  sandbox fully: its rate is bounded by its own cost).

Two workloads: ``repeated`` cycles through a few one-row/few-row expressions (a
client polling the same questions: the server's expression cache hits), and
``distinct`` makes every expression text new (``where name is "n<counter>"``: the
cache never hits). Target (issue 21, item 6): >= 2,500 q/s with one client on
``repeated``, and more with eight clients than with one.

Each row is the median of ``--repeat`` runs (min-max beside it); the client counts
run interleaved, so "8 clients / 1" is the median of ratios of runs made side by
side. Beside the wall-clock rate, the sandbox process's own CPU time (user +
system, read from ``/proc`` on Linux) per query: what one query costs the server,
a figure that swings far less with the machine's load (1e6 / it is the rate the
sandbox could serve with a core to itself); the clients' CPU per query is printed
beside it. The wall rate needs free CPUs: the server (one process, one GIL) and
the clients share the machine, and eight clients beat one only if a core is left
for the server while they run.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import threading
import time
from typing import Callable, Dict, List, NamedTuple, Sequence, Tuple

import requests

from benchmarks import sandbox_process
from ftrack_orm.sandbox.encoding import ENCODER

REPEATED = (
    "select id, name from Project",
    'select id, name from Shot where name is "sh010"',
    "select id, name, status_id from Task where parent.name is sh020",
    "select username, first_name from User where username is admin",
    'select id from Status where name is "In Progress"',
)


def start_sandbox(wrapper: Sequence[str] = (), quiet: bool = False) -> Tuple[subprocess.Popen, str, Dict[str, str]]:
    """A sandbox process (run under ``wrapper``, e.g. valgrind) and its URL and admin headers
    (read from its banner); ``quiet``: its stderr is discarded."""
    process, found = sandbox_process.start(wrapper=wrapper, quiet=quiet)
    headers = {"ftrack-user": found["FTRACK_API_USER"], "ftrack-api-key": found["FTRACK_API_KEY"]}
    return process, found["FTRACK_SERVER"], headers


def expressions(workload: str, client: int) -> Callable[[int], str]:
    if workload == "repeated":
        return lambda n: REPEATED[n % len(REPEATED)]
    return lambda n: f'select id, name from Shot where name is "n{client}_{n}"'


Result = Tuple[int, float, float]  # (queries answered, seconds, CPU seconds) of one client
Post = Callable[[str], object]  # posts one query expression, returns the decoded answer


def requests_client(url: str, headers: Dict[str, str]) -> Post:
    http = requests.Session()
    return lambda expression: http.post(url + "/api", json=[{"action": "query", "expression": expression}],
                                        headers=headers, timeout=60).json()


def raw_client(url: str, headers: Dict[str, str]) -> Post:
    host, port = url.rsplit("//", 1)[1].split(":")
    connection = socket.create_connection((host, int(port)), timeout=60)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    stream = connection.makefile("rb")
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())

    def post(expression: str) -> object:
        body = json.dumps([{"action": "query", "expression": expression}]).encode()
        connection.sendall(f"POST /api HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                           f"Content-Length: {len(body)}\r\n{head}\r\n".encode("latin-1") + body)
        assert stream.readline().startswith(b"HTTP/1.1 200")
        length = 0
        for line in iter(stream.readline, b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return json.loads(stream.read(length))

    return post


CLIENTS = {"raw": raw_client, "requests": requests_client}


def client_loop(url: str, headers: Dict[str, str], kind: str, workload: str, client: int, until: float,
                results: multiprocessing.Queue[Result] | List[Result]) -> None:
    post = CLIENTS[kind](url, headers)
    expression = expressions(workload, client)
    done = 0
    started, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() < until:
        answer = post(expression(done))
        assert isinstance(answer, list) and "data" in answer[0], answer
        done += 1
    result = (done, time.perf_counter() - started, time.process_time() - cpu)
    if isinstance(results, list):
        results.append(result)
    else:
        results.put(result)


def run(url: str, headers: Dict[str, str], kind: str, workload: str, clients: int, seconds: float,
        threads: bool) -> List[Result]:
    """What each of ``clients`` concurrent clients answered in about ``seconds``."""
    until = time.perf_counter() + seconds  # each client measures its own rate up to then
    if threads:
        results: List[Result] = []
        workers = [threading.Thread(target=client_loop, args=(url, headers, kind, workload, i, until, results))
                   for i in range(clients)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return results
    queue: multiprocessing.Queue[Result] = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=client_loop, args=(url, headers, kind, workload, i, until, queue))
                 for i in range(clients)]
    for process in processes:
        process.start()
    gathered = [queue.get(timeout=seconds + 60) for _ in processes]
    for process in processes:
        process.join()
    return gathered


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used (``nan`` without ``/proc``)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Measure(NamedTuple):
    """One run: answered queries per wall second (all clients), and CPU microseconds per query."""

    rate: float
    server_us: float
    client_us: float


def measure(process: subprocess.Popen, url: str, headers: Dict[str, str], kind: str, workload: str,
            clients: int, seconds: float, threads: bool) -> Measure:
    cpu = server_cpu(process.pid)
    results = run(url, headers, kind, workload, clients, seconds, threads)
    cpu = server_cpu(process.pid) - cpu
    queries = sum(done for done, _, _ in results)
    return Measure(rate=sum(done / took for done, took, _ in results),
                   server_us=cpu / queries * 1e6 if queries else float("nan"),
                   client_us=sum(used for _, _, used in results) / queries * 1e6 if queries else float("nan"))


def _spread(values: List[float]) -> str:
    return f"{statistics.median(values):6,.0f} ({min(values):,.0f}-{max(values):,.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each client count, interleaved")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--threads", action="store_true", help="clients are threads of this process")
    parser.add_argument("--workloads", nargs="+", default=["repeated", "distinct"], choices=["repeated", "distinct"])
    parser.add_argument("--kinds", nargs="+", default=["raw", "requests"], choices=sorted(CLIENTS),
                        help="clients: raw sockets (load generator) and/or requests sessions")
    args = parser.parse_args()
    process, url, headers = start_sandbox()
    how = "threads" if args.threads else "processes"
    print(f"sandbox throughput: clients are {how}, {args.seconds:g} s per run, {args.repeat} interleaved runs; "
          f"answers encoded by {ENCODER}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(wall rates need idle CPUs: read the server CPU per query beside them)", flush=True)
    print(f"{'client':8s} {'workload':9s} {'clients':>7s}  {'q/s wall: median (min-max)':>27s}  "
          f"{'server CPU us/query':>19s}  {'client CPU us/query':>19s}", flush=True)
    try:
        for kind in args.kinds:
            for workload in args.workloads:
                runs: Dict[int, List[Measure]] = {clients: [] for clients in args.clients}
                for _ in range(args.repeat):  # interleaved: each round sees the machine's load alike
                    for clients in args.clients:
                        runs[clients].append(measure(process, url, headers, kind, workload, clients,
                                                     args.seconds, args.threads))
                for clients, measured in runs.items():
                    print(f"{kind:8s} {workload:9s} {clients:7d}  {_spread([m.rate for m in measured]):>27s}  "
                          f"{_spread([m.server_us for m in measured]):>19s}  "
                          f"{_spread([m.client_us for m in measured]):>19s}", flush=True)
                if len(args.clients) > 1:
                    one, most = min(args.clients), max(args.clients)
                    ratios = [b.rate / a.rate for a, b in zip(runs[one], runs[most])]
                    print(f"{'':8s} {'':9s} {most} clients / {one}: {statistics.median(ratios):.2f}x "
                          f"(median of paired runs; {min(ratios):.2f}-{max(ratios):.2f})", flush=True)
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
